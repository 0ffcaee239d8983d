"""Articles processed in parallel, in worker processes, with results in article order.

Workers never put a file in place: they write new content to temporary files (see
`fsio.write_staged`) and return an `ArticleOutcome` naming them; the parent adopts
them into one `Transaction`, so a command still writes everything or nothing. Only a
few articles are in flight at a time, so memory stays flat however many there are.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from .cache import Seen, StepCache, note_seen, note_written
from .config import Config
from .errors import L10nError
from .fsio import StagedFile, Transaction, discard, removal, write_staged
from .model import ArticleResult

T = TypeVar("T")

# Articles queued per worker: enough to keep every worker busy, few enough that
# finished results (and their temporary files) do not pile up.
QUEUE_PER_WORKER = 8


@dataclass
class ArticleOutcome:
    """What a step did to one article: results to report, files to commit, and the
    cache record to keep once they are committed (None: keep no record)."""

    results: list[ArticleResult]
    staged: list[StagedFile] = field(default_factory=list)
    record: dict[str, Any] | None = None
    seen: list[Seen] = field(default_factory=list)  # files read, for the content memo

    def stage(self, path: Path, data: bytes, expect: str | None = None,
              display: str | None = None, content: str | None = None) -> None:
        """Write new content for ``path`` to a temporary file, to be committed.
        ``content``: the digest of ``data``, when the caller has it."""
        self.staged.append(write_staged(path, data, expect=expect, display=display,
                                        content=content))

    def stage_if_changed(self, path: Path, data: bytes, display: str | None = None,
                         content: str | None = None) -> bool:
        """Stage ``data`` unless ``path`` already holds exactly that; True if staged."""
        try:
            if path.read_bytes() == data:
                return False
        except OSError:
            pass
        self.stage(path, data, display=display, content=content)
        return True

    def stage_removal(self, path: Path, display: str | None = None) -> bool:
        """Stage the removal of ``path`` if it exists; True if staged."""
        if not path.exists():
            return False
        self.staged.append(removal(path, display=display))
        return True

    def discard(self) -> None:
        """Remove the temporary files: the outcome will not be committed."""
        discard(self.staged)
        self.staged = []


Plan = tuple[str, ArticleOutcome | None, Any]  # (article, outcome if up to date, task)


def run_step(cache: StepCache, plans: Sequence[Plan], work: Callable[[Any], ArticleOutcome],
             jobs: int) -> list[ArticleResult]:
    """Do a step's work for every article not up to date, commit all the files in one
    transaction, and record what was done in the cache (saved by the caller).

    ``plans`` are in article order; each gives the outcome of an article that is up
    to date, or the task ``work`` needs to process it.
    """
    results: list[ArticleResult] = []
    seen: list[Seen] = []
    tasks = [task for _, done, task in plans if done is None]
    # With worker processes, this one mostly waits: it syncs their files meanwhile.
    in_workers = workers_for(jobs, len(tasks)) > 1
    with (contextlib.closing(run_articles(work, tasks, jobs)) as computed,
          Transaction(sync_early=in_workers) as tx):
        for slug, done, _ in plans:
            outcome = done if done is not None else next(computed)
            for staged in outcome.staged:
                tx.adopt(staged)
            cache.put(slug, outcome.record)
            results.extend(outcome.results)
            seen += outcome.seen
    # What was just read or written needs no reading again to be known by its hash.
    note_seen(seen)
    for path, content, mtime in tx.written:
        note_written(path, content, mtime)
    return results


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_jobs(cfg: Config, jobs: int | None) -> int:
    """Worker processes for a step: the argument, else the ``jobs`` setting, else one
    per core."""
    if jobs is None:
        jobs = cfg.jobs if cfg.jobs is not None else cpu_count()
    if jobs < 1:
        raise L10nError("jobs must be at least 1")
    return jobs


# The work function of a worker process, set once when the worker starts: sent with
# every task, it (and the whole configuration in it) was pickled per article.
_work: Callable[[Any], ArticleOutcome] | None = None


def _start_worker(work: Callable[[Any], ArticleOutcome]) -> None:
    global _work
    _work = work
    # Ctrl-C is the parent's to handle: it stops queueing, lets each worker finish its
    # article, and removes what they staged.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_task(task: Any) -> ArticleOutcome:
    assert _work is not None
    return _without_gc(_work, task)


def _without_gc(work: Callable[[T], ArticleOutcome], task: T) -> ArticleOutcome:
    """``work(task)`` with the cycle collector paused: an article makes hundreds of
    thousands of small objects (lxml proxies, segments, entries) and no cycles worth
    chasing meanwhile, and the collector's passes over them were 5-10 % of a merge.
    It runs again between articles, so memory stays as flat as before."""
    if not gc.isenabled():
        return work(task)
    gc.disable()
    try:
        return work(task)
    finally:
        gc.enable()


def workers_for(jobs: int, tasks: int) -> int:
    """The worker processes `run_articles` starts; 1 means it works in this process."""
    return 1 if jobs <= 1 or tasks <= 1 else min(jobs, tasks)


def run_articles(work: Callable[[T], ArticleOutcome], tasks: Sequence[T], jobs: int
                 ) -> Iterator[ArticleOutcome]:
    """``work(task)`` for every task, yielded in the order of ``tasks``.

    With one job (or one task) everything runs in this process. Otherwise ``work``
    and the tasks must be picklable (``work`` a module-level function or a partial of
    one). The first error in task order is raised; the outcomes of tasks still in
    flight are discarded, temporary files included. Close the iterator (use
    ``contextlib.closing``) so that this clean-up runs even when the caller stops early.
    """
    workers = workers_for(jobs, len(tasks))
    if workers <= 1:
        for task in tasks:
            yield _without_gc(work, task)
        return
    # Imported here: it loads multiprocessing, which a command with nothing to redo,
    # or with one job, never needs.
    from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

    pending: deque[Future[ArticleOutcome]] = deque()
    queue = iter(tasks)
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=(work,)) as pool:
        try:
            for task in islice(queue, workers * QUEUE_PER_WORKER):
                pending.append(pool.submit(_run_task, task))
            while pending:
                try:
                    outcome = pending.popleft().result()
                except BrokenProcessPool:
                    raise L10nError("a worker process stopped unexpectedly (out of memory?);"
                                    " nothing was changed") from None
                for task in islice(queue, 1):
                    pending.append(pool.submit(_run_task, task))
                yield outcome
        finally:
            for future in pending:
                future.cancel()
            for future in pending:
                if future.cancelled():
                    continue
                # Their errors do not matter: the first one is already on its way.
                with contextlib.suppress(Exception):
                    future.result().discard()
