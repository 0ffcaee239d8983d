"""The data model: plain values, no I/O, no parsers.

A `Segment` is one translatable unit of an article: a block of text whose inline
markup is written as numbered placeholders (``Read <a1>the <em2>full</em2> report</a1>``),
or the value of a translatable attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# <a1>, </a1>, <br2/>: a tag name, a number, nothing else. Attributes never appear.
PLACEHOLDER_RE = re.compile(r"<(/?)([a-z]+(?:-[a-z]+)*)(\d+)(/?)>")
_ESCAPABLE_AMP_RE = re.compile(r"&(?=lt;|amp;)")
_UNESCAPE_RE = re.compile(r"&(lt|amp);")


@dataclass(frozen=True)
class Segment:
    """One translatable unit of an article."""

    msgid: str
    context: str | None  # msgctxt: None for text blocks, the attribute name for attributes
    element: str  # what it is, for translators: "p", "h2", "img@alt", "meta[og:title]"
    line: int  # line of the source document
    notes: tuple[str, ...] = ()  # what opaque placeholders stand for

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)


@dataclass(frozen=True)
class Token:
    """A piece of a segment's text: plain text, or a placeholder tag."""

    kind: str  # "text", "open", "close", "empty"
    value: str  # the text, or the placeholder name such as "a1"


@dataclass
class Notice:
    """A message about one file (and line) that the user should see."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message


# A translation that could not be used; the source text was kept instead.
MergeWarning = Notice


@dataclass
class ArticleResult:
    """What one pipeline step did to one article (and locale)."""

    slug: str
    lang: str | None = None
    path: str | None = None
    changed: bool = False
    skipped: str | None = None  # reason, when the article was not processed
    up_to_date: bool = False  # inputs and output as the last run left them: not redone
    warnings: list[MergeWarning] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


ERROR = "error"
WARNING = "warning"

# The codes of `Finding`: short, stable ids that CI configurations and scripts rely on.
FINDING_CODES = (
    "invalid-po",  # a PO/POT file GNU msgfmt --check (or our strict reader) rejects
    "invalid-source",  # an article that cannot be read
    "header",  # a PO header field missing or wrong (Language, Plural-Forms, Content-Type)
    "stale-template",  # the template no longer matches its article: run extract
    "stale-catalog",  # a catalog missing or out of date with its template: run update
    "incomplete",  # completeness below the threshold
    "approval-missing",  # not approved for publication
    "approval-stale",  # approved, but changed since
    "placeholders",  # placeholders of a translation do not match its source
    "markup",  # a tag or entity in a translation that is no placeholder
    "format",  # printf-style directives of a c-format/python-format entry differ
    "whitespace",  # leading or trailing whitespace not preserved
    "numbers",  # a number of the source missing from the translation
    "urls",  # a URL of the source missing from the translation
    "untranslated-copy",  # a long source copied as its own translation
)


@dataclass(frozen=True)
class Finding:
    """One problem found by ``l10n check``, located in a file (and line)."""

    severity: str  # ERROR or WARNING: only errors fail the gate
    code: str  # one of FINDING_CODES
    message: str
    path: str | None = None  # relative to the workspace root
    line: int | None = None
    slug: str | None = None  # the article it concerns, when it concerns one
    lang: str | None = None  # the locale it concerns, when it concerns one

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.severity}: {self.code}: {self.message}"


def escape_text(text: str) -> str:
    """Write literal text so that it cannot be mistaken for a placeholder.

    Only text that looks like a placeholder (or like one of the two escapes) is
    touched, so ordinary text such as ``AT&T`` or ``a < b`` stays readable.
    """
    text = _ESCAPABLE_AMP_RE.sub("&amp;", text)
    return PLACEHOLDER_RE.sub(lambda m: "&lt;" + m.group(0)[1:], text)


def unescape_text(text: str) -> str:
    return _UNESCAPE_RE.sub(lambda m: "<" if m.group(1) == "lt" else "&", text)


def tokenize(message: str) -> list[Token]:
    """Split a msgid or msgstr into text and placeholder tokens."""
    if "<" not in message:  # no placeholder: the common case, without the regex
        return [Token("text", unescape_text(message))] if message else []
    tokens: list[Token] = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(message):
        if m.start() > pos:
            tokens.append(Token("text", unescape_text(message[pos : m.start()])))
        closing, name, number, empty = m.groups()
        if closing and empty:
            # "</a1/>" is no placeholder; keep it as text so it is escaped on output.
            tokens.append(Token("text", m.group(0)))
        else:
            kind = "close" if closing else ("empty" if empty else "open")
            tokens.append(Token(kind, f"{name}{number}"))
        pos = m.end()
    if pos < len(message):
        tokens.append(Token("text", unescape_text(message[pos:])))
    return tokens


_TAG_FORMS = {"open": "<{}>", "close": "</{}>", "empty": "<{}/>"}


def join_tokens(tokens: Iterable[Token], text: Callable[[str], str] | None = None) -> str:
    """A message from its tokens: the inverse of `tokenize`. ``text``, if given,
    rewrites each text piece first (pseudo-translations, test variants)."""
    return "".join(
        escape_text(tok.value if text is None else text(tok.value)) if tok.kind == "text"
        else _TAG_FORMS[tok.kind].format(tok.value) for tok in tokens)


def placeholder_signature(message: str) -> tuple[tuple[str, str], ...]:
    """The sorted placeholders of a message, used to compare source and translation."""
    return tuple(sorted((t.kind, t.value) for t in tokenize(message) if t.kind != "text"))


def placeholder_problems(source: str, translation: str,
                         source_signature: tuple[tuple[str, str], ...] | None = None,
                         tokens: list[Token] | None = None) -> list[str]:
    """Why a translation's placeholders do not fit its source; empty when they do.
    ``source_signature`` is the source's `placeholder_signature` and ``tokens`` the
    translation's, when the caller has them already."""
    if "<" not in source and "<" not in translation:
        return []  # neither has a placeholder
    problems: list[str] = []
    src = placeholder_signature(source) if source_signature is None else source_signature
    if tokens is None:
        tokens = tokenize(translation)
    dst = tuple(sorted((t.kind, t.value) for t in tokens if t.kind != "text"))
    if src != dst:
        src_names = {f"{k}:{v}" for k, v in src}
        dst_names = {f"{k}:{v}" for k, v in dst}
        missing = sorted(_show(x) for x in src_names - dst_names)
        extra = sorted(_show(x) for x in dst_names - src_names)
        if missing:
            problems.append("missing placeholder " + ", ".join(missing))
        if extra:
            problems.append("unknown placeholder " + ", ".join(extra))
        if not missing and not extra:
            problems.append("placeholder used more than once")
        return problems
    stack: list[str] = []
    for tok in tokens:
        if tok.kind == "open":
            stack.append(tok.value)
        elif tok.kind == "close":
            if not stack or stack[-1] != tok.value:
                problems.append(f"placeholder </{tok.value}> closes out of order")
                return problems
            stack.pop()
    if stack:
        problems.append(f"placeholder <{stack[-1]}> is not closed")
    return problems


_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_OUR_ESCAPES = {"&lt;", "&amp;"}  # how literal placeholder-like text is written


def markup_in(text: str) -> list[str]:
    """Tags and character references in a message that are not placeholders."""
    rest = PLACEHOLDER_RE.sub(" ", text)
    found = [m.group(0) for m in _TAG_RE.finditer(rest)]
    found += [m.group(0) for m in _ENTITY_RE.finditer(rest) if m.group(0) not in _OUR_ESCAPES]
    return found


def markup_problems(source: str, translation: str) -> list[str]:
    """Markup in a translation that its source does not have: merge inserts text as
    text, so readers would see ``<b>`` or ``&nbsp;`` literally."""
    allowed = set(markup_in(source))
    extra = [m for m in dict.fromkeys(markup_in(translation)) if m not in allowed]
    if not extra:
        return []
    shown = ", ".join(extra[:3]) + (", ..." if len(extra) > 3 else "")
    return [f"markup that is no placeholder: {shown} (it would show as text; use the"
            " source's placeholders)"]


def _show(item: str) -> str:
    kind, name = item.split(":", 1)
    return {"open": f"<{name}>", "close": f"</{name}>", "empty": f"<{name}/>"}[kind]


def count_words(message: str) -> int:
    """Words of a message's text, placeholders excluded (CJK counted per character)."""
    words = 0
    for tok in tokenize(message):
        if tok.kind != "text":
            continue
        for chunk in tok.value.split():
            cjk = sum(1 for ch in chunk if _is_cjk(ch))
            rest = "".join(ch for ch in chunk if not _is_cjk(ch))
            words += cjk + (1 if any(ch.isalnum() for ch in rest) else 0)
    return words


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0xF900 <= code <= 0xFAFF
    )
