"""The approval checks spelt out for speed give what their plain definitions give:
`version_digest` over entry_key / active_entries / is_fuzzy, and
`completeness_problems` running both text checks on every translated entry."""

from __future__ import annotations

import json

import polib
from hypothesis import given, settings
from hypothesis import strategies as st

from l10n.catalog import active_entries, entry_key, is_fuzzy
from l10n.fsio import digest
from l10n.model import markup_problems, placeholder_problems
from l10n.review import completeness_problems, version_digest

_PIECES = ["<b1>", "</b1>", "<a2>", "</a2>", "<br3/>", "&amp;", "&lt;", "&nbsp;", "<i>",
           "</i>", "&#160;", "<", "&", "word", " ", "Ä", "<b1/>", "</a1>"]
texts = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)


@st.composite
def entries(draw) -> polib.POEntry:
    return polib.POEntry(
        msgid=draw(texts), msgstr=draw(texts),
        msgctxt=draw(st.sampled_from([None, "", "alt"])),
        flags=draw(st.sampled_from([[], ["fuzzy"], ["x", "fuzzy"]])),
        obsolete=draw(st.booleans()))


def catalog(items: list[polib.POEntry]) -> polib.POFile:
    po = polib.POFile()
    for number, e in enumerate(items, 1):
        e.linenum = number * 5
        po.append(e)
    return po


def plain_digest(template: polib.POFile, po: polib.POFile) -> str:
    payload = {
        "template": [list(entry_key(t)) for t in active_entries(template)],
        "catalog": [[*entry_key(e), e.msgstr, is_fuzzy(e)] for e in active_entries(po)],
    }
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + digest(data.encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.lists(entries(), max_size=8), st.lists(entries(), max_size=8))
def test_checks_give_their_plain_definitions(template_items, items) -> None:
    template, po = catalog(template_items), catalog(items)
    assert version_digest(template, po) == plain_digest(template, po)
    expected = []
    for e in active_entries(po):
        if e.msgstr:
            expected += [f"line {e.linenum}: {p}" for p in
                         placeholder_problems(e.msgid, e.msgstr)
                         + markup_problems(e.msgid, e.msgstr)]
    problems = completeness_problems(template, po)
    assert [p for p in problems if p.startswith("line ")] == expected
    # The summary lines come first, as before: out of date, untranslated, fuzzy.
    assert problems[len(problems) - len(expected):] == expected
