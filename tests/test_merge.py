"""merge: localized HTML rebuilt from the original document and the catalogs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polib
import pytest
from conftest import DATA, write_config
from golden import check_golden
from lxml import html as lxml_html

from l10n.config import load_config
from l10n.merge import localize

CASES = sorted(p.name.split(".")[0] for p in (DATA / "golden").glob("*.fr.json"))


def fill(po_path: Path, mapping: dict[str, str], fuzzy: bool = False) -> None:
    po = polib.pofile(str(po_path))
    for e in po:
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        if key in mapping:
            e.msgstr = mapping[key]
            if fuzzy:
                e.flags.append("fuzzy")
    po.save(str(po_path))


def workspace_with(tmp_path: Path, page: Path, langs: list[str], cli,
                   source_language: str = "en") -> Path:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    shutil.copy(page, root / "source" / page.name)
    write_config(root, langs, source_language=source_language)
    assert cli(root, "extract").exit_code == 0
    assert cli(root, "update").exit_code == 0
    return root


@pytest.mark.parametrize("case", CASES)
def test_merge_matches_golden_file(tmp_path: Path, cli, case: str) -> None:
    page = DATA / "golden" / f"{case}.html"
    root = workspace_with(tmp_path, page, ["fr"], cli)
    mapping = json.loads((DATA / "golden" / f"{case}.fr.json").read_text(encoding="utf-8"))
    fill(root / "locales" / "fr" / "LC_MESSAGES" / f"{case}.po", mapping)
    built = localize(load_config(root), case, "fr", versions=["fr"])
    check_golden(built.data.decode("utf-8"), DATA / "golden" / f"{case}.fr.expect.html")
    assert built.warnings == []


def parse(data: bytes):
    return lxml_html.document_fromstring(data)


def test_translations_replace_text_and_keep_attributes(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "inline.html"
    root = workspace_with(tmp_path, page, ["fr"], cli)
    mapping = json.loads((DATA / "golden" / "inline.fr.json").read_text(encoding="utf-8"))
    fill(root / "locales/fr/LC_MESSAGES/inline.po", mapping)
    doc = parse(localize(load_config(root), "inline", "fr").data)
    link = doc.xpath("//a[@href='/report.html']")[0]
    assert link.get("class") == "x"
    assert link.text_content() == "le rapport complet"
    assert doc.xpath("//abbr")[0].get("title") == "dès que possible"
    # Opaque placeholders come back with their source content.
    assert doc.xpath("//code")[0].text == "pip install l10n"


def test_markup_in_a_translation_is_shown_as_text_never_run(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "inline.html"
    root = workspace_with(tmp_path, page, ["fr"], cli)
    mapping = json.loads((DATA / "golden" / "inline.fr.json").read_text(encoding="utf-8"))
    fill(root / "locales/fr/LC_MESSAGES/inline.po", mapping)
    data = localize(load_config(root), "inline", "fr").data
    assert b"<script>alert(1)</script>" not in data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in data
    doc = parse(data)
    assert not doc.xpath("//body//script")


def test_broken_placeholders_fall_back_to_source_with_warning(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "inline.html"
    root = workspace_with(tmp_path, page, ["fr"], cli)
    po_path = root / "locales/fr/LC_MESSAGES/inline.po"
    fill(po_path, {
        "Read <a1>the <em2>full</em2> report</a1> on <strong3>Monday</strong3>.":
            "Lisez <a1>le rapport</a1> lundi.",  # em2, strong3 missing
        "Caption after an icon": "Légende <b1>grasse</b1>",  # invented placeholder
        "A paragraph that is one link": "Un <a1>paragraphe</a2>",  # unbalanced
    })
    built = localize(load_config(root), "inline", "fr")
    assert len(built.warnings) == 3
    lines = {e.msgid: e.linenum for e in polib.pofile(str(po_path))}
    texts = [str(w) for w in built.warnings]
    assert any("missing placeholder" in t for t in texts)
    assert any("unknown placeholder" in t for t in texts)
    for w in built.warnings:
        assert w.path == "locales/fr/LC_MESSAGES/inline.po"
        assert w.line in lines.values()
    doc = parse(built.data)
    assert "Read the full report on Monday." in doc.text_content()
    assert "Caption after an icon" in doc.text_content()


def test_untranslated_and_fuzzy_fall_back_unless_drafts(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "blocks.html"
    root = workspace_with(tmp_path, page, ["fr"], cli, source_language="de")
    fill(root / "locales/fr/LC_MESSAGES/blocks.po", {"Punkt eins": "Point un"}, fuzzy=True)
    cfg = load_config(root)
    final = parse(localize(cfg, "blocks", "fr").data)
    assert "Punkt eins" in final.text_content()
    assert not final.xpath("//*[contains(@class, 'l10n-draft-notice')]")
    draft = parse(localize(cfg, "blocks", "fr", drafts=True).data)
    assert "Point un" in draft.text_content()
    assert draft.xpath("//*[contains(@class, 'l10n-draft-notice')]")
    assert draft.xpath("//meta[@name='robots']/@content") == ["noindex"]


@pytest.mark.parametrize(("lang", "rtl", "note"), [
    ("ar", True, "كُتب هذا المقال في الأصل بالألمانية."),
    ("ja", False, "この記事は、もともとドイツ語で書かれたものです。"),
    ("fr", False, "Cet article a été rédigé à l’origine en allemand."),
    ("pt_BR", False, "Este artigo foi escrito originalmente em alemão."),
])
def test_language_direction_and_origin_note(tmp_path: Path, cli, lang: str, rtl: bool,
                                            note: str) -> None:
    page = DATA / "golden" / "blocks.html"
    root = workspace_with(tmp_path, page, [lang], cli, source_language="de")
    doc = parse(localize(load_config(root), "blocks", lang).data)
    html = doc.getroottree().getroot()
    assert html.get("lang") == lang.replace("_", "-")
    assert html.get("dir") == ("rtl" if rtl else None)
    notes = doc.xpath("//*[@class='l10n-origin-note']")
    assert len(notes) == 1
    assert notes[0].text == note
    # Inside the article, at its end.
    assert notes[0].getparent().tag == "article"
    assert notes[0].getparent()[-1] is notes[0]


def test_note_goes_to_end_of_body_without_article(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "inline.html"
    root = workspace_with(tmp_path, page, ["de"], cli)
    doc = parse(localize(load_config(root), "inline", "de").data)
    note = doc.xpath("//*[@class='l10n-origin-note']")[0]
    assert note.getparent().tag == "body"
    assert note.text == "Dieser Artikel wurde ursprünglich auf Englisch verfasst."


def test_rtl_source_gets_ltr_direction_in_ltr_target(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    write_config(root, ["en"], source_language="ar")
    (root / "source" / "a.html").write_text(
        '<html lang="ar" dir="rtl"><body><p>مرحبا بالعالم</p></body></html>', encoding="utf-8")
    cli(root, "extract")
    cli(root, "update")
    doc = parse(localize(load_config(root), "a", "en").data)
    assert doc.getroottree().getroot().get("dir") == "ltr"


def test_dates_are_localized_and_hreflang_links_added(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "inline.html"
    root = workspace_with(tmp_path, page, ["de", "ja"], cli)
    doc = parse(localize(load_config(root), "inline", "de", versions=["de", "ja"]).data)
    assert doc.xpath("//time")[0].text == "5. März 2026"
    links = {(e.get("hreflang"), e.get("href"))
             for e in doc.xpath("//head/link[@rel='alternate']")}
    assert links == {("en", "../en/inline.html"), ("de", "../de/inline.html"),
                     ("ja", "../ja/inline.html"), ("x-default", "../en/inline.html")}


def test_hreflang_links_percent_encode_the_slug(tmp_path: Path, cli) -> None:
    page = tmp_path / "Bürger Forum.html"
    page.write_text('<html lang="de"><head><title>Forum</title></head>'
                    "<body><p>Die Bürger reden mit.</p></body></html>", encoding="utf-8")
    root = workspace_with(tmp_path, page, ["en"], cli, source_language="de")
    result = cli(root, "merge", "--drafts")
    assert result.exit_code == 0, result.output
    for built in ("en/Bürger Forum.html", "de/Bürger Forum.html"):
        doc = parse((root / "build" / built).read_bytes())
        links = {(e.get("hreflang"), e.get("href"))
                 for e in doc.xpath("//head/link[@rel='alternate']")}
        assert links == {("de", "../de/B%C3%BCrger%20Forum.html"),
                         ("en", "../en/B%C3%BCrger%20Forum.html"),
                         ("x-default", "../de/B%C3%BCrger%20Forum.html")}


def test_merge_cli_writes_pages_and_original(workspace: Path, cli) -> None:
    assert cli(workspace, "extract").exit_code == 0
    assert cli(workspace, "update").exit_code == 0
    result = cli(workspace, "merge", "--drafts")
    assert result.exit_code == 0, result.output
    built = sorted(str(p.relative_to(workspace / "build"))
                   for p in (workspace / "build").rglob("*.html"))
    assert "ar/wahl-ergebnisse.html" in built
    assert "de/wahl-ergebnisse.html" in built  # the original, with its hreflang links
    assert "de/ocean-heat-record.html" in built  # a translation into German
    assert "en/ocean-heat-record.html" in built  # the English original
    original = parse((workspace / "build/de/wahl-ergebnisse.html").read_bytes())
    assert not original.xpath("//*[@class='l10n-origin-note']")
    assert original.xpath("//link[@hreflang='ja']")


def test_iso_8859_1_page_keeps_its_encoding_and_carries_any_text(tmp_path: Path, cli) -> None:
    page = DATA / "golden" / "latin1.html"
    root = workspace_with(tmp_path, page, ["ja"], cli, source_language="de")
    fill(root / "locales/ja/LC_MESSAGES/latin1.po",
         {"Grüße aus Köln": "ケルンからのご挨拶"})
    data = localize(load_config(root), "latin1", "ja").data
    data.decode("cp1252")  # still in the page's own encoding
    assert b"charset=\"iso-8859-1\"" in data
    doc = lxml_html.document_fromstring(data.decode("cp1252"))
    assert doc.xpath("//title")[0].text == "ケルンからのご挨拶"


def test_a_removed_article_is_taken_down_and_check_says_how_to_retire_it(workspace: Path,
                                                                        cli) -> None:
    assert cli(workspace, "sync", "--drafts").exit_code == 0
    pages = sorted(p.relative_to(workspace).as_posix()
                   for p in (workspace / "build").rglob("ocean-heat-record.html"))
    assert pages == ["build/ar/ocean-heat-record.html", "build/de/ocean-heat-record.html",
                     "build/en/ocean-heat-record.html", "build/ja/ocean-heat-record.html"]
    (workspace / "source" / "ocean-heat-record.html").unlink()
    result = cli(workspace, "merge", "--drafts")
    assert result.exit_code == 0
    assert "its article source/ocean-heat-record.html was removed" in result.output
    assert not list((workspace / "build").rglob("ocean-heat-record.html"))
    assert (workspace / "build" / "en" / "wahl-ergebnisse.html").exists()
    checked = cli(workspace, "check", "--min-complete", "0")
    assert "locales/templates/ocean-heat-record.pot: warning: stale-template: no article" \
        in checked.output
    assert "ocean-heat-record.po:" not in checked.output  # no gate on a removed article
    assert checked.exit_code == 0


def test_draft_notice_keeps_text_right_inside_the_article(tmp_path: Path, cli) -> None:
    page = tmp_path / "loose.html"
    page.write_text("<html><body><article>Loose words <b>here</b> now.<p>A paragraph.</p>"
                    "</article></body></html>", encoding="utf-8")
    root = workspace_with(tmp_path, page, ["fr"], cli)
    fill(root / "locales/fr/LC_MESSAGES/loose.po",
         {"Loose words <b1>here</b1> now.": "Mots <b1>ici</b1> libres."}, fuzzy=True)
    draft = parse(localize(load_config(root), "loose", "fr", drafts=True).data)
    article = draft.find(".//article")
    assert article[0].get("class") == "l10n-draft-notice"
    assert article[0].tail == "\nMots "  # the article's own text follows the notice
    assert "Mots ici libres." in article.text_content()
