"""HTML -> segments, and segments -> localized HTML. This module owns lxml.

Extraction and merge walk the document with the same code (`_walk`), so a
segment found at extract time is found again, in the same place, at merge time:
the localized page is always rebuilt from the original HTML.

A container's content (its text, children and their tails) is cut into *runs* at
every block-level child. A run that holds translatable text is a segment. Inline
elements inside a run become numbered placeholders; elements whose content is not
translated (code, images, translate="no", ...) become empty placeholders
(``<code3/>``) and are copied from the source as they are.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from operator import itemgetter
from pathlib import Path
from typing import Any

from lxml import etree

from .errors import HtmlError
from .model import (
    MergeWarning,
    Segment,
    Token,
    escape_text,
    placeholder_problems,
    tokenize,
    unescape_text,
)

# Elements that flow inside a line of text.
INLINE_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del",
    "dfn", "em", "font", "i", "img", "input", "ins", "kbd", "mark", "meter", "output",
    "progress", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "time", "tt", "u", "var", "wbr",
})
# Elements whose content is never translated. Inside a run they are copied as they are.
SKIP_TAGS = frozenset({
    "script", "style", "template", "pre", "textarea", "svg", "math", "code", "kbd", "samp",
    "var", "iframe", "object", "embed", "canvas", "video", "audio", "noscript", "picture",
})
# Inline elements with no content of their own.
VOID_TAGS = frozenset({"br", "wbr", "img", "input"})
# Inside a run, these are placeholders even though they are not inline by default.
OPAQUE_IN_RUN = SKIP_TAGS | VOID_TAGS

TEXT_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
META_NAMES = frozenset({
    "description", "keywords", "og:title", "og:description", "og:image:alt", "og:site_name",
    "twitter:title", "twitter:description", "twitter:image:alt",
})

_WS_RE = re.compile(r"[ \t\n\r\f]+")
_NAME_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")
_ALNUM_RE = re.compile(r"[^\W_]")
_LETTER_CANDIDATE_RE = re.compile(r"[^\W\d_]")
_URL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S*|www\.\S+|mailto:\S+|[\w.+-]+@[\w-]+\.[\w.-]+)$")
_BAD_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHARSET_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*[\\"']*\s*([A-Za-z0-9_.:-]+)""", re.I)

# What browsers really use for some declared charsets (WHATWG Encoding Standard).
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "tis-620": "cp874",
    "iso-8859-9": "cp1254",
}


@dataclass
class HtmlDocument:
    """A parsed article, with what is needed to write it back in its own encoding."""

    tree: etree._ElementTree
    encoding: str
    bom: bytes
    path: str
    declared_lang: str | None

    @property
    def root(self) -> etree._Element:
        return self.tree.getroot()


# ---------------------------------------------------------------- reading and writing


def read_html(path: Path, display: str | None = None) -> HtmlDocument:
    """Read and parse an article; every failure is an `HtmlError` naming the file."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise HtmlError("no such file", name) from None
    except OSError as exc:
        raise HtmlError(f"cannot read: {exc.strerror or exc}", name) from None
    return parse_html(data, name)


def decode_html(data: bytes, path: str) -> tuple[str, str, bytes]:
    """Decode an article's bytes: (text, encoding, byte-order mark).

    A BOM wins; then UTF-8 if the bytes are valid UTF-8 (pages that declare
    another charset but are UTF-8 exist); then the declared charset; then
    windows-1252, as browsers do.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc, bom
            except UnicodeDecodeError as exc:
                raise HtmlError(f"not valid {enc} after its byte-order mark ({exc.reason})",
                                path) from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise HtmlError("binary data (NUL byte), not an HTML document", path, line)
    try:
        return data.decode("utf-8"), "utf-8", b""
    except UnicodeDecodeError as exc:
        utf8_error = exc
    m = _CHARSET_RE.search(data[:8192])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared and declared not in ("utf-8", "utf8"):
        enc = _CHARSET_ALIASES.get(declared, declared)
        try:
            codecs.lookup(enc)
        except LookupError:
            raise HtmlError(f"unknown charset {declared!r}", path) from None
        try:
            return data.decode(enc), enc, b""
        except UnicodeDecodeError:
            if enc == "cp1252":
                return data.decode("latin-1"), "latin-1", b""
            line = data[: utf8_error.start].count(b"\n") + 1
            raise HtmlError(f"bytes that are not valid {declared}", path, line) from None
    if declared in ("utf-8", "utf8"):
        line = data[: utf8_error.start].count(b"\n") + 1
        raise HtmlError("declared UTF-8 but holds bytes that are not valid UTF-8", path, line)
    try:
        return data.decode("cp1252"), "cp1252", b""
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", b""


def parse_html(data: bytes, path: str) -> HtmlDocument:
    """Parse an article from bytes."""
    text, encoding, bom = decode_html(data, path)
    if not text.strip():
        raise HtmlError("empty document", path)
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=False, remove_pis=False,
                              huge_tree=True, default_doctype=False)
    try:
        # UTF-8 without a byte-order mark is parsed from the bytes as they are.
        utf8 = data if encoding == "utf-8" and not bom else text.encode("utf-8",
                                                                         "surrogatepass")
        root = etree.fromstring(utf8, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise HtmlError(f"cannot parse HTML: {exc}", path) from None
    # libxml2 recovers from ordinary errors; after a fatal one (elements nested more
    # than 2048 deep) it drops the rest of the page without a word: an article that
    # silently lost its text must not become a template or a published page.
    for problem in parser.error_log:
        if problem.level_name == "FATAL":
            if problem.type_name == "ERR_RESOURCE_LIMIT":
                reason = "elements nested too deeply (the HTML parser stops at 2048 levels)"
            else:
                reason = f"cannot parse HTML: {problem.message}"
            raise HtmlError(reason, path, problem.line or None)
    if root is None:
        raise HtmlError("no HTML content", path)
    tree = root.getroottree()
    lang = (root.get("lang") or root.get("xml:lang") or "").strip() or None
    return HtmlDocument(tree=tree, encoding=encoding, bom=bom, path=path, declared_lang=lang)


def serialize_html(doc: HtmlDocument) -> bytes:
    """The document as bytes in its own encoding; characters it cannot hold become
    character references, so a German ISO-8859-1 page can carry Japanese text."""
    text = to_html(doc.tree)
    if not text.endswith("\n"):
        text += "\n"
    return doc.bom + text.encode(doc.encoding, errors="xmlcharrefreplace")


# Serialization is done here rather than by libxml2's HTML writer, which rewrites
# attribute values it takes for URLs (spaces and non-ASCII become %XX, even in
# <a name>) and minimizes boolean attributes, so the page would not come back as
# it went in.
VOID_ELEMENTS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})
_HTML4_VOID = frozenset({"area", "base", "basefont", "br", "col", "frame", "hr", "img", "input",
                         "isindex", "link", "meta", "param"})
RAW_TEXT_ELEMENTS = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes",
                               "plaintext"})


def to_html(tree: etree._ElementTree) -> str:
    """Serialize a parsed HTML tree, keeping every attribute value as parsed."""
    return "".join(to_pieces(tree))  # type: ignore[arg-type]


class NodeMarks:
    """What the serializer writes differently for one node (see `to_pieces`): holes and
    markers in place of some of its text, tail, attribute values or start tag."""

    __slots__ = ("attrs", "start", "tail", "text", "track")

    def __init__(self) -> None:
        self.attrs: dict[str, object] | None = None  # attribute name -> marker for its value
        self.start: object | None = None  # a marker in place of the whole start tag
        # The text (tail) as raw strings and markers, in place of the node's own.
        self.text: list[object] | None = None
        self.tail: list[object] | None = None
        # Markers ("begin", node) ... ("open", node) start tag ... ("close", node) content
        # ... ("end", node) end tag, around the node.
        self.track = False


def to_pieces(tree: etree._ElementTree, marks: dict[Any, NodeMarks] | None = None
              ) -> list[object]:
    """The serialization of a tree as a list of strings, with the markers of ``marks``
    (any objects but str) where those put them; with no marks, just strings."""
    out: list[object] = []
    root = tree.getroot()
    doctype = tree.docinfo.doctype
    if doctype:
        out.append(doctype + "\n")
    for node in reversed(list(root.itersiblings(preceding=True))):
        _write_node(node, out, marks)
        out.append("\n")
    _write_node(root, out, marks)
    for node in root.itersiblings():
        out.append("\n")
        _write_node(node, out, marks)
    return out


def _escape_text(text: str) -> str:
    # Most texts need no escape: three scans in C beat str.translate's per-character
    # table lookups, which profiling showed as a fifth of serialization.
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _escape_attr(value: str) -> str:
    if "&" in value or "<" in value or ">" in value or '"' in value:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&quot;"))
    return value


def _attrs_html(items: list[tuple[str, str]]) -> str:
    return "".join([f' {name}="{_escape_attr(value)}"' for name, value in items])


def _write_node(top: etree._Element, out: list[Any], marks: dict[Any, NodeMarks] | None = None
                ) -> None:
    # The stack holds nodes still to open, and the strings (end tag and tail) that
    # close the ones already open: no recursion, however deep the page.
    stack: list[Any] = [top]  # elements, str, and lists of pieces
    write = out.append
    push = stack.append
    while stack:
        el = stack.pop()
        if el.__class__ is str:
            write(el)
            continue
        if el.__class__ is list:
            out.extend(el)
            continue
        if marks:
            m = marks.get(el)
            if m is not None:
                _write_marked(el, m, el is top, out, stack)
                continue
        tag = el.tag
        tail = el.tail if el is not top else None
        if tag.__class__ is str:
            items = el.items()
            attrs = "".join([f' {name}="{_escape_attr(value)}"' for name, value in items]
                            ) if items else ""
            text = el.text
            if tag in VOID_ELEMENTS and not text and len(el) == 0:
                # libxml2 does not know every void element (source, track, wbr): those
                # get "<wbr/>", which HTML parsers read as "<wbr>".
                write(f"<{tag}{attrs}>" if tag in _HTML4_VOID else f"<{tag}{attrs}/>")
                if tail:
                    write(_escape_text(tail))
                continue
            write(f"<{tag}{attrs}>")
            if text:
                write(text if tag in RAW_TEXT_ELEMENTS else _escape_text(text))
            push(f"</{tag}>{_escape_text(tail)}" if tail else f"</{tag}>")
            if len(el):
                stack.extend(reversed(el))
            continue
        if tag is etree.Comment:
            write(f"<!--{el.text or ''}-->")
        elif tag is etree.ProcessingInstruction:
            target, text = el.target, el.text
            write(f"<?{target} {text or ''}>" if text else f"<?{target}>")
        else:  # an entity reference
            write(el.text or "")
        if tail:
            write(_escape_text(tail))


def _pieces(raw: list[object], escape: Callable[[str], str] | None) -> list[object]:
    return [escape(p) if escape and p.__class__ is str else p for p in raw if p != ""]


def _write_marked(el: etree._Element, m: NodeMarks, top: bool, out: list[Any],
                  stack: list[Any]) -> None:
    """`_write_node` for one node with marks: the same output, holes and markers aside."""
    write = out.append
    tag = el.tag
    if top:
        tail: list[object] = []
    elif m.tail is not None:
        tail = _pieces(m.tail, _escape_text)
    else:
        tail = [_escape_text(el.tail)] if el.tail else []
    if m.track:
        write(("begin", el))
    if tag.__class__ is not str:
        if tag is etree.Comment:
            write(f"<!--{el.text or ''}-->")
        elif tag is etree.ProcessingInstruction:
            target, text = el.target, el.text
            write(f"<?{target} {text or ''}>" if text else f"<?{target}>")
        else:
            write(el.text or "")
        if m.track:
            write(("end", el))
        out.extend(tail)
        return
    void = tag in VOID_ELEMENTS and not el.text and len(el) == 0
    if m.start is not None:
        write(m.start)
    elif m.attrs:
        start = f"<{tag}"
        for name, value in el.items():
            hole = m.attrs.get(name)
            if hole is None:
                start += f' {name}="{_escape_attr(value)}"'
            else:
                out.extend((f'{start} {name}="', hole))
                start = '"'
        write(start + (">" if not void or tag in _HTML4_VOID else "/>"))
    else:
        attrs = _attrs_html(el.items())
        write(f"<{tag}{attrs}>" if not void or tag in _HTML4_VOID else f"<{tag}{attrs}/>")
    if void:
        if m.track:
            write(("end", el))
        out.extend(tail)
        return
    if m.track:
        write(("open", el))
    raw = tag in RAW_TEXT_ELEMENTS
    if m.text is not None:
        out.extend(_pieces(m.text, None if raw else _escape_text))
    elif el.text:
        write(el.text if raw else _escape_text(el.text))
    close: list[object] = [("close", el), f"</{tag}>", ("end", el)] if m.track else [f"</{tag}>"]
    stack.append(close + tail)
    if len(el):
        stack.extend(reversed(el))


# ------------------------------------------------------------------------ segmenting


@dataclass
class _Run:
    """Part of a container's content: the lead text slot, children[start:end], and the
    tail of children[end-1]. The lead slot is parent.text (start == 0) or the tail of
    children[start-1]."""

    parent: etree._Element
    # The parent's children when the run was found: lxml indexes children by walking
    # a linked list, so parent[i] on a page with 100,000 paragraphs would be quadratic.
    kids: list[etree._Element]
    start: int
    end: int
    placeholders: dict[str, etree._Element] = field(default_factory=dict)

    def lead(self) -> str:
        if self.start == 0:
            return self.parent.text or ""
        return self.kids[self.start - 1].tail or ""

    def set_lead(self, value: str | None) -> None:
        if self.start == 0:
            self.parent.text = value
        else:
            self.kids[self.start - 1].tail = value

    def trail(self) -> str:
        return self.lead() if self.end == self.start else (self.kids[self.end - 1].tail or "")


@dataclass
class _Attr:
    element: etree._Element
    name: str


Slot = _Run | _Attr


_new_segment = object.__new__


def _segment(msgid: str, context: str | None, element: str, line: int,
             notes: tuple[str, ...] = ()) -> Segment:
    """``Segment(msgid, context, element, line, notes)``, built faster: a frozen
    dataclass sets each field through object.__setattr__, which is a good part of
    the cost of a segment when a page has thousands."""
    seg = _new_segment(Segment)
    fields = seg.__dict__
    fields["msgid"] = msgid
    fields["context"] = context
    fields["element"] = element
    fields["line"] = line
    fields["notes"] = notes
    return seg


def _tag(el: etree._Element) -> str | None:
    """The lower-case tag of an element, or None for comments and processing instructions."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _no_translate(el: etree._Element) -> bool:
    value = el.get("translate")
    if value is not None and value.strip().lower() == "no":
        return True
    cls = el.get("class")
    # The substring test is cheap, and false for nearly every class attribute.
    return cls is not None and "notranslate" in cls and "notranslate" in cls.split()


def _has_letters(text: str) -> bool:
    # The regex finds letters and the few digit-like characters (², ½) that \w also
    # takes; only those candidates are checked one by one. Nearly always the first
    # candidate is a letter.
    first = _LETTER_CANDIDATE_RE.search(text)
    if first is None:
        return False
    return first.group().isalpha() or any(
        m.group().isalpha() for m in _LETTER_CANDIDATE_RE.finditer(text, first.end()))


def _has_content(text: str | None) -> bool:
    # [^\W_] is exactly str.isalnum(), searched in C: a page's long script texts
    # made a per-character loop the hottest line of extraction.
    # Most texts without one are whitespace between blocks, which isspace() tells fast.
    return (bool(text) and not text.isspace()  # type: ignore[union-attr]
            and _ALNUM_RE.search(text) is not None)  # type: ignore[arg-type]


def _translatable(text: str) -> bool:
    text = text.strip()
    # Most texts begin with a letter, which tells faster than a regex search (a
    # letter is never a digit or "_": isalpha() implies a match of _has_letters).
    if not text[:1].isalpha() and not _has_letters(text):
        return False
    # No address has a space in it: most texts skip the URL pattern.
    return " " in text or not _URL_RE.match(text)


# What the walk needs to know of an element's tag, as one of five kinds (ordered:
# tests like ``kind <= _SKIP`` pick the first ones).
_COMMENT = 0  # comments, processing instructions: inline, skipped, opaque in a run
_SKIP = 1  # SKIP_TAGS: inline, content never translated, opaque in a run
_VOID = 2  # VOID_TAGS: inline, opaque in a run
_OPEN = 3  # the other INLINE_TAGS: inline unless a block is inside; opened up in a run
_BLOCK = 4  # everything else


def _kind(tag: object) -> int:
    if not isinstance(tag, str):
        return _COMMENT
    tag = tag.lower()
    if tag in SKIP_TAGS:
        return _SKIP
    if tag in VOID_TAGS:
        return _VOID
    return _OPEN if tag in INLINE_TAGS else _BLOCK


_KNOWN_KINDS: dict[object, int] = {
    tag: _kind(tag) for tag in (*INLINE_TAGS, *OPAQUE_IN_RUN, etree.Comment,
                                etree.ProcessingInstruction, etree.Entity)}


class _Analysis:
    """Facts about the elements of a document, each computed when first needed.

    Most elements of a page are never asked about: what is inside scripts, SVG and
    other skipped elements, and blocks, whose tag says all. Facts about an inline
    element depend on its descendants; they are found without recursion (inline
    elements may nest as deep as the parser's 2048 levels) and kept.
    """

    def __init__(self) -> None:
        # Keyed by el.tag, which is a function for comments and processing instructions.
        self.kinds: dict[object, int] = dict(_KNOWN_KINDS)
        self.inline_memo: dict[etree._Element, bool] = {}
        self._content: dict[etree._Element, bool] = {}
        self.opaque_memo: dict[etree._Element, bool] = {}
        self.bases: dict[object, str] = {}
        # The elements for which _no_translate is true (filled by _find).
        self.notrans: set[etree._Element] = set()

    def kind(self, el: etree._Element) -> int:
        """The kind of an element's tag (_COMMENT ... _BLOCK)."""
        tag = el.tag
        kind = self.kinds.get(tag)
        if kind is None:
            kind = self.kinds[tag] = _kind(tag)
        return kind

    def inline(self, el: etree._Element) -> bool:
        """Whether an inline-tag element (kind _OPEN) flows inside a line of text: it
        has no block among its descendants (skipped elements do not count)."""
        memo = self.inline_memo
        known = memo.get(el)
        if known is not None:
            return known
        kinds, notrans = self.kinds, self.notrans
        # Depth first over inline descendants; a block found anywhere makes every
        # element on the path to it a block.
        path = [el]
        todo = [iter(el)]
        while path:
            deeper = False
            for child in todo[-1]:
                tag = child.tag
                kind = kinds.get(tag)
                if kind is None:
                    kind = kinds[tag] = _kind(tag)
                if kind <= _VOID or child in notrans:
                    continue
                if kind == _OPEN:
                    known = memo.get(child)
                    if known is None:
                        if len(child):
                            path.append(child)
                            todo.append(iter(child))
                            deeper = True
                            break
                        memo[child] = True
                        continue
                    if known:
                        continue
                for node in path:
                    memo[node] = False
                return False
            if not deeper:
                memo[path.pop()] = True
                todo.pop()
        return memo[el]

    def content(self, el: etree._Element) -> bool:
        """Whether an element holds a letter or digit outside skipped elements."""
        memo = self._content
        known = memo.get(el)
        if known is not None:
            return known
        if _has_content(el.text):
            memo[el] = True
            return True
        kinds, notrans = self.kinds, self.notrans
        path = [el]
        todo = [iter(el)]
        while path:
            deeper = False
            found = False
            for child in todo[-1]:
                if _has_content(child.tail):
                    found = True
                    break
                tag = child.tag
                kind = kinds.get(tag)
                if kind is None:
                    kind = kinds[tag] = _kind(tag)
                if kind <= _SKIP or child in notrans:
                    continue
                known = memo.get(child)
                if known is None:
                    if _has_content(child.text):
                        memo[child] = True
                        found = True
                        break
                    if len(child):
                        path.append(child)
                        todo.append(iter(child))
                        deeper = True
                        break
                    memo[child] = False
                elif known:
                    found = True
                    break
            if found:
                for node in path:
                    memo[node] = True
                return True
            if not deeper:
                memo[path.pop()] = False
                todo.pop()
        return memo[el]

    def opaque(self, el: etree._Element) -> bool:
        """Whether an inline element is copied as it is rather than opened up."""
        memo = self.opaque_memo
        known = memo.get(el)
        if known is None:
            tag = el.tag
            kind = self.kinds.get(tag)
            if kind is None:
                kind = self.kinds[tag] = _kind(tag)
            if kind <= _VOID or el in self.notrans:
                known = True
            elif kind == _OPEN and tag == "time":
                known = (bool(el.get("datetime")) and len(el) == 0) or not self.content(el)
            else:
                # Most often the element's own text tells (as in content()).
                text = el.text
                if text and not text.isspace() and _ALNUM_RE.search(text):
                    known = False
                else:
                    known = not (len(el) and self.content(el))
            memo[el] = known
        return known

    def placeholder_base(self, el: etree._Element) -> str:
        """The name of an element's placeholders without their number: "a", "img"."""
        tag = el.tag
        base = self.bases.get(tag)
        if base is None:
            low = _tag(el)
            base = "c" if low is None else (low if _NAME_RE.fullmatch(low) else "x")
            self.bases[tag] = base
        return base


# Elements that may be marked translate="no" or class="notranslate" (_no_translate).
_NO_TRANSLATE_CANDIDATES = etree.XPath(
    "descendant-or-self::*[@translate or contains(@class, 'notranslate')]")


def _walk(root: etree._Element) -> Iterator[tuple[Segment, Slot]]:
    """Every segment of a document with the place it came from, in document order."""
    for _, seg, slot in _find(root, True):
        yield seg, slot  # type: ignore[misc]  (slots=True: every slot is set)


def _find(root: etree._Element, slots: bool,
          order: dict[etree._Element, int] | None = None
          ) -> list[tuple[int, Segment, Slot | None]]:
    """The segments of a document with their positions, in document order, and their
    slots if ``slots`` (extraction needs only the segments: runs get None). ``order``,
    if given (an empty dict), is filled with the document position of every element."""
    info = _Analysis()
    # Document positions order the segments. The elements that may carry a
    # translatable attribute (see _add_attribute_segments) are picked from the same list:
    # this costs less than an XPath query.
    elements = list(root.iter())
    if order is None:
        order = {}
    order.update(zip(elements, count()))
    # The same pass finds the elements marked translate="no" or class="notranslate"
    # (see _no_translate): the walk then asks a set rather than reading two
    # attributes of every element it looks at, which cost more than this pass.
    # The attribute names of each element with a translatable one: the others need
    # not be asked for.
    text_keys: dict[etree._Element, list[str]] = {}
    notrans = info.notrans
    scanned = _SCANNED_ATTRIBUTE_SET.isdisjoint
    no_text = _TEXT_ATTRIBUTE_SET.isdisjoint
    for el in elements:
        keys = el.keys()
        if keys and not scanned(keys):
            if not no_text(keys):
                text_keys[el] = keys
            if "translate" in keys:
                if _no_translate(el):
                    notrans.add(el)
            elif "class" in keys:
                value = el.get("class")
                if "notranslate" in value and "notranslate" in value.split():
                    notrans.add(el)
    holders = [*text_keys, *root.iter("meta", "input")]
    del elements
    if len(holders) > 1:
        holders = sorted(set(holders), key=order.__getitem__)
    # Found first, sorted by position last; the sort is stable, so things at the
    # same position stay in the order they were found. A position is
    # 3 * (document position of an element) + 0 for its attributes, + 1 for a run
    # that starts inside it, + 2 for a run that starts right after it ends.
    found: list[tuple[int, Segment, Slot | None]] = []
    for el in holders:
        tag = _tag(el)
        if tag is not None:
            _add_attribute_segments(found, el, tag, order[el] * 3, text_keys.get(el), slots)
    kinds, inline = info.kinds, info.inline
    has_content = _ALNUM_RE.search
    skipped: list[etree._Element] = []
    # Blocks are never comments or skipped tags (those are inline): only the root
    # needs that test.
    stack: list[etree._Element] = [] if info.kind(root) <= _SKIP else [root]
    if not stack:
        skipped.append(root)
    pop, push = stack.pop, stack.append
    while stack:
        el = pop()
        if el in notrans:
            skipped.append(el)
            continue
        lead = el.text
        size = len(el)
        if not size:
            # Only the root comes here: blocks without children are taken below.
            if lead and _translatable(lead):
                seg = _segment(_collapse(lead).strip(" "), None, _tag(el) or "text",
                               el.sourceline or 1)
                found.append((order[el] * 3 + 1, seg, _Run(el, [], 0, 0) if slots else None))
            continue
        if size == 1 and (not lead or lead.isspace()):
            # A lone child with no text before it, most often a link or emphasis
            # with only text in it (``<li><a>Text</a></li>``), or an image: what the
            # loop below and _segment_of do, in short.
            child = el[0]
            tag = child.tag
            kind = kinds.get(tag)
            if kind is not None and kind < _OPEN:
                tail = child.tail
                if not (tail and not tail.isspace() and has_content(tail)):
                    continue
            elif kind == _OPEN and tag != "time" and not len(child):
                tail = child.tail
                if (not tail or tail.isspace()) and child not in notrans:
                    # Its text is all the run has (see _segment_of).
                    text = child.text
                    if text and _translatable(text):
                        found.append((order[child] * 3 + 1,
                                      _segment(_collapse(text).strip(" "), None, tag.lower(),
                                               child.sourceline or 1),
                                      _Run(child, [], 0, 0) if slots else None))
                    continue
            elif kind == _BLOCK and len(child):
                # A wrapper (``<div><div>...</div></div>``): the child is walked later;
                # only text after it can make a run here.
                push(child)
                tail = child.tail
                if tail and not tail.isspace() and has_content(tail):
                    item = _segment_of(el, [child], 1, 1, tail, info, order, slots)
                    if item is not None:
                        found.append(item)
                continue
        children = list(el)
        # Cut the content into runs at the block children; blocks with children are
        # walked later. The order does not matter: what is found is sorted, and
        # only runs in a container and in one of its descendants can have the same
        # position, found in that order whatever the order of the stack.
        start = 0
        for i, child in enumerate(children):
            tag = child.tag
            kind = kinds.get(tag)
            if kind is None:
                kind = kinds[tag] = _kind(tag)
            if kind < _OPEN:
                continue
            if kind == _OPEN and (not len(child) or inline(child)):
                continue
            # An empty gap between two blocks holds no segment unless its text does.
            if i > start or (lead and not lead.isspace() and has_content(lead)):
                item = _segment_of(el, children, start, i, lead or "", info, order, slots)
                if item is not None:
                    found.append(item)
            start = i + 1
            if len(child):
                push(child)
            else:
                # Most blocks are a paragraph, list item or cell with only text, or
                # an empty box. Whether one is translate="no" matters only if it
                # holds text, or attributes that it would hide.
                if child in notrans:
                    skipped.append(child)
                else:
                    text = child.text
                    if text and not text.isspace() and _translatable(text):
                        found.append((order[child] * 3 + 1,
                                      _segment(_collapse(text).strip(" "), None,
                                               _tag(child) or "text", child.sourceline or 1),
                                      _Run(child, [], 0, 0) if slots else None))
            lead = child.tail
        if len(children) > start or (lead and not lead.isspace() and has_content(lead)):
            item = _segment_of(el, children, start, len(children), lead or "", info,
                               order, slots)
            if item is not None:
                found.append(item)
    # Attributes inside skipped subtrees are not translated either, nor those of an
    # element marked translate="no" that a run keeps as it is (``<img translate="no"
    # alt="...">`` in a paragraph): the mark covers its attributes too.
    dead: set[etree._Element] = set()
    if holders:
        for el in (*skipped, *notrans):
            if el not in dead:
                dead.update(el.iter())
    found.sort(key=_first)
    if dead:
        # The positions of their attributes (runs are at positions 3n+1 and 3n+2).
        gone = {order[el] * 3 for el in dead}
        found = [item for item in found if item[0] not in gone]
    return found


_first = itemgetter(0)
_TEXT_ATTRIBUTE_SET = frozenset(TEXT_ATTRIBUTES)
_SCANNED_ATTRIBUTE_SET = frozenset({*TEXT_ATTRIBUTES, "translate", "class"})


def _segment_of(parent: etree._Element, kids: list[etree._Element], start: int, end: int,
                lead: str, info: _Analysis, order: dict[etree._Element, int], slots: bool
                ) -> tuple[int, Segment, _Run | None] | None:
    """The segment of a run (kids[start:end] of parent, after the text ``lead``) with
    its position (see _find) and slot (if ``slots``), or None when it holds nothing
    to translate."""
    search = _ALNUM_RE.search
    kinds = info.kinds
    if end - start == 1 and (not lead or lead.isspace()):
        # The commonest run, a lone link or emphasis with only text in it
        # (``<li><a>Text</a></li>``): what _narrow does, in short.
        child = kids[start]
        tag = child.tag
        kind = kinds.get(tag)
        if kind == _OPEN and tag != "time" and not len(child):
            tail = child.tail
            if (not tail or tail.isspace()) and child not in info.notrans:
                # Its text is all the run has: a segment if translatable (which
                # implies a letter, so no test for one first), else none.
                text = child.text
                if not (text and _translatable(text)):
                    return None
                return (order[child] * 3 + 1,
                        _segment(_collapse(text).strip(" "), None, tag.lower(),
                                child.sourceline or 1),
                        _Run(child, [], 0, 0) if slots else None)
        elif kind is not None and kind < _OPEN:
            # A lone script, comment or image between blocks, with no text around it
            # (as the test below finds).
            tail = child.tail
            if not (tail and not tail.isspace() and search(tail)):
                return None
    memo, opaque, notrans = info.opaque_memo, info.opaque, info.notrans
    # A cheap test first: most runs are whitespace, or things copied as they are,
    # between blocks. Without a letter or digit outside opaque elements, no segment.
    if not (lead and not lead.isspace() and search(lead)):
        for child in kids[start:end]:
            tail = child.tail
            if tail and not tail.isspace() and search(tail):
                break
            # Comments, images and skipped elements are opaque: no call needed.
            kind = kinds.get(child.tag)
            if kind is not None and kind <= _VOID:
                continue
            known = memo.get(child)
            if known is None:
                known = opaque(child)
            if not known:
                break
        else:
            return None
    parent, kids, start, end, lead = _narrow(parent, kids, start, end, lead, info)
    if start == end:
        if not _translatable(lead):
            return None
        return (_position(parent, kids, start, order),
                _segment(_collapse(lead).strip(" "), None, _tag(parent) or "text",
                         _line_of(parent, kids, start, end, lead)),
                _Run(parent, kids, start, end) if slots else None)
    # Text and placeholder tags alternate: parts[0::2] is the text, parts[1::2] tags.
    parts: list[str] = [lead]
    notes: list[str] = []
    placeholders: dict[str, etree._Element] = {}
    counter = 0
    bases = info.bases
    # Depth-first over the run's inline content, without recursion. An element on the
    # stack is to be opened; a (closing tag, tail) pair to be closed.
    stack: list[Any] = kids[start:end]
    stack.reverse()
    pop, push = stack.pop, stack.append
    while stack:
        el = pop()
        if type(el) is tuple:
            parts += el
            continue
        counter += 1
        tag = el.tag
        base = bases.get(tag)
        if base is None:
            base = info.placeholder_base(el)
        name = f"{base}{counter}"
        placeholders[name] = el
        tail = el.tail or ""
        kind = kinds.get(tag)
        text = None
        if kind is not None and kind <= _VOID:
            known = True
        else:
            known = memo.get(el)
            if known is None:
                if kind == _OPEN and tag != "time" and el not in notrans:
                    # What opaque() does first: most inline elements have text.
                    text = el.text
                    known = (not (text and not text.isspace() and search(text))
                             and opaque(el))
                else:
                    known = opaque(el)
        if known:
            parts.append(f"<{name}/>")
            parts.append(tail)
            if tag not in _NOT_DESCRIBED:
                note = _describe_opaque(el)
                if note:
                    notes.append(f"{name}: {note}")
            continue
        if text is None:
            text = el.text or ""
        parts.append(f"<{name}>")
        parts.append(text)
        push((f"</{name}>", tail))
        if len(el):
            inner = list(el)
            inner.reverse()
            stack += inner
    if not _translatable("".join(parts[0::2])):
        return None
    # Only text that looks like markup needs escaping, and escaping leaves
    # whitespace alone: the rest is collapsed in one go.
    for i in range(0, len(parts), 2):
        part = parts[i]
        if "&" in part or "<" in part:
            parts[i] = escape_text(_collapse_space(part))
    msgid = _collapse_space("".join(parts)).strip(" ")
    seg = _segment(msgid, None, _tag(parent) or "text",
                   _line_of(parent, kids, start, end, lead), tuple(notes))
    return (_position(parent, kids, start, order), seg,
            _Run(parent, kids, start, end, placeholders) if slots else None)


def _position(parent: etree._Element, kids: list[etree._Element], start: int,
              order: dict[etree._Element, int]) -> int:
    # A run starts right after its parent's start tag, or right after the block (or
    # trimmed placeholder) that precedes it, that is after its last descendant.
    if start == 0:
        return order[parent] * 3 + 1
    last = kids[start - 1]
    while len(last):
        last = last[-1]
    return order[last] * 3 + 2


def _stays_outside(el: etree._Element, info: _Analysis) -> bool:
    """Whether an element at an end of a run is a text-less placeholder that stays out
    of the segment. (Comments, images and skipped elements are opaque whatever they
    hold: no call needed; a <time> with text is part of the sentence.)"""
    tag = el.tag
    kind = info.kinds.get(tag)
    if kind is None or kind > _VOID:
        known = info.opaque_memo.get(el)
        if known is None:
            known = info.opaque(el)
        if not known or (tag == "time" and info.content(el)):
            return False
    return True


def _narrow(parent: etree._Element, kids: list[etree._Element], start: int, end: int,
            lead: str, info: _Analysis
            ) -> tuple[etree._Element, list[etree._Element], int, int, str]:
    """Trim text-less placeholders off the ends of a run, and step into an inline
    element that wraps the whole run (``<li><a>Text</a></li>`` gives "Text")."""
    memo, opaque = info.opaque_memo, info.opaque
    while True:
        # Images, line breaks, comments and other text-less inline things at either
        # end of a run stay where they are, outside the segment.
        while start < end and (not lead or lead.isspace()) and _stays_outside(
                kids[start], info):
            lead = kids[start].tail or ""
            start += 1
        while end > start:
            el = kids[end - 1]
            tail = el.tail
            if (tail and not tail.isspace()) or not _stays_outside(el, info):
                break
            end -= 1
        if end - start != 1 or (lead and not lead.isspace()):
            return parent, kids, start, end, lead
        el = kids[start]
        tail = el.tail
        if tail and not tail.isspace():
            return parent, kids, start, end, lead
        known = memo.get(el)
        if known is None:
            known = opaque(el)
        if known:
            return parent, kids, start, end, lead
        parent = el
        kids = list(el)
        start, end, lead = 0, len(kids), el.text or ""


def _collapse(text: str) -> str:
    # _collapse_space, inline: this runs for nearly every segment.
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text:
        text = _SPACE_TO_COLLAPSE_RE.sub(" ", text)
    # escape_text changes only text with "&" or "<" in it.
    return escape_text(text) if "&" in text or "<" in text else text


# Matches only whitespace that collapsing changes: most single spaces stay as they are.
# (Written as a run that starts with a tab or newline, or a space and more: this
# is faster for the regex engine than a run of two or more, or a tab or newline.)
_SPACE_TO_COLLAPSE_RE = re.compile(r"[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+")


def _collapse_space(text: str) -> str:
    """``_WS_RE.sub(" ", text)``, faster on text with nothing to collapse."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\f" in text:
        return _SPACE_TO_COLLAPSE_RE.sub(" ", text)
    return text


# Opaque elements whose text a note would not help with (or that have none).
_NOT_DESCRIBED = frozenset({*VOID_TAGS, "script", "style", "svg", "math", "template",
                            etree.Comment, etree.ProcessingInstruction, etree.Entity})


def _describe_opaque(el: etree._Element) -> str | None:
    tag = _tag(el)
    if tag is None or tag in _NOT_DESCRIBED:
        return None
    text = _WS_RE.sub(" ", "".join(el.itertext())).strip()
    if not text:
        return None
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of(parent: etree._Element, kids: list[etree._Element], start: int, end: int,
             lead: str) -> int:
    """The line of a run (kids[start:end] of parent after the text ``lead``)."""
    if start > 0 and lead.strip():
        ref = kids[start - 1]
    elif end > start and not lead.strip():
        ref = kids[start]
    else:
        ref = parent
    return ref.sourceline or parent.sourceline or 1


def _add_attribute_segments(found: list[tuple[int, Segment, Slot | None]], el: etree._Element,
                            tag: str, at: int, keys: list[str] | None, slots: bool
                            ) -> None:
    """Add the segments of an element's translatable attributes, at position ``at``.
    ``keys`` are its attribute names if it has one of TEXT_ATTRIBUTES, else None.
    The slots are None unless ``slots``."""
    get = el.get
    if tag == "meta":
        key = (get("name") or get("property") or "").strip().lower()
        content = get("content")
        if key in META_NAMES and content and _translatable(content):
            found.append((at, _segment(_collapse(content).strip(" "), key, f"meta[{key}]",
                                      el.sourceline or 1), _Attr(el, "content") if slots else None))
        return
    for name in TEXT_ATTRIBUTES if keys else ():
        value = get(name) if name in keys else None
        if value and _translatable(value):
            found.append((at, _segment(_collapse(value).strip(" "), name, f"{tag}@{name}",
                                      el.sourceline or 1), _Attr(el, name) if slots else None))
    if tag == "input" and (get("type") or "").lower() in ("button", "submit", "reset"):
        value = get("value")
        if value and _translatable(value):
            found.append((at, _segment(_collapse(value).strip(" "), "value", "input@value",
                                      el.sourceline or 1), _Attr(el, "value") if slots else None))


def extract_segments(doc: HtmlDocument) -> list[Segment]:
    """The translatable segments of a document, in document order."""
    return [seg for _, seg, _ in _find(doc.root, False)]


# -------------------------------------------------------------------------- rebuilding


@dataclass
class Translation:
    """A translation to put in place of a segment, and where it came from."""

    text: str
    line: int | None = None


Lookup = Callable[[Segment], Translation | None]

_HTML_SPACE = " \t\n\r\f"  # HTML's white space (not str.isspace's)


def _leading_space(text: str) -> str:
    """The run of HTML white space at the start of ``text``."""
    return text[:len(text) - len(text.lstrip(_HTML_SPACE))]


def _trailing_space(text: str) -> str:
    """The run of HTML white space at the end of ``text``. (A regex search for it
    tries every position of the text: a tenth of building a skeleton, profiled.)"""
    return text[len(text.rstrip(_HTML_SPACE)):]


class SegmentMap:
    """A document's segments and where each one sits, by element position.

    Finding the segments is most of the work of a merge. An article is merged into
    several locales, each time into a fresh parse of the same bytes, whose elements
    come in the same order: the segments are found once, on the first parse, and
    `bind` points them at the elements of another.
    """

    def __init__(self, doc: HtmlDocument):
        # The document position of each element, as the walk numbered them.
        index: dict[etree._Element, int] = {}
        self._places: list[tuple[Segment, int, int, int, dict[str, int] | str]] = []
        # The slots in this parse, for a `bind` to it (before it is changed).
        self._own = doc
        self._pairs: list[tuple[Segment, Slot]] = [
            (seg, slot) for _, seg, slot in _find(doc.root, True, index)]  # type: ignore[misc]
        for seg, slot in self._pairs:
            if isinstance(slot, _Attr):
                self._places.append((seg, index[slot.element], 0, 0, slot.name))
            else:
                marks = {name: index[el] for name, el in slot.placeholders.items()}
                self._places.append((seg, index[slot.parent], slot.start, slot.end, marks))

    @property
    def segments(self) -> list[Segment]:
        return [place[0] for place in self._places]

    def bind(self, doc: HtmlDocument) -> list[tuple[Segment, Slot]]:
        """The segments with their places in ``doc``, an unchanged parse of the same page."""
        if doc is self._own:
            return list(self._pairs)
        elements = list(doc.root.iter())
        pairs: list[tuple[Segment, Slot]] = []
        kids_of: dict[int, list[etree._Element]] = {}
        for seg, at, start, end, extra in self._places:
            if isinstance(extra, str):
                pairs.append((seg, _Attr(elements[at], extra)))
            else:
                kids = kids_of.get(at)
                if kids is None:
                    kids = kids_of[at] = list(elements[at])
                run = _Run(elements[at], kids, start, end)
                run.placeholders = {name: elements[i] for name, i in extra.items()}
                pairs.append((seg, run))
        return pairs


def apply_translations(doc: HtmlDocument, lookup: Lookup, catalog: str | None = None,
                       segments: SegmentMap | None = None) -> list[MergeWarning]:
    """Put translations in place in the document. Segments without a usable
    translation keep their source text; each unusable translation gives a warning.
    ``segments``, when given, were found on another parse of the same page."""
    warnings: list[MergeWarning] = []
    pairs = list(_walk(doc.root)) if segments is None else segments.bind(doc)
    # Attributes first: placeholders are cloned from their source elements, so a
    # translated title on an inline link must be there before the run is rebuilt.
    for seg, slot in pairs:
        if isinstance(slot, _Attr):
            tr = lookup(seg)
            if tr is None:
                continue
            problem = _text_problem(tr.text)
            if any(t.kind != "text" for t in tokenize(tr.text)):
                problem = "placeholder in an attribute translation"
            if problem:
                warnings.append(MergeWarning(f"{problem}; kept the source text", catalog, tr.line))
                continue
            old = slot.element.get(slot.name) or ""
            lws = _leading_space(old)
            tws = _trailing_space(old)
            value = unescape_text(tr.text)
            slot.element.set(slot.name, lws + value + tws if old.strip() else value)
    # Runs last to first, so that the child indexes of earlier runs stay valid.
    for seg, slot in reversed(pairs):
        if not isinstance(slot, _Run):
            continue
        tr = lookup(seg)
        if tr is None:
            continue
        problems = placeholder_problems(seg.msgid, tr.text)
        bad = _text_problem(tr.text)
        if bad:
            problems.append(bad)
        if problems:
            warnings.append(MergeWarning(
                f"{'; '.join(problems)} in translation of {_short(seg.msgid)!r}; kept the source",
                catalog, tr.line))
            continue
        _rebuild(slot, tokenize(tr.text))
    return warnings


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:47] + "..."


def _text_problem(text: str) -> str | None:
    if _BAD_XML_CHARS_RE.search(text):
        return "control characters"
    return None


def _rebuild(run: _Run, tokens: list[Token]) -> None:
    p = run.parent
    old_lead = run.lead()
    old_trail = run.trail()
    lws = _leading_space(old_lead)
    tws = _trailing_space(old_trail)
    top: list[etree._Element] = []
    lead_text = ""
    stack: list[etree._Element] = []

    def add_text(value: str) -> None:
        nonlocal lead_text
        if not value:
            return
        if stack:
            holder = stack[-1]
            if len(holder):
                holder[-1].tail = (holder[-1].tail or "") + value
            else:
                holder.text = (holder.text or "") + value
        elif top:
            top[-1].tail = (top[-1].tail or "") + value
        else:
            lead_text += value

    def add_node(node: etree._Element) -> None:
        if stack:
            stack[-1].append(node)
        else:
            top.append(node)

    for tok in tokens:
        if tok.kind == "text":
            add_text(tok.value)
        elif tok.kind == "empty":
            node = copy.deepcopy(run.placeholders[tok.value])
            node.tail = None
            add_node(node)
        elif tok.kind == "open":
            src = run.placeholders[tok.value]
            node = p.makeelement(src.tag, dict(src.attrib))
            add_node(node)
            stack.append(node)
        else:
            stack.pop()
    for child in run.kids[run.start:run.end]:
        p.remove(child)
    previous = run.kids[run.start - 1] if run.start > 0 else None
    for node in top:
        if previous is None:
            p.insert(0, node)
        else:
            previous.addnext(node)
        previous = node
    if top:
        run.set_lead((lws + lead_text) or None)
        top[-1].tail = ((top[-1].tail or "") + tws) or None
    else:
        run.set_lead((lws + lead_text + tws) or None)


# ------------------------------------------------------------ document-level changes


def _head(doc: HtmlDocument) -> etree._Element:
    root = doc.root
    head = root.find("head")
    if head is None:
        head = root.makeelement("head", {})
        head.text = "\n"
        root.insert(0, head)
    return head


def _body(doc: HtmlDocument) -> etree._Element:
    body = doc.root.find("body")
    return body if body is not None else doc.root


def _append_in_style(parent: etree._Element, node: etree._Element) -> None:
    """Append a child with the indentation its siblings have."""
    if len(parent):
        last = parent[-1]
        before = parent[-2].tail if len(parent) > 1 else parent.text
        indent = before if before is not None and not before.strip() else "\n"
        node.tail = last.tail
        last.tail = indent
    else:
        node.tail = parent.text if parent.text and not parent.text.strip() else None
    parent.append(node)


def set_document_language(doc: HtmlDocument, lang: str, rtl: bool) -> None:
    """``<html lang>`` and ``dir`` for a localized page."""
    root = doc.root
    root.set("lang", lang)
    if rtl:
        root.set("dir", "rtl")
    elif (root.get("dir") or "").lower() == "rtl":
        root.set("dir", "ltr")


def localize_times(doc: HtmlDocument, formatter: Callable[[str], str | None]) -> int:
    """Re-write the text of ``<time datetime>`` elements; returns how many changed."""
    changed = 0
    skip: set[etree._Element] = set()
    for el in _NO_TRANSLATE_CANDIDATES(doc.root):
        if _no_translate(el):
            skip.update(el.iter())
    for el in doc.root.iter("time"):
        value = el.get("datetime")
        if not value or len(el) or el in skip or not (el.text or "").strip():
            continue
        text = formatter(value)
        if text:
            el.text = text
            changed += 1
    return changed


def append_note(doc: HtmlDocument, text: str, css_class: str, lang: str, rtl: bool,
                at_start: bool = False) -> None:
    """Add a short paragraph to the article (the first <article>, else <body>)."""
    article = next(doc.root.iter("article"), None)
    holder = article if article is not None else _body(doc)
    note = holder.makeelement("p", {"class": css_class, "lang": lang,
                                    "dir": "rtl" if rtl else "ltr"})
    note.text = text
    if at_start:
        text = holder.text
        if text and not text.strip():
            note.tail = text
        else:
            # Text right inside the holder (``<article>Text <b>...``) follows the note.
            note.tail = "\n" + (text or "")
            holder.text = "\n"
        holder.insert(0, note)
    else:
        _append_in_style(holder, note)


def add_alternate_links(doc: HtmlDocument, links: list[tuple[str, str]]) -> None:
    """``<link rel="alternate" hreflang=... href=...>`` for each language version,
    unless the page already has one for that language."""
    head = _head(doc)
    present = {(el.get("hreflang") or "").lower() for el in head.iter("link")
               if "alternate" in (el.get("rel") or "").lower().split()}
    for hreflang, href in links:
        if hreflang.lower() in present:
            continue
        link = head.makeelement("link", {"rel": "alternate", "hreflang": hreflang, "href": href})
        _append_in_style(head, link)


def add_meta(doc: HtmlDocument, name: str, content: str) -> None:
    head = _head(doc)
    for el in head.iter("meta"):
        if (el.get("name") or "").lower() == name:
            el.set("content", content)
            return
    _append_in_style(head, head.makeelement("meta", {"name": name, "content": content}))
