"""The template's bytes made straight from segments, against the polib way:
``render_catalog(build_template(...))``, and ``same_content`` for the check that keeps
an unchanged template's old bytes (its dates included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, msgfmt_check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_po_io import texts

from l10n.catalog import (
    TemplateText,
    build_template,
    render_catalog,
    same_content,
    template_bytes,
)
from l10n.model import Segment
from l10n.segment import extract_segments, read_html

STAMP = "2026-01-02 03:04+0000"
PAGES = sorted(CORPUS.rglob("*.html"))


def reference(segments: list[Segment], ref: str, lang: str, slug: str,
              created: str = STAMP, revised: str = "") -> bytes:
    pot = build_template(segments, ref, lang, slug)
    pot.metadata["POT-Creation-Date"] = created
    pot.metadata["PO-Revision-Date"] = revised
    return render_catalog(pot)


def test_corpus_is_there() -> None:
    assert len(PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_corpus_page_gives_the_polib_bytes(page: Path, tmp_path: Path) -> None:
    segments = extract_segments(read_html(page))
    ref = f"source/{page.name}"
    expected = reference(segments, ref, "de", page.stem)
    ours = template_bytes(segments, ref, "de", page.stem, STAMP)
    assert ours == expected
    text = TemplateText(segments, ref, "de", page.stem)
    assert text.entries == len(build_template(segments, ref, "de", page.stem))
    target = tmp_path / "t.pot"
    target.write_bytes(ours)
    msgfmt_check(target)
    # Unchanged but for the dates: the old bytes stay, as same_content decided.
    later = reference(segments, ref, "de", page.stem, "2027-05-06 07:08+0200", "x")
    assert text.same_as(later) and same_content(build_template(segments, ref, "de",
                                                               page.stem), later)
    if segments:
        fewer = reference(segments[:-1], ref, "de", page.stem)
        assert text.same_as(fewer) == same_content(
            build_template(segments, ref, "de", page.stem), fewer)


_ELEMENTS = st.sampled_from(["p", "h2", "img@alt", "meta[og:title]", "a-b-c", "li"])


@st.composite
def segment_lists(draw) -> list[Segment]:
    msgids = draw(st.lists(texts(min_size=1).filter(bool), min_size=0, max_size=5))
    found = []
    for _ in range(draw(st.integers(0, 12))):
        if not msgids:
            break
        found.append(Segment(
            msgid=draw(st.sampled_from(msgids)),
            context=draw(st.one_of(st.none(), st.sampled_from(["alt", "title", ""]))),
            element=draw(_ELEMENTS),
            line=draw(st.integers(1, 100_000)),
            notes=tuple(draw(st.lists(st.one_of(st.just(""), texts()), max_size=3)))))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segment_lists(),
       st.sampled_from(["source/a.html", "source/long-name-with-hyphens-" + "x" * 60 + ".html",
                        "a b.html"]),
       st.sampled_from(["en", "de", "ja"]),
       st.sampled_from(["a", "story-1", "x" * 90]),
       st.sampled_from([STAMP, "", " spaced ", 'quo"te\\']),
       st.sampled_from(["", "2026-03-04 05:06+0100", "back\\slash"]))
def test_random_segments_give_the_polib_bytes_and_the_same_verdict(
        segments: list[Segment], ref: str, lang: str, slug: str, created: str,
        revised: str) -> None:
    text = TemplateText(segments, ref, lang, slug)
    assert text.render(STAMP) == reference(segments, ref, lang, slug)
    assert text.render(created, revised) == reference(segments, ref, lang, slug, created,
                                                      revised)
    pot = build_template(segments, ref, lang, slug)
    assert text.entries == len(pot)
    old = reference(segments, ref, lang, slug, created, revised)
    # Whether or not the bytes read back (random notes may hold a NUL or a carriage
    # return, which real pages do not give), the verdict is same_content's.
    for candidate in (old, reference(segments[1:], ref, lang, slug, created, revised),
                      reference(segments, ref, lang, slug + "2", created), None, b"\xff",
                      old.replace(b"POT-Creation-Date", b"X-Other"), b"garbage"):
        assert text.same_as(candidate) == same_content(
            build_template(segments, ref, lang, slug), candidate), candidate
