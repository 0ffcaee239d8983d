"""Compare two HTML documents as DOM trees, for the round-trip tests."""

from __future__ import annotations

import re

from lxml import etree

_WS = re.compile(r"[ \t\n\r\f]+")
# Values that are segments: their whitespace runs are collapsed, like text.
_TEXT_ATTRS = frozenset({"alt", "title", "placeholder", "aria-label", "value"})


def canonical(root: etree._Element, ignore_time_text: bool = False) -> list[tuple]:
    """A flat, comparable form of a document: one row per node, in document order.

    Text is compared with whitespace runs collapsed (a segment's inner whitespace is
    written as single spaces), and adjacent text pieces are joined. Comments and
    processing instructions are compared by their text.
    """
    rows: list[tuple] = []
    text_buf: list[str] = []

    def flush() -> None:
        if text_buf:
            joined = _WS.sub(" ", "".join(text_buf)).strip()
            if joined:
                rows.append(("text", joined))
            text_buf.clear()

    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            flush()
            rows.append(("end", el.tag))
            text_buf.append(el.tail or "")
            continue
        if not isinstance(el.tag, str):
            flush()
            rows.append(("comment", el.text or ""))
            text_buf.append(el.tail or "")
            continue
        flush()
        rows.append(("start", el.tag, tuple(sorted(
            (k, _WS.sub(" ", v).strip() if k in _TEXT_ATTRS or (el.tag == "meta" and k == "content")
             else v) for k, v in el.attrib.items()))))
        if ignore_time_text and el.tag == "time" and el.get("datetime") and len(el) == 0:
            stack.append((el, True))
            continue
        text_buf.append(el.text or "")
        stack.append((el, True))
        stack.extend((c, False) for c in reversed(el))
    flush()
    return rows


def first_difference(a: list[tuple], b: list[tuple]) -> str | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"row {i}: {x!r} != {y!r}"
    if len(a) != len(b):
        return f"length {len(a)} != {len(b)}"
    return None
