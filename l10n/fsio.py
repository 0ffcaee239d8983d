"""Safe file writing: atomic replacement, batches that land all together or not at
all, and a guard against overwriting a file someone else changed meanwhile."""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import os
import re
import stat
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
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


# Temporary files are hidden siblings, ``.<name>.l10n-XXXXXXXX.tmp``: in the same folder
# (so the rename is atomic), never matching a glob l10n reads (``*.po``, ``*.html``), and
# marked so that leftovers of a killed process can be told from anyone else's files.
TEMP_MARK = ".l10n-"
TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(r"^\..+\.l10n-[a-z0-9_]{8}\.tmp$")


def is_temp_file(name: str) -> bool:
    """Whether a file name is one of our temporary files."""
    return bool(_TEMP_RE.match(name))


def sweep_temp_files(folders: Iterable[Path]) -> list[Path]:
    """Remove temporary files left behind by a killed l10n process; returns them.

    Only safe while holding the `WorkspaceLock`: then no other l10n process is
    writing, so every temporary file found is a leftover.
    """
    removed: list[Path] = []
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                if is_temp_file(name):
                    path = Path(dirpath) / name
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed.append(path)
    return removed


def _temp_name(path: Path) -> Path:
    # 5 random bytes are 8 base32 letters and digits (a-z, 2-7): a name nobody else
    # picks, from the OS, so worker processes forked from one parent differ too.
    token = base64.b32encode(os.urandom(5)).decode("ascii").lower()
    return path.with_name(f".{path.name}{TEMP_MARK}{token}{TEMP_SUFFIX}")


# Tries at a fresh temporary name when one is taken (as tempfile.mkstemp does).
_TEMP_ATTEMPTS = 100
_TEMP_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _open_temp(path: Path, mode: int) -> tuple[int, Path]:
    """A new temporary file beside ``path``, created exclusively (never an existing
    file or link followed), and its folder made when missing."""
    made_folder = False
    for _ in range(_TEMP_ATTEMPTS):
        tmp = _temp_name(path)
        try:
            return os.open(tmp, _TEMP_FLAGS, mode), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            if made_folder:
                raise
            # Trying first and making the folder only when it is missing saves a
            # system call per file in the common case (the folder is there).
            path.parent.mkdir(parents=True, exist_ok=True)
            made_folder = True
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path.parent))


# New files get a modification time this far in the past (see `_write_temp`).
BACKDATE_NS = 1_000_000_000


def _write_temp(path: Path, data: bytes, mode: int | None, display: str | None = None,
                sync: bool = True) -> tuple[Path, int]:
    """Write ``data`` to a new temporary file beside ``path``; returns it and the
    modification time it was given. Its permissions are those of the file it will
    replace (``mode``, from the stat `_check_writable` made; None when there is none),
    or for a new file what creating it gives (0o666 less the umask).

    The modification time is set a second in the past: any later write to the file,
    by anyone, stamps the current time, so a file still carrying exactly this time
    (with the same size, inode and change time) has not been written since.
    `l10n.cache` uses that to trust a recorded content hash without reading the file
    again."""
    name = display or str(path)  # how errors name the file
    try:
        # A new file: the kernel applies the umask to 0o666 at creation, so there is
        # nothing to read or change afterwards. An existing file's permissions are
        # copied onto the temporary file before anything is written to it.
        fd, tmp = _open_temp(path, 0o666 if mode is None else 0o600)
    except OSError as exc:
        raise L10nError(f"cannot write: {exc.strerror or exc}", name) from None
    try:
        try:
            if mode is not None:
                with contextlib.suppress(OSError):
                    os.fchmod(fd, stat.S_IMODE(mode))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            now = time.time_ns()
            mtime = now - BACKDATE_NS
            os.utime(fd, ns=(now, mtime))
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise L10nError(f"cannot write: {exc.strerror or exc}", name) from None
    return tmp, mtime


@dataclass(frozen=True)
class StagedFile:
    """New content for ``path``, already written to the temporary file ``tmp`` next to
    it; a `Transaction` puts it in place. Worker processes make these, the parent
    process commits them. ``tmp`` None stages the removal of ``path``."""

    path: Path
    tmp: Path | None
    expect: str | None = None
    display: str | None = None
    content: str | None = None  # the sha256 of the new content
    mtime_ns: int | None = None  # the modification time the temporary file was given


def removal(path: Path, expect: str | None = None, display: str | None = None) -> StagedFile:
    """Stage the removal of ``path`` (if it still has the digest ``expect``)."""
    return StagedFile(path, None, expect, display or str(path))


def write_staged(path: Path, data: bytes, expect: str | None = None,
                 display: str | None = None, content: str | None = None) -> StagedFile:
    """Write ``data`` to a temporary file beside ``path``, for a later `Transaction.adopt`.
    ``content``: the digest of ``data``, if the caller has it already."""
    # Not synced here: the transaction that adopts the file syncs it before any rename.
    mode = _check_writable(path, display or str(path))
    tmp, mtime = _write_temp(path, data, mode, display, sync=False)
    return StagedFile(path, tmp, expect, display or str(path), content or digest(data), mtime)


def discard(staged: Iterable[StagedFile]) -> None:
    """Remove the temporary files of staged content that will not be committed."""
    for item in staged:
        if item.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(item.tmp)


def atomic_write(path: Path, data: bytes, expect: str | None = None,
                 display: str | None = None) -> None:
    """Replace a file's content in one step: the file is either as it was or as it
    should become, whatever happens to the process meanwhile. ``display`` is how
    errors name the file (default: the path)."""
    with Transaction() as tx:
        tx.stage(path, data, expect=expect, display=display)


class Transaction:
    """Files written to temporary names first, renamed into place on commit.

    ``stage(path, data, expect=hash)`` refuses, at commit, to replace a file whose
    content no longer has the hash it had when it was read.
    """

    def __init__(self, sync_early: bool = False) -> None:
        # (path, temporary file or None for a removal, expected digest, display name)
        self._staged: list[tuple[Path, Path | None, str | None, str]] = []
        # path -> (digest of the new content, modification time given to it)
        self._contents: dict[Path, tuple[str, int]] = {}
        # After a commit: the files put in place, with their digest and modification time.
        self.written: list[tuple[Path, str, int]] = []
        # ``sync_early``: each temporary file is synced in a background thread as soon
        # as it is staged, for a caller that waits meanwhile (for worker processes).
        # A caller busy itself would only lose time to those threads (they need the
        # interpreter lock between system calls, and handing it over and back made an
        # in-process extract 5-7 % slower): its files are synced all at once by the
        # commit.
        self._sync_early = sync_early
        self._to_sync: list[tuple[Path, str]] = []
        self._sync_pool: ThreadPoolExecutor | None = None
        self._syncing: list[Future[None]] = []

    def stage(self, path: Path, data: bytes, expect: str | None = None,
              display: str | None = None) -> None:
        self.adopt(write_staged(path, data, expect, display))

    def adopt(self, staged: StagedFile) -> None:
        """Take over a file staged elsewhere (by `write_staged`), to commit or discard."""
        display = staged.display or str(staged.path)
        self._staged.append((staged.path, staged.tmp, staged.expect, display))
        if staged.tmp is not None:
            self._to_sync.append((staged.tmp, display))
            if self._sync_early:
                self._start_syncs()
        if staged.content is not None and staged.mtime_ns is not None:
            self._contents[staged.path] = (staged.content, staged.mtime_ns)

    def _start_syncs(self) -> None:
        if self._sync_pool is None:
            self._sync_pool = ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="l10n-fsync")
        submit = self._sync_pool.submit
        self._syncing += [submit(_fsync_file, item) for item in self._to_sync]
        self._to_sync = []

    @property
    def paths(self) -> list[Path]:
        return [p for p, _, _, _ in self._staged]

    def commit(self) -> None:
        try:
            # Every guard is checked before the first rename, so a file changed on disk
            # leaves the whole batch unwritten...
            for path, _, expect, display in self._staged:
                _check_unchanged(path, expect, display)
            # Every new content is on disk before the first rename, so a crash leaves
            # each file either as it was or as it should become.
            self._wait_for_syncs()
            for path, tmp, expect, display in self._staged:
                # ... and again right before each rename: on a slow disk the renames
                # take a while, and an editor may save in the meantime. (The check and
                # the rename are two steps; what remains between them is microseconds.)
                _check_unchanged(path, expect, display)
                try:
                    if tmp is None:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(path)
                    else:
                        os.replace(tmp, path)
                except OSError as exc:
                    raise L10nError(f"cannot write: {exc.strerror or exc}", display) from None
            _sync_folders({path.parent for path, _, _, _ in self._staged})
            self.written = [(path, *self._contents[path]) for path, tmp, _, _ in self._staged
                            if tmp is not None and path in self._contents]
        finally:
            self.rollback()

    def _wait_for_syncs(self) -> None:
        if not self._syncing and len(self._to_sync) <= 1:
            # One file (the common atomic_write): no thread for it.
            for item in self._to_sync:
                _fsync_file(item)
            self._to_sync = []
            return
        self._start_syncs()
        try:
            for future in self._syncing:
                future.result()  # the first failure, as an L10nError naming the file
        except BaseException:
            self._stop_syncing()
            raise
        self._stop_syncing(wait=True)

    def _stop_syncing(self, wait: bool = False) -> None:
        # A rollback does not wait for syncs still running: their files are about to be
        # removed. After a commit's syncs have all finished, waiting costs nothing and
        # leaves no thread behind (a later step may fork worker processes).
        if self._sync_pool is not None:
            self._sync_pool.shutdown(wait=wait, cancel_futures=True)
            self._sync_pool = None
        self._syncing = []
        self._to_sync = []

    def rollback(self) -> None:
        self._stop_syncing()
        for _, tmp, _, _ in self._staged:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._staged.clear()
        self._contents.clear()

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


def _check_writable(path: Path, display: str) -> int | None:
    """A file nobody may write to (no write bit at all) was protected on purpose: the
    rename would replace it anyway, so refuse. Root is no exception. Returns the
    file's mode (None when it does not exist), for its replacement to keep."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise L10nError(f"cannot read: {exc.strerror or exc}", display) from None
    if stat.S_ISREG(mode) and not mode & 0o222:
        raise L10nError("read-only file; not overwritten (make it writable to let l10n"
                        " update it)", display)
    return mode


def _check_unchanged(path: Path, expect: str | None, display: str) -> None:
    if expect is None:
        return
    try:
        current = file_digest(path) or "absent"
    except OSError as exc:
        raise L10nError(f"cannot read: {exc.strerror or exc}", display) from None
    if current != expect:
        raise L10nError("changed on disk while l10n was working on it; not overwritten"
                        " (run the command again)", display)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# fsync waits for the disk; a few calls in flight at once finish far sooner than one
# after another (the journal commits them together). Profiling a 100-article merge
# showed a tenth of its time in one fsync per page, and then still 0.1 s of waiting
# for them all at the commit: with worker processes, they now run while the workers
# process the articles (Transaction's sync_early).
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


def _sync_folders(folders: set[Path]) -> None:
    if len(folders) <= 1:
        for folder in folders:
            _fsync_dir(folder)
        return
    with ThreadPoolExecutor(min(_SYNC_THREADS, len(folders))) as pool:
        list(pool.map(_fsync_dir, sorted(folders)))




LOCK_NAME = ".l10n.lock"


class WorkspaceLock:
    """An exclusive lock on a workspace, held by a command that writes to it.

    A second writing command waits up to ``timeout`` seconds, then fails with a clear
    message. The lock is an OS file lock: it is released if the process dies.
    """

    def __init__(self, root: Path, timeout: float = 5.0, display: str | None = None):
        self.path = root / LOCK_NAME
        self.timeout = timeout
        self.display = display or str(self.path)  # how error messages name the lock file
        self._fd: int | None = None
        # Whether the previous holder released the lock normally: then it left no
        # temporary file behind, and there is nothing to sweep.
        self.clean_before = False

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
                        f"another l10n command{holder} is writing to this workspace;"
                        f" waited {self.timeout:g} s; try again when it has finished",
                        self.display) from None
                time.sleep(0.05)
        try:
            self.clean_before = os.pread(fd, 16, 0) == _RELEASED
        except OSError:
            self.clean_before = False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self, clean: bool = True) -> None:
        """Release the lock; ``clean``: every temporary file made meanwhile is gone."""
        if self._fd is not None:
            import fcntl

            if clean:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, 0)
                    os.pwrite(self._fd, _RELEASED, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # An exception may come while a transaction's files are still being removed
        # (Ctrl-C): let the next holder sweep.
        self.release(clean=exc_type is None)


_RELEASED = b"released\n"


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
