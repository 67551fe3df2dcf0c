"""One run per output folder: an exclusive lock on FOLDER/.paperbrief.lock, so two runs never pay
for the same paper twice. The kernel drops it however the holder ends, so it is never stale."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path

from .store import StoreError

LOCK_NAME = ".paperbrief.lock"
LOCK_POLL_S = 0.2  # how often a run started with --wait looks whether the folder is free


class FolderInUse(Exception):
    """Another paperbrief run holds the output folder; the message names it (pid and command)."""


@contextlib.asynccontextmanager
async def folder_lock(folder: Path, command: str, wait: bool = False):
    """Hold `folder` for this run: an exclusive flock on FOLDER/.paperbrief.lock, which records the
    holder's pid and command. Another run stops with FolderInUse, or with `wait` waits its turn.
    The kernel drops the lock however the holder ends (Ctrl-C, SIGKILL), so it is never stale."""
    path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{exc.filename or folder}: cannot write the output folder ({exc.strerror or exc})") from None
    fd = _open_lock(path)
    try:
        while not _try_lock(fd):
            if not wait:
                raise FolderInUse(f"{folder}/ is in use by {_holder(path)}; use --wait to wait for it")
            await asyncio.sleep(LOCK_POLL_S)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        except OSError as exc:  # a full disk: name the file, as every other write does
            raise StoreError(f"{path}: cannot write the lock file ({exc.strerror or exc})") from None
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race the next holder)


def _open_lock(path: Path) -> int:
    """The lock file, ours and regular: created exclusively, or opened without following a symbolic
    link (whose target would be overwritten) and without blocking on a FIFO; anything else is refused."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(f"{path}: is a symbolic link; paperbrief does not follow it (remove it)") from None
        raise StoreError(f"{path}: cannot write the output folder ({exc.strerror or exc})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StoreError(f"{path}: not a regular file (a FIFO, device or folder); remove it")
    return fd


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    """`paperbrief run (pid 123)` from the lock file; the holder may not have written it yet."""
    try:
        pid, _, command = path.read_text(encoding="utf-8", errors="replace").strip().partition(" ")
    except OSError:
        pid = ""
    return f"{command or 'paperbrief'} (pid {pid})" if pid.isdigit() else "another paperbrief run"
