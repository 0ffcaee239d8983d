"""`l10n translate` on real workspaces: drafts, provenance, translation memory, request
counts against a loopback LibreTranslate server, resuming, and what is never touched."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from libre_server import LibreServer
from workspace_kit import (
    all_catalogs,
    article,
    catalog,
    catalog_path,
    entry_for,
    libre_config,
    make_workspace,
    msgfmt_ok,
    run,
)

from l10n.catalog import render_catalog
from l10n.config import load_config
from l10n.translate import TranslateProgress, draft_fingerprint, translate

TODAY = dt.date.today().isoformat()

ARTICLES = {
    "council": article("The city council votes",
                       'Read <a href="/r">the <em>full</em> report</a> here.',
                       "The vote was close.",
                       "Bus fares stay the same."),
    "harbour": article("Harbour news",
                       "The vote was close.",
                       "Ships arrive at dawn <br> and leave at dusk."),
}


@pytest.fixture
def libre():
    with LibreServer() as server:
        yield server


def libre_workspace(tmp_path: Path, server: LibreServer, languages=("de",), articles=None,
                    **options: object) -> Path:
    return make_workspace(tmp_path / "ws", articles or ARTICLES, languages=languages,
                          engine="libre", extra=libre_config(server.url, **options))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in all_catalogs(root)}


def assert_catalogs_valid(root: Path) -> None:
    for path in all_catalogs(root):
        assert msgfmt_ok(path) == "", path


def set_translation(root: Path, lang: str, slug: str, msgid_start: str, msgstr: str,
                    fuzzy: bool = False, comment: str = "") -> None:
    """What a translator does in a PO editor."""
    po = catalog(root, lang, slug)
    entry = entry_for(po, msgid_start)
    entry.msgstr = msgstr
    entry.flags = ["fuzzy"] if fuzzy else []
    entry.tcomment = comment
    catalog_path(root, lang, slug).write_bytes(render_catalog(po))


def draft_line(origin: str, msgstr: str) -> str:
    """The provenance line translate writes for a draft (docs/conventions.md)."""
    return f"l10n-draft: {origin} {TODAY} {draft_fingerprint(msgstr)}"


def summary_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("drafts:"))


# ---------------------------------------------------------------------- drafts


def test_pseudo_drafts_every_empty_entry(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", ARTICLES, languages=("de", "ar", "pt_BR"))
    result = run(root, "translate")
    assert result.exit_code == 0, result.output
    total = 0
    for path in all_catalogs(root):
        po = catalog(root, path.parent.parent.name, path.stem)
        for entry in po:
            total += 1
            assert entry.msgstr.startswith("[") and entry.msgstr.endswith("~]")
            assert entry.flags == ["fuzzy"]
            assert entry.tcomment == draft_line("pseudo", entry.msgstr)
    assert total == 3 * (4 + 3)
    link = entry_for(catalog(root, "de", "council"), "Read")
    assert link.msgstr.startswith("[Ŕêåð <a1>ţĥê <em2>ƒûļļ</em2> ŕêþöŕţ</a1> ĥêŕê.")
    # "The vote was close." occurs in both articles: drafted in both.
    assert entry_for(catalog(root, "ar", "harbour"), "The vote").msgstr.startswith("[Ŧĥê")
    assert summary_line(result.output).startswith(f"drafts: {total} (pseudo {total},")
    assert_catalogs_valid(root)


def test_second_run_changes_nothing_and_asks_nothing(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, languages=("de", "fr"))
    first = run(root, "translate")
    assert first.exit_code == 0, first.output
    assert libre.translate_requests > 0
    before = snapshot(root)
    libre.reset_counts()
    second = run(root, "translate")
    assert second.exit_code == 0, second.output
    assert libre.translate_requests == 0 and libre.language_requests == 0
    assert snapshot(root) == before
    assert "drafts: 0 " in summary_line(second.output)
    assert_catalogs_valid(root)


def test_identical_segments_are_sent_once(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre)
    result = run(root, "translate")
    assert result.exit_code == 0, result.output
    assert libre.texts.count("The vote was close.") == 1
    # Distinct source texts: 4 + 3 entries, one shared, "title" and "h1" share an entry.
    assert libre.translate_requests == len(set(libre.texts)) == 6
    for slug in ("council", "harbour"):
        entry = entry_for(catalog(root, "de", slug), "The vote")
        assert entry.msgstr == "[de] die vote was close."
        assert entry.tcomment == draft_line("libre", entry.msgstr)
    assert "6 engine requests" in summary_line(result.output)


def test_placeholders_survive_the_engine(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre)
    assert run(root, "translate").exit_code == 0
    link = entry_for(catalog(root, "de", "council"), "Read")
    assert link.msgstr == "[de] lies <a1>die <em2>full</em2> Bericht</a1> here."
    br = entry_for(catalog(root, "de", "harbour"), "Ships")
    assert br.msgstr == "[de] Ships arrive at dawn <br1/> und leave at dusk."
    assert "⟦0⟧" in " ".join(libre.texts)  # what the engine saw: tokens, not tags


@pytest.mark.parametrize("action", ["drop-tokens", "mangle-tokens"])
def test_broken_placeholders_are_kept_as_drafts_with_a_warning(tmp_path: Path, libre,
                                                               action: str) -> None:
    root = libre_workspace(tmp_path, libre, articles={"council": ARTICLES["council"]})
    libre.script("ok", action)  # the title, then the paragraph with the link
    result = run(root, "translate")
    assert result.exit_code == 0, result.output
    entry = entry_for(catalog(root, "de", "council"), "Read")
    assert "<a1>" not in entry.msgstr and entry.msgstr.startswith("[de] lies ")
    assert "fuzzy" in entry.flags
    lines = entry.tcomment.split("\n")
    assert lines[0] == draft_line("libre", entry.msgstr)
    assert lines[1].startswith("l10n-warning: placeholders do not match: missing")
    assert "1 placeholder warnings" in summary_line(result.output)
    assert "council.po" in result.stderr and "placeholders do not match" in result.stderr
    assert_catalogs_valid(root)
    # Merge never builds broken HTML from it: the source text is used instead.
    merged = run(root, "merge", "--drafts")
    assert merged.exit_code == 0, merged.output
    page = (root / "build" / "de" / "council.html").read_text(encoding="utf-8")
    assert '<a href="/r">the <em>full</em> report</a>' in page
    assert "[de] Bus fares stay die same." in page


def test_untrusted_output_never_corrupts_a_catalog(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, articles={"council": ARTICLES["council"]})
    libre.script("control", "long", "empty", "no-field")
    result = run(root, "translate")
    assert result.exit_code == 1  # three entries could not be drafted
    po = catalog(root, "de", "council")
    title = entry_for(po, "The city")
    assert title.msgstr == "[de] die Stadt Rat votes[31m"  # control bytes gone
    assert sum(1 for e in po if not e.msgstr) == 3
    assert "3 failed" in summary_line(result.output)
    assert result.stderr.count("left empty") == 3
    assert_catalogs_valid(root)
    # The failed entries are simply still empty: the next run fills them.
    libre.reset_counts()
    again = run(root, "translate")
    assert again.exit_code == 0 and libre.translate_requests == 3


# ------------------------------------------------------------ translation memory


def test_approved_translation_is_reused_without_a_request(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre)
    set_translation(root, "de", "council", "The vote", "Die Abstimmung war knapp.")
    result = run(root, "translate")
    assert result.exit_code == 0, result.output
    assert "The vote was close." not in libre.texts
    entry = entry_for(catalog(root, "de", "harbour"), "The vote")
    assert entry.msgstr == "Die Abstimmung war knapp."
    assert entry.flags == ["fuzzy"]  # still a draft: reviewed in its new article
    assert entry.tcomment == draft_line("tm", entry.msgstr)
    # The approved original is untouched.
    original = entry_for(catalog(root, "de", "council"), "The vote")
    assert original.flags == [] and original.tcomment == ""
    assert "memory 1," in summary_line(result.output)


def test_drafts_are_not_translation_memory(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre)
    set_translation(root, "de", "council", "The vote", "Entwurf", fuzzy=True)
    assert run(root, "translate").exit_code == 0
    assert libre.texts.count("The vote was close.") == 1
    assert entry_for(catalog(root, "de", "harbour"), "The vote").msgstr != "Entwurf"


def test_similar_approved_segment_is_offered_with_its_score(tmp_path: Path, libre) -> None:
    articles = {"a": article("Harbour news", "The city council approved the new plan."),
                "b": article("Other news", "The city council approved the new plans.",
                             'Read <a href="/x">the report</a> now.',
                             "Read the report now!")}
    root = libre_workspace(tmp_path, libre, articles=articles)
    set_translation(root, "de", "a", "The city", "Der Stadtrat billigte den neuen Plan.")
    set_translation(root, "de", "b", "Read <a1>", "Lies <a1>den Bericht</a1> jetzt.")
    libre.reset_counts()
    result = run(root, "translate")
    assert result.exit_code == 0, result.output
    po = catalog(root, "de", "b")
    similar = entry_for(po, "The city")
    assert similar.msgstr == "Der Stadtrat billigte den neuen Plan."
    assert similar.tcomment == draft_line("tm~99", similar.msgstr)
    assert "The city council approved the new plans." not in libre.texts
    # Close in text, but the match's translation has a link the new source lacks.
    other = entry_for(po, "Read the report now!")
    assert other.tcomment == draft_line("libre", other.msgstr)
    assert "similar 1)" in summary_line(result.output)


def test_similarity_threshold_comes_from_the_config(tmp_path: Path, libre) -> None:
    articles = {"a": article("Harbour news", "The city council approved the new plan."),
                "b": article("Other news", "The city council approved a budget.")}
    root = libre_workspace(tmp_path, libre, articles=articles)
    set_translation(root, "de", "a", "The city", "Der Stadtrat billigte den neuen Plan.")
    toml = root / "l10n.toml"
    toml.write_text("tm_min_score = 95\n" + toml.read_text())
    assert run(root, "translate").exit_code == 0
    entry = entry_for(catalog(root, "de", "b"), "The city")
    assert entry.tcomment == draft_line("libre", entry.msgstr)
    toml.write_text(toml.read_text().replace("tm_min_score = 95", "tm_min_score = 60"))
    assert run(root, "translate", "--redo-drafts").exit_code == 0
    entry = entry_for(catalog(root, "de", "b"), "The city")
    assert re.fullmatch(rf"l10n-draft: tm~\d\d {TODAY} sha256:[0-9a-f]{{12}}", entry.tcomment)


# ------------------------------------------------------------ human work is sacred


def test_translations_are_never_overwritten(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, articles={"council": ARTICLES["council"]})
    set_translation(root, "de", "council", "The vote", "Knapp war es.")
    set_translation(root, "de", "council", "Bus fares", "Fahrpreise: unverändert (Entwurf)",
                    fuzzy=True, comment="checked with the desk")
    for args in (("translate",), ("translate", "--redo-drafts")):
        assert run(root, *args).exit_code == 0
        po = catalog(root, "de", "council")
        assert entry_for(po, "The vote").msgstr == "Knapp war es."
        assert entry_for(po, "The vote").flags == []
        fares = entry_for(po, "Bus fares")
        assert fares.msgstr == "Fahrpreise: unverändert (Entwurf)"
        assert fares.tcomment == "checked with the desk"
    assert "The vote was close." not in libre.texts
    assert "Bus fares stay the same." not in libre.texts


def test_redo_drafts_replaces_only_untouched_drafts(tmp_path: Path, libre) -> None:
    articles = {"a": article("Title here", "One.", "Two.", "Three.", "Four.")}
    root = libre_workspace(tmp_path, libre, articles=articles)
    assert run(root, "translate", "--engine", "pseudo").exit_code == 0
    po = catalog(root, "de", "a")
    pseudo = {e.msgid: e.msgstr for e in po}
    # Approved in review; approved by clearing fuzzy in an editor; rejected.
    set_translation(root, "de", "a", "Two.", entry_for(po, "Two.").msgstr,
                    comment=f"l10n-draft: pseudo {TODAY}\nl10n-approved: ana {TODAY}")
    set_translation(root, "de", "a", "Three.", entry_for(po, "Three.").msgstr,
                    comment=f"l10n-draft: pseudo {TODAY}")
    set_translation(root, "de", "a", "Four.", entry_for(po, "Four.").msgstr, fuzzy=True,
                    comment=f"l10n-draft: pseudo {TODAY}\nl10n-rejected: ana {TODAY}")
    plain = run(root, "translate")
    assert plain.exit_code == 0 and libre.translate_requests == 0
    redo = run(root, "translate", "--redo-drafts")
    assert redo.exit_code == 0, redo.output
    assert sorted(libre.texts) == ["One.", "Title here"]
    po = catalog(root, "de", "a")
    assert entry_for(po, "One.").msgstr == "[de] One."
    assert entry_for(po, "One.").tcomment == draft_line("libre", "[de] One.")
    for kept in ("Two.", "Three.", "Four."):
        assert entry_for(po, kept).msgstr == pseudo[kept]
    assert "3 already done" in summary_line(redo.output)
    assert_catalogs_valid(root)


def test_rejected_drafts_are_not_drafted_again(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, articles={"a": article("Title", "One.")})
    # What a reviewer's rejection leaves: no text, the decision recorded.
    set_translation(root, "de", "a", "One.", "", comment=f"l10n-rejected: ana {TODAY}")
    for args in (("translate",), ("translate", "--redo-drafts")):
        result = run(root, *args)
        assert result.exit_code == 0, result.output
        assert "1 rejected before" in summary_line(result.output)
    assert "One." not in libre.texts and "Title" in libre.texts
    entry = entry_for(catalog(root, "de", "a"), "One.")
    assert entry.msgstr == "" and entry.tcomment == f"l10n-rejected: ana {TODAY}"


def test_redo_drafts_keeps_an_edit_left_fuzzy(tmp_path: Path, libre) -> None:
    # Regression: a translator who improved a draft in a PO editor but left it fuzzy
    # (and the comments alone) lost the edit to --redo-drafts.
    root = libre_workspace(tmp_path, libre, articles={"a": article("Title", "One.", "Two.")})
    assert run(root, "translate", "--engine", "pseudo").exit_code == 0
    po = catalog(root, "de", "a")
    drafted = entry_for(po, "Two.")
    set_translation(root, "de", "a", "Two.", "Zwei (von Hand).", fuzzy=True,
                    comment=drafted.tcomment)
    assert run(root, "translate", "--redo-drafts").exit_code == 0
    po = catalog(root, "de", "a")
    kept = entry_for(po, "Two.")
    assert (kept.msgstr, kept.flags, kept.tcomment) == (
        "Zwei (von Hand).", ["fuzzy"], drafted.tcomment)
    assert entry_for(po, "One.").msgstr == "[de] One."  # untouched drafts are redone
    assert sorted(libre.texts) == ["One.", "Title"]
    assert_catalogs_valid(root)


def test_redo_drafts_follows_a_changed_source(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, articles={
        "a": article("Title", "The harbour opens at dawn.")})
    assert run(root, "translate").exit_code == 0
    (root / "source" / "a.html").write_text(article("Title", "The harbour opens at noon."))
    assert run(root, "extract").exit_code == 0 and run(root, "update").exit_code == 0
    entry = entry_for(catalog(root, "de", "a"), "The harbour")
    assert entry.msgstr == "[de] die harbour opens at dawn."  # update kept the old draft
    assert entry.previous_msgid == "The harbour opens at dawn."
    assert run(root, "translate", "--redo-drafts").exit_code == 0
    entry = entry_for(catalog(root, "de", "a"), "The harbour")
    assert entry.msgstr == "[de] die harbour opens at noon."
    assert entry.previous_msgid is None
    assert_catalogs_valid(root)


# ------------------------------------------------------------- limits, resuming


def test_limit_drafts_that_many_and_a_rerun_does_the_rest(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre)
    first = run(root, "translate", "--limit", "2")
    assert first.exit_code == 0, first.output
    assert libre.translate_requests == 2
    assert "drafts: 2 " in summary_line(first.output)
    assert "5 skipped (limit)" in summary_line(first.output)
    drafted = sum(1 for p in all_catalogs(root) for e in catalog(root, "de", p.stem)
                  if e.msgstr)
    assert drafted == 2
    libre.reset_counts()
    rest = run(root, "translate")
    assert rest.exit_code == 0
    assert libre.translate_requests == 4  # 6 distinct texts, 2 done already
    assert "2 already done" in summary_line(rest.output)


def test_a_failed_run_keeps_finished_batches_and_resumes(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, batch_size=2, retries=1)
    libre.script("ok", "ok", "ok")
    libre.default = "500"
    failed = run(root, "translate")
    assert failed.exit_code == 1
    assert "error: " in failed.stderr and "HTTP 500" in failed.stderr
    # Batch 1 (2 texts) was saved; batch 2 got one answer, then failed: lost.
    assert "drafts: 2 " in summary_line(failed.output)
    drafted = [e.msgid for p in all_catalogs(root) for e in catalog(root, "de", p.stem)
               if e.msgstr]
    assert len(drafted) == 2
    assert_catalogs_valid(root)
    libre.default = "ok"
    libre.reset_counts()
    resumed = run(root, "translate")
    assert resumed.exit_code == 0, resumed.output
    assert libre.translate_requests == 4
    assert not any(t in drafted for t in libre.texts)


def test_a_catalog_edited_meanwhile_is_reread_not_overwritten(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, articles={"council": ARTICLES["council"]},
                           batch_size=1)
    path = catalog_path(root, "de", "council")
    edits: list[int] = []

    def translator_saves_in_an_editor(event: TranslateProgress) -> None:
        # After the first saved batch, someone saves the file with a translation of an
        # entry this run has not reached yet.
        if event.done == 1 and not edits:
            edits.append(1)
            set_translation(root, "de", "council", "Bus fares", "Preise bleiben.")

    summary = translate(load_config(root), progress=translator_saves_in_an_editor)
    po = catalog(root, "de", "council")
    assert entry_for(po, "Bus fares").msgstr == "Preise bleiben."
    assert entry_for(po, "Bus fares").flags == []
    assert entry_for(po, "The vote").msgstr == "[de] die vote was close."
    assert summary.by_engine == 3
    assert any("changed on disk meanwhile" in str(n) for n in summary.notices)
    assert msgfmt_ok(path) == ""


# ---------------------------------------------------------------- errors, CLI


def test_unsupported_language_stops_before_anything(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, languages=("de", "nb"))
    before = snapshot(root)
    result = run(root, "translate")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: l10n.toml: the libre engine cannot translate en -> nb: it has no code for nb"]
    assert libre.translate_requests == 0 and libre.language_requests == 0
    assert snapshot(root) == before
    # Languages the engine has go through when asked for alone.
    assert run(root, "translate", "--lang", "de").exit_code == 0


def test_unsupported_pair_stops_even_tm_drafts(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, languages=("de", "nb"))
    set_translation(root, "nb", "council", "The vote", "Det var jevnt.")
    before = snapshot(root)
    assert run(root, "translate").exit_code == 2
    assert snapshot(root) == before


def test_bad_catalog_is_a_one_line_error(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", ARTICLES)
    path = catalog_path(root, "de", "council")
    path.write_text(path.read_text() + '\nmsgid "broken\n')
    before = snapshot(root)
    result = run(root, "translate")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: locales/de/LC_MESSAGES/council.po:")
    assert "Traceback" not in result.output
    assert snapshot(root) == before


def test_unknown_engine_is_a_usage_error(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", ARTICLES)
    result = run(root, "translate", "--engine", "babelfish")
    assert result.exit_code == 2
    assert "unknown engine 'babelfish'" in result.stderr


def test_article_and_lang_filters(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", ARTICLES, languages=("de", "fr"))
    result = run(root, "translate", "--article", "harbour", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "wrote locales/fr/LC_MESSAGES/harbour.po"
    assert all(e.msgstr for e in catalog(root, "fr", "harbour"))
    assert not any(e.msgstr for e in catalog(root, "de", "harbour"))
    assert not any(e.msgstr for e in catalog(root, "fr", "council"))


def test_sync_translates_between_update_and_merge(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", ARTICLES)
    skipped = run(root, "sync", "--no-translate")
    assert skipped.exit_code == 0, skipped.output
    assert not any(e.msgstr for e in catalog(root, "de", "council"))
    synced = run(root, "sync", "--drafts")
    assert synced.exit_code == 0, synced.output
    assert "drafts: 7 (pseudo 7," in synced.output
    page = (root / "build" / "de" / "council.html").read_text(encoding="utf-8")
    assert "Ŧĥê ṽöţê ŵåš çļöšê." in page
    assert_catalogs_valid(root)


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    root = make_workspace(tmp_path / "ws", ARTICLES)
    child = pexpect.spawn(sys.executable, ["-m", "l10n", "-C", str(root), "translate"],
                          env={"PYTHONPATH": str(Path(__file__).parents[1]),
                               "TERM": "xterm", "COLUMNS": "120"},
                          encoding="utf-8", timeout=30)
    child.expect(r"7/7.* segments, 1 requests, 0 errors")  # the bar, on stderr
    child.expect(r"drafts: 7 \(pseudo 7,")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_an_interrupt_loses_at_most_one_batch(tmp_path: Path, libre) -> None:
    root = libre_workspace(tmp_path, libre, batch_size=2)
    libre.script("ok", "ok", "ok", "slow:30")  # the 4th request hangs: interrupt then
    child = subprocess.Popen(
        [sys.executable, "-m", "l10n", "-C", str(root), "translate"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while libre.translate_requests < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert libre.translate_requests == 4
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    drafted = [e.msgid for p in all_catalogs(root) for e in catalog(root, "de", p.stem)
               if e.msgstr]
    assert len(drafted) == 2  # the first batch; the second was under way
    assert_catalogs_valid(root)
    assert not list(root.rglob("*.tmp"))
    libre.reset_counts()
    assert run(root, "translate").exit_code == 0
    assert libre.translate_requests == 4  # 6 distinct texts, 2 saved before


def test_memory_counts_an_obsolete_translation_once(tmp_path: Path) -> None:
    # Regression: obsolete entries were counted twice, so one stale translation tied
    # with two current ones (and won the tie, being read first).
    text = "The vote was close."
    articles = {slug: article(f"News {slug}", text) for slug in ("a", "b", "c", "d")}
    root = make_workspace(tmp_path / "ws", articles)
    set_translation(root, "de", "a", "The vote", "Veraltet.")
    set_translation(root, "de", "b", "The vote", "Knapp.")
    set_translation(root, "de", "c", "The vote", "Knapp.")
    (root / "source" / "a.html").write_text(article("News a", "Something else."))
    for step in ("extract", "update"):
        assert run(root, step).exit_code == 0
    assert [e.msgstr for e in catalog(root, "de", "a") if e.obsolete] == ["Veraltet."]
    assert run(root, "translate").exit_code == 0
    drafted = entry_for(catalog(root, "de", "d"), "The vote")
    assert drafted.msgstr == "Knapp." and drafted.tcomment == draft_line("tm", "Knapp.")


def test_the_review_queue_reads_fingerprinted_draft_lines(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", {"a": article("Title", "One.")})
    assert run(root, "translate").exit_code == 0
    listing = run(root, "review", "--format", "json")
    assert listing.exit_code == 0, listing.output
    items = json.loads(listing.stdout)["items"]
    assert [(it["provenance"], it["engine"], it["date"]) for it in items] == [
        ("pseudo", "pseudo", TODAY)] * 2
