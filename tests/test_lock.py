"""The workspace lock: one writing command at a time; readers never wait."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, msgfmt_check, snapshot
from workspace_kit import article, make_workspace

from l10n.fsio import LOCK_NAME, WorkspaceLock, is_temp_file

WRITERS = [
    ("extract",),
    ("update",),
    ("translate",),
    ("merge", "--drafts"),
    ("sync",),
    ("review", "approve", "--lang", "de", "--by", "Rita"),
    ("review", "reject", "--lang", "de", "--by", "Rita"),
    ("review", "-i", "--by", "Rita"),
    ("approve", "news", "--lang", "de", "--by", "Rita"),
    ("unapprove", "news", "--lang", "de"),
]


def l10n(root: Path, *args: str, timeout: str = "0.3", stdin: str = ""
         ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), L10N_LOCK_TIMEOUT=timeout)
    return subprocess.run([sys.executable, "-m", "l10n", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, input=stdin, timeout=60)


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "ws", {"news": article("The city", "A short text.")})
    assert l10n(root, "translate").returncode == 0
    return root


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a[:2]) for a in WRITERS])
def test_a_second_writer_waits_then_fails_cleanly(ready: Path, args: tuple[str, ...]) -> None:
    before = snapshot(ready)
    with WorkspaceLock(ready, timeout=1):
        proc = l10n(ready, *args, stdin="a\na\nq\n")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0] == (f"error: {LOCK_NAME}: another l10n command (process {os.getpid()})"
                        " is writing to this workspace; waited 0.3 s; try again when it"
                        " has finished")
    assert snapshot(ready) == before


def test_readers_do_not_take_the_lock(ready: Path) -> None:
    with WorkspaceLock(ready, timeout=1):
        listing = l10n(ready, "review", "--format", "json")
        assert listing.returncode == 0, listing.stderr
        assert '"count": 2' in listing.stdout
        assert l10n(ready, "--help").returncode == 0


def test_the_lock_is_free_again_after_a_command(ready: Path) -> None:
    assert l10n(ready, "update").returncode == 0
    assert l10n(ready, "review", "approve", "--lang", "de", "--by", "Rita").returncode == 0
    # The test process gets the lock at once: the commands released it (even on exit).
    with WorkspaceLock(ready, timeout=0):
        pass
    failed = l10n(ready, "update", "--lang", "xx")
    assert failed.returncode == 2
    with WorkspaceLock(ready, timeout=0):
        pass
    msgfmt_check(ready / "locales/de/LC_MESSAGES/news.po")


def test_a_released_lock_lets_the_waiting_command_through(ready: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), L10N_LOCK_TIMEOUT="30")
    lock = WorkspaceLock(ready, timeout=1)
    lock.acquire()
    try:
        waiting = subprocess.Popen(
            [sys.executable, "-m", "l10n", "-C", str(ready), "review", "approve", "--lang",
             "de", "--by", "Rita"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env)
        # The command cannot finish while the lock is held, however long it runs.
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=1.5)
    finally:
        lock.release()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "approved 2 of 2 entries as Rita" in out


def test_lock_timeout_must_be_a_number(ready: Path) -> None:
    proc = l10n(ready, "update", timeout="soon")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: L10N_LOCK_TIMEOUT must be a number of seconds"
                                   " (0 or more), not 'soon'")


def test_leftover_temp_files_are_swept_under_the_lock(ready: Path) -> None:
    folder = ready / "locales/de/LC_MESSAGES"
    leftover = folder / ".news.po.l10n-ab12cd34.tmp"
    # What a command killed while writing leaves: a temporary file, and the lock file
    # still naming it (a command that ends normally marks the lock released, and the
    # next one then has nothing to sweep).
    leftover.write_bytes(b"half a catalog")
    (ready / ".l10n.lock").write_text("999999\n")
    foreign = folder / ".news.po.mine.tmp"  # not ours: never touched
    foreign.write_bytes(b"a user's file")
    assert is_temp_file(leftover.name) and not is_temp_file(foreign.name)
    # A reader leaves it alone (it does not hold the lock, someone may be writing).
    assert l10n(ready, "review").returncode == 0
    assert leftover.exists()
    assert l10n(ready, "update").returncode == 0
    assert not leftover.exists()
    assert foreign.read_bytes() == b"a user's file"


def test_after_a_normal_end_the_lock_says_released(ready: Path) -> None:
    assert l10n(ready, "update").returncode == 0
    assert (ready / ".l10n.lock").read_text() == "released\n"
    proc = l10n(ready, "update", "--lang", "xx")  # fails: the next command sweeps
    assert proc.returncode != 0
    assert (ready / ".l10n.lock").read_text() != "released\n"
