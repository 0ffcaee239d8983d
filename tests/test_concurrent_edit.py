"""A PO file saved by a translator (in Poedit, say) between l10n's read and l10n's
write is never overwritten: the command fails and names the file, or, for
`translate`, re-reads it and applies its drafts to the new content.

To get the translator's save into that window every time, the command runs under
`strace`, which stops it (SIGSTOP) at its first fsync: the catalogs are read and the
new content is computed and being written to a temporary file, nothing is renamed
yet. The test saves the catalog as a translator would, then lets the command go on.
(strace counts calls per thread: a command syncing files in several threads stops
once in each, and the test lets each of those stops go on.)
Nothing of l10n is patched.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, snapshot
from workspace_kit import article, catalog, catalog_path, entry_for, make_workspace, msgfmt_ok

from l10n.catalog import render_catalog
from l10n.fsio import is_temp_file

pytestmark = pytest.mark.skipif(
    shutil.which("strace") is None or sys.platform != "linux",
    reason="needs strace (Linux) to stop the command between its read and its write")

PO = "locales/de/LC_MESSAGES/news.po"
CHANGED = (f"error: {PO}: changed on disk while l10n was working on it; not overwritten"
           " (run the command again)")


def l10n(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "l10n", "-C", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=60)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def run_with_a_save_in_between(root: Path, args: tuple[str, ...], save, at_fsync: int = 1,
                               syscall: str = "fsync"
                               ) -> tuple[subprocess.CompletedProcess[str], bytes]:
    """Run l10n, stop it at its first write (or the ``at_fsync``-th call of ``syscall``),
    call ``save()`` (the translator), let it finish. Returns the finished process and
    what the translator saved."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscall}",
           "-e", f"inject={syscall}:signal=SIGSTOP:when={at_fsync}",
           sys.executable, "-m", "l10n", "-C", str(root), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        child = None
        stopped = 0
        while time.monotonic() < deadline and proc.poll() is None and stopped < 5:
            kids = _children(proc.pid)
            # Stopped, with its first temporary file written, and staying stopped: the
            # SIGSTOP at the fsync, not one of the brief stops at each system call.
            if (kids and _state(kids[0]) in ("t", "T")
                    and any(is_temp_file(p.name) for p in root.rglob("*"))):
                child = kids[0]
                stopped += 1
            else:
                stopped = 0
            time.sleep(0.01)
        assert child is not None and stopped == 5, "the command did not stop at its write"
        saved = save()
        # strace counts system calls per thread: each thread that syncs a file is
        # stopped at its own first fsync. Let every one of them go on.
        while proc.poll() is None and time.monotonic() < deadline + 60:
            if _state(child) in ("t", "T") or any(
                    _state(kid) in ("t", "T") for kid in _children(child)):
                os.killpg(proc.pid, signal.SIGCONT)  # the command and its workers
            time.sleep(0.01)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), saved


def translator_sets(root: Path, msgid_start: str, msgstr: str, lang: str = "de") -> bytes:
    """What a PO editor does: the translation set, fuzzy cleared, the file saved."""
    po = catalog(root, lang, "news")
    entry = entry_for(po, msgid_start)
    entry.msgstr = msgstr
    entry.flags = [f for f in entry.flags if f != "fuzzy"]
    entry.previous_msgid = None
    data = render_catalog(po)
    catalog_path(root, lang, "news").write_bytes(data)
    return data


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", {"news": article(
        "The city", "Rain is expected tomorrow.", "The council meets on Monday.")})


def assert_refused(root: Path, proc: subprocess.CompletedProcess[str], saved: bytes,
                   before: dict[str, bytes]) -> None:
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == CHANGED
    assert "Traceback" not in proc.stderr
    assert (root / PO).read_bytes() == saved  # the translator's file, as they saved it
    expected = dict(before, **{PO: saved})
    assert snapshot(root) == expected  # nothing else written, no temporary file left
    assert msgfmt_ok(root / PO) == ""


def test_update_does_not_overwrite_a_save_made_meanwhile(ws: Path) -> None:
    # The source changes, so update has something to write.
    (ws / "source/news.html").write_text(article(
        "The city", "Rain is expected tomorrow!", "The council meets on Monday."))
    assert l10n(ws, "extract").returncode == 0
    before = snapshot(ws)
    proc, saved = run_with_a_save_in_between(
        ws, ("update",), lambda: translator_sets(ws, "The council", "Der Rat tagt am Montag."))
    assert_refused(ws, proc, saved, before)
    # Run again: the translator's work is merged in, nothing lost.
    assert l10n(ws, "update").returncode == 0
    assert entry_for(catalog(ws, "de", "news"), "The council").msgstr == (
        "Der Rat tagt am Montag.")


def test_review_approve_does_not_overwrite_a_save_made_meanwhile(ws: Path) -> None:
    assert l10n(ws, "translate").returncode == 0
    before = snapshot(ws)
    proc, saved = run_with_a_save_in_between(
        ws, ("review", "approve", "--lang", "de", "--by", "Rita"),
        lambda: translator_sets(ws, "Rain", "Morgen regnet es."))
    assert_refused(ws, proc, saved, before)
    po = catalog(ws, "de", "news")
    assert entry_for(po, "Rain").msgstr == "Morgen regnet es."
    assert "fuzzy" in entry_for(po, "The council").flags  # not approved: nothing written


def test_version_approval_does_not_overwrite_a_save_made_meanwhile(ws: Path) -> None:
    assert l10n(ws, "translate").returncode == 0
    assert l10n(ws, "review", "approve", "--lang", "de", "--by", "Rita").returncode == 0
    before = snapshot(ws)
    proc, saved = run_with_a_save_in_between(
        ws, ("approve", "news", "--lang", "de", "--by", "Rita"),
        lambda: translator_sets(ws, "Rain", "Morgen regnet es."))
    assert_refused(ws, proc, saved, before)
    assert "X-L10n-Approved-By" not in (ws / PO).read_text(encoding="utf-8")


def test_unapprove_does_not_overwrite_a_save_made_meanwhile(ws: Path) -> None:
    assert l10n(ws, "translate").returncode == 0
    assert l10n(ws, "review", "approve", "--lang", "de", "--by", "Rita").returncode == 0
    assert l10n(ws, "approve", "news", "--lang", "de", "--by", "Rita").returncode == 0
    before = snapshot(ws)
    proc, saved = run_with_a_save_in_between(
        ws, ("unapprove", "news", "--lang", "de"),
        lambda: translator_sets(ws, "Rain", "Morgen regnet es."))
    assert_refused(ws, proc, saved, before)


def test_translate_rereads_a_save_made_meanwhile_and_keeps_it(ws: Path) -> None:
    proc, _ = run_with_a_save_in_between(
        ws, ("translate",), lambda: translator_sets(ws, "Rain", "Morgen regnet es."))
    assert proc.returncode == 0, proc.stderr
    assert "changed on disk meanwhile; re-read, drafts applied to the new content" in (
        proc.stderr)
    po = catalog(ws, "de", "news")
    kept = entry_for(po, "Rain")
    assert kept.msgstr == "Morgen regnet es." and "fuzzy" not in kept.flags
    drafted = entry_for(po, "The council")
    assert drafted.msgstr.startswith("[Ŧĥê") and "fuzzy" in drafted.flags
    assert not [p for p in ws.rglob("*") if is_temp_file(p.name)]
    assert msgfmt_ok(ws / PO) == ""


def test_a_save_while_workers_still_run_is_not_overwritten(tmp_path: Path) -> None:
    # Two articles, two worker processes: the parent syncs the first catalogs in the
    # background while the workers make the others, and is stopped at that first
    # sync. The translator's save must still be found before anything is renamed.
    ws = make_workspace(tmp_path / "ws", {
        "news": article("The city", "Rain is expected tomorrow.", "The council meets."),
        "sport": article("The match", "The team won.")})
    for slug in ("news", "sport"):
        path = ws / "source" / f"{slug}.html"
        path.write_text(path.read_text().replace(".</p>", "!</p>"))
    assert l10n(ws, "extract").returncode == 0
    before = snapshot(ws)
    proc, saved = run_with_a_save_in_between(
        ws, ("update", "--jobs", "2"),
        lambda: translator_sets(ws, "The city", "Die Stadt"))
    assert_refused(ws, proc, saved, before)


def test_a_save_during_the_renames_of_a_batch_is_not_overwritten(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {"news": article("The city", "Rain is expected.")},
                        languages=("de", "fr"))
    (ws / "source/news.html").write_text(article("The city", "Rain is expected!"))
    assert l10n(ws, "extract").returncode == 0
    before = snapshot(ws)
    # Stopped as it renames the first catalog (de) into place: the translator saves the
    # second one (fr) right then, before its rename.
    proc, saved = run_with_a_save_in_between(
        ws, ("update",), lambda: translator_sets(ws, "The city", "La ville", lang="fr"),
        at_fsync=1, syscall="rename")
    assert proc.returncode == 1
    assert proc.stderr.strip() == CHANGED.replace("/de/", "/fr/")
    fr = "locales/fr/LC_MESSAGES/news.po"
    after = snapshot(ws)
    assert after[fr] == saved
    assert after[PO] != before[PO]  # de was renamed into place before the save
    assert entry_for(catalog(ws, "de", "news"), "Rain is expected!").msgstr == ""
    assert set(after) == set(before)  # no temporary file left
    for rel in (PO, fr):
        assert msgfmt_ok(ws / rel) == ""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_disk_error_while_syncing_leaves_every_file_as_it_was(tmp_path: Path, jobs: str
                                                                ) -> None:
    # Files are synced all at once before the renames (one job), or in the background
    # while workers make the others (two jobs); a failed sync (here every thread's
    # first fsync fails with EIO) must stop the whole batch before its first rename,
    # with one line naming a file.
    ws = make_workspace(tmp_path / "ws", {
        "news": article("The city", "Rain is expected."),
        "sport": article("The match", "The team won."),
    }, languages=("de", "fr"))
    for slug in ("news", "sport"):
        path = ws / "source" / f"{slug}.html"
        path.write_text(path.read_text().replace(".</p>", "!</p>"))
    assert l10n(ws, "extract").returncode == 0
    before = snapshot(ws)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync",
         "-e", "inject=fsync:error=EIO:when=1", sys.executable, "-m", "l10n", "-C", str(ws),
         "update", "--jobs", jobs], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert re.fullmatch(r"error: locales/(de|fr)/LC_MESSAGES/(news|sport)\.po: cannot write:"
                        r" Input/output error\n", proc.stderr), proc.stderr
    assert snapshot(ws) == before  # nothing renamed, no temporary file left
