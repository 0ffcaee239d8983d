"""Atomic writes, tested by killing: l10n commands are SIGKILLed at random moments, many
times, and every file must then be exactly as it was or exactly as a complete run
leaves it; nothing half-written, nothing a later run could trip over.

The workload runs on a simulated slow disk where `strace` is available: every fsync
takes 5 ms longer (fault injection, no change to l10n), so the writing phases are
long enough for random kills to land in them, between a temporary file's write and
its rename, and between the renames of one batch.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CORPUS, REPO
from workspace_kit import msgfmt_ok

from l10n.catalog import parse_catalog
from l10n.fsio import LOCK_NAME, is_temp_file
from l10n.segment import parse_html

ARTICLES = ("nhk.or.jp.k100", "xinhuanet.com.c_1125597921", "dw.com-elephants",
            "world.kbs.co.kr-Temperatures", "assabah.com.tn.article", "winfuture.de-NASA",
            "lastampa.it.temperature", "elpais.com.ciencia")
# Each step is killed while it runs; the state it starts from is what the steps before
# it leave. One pseudo batch per language pair: each catalog is written once per run.
STEPS = (("update",), ("translate",), ("review", "approve", "--lang", "fr", "--by", "Rita"),
         ("merge", "--drafts"))
KILLS_PER_STEP = 12
WORKERS = 3  # the killed commands mostly wait for the slow disk: run a few at once
SEED = int(os.environ.get("L10N_KILL_SEED", "7"))
# Globs l10n reads files by: a leftover temporary file must never match one.
READ_GLOBS = ("*.po", "*.pot", "*.html", "*.toml")
# Dates a run writes that a later run writes differently: not part of the comparison.
_DATES = [(re.compile(rb'"PO-Revision-Date: [^"\\]*\\n"'), b'"PO-Revision-Date: X\\n"'),
          (re.compile(rb"(# l10n-(?:draft|approved): \S+ )\d{4}-\d{2}-\d{2}"), rb"\1DATE")]


def _slow_disk_works() -> bool:
    if shutil.which("strace") is None:
        return False
    probe = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync",
                            "-e", "inject=fsync:delay_exit=1", "true"], capture_output=True)
    return probe.returncode == 0


SLOW_DISK = (["strace", "-f", "-qq", "--seccomp-bpf", "-o", "/dev/null", "-e", "trace=fsync",
              "-e", "inject=fsync:delay_exit=5000"] if _slow_disk_works() else [])


def command(root: Path, step: tuple[str, ...]) -> list[str]:
    return [*SLOW_DISK, sys.executable, "-m", "l10n", "-C", str(root), *step]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), L10N_LOCK_TIMEOUT="10")


def files(root: Path) -> dict[str, bytes]:
    """The workspace's files (but the lock file), dates blanked out. The cache's own
    records hold digests of dated files, so only their presence is compared (a
    temporary file left beside them still shows)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != LOCK_NAME:
            data = path.read_bytes()
            if path.parent.name == ".l10n-cache" and path.name.endswith(".json"):
                data = b"(cache record)"
            for pattern, blank in _DATES:
                data = pattern.sub(blank, data)
            out[path.relative_to(root).as_posix()] = data
    return out


def check_valid(root: Path, rel: str) -> None:
    """A file as l10n and GNU gettext read it."""
    path = root / rel
    if rel.endswith((".po", ".pot")):
        parse_catalog(path.read_bytes(), rel)
        assert msgfmt_ok(path) == "", rel
    elif rel.endswith(".html"):
        parse_html(path.read_bytes(), rel)


@dataclass
class Stage:
    folder: Path  # a copy of the workspace before the step
    before: dict[str, bytes]
    after: dict[str, bytes]
    seconds: float  # how long an uninterrupted run takes

    @property
    def changing(self) -> int:
        """How many files the step writes."""
        return sum(1 for rel, data in self.after.items() if self.before.get(rel) != data)


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> list[Stage]:
    base = tmp_path_factory.mktemp("kill")
    root = base / "ws"
    (root / "source").mkdir(parents=True)
    for slug in ARTICLES:
        shutil.copy(CORPUS / "trafilatura" / f"{slug}.html", root / "source")
    (root / "l10n.toml").write_text(
        'source_language = "en"\nlanguages = ["es", "fr"]\nengine = "pseudo"\n'
        "[engines.pseudo]\nbatch_size = 100000\n", encoding="utf-8")
    assert subprocess.run(command(root, ("extract",)), env=env(),
                          capture_output=True).returncode == 0
    result = []
    for n, step in enumerate(STEPS):
        folder = base / f"before-{n}"
        shutil.copytree(root, folder)
        before = files(root)
        start = time.monotonic()
        done = subprocess.run(command(root, step), env=env(), capture_output=True, text=True)
        seconds = time.monotonic() - start
        assert done.returncode == 0, done.stderr
        after = files(root)
        assert after != before, f"{step} changed nothing"
        for rel in after:
            check_valid(root, rel)
        result.append(Stage(folder, before, after, seconds))
    return result


@dataclass
class Kill:
    step: int
    delay: float
    finished: bool = False  # the command was done before the kill came
    changed: int = 0  # files already in their new state
    temp_files: int = 0  # temporary files left behind


def kill_once(stage: Stage, step: tuple[str, ...], work: Path, delay: float,
              after_first_rename: bool = False) -> Kill:
    """Run the step on a fresh copy of its starting state, SIGKILL it after ``delay``
    seconds (counted from the first file renamed into place, if asked), and check
    every file."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(stage.folder, work)
    targets = [work / rel for rel in stage.after if stage.after[rel] != stage.before.get(rel)]
    initial = [_identity(path) for path in targets]
    proc = subprocess.Popen(command(work, step), env=env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    if after_first_rename:
        # Watch the files the step replaces; the first new inode means the renames began.
        while proc.poll() is None and [_identity(p) for p in targets] == initial:
            time.sleep(0.001)
    time.sleep(delay)
    finished = proc.poll() is not None
    # The whole group: strace and the l10n process under it die together.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    wait_for_group(proc.pid)
    return check_state(stage, work, Kill(STEPS.index(step), delay, finished))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def wait_for_group(pgid: int) -> None:
    """Until no live process of the group is left (orphaned zombies write nothing)."""
    for _ in range(1000):
        alive = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive = True
                break
        if not alive:
            return
        time.sleep(0.005)
    raise AssertionError(f"process group {pgid} survived SIGKILL")


def check_state(stage: Stage, root: Path, kill: Kill) -> Kill:
    now = files(root)
    for rel in now:
        name = rel.rsplit("/", 1)[-1]
        if is_temp_file(name):
            kill.temp_files += 1
            assert not any(fnmatch.fnmatch(name, g) for g in READ_GLOBS), rel
            continue
        assert rel in stage.before or rel in stage.after, f"unexpected file {rel}"
    for rel in set(stage.before) | set(stage.after):
        state = now.get(rel)
        old, new = stage.before.get(rel), stage.after.get(rel)
        assert state in (old, new), f"{rel} is neither as it was nor as it should become"
        if state != old:
            kill.changed += 1
            check_valid(root, rel)
    return kill


@pytest.mark.skipif(sys.platform != "linux", reason="kills process groups, reads /proc")
def test_killed_commands_leave_every_file_old_or_new(stages: list[Stage], tmp_path: Path
                                                     ) -> None:
    rng = random.Random(SEED)
    # Half the kills at any moment of the run, half amid its renames.
    plan = [(n, rng.uniform(0.0, 1.2) * stages[n].seconds, False)
            for n in range(len(STEPS)) for _ in range(KILLS_PER_STEP // 2)]
    plan += [(n, rng.uniform(0.0, 0.04), True)
             for n in range(len(STEPS)) for _ in range(KILLS_PER_STEP - KILLS_PER_STEP // 2)]
    rng.shuffle(plan)

    def worker(w: int) -> list[Kill]:
        work = tmp_path / f"w{w}"
        return [kill_once(stages[n], STEPS[n], work, delay, renames)
                for n, delay, renames in plan[w::WORKERS]]

    with ThreadPoolExecutor(WORKERS) as pool:
        kills = [k for done in pool.map(worker, range(WORKERS)) for k in done]
    assert len(kills) == len(STEPS) * KILLS_PER_STEP
    interrupted = [k for k in kills if not k.finished]
    # Kills landed before any write, amid the writes, and with temporary files about
    # (on a normal disk the writing moments are too short to be sure to hit them).
    assert any(k.changed == 0 for k in interrupted)
    if SLOW_DISK:
        assert any(k.temp_files for k in interrupted)
        assert any(0 < k.changed < stages[k.step].changing for k in interrupted), (
            "no kill landed between two renames")
    summary = {s[0]: [(round(k.delay, 2), k.changed, k.temp_files) for k in kills
                      if STEPS[k.step] == s] for s in STEPS}
    print("kills (delay, files changed, temp files):", summary)


@pytest.mark.skipif(sys.platform != "linux", reason="kills process groups")
@pytest.mark.parametrize("n", range(len(STEPS)), ids=[s[0] for s in STEPS])
def test_a_run_after_a_kill_finishes_the_job_and_sweeps(stages: list[Stage], tmp_path: Path,
                                                        n: int) -> None:
    stage = stages[n]
    work = tmp_path / "ws"
    # Kill it late, when temporary files are most likely about; then run it again.
    kill_once(stage, STEPS[n], work, 0.8 * stage.seconds)
    # For sure, whether or not the kill came before the command ended: a temporary
    # file, and the lock as a killed holder leaves it (naming its process, not
    # "released"), which is what tells the next command to sweep.
    (work / "locales" / ".x.po.l10n-zzzzzzzz.tmp").write_bytes(b"msgid ")
    (work / ".l10n.lock").write_text("999999\n")
    again = subprocess.run(command(work, STEPS[n]), env=env(), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert files(work) == stage.after  # no temporary file left, everything as it should be
