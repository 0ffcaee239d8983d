"""The segment walk on real pages: every segment comes with a slot that points at
exactly what it was made of; a second parse of the same page gives the same places
(what merge relies on); and what the walk finds on every page is pinned by a
fingerprint, so that work on its speed cannot change its results unnoticed.

After a deliberate change to what is extracted, rewrite the fingerprints with
L10N_UPDATE_GOLDEN=1 and review the golden and round-trip tests' results too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, REPO

from l10n.errors import HtmlError
from l10n.model import tokenize
from l10n.segment import HtmlDocument, SegmentMap, _Attr, _Run, _walk, parse_html

FINGERPRINTS = DATA / "walk-fingerprints.json"
_WS_RE = re.compile(r"[ \t\n\r\f]+")


def _pages() -> list[tuple[str, Path]]:
    corpus = sorted(CORPUS.glob("*/*.html"))
    if not corpus and os.environ.get("CI"):
        raise RuntimeError(f"the shared corpus is missing: {CORPUS}")
    pages = [(f"corpus/{p.parent.name}/{p.name}", p) for p in corpus]
    for folder, label in ((REPO / "source", "source"), (DATA / "golden", "golden"),
                          (REPO / "tests" / "badinput", "badinput")):
        pages += [(f"{label}/{p.name}", p) for p in sorted(folder.glob("*.html"))
                  if ".expect" not in p.name]
    return pages


@cache
def _variant_html() -> object:
    # The benchmark's generated articles: the same markup with other sentences.
    spec = importlib.util.spec_from_file_location("bench_corpus",
                                                  REPO / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]  (its dataclasses need it)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.variant_html


PAGES = _pages()


@cache
def page_bytes(name: str) -> bytes:
    """A page of the test set by name; ``name#vN`` is the benchmark's variant N."""
    base, _, seed = name.partition("#v")
    data = dict(PAGES)[base].read_bytes()
    return _variant_html()(data, int(seed)) if seed else data  # type: ignore[operator]


CASES = [name for name, _ in PAGES]
CASES += [f"{name}#v1" for name, _ in PAGES if not name.startswith("badinput/")]


def parse(name: str) -> HtmlDocument | None:
    try:
        return parse_html(page_bytes(name), name)
    except HtmlError:
        return None


def describe(doc: HtmlDocument) -> list[list]:
    """The walk's results, with elements as their positions in the document."""
    index = {el: i for i, el in enumerate(doc.root.iter())}
    out: list[list] = []
    for seg, slot in _walk(doc.root):
        item: list = [seg.msgid, seg.context, seg.element, seg.line, list(seg.notes)]
        if isinstance(slot, _Attr):
            item.append(["attr", index[slot.element], slot.name])
        else:
            item.append(["run", index[slot.parent], slot.start, slot.end,
                         [[k, index[v]] for k, v in slot.placeholders.items()]])
        out.append(item)
    return out


def fingerprint(doc: HtmlDocument | None) -> str:
    found = "not HTML" if doc is None else describe(doc)
    return hashlib.sha256(json.dumps(found, ensure_ascii=False).encode()).hexdigest()[:24]


def run_text(run: _Run, msgid: str) -> str:
    """The text a run's segment stands for, taken from the document: the run's text
    and that of the elements it opens up, not that of those it copies whole
    (empty placeholders in the msgid)."""
    copied = {el for name, el in run.placeholders.items() if f"<{name}/>" in msgid}
    pieces = [run.lead()]
    stack: list = list(reversed(run.kids[run.start:run.end]))
    while stack:
        el = stack.pop()
        if isinstance(el, str):
            pieces.append(el)
        elif el in copied:
            pieces.append(el.tail or "")
        else:
            pieces.append(el.text or "")
            stack.append(el.tail or "")
            stack.extend(reversed(list(el)))
    return _WS_RE.sub(" ", "".join(pieces)).strip(" ")


@pytest.mark.parametrize("name", CASES)
def test_every_slot_holds_what_its_segment_says(name: str) -> None:
    doc = parse(name)
    if doc is None:
        pytest.skip("not a page the parser accepts")
    pairs = list(_walk(doc.root))
    for seg, slot in pairs:
        tokens = tokenize(seg.msgid)
        text = "".join(t.value for t in tokens if t.kind == "text")
        if isinstance(slot, _Attr):
            value = slot.element.get(slot.name) or ""
            assert text == _WS_RE.sub(" ", value).strip(" ")
            assert seg.context is not None and tokens == [tokens[0]]
            continue
        assert isinstance(slot, _Run)
        assert slot.kids == list(slot.parent)
        assert 0 <= slot.start <= slot.end <= len(slot.kids)
        # Placeholders are numbered in document order, and each one is inside the run.
        names = [t.value for t in tokens if t.kind in ("open", "empty")]
        assert names == list(slot.placeholders)
        assert [int(re.sub(r"^\D+", "", n)) for n in names] == list(range(1, len(names) + 1))
        inside = set(slot.kids[slot.start:slot.end])
        for el in slot.placeholders.values():
            assert el in inside or any(a in inside for a in el.iterancestors())
        assert run_text(slot, seg.msgid) == _WS_RE.sub(" ", text).strip(" "), seg.msgid


@pytest.mark.parametrize("name", CASES[::4])
def test_segment_map_binds_to_a_fresh_parse_as_the_walk_finds(name: str) -> None:
    first, second = parse(name), parse(name)
    if first is None or second is None:
        pytest.skip("not a page the parser accepts")
    bound = SegmentMap(first).bind(second)
    walked = list(_walk(second.root))
    assert [seg for seg, _ in bound] == [seg for seg, _ in walked]
    for (_, a), (_, b) in zip(bound, walked, strict=True):
        assert type(a) is type(b)
        if isinstance(a, _Attr):
            assert (a.element, a.name) == (b.element, b.name)  # type: ignore[union-attr]
        else:
            assert (a.parent, a.start, a.end, a.placeholders, a.kids) == (  # type: ignore[union-attr]
                b.parent, b.start, b.end, b.placeholders, b.kids)  # type: ignore[union-attr]


def test_the_walk_finds_what_it_found_before() -> None:
    """Every page, and a generated variant of it, against its recorded fingerprint."""
    current = {name: {"page": hashlib.sha256(page_bytes(name)).hexdigest()[:16],
                      "walk": fingerprint(parse(name))} for name in CASES}
    if os.environ.get("L10N_UPDATE_GOLDEN") == "1":
        recorded = json.loads(FINGERPRINTS.read_text()) if FINGERPRINTS.exists() else {}
        recorded.update(current)
        FINGERPRINTS.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        return
    recorded = json.loads(FINGERPRINTS.read_text())
    changed = [name for name, now in current.items()
               if name in recorded and recorded[name]["page"] == now["page"]
               and recorded[name]["walk"] != now["walk"]]
    assert changed == [], f"the walk finds other segments or slots on {changed}"
    unknown = [name for name, now in current.items()
               if recorded.get(name, {}).get("page") != now["page"]]
    assert unknown == [], f"no fingerprint recorded for these pages: {unknown}"
    # The fingerprints are not vacuous: most pages have segments.
    assert len({now["walk"] for now in current.values()}) > len(current) // 2


def test_fingerprints_tell_a_changed_slot() -> None:
    doc = parse("source/" + sorted((REPO / "source").glob("*.html"))[0].name)
    assert doc is not None
    before = fingerprint(doc)
    # Moving a paragraph's text into its first child changes where a segment sits.
    p = next(el for el in doc.root.iter("p") if (el.text or "").strip() and len(el))
    p[0].text = p.text + (p[0].text or "")
    p.text = None
    assert fingerprint(doc) != before
