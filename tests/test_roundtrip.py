"""The round-trip property on real pages: extract, fill every msgstr with its msgid,
merge: the document comes back unchanged, apart from what localizing adds
(the origin note, lang/dir on <html>, the hreflang links, and the localized text
of <time datetime> elements)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, corpus_workspaces
from domcompare import canonical, first_difference
from lxml import etree

from l10n.catalog import read_catalog
from l10n.config import Config
from l10n.merge import ORIGIN_NOTE_CLASS, localize
from l10n.segment import extract_segments, parse_html, read_html

TARGET = "nl"  # no corpus page is Dutch, so every page gets a translation


def corpus_pages() -> list[Path]:
    pages = sorted(CORPUS.glob("*/*.html"))
    if not pages and os.environ.get("CI"):
        raise RuntimeError(f"the shared corpus is missing: {CORPUS}")
    return pages + sorted((REPO / "source").glob("*.html"))


PAGES = corpus_pages()


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Config]:
    """One workspace per folder of pages, extracted, updated, filled with msgids."""
    return corpus_workspaces(tmp_path_factory, PAGES, TARGET, lambda entry, n: entry.msgid)


def comparable(root: etree._Element, localized: bool) -> list[tuple]:
    for link in root.xpath("//link[@rel='alternate'][@hreflang]"):
        _drop(link)
    if localized:
        for note in root.xpath(f"//*[@class='{ORIGIN_NOTE_CLASS}']"):
            _drop(note)
    for attr in ("lang", "dir"):
        root.attrib.pop(attr, None)
    return canonical(root, ignore_time_text=True)


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    prev = el.getprevious()
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_round_trip_gives_back_the_source_document(page: Path, workspaces) -> None:
    cfg = workspaces[page.parent]
    slug = page.stem
    po = read_catalog(cfg.catalog_file(TARGET, slug))
    assert all(e.msgstr == e.msgid for e in po)
    built = localize(cfg, slug, TARGET, versions=[TARGET])
    assert built.warnings == []
    source = read_html(page)
    segments = extract_segments(source)
    assert built.used == len(segments)  # every segment was rebuilt from its translation
    out = parse_html(built.data, "built.html")
    assert out.encoding == source.encoding  # written back in the page's own encoding
    out_root = out.root
    assert out_root.get("lang") == TARGET
    assert len(out_root.xpath(f"//*[@class='{ORIGIN_NOTE_CLASS}']")) == 1
    difference = first_difference(comparable(source.root, False), comparable(out_root, True))
    assert difference is None, f"{page.name}: {difference}"
