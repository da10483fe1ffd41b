"""Writing results: atomic files, the manifest, and a lock so two builds never interleave.

Every file is written to a temporary in ``<out>/.partial/`` (same file system, so the final
``os.replace`` is atomic), flushed to disk, then renamed into place: a reader, or a build
killed at any moment, sees the old file or the new one, never half of one. The lock holder
clears temporaries a killed build left behind. A failed write (a full disk, a read-only
folder) becomes a :class:`MakeprintError` naming the file; files written before are kept.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import MakeprintError, Problem, display_path

MANIFEST = "manifest.json"
LOCK = ".makeprint.lock"
PARTIAL = ".partial"  # temporaries while they are written; never a finished file

_held: set[Path] = set()  # output folders whose lock this process holds


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "a folder is in the way",
    errno.ENAMETOOLONG: "the path is too long",
}


class OutputWriteError(MakeprintError, OSError):
    """Writing an output file failed: a located :class:`MakeprintError` (so the CLI reports
    it cleanly) that is still an ``OSError`` carrying the ``errno`` (so callers that catch
    ``OSError`` keep working)."""

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _write_error(path: Path, exc: OSError, pending: BaseException | None) -> OutputWriteError:
    code = exc.errno
    reason = _REASONS.get(code or -1, exc.strerror or str(exc))
    if exc.strerror and reason != exc.strerror:
        reason += f" ({exc.strerror})"
    if code in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some disk space, or build into another folder with --out; "
    else:
        hint = "check that the output folder is writable, or build into another with --out; "
    hint += "files written before are kept as they were"
    problem = Problem(f"cannot write this file: {reason}", path=display_path(path), hint=hint)
    # Written from a `finally` while an earlier write error propagates (the manifest after a
    # PDF, on a full disk): report both, the first one first, rather than lose it.
    earlier = list(pending.problems) if isinstance(pending, MakeprintError) else []
    error = OutputWriteError(earlier + [p for p in [problem] if p not in earlier])
    error.errno = code
    error.strerror = reason
    error.filename = str(path)
    return error


def _output_root(path: Path) -> Path | None:
    """The output folder ``path`` lies in: one this process holds, or one with a lock file."""
    absolute = Path(os.path.abspath(path))
    for parent in absolute.parents:
        if parent in _held:
            return parent
    for parent in absolute.parents:
        if (parent / LOCK).is_file():
            return parent
    return None


def _temp_dirs(path: Path) -> list[Path]:
    """Where the temporary may go: ``<out>/.partial`` first, else beside the file."""
    root = _output_root(path)
    dirs = []
    if root is not None:
        partial = root / PARTIAL
        if not partial.is_symlink():
            dirs.append(partial)
    dirs.append(path.parent)
    return dirs


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    pending = sys.exc_info()[1]  # set when called from a `finally` during an error
    tmp: str | None = None
    try:
        root = _output_root(path)
        if root is not None:
            _check_inside(path, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in _temp_dirs(path):
            tmp = None
            try:
                folder.mkdir(exist_ok=True)
                prefix = f".{path.name}." if folder == path.parent else f"{path.name}."
                fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
                os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; outputs are ordinary files
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
                tmp = None
                break
            except OSError as exc:
                if tmp is not None:
                    Path(tmp).unlink(missing_ok=True)
                    tmp = None
                if exc.errno != errno.EXDEV or folder == path.parent:
                    raise
                # .partial is on another file system than this subfolder: write beside it
        _sync_folder(path.parent)
    except OSError as exc:
        raise _write_error(path, exc, pending) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _check_inside(path: Path, root: Path) -> None:
    """Refuse a path whose folders, as they exist now, lead out of the output folder.

    ``resolve`` follows the links among the folders that exist and applies each ``..`` in
    order, as opening the file would; the folders still to be made cannot be links."""
    if not path.parent.resolve().is_relative_to(root.resolve()):
        raise MakeprintError(
            Problem(
                "refusing to write through a link that leads out of the output folder",
                path=display_path(path),
                hint=f"remove the symbolic link inside {root}",
            )
        )


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def clear_partial(out: Path) -> None:
    """Remove temporaries a killed build left in ``<out>/.partial``; only the lock holder may."""
    partial = out / PARTIAL
    try:
        if partial.is_symlink() or (partial.exists() and not partial.is_dir()):
            partial.unlink()
        elif partial.is_dir():
            shutil.rmtree(partial)
    except OSError:
        pass  # a later write reports a folder that cannot be written, with its reason


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for this build; a second build at once is refused clearly.

    Acquiring the lock also clears temporaries a killed build left behind: while no build
    holds the lock nothing is being written, so whatever is in ``.partial`` is stale.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / LOCK, "a+b")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise MakeprintError(
            Problem(
                f"cannot write to the output folder: {_REASONS.get(exc.errno or -1, exc.strerror)}",
                path=str(out),
                hint="check it exists and is writable, or choose another with --out",
            )
        ) from None
    key = Path(os.path.abspath(out))
    held = False
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
        clear_partial(out)
        _held.add(key)
        held = True
        yield
    finally:
        if held:
            _held.discard(key)
        handle.close()


def manifest_name(shard: tuple[int, int] | None = None) -> str:
    """manifest.json, or manifest.part-K-of-N.json for one shard of a split build."""
    return MANIFEST if shard is None else f"manifest.part-{shard[0]}-of-{shard[1]}.json"


def read_manifest(out: Path, name: str = MANIFEST) -> list[dict[str, object]]:
    """Entries of the existing manifest; unreadable means empty, never an error."""
    try:
        data = json.loads((out / name).read_text(encoding="utf-8"))
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, list):  # "files": 3 or null is as unreadable as no file
            return []
        return [f for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)]
    except (OSError, ValueError):
        return []


def write_manifest(
    out: Path, entries: list[dict[str, object]], name: str = MANIFEST, drop: Iterable[str] = ()
) -> None:
    """Merge ``entries`` into the manifest, dropping entries whose file no longer exists
    and those named in ``drop`` (files kept on disk but no longer part of the set)."""
    merged = {str(e["path"]): e for e in read_manifest(out, name)}
    for path in drop:
        merged.pop(path, None)
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
    from .contact_sheet import write_contact_sheet  # each shard wrote its own part's sheet

    write_contact_sheet(out, read_manifest(out))
    return len(merged), len(parts)
