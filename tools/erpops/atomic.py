"""Atomic writes: a file is either as it was or wholly new, never half-written.

And edits serialised per file: `locked(path)` holds an operating-system lock on `.<name>.lock`
beside the file (fcntl.flock on POSIX, msvcrt.locking on Windows), so two `erpops ticket …`
on the same ticket take turns instead of the last writer silently dropping the other's event.
The operating system releases the lock when its process ends, however it ends: a crashed
edit leaves at most an unlocked lock file, which the next edit takes and removes.
"""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

LOCK_TIMEOUT = 30.0  # seconds an edit waits for another edit of the same file
_POLL = 0.05


class Changed(Exception):
    """The file changed on disk since it was read: writing now would lose that change."""


class Busy(Exception):
    """Another process held the file's lock for longer than the timeout."""


def write_bytes(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Write `data` to `path` atomically. With `expected`, refuse (Changed) unless the file still
    holds exactly those bytes just before the rename: an edit made meanwhile is never overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        if expected is not None and current(path) != expected:
            raise Changed(str(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text(path: Path, text: str, expected: bytes | None = None) -> None:
    write_bytes(path, text.encode("utf-8"), expected)


def current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _same_file(fd: int, path: Path) -> bool:
    """Whether `path` still names the file open as `fd` (a finished holder may have removed it)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def lock_timeout() -> float:
    """$ERPOPS_LOCK_TIMEOUT (seconds) if set to a number ≥ 0, else LOCK_TIMEOUT."""
    try:
        value = float(os.environ.get("ERPOPS_LOCK_TIMEOUT", ""))
    except ValueError:
        return LOCK_TIMEOUT
    return value if value >= 0 else LOCK_TIMEOUT


@contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the edit lock of `path` (raises Busy after `timeout` seconds of waiting)."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (lock_timeout() if timeout is None else timeout)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        if _try_lock(fd):
            if _same_file(fd, lock):
                break
            _unlock(fd)  # locked a file its holder had just removed: take the new one
        os.close(fd)
        if time.monotonic() >= deadline:
            raise Busy(str(lock))
        time.sleep(_POLL)
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        if fcntl is not None:
            # Removed while still held: whoever waits on this file sees it is gone and retries.
            try:
                os.unlink(lock)
            except OSError:
                pass
            os.close(fd)
        else:  # pragma: no cover - Windows: an open file cannot be removed, so remove it after
            _unlock(fd)
            os.close(fd)
            try:
                os.unlink(lock)
            except OSError:
                pass  # another edit has it open; it removes it when done
