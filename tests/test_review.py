"""The review queue and review decisions, through the CLI and the library, on real
workspaces."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import polib
import pytest
from reviewkit import (
    ARTICLE,
    cli,
    draft,
    entry,
    make_workspace,
    msgfmt_ok,
    po_path,
    translate_all,
)

from l10n.config import load_config
from l10n.review import approve, review_queue, select, version_digest, word_diff

TODAY = dt.date.today().isoformat()
JSON_KEYS = {"id", "lang", "slug", "path", "line", "context", "note", "references", "source",
             "draft", "provenance", "engine", "date", "previous_source", "diff", "problems"}


@pytest.fixture()
def ws(tmp_path):
    return make_workspace(tmp_path)


def queue_json(ws, *args):
    result = cli(ws, "review", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_queue_is_the_fuzzy_entries_oldest_draft_first(ws):
    draft(ws, "de", "deepl", "2026-02-01", only=("Council",))
    draft(ws, "fr", "pseudo", "2026-01-15", only=("Residents",))
    draft(ws, "de", "tm~87", "2026-01-20", only=("Work",))
    draft(ws, "de", date=None, only=("The council",))  # fuzzy, no provenance line
    data = queue_json(ws)
    assert data["count"] == 4
    items = data["items"]
    assert [(it["lang"], it["date"]) for it in items] == [
        ("fr", "2026-01-15"), ("de", "2026-01-20"), ("de", "2026-02-01"), ("de", None)]
    assert [it["provenance"] for it in items] == ["pseudo", "tm~87", "deepl", "unknown"]
    for it in items:
        assert set(it) == JSON_KEYS
    first = items[1]
    assert first["source"] == "Work starts in <em1>early spring</em1>, the mayor said."
    assert first["draft"].startswith("Die Arbeiten beginnen")
    assert first["path"] == "locales/de/LC_MESSAGES/bike-lanes.po"
    assert first["references"] == ["source/bike-lanes.html:8"]
    assert first["previous_source"] is None and first["diff"] is None
    # The line points into the PO file, at the entry.
    lines = po_path(ws).read_text(encoding="utf-8").split("\n")
    assert "Work starts in" in "\n".join(lines[first["line"] - 1:first["line"] + 4])
    # Filters.
    assert [it["lang"] for it in queue_json(ws, "--lang", "fr")["items"]] == ["fr"]
    assert queue_json(ws, "--article", "bike-lanes")["count"] == 4
    # The table names each entry by its id.
    table = cli(ws, "review")
    assert table.exit_code == 0
    for it in items:
        assert it["id"] in table.stdout


def test_ids_are_stable_across_edits_of_the_draft(ws):
    draft(ws, "de")
    before = {it.source: it.id for it in review_queue(load_config(ws))}
    po = polib.pofile(str(po_path(ws)))
    entry(po, "Residents").msgstr = "Etwas ganz anderes."
    po.save()
    after = {it.source: it.id for it in review_queue(load_config(ws))}
    assert before == after
    assert len(set(after.values())) == 4


def test_changed_source_is_queued_with_previous_text_and_word_diff(ws):
    translate_all(ws, "de")
    html = ws / "source" / "bike-lanes.html"
    html.write_text(ARTICLE.replace("yesterday evening", "on Monday evening"), encoding="utf-8")
    assert cli(ws, "extract").exit_code == 0
    assert cli(ws, "update").exit_code == 0
    items = queue_json(ws, "--lang", "de")["items"]
    assert len(items) == 1
    it = items[0]
    assert it["provenance"] == "source changed"
    assert it["previous_source"] == ("The council voted on <a1>the new plan</a1>"
                                     " yesterday evening.")
    assert it["source"] == "The council voted on <a1>the new plan</a1> on Monday evening."
    assert it["diff"] == ("The council voted on <a1>the new plan</a1> [-yesterday-]"
                          "{+on Monday+} evening.")
    assert it["draft"] == "Der Rat stimmte gestern Abend über <a1>den neuen Plan</a1> ab."
    plain = cli(ws, "review", "--lang", "de").stdout
    assert ("  source: The council voted on <a1>the new plan</a1> [-yesterday-]{+on Monday+}"
            " evening.") in plain.splitlines()
    assert "(source changed" in plain


def test_word_diff_keeps_placeholders_whole():
    pieces = word_diff("Read <a1>the report</a1> now.", "Read <em1>the report</em1> now.")
    assert ("delete", "<a1>") in pieces and ("insert", "<em1>") in pieces
    assert "".join(t for op, t in pieces if op != "delete") == "Read <em1>the report</em1> now."
    assert "".join(t for op, t in pieces if op != "insert") == "Read <a1>the report</a1> now."


def test_approve_by_id_clears_fuzzy_and_records_the_reviewer(ws):
    draft(ws, "de")
    items = queue_json(ws, "--lang", "de")["items"]
    target = next(it for it in items if it["source"].startswith("The council"))
    result = cli(ws, "review", "approve", target["id"][:6], "--by", "Jane Doe")
    assert result.exit_code == 0, result.output
    assert f"[{target['id']}]" in result.stdout
    po = polib.pofile(str(po_path(ws)))
    e = entry(po, "The council")
    assert "fuzzy" not in e.flags
    assert e.msgstr == target["draft"]
    assert e.tcomment.split("\n") == ["l10n-draft: pseudo 2026-01-10",
                                      f"l10n-approved: Jane Doe {TODAY}"]
    remaining = {it["id"] for it in queue_json(ws, "--lang", "de")["items"]}
    assert remaining == {it["id"] for it in items} - {target["id"]}
    assert msgfmt_ok(po_path(ws))


def test_approve_clears_the_previous_source_too(ws):
    translate_all(ws, "de")
    html = ws / "source" / "bike-lanes.html"
    html.write_text(ARTICLE.replace("yesterday evening", "on Monday evening"), encoding="utf-8")
    cli(ws, "extract")
    cli(ws, "update")
    assert "#| msgid" in po_path(ws).read_text(encoding="utf-8")
    result = cli(ws, "review", "approve", "--article", "bike-lanes", "--lang", "de",
                 "--by", "Ed")
    assert result.exit_code == 0, result.output
    text = po_path(ws).read_text(encoding="utf-8")
    assert "#| msgid" not in text and "#, fuzzy" not in text.split("#~")[0]
    assert queue_json(ws, "--lang", "de")["count"] == 0
    assert msgfmt_ok(po_path(ws))


def test_reject_empties_the_msgstr_and_replaces_an_older_decision(ws):
    translate_all(ws, "de")
    # An approved entry whose source then changes comes back with its old decision line.
    assert cli(ws, "review", "approve", "--lang", "de", "--by", "Ann").exit_code == 0
    po = polib.pofile(str(po_path(ws)))
    entry(po, "The council").tcomment = f"keep this note\nl10n-approved: Ann {TODAY}"
    po.save()
    html = ws / "source" / "bike-lanes.html"
    html.write_text(ARTICLE.replace("yesterday evening", "on Monday evening"), encoding="utf-8")
    cli(ws, "extract")
    cli(ws, "update")
    [item] = queue_json(ws, "--lang", "de")["items"]
    result = cli(ws, "review", "reject", item["id"], "--by", "Bob")
    assert result.exit_code == 0, result.output
    po = polib.pofile(str(po_path(ws)))
    e = entry(po, "The council")
    assert e.msgstr == "" and "fuzzy" not in e.flags and e.previous_msgid is None
    assert e.tcomment.split("\n") == ["keep this note", f"l10n-rejected: Bob {TODAY}"]
    assert queue_json(ws, "--lang", "de")["count"] == 0
    assert msgfmt_ok(po_path(ws))


def test_reject_drops_the_provenance_of_the_discarded_draft(ws):
    draft(ws, "fr", "libre", "2026-01-03")
    result = cli(ws, "review", "reject", "--lang", "fr", "--by", "Bob")
    assert result.exit_code == 0, result.output
    assert "rejected 4 of 4 entries as Bob" in result.stdout
    po = polib.pofile(str(po_path(ws, "fr")))
    for e in po:
        assert e.msgstr == "" and "fuzzy" not in e.flags
        assert e.tcomment == f"l10n-rejected: Bob {TODAY}"
    assert msgfmt_ok(po_path(ws, "fr"))


def test_approve_refuses_a_draft_with_broken_placeholders(ws):
    broken = {"The council voted on <a1>the new plan</a1> yesterday evening.":
              "Der Rat stimmte gestern Abend über den neuen Plan ab."}
    draft(ws, "de", texts=broken, only=("The council",))
    draft(ws, "de", only=("Residents",))
    items = {it["source"][:5]: it for it in queue_json(ws)["items"]}
    assert items["The c"]["problems"] == ["missing placeholder </a1>, <a1>"]
    before = po_path(ws).read_bytes()
    result = cli(ws, "review", "approve", items["The c"]["id"], "--by", "Jane")
    assert result.exit_code == 1
    assert "placeholders do not match the source: missing placeholder" in result.stderr
    assert "Traceback" not in result.output
    assert po_path(ws).read_bytes() == before
    # A whole article: the fitting draft is approved, the broken one refused.
    result = cli(ws, "review", "approve", "--article", "bike-lanes", "--by", "Jane")
    assert result.exit_code == 1
    assert "approved 1 of 2 entries" in result.stdout
    assert f"refused: locales/de/LC_MESSAGES/bike-lanes.po:{items['The c']['line']}" in (
        result.stderr)
    assert [it["id"] for it in queue_json(ws)["items"]] == [items["The c"]["id"]]
    assert msgfmt_ok(po_path(ws))


def test_decision_on_a_draft_changed_since_listing_is_refused(ws):
    draft(ws, "de", only=("Residents",))
    cfg = load_config(ws)
    [item] = review_queue(cfg)
    po = polib.pofile(str(po_path(ws)))
    entry(po, "Residents").msgstr = "Ein Übersetzer hat das inzwischen geändert."
    po.save()
    before = po_path(ws).read_bytes()
    outcome = approve(cfg, [item], by="Jane")
    assert outcome.done == []
    assert "changed in the file" in outcome.refused[0][1]
    assert po_path(ws).read_bytes() == before


def test_usage_errors_and_unknown_ids(ws):
    draft(ws, "de")
    result = cli(ws, "review", "approve")
    assert result.exit_code == 2
    assert "an entry ID, --article SLUG or --lang L" in result.output
    result = cli(ws, "review", "reject", "0000000000")
    assert result.exit_code == 1
    assert "no entry '0000000000' in the review queue" in result.stderr
    result = cli(ws, "review", "--article", "no-such-article")
    assert result.exit_code == 1
    assert "source/no-such-article.html: no such article" in result.stderr
    assert select(load_config(ws), langs=["fr"]) == []


def test_default_reviewer_is_the_git_user_then_user(ws, tmp_path, monkeypatch):
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Gita Reviewer\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    draft(ws, "de", only=("Residents",))
    draft(ws, "fr", only=("Residents",))
    assert cli(ws, "review", "approve", "--lang", "de").exit_code == 0
    assert f"l10n-approved: Gita Reviewer {TODAY}" in po_path(ws).read_text(encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("USER", "ulla")
    assert cli(ws, "review", "approve", "--lang", "fr").exit_code == 0
    assert f"l10n-approved: ulla {TODAY}" in po_path(ws, "fr").read_text(encoding="utf-8")


def test_broken_po_file_is_a_one_line_error(ws):
    path = po_path(ws)
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "x"\nmsgstr "unterminated\n',
                    encoding="utf-8")
    result = cli(ws, "review")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: locales/de/LC_MESSAGES/bike-lanes.po:")
    assert len(result.stderr.strip().split("\n")) == 1


def test_approval_in_the_cli_and_in_a_po_editor_give_the_same_state(ws, tmp_path):
    draft(ws, "de")
    other = tmp_path / "copy"
    shutil.copytree(ws, other)
    # Through the CLI.
    assert cli(ws, "review", "approve", "--lang", "de", "--by", "Jane").exit_code == 0
    # In a PO editor: the translator clears each fuzzy flag and saves (Poedit also
    # drops the previous source); the file is written by polib.
    po = polib.pofile(str(po_path(other)))
    for e in po:
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
            e.previous_msgid = None
    po.save()
    assert msgfmt_ok(po_path(ws)) and msgfmt_ok(po_path(other))
    a, b = load_config(ws), load_config(other)
    assert review_queue(a) == review_queue(b) == []
    from l10n.review import approval_state, completeness_problems, read_template_if_any

    pa, pb = polib.pofile(str(po_path(ws))), polib.pofile(str(po_path(other)))
    template = read_template_if_any(a, "bike-lanes")
    assert version_digest(template, pa) == version_digest(template, pb)
    assert completeness_problems(template, pa) == completeness_problems(template, pb) == []
    assert approval_state(a, "bike-lanes", "de").state == "none"
    assert approval_state(b, "bike-lanes", "de").state == "none"
    # Both versions can now be approved for publication, with the same digest.
    for folder in (ws, other):
        result = cli(folder, "approve", "bike-lanes", "--lang", "de", "--by", "Ed")
        assert result.exit_code == 0, result.output
    stamps = [polib.pofile(str(po_path(f))).metadata["X-L10n-Approved-Digest"]
              for f in (ws, other)]
    assert stamps[0] == stamps[1]
    assert approval_state(a, "bike-lanes", "de").state == "approved"
    assert approval_state(b, "bike-lanes", "de").state == "approved"


def test_a_fuzzy_flag_on_an_empty_translation_is_no_draft(ws):
    po = polib.pofile(str(po_path(ws)))
    entry(po, "Residents").flags.append("fuzzy")
    po.save()
    assert queue_json(ws)["count"] == 0


def test_edit_refuses_empty_text_and_changes_nothing(ws):
    from l10n.errors import ReviewError
    from l10n.review import edit

    draft(ws, "de", only=("Residents",))
    cfg = load_config(ws)
    [item] = review_queue(cfg)
    before = po_path(ws).read_bytes()
    with pytest.raises(ReviewError, match="the new text is empty"):
        edit(cfg, item, "", by="Ira")
    assert po_path(ws).read_bytes() == before
    edit(cfg, item, "Bis Ende des Monats sind Stellungnahmen möglich.", by="Ira")
    e = entry(polib.pofile(str(po_path(ws))), "Residents")
    assert (e.msgstr, e.flags) == ("Bis Ende des Monats sind Stellungnahmen möglich.", [])


def test_every_entry_with_its_state_and_version(ws):
    from l10n.review import read_entries

    draft(ws, "de", "deepl", "2026-01-10", only=("Council", "Work"))
    cfg = load_config(ws)
    assert approve(cfg, [i for i in review_queue(cfg) if i.source.startswith("Work")],
                   by="Ira").done
    entries = {e.source.split()[0]: e for e in read_entries(cfg, "bike-lanes", "de")}
    assert {k: e.state for k, e in entries.items()} == {
        "Council": "draft", "The": "untranslated", "Work": "translated",
        "Residents": "untranslated"}
    assert (entries["Work"].decision, entries["Work"].decided_by) == ("approved", "Ira")
    assert entries["Work"].decided_on == TODAY
    assert entries["Council"].engine == "deepl"
    # The ids are the queue's; the version changes with the text and the fuzzy flag.
    assert entries["Council"].id in {i.id for i in review_queue(cfg)}
    assert len({e.version for e in entries.values()}) == 4
    again = {e.source.split()[0]: e.version for e in read_entries(cfg, "bike-lanes", "de")}
    assert again == {k: e.version for k, e in entries.items()}


def test_decisions_made_on_an_older_version_are_refused(ws):
    from l10n.errors import ChangedMeanwhile
    from l10n.review import (
        CHANGED_SINCE_OPENED,
        approve_version,
        edit,
        find_entry,
        reject,
    )

    draft(ws, "de", only=("Work",))
    cfg = load_config(ws)
    seen = find_entry(cfg, "bike-lanes", "de", select(cfg, [], ["de"])[0].id)
    po = polib.pofile(str(po_path(ws)))  # someone else edits the draft meanwhile
    entry(po, "Work").msgstr = "Die Arbeiten beginnen im <em1>März</em1>."
    po.save()
    changed = po_path(ws).read_bytes()
    current = find_entry(cfg, "bike-lanes", "de", seen.id)
    for decide in (approve, reject):
        outcome = decide(cfg, [current], "Ira", expect={seen.id: seen.version})
        assert outcome.refused == [(current, CHANGED_SINCE_OPENED)]
    with pytest.raises(ChangedMeanwhile, match="changed since you opened it"):
        edit(cfg, current, "Die Arbeiten starten im <em1>Frühjahr</em1>.", "Ira",
             expect=seen.version)
    assert po_path(ws).read_bytes() == changed
    # With the version now in the file, the edit goes through, on any entry state.
    edit(cfg, current, "Die Arbeiten starten im <em1>Frühjahr</em1>.", "Ira",
         expect=current.version)
    translated = find_entry(cfg, "bike-lanes", "de", seen.id)
    assert translated.state == "translated"
    edit(cfg, translated, "Die Arbeiten starten <em1>bald</em1>.", "Ira",
         expect=translated.version)
    assert find_entry(cfg, "bike-lanes", "de", seen.id).draft == (
        "Die Arbeiten starten <em1>bald</em1>.")
    assert msgfmt_ok(po_path(ws))
    translate_all(ws)
    with pytest.raises(ChangedMeanwhile):
        approve_version(cfg, "bike-lanes", "de", "Ed", expect="sha256:" + "0" * 64)


def test_queue_listing_in_a_pipe_is_plain_text(ws):
    # CliRunner's stdout is no terminal: a log or `| grep` gets labelled lines, not a
    # box-drawn table cut to some width.
    draft(ws, "de", "deepl", "2026-02-01", only=("Work",))
    item = queue_json(ws)["items"][0]
    result = cli(ws, "review")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "review queue: 1 entry"
    assert lines[2] == (f"{item['id']}  de · bike-lanes  {item['path']}:{item['line']}"
                        "  (deepl, 2026-02-01)")
    assert lines[3] == f"  source: {item['source']}"
    assert lines[4] == f"  draft:  {item['draft']}"
    assert not any(ch in result.stdout for ch in "┃│━─")
