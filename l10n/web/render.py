"""Segment text as HTML for the desk: placeholders as labelled chips, word diffs.

Everything that comes from a PO file is escaped here before it is marked safe.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from markupsafe import Markup, escape

from ..model import PLACEHOLDER_RE, Token, tokenize
from ..review import QueueItem

# What a reviewer calls the element behind a placeholder.
KIND_LABELS = {
    "a": "link", "em": "emphasis", "i": "italic", "strong": "bold", "b": "bold",
    "u": "underline", "s": "struck", "del": "deleted", "ins": "inserted", "mark": "highlight",
    "small": "small", "big": "big", "sup": "superscript", "sub": "subscript",
    "abbr": "abbreviation", "acronym": "abbreviation", "q": "quote", "cite": "citation",
    "code": "code", "kbd": "keys", "samp": "output", "var": "variable", "dfn": "term",
    "time": "date", "span": "span", "font": "font", "br": "line break", "wbr": "word break",
    "img": "image", "c": "comment", "data": "data", "bdi": "isolated", "bdo": "direction",
    "svg": "graphic", "math": "formula", "input": "field", "button": "button",
    "label": "label", "select": "list", "picture": "picture", "video": "video",
    "audio": "audio", "iframe": "embed", "object": "embed", "ruby": "ruby", "rt": "ruby text",
}
COLOURS = 6  # chip colours
# The colour of a placeholder follows its kind, so a link is blue in every column and
# every entry; other kinds get one picked from their name.
KIND_COLOURS = {"a": 0, "em": 2, "i": 2, "strong": 3, "b": 3, "time": 4, "data": 4,
                "code": 5, "kbd": 5, "samp": 5, "var": 5, "abbr": 1, "sup": 1, "sub": 1}

_NAME_RE = re.compile(r"^([a-z]+(?:-[a-z]+)*)(\d+)$")
_NOTE_RE = re.compile(r"^([a-z]+(?:-[a-z]+)*\d+):\s*(.+)$")


def kind_label(tag: str) -> str:
    return KIND_LABELS.get(tag, tag)


def placeholder_notes(note: str) -> dict[str, str]:
    """What the extracted comment says about opaque placeholders: ``time1: 20. Nov``."""
    found = {}
    for line in note.split("\n")[1:]:
        m = _NOTE_RE.match(line.strip())
        if m:
            found[m.group(1)] = m.group(2)
    return found


def _well_nested(tokens: Sequence[Token]) -> bool:
    stack: list[str] = []
    for tok in tokens:
        if tok.kind == "open":
            stack.append(tok.value)
        elif tok.kind == "close" and (not stack or stack.pop() != tok.value):
            return False
    return not stack


def colour(name: str) -> int:
    """The chip colour of a placeholder such as ``a1`` (the same for its pair)."""
    m = _NAME_RE.match(name)
    tag = m.group(1) if m else name
    if tag in KIND_COLOURS:
        return KIND_COLOURS[tag]
    return zlib.crc32(tag.encode("utf-8")) % COLOURS


def chip(tok: Token, notes: dict[str, str] | None = None) -> Markup:
    """One placeholder as a pill: ``<a1>`` -> "link 1", coloured by its number so that
    an opening and its closing chip look alike."""
    m = _NAME_RE.match(tok.value)
    label = f"{kind_label(m.group(1))} {int(m.group(2))}" if m else tok.value
    raw = {"open": f"<{tok.value}>", "close": f"</{tok.value}>",
           "empty": f"<{tok.value}/>"}[tok.kind]
    where = {"open": "start of ", "close": "end of ", "empty": ""}[tok.kind]
    title = raw
    if notes and tok.value in notes:
        title += f" — {notes[tok.value]}"
    return Markup(
        '<span class="ph ph-{kind} ph-c{colour}" data-ph="{name}" title="{title}"'
        ' aria-label="{aria}">{label}</span>'
    ).format(kind=tok.kind, colour=colour(tok.value), name=tok.value, title=title,
             aria=where + label, label=label)


def chips(message: str, note: str = "", nested: bool = True) -> Markup:
    """A msgid or msgstr as HTML: text escaped, placeholders as chips, and the text
    between an opening and closing pair underlined in the pair's colour."""
    tokens = tokenize(message)
    notes = placeholder_notes(note)
    runs = nested and _well_nested(tokens)
    out: list[Markup | str] = []
    for tok in tokens:
        if tok.kind == "text":
            out.append(escape(tok.value))
            continue
        if tok.kind == "close" and runs:
            out.append(Markup("</span>"))
        out.append(chip(tok, notes))
        if tok.kind == "open" and runs:
            out.append(Markup('<span class="ph-run ph-c{}">').format(colour(tok.value)))
    return Markup("").join(out)


def palette(message: str, note: str = "") -> list[tuple[str, Markup]]:
    """The placeholders of a source, in order, each with its chip: what a translation
    must contain (offered for insertion next to the editor)."""
    notes = placeholder_notes(note)
    seen: list[tuple[str, Markup]] = []
    for m in PLACEHOLDER_RE.finditer(message):
        tok = next((t for t in tokenize(m.group(0)) if t.kind != "text"), None)
        if tok is not None and tok.kind != "close":
            code = m.group(0) if tok.kind == "empty" else f"<{tok.value}></{tok.value}>"
            seen.append((code, chip(tok, notes)))
    return seen


def message(text: str) -> Markup:
    """A message about placeholders ("missing placeholder </a1>, <a1>") with chips, as
    one sentence."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    if text and text[-1] not in ".!?":
        text += "."
    return chips(text, nested=False)


def diff_html(pieces: Sequence[tuple[str, str]], note: str = "") -> Markup:
    """A word diff (from `review.word_diff`) with deletions and insertions marked."""
    out = []
    for op, text in pieces:
        body = chips(text, note, nested=False)
        if op == "delete":
            out.append(Markup("<del>{}</del>").format(body))
        elif op == "insert":
            out.append(Markup("<ins>{}</ins>").format(body))
        else:
            out.append(body)
    return Markup("").join(out)


def provenance(item: QueueItem) -> str:
    """Where a draft comes from, in words: "machine draft (deepl), 2026-01-10"."""
    source = item.engine or ""
    if source == "tm":
        what = "translation memory"
    elif source.startswith("tm~"):
        what = f"similar translation ({source[3:]}% alike)"
    elif source:
        what = f"machine draft ({source})"
    else:
        what = "draft of unknown origin"
    if item.previous_source is not None:
        return "source changed since it was translated" + (
            f" (first a {what}{', ' + item.date if item.date else ''})" if source else "")
    return what + (f", {item.date}" if item.date else "")
