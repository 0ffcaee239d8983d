"""Localized pages from one serialization of an article, filled in per locale.

Merging an article into N locales used to parse, translate and serialize the whole
document N times. Most of a page is the same in every locale: only the segments'
text, translated attribute values, ``<time>`` texts, ``<html lang dir>``, and the
notes a page gets (origin note, draft notice, robots meta) differ. A `Skeleton` is
the article serialized once, with the locale-independent changes made (head, hreflang
links), as literal strings and numbered *holes* for those parts. A locale's page is
the skeleton with its holes filled from the catalog: the same bytes as
`apply_translations` & co. on a fresh parse followed by `serialize_html` (the
reference, still used by `l10n.merge.localize`, and tested against this).

The serializer (`to_pieces`) puts the holes where it would write those parts, so the
literal parts are written by the very code that writes every page. A few page
shapes whose note positions depend on the translation (text right inside the
holder of the notes, next to its last children) are not made into skeletons:
`build_skeleton` returns None and the caller takes the per-locale path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from .model import (
    MergeWarning,
    Segment,
    Token,
    placeholder_problems,
    placeholder_signature,
    tokenize,
    unescape_text,
)
from .segment import (
    _BAD_XML_CHARS_RE,
    RAW_TEXT_ELEMENTS,
    VOID_ELEMENTS,
    HtmlDocument,
    NodeMarks,
    SegmentMap,
    _Attr,
    _body,
    _escape_attr,
    _escape_text,
    _leading_space,
    _no_translate,
    _Run,
    _short,
    _text_problem,
    _trailing_space,
    _write_node,
    add_alternate_links,
    to_pieces,
)

# A piece of a skeleton: literal HTML, or the number of a hole.
Piece = str | int
# A catalog's usable translations: (msgctxt, msgid) -> (msgstr, line), see
# `l10n.catalog.translations`.
Table = Mapping[tuple[str | None, str], tuple[str, int]]

# Where a marker goes in a text slot at the same offset as another: notes before a
# segment's content, which starts after the end of a previous one.
_BEFORE, _RUN_END, _RUN_START, _AFTER = 0, 1, 2, 3


@dataclass(frozen=True)
class PageLocale:
    """What a localized page needs to know about its locale."""

    lang: str  # BCP 47, for <html lang> and the notes
    rtl: bool
    origin_note: str  # the origin note's text, and its CSS class
    origin_class: str
    format_time: Callable[[str], str | None]  # <time datetime> value -> text, or None
    draft_notice: str | None = None  # on a draft page, the notice's text, and its CSS class
    draft_class: str = ""


@dataclass
class _Placeholder:
    start: list[Piece] | None  # the start tag (with the element's attribute holes)
    end: str | None  # the end tag
    full: list[Piece]  # the whole element, without its tail
    datetime: str | None  # a <time datetime> whose text is localized if it has no child
    # `full` and `start` as one string, when they hold no hole (most do not).
    full_text: str | None = None
    start_text: str | None = None


@dataclass
class _RunPlan:
    seg: Segment
    key: tuple[str | None, str]
    hole: int
    lead_raw: bool  # the run's lead text is written as is (the text of a <xmp>, ...)
    placeholders: dict[str, _Placeholder] = field(default_factory=dict)
    source: list[Piece] = field(default_factory=list)  # the source content
    fixed: str | None = None  # the source content when it holds no hole
    signature: tuple[tuple[str, str], ...] | None = None  # the msgid's, once needed
    # For `_render_split`, once needed: the msgid's placeholder tags sorted, and each
    # placeholder's tags ("<a1>", "</a1>", "<a1/>") with their kind and placeholder.
    tags: list[str] | None = None
    tag_table: dict[str, tuple[int, _Placeholder]] | None = None


@dataclass
class _AttrPlan:
    seg: Segment
    key: tuple[str | None, str]
    hole: int
    value: str  # the source value
    lws: str
    tws: str


@dataclass
class _TimePlan:
    hole: int
    datetime: str


@dataclass
class _Notes:
    """Where the notes go and the whitespace they take (see `append_note`,
    `_append_in_style`, `add_meta`): each is a hole whose text depends on the locale."""

    draft: int  # before the holder's text
    origin: int  # after the holder's last child (or its text when it has none)
    robots: int  # after the head's last child (or its text), when there is no robots meta
    holder_text: str | None
    children: int  # the holder's, before the notes
    before: str | None  # the tail of the holder's last child but one, when it has two
    robots_html: str = ""  # what a draft page has at the robots hole
    robots_meta: int | None = None  # an existing robots meta's start tag, when there is one
    robots_meta_tags: tuple[str, str] = ("", "")  # its start tag: as it is, for a draft


@dataclass
class Skeleton:
    """An article serialized once, with holes for everything a locale changes."""

    pieces: list[Piece]
    source_values: list[str]  # by hole: an attribute's or a time's source text, else ""
    attrs: list[_AttrPlan]
    times: list[_TimePlan]
    runs: list[_RunPlan]
    root_hole: int
    root_tag: str
    root_items: list[tuple[str, Piece]]  # the <html> attributes, with their holes
    notes: _Notes
    encoding: str
    bom: bytes
    _encoded: list[bytes | int] | None = None  # the pieces encoded, once needed

    def original(self) -> bytes:
        """The page in its own language: every hole at its source value, no notes."""
        vals: list[str] = list(self.source_values)
        vals[self.root_hole] = self._root_start(vals, None)
        for run in self.runs:
            vals[run.hole] = run.fixed if run.fixed is not None else _fill(run.source, vals)
        notes = self.notes
        vals[notes.draft] = vals[notes.origin] = vals[notes.robots] = ""
        if notes.robots_meta is not None:
            vals[notes.robots_meta] = notes.robots_meta_tags[0]
        return self._encode(vals)

    def render(self, table: Table, catalog: str | None, locale: PageLocale
               ) -> tuple[bytes, list[MergeWarning], int]:
        """A localized page, the warnings about translations it could not use, and how
        many segments had a translation: what `apply_translations` (same warnings in
        the same order), `set_document_language`, `localize_times`, the notes and
        `serialize_html` give on a fresh parse."""
        vals: list[str] = list(self.source_values)
        warnings: list[MergeWarning] = []
        used = 0
        get = table.get
        for attr in self.attrs:
            found = get(attr.key)
            if found is None:
                continue
            used += 1
            text, line = found
            problem = _text_problem(text)
            if "<" in text and any(t.kind != "text" for t in tokenize(text)):
                problem = "placeholder in an attribute translation"
            if problem:
                warnings.append(MergeWarning(f"{problem}; kept the source text", catalog, line))
                continue
            value = unescape_text(text)
            if attr.value.strip():
                value = attr.lws + value + attr.tws
            vals[attr.hole] = _escape_attr(value)
        formatted: dict[str, str | None] = {}

        def time_text(value: str) -> str | None:
            if value not in formatted:
                formatted[value] = locale.format_time(value)
            return formatted[value]

        for time in self.times:
            text = time_text(time.datetime)  # type: ignore[assignment]
            if text:
                vals[time.hole] = _escape_text(text)
        vals[self.root_hole] = self._root_start(vals, locale)
        bad_chars = _BAD_XML_CHARS_RE.search  # (what `_text_problem` looks for)
        for run in reversed(self.runs):
            found = get(run.key)
            if found is not None:
                used += 1
                text, line = found
                msgid = run.seg.msgid
                bad = _text_problem(text) if bad_chars(text) else None
                if "<" not in text and "<" not in msgid:
                    if not bad:  # plain text, the common case
                        value = unescape_text(text) if "&" in text else text
                        vals[run.hole] = value if run.lead_raw else _escape_text(value)
                        continue
                    problems = [bad]
                else:
                    if not bad:
                        # Most translations with placeholders fit: rendered straight
                        # from a split of the text, else (to say why) as below.
                        value = _render_split(run, text, vals, time_text)
                        if value is not None:
                            vals[run.hole] = value
                            continue
                    tokens = tokenize(text)
                    if text == msgid:
                        problems = []  # a msgid's placeholders always fit
                    else:
                        if run.signature is None:
                            run.signature = placeholder_signature(msgid)
                        problems = placeholder_problems(msgid, text, run.signature, tokens)
                    if bad:
                        problems.append(bad)
                    if not problems:
                        vals[run.hole] = _render_tokens(run, tokens, vals, time_text)
                        continue
                warnings.append(MergeWarning(
                    f"{'; '.join(problems)} in translation of {_short(msgid)!r};"
                    " kept the source", catalog, line))
            vals[run.hole] = run.fixed if run.fixed is not None else _fill(run.source, vals)
        self._fill_notes(vals, locale)
        return self._encode(vals), warnings, used

    def _encode(self, vals: list[str]) -> bytes:
        if self.encoding != "utf-8":
            # (Another encoding may be stateful: the page is encoded in one piece.)
            text = "".join([p if p.__class__ is str else vals[p]  # type: ignore[misc]
                            for p in self.pieces])
            if not text.endswith("\n"):
                text += "\n"
            return self.bom + text.encode(self.encoding, errors="xmlcharrefreplace")
        # UTF-8 encodes each character on its own: the literal pieces are encoded once
        # for every locale, and only the holes' values for each.
        encoded = self._encoded
        if encoded is None:
            encoded = self._encoded = [
                p.encode("utf-8", "xmlcharrefreplace") if p.__class__ is str else p
                for p in self.pieces]
        chunks = [p if p.__class__ is bytes else vals[p].encode(  # type: ignore[index]
            "utf-8", "xmlcharrefreplace") for p in encoded]
        for chunk in reversed(chunks):  # ends with a newline, as `serialize_html` sees to
            if chunk:
                if not chunk.endswith(b"\n"):
                    chunks.append(b"\n")
                break
        else:
            chunks.append(b"\n")
        if self.bom:
            chunks.insert(0, self.bom)
        return b"".join(chunks)

    def _root_start(self, vals: list[str], locale: PageLocale | None) -> str:
        """The <html> start tag; for a locale, with lang and dir as
        `set_document_language` sets them (a new attribute goes last)."""
        items = [(name, value if value.__class__ is str else vals[value])  # type: ignore[index]
                 for name, value in self.root_items]
        if locale is not None:
            _set(items, "lang", _escape_attr(locale.lang))
            current = dict(items).get("dir")
            if locale.rtl:
                _set(items, "dir", "rtl")
            elif current is not None and current.lower() == "rtl":
                _set(items, "dir", "ltr")
        return f"<{self.root_tag}" + "".join(f' {n}="{v}"' for n, v in items) + ">"

    def _fill_notes(self, vals: list[str], locale: PageLocale) -> None:
        notes = self.notes
        origin = _note_html(locale.origin_note, locale.origin_class, locale)
        text = notes.holder_text
        blank = bool(text) and not text.strip()  # type: ignore[union-attr]
        draft = locale.draft_notice is not None
        if draft:
            # append_note(at_start=True): the holder's blank text is kept on both sides
            # of the notice; otherwise a newline is, and any text follows the notice.
            notice = _note_html(locale.draft_notice, locale.draft_class, locale)  # type: ignore[arg-type]
            vals[notes.draft] = text + notice if blank else "\n" + notice + "\n"  # type: ignore[operator]
            lead = text if blank else "\n"
        else:
            vals[notes.draft] = ""
        if notes.children == 0:
            # _append_in_style into a holder with no child (or only the notice).
            vals[notes.origin] = origin + (lead if draft else text if blank else "")  # type: ignore[operator]
        else:
            # The indent is the whitespace before the last child: the tail of the one
            # before it, or the holder's text (the notice's tail, on a draft).
            before = notes.before if notes.children > 1 else (lead if draft else text)
            vals[notes.origin] = _indent(before) + origin
        if notes.robots_meta is not None:
            vals[notes.robots] = ""
            vals[notes.robots_meta] = notes.robots_meta_tags[1 if draft else 0]
        else:
            vals[notes.robots] = notes.robots_html if draft else ""


def _set(items: list[tuple[str, str]], name: str, value: str) -> None:
    for i, (key, _) in enumerate(items):
        if key == name:
            items[i] = (name, value)
            return
    items.append((name, value))


def _indent(before: str | None) -> str:
    # _append_in_style: the whitespace before the last child, else a newline.
    return before if before is not None and not before.strip() else "\n"


def _note_html(text: str, css_class: str, locale: PageLocale) -> str:
    return _note_of(text, css_class, locale.lang, locale.rtl)


@lru_cache(maxsize=256)
def _note_of(text: str, css_class: str, lang: str, rtl: bool) -> str:
    # The same few notes on every page of a locale: written once each.
    note = etree.Element("p", {"class": css_class, "lang": lang, "dir": "rtl" if rtl else "ltr"})
    note.text = text
    out: list[str] = []
    _write_node(note, out)
    return "".join(out)


def _fill(pieces: list[Piece], vals: list[str]) -> str:
    return "".join([p if p.__class__ is str else vals[p]  # type: ignore[misc]
                    for p in pieces])


class _Frame:
    __slots__ = ("child", "datetime", "mark", "ph", "text")

    def __init__(self, ph: _Placeholder, mark: int):
        self.ph = ph
        self.mark = mark  # where its content starts in the output
        self.child = False
        self.datetime = ph.datetime
        self.text: list[str] = []


def _render_tokens(run: _RunPlan, tokens: list[Token], vals: list[str],
                   time_text: Callable[[str], str | None]) -> str:
    """A run's content from a usable translation's tokens, as `_rebuild` and the
    serializer would write it (``<time datetime>`` localized as `localize_times` does)."""
    out: list[str] = []
    stack: list[_Frame] = []
    lead = True  # no element written yet at the run's own level: text is the lead
    placeholders = run.placeholders
    for tok in tokens:
        kind = tok.kind
        if kind == "text":
            value = tok.value
            if not value:
                continue
            if stack:
                # (Placeholders that are opened are inline elements: none is raw text.)
                frame = stack[-1]
                if frame.datetime is not None and not frame.child:
                    frame.text.append(value)
                out.append(_escape_text(value))
            else:
                out.append(value if lead and run.lead_raw else _escape_text(value))
            continue
        if kind == "close":
            frame = stack.pop()
            if frame.datetime is not None and not frame.child and "".join(frame.text).strip():
                text = time_text(frame.datetime)
                if text:
                    del out[frame.mark:]
                    out.append(_escape_text(text))
            out.append(frame.ph.end)  # type: ignore[arg-type]
            continue
        ph = placeholders[tok.value]
        if stack:
            stack[-1].child = True
        else:
            lead = False
        if kind == "empty":
            out.append(_fill(ph.full, vals))
        else:
            out.append(_fill(ph.start, vals))  # type: ignore[arg-type]
            stack.append(_Frame(ph, len(out)))
    return "".join(out)


# A placeholder tag as a whole (the pattern of `PLACEHOLDER_RE`, one group): splitting
# a message with it gives text and tags by turns.
_TAG_SPLIT_RE = re.compile(r"(</?[a-z]+(?:-[a-z]+)*\d+/?>)")
_OPEN, _CLOSE, _EMPTY = 0, 1, 2


def _tag_table(run: _RunPlan) -> dict[str, tuple[int, _Placeholder]]:
    table: dict[str, tuple[int, _Placeholder]] = {}
    for name, ph in run.placeholders.items():
        table[f"<{name}>"] = (_OPEN, ph)
        table[f"</{name}>"] = (_CLOSE, ph)
        table[f"<{name}/>"] = (_EMPTY, ph)
    return table


def _render_split(run: _RunPlan, text: str, vals: list[str],
                  time_text: Callable[[str], str | None]) -> str | None:
    """A run's content from a translation whose placeholders fit, as `_render_tokens`
    writes it from the tokens; None when they may not fit (`placeholder_problems` then
    says why) or the text holds something else that looks like a tag.

    The translation's tags, sorted, are the msgid's, each tag is one of the run's
    placeholders and they nest: `placeholder_problems` would find nothing.
    """
    parts = _TAG_SPLIT_RE.split(text)
    tags = run.tags
    if tags is None:
        tags = run.tags = sorted(_TAG_SPLIT_RE.split(run.seg.msgid)[1::2])
    if len(parts) != 2 * len(tags) + 1 or (tags and sorted(parts[1::2]) != tags):
        return None
    table = run.tag_table
    if table is None:
        table = run.tag_table = _tag_table(run)
    out: list[str] = []
    stack: list[_Frame] = []
    lead = True  # no element written yet at the run's own level: text is the lead
    tag = False  # parts alternate: text, tag, text, ...
    for part in parts:
        if tag:
            tag = False
            found = table.get(part)
            if found is None:
                return None
            kind, ph = found
            if kind == _CLOSE:
                if not stack or stack[-1].ph is not ph or ph.end is None:
                    return None
                frame = stack.pop()
                if (frame.datetime is not None and not frame.child
                        and "".join(frame.text).strip()):
                    when = time_text(frame.datetime)
                    if when:
                        del out[frame.mark:]
                        out.append(_escape_text(when))
                out.append(ph.end)
                continue
            if stack:
                stack[-1].child = True
            else:
                lead = False
            if kind == _EMPTY:
                full = ph.full_text
                out.append(full if full is not None else _fill(ph.full, vals))
            else:
                start = ph.start_text
                if start is None:
                    if ph.start is None:
                        return None
                    start = _fill(ph.start, vals)
                out.append(start)
                stack.append(_Frame(ph, len(out)))
            continue
        tag = True
        if not part:
            continue
        if "&" in part:
            part = unescape_text(part)
        if stack:
            # (Placeholders that are opened are inline elements: none is raw text.)
            frame = stack[-1]
            if frame.datetime is not None and not frame.child:
                frame.text.append(part)
            out.append(_escape_text(part))
        else:
            out.append(part if lead and run.lead_raw else _escape_text(part))
    if stack:
        return None
    return "".join(out)


# ------------------------------------------------------------------------- building


_HTML_SPACE = " \t\n\r\f"  # as `_leading_space` and `_trailing_space` strip it


def build_skeleton(doc: HtmlDocument, segments: SegmentMap, links: list[tuple[str, str]]
                   ) -> Skeleton | None:
    """The skeleton of a parsed article whose segments are ``segments`` (found on this
    parse or another of the same bytes), with ``links`` as its hreflang alternates.
    Adds the head (if missing) and the links to ``doc``, as `add_alternate_links` does.
    None when the page has a shape the skeleton does not cover."""
    root = doc.root
    pairs = segments.bind(doc)
    article = next(root.iter("article"), None)
    holder = article if article is not None else _body(doc)
    if holder is root or not isinstance(root.tag, str):
        return None
    kids = list(holder)
    text = holder.text
    if not kids and text and text.strip():
        return None
    head = root.find("head")
    # The notes' places depend on the translation when a run reaches them (text right
    # inside the holder, or around its last two children): not covered.
    near_end = set(kids[-2:])
    holder_slots = {(holder, "text"), *((el, "tail") for el in kids[-2:-1])}
    marks: dict[etree._Element, NodeMarks] = {}

    def mark(el: etree._Element) -> NodeMarks:
        m = marks.get(el)
        if m is None:
            m = marks[el] = NodeMarks()
        return m

    # Text slots (element, "text" or "tail") -> markers at offsets of the slot's text.
    cuts: dict[tuple[etree._Element, str], list[tuple[int, int, object]]] = {}

    def cut(el: etree._Element, kind: str, offset: int, order: int, marker: object) -> None:
        cuts.setdefault((el, kind), []).append((offset, order, marker))

    holes = 0

    def new_hole() -> int:
        nonlocal holes
        holes += 1
        return holes - 1

    attrs: list[_AttrPlan] = []
    runs: list[_RunPlan] = []
    elements: dict[int, dict[str, etree._Element]] = {}  # each run's placeholders
    get_mark = marks.get
    get_cuts = cuts.get
    for seg, slot in pairs:
        # (The hot loop of a build: `mark`, `cut` and `new_hole` written out.)
        if slot.__class__ is _Attr:
            el = slot.element
            value = el.get(slot.name) or ""
            hole = holes
            holes += 1
            attrs.append(_AttrPlan(seg, seg.key, hole, value, _leading_space(value),
                                   _trailing_space(value)))
            m = get_mark(el)
            if m is None:
                m = marks[el] = NodeMarks()
            if m.attrs is None:
                m.attrs = {}
            m.attrs[slot.name] = hole
            continue
        run: _Run = slot  # type: ignore[assignment]
        hole = holes
        holes += 1
        parent, start, end, run_kids = run.parent, run.start, run.end, run.kids
        if start == 0:
            lead_slot = (parent, "text")
            lead = parent.text or ""
            lead_raw = parent.tag in RAW_TEXT_ELEMENTS
        else:
            lead_slot = (run_kids[start - 1], "tail")
            lead = lead_slot[0].tail or ""
            lead_raw = False
        if end == start:
            trail_slot, trail = lead_slot, lead
        else:
            trail_slot = (run_kids[end - 1], "tail")
            trail = trail_slot[0].tail or ""
        plan = _RunPlan(seg, seg.key, hole, lead_raw)
        runs.append(plan)
        found = get_cuts(lead_slot)
        if found is None:
            found = cuts[lead_slot] = []
        found.append((len(lead) - len(lead.lstrip(_HTML_SPACE)), _RUN_START, ("run<", hole)))
        found = get_cuts(trail_slot)
        if found is None:
            found = cuts[trail_slot] = []
        found.append((len(trail.rstrip(_HTML_SPACE)), _RUN_END, ("run>", hole)))
        if parent is holder and (
                lead_slot in holder_slots or trail_slot in holder_slots
                or not near_end.isdisjoint(run_kids[start:end])):
            return None
        if parent is head and head is not None:
            return None
        placeholders = elements[hole] = run.placeholders
        if placeholders:
            for name, el in placeholders.items():
                m = get_mark(el)
                if m is None:
                    m = marks[el] = NodeMarks()
                m.track = True
                plan.placeholders[name] = _Placeholder(
                    None, None, [],
                    (el.get("datetime") or None) if el.tag == "time" else None)
    source_values = [""] * holes
    for attr in attrs:
        source_values[attr.hole] = _escape_attr(attr.value)

    # <time datetime> elements whose text localize_times rewrites (those not inside
    # an element marked not to translate: few pages have a <time>, so its ancestors are
    # looked at rather than every element marked so).
    times: list[_TimePlan] = []
    for el in root.iter("time"):
        value = el.get("datetime")
        if (not value or len(el) or not (el.text or "").strip() or _no_translate(el)
                or any(_no_translate(up) for up in el.iterancestors())):
            continue
        hole = new_hole()
        source_values.append(_escape_text(el.text))
        times.append(_TimePlan(hole, value))
        mark(el).text = [hole]

    root_hole = new_hole()
    root_items: list[tuple[str, Piece]] = []
    root_attrs = marks[root].attrs if root in marks and marks[root].attrs else {}
    for name, value in root.items():
        root_items.append((name, root_attrs.get(name, _escape_attr(value))))
    mark(root).start = root_hole
    draft, origin, robots = new_hole(), new_hole(), new_hole()
    source_values += [""] * (holes - len(source_values))

    # The notes: the draft notice first in the holder, the origin note last.
    cut(holder, "text", 0, _BEFORE, draft)
    if kids:
        cut(kids[-1], "tail", 0, _BEFORE, origin)
    else:
        cut(holder, "text", len(text or ""), _AFTER, origin)
    notes = _Notes(draft, origin, robots, holder_text=text, children=len(kids),
                   before=kids[-2].tail if len(kids) > 1 else None)
    if not _place_head_notes(doc, head, notes, links, mark, cut, new_hole):
        return None
    source_values += [""] * (holes - len(source_values))

    for (el, kind), found in cuts.items():
        value = (el.text if kind == "text" else el.tail) or ""
        found.sort(key=lambda item: (item[0], item[1]))
        pieces: list[object] = []
        at = 0
        for offset, _, marker in found:
            pieces.append(value[at:offset])
            pieces.append(marker)
            at = offset
        pieces.append(value[at:])
        m = mark(el)
        if kind == "text":
            if m.text is not None:
                return None  # a <time> text that is also a segment's: not expected
            m.text = pieces
        else:
            m.tail = pieces

    flat = to_pieces(doc.tree, marks)
    top = _take_runs(flat, runs, elements, {draft, origin, robots})
    if top is None:
        return None
    return Skeleton(top, source_values, attrs, times, runs, root_hole, root.tag,
                    root_items, notes, doc.encoding, doc.bom)


def _place_head_notes(doc: HtmlDocument, head: etree._Element | None, notes: _Notes,
                      links: list[tuple[str, str]], mark: Callable[[etree._Element], NodeMarks],
                      cut: Callable[..., None], new_hole: Callable[[], int]) -> bool:
    """Add the head and the hreflang links (the same in every locale), and find where
    a draft's robots meta goes: `add_meta` runs before `add_alternate_links`, so the
    meta comes before the links, with the indent the links get."""
    if head is not None:
        kids, text = list(head), head.text
        existing = next((el for el in head.iter("meta")
                         if (el.get("name") or "").lower() == "robots"), None)
    else:
        kids, text, existing = [], "\n", None  # the head `_head` makes
    if existing is not None and mark(existing).attrs:
        return False
    add_alternate_links(doc, links)
    head = doc.root.find("head")
    assert head is not None
    added = len(head) - len(kids)
    meta = head.makeelement("meta", {"name": "robots", "content": "noindex"})
    if existing is not None:
        items = [(name, _escape_attr(value)) for name, value in existing.items()]
        as_is = "<meta" + "".join(f' {n}="{v}"' for n, v in items) + ">"
        _set(items, "content", "noindex")
        notes.robots_meta = new_hole()
        notes.robots_meta_tags = (as_is, "<meta" + "".join(f' {n}="{v}"' for n, v in items) + ">")
        mark(existing).start = notes.robots_meta
        return True
    out: list[str] = []
    _write_node(meta, out)
    html = "".join(out)
    if kids:
        before = kids[-2].tail if len(kids) > 1 else text
        notes.robots_html = _indent(before) + html
        cut(kids[-1], "tail", 0, _BEFORE, notes.robots)
    else:
        blank = text if text and not text.strip() else ""
        notes.robots_html = html + (_indent(text) if added else blank)
        cut(head, "text", len(head.text or ""), _AFTER, notes.robots)
    return True


def _take_runs(flat: list[object], runs: list[_RunPlan],
               elements: dict[int, dict[str, etree._Element]], notes: set[int]
               ) -> list[Piece] | None:
    """The page's pieces with each run's content taken out into its plan (its source
    content, and each placeholder's start tag, end tag and whole element)."""
    by_hole = {plan.hole: plan for plan in runs}
    # Most pieces are strings: the others are found once, the strings between them
    # joined slice by slice.
    at = [i for i, p in enumerate(flat) if p.__class__ is not str]
    top: list[Piece] = []
    taken = 0
    done = 0  # flat[:done] is in top
    k, n = 0, len(at)
    while k < n:
        i = at[k]
        piece = flat[i]
        top.append("".join(flat[done:i]))  # type: ignore[arg-type]
        if piece.__class__ is int:
            top.append(piece)  # type: ignore[arg-type]
            done, k = i + 1, k + 1
            continue
        kind, hole = piece  # type: ignore[misc]
        end = k + 1
        while end < n and not (flat[at[end]].__class__ is tuple
                               and flat[at[end]][0] == "run>"):  # type: ignore[index]
            end += 1
        if kind != "run<" or end == n or flat[at[end]][1] != hole:  # type: ignore[index]
            return None  # a marker out of place: not expected
        j = at[end]
        plan = by_hole[hole]
        if end == k + 1:  # nothing but text and closed elements: no placeholder, no hole
            plan.fixed = "".join(flat[i + 1:j])  # type: ignore[arg-type]
            plan.source = [plan.fixed]
        else:
            region = flat[i + 1:j]
            if any(p.__class__ is int and p in notes for p in region):
                return None  # a note inside a segment: its place depends on the translation
            if not _take_run(plan, region, elements[hole]):
                return None
        top.append(hole)
        taken += 1
        done, k = j + 1, end + 1
    top.append("".join(flat[done:]))  # type: ignore[arg-type]
    if taken != len(runs):
        return None
    return [p for p in top if p != ""]


def _take_run(plan: _RunPlan, region: list[object], elements: dict[str, etree._Element]
              ) -> bool:
    at = {p: k for k, p in enumerate(region) if p.__class__ is tuple}
    for name, el in elements.items():
        begin, end = at[("begin", el)], at[("end", el)]
        opened, closed = at.get(("open", el)), at.get(("close", el))
        ph = plan.placeholders[name]
        ph.full = _merge(region[begin + 1:end])
        ph.full_text = _fixed(ph.full)
        if opened is not None and closed is not None:
            if el.tag in VOID_ELEMENTS:
                return False  # emptied by a translation, it would be written as void
            ph.start = _merge(region[begin + 1:opened])
            ph.start_text = _fixed(ph.start)
            ph.end = "".join(region[closed + 1:end])  # type: ignore[arg-type]
    plan.source = _merge(region)
    if all(p.__class__ is str for p in plan.source):
        plan.fixed = "".join(plan.source)  # type: ignore[arg-type]
    return True


def _fixed(pieces: list[Piece]) -> str | None:
    """Pieces as one string, when they hold no hole."""
    if all(p.__class__ is str for p in pieces):
        return "".join(pieces)  # type: ignore[arg-type]
    return None


def _merge(pieces: list[object]) -> list[Piece]:
    """Markers dropped, neighbouring strings joined."""
    out: list[Piece] = []
    buf: list[str] = []
    for p in pieces:
        if p.__class__ is str:
            buf.append(p)  # type: ignore[arg-type]
        elif p.__class__ is int:
            if buf:
                out.append("".join(buf))
                buf = []
            out.append(p)  # type: ignore[arg-type]
    if buf:
        out.append("".join(buf))
    return out
