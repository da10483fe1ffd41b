"""serve's caches kept on disk: the documents and page images it has made, in files of a
private temporary folder, so the caches cost serve's memory nothing however full."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPILL_PREFIX = "makeprint-serve-"  # the folder: makeprint-serve-<pid>-<random>


@dataclass(frozen=True)
class Blob:
    """Bytes kept in a file of serve's spill folder (``Spill``)."""

    path: Path
    size: int

    def __len__(self) -> int:
        return self.size

    def read(self) -> bytes:
        return self.path.read_bytes()


def data(value: bytes | Blob) -> bytes:
    """The bytes of a cached PDF or page image, wherever they are kept."""
    return value.read() if isinstance(value, Blob) else value


class Spill:
    """The documents and page images serve has made, kept in files of a private temporary
    folder (0700; removed when serve stops, and at the next start if serve was killed)
    rather than in memory: the caches then cost serve's memory nothing, however full, so it
    stays flat as they fill. A file let go by a cache is deleted a minute later, so a
    request that got it from the cache just before can still read it."""

    GRACE_SECONDS = 60.0

    def __init__(self) -> None:
        base = Path(tempfile.gettempdir())
        for old in base.glob(f"{SPILL_PREFIX}*"):  # left by a serve that was killed
            pid = old.name[len(SPILL_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-"))
        self._names = itertools.count()
        self._dropped: deque[tuple[float, Path]] = deque()
        self._lock = threading.Lock()

    def keep(self, value: bytes | Blob | None) -> Blob | None:
        if value is None or isinstance(value, Blob):
            return value
        with self._lock:
            path = self.folder / f"{next(self._names)}"
        path.write_bytes(value)
        return Blob(path, len(value))

    def drop(self, value: Any) -> None:
        """Let go of a value's files (a ``Blob``, or a ``Doc``'s) after the grace time."""
        blobs = [value] if isinstance(value, Blob) else [
            b for b in (getattr(value, "pdf", None), getattr(value, "draft", None))
            if isinstance(b, Blob)
        ]
        now = time.monotonic()
        with self._lock:
            self._dropped.extend((now, blob.path) for blob in blobs)
            while self._dropped and now - self._dropped[0][0] > self.GRACE_SECONDS:
                self._dropped.popleft()[1].unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
