"""Safe file writing: atomic replacement, batches that land all together or not at
all, and a guard against overwriting a file someone else changed meanwhile."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .errors import L10nError, WorkspaceBusyError


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    """The content hash of a file, or None when it does not exist."""
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def _write_temp(path: Path, data: bytes, sync: bool = True) -> Path:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise L10nError(f"cannot write: {exc.strerror or exc}", path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise L10nError(f"cannot write: {exc.strerror or exc}", path) from None
    return Path(tmp)


@dataclass(frozen=True)
class StagedFile:
    """New content for ``path``, already written to the temporary file ``tmp`` next to
    it; a `Transaction` puts it in place. Worker processes make these, the parent
    process commits them."""

    path: Path
    tmp: Path
    expect: str | None = None
    display: str | None = None


def write_staged(path: Path, data: bytes, expect: str | None = None,
                 display: str | None = None) -> StagedFile:
    """Write ``data`` to a temporary file beside ``path``, for a later `Transaction.adopt`."""
    # Not synced here: the transaction syncs all its files at once before the renames.
    return StagedFile(path, _write_temp(path, data, sync=False), expect, display or str(path))


def discard(staged: Iterable[StagedFile]) -> None:
    """Remove the temporary files of staged content that will not be committed."""
    for item in staged:
        with contextlib.suppress(OSError):
            os.unlink(item.tmp)


def atomic_write(path: Path, data: bytes, expect: str | None = None) -> None:
    """Replace a file's content in one step: the file is either as it was or as it
    should become, whatever happens to the process meanwhile."""
    with Transaction() as tx:
        tx.stage(path, data, expect=expect)


class Transaction:
    """Files written to temporary names first, renamed into place on commit.

    ``stage(path, data, expect=hash)`` refuses, at commit, to replace a file whose
    content no longer has the hash it had when it was read.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path, str | None, str]] = []

    def stage(self, path: Path, data: bytes, expect: str | None = None,
              display: str | None = None) -> None:
        tmp = _write_temp(path, data, sync=False)
        self._staged.append((path, tmp, expect, display or str(path)))

    def adopt(self, staged: StagedFile) -> None:
        """Take over a file staged elsewhere (by `write_staged`), to commit or discard."""
        self._staged.append((staged.path, staged.tmp, staged.expect,
                             staged.display or str(staged.path)))

    @property
    def paths(self) -> list[Path]:
        return [p for p, _, _, _ in self._staged]

    def commit(self) -> None:
        try:
            for path, _, expect, display in self._staged:
                # Only files read before being rewritten carry an expectation; hashing
                # the others would read every output once more for nothing.
                if expect is not None and (file_digest(path) or "absent") != expect:
                    raise L10nError(
                        "changed on disk while l10n was working on it; not overwritten"
                        " (run the command again)", display)
            # Every new content is on disk before the first rename, so a crash leaves
            # each file either as it was or as it should become.
            _sync_files([(tmp, display) for _, tmp, _, display in self._staged])
            for path, tmp, _, display in self._staged:
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    raise L10nError(f"cannot write: {exc.strerror or exc}", display) from None
            _sync_folders({path.parent for path, _, _, _ in self._staged})
        finally:
            self.rollback()

    def rollback(self) -> None:
        for _, tmp, _, _ in self._staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self._staged.clear()

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


# fsync waits for the disk; a few calls in flight at once finish far sooner than one
# after another (the journal commits them together). Profiling a 100-article merge
# showed a tenth of its time in one fsync per page.
_SYNC_THREADS = 8


def _fsync_file(item: tuple[Path, str]) -> None:
    tmp, display = item
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise L10nError(f"cannot write: {exc.strerror or exc}", display) from None


def _sync_files(items: list[tuple[Path, str]]) -> None:
    if len(items) <= 1:
        for item in items:
            _fsync_file(item)
        return
    with ThreadPoolExecutor(min(_SYNC_THREADS, len(items))) as pool:
        list(pool.map(_fsync_file, items))


def _sync_folders(folders: set[Path]) -> None:
    if len(folders) <= 1:
        for folder in folders:
            _fsync_dir(folder)
        return
    with ThreadPoolExecutor(min(_SYNC_THREADS, len(folders))) as pool:
        list(pool.map(_fsync_dir, sorted(folders)))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


LOCK_NAME = ".l10n.lock"


class WorkspaceLock:
    """An exclusive lock on a workspace, held by a command that writes to it.

    A second writing command waits up to ``timeout`` seconds, then fails with a clear
    message. The lock is an OS file lock: it is released if the process dies.
    """

    def __init__(self, root: Path, timeout: float = 5.0):
        self.path = root / LOCK_NAME
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl
        import time

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return  # a read-only workspace: nothing will be written anyway
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise WorkspaceBusyError(
                        f"another l10n command is writing to this workspace{holder};"
                        " try again when it has finished", self.path) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
