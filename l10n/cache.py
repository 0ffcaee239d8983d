"""What each step last did to each article, so that a re-run skips what has not changed.

A step keeps one JSON file, ``<workspace>/.l10n-cache/<step>.json``, mapping each
article to the sha256 digests of the inputs it read and of the output it left, plus
whatever the step needs to report the article again without redoing it. Before working
on an article, the step hashes the same files again: when every digest matches, the
output on disk is what the work would produce, and the article is skipped.

Correctness rests on content hashes only (touching a file changes nothing; editing it,
or deleting an output, redoes that article). Files are not read again when their stat
shows they were not written since their hash was taken (`ContentMemo`, below). A
record is a fact about file contents ("template X is what this code makes of source Y
under these settings"), so records written by concurrent runs cannot mislead each
other. The records are bound to a key: the step's settings, the l10n code and the
versions of the libraries that shape the output. When the key differs, or the file is
missing or damaged, the cache is empty and the step does a full run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .errors import L10nError
from .fsio import atomic_write

log = logging.getLogger(__name__)

CACHE_DIR = ".l10n-cache"
FORMAT = 1  # bump when the layout of the records changes

Record = dict[str, Any]


@cache
def code_fingerprint() -> str:
    """A digest of the l10n code and data files and of the libraries that shape output.

    The package is hashed rather than trusting its version number, so that editing
    l10n itself (or upgrading lxml, polib or Babel) invalidates every record.
    """
    h = hashlib.sha256()
    h.update(f"l10n {__version__}; python {sys.version_info[:2]}\n".encode())
    for dist in ("lxml", "polib", "babel", "rapidfuzz"):
        h.update(f"{dist} {installed_version(dist)}\n".encode())
    package = Path(__file__).resolve().parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".po"))
    for path in files:
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def installed_version(dist: str) -> str:
    """The installed version of the distribution that provides the top-level module
    ``dist`` ("-" if none), found without importing the module.

    Every command needs the fingerprint, and importlib.metadata (with the email
    parser it loads) cost more than the rest of it: the version is read from the name
    of the ``<name>-<version>.dist-info`` folder beside the module instead, with
    importlib.metadata only for installs laid out otherwise.
    """
    from importlib.util import find_spec

    try:
        spec = find_spec(dist)
    except (ImportError, ValueError):  # ValueError: a loaded module without a spec
        spec = None
    found: list[str] = []
    if spec is not None and spec.origin and spec.has_location:
        origin = Path(spec.origin)
        folder = origin.parent.parent if spec.submodule_search_locations else origin.parent
        prefix = dist.lower() + "-"
        with contextlib.suppress(OSError):  # a zip or an unreadable folder
            # The name part of a dist-info folder has its "-" written as "_", and a
            # version has none: "lxml-stubs-0.5.1.dist-info" is not lxml's.
            found = [version for version in (
                name[len(prefix):-len(".dist-info")] for name in os.listdir(folder)
                if name.lower().startswith(prefix) and name.endswith(".dist-info"))
                if version and "-" not in version]
    if len(found) == 1:
        return found[0]
    # None found (another layout: .egg-info, a zip) or several (leftovers of an
    # upgrade): importlib.metadata decides, as it would have.
    from importlib import metadata

    try:
        return metadata.version(dist) or "-"  # None: a dist-info folder without METADATA
    except metadata.PackageNotFoundError:
        return "-"


# --------------------------------------------------------------- known contents
#
# Checking that nothing changed means hashing every source, template, catalog and page
# (over a gigabyte for 1,000 articles in 5 locales): most of a re-run. Like git's index,
# the workspace remembers the hash of each file it read or wrote together with the
# file's size, inode, modification and change times; a file whose stat is still
# exactly that is not read again. Anything that writes a file changes its change time
# (which no program can set) and its modification time, so the record stops matching
# and the content is hashed again: decisions still rest on content hashes.
#
# A write within the same clock tick as a recorded one could leave the times as they
# were. So a hash is only recorded for a file last modified well before it was read
# (RACY_NS, more than the coarsest clock of a file system), or for a file l10n wrote
# itself: those are given a modification time a second in the past
# (`fsio._write_temp`) that no later write reproduces.

STAT_FILE = "stat.json"
# Its own format number: 2 names files relative to the workspace (1 named them in full,
# so a moved or copied workspace hashed everything again and kept both names).
MEMO_FORMAT = 2
RACY_NS = 2_000_000_000  # file systems with 2-second (FAT) or 1-second times exist

Signature = tuple[int, int, int, int]  # size, inode, modification and change time (ns)


def _signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


class ContentMemo:
    """Recorded content hashes of files, by path, valid while their stat is unchanged.

    Files in the workspace are named relative to its root: moving the workspace
    (which keeps each file's inode and times) keeps what is known of them."""

    def __init__(self, path: Path, entries: dict[str, list[Any]], root: Path | None = None):
        self.path = path
        self.entries = entries
        self.dirty = False
        self.root = root
        self._prefix = str(root) + os.sep if root is not None else None

    def key(self, path: str | os.PathLike[str]) -> str:
        """A file's name in the memo: relative to the workspace root when inside it."""
        text = os.fspath(path)
        prefix = self._prefix
        if prefix is not None and text.startswith(prefix):
            return text[len(prefix):]
        return text

    @classmethod
    def load(cls, root: Path) -> ContentMemo:
        path = root / CACHE_DIR / STAT_FILE
        entries: dict[str, list[Any]] = {}
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and data.get("format") == MEMO_FORMAT and isinstance(
                data.get("files"), dict):
            entries = {k: v for k, v in data["files"].items()
                       if isinstance(v, list) and len(v) == 5}
        return cls(path, entries, root)

    def hash(self, path: Path) -> str | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = self.key(path)
        sig = _signature(st)
        known = self.entries.get(key)
        if known is not None and tuple(known[:4]) == sig:
            return known[4]
        read_at = time.time_ns()
        value = _hash_content(path)
        if value is not None:
            seen = _trusted(path, st, read_at, value)
            if seen is not None:
                self.entries[key] = seen[1]
                self.dirty = True
        return value

    def written(self, path: Path, content: str, mtime_ns: int) -> None:
        try:
            st = os.stat(path)
        except OSError:
            return
        if st.st_mtime_ns == mtime_ns:  # else someone wrote it after us: hash it later
            self.entries[self.key(path)] = [*_signature(st), content]
            self.dirty = True

    def forget_missing(self) -> None:
        """Drop the entries of files that no longer exist (one stat each: done when
        articles were removed, so that the memo does not grow with every removal)."""
        root = self.root
        for key in list(self.entries):
            path = key if root is None or os.path.isabs(key) else os.path.join(root, key)
            try:
                os.stat(path)
            except (FileNotFoundError, NotADirectoryError):
                del self.entries[key]
                self.dirty = True
            except OSError:
                pass

    def save(self) -> None:
        if not self.dirty:
            return
        data = json.dumps({"format": MEMO_FORMAT, "files": self.entries},
                          separators=(",", ":")).encode()
        try:
            atomic_write(self.path, data)
        except L10nError as exc:
            log.warning("could not save the cache: %s", exc)
        self.dirty = False


# The memo of the workspace this process works on: loaded when a step opens its cache.
_memo: ContentMemo | None = None


def _use_memo(root: Path) -> ContentMemo:
    global _memo
    if _memo is None or _memo.path != root / CACHE_DIR / STAT_FILE:
        _memo = ContentMemo.load(root)
    return _memo


def _hash_content(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def hash_file(path: Path) -> str | None:
    """sha256 of a file's content; None when it does not exist or cannot be read
    (the step itself then reports why, when it tries to read the file)."""
    if _memo is not None:
        return _memo.hash(path)
    return _hash_content(path)


Seen = tuple[str, list[Any]]  # a file as read by a worker: path, [*signature, digest]


def read_seen(path: Path, read: Callable[[], bytes | None]
              ) -> tuple[bytes | None, str | None, Seen | None]:
    """``read()`` (the caller's reading, with its own errors) of the file at ``path``,
    the sha256 of what it returned, and what the workspace may remember of it (see
    `ContentMemo`; None when the file changed while it was read, or was modified too
    recently to be trusted). Worker processes return these to the parent, which
    records them with `note_seen`: a file read during a run is not read again to
    check it in the next."""
    try:
        before = os.stat(path)
    except OSError:
        before = None
    read_at = time.time_ns()
    data = read()
    if data is None:
        return None, None, None
    content = hashlib.sha256(data).hexdigest()
    if before is None or len(data) != before.st_size:
        return data, content, None
    return data, content, _trusted(path, before, read_at, content)


def _trusted(path: Path, before: os.stat_result, read_at: int, content: str) -> Seen | None:
    """What may be remembered of a file whose content (hash ``content``) was read at
    ``read_at`` with the stat ``before``: nothing when it was modified too shortly
    before (within RACY_NS), or when its stat changed while it was read."""
    if read_at - max(before.st_mtime_ns, before.st_ctime_ns) <= RACY_NS:
        return None
    try:
        after = os.stat(path)
    except OSError:
        return None
    sig = _signature(before)
    if _signature(after) != sig:
        return None
    return str(path), [*sig, content]


def note_seen(seen: Iterable[Seen]) -> None:
    """Record what workers read (see `read_seen`)."""
    if _memo is None:
        return
    for key, entry in seen:
        _memo.entries[_memo.key(key)] = entry
        _memo.dirty = True


def note_written(path: Path, content: str, mtime_ns: int) -> None:
    """Record the hash of a file l10n has just put in place (see `ContentMemo`)."""
    if _memo is not None:
        _memo.written(path, content, mtime_ns)


class StepCache:
    """The records of one step, loaded at its start and saved after its files are written."""

    def __init__(self, path: Path, key: str, records: dict[str, Record],
                 loaded: bool = False):
        self.path = path
        self.key = key
        self.records = records
        self.dirty = not loaded  # a re-run that changed nothing does not rewrite the file

    @classmethod
    def open(cls, cfg: Config, step: str, settings: dict[str, Any]) -> StepCache:
        """The cache of ``step`` in the workspace; empty when missing, damaged or made
        under other settings or another version of the code."""
        key = hashlib.sha256(json.dumps(
            {"format": FORMAT, "step": step, "code": code_fingerprint(), "settings": settings},
            sort_keys=True).encode()).hexdigest()
        path = cfg.root / CACHE_DIR / f"{step}.json"
        _use_memo(cfg.root)
        records: dict[str, Record] = {}
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            data = None
        if (isinstance(data, dict) and data.get("key") == key
                and isinstance(data.get("articles"), dict)):
            records = {slug: rec for slug, rec in data["articles"].items()
                       if isinstance(rec, dict)}
            return cls(path, key, records, loaded=len(records) == len(data["articles"]))
        return cls(path, key, records)

    def get(self, slug: str) -> Record | None:
        return self.records.get(slug)

    def put(self, slug: str, record: Record | None) -> None:
        old = self.records.get(slug)
        if record is None:
            if old is not None:
                del self.records[slug]
                self.dirty = True
        elif old is not record and old != record:
            self.records[slug] = record
            self.dirty = True

    def save(self, keep: Iterable[str] | None = None) -> None:
        """Write the records (only those of ``keep``, when given: the articles that
        still exist). A cache that cannot be written is only a missed shortcut."""
        if keep is not None:
            wanted = set(keep)
            kept = {k: v for k, v in self.records.items() if k in wanted}
            if len(kept) != len(self.records):
                self.records = kept
                self.dirty = True
                # Articles were removed: so may their files have been.
                if _memo is not None:
                    _memo.forget_missing()
        if self.dirty:
            data = json.dumps({"key": self.key, "articles": self.records}, sort_keys=True,
                              separators=(",", ":")).encode()
            try:
                atomic_write(self.path, data)
                self.dirty = False
            except L10nError as exc:
                log.warning("could not save the cache: %s", exc)
        if _memo is not None:
            _memo.save()


def sub_records(record: Record, key: str) -> dict[str, Record]:
    """A record's table of per-locale records (pages, catalogs); empty if damaged."""
    table = record.get(key)
    return table if isinstance(table, dict) else {}


def settings_of(cfg: Config, *names: str) -> dict[str, Any]:
    """The configuration values a step's output depends on, for its cache key."""
    return {name: getattr(cfg, name) for name in names}
