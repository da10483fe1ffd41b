"""Writing results: atomic files, the manifest, and a lock so two builds never interleave."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import MakeprintError, Problem

MANIFEST = "manifest.json"
LOCK = ".makeprint.lock"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for this build; a second build at once is refused clearly."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / LOCK, "a+b")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise MakeprintError(
            Problem(
                f"cannot write to the output folder: {exc.strerror}",
                path=str(out),
                hint="check it exists and is writable, or choose another with --out",
            )
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MakeprintError(
                Problem(
                    "another makeprint build is writing to this output folder",
                    path=str(out),
                    hint="wait for it to finish, or build into another folder with --out",
                )
            ) from None
        yield
    finally:
        handle.close()


def manifest_name(shard: tuple[int, int] | None = None) -> str:
    """manifest.json, or manifest.part-K-of-N.json for one shard of a split build."""
    return MANIFEST if shard is None else f"manifest.part-{shard[0]}-of-{shard[1]}.json"


def read_manifest(out: Path, name: str = MANIFEST) -> list[dict[str, object]]:
    """Entries of the existing manifest; unreadable means empty, never an error."""
    try:
        data = json.loads((out / name).read_text(encoding="utf-8"))
        files = data.get("files", []) if isinstance(data, dict) else []
        return [f for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)]
    except (OSError, ValueError):
        return []


def write_manifest(out: Path, entries: list[dict[str, object]], name: str = MANIFEST) -> None:
    """Merge ``entries`` into the manifest, dropping entries whose file no longer exists."""
    merged = {str(e["path"]): e for e in read_manifest(out, name)}
    merged.update({str(e["path"]): e for e in entries})
    files = [merged[k] for k in sorted(merged) if (out / k).is_file()]
    text = json.dumps({"files": files}, indent=2, ensure_ascii=False) + "\n"
    atomic_write(out / name, text.encode("utf-8"))


def merge_manifests(out: Path) -> tuple[int, int]:
    """Join manifest.part-K-of-N.json files into manifest.json; all N parts must be there."""
    parts = sorted(out.glob("manifest.part-*-of-*.json"))
    if not parts:
        raise MakeprintError(Problem("no manifest parts found", path=str(out),
                                     hint="run 'makeprint build --shard K/N' first"))
    totals = {p.name.rsplit("-of-", 1)[1].removesuffix(".json") for p in parts}
    if len(totals) != 1:
        raise MakeprintError(Problem("manifest parts come from different splits", path=str(out),
                                     hint="delete the old parts and build every shard again"))
    total = int(totals.pop())
    have = {int(p.name.split("-")[1]) for p in parts}
    missing = sorted(set(range(1, total + 1)) - have)
    if missing:
        raise MakeprintError(Problem(
            f"manifest parts {', '.join(map(str, missing))} of {total} are missing",
            path=str(out), hint="build the missing shards (or copy their output here) first"))
    merged: dict[str, dict[str, object]] = {}
    for part in parts:
        for entry in read_manifest(out, part.name):
            previous = merged.get(str(entry["path"]))
            if previous is not None and previous != entry:
                raise MakeprintError(Problem(
                    f"two parts disagree about {entry['path']}", path=str(part),
                    hint="rebuild with one --shard N for every runner"))
            merged[str(entry["path"])] = entry
    write_manifest(out, list(merged.values()))
    return len(merged), len(parts)
