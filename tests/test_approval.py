"""Editor approval of a localized version, its staleness, and publication gating."""

from __future__ import annotations

import polib
import pytest
from lxml import html as lxml_html
from reviewkit import ARTICLE, GERMAN, cli, draft, entry, make_workspace, msgfmt_ok, po_path
from reviewkit import translate_all as translate

from l10n.config import load_config
from l10n.merge import localize
from l10n.review import approval_state

SLUG = "bike-lanes"


@pytest.fixture()
def ws(tmp_path):
    return make_workspace(tmp_path)


def state(ws, lang="de"):
    return approval_state(load_config(ws), SLUG, lang)


def approve(ws, lang="de", by="Erika Editor"):
    result = cli(ws, "approve", SLUG, "--lang", lang, "--by", by)
    assert result.exit_code == 0, result.output
    return result


def edit_source(ws, old, new):
    path = ws / "source" / f"{SLUG}.html"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def page(ws, lang):
    return lxml_html.fromstring((ws / "build" / lang / f"{SLUG}.html").read_bytes())


def alternates(doc):
    return sorted(el.get("hreflang") for el in doc.iter("link") if el.get("rel") == "alternate")


def test_approve_stamps_the_header(ws):
    translate(ws)
    assert state(ws).state == "none"
    result = approve(ws)
    assert "approved locales/de/LC_MESSAGES/bike-lanes.po for publication" in result.stdout
    meta = polib.pofile(str(po_path(ws))).metadata
    assert meta["X-L10n-Approved-By"] == "Erika Editor"
    assert meta["X-L10n-Approved-Digest"].startswith("sha256:")
    assert len(meta["X-L10n-Approved-Digest"]) == len("sha256:") + 64
    st = state(ws)
    assert (st.state, st.by, st.reasons) == ("approved", "Erika Editor", [])
    assert st.date == meta["X-L10n-Approved-Date"]
    assert msgfmt_ok(po_path(ws))


def test_approve_is_refused_with_reasons_when_incomplete(ws):
    draft(ws, only=("Council",))  # one fuzzy draft, three untranslated entries
    po = polib.pofile(str(po_path(ws)))
    broken = entry(po, "Work starts")
    broken.msgstr = "Die Arbeiten beginnen im Frühjahr."  # lost its <em1>
    po.save()
    before = po_path(ws).read_bytes()
    result = cli(ws, "approve", SLUG, "--lang", "de", "--by", "Ed")
    assert result.exit_code == 1
    lines = result.stderr.strip().split("\n")
    assert lines[0] == ("error: locales/de/LC_MESSAGES/bike-lanes.po: cannot approve:"
                        " the translation is not ready")
    assert lines[1].startswith("  - 2 untranslated entries (lines ")
    assert lines[2].startswith("  - 1 fuzzy entry waiting for review (line ")
    assert lines[3].endswith("missing placeholder </em1>, <em1>")
    assert len(lines) == 4
    assert po_path(ws).read_bytes() == before
    assert state(ws).state == "none"


def test_approval_turns_stale_after_a_source_edit(ws):
    translate(ws)
    approve(ws)
    edit_source(ws, "Residents can comment", "Residents may comment")
    assert cli(ws, "extract").exit_code == 0
    st = state(ws)  # the template changed: stale before the catalog is even updated
    assert st.state == "stale" and st.by == "Erika Editor"
    assert "changed since" in st.reasons[0]
    assert cli(ws, "update").exit_code == 0
    # update keeps the stamp in the header; it is just no longer valid.
    meta = polib.pofile(str(po_path(ws))).metadata
    assert meta["X-L10n-Approved-By"] == "Erika Editor"
    st = state(ws)
    assert st.state == "stale"
    assert any("fuzzy entry waiting for review" in r for r in st.reasons)
    assert msgfmt_ok(po_path(ws))


def test_a_source_edit_outside_the_text_keeps_the_approval(ws):
    translate(ws)
    approve(ws)
    before = po_path(ws).read_bytes()
    edit_source(ws, "<article>", '<article class="story">')
    assert cli(ws, "extract").exit_code == 0
    assert cli(ws, "update").exit_code == 0
    assert state(ws).state == "approved"
    assert po_path(ws).read_bytes() == before


def test_update_keeps_the_approval_headers(ws):
    translate(ws)
    approve(ws)
    stamp = {k: v for k, v in polib.pofile(str(po_path(ws))).metadata.items()
             if k.startswith("X-L10n-")}
    assert len(stamp) == 3
    edit_source(ws, "</article>", "<p>One more paragraph.</p>\n</article>")
    cli(ws, "extract")
    assert cli(ws, "update").exit_code == 0
    after = {k: v for k, v in polib.pofile(str(po_path(ws))).metadata.items()
             if k.startswith("X-L10n-")}
    assert after == stamp
    assert state(ws).state == "stale"


def test_approval_turns_stale_after_a_translation_edit(ws):
    translate(ws)
    approve(ws)
    # A translator changes one sentence in a PO editor (and the editor re-wraps/saves).
    po = polib.pofile(str(po_path(ws)))
    entry(po, "Residents").msgstr = "Anwohnerinnen und Anwohner können bis Monatsende reagieren."
    po.metadata["Last-Translator"] = "Tom <tom@example.org>"
    po.save()
    assert state(ws).state == "stale"
    approve(ws, by="Second Editor")
    st = state(ws)
    assert (st.state, st.by) == ("approved", "Second Editor")


def test_a_po_editor_resave_without_changes_keeps_the_approval(ws):
    translate(ws)
    approve(ws)
    po = polib.pofile(str(po_path(ws)), wrapwidth=60)
    po.metadata["PO-Revision-Date"] = "2030-01-01 10:00+0000"
    po.save()
    assert state(ws).state == "approved"


def test_unapprove_removes_the_stamp(ws):
    translate(ws)
    approve(ws)
    result = cli(ws, "unapprove", SLUG, "--lang", "de")
    assert result.exit_code == 0
    assert "removed the approval of locales/de/LC_MESSAGES/bike-lanes.po" in result.stdout
    meta = polib.pofile(str(po_path(ws))).metadata
    assert not [k for k in meta if k.startswith("X-L10n-Approved")]
    assert state(ws).state == "none"
    result = cli(ws, "unapprove", SLUG, "--lang", "de")
    assert result.exit_code == 0 and "was not approved; nothing changed" in result.stdout
    assert msgfmt_ok(po_path(ws))


def test_approve_unknown_catalog_is_a_clear_error(ws):
    result = cli(ws, "approve", "nope", "--lang", "de", "--by", "Ed")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: locales/de/LC_MESSAGES/nope.po: no such file"


def test_merge_builds_only_approved_versions(ws):
    translate(ws, "de")
    approve(ws, "de")
    draft(ws, "fr", texts={})  # fr has only fuzzy drafts
    result = cli(ws, "merge")
    assert result.exit_code == 0, result.output
    assert (ws / "build/de/bike-lanes.html").exists()
    assert not (ws / "build/fr/bike-lanes.html").exists()
    assert ("skipped: build/fr/bike-lanes.html: not approved; approve it with"
            " 'l10n approve bike-lanes --lang fr', or build drafts with --drafts") in (
        result.stderr)
    de = page(ws, "de")
    assert de.findtext(".//h1") == GERMAN["Council backs new bike lanes"]
    assert not de.find_class("l10n-draft-notice")
    assert not [m for m in de.iter("meta") if m.get("name") == "robots"]
    # Only the versions that are built are linked.
    assert alternates(de) == ["de", "en", "x-default"]
    assert alternates(page(ws, "en")) == ["de", "en", "x-default"]


def test_merge_skips_a_stale_version_with_the_reason(ws):
    translate(ws)
    approve(ws)
    po = polib.pofile(str(po_path(ws)))
    entry(po, "Residents").msgstr = "Geändert nach der Freigabe."
    po.save()
    result = cli(ws, "merge", "--lang", "de")
    assert result.exit_code == 0
    [line] = [ln for ln in result.stderr.split("\n") if ln.startswith("skipped:")]
    assert line.startswith("skipped: build/de/bike-lanes.html: approved by Erika Editor on ")
    assert "changed since; review it and run 'l10n approve bike-lanes --lang de' again" in line
    assert not (ws / "build/de/bike-lanes.html").exists()


def test_merge_drafts_builds_unapproved_versions_as_marked_drafts(ws):
    translate(ws, "de")
    approve(ws, "de")
    draft(ws, "fr", texts={"Council backs new bike lanes": "Le conseil soutient les pistes"},
          only=("Council",))
    result = cli(ws, "merge", "--drafts")
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.stderr
    fr = page(ws, "fr")
    assert fr.findtext(".//h1") == "Le conseil soutient les pistes"  # fuzzy draft used
    [notice] = fr.find_class("l10n-draft-notice")
    assert notice.get("lang") == "fr" and notice.text.strip()
    assert notice.text != "This is a machine-translated draft that has not been reviewed yet."
    assert [m.get("content") for m in fr.iter("meta") if m.get("name") == "robots"] == [
        "noindex"]
    # The approved version is not marked as a draft, even with --drafts.
    de = page(ws, "de")
    assert not de.find_class("l10n-draft-notice")
    assert not [m for m in de.iter("meta") if m.get("name") == "robots"]
    assert alternates(de) == alternates(fr) == ["de", "en", "fr", "x-default"]


def test_localize_on_its_own(ws):
    draft(ws, "de")
    cfg = load_config(ws)
    plain = localize(cfg, SLUG, "de")
    drafted = localize(cfg, SLUG, "de", drafts=True, versions=["de"])
    # Five occurrences: the title and the h1 share one entry.
    assert plain.used == 0 and drafted.used == 5
    assert b"l10n-draft-notice" in drafted.data and b"l10n-draft-notice" not in plain.data
    assert b'hreflang="de"' in drafted.data


def test_sync_builds_approved_versions(ws):
    translate(ws, "de")
    approve(ws, "de")
    result = cli(ws, "sync")
    assert result.exit_code == 0, result.output
    assert (ws / "build/de/bike-lanes.html").exists()
    assert not (ws / "build/fr/bike-lanes.html").exists()
    assert "skipped: build/fr/bike-lanes.html: not approved" in result.stderr
    assert state(ws).state == "approved"  # sync's extract + update left it valid
    result = cli(ws, "sync", "--drafts")
    assert result.exit_code == 0
    assert page(ws, "fr").find_class("l10n-draft-notice")
    assert (ws / "source" / f"{SLUG}.html").read_text(encoding="utf-8") == ARTICLE


def test_approval_refuses_markup_that_would_show_as_text(ws):
    translate(ws)
    po = polib.pofile(str(po_path(ws)))
    e = po.find("Residents can comment until the end of the month.")
    e.msgstr = "Anwohner können <b>bis</b> Monatsende&nbsp;Stellung nehmen."
    po.save()
    before = po_path(ws).read_bytes()
    result = cli(ws, "approve", SLUG, "--lang", "de", "--by", "Erika Editor")
    assert result.exit_code == 1
    assert "markup that is no placeholder: <b>, </b>, &nbsp;" in result.output
    assert po_path(ws).read_bytes() == before
    # ... as the CI gate does.
    checked = cli(ws, "check", "--lang", "de")
    assert checked.exit_code == 1
    assert "error: markup: markup that is no placeholder" in checked.stdout


def test_an_article_edited_without_extract_is_not_published(ws):
    translate(ws)
    approve(ws)
    assert cli(ws, "merge").exit_code == 0
    assert (ws / "build" / "de" / f"{SLUG}.html").exists()
    edit_source(ws, "until the end of the month", "until Friday")
    result = cli(ws, "merge")
    assert result.exit_code == 0
    assert f"source/{SLUG}.html changed since 'l10n extract'" in result.output
    assert "removed the page built earlier" in result.output
    assert not (ws / "build" / "de" / f"{SLUG}.html").exists()
    # A change of markup only leaves the segments, and the approval, as they were.
    edit_source(ws, "until Friday", "until the end of the month")
    edit_source(ws, "<p>", '<p class="lead">')
    assert cli(ws, "merge").exit_code == 0
    assert (ws / "build" / "de" / f"{SLUG}.html").exists()


def test_a_merge_limited_to_one_locale_links_only_to_pages_that_exist(ws):
    translate(ws)
    approve(ws)
    translate(ws, "fr")
    approve(ws, "fr")
    assert cli(ws, "merge", "--lang", "de").exit_code == 0
    # fr is approved but was not built by this run, and never before: no link to it.
    assert alternates(page(ws, "de")) == ["de", "en", "x-default"]
    assert cli(ws, "merge").exit_code == 0
    assert alternates(page(ws, "de")) == ["de", "en", "fr", "x-default"]
    assert cli(ws, "merge", "--lang", "de").exit_code == 0
    assert alternates(page(ws, "de")) == ["de", "en", "fr", "x-default"]
