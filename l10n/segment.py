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
_LEADING_WS_RE = re.compile(r"^[ \t\n\r\f]*")
_TRAILING_WS_RE = re.compile(r"[ \t\n\r\f]*$")
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
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
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
    names: dict[etree._Element, str] = field(default_factory=dict)

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


def _tag(el: etree._Element) -> str | None:
    """The lower-case tag of an element, or None for comments and processing instructions."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _no_translate(el: etree._Element) -> bool:
    if (el.get("translate") or "").strip().lower() == "no":
        return True
    cls = el.get("class")
    return bool(cls) and "notranslate" in cls.split()


def _has_letters(text: str) -> bool:
    # The regex finds letters and the few digit-like characters (², ½) that \w also
    # takes; only those candidates are checked one by one.
    return any(m.group().isalpha() for m in _LETTER_CANDIDATE_RE.finditer(text))


def _has_content(text: str | None) -> bool:
    # [^\W_] is exactly str.isalnum(), searched in C: a page's long script texts
    # made a per-character loop the hottest line of extraction.
    return bool(text) and _ALNUM_RE.search(text) is not None  # type: ignore[arg-type]


def _translatable(text: str) -> bool:
    text = text.strip()
    return _has_letters(text) and not _URL_RE.match(text)


class _Analysis:
    """Facts about each element, computed once per document, bottom-up, without recursion."""

    def __init__(self, root: etree._Element):
        elements = list(root.iter())  # keeps lxml proxies alive, so they are stable keys
        self.elements = elements
        self.order = {el: i for i, el in enumerate(elements)}
        self.tag: dict[etree._Element, str | None] = {el: _tag(el) for el in elements}
        # translate="no" and class="notranslate" are rare: XPath finds the candidates in
        # C, instead of two attribute lookups per element in Python.
        self.notrans: set[etree._Element] = {
            el for el in _NO_TRANSLATE_CANDIDATES(root) if _no_translate(el)}
        self.inline: dict[etree._Element, bool] = {}
        self.content: dict[etree._Element, bool] = {}
        # Document position of each element's last descendant (itself when it has none).
        self.subtree_end: dict[etree._Element, int] = {}
        tags, notrans, inline, content = self.tag, self.notrans, self.inline, self.content
        for el in reversed(elements):
            self.subtree_end[el] = self.subtree_end[el[-1]] if len(el) else self.order[el]
            tag = tags[el]
            if tag is None:
                inline[el] = True
                content[el] = False
                continue
            own_text = _has_content(el.text)
            child_letters = False
            block_inside = False
            for child in el:
                if not own_text and _has_content(child.tail):
                    own_text = True
                ctag = tags[child]
                if ctag is None or ctag in SKIP_TAGS or child in notrans:
                    continue
                if not inline[child]:
                    block_inside = True
                child_letters = child_letters or content[child]
            content[el] = own_text or child_letters
            inline[el] = (tag in INLINE_TAGS or tag in OPAQUE_IN_RUN) and not (
                block_inside and tag not in OPAQUE_IN_RUN
            )

    def skipped(self, el: etree._Element) -> bool:
        """Whether an element's content is never translated."""
        tag = self.tag[el]
        return tag is None or tag in SKIP_TAGS or el in self.notrans

    def opaque(self, el: etree._Element) -> bool:
        """Whether an inline element is copied as it is rather than opened up."""
        tag = self.tag[el]
        if tag is None or tag in OPAQUE_IN_RUN or el in self.notrans:
            return True
        if tag == "time" and el.get("datetime") and len(el) == 0:
            return True
        return not self.content[el]

    def may_hold_text(self, run: _Run) -> bool:
        """A cheap test: False only when a run has no letter or digit outside opaque
        elements, so it cannot be a segment (most runs are whitespace between blocks)."""
        if _has_content(run.lead()):
            return True
        content = self.content
        for child in run.kids[run.start:run.end]:
            if content[child] or _has_content(child.tail):
                return True
        return False


# Elements that may be marked translate="no" or class="notranslate" (_no_translate).
_NO_TRANSLATE_CANDIDATES = etree.XPath(
    "descendant-or-self::*[@translate or contains(@class, 'notranslate')]")
# Elements that may carry a translatable attribute (see _attribute_segments).
_ATTRIBUTE_CANDIDATES = etree.XPath(
    "descendant-or-self::*[@alt or @title or @placeholder or @aria-label"
    " or self::meta or self::input]")


def _walk(root: etree._Element) -> Iterator[tuple[Segment, Slot]]:
    """Every segment of a document with the place it came from, in document order."""
    info = _Analysis(root)
    found: list[tuple[tuple[int, int], int, Segment, Slot]] = []
    seq = 0
    for el in _ATTRIBUTE_CANDIDATES(root):
        tag = info.tag[el]
        if tag is None:
            continue
        for seg, slot in _attribute_segments(el, tag):
            found.append(((info.order[el], 0), seq, seg, slot))
            seq += 1
    skipped: set[etree._Element] = set()
    stack: list[etree._Element] = [root]
    while stack:
        el = stack.pop()
        if info.skipped(el):
            skipped.add(el)
            continue
        runs, blocks = _split(el, info)
        for run in runs:
            if not info.may_hold_text(run):
                continue
            seg = _segment_of(run, info)
            if seg is not None:
                # A run starts right after its parent's start tag, or right after the
                # block that precedes it.
                if run.start == 0:
                    at = (info.order[run.parent], 1)
                else:
                    at = (info.subtree_end[run.kids[run.start - 1]], 2)
                found.append((at, seq, seg, run))
                seq += 1
        stack.extend(reversed(blocks))
    # Attributes inside skipped subtrees are not translated either.
    dead: set[etree._Element] = set()
    for el in skipped:
        dead.update(el.iter())
    found.sort(key=lambda item: (item[0], item[1]))
    for _, _, seg, slot in found:
        if isinstance(slot, _Attr) and slot.element in dead:
            continue
        yield seg, slot


def _split(el: etree._Element, info: _Analysis) -> tuple[list[_Run], list[etree._Element]]:
    """Cut a container's content into runs of inline content, and its block children."""
    runs: list[_Run] = []
    blocks: list[etree._Element] = []
    start = 0
    children = list(el)
    lead = el.text
    inline = info.inline
    for i, child in enumerate(children):
        if inline[child]:
            continue
        # An empty gap between two blocks holds no segment unless its text does.
        if i > start or _has_content(lead):
            runs.append(_Run(el, children, start, i))
        blocks.append(child)
        start = i + 1
        lead = child.tail
    if len(children) > start or _has_content(lead):
        runs.append(_Run(el, children, start, len(children)))
    return [_narrow(run, info) for run in runs], blocks


def _edge_droppable(el: etree._Element, info: _Analysis) -> bool:
    # Images, line breaks, comments and other text-less inline things at either end
    # of a run stay where they are, outside the segment.
    return info.opaque(el) and not (info.tag[el] == "time" and info.content[el])


def _narrow(run: _Run, info: _Analysis) -> _Run:
    """Trim text-less placeholders off the ends of a run, and step into an inline
    element that wraps the whole run (``<li><a>Text</a></li>`` gives "Text")."""
    while True:
        p = run.kids
        while (run.start < run.end and not run.lead().strip()
               and _edge_droppable(p[run.start], info)):
            run.start += 1
        while (run.end > run.start and not (p[run.end - 1].tail or "").strip()
               and _edge_droppable(p[run.end - 1], info)):
            run.end -= 1
        if (run.end - run.start == 1 and not run.lead().strip()
                and not (p[run.start].tail or "").strip()
                and not info.opaque(p[run.start])):
            inner = p[run.start]
            kids = list(inner)
            run = _Run(inner, kids, 0, len(kids))
            continue
        return run


def _placeholder_name(el: etree._Element, number: int) -> str:
    tag = _tag(el)
    base = "c" if tag is None else (tag if _NAME_RE.fullmatch(tag) else "x")
    return f"{base}{number}"


def _segment_of(run: _Run, info: _Analysis) -> Segment | None:
    parts: list[str] = [_collapse(run.lead())]
    notes: list[str] = []
    text_pieces = [run.lead()]
    counter = 0
    # Depth-first over the run's inline content, without recursion.
    stack: list[tuple[etree._Element, bool]] = [
        (child, False) for child in reversed(run.kids[run.start:run.end])
    ]
    while stack:
        el, closing = stack.pop()
        if closing:
            name = run.names[el]
            parts.append(f"</{name}>")
            parts.append(_collapse(el.tail or ""))
            text_pieces.append(el.tail or "")
            continue
        counter += 1
        name = _placeholder_name(el, counter)
        run.placeholders[name] = el
        if info.opaque(el):
            parts.append(f"<{name}/>")
            note = _describe_opaque(el)
            if note:
                notes.append(f"{name}: {note}")
            parts.append(_collapse(el.tail or ""))
            text_pieces.append(el.tail or "")
            continue
        run.names[el] = name
        parts.append(f"<{name}>")
        parts.append(_collapse(el.text or ""))
        text_pieces.append(el.text or "")
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    if not _translatable("".join(text_pieces)):
        return None
    msgid = "".join(parts).strip(" ")
    tag = _tag(run.parent) or "text"
    line = _line_of(run)
    return Segment(msgid=msgid, context=None, element=tag, line=line, notes=tuple(notes))


def _collapse(text: str) -> str:
    return escape_text(_WS_RE.sub(" ", text))


def _describe_opaque(el: etree._Element) -> str | None:
    tag = _tag(el)
    if tag is None or tag in VOID_TAGS:
        return None
    text = _WS_RE.sub(" ", "".join(el.itertext())).strip()
    if not text or tag in ("script", "style", "svg", "math", "template"):
        return None
    return text if len(text) <= 60 else text[:57] + "..."


def _line_of(run: _Run) -> int:
    if run.start > 0 and run.lead().strip():
        ref = run.kids[run.start - 1]
    elif run.end > run.start and not run.lead().strip():
        ref = run.kids[run.start]
    else:
        ref = run.parent
    return ref.sourceline or run.parent.sourceline or 1


def _attribute_segments(el: etree._Element, tag: str) -> Iterator[tuple[Segment, _Attr]]:
    line = el.sourceline or 1
    if tag == "meta":
        key = (el.get("name") or el.get("property") or "").strip().lower()
        content = el.get("content")
        if key in META_NAMES and content and _translatable(content):
            yield (Segment(_collapse(content).strip(" "), key, f"meta[{key}]", line),
                   _Attr(el, "content"))
        return
    for name in TEXT_ATTRIBUTES:
        value = el.get(name)
        if value and _translatable(value):
            yield Segment(_collapse(value).strip(" "), name, f"{tag}@{name}", line), _Attr(el, name)
    if tag == "input" and (el.get("type") or "").lower() in ("button", "submit", "reset"):
        value = el.get("value")
        if value and _translatable(value):
            yield Segment(_collapse(value).strip(" "), "value", "input@value", line), _Attr(
                el, "value")


def extract_segments(doc: HtmlDocument) -> list[Segment]:
    """The translatable segments of a document, in document order."""
    return [seg for seg, _ in _walk(doc.root)]


# -------------------------------------------------------------------------- rebuilding


@dataclass
class Translation:
    """A translation to put in place of a segment, and where it came from."""

    text: str
    line: int | None = None


Lookup = Callable[[Segment], Translation | None]


class SegmentMap:
    """A document's segments and where each one sits, by element position.

    Finding the segments is most of the work of a merge. An article is merged into
    several locales, each time into a fresh parse of the same bytes, whose elements
    come in the same order: the segments are found once, on the first parse, and
    `bind` points them at the elements of another.
    """

    def __init__(self, doc: HtmlDocument):
        root = doc.root
        index = {el: i for i, el in enumerate(root.iter())}
        self._places: list[tuple[Segment, int, int, int, dict[str, int] | str]] = []
        # The slots in this parse, for a `bind` to it (before it is changed).
        self._own = doc
        self._pairs = list(_walk(root))
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
            lws = _LEADING_WS_RE.match(old).group(0)  # type: ignore[union-attr]
            tws = _TRAILING_WS_RE.search(old).group(0)  # type: ignore[union-attr]
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
    lws = _LEADING_WS_RE.match(old_lead).group(0)  # type: ignore[union-attr]
    tws = _TRAILING_WS_RE.search(old_trail).group(0)  # type: ignore[union-attr]
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
