"""Extraction: HTML articles -> segments -> POT templates."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from conftest import DATA, msgfmt_check, write_config
from golden import check_golden

from l10n.model import join_tokens, tokenize
from l10n.segment import extract_segments, parse_html, read_html

GOLDEN = sorted((DATA / "golden").glob("*.html"))
GOLDEN = [p for p in GOLDEN if ".expect" not in p.name]


def render_segments(path: Path) -> str:
    lines = []
    for seg in extract_segments(read_html(path)):
        ctx = f"[{seg.context}] " if seg.context else ""
        notes = "".join(f"\n    # {n}" for n in seg.notes)
        lines.append(f"{seg.line:>3} {seg.element}: {ctx}{seg.msgid}{notes}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("page", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_extraction_matches_golden_file(page: Path) -> None:
    check_golden(render_segments(page), page.with_suffix(".expect.txt"))


def msgids(html: str) -> list[str]:
    doc = parse_html(html.encode("utf-8"), "test.html")
    return [s.msgid for s in extract_segments(doc)]


def test_inline_markup_becomes_numbered_placeholders_without_attributes() -> None:
    ids = msgids('<p>Read <a href="/r" class="c">the <em>full</em> report</a>.</p>')
    assert ids == ["Read <a1>the <em2>full</em2> report</a1>."]


def test_whitespace_collapses_inside_and_entities_decode() -> None:
    ids = msgids("<p>\n   Caf&eacute;   &amp;\n\t bar&nbsp;x  </p>")
    assert ids == ["Café & bar\u00a0x"]


def test_number_punctuation_url_and_whitespace_only_text_is_skipped() -> None:
    html = "<p>2026</p><p>– 12,5 % –</p><p>https://a.example/x</p><p> </p><p>Words</p>"
    assert msgids(html) == ["Words"]


def test_translate_no_and_notranslate_are_skipped_with_descendants() -> None:
    html = ('<div translate="no"><p>A</p><img alt="Alt A"></div>'
            '<div class="box notranslate"><p>B</p></div><p>Kept</p>')
    assert msgids(html) == ["Kept"]


def test_translate_no_covers_the_attributes_of_inline_elements() -> None:
    # The mark keeps an element's attributes as they are, not only its text: an image
    # or a brand name inside a sentence stays a placeholder, and its alt or title is
    # no segment of its own.
    html = ('<p>Logo <img translate="no" alt="ACME Werke" src="a.png"> und'
            ' <span class="notranslate" title="Markenname">ACME</span> heute.'
            ' <img alt="Ein Foto" src="b.png"></p>')
    assert msgids(html) == ["Logo <img1/> und <span2/> heute.",
                            "Ein Foto"]


def test_declared_charset_is_honoured() -> None:
    ids = [s.msgid for s in extract_segments(read_html(DATA / "golden" / "latin1.html"))]
    assert ids == ["Grüße aus Köln", "Straße & Plätze für € 5"]


def test_utf8_page_that_declares_another_charset_is_read_as_utf8() -> None:
    data = '<meta charset="gb2312"><p>新闻报道</p>'.encode()
    doc = parse_html(data, "qq.html")
    assert [s.msgid for s in extract_segments(doc)] == ["新闻报道"]


def test_extract_writes_one_template_per_article(workspace: Path, cli) -> None:
    result = cli(workspace, "extract")
    assert result.exit_code == 0, result.output
    pots = sorted(p.name for p in (workspace / "locales" / "templates").glob("*.pot"))
    assert pots == ["ocean-heat-record.pot", "stadtrat-radwege.pot", "wahl-ergebnisse.pot"]
    assert "templates: 3 written" in result.output
    for pot in (workspace / "locales" / "templates").glob("*.pot"):
        msgfmt_check(pot)


def test_html_files_with_other_extensions_are_named_not_silently_skipped(workspace: Path,
                                                                          cli) -> None:
    src = workspace / "source"
    (src / "brief.htm").write_text("<p>Kurze Meldung</p>", encoding="utf-8")
    (src / "Bericht.HTML").write_text("<p>Ein Bericht</p>", encoding="utf-8")
    (src / "notes.txt").write_text("not an article", encoding="utf-8")
    result = cli(workspace, "extract")
    assert result.exit_code == 0, result.output
    assert ("warning: source/Bericht.HTML: not read as an article (articles are *.html"
            " files); rename it to Bericht.html") in result.stderr
    assert "warning: source/brief.htm: not read as an article" in result.stderr
    assert "notes.txt" not in result.stderr
    assert "templates: 3 written" in result.output
    (src / "brief.htm").rename(src / "brief.html")
    result = cli(workspace, "extract")
    assert "brief" not in result.stderr
    assert (workspace / "locales" / "templates" / "brief.pot").is_file()


def test_template_entries_have_references_comments_and_headers(workspace: Path, cli) -> None:
    cli(workspace, "extract")
    pot = polib.pofile(str(workspace / "locales" / "templates" / "wahl-ergebnisse.pot"))
    assert pot.metadata["X-Source-Language"] == "de"
    assert pot.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert pot.metadata["POT-Creation-Date"]
    title = next(e for e in pot if e.comment.startswith("title"))
    assert title.occurrences == [("source/wahl-ergebnisse.html", "6")]
    alt = [e for e in pot if e.msgctxt == "alt"]
    assert alt and all(e.comment.startswith("img@alt") for e in alt)
    desc = next(e for e in pot if e.msgctxt == "description")
    assert desc.comment == "meta[description]"


def test_identical_text_is_one_entry_with_all_references(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    write_config(root, ["en"])
    (root / "source" / "a.html").write_text(
        '<html lang="de"><body>\n<h1>Wahl</h1>\n<p>Text.</p>\n<p>Wahl</p>\n'
        '<img alt="Wahl"></body></html>', encoding="utf-8")
    assert cli(root, "extract").exit_code == 0
    pot = polib.pofile(str(root / "locales" / "templates" / "a.pot"))
    wahl = [e for e in pot if e.msgid == "Wahl"]
    assert len(wahl) == 2  # the text, and the alt attribute (its own context)
    text = next(e for e in wahl if e.msgctxt is None)
    assert text.occurrences == [("source/a.html", "2"), ("source/a.html", "4")]
    assert text.comment == "h1, p"


def test_second_extract_changes_nothing(workspace: Path, cli) -> None:
    cli(workspace, "extract")
    before = {p: p.read_bytes() for p in (workspace / "locales").rglob("*.pot")}
    result = cli(workspace, "extract")
    assert "0 written, 3 unchanged" in result.output
    assert before == {p: p.read_bytes() for p in (workspace / "locales").rglob("*.pot")}


def test_article_language_comes_from_html_lang_else_config(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    write_config(root, ["en", "fr"], source_language="fr")
    (root / "source" / "nolang.html").write_text("<p>Bonjour le monde</p>", encoding="utf-8")
    (root / "source" / "en.html").write_text('<html lang="en-US"><p>Hello</p></html>',
                                             encoding="utf-8")
    assert cli(root, "extract").exit_code == 0
    assert cli(root, "update").exit_code == 0
    # fr article -> only en; en-US article -> only fr (same language is never a target)
    assert (root / "locales/en/LC_MESSAGES/nolang.po").exists()
    assert not (root / "locales/fr/LC_MESSAGES/nolang.po").exists()
    assert (root / "locales/fr/LC_MESSAGES/en.po").exists()
    assert not (root / "locales/en/LC_MESSAGES/en.po").exists()


@pytest.mark.parametrize("page", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_join_tokens_gives_back_every_msgid(page: Path) -> None:
    segments = extract_segments(read_html(page))
    assert segments
    for seg in segments:
        assert join_tokens(tokenize(seg.msgid)) == seg.msgid
