"""``l10n review -i`` driven through a real pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pexpect
import polib
import pytest
from reviewkit import draft, entry, make_workspace, msgfmt_ok, po_path

import l10n
from l10n.config import load_config
from l10n.review import review_queue

TODAY = dt.date.today().isoformat()
PROMPT = "[a]pprove  [e]dit  [r]eject  [s]kip  [q]uit > "
ROOT = Path(l10n.__file__).resolve().parent.parent


@pytest.fixture()
def ws(tmp_path):
    return make_workspace(tmp_path)


def spawn(ws: Path, editor: str | None = None) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    env["PYTHONPATH"] = str(ROOT)
    if editor is not None:
        env["EDITOR"] = editor
    child = pexpect.spawn(sys.executable, ["-m", "l10n", "-C", str(ws), "review", "-i",
                                           "--by", "Ira"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))
    return child


def editor(tmp_path: Path, text: str) -> str:
    """An $EDITOR that writes the given text into the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text("import sys\n"
                      f"open(sys.argv[1], 'w', encoding='utf-8').write({text + chr(10)!r})\n",
                      encoding="utf-8")
    return f"{sys.executable} {script}"


def finish(child: pexpect.spawn) -> None:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_walk_and_quit_half_way(ws):
    draft(ws, "de")
    before = [it.source for it in review_queue(load_config(ws))]
    assert len(before) == 4
    child = spawn(ws)
    child.expect_exact("4 entries to review, as Ira")
    child.expect_exact("[1/4] de · bike-lanes")
    child.expect_exact("provenance")
    child.expect_exact("pseudo, 2026-01-10")
    child.expect_exact("Council backs new bike lanes")  # the source
    child.expect_exact("Stadtrat billigt neue Radwege")  # the draft
    child.expect_exact(PROMPT)
    child.send("a")
    child.expect_exact("approved, saved to locales/de/LC_MESSAGES/bike-lanes.po")
    # Saved at once: the file already holds the decision while the walk goes on.
    e = entry(polib.pofile(str(po_path(ws))), "Council")
    assert "fuzzy" not in e.flags and f"l10n-approved: Ira {TODAY}" in e.tcomment
    child.expect_exact("[2/4]")
    child.expect_exact(PROMPT)
    child.send("x")  # not a key: asked again
    child.expect_exact(PROMPT)
    child.send("r")
    child.expect_exact("rejected, saved to")
    child.expect_exact("[3/4]")
    child.expect_exact(PROMPT)
    child.send("s")
    child.expect_exact("[4/4]")
    child.expect_exact(PROMPT)
    child.send("q")
    child.expect_exact("approved 1, edited 0, rejected 1, skipped 1; 2 still in the review queue")
    finish(child)
    po = polib.pofile(str(po_path(ws)))
    assert entry(po, "The council").msgstr == ""
    assert f"l10n-rejected: Ira {TODAY}" in entry(po, "The council").tcomment
    assert [it.source for it in review_queue(load_config(ws))] == before[2:]
    assert msgfmt_ok(po_path(ws))


def test_editor_edit_that_breaks_placeholders_is_refused(ws, tmp_path):
    draft(ws, "de", only=("The council",))
    before = po_path(ws).read_bytes()
    child = spawn(ws, editor=editor(tmp_path, "Der Rat stimmte ab, ohne Link."))
    child.expect_exact("[1/1]")
    child.expect_exact(PROMPT)
    child.send("e")
    child.expect_exact("refused: placeholders do not match the source: missing placeholder"
                       " </a1>, <a1>; the entry stays in the queue")
    child.expect_exact(PROMPT)
    child.send("q")
    child.expect_exact("1 still in the review queue")
    finish(child)
    assert po_path(ws).read_bytes() == before
    [item] = review_queue(load_config(ws))
    assert item.source.startswith("The council") and item.draft.startswith("Der Rat stimmte")


def test_editor_edit_is_saved_and_approved(ws, tmp_path):
    draft(ws, "de", only=("Work",))
    child = spawn(ws, editor=editor(tmp_path, "Im <em1>Frühling</em1> beginnen die Arbeiten."))
    child.expect_exact(PROMPT)
    child.send("e")
    child.expect_exact("saved and approved in locales/de/LC_MESSAGES/bike-lanes.po")
    child.expect_exact("edited 1")
    finish(child)
    e = entry(polib.pofile(str(po_path(ws))), "Work")
    assert e.msgstr == "Im <em1>Frühling</em1> beginnen die Arbeiten."
    assert "fuzzy" not in e.flags
    assert e.tcomment.split("\n") == ["l10n-draft: pseudo 2026-01-10",
                                      f"l10n-approved: Ira {TODAY}"]
    assert review_queue(load_config(ws)) == []
    assert msgfmt_ok(po_path(ws))


def test_inline_edit_without_editor(ws):
    draft(ws, "de", only=("The council",))
    child = spawn(ws)
    child.expect_exact(PROMPT)
    child.send("e")
    child.expect_exact("new: ")
    child.sendline("Der Rat stimmte ab.")  # the link is gone: refused
    child.expect_exact("refused: placeholders do not match the source")
    child.expect_exact(PROMPT)
    child.send("e")
    child.expect_exact("new: ")
    child.sendline("Der Rat hat am Montag über <a1>den Plan</a1> abgestimmt.")
    child.expect_exact("saved and approved")
    child.expect_exact("0 still in the review queue")
    finish(child)
    e = entry(polib.pofile(str(po_path(ws))), "The council")
    assert e.msgstr == "Der Rat hat am Montag über <a1>den Plan</a1> abgestimmt."
    assert "fuzzy" not in e.flags
    assert msgfmt_ok(po_path(ws))


def test_keys_from_a_pipe_and_the_lock_only_while_deciding(ws):
    import subprocess

    from l10n.fsio import WorkspaceLock

    draft(ws)
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    env["PYTHONPATH"] = str(ROOT)
    # Another command holds the workspace while the reviewer reads: listing and
    # skipping need no lock, so the walk goes on; it ends at the end of input.
    with WorkspaceLock(ws, timeout=1):
        skipped = subprocess.run([sys.executable, "-m", "l10n", "-C", str(ws), "review", "-i",
                                  "--by", "Ira"], input="s\n", capture_output=True,
                                 text=True, env=env, timeout=60)
    assert skipped.returncode == 0, skipped.stderr
    assert "still in the review queue" in skipped.stdout
    approved = subprocess.run([sys.executable, "-m", "l10n", "-C", str(ws), "review", "-i",
                               "--by", "Ira"], input="a\nq\n", capture_output=True, text=True,
                              env=env, timeout=60)
    assert approved.returncode == 0, approved.stderr
    assert f"approved, saved to {po_path(ws).relative_to(ws).as_posix()}" in approved.stdout
    assert msgfmt_ok(po_path(ws))


def test_ctrl_c_keeps_the_decisions_made_and_says_so(ws):
    draft(ws, "de")
    child = spawn(ws)
    child.expect_exact("[1/4]")
    child.expect_exact(PROMPT)
    child.send("a")
    child.expect_exact("approved, saved to")
    child.expect_exact("[2/4]")
    child.expect_exact(PROMPT)
    child.sendintr()  # Ctrl-C at the prompt
    child.expect_exact("interrupted; approved 1, edited 0, rejected 0, skipped 0;"
                       " 3 still in the review queue")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert len(review_queue(load_config(ws))) == 3
    assert msgfmt_ok(po_path(ws))
