"""The text of PO and POT files, read and written fast: part of the catalog layer.

polib's objects stay the data model (`POFile`, `POEntry`); this module only replaces
polib's own reader and writer, which were a third of `update` and `merge`.

The writer gives, byte for byte, what polib 1.2.0's ``str(po)`` gives with a wrap width
of 78, including its quirks (header comment lines, metadata order, which comments wrap
and how, long fields cut where textwrap would cut them). The reader builds the same
objects, field by field, as ``polib.pofile`` does, and applies the strict checks of
`catalog.check_syntax` on the way. It handles the files l10n and GNU gettext write;
for anything else (other line ends, odd spacing, a line either check rejects) it
returns None, and the caller takes the exact old path, which also words the error.
"""

from __future__ import annotations

import codecs
import gc
import re
import textwrap
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

import polib

POEntry = polib.POEntry
POFile = polib.POFile

WRAP = 78

# ---------------------------------------------------------------------- writing

# A field holding none of these is written as it is, on one line if it fits.
_NEEDS_CARE_RE = re.compile('[\\\\"\t\x08\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]')
# The line breaks of str.splitlines: polib writes a field with two or more lines
# line by line, unwrapped.
_BREAKS_RE = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# textwrap's own chunking (words, whitespace runs, hyphenated parts), needed where a
# text holds a hyphen; without one, chunks are just runs of spaces and of the rest.
_WORDSEP_RE = textwrap.TextWrapper.wordsep_re
_SPACES_SPLIT_RE = re.compile("( +)")
# Whitespace other than the space: textwrap expands or replaces it, and str.strip()
# counts Unicode spaces as droppable; texts holding any go through textwrap itself.
_OTHER_SPACE_RE = re.compile(r"[^\S ]")

# The room of a field on its keyword's line: the wrap width less the keyword, a space
# and two quotes (polib counts "previous_msgid", though it writes "#| msgid").
_ROOM = {name: WRAP - len(name) - 3 for name in (
    "msgctxt", "msgid", "msgid_plural", "msgstr",
    "previous_msgctxt", "previous_msgid", "previous_msgid_plural")}
_METADATA_ORDER = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date",
                   "PO-Revision-Date", "Last-Translator", "Language-Team", "Language",
                   "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
                   "Plural-Forms")
_DIGITS_RE = re.compile("([0-9]+)")


def _line_ends(text: str) -> list[int]:
    """The offsets where textwrap's chunks of ``text`` end (duplicates harmless)."""
    pattern = _WORDSEP_RE if "-" in text else _SPACES_SPLIT_RE
    return list(accumulate(map(len, pattern.split(text))))


# One line of an escaped field wrapped at 76: the longest run of whole chunks that
# fits (a chunk ends where a run of spaces starts or ends), else one chunk alone.
_FIELD_LINE_RE = re.compile(r".{1,76}(?:(?<= )(?! )|(?<! )(?= )|\Z)|[^ ]+| +", re.S)
_FITS_RE = re.compile(r".{1,76}(?:(?<= )(?! )|(?<! )(?= )|\Z)", re.S)


def _wrap_kept(text: str) -> list[str]:
    """textwrap.wrap(text, 76, drop_whitespace=False, break_long_words=False) for an
    escaped field (whose only whitespace is the space).

    Greedy filling puts whole chunks on a line while they fit: a line ends at the
    last chunk end within 76 of its start or, when the first chunk is longer than
    that, right after it. With whitespace kept the lines are plain slices."""
    if "-" not in text:
        return _FIELD_LINE_RE.findall(text)
    # textwrap also cuts after some hyphens. Its chunking does not look across
    # spaces, so only the word reaching past a line's end needs chunking.
    n = len(text)
    lines = []
    start = 0
    while n - start > 76:
        limit = start + 76
        m = _FITS_RE.match(text, start)
        end = m.end() if m else start
        if text[end] != " ":
            # The word at ``end`` (or holding it, when nothing fits) reaches past the
            # limit: its hyphen cuts, if any, are chunk ends too.
            word_start = text.rfind(" ", 0, end) + 1
            word_end = text.find(" ", end)
            if word_end < 0:
                word_end = n
            word = text[word_start:word_end]
            pieces = _WORDSEP_RE.split(word) if "-" in word else [word]
            cut = word_start
            first_cut = 0
            for piece in pieces:
                cut += len(piece)
                if not first_cut and cut > start:
                    first_cut = cut
                if cut > limit:
                    break
                if cut > end:
                    end = cut
            if end == start:  # nothing fits: the first chunk goes alone
                end = first_cut or word_end
        elif end == start:  # a run of spaces longer than a line
            end = n - len(text[start:].lstrip(" "))
        lines.append(text[start:end])
        start = end
    if start < n:
        lines.append(text[start:])
    return lines


def _wrap_dropped(text: str, width: int, indent: str) -> list[str]:
    """textwrap.wrap(text, width + len(indent), initial_indent=indent,
    subsequent_indent=indent, break_long_words=False): as above, but a whitespace
    chunk is dropped from the start of every line after the first one written and
    from the end of every line."""
    if _OTHER_SPACE_RE.search(text) is not None:
        return textwrap.wrap(text, width + len(indent), initial_indent=indent,
                             subsequent_indent=indent, break_long_words=False)
    n = len(text)
    ends = _line_ends(text)
    lines: list[str] = []
    start = 0
    while start < n:
        if lines and text[start] == " ":
            start = ends[bisect_right(ends, start)]
            if start >= n:
                break
        if n - start <= width:
            end = n
        else:
            fit = bisect_right(ends, start + width)
            end = ends[fit - 1] if fit else 0
            if end <= start:
                end = ends[bisect_right(ends, start)]
        line = text[start:end]
        if line[-1] == " ":
            line = line.rstrip(" ")
        if line:
            lines.append(indent + line)
        start = end
    return lines


def _escape(text: str) -> str:
    # Backslashes first, so that the ones added after are not doubled. (A chain of
    # replaces is several times faster than str.translate with a table.)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")
            .replace("\n", "\\n").replace("\x0b", "\\v").replace("\x08", "\\b")
            .replace("\x0c", "\\f").replace('"', '\\"'))


def _field(out: list[str], prefix: str, keyword: str, room: int, value: str) -> None:
    """The lines of one field (``msgid "..."`` and its continuation lines)."""
    if _NEEDS_CARE_RE.search(value) is None:
        escaped = value
        if len(value) <= room:
            out.append(f'{prefix}{keyword} "{value}"')
            return
    else:
        if _BREAKS_RE.search(value) is not None:
            parts = value.splitlines(True)
            if len(parts) > 1:
                out.append(f'{prefix}{keyword} ""')
                for part in parts:
                    out.append(f'{prefix}"{_escape(part)}"')
                return
        escaped = _escape(value)
        # polib's test: the unescaped length less the number of escapes against the
        # room (escapes count against, not for, wrapping).
        if 2 * len(value) - len(escaped) <= room:
            out.append(f'{prefix}{keyword} "{escaped}"')
            return
    # polib wraps the escaped text at 76 (78 less the quotes); a cut never falls
    # inside an escape, which holds no space and no hyphen.
    out.append(f'{prefix}{keyword} ""')
    for part in _wrap_kept(escaped):
        out.append(f'{prefix}"{part}"')


def _comment(out: list[str], prefix: str, text: str) -> None:
    width = WRAP - len(prefix)
    for line in text.split("\n"):
        if len(line) > width:
            out += _wrap_dropped(line, width, prefix)
        else:
            out.append(prefix + line)


def _occurrences(out: list[str], occurrences: list[tuple[str, str]]) -> None:
    refs = " ".join([f"{path}:{line}" if line else f"{path}" for path, line in occurrences])
    if len(refs) + 3 > WRAP:
        # polib hides hyphens from textwrap as "*" and turns every "*" back into "-".
        wrapped = _wrap_dropped(refs.replace("-", "*"), WRAP - 3, "#: ")
        out += [line.replace("*", "-") for line in wrapped]
    else:
        out.append("#: " + refs)


_ROOM_MSGCTXT = _ROOM["msgctxt"]
_ROOM_MSGID = _ROOM["msgid"]
_ROOM_MSGSTR = _ROOM["msgstr"]


def _extracted(out: list[str], text: str, found: list[tuple[str, str]]) -> None:
    """The ``#.`` and ``#:`` lines of an active entry."""
    if text:
        if len(text) <= WRAP - 3 and "\n" not in text:
            out.append("#. " + text)
        else:
            _comment(out, "#. ", text)
    if found:
        if len(found) == 1:
            path, line = found[0]
            ref = f"{path}:{line}" if line else f"{path}"
            if len(ref) <= WRAP - 3:
                out.append("#: " + ref)
            else:
                _occurrences(out, found)
        else:
            _occurrences(out, found)


def template_body(entries: Iterable[tuple[str | None, str, str, list[tuple[str, str]]]]
                  ) -> str:
    """The lines of untranslated template entries, (msgctxt, msgid, extracted comment,
    occurrences) each, as `write_po` writes POEntry objects holding just these fields
    (building those objects was half of writing a template); joined by newlines, each
    entry's lines ending with an empty one. The commonest cases are spelt out."""
    out: list[str] = []
    append = out.append
    care = _NEEDS_CARE_RE.search
    for msgctxt, msgid, comment, occurrences in entries:
        if len(comment) <= WRAP - 3 and "\n" not in comment:
            if comment:
                append("#. " + comment)
        else:
            _comment(out, "#. ", comment)
        if len(occurrences) == 1:
            path, line = occurrences[0]
            ref = f"{path}:{line}" if line else f"{path}"
            if len(ref) <= WRAP - 3:
                append("#: " + ref)
            else:
                _occurrences(out, occurrences)
        elif occurrences:
            _occurrences(out, occurrences)
        if msgctxt is not None:
            _field(out, "", "msgctxt", _ROOM_MSGCTXT, msgctxt)
        if len(msgid) <= _ROOM_MSGID and care(msgid) is None:
            append(f'msgid "{msgid}"')
        else:
            _field(out, "", "msgid", _ROOM_MSGID, msgid)
        append('msgstr ""')
        append("")
    return "\n".join(out)


def _entry(out: list[str], e: POEntry) -> None:
    obsolete = e.obsolete
    text = e.tcomment
    if text:
        if len(text) <= WRAP - 2 and "\n" not in text:
            out.append("# " + text)
        else:
            _comment(out, "# ", text)
    if not obsolete:
        _extracted(out, e.comment, e.occurrences)
    if e.flags:
        out.append("#, " + ", ".join(e.flags))
    if e.previous_msgctxt is not None or e.previous_msgid is not None or \
            e.previous_msgid_plural is not None:
        prev = "#~| " if obsolete else "#| "
        if e.previous_msgctxt is not None:
            _field(out, prev, "msgctxt", _ROOM["previous_msgctxt"], e.previous_msgctxt)
        if e.previous_msgid is not None:
            _field(out, prev, "msgid", _ROOM["previous_msgid"], e.previous_msgid)
        if e.previous_msgid_plural is not None:
            _field(out, prev, "msgid_plural", _ROOM["previous_msgid_plural"],
                   e.previous_msgid_plural)
    mark = "#~ " if obsolete else ""
    if e.msgctxt is not None:
        _field(out, mark, "msgctxt", _ROOM_MSGCTXT, e.msgctxt)
    _field(out, mark, "msgid", _ROOM_MSGID, e.msgid)
    if e.msgid_plural:
        _field(out, mark, "msgid_plural", _ROOM["msgid_plural"], e.msgid_plural)
    if e.msgstr_plural:
        plurals = e.msgstr_plural
        for index in sorted(plurals):
            suffix = f"[{index}]"
            _field(out, mark, "msgstr" + suffix, _ROOM_MSGSTR - len(suffix), plurals[index])
    else:
        _field(out, mark, "msgstr", _ROOM_MSGSTR, e.msgstr)
    out.append("")  # the blank line after every entry


def _natural_key(name: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p.lower() for p in _DIGITS_RE.split(name)]


def ordered_metadata(po: POFile | dict[str, str]) -> list[tuple[str, str]]:
    """The header fields (of a catalog, or the fields themselves) in the order polib
    writes them: the standard ones first, the rest in natural order."""
    rest = dict(po if isinstance(po, dict) else po.metadata)
    fields = [(name, rest.pop(name)) for name in _METADATA_ORDER if name in rest]
    fields += [(name, rest[name]) for name in sorted(rest, key=_natural_key)]
    return fields


def _header(out: list[str], header: str, fields: list[tuple[str, str]], fuzzy: bool
            ) -> None:
    """The file's header comment and the header entry, with its blank line."""
    for line in header.split("\n"):
        if not line:
            out.append("#")
        elif line[0] in ",:":
            out.append("#" + line)
        else:
            out.append("# " + line)
    if fuzzy:
        out.append("#, fuzzy")
    out.append('msgid ""')
    text = "\n".join([f"{name}: {value}" for name, value in fields]) + "\n" if fields else ""
    _field(out, "", "msgstr", _ROOM["msgstr"], text)
    out.append("")


def write_template(header: str, metadata: dict[str, str], body: str) -> str:
    """The text `write_po` gives for a catalog with this header comment, these header
    fields and, as ``body``, its entries' lines joined by newlines (each entry's lines
    end with an empty one, as `template_body` makes them); empty for no entries."""
    out: list[str] = []
    _header(out, header, ordered_metadata(metadata), False)
    head = "\n".join(out)
    return head + "\n" + body if body else head


def write_po(po: POFile) -> str:
    """The text of a catalog, exactly as polib 1.2.0 writes it at width 78."""
    out: list[str] = []
    _header(out, po.header, ordered_metadata(po), bool(po.metadata_is_fuzzy))
    obsolete = []
    for e in po:
        if e.obsolete:
            obsolete.append(e)
        else:
            _entry(out, e)
    for e in obsolete:
        _entry(out, e)
    return "\n".join(out)


# ---------------------------------------------------------------------- reading

# Line breaks other than "\n" (str.splitlines, which polib uses, breaks there too)
# and a byte order mark: such files go the old way. (One "in" per character is ten
# times faster than a regular expression's character class.)
_AWKWARD = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufeff"
# What check_syntax accepts as a quoted string.
_STRING_RE = re.compile(r'^"(?:[^"\\]++|\\[\\"ntrabfv?\'0-7x])*+"\s*$')
# One complete active entry in the layout l10n (and GNU gettext) write, from its first
# comment line through the blank line after it: translator comments, extracted
# comments, references, one flags line, the previous msgctxt and msgid, an optional
# msgctxt, msgid, msgstr. Read at an
# entry's start, it takes in one match what the line machine below takes in six or
# more lines, and it accepts only what that machine reads to the same fields: comment
# lines end in no whitespace (so stripping is a no-op and none is empty), quoted
# strings hold only the escapes check_syntax knows, and nothing stands between the
# closing quote and the line end. Anything else fails to match and goes line by line.
_Q = r'(?:[^"\\\n]++|\\[\\"ntrabfv?\'0-7x])*+'
# A field's lines as quoted strings, taken loosely: the content is checked after the
# match (by _CHECKED_FIELD_RE where it holds a quote or backslash once joined), which
# is a third of the matching time.
_FIELD = '"((?:[^\\n]*"\\n")*+[^\\n]*)"\\n'
_CHECKED_FIELD_RE = re.compile(f'{_Q}(?:"\\n"{_Q})*+')
_PREVIOUS_LINES = f'"({_Q}(?:"\n#\\| "{_Q})*+)"\n'
_FAST_ENTRY_RE = re.compile(
    r"((?:# [^\n]*+(?<=\S)\n)*+)"  # 1: translator comment lines
    # 2: one extracted comment line's text, 3: more lines
    r"(?:#\. ([^\n]*+)(?<=\S)\n(?!#\. )|((?:#\. [^\n]*+(?<=\S)\n)++))?"
    # 4, 5: one reference's path and line number, 6: one reference, 7: more lines
    r"(?:#: (\S+):([0-9]++)\n(?!#: )|#: (\S++)\n(?!#: )|((?:#: [^\n]*+(?<=\S)\n)++))?"
    r"(?:#, ([^\n]*+)(?<=\S)\n)?"  # 8: flags
    f"(?:#\\| msgctxt {_PREVIOUS_LINES})?"  # 9
    f"(?:#\\| msgid {_PREVIOUS_LINES})?"  # 10
    f"(?:msgctxt {_FIELD})?"  # 11
    f"msgid {_FIELD}"  # 12
    f"msgstr {_FIELD}"  # 13
    r"(?:\n|\Z)")
# What polib rejects in the strings of obsolete entries (check_syntax skips them).
_BARE_QUOTE_RE = re.compile(r'([^\\]|^)"')
_CHARSET_RE = re.compile(r'"?Content-Type:.+? charset=([\w_\-:\.]+)')

# Parser states. Between entries, or among an entry's comments: NONE.
NONE, CTXT, ID, PLURAL, STR, STRX, ENDED = range(7)
OCTXT, OID, OPLURAL, OSTR, OSTRX = range(7, 12)  # the same in an obsolete (#~) entry
PCTXT, PID, PPLURAL = range(12, 15)  # after "#| msgctxt" and so on
# An entry is complete in these: a comment, msgctxt or msgid starts the next one.
_DONE = frozenset({STR, STRX, ENDED, OSTR, OSTRX})
_OPEN = frozenset({NONE, PCTXT, PID, PPLURAL})
# Where else a line may stand that goes on with the entry (see _entry_at).
_ID_MAY_FOLLOW = _OPEN | {CTXT}  # msgid: also after msgctxt
_OBSOLETE_ID_MAY_FOLLOW = frozenset({NONE, OCTXT})
_BETWEEN = frozenset({NONE})
_NORMAL_FIELDS = frozenset({CTXT, ID, PLURAL, STR, STRX})
_OBSOLETE_FIELDS = frozenset({OCTXT, OID, OPLURAL, OSTR, OSTRX})
_PREVIOUS = {"msgctxt": (PCTXT, "previous_msgctxt"), "msgid": (PID, "previous_msgid"),
             "msgid_plural": (PPLURAL, "previous_msgid_plural")}
_PREVIOUS_FIELD = {state: name for state, name in _PREVIOUS.values()}


# What str.strip() strips.
_SPACES = frozenset(c for c in map(chr, range(0x3000 + 1)) if c.isspace())


class _Unsupported(Exception):
    """The text leaves the subset this reader handles."""


def _unescape_pairless(s: str) -> str:
    # No "\\\\" in s: every backslash starts a two-character escape, so the
    # replacements cannot overlap.
    return (s.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r")
            .replace("\\v", "\v").replace("\\b", "\b").replace("\\f", "\f")
            .replace('\\"', '"'))


def _unescape(s: str) -> str:
    """polib's unescape: the escapes of \\\\ \\n \\t \\r \\v \\b \\f \\" and no others
    (their backslash stays)."""
    if "\\" not in s:
        return s
    if "\\\\" in s:
        # Pairs of backslashes are found from the left, as a left-to-right scan does.
        return "\\".join([_unescape_pairless(p) for p in s.split("\\\\")])
    return _unescape_pairless(s)


unescape = _unescape


def _checked_value(lines: str) -> str | None:
    """The value of a field whose quoted lines (without the first and last quote) hold
    a quote or a backslash: None unless every line is one of check_syntax's quoted
    strings."""
    if _CHECKED_FIELD_RE.fullmatch(lines) is None:
        return None
    return _unescape_checked(lines.replace('"\n"', ""))


def _unescape_checked(s: str) -> str:
    """`_unescape` of a string whose every backslash starts one of check_syntax's
    escapes, for the common \\" and \\n: replaced directly when no other backslash
    is left. (A replace that took the second backslash of a \\\\ leaves its first one
    behind, so a wrong cut never goes unnoticed.)"""
    done = s.replace('\\"', '"').replace("\\n", "\n")
    if "\\" in done:
        return _unescape(s)
    return done


def _quoted_obsolete(s: str, checked: bool = True) -> str:
    """The content of a quoted string of an obsolete entry, as polib reads it."""
    if s[:1] != '"' or len(s) < 2 or s[-1] != '"':
        raise _Unsupported
    inner = s[1:-1]
    if checked and '"' in inner and _BARE_QUOTE_RE.search(inner) is not None:
        raise _Unsupported
    return _unescape(inner)


def _new_entry(linenum: int) -> POEntry:
    """A POEntry with the attributes POEntry.__init__ sets, in its order, with its
    defaults. (Set one by one, they live in the instance's compact storage, keys
    shared by all entries: half the memory and time of a dict of its own.)"""
    entry = object.__new__(POEntry)
    entry.msgid = ""
    entry.msgstr = ""
    entry.msgid_plural = ""
    entry.msgstr_plural = {}
    entry.msgctxt = None
    entry.obsolete = False
    entry.encoding = "utf-8"
    entry.comment = ""
    entry.tcomment = ""
    entry.occurrences = []
    entry.flags = []
    entry.previous_msgctxt = None
    entry.previous_msgid = None
    entry.previous_msgid_plural = None
    entry.linenum = linenum
    return entry


def _entry_at(entries: list[POEntry], entry: POEntry, state: int, allowed: frozenset[int],
              number: int) -> POEntry:
    """The entry that a line starting one (a comment, msgctxt or msgid, on line
    ``number``) belongs to: a new one once ``entry`` is complete (it is kept in
    ``entries``), else ``entry`` itself where such a line may stand in ``state``.
    Anywhere else, the layout is not one this reader vouches for."""
    if state in _DONE:
        entries.append(entry)
        return _new_entry(number)
    if state not in allowed:
        raise _Unsupported
    return entry


def _plural_index(keyword: str) -> int:
    if len(keyword) == 9 and keyword[6] == "[" and keyword[8] == "]" and \
            keyword[7] in "0123456789":
        return int(keyword[7])
    raise _Unsupported


def read_po(text: str) -> POFile | None:
    """The catalog polib would read from ``text``, or None where this reader does not
    vouch for that (odd layout, or anything `check_syntax` or polib would reject)."""
    for char in _AWKWARD:
        if char in text:
            return None
    # Reading makes some ten containers per entry and no cycles; the cycle collector's
    # passes over them cost a tenth of the time, and as much again as the reading
    # when the caller holds other catalogs. Off while reading, as it was found.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(text)
    except _Unsupported:
        return None
    finally:
        if collecting:
            gc.enable()


def _value(quoted: str) -> str:
    """The content of a quoted string of an active entry (checked as check_syntax
    does), unescaped."""
    if quoted[-1:] != '"':
        quoted = quoted.rstrip()
    if len(quoted) < 2 or quoted[0] != '"' or quoted[-1] != '"':
        raise _Unsupported
    inner = quoted[1:-1]
    if "\\" in inner:
        if _STRING_RE.match(quoted) is None:
            raise _Unsupported
        return _unescape(inner)
    if '"' in inner:
        raise _Unsupported
    return inner


def _read(text: str) -> POFile:
    entries: list[POEntry] = []
    header = ""
    header_phase = True  # "# " lines before anything else are the file's header
    tail_comment = True  # the last line read was a comment: polib drops the entry
    state = NONE
    entry = _new_entry(0)  # polib numbers the first entry 0
    # The line by line reading sets the entry's attributes through its __dict__.
    values = entry.__dict__
    # Where continuation lines go: the entry (or its msgstr_plural) and the key.
    target: dict = values
    key: str | int = "msgid"
    done, open_, normal, obsolete = _DONE, _OPEN, _NORMAL_FIELDS, _OBSOLETE_FIELDS
    entry_at, id_may_follow = _entry_at, _ID_MAY_FOLLOW
    new = object.__new__
    unescape_checked = _unescape_checked
    checked_value = _checked_value
    spaces = _SPACES

    fast = _FAST_ENTRY_RE.match
    number = 0  # the lines read so far
    slow = 0  # the stretches read line by line
    pos = 0  # where the next line starts
    size = len(text)
    while pos <= size:
        if state in done:
            # At an entry's start (the last one is complete): the common layout in
            # one match, the fields as the lines below would set them.
            m = fast(text, pos)
            if m is not None:
                (tcomment, comment, comments, path, num, ref, refs, flags,
                 previous_msgctxt, previous_msgid, msgctxt, msgid, msgstr) = m.groups()
                # The fields: lines joined, then checked and unescaped where they
                # hold a quote or a backslash.
                valid = True
                if "\n" in msgid:
                    msgid = msgid.replace('"\n"', "")
                if '"' in msgid or "\\" in msgid:
                    msgid = checked_value(m.group(12))
                    valid = msgid is not None
                if "\n" in msgstr:
                    msgstr = msgstr.replace('"\n"', "")
                if '"' in msgstr or "\\" in msgstr:
                    msgstr = checked_value(m.group(13))
                    valid = valid and msgstr is not None
                if msgctxt is not None:
                    if "\n" in msgctxt:
                        msgctxt = msgctxt.replace('"\n"', "")
                    if '"' in msgctxt or "\\" in msgctxt:
                        msgctxt = checked_value(m.group(11))
                        valid = valid and msgctxt is not None
            if m is not None and valid:
                if tcomment:
                    tcomment = tcomment[2:-1].replace("\n# ", "\n")
                if comment is None:
                    comment = comments[3:-1].replace("\n#. ", "\n") if comments else ""
                if path is not None:
                    found = [(path, num)]
                elif ref is not None:
                    path, colon, num = ref.rpartition(":")
                    found = [(path, num) if colon and num.isdigit() else (ref, "")]
                else:
                    found = []
                    if refs is not None:
                        for ref in refs[3:-1].replace("\n#: ", " ").split():
                            path, colon, num = ref.rpartition(":")
                            found.append((path, num) if colon and num.isdigit()
                                         else (ref, ""))
                if flags is None:
                    flags = []
                elif flags == "fuzzy":
                    flags = ["fuzzy"]
                else:
                    flags = [flag.strip() for flag in flags.split(",")]
                if previous_msgctxt is not None:
                    if "\n" in previous_msgctxt:
                        previous_msgctxt = previous_msgctxt.replace('"\n#| "', "")
                    if "\\" in previous_msgctxt:
                        previous_msgctxt = unescape_checked(previous_msgctxt)
                if previous_msgid is not None:
                    if "\n" in previous_msgid:
                        previous_msgid = previous_msgid.replace('"\n#| "', "")
                    if "\\" in previous_msgid:
                        previous_msgid = unescape_checked(previous_msgid)
                entries.append(entry)
                end = m.end()
                # The object itself, its attributes set in POEntry.__init__'s order:
                # they then live in the instance's own compact storage (keys shared
                # by all entries), half the memory and time of a dict of its own.
                entry = new(POEntry)
                entry.msgid = msgid
                entry.msgstr = msgstr
                entry.msgid_plural = ""
                entry.msgstr_plural = {}
                entry.msgctxt = msgctxt
                entry.obsolete = 0
                entry.encoding = "utf-8"
                entry.comment = comment
                entry.tcomment = tcomment or ""
                entry.occurrences = found
                entry.flags = flags
                entry.previous_msgctxt = previous_msgctxt
                entry.previous_msgid = previous_msgid
                entry.previous_msgid_plural = None
                entry.linenum = number + 1
                number += text.count("\n", pos, end)
                pos = end
                state = ENDED
                tail_comment = False
                continue
        # Otherwise line by line, up to and including the next blank line; or to the
        # end, where most entries so far were not in the common layout (then no more
        # matches are tried).
        slow += 1
        stop = -1 if slow > 20 and 2 * slow > len(entries) else text.find("\n\n", pos)
        if stop < 0:
            chunk = text[pos:]
            pos = size + 1
        else:
            chunk = text[pos:stop + 1]
            pos = stop + 2
        for line in chunk.split("\n"):
            number += 1
            first = line[:1]
            if first == "m":  # a keyword line, the commonest
                tail_comment = False
                header_phase = False
                if line[:7] == 'msgid "':  # the commonest of them
                    value = line[7:-1]
                    if line[-1] != '"' or len(line) < 8 or "\\" in value or '"' in value:
                        value = _value(line[6:])
                    entry = entry_at(entries, entry, state, id_may_follow, number)
                    values = entry.__dict__
                    values["msgid"] = value
                    values["obsolete"] = 0
                    target, key, state = values, "msgid", ID
                    continue
                if line[:8] == 'msgstr "':
                    if state != ID and state != PLURAL:
                        raise _Unsupported
                    value = line[8:-1]
                    if line[-1] != '"' or len(line) < 9 or "\\" in value or '"' in value:
                        value = _value(line[7:])
                    values["msgstr"] = value
                    target, key, state = values, "msgstr", STR
                    continue
                keyword, _, rest = line.partition(" ")
                value = rest[1:-1]
                if rest[:1] != '"' or rest[-1:] != '"' or len(rest) < 2 or "\\" in value or \
                        '"' in value:
                    value = _value(rest)
                if keyword == "msgctxt":
                    entry = entry_at(entries, entry, state, open_, number)
                    values = entry.__dict__
                    values["msgctxt"] = value
                    target, key, state = values, "msgctxt", CTXT
                elif keyword == "msgid_plural":
                    if state != ID:
                        raise _Unsupported
                    values["msgid_plural"] = value
                    target, key, state = values, "msgid_plural", PLURAL
                else:
                    index = _plural_index(keyword)
                    if state != ID and state != PLURAL and state != STRX:
                        raise _Unsupported
                    target = values["msgstr_plural"]
                    target[index] = value
                    key, state = index, STRX
                continue

            if first == '"':  # a continuation line
                if state not in normal:
                    raise _Unsupported
                inner = line[1:-1]
                if line[-1] != '"' or len(line) < 2 or "\\" in inner or '"' in inner:
                    inner = _value(line)
                target[key] += inner
                tail_comment = False
                continue

            if first == "#":
                if line[-1] in spaces:
                    line = line.rstrip()
                head = line[:3]
                if head == "#. " or head == "#: ":  # the commonest comments, first
                    tail_comment = True
                    header_phase = False
                    entry = entry_at(entries, entry, state, open_, number)
                    values = entry.__dict__
                    state = NONE
                    if head == "#. ":
                        if values["comment"]:
                            values["comment"] += "\n" + line[3:]
                        else:
                            values["comment"] = line[3:]
                    else:
                        found = values["occurrences"]
                        for ref in line[3:].split():
                            path, colon, num = ref.rpartition(":")
                            found.append((path, num) if colon and num.isdigit() else (ref, ""))
                    continue
                second = line[1:2]
                if second == "~":
                    mark = line[2:3]
                    if mark == "|":  # an obsolete entry's previous msgid: polib skips it
                        if len(line) > 3 and line[3] != " ":
                            raise _Unsupported
                        tail_comment = True
                        continue
                    if mark != " ":
                        raise _Unsupported
                    rest = line[3:]
                    tail_comment = False
                    if rest[:1] == '"':
                        if state not in obsolete:
                            raise _Unsupported
                        target[key] += _quoted_obsolete(rest)
                        continue
                    header_phase = False
                    keyword, _, rest = rest.partition(" ")
                    if keyword == "msgid":
                        entry = entry_at(entries, entry, state, _OBSOLETE_ID_MAY_FOLLOW,
                                         number)
                        values = entry.__dict__
                        values["msgid"] = _quoted_obsolete(rest)
                        values["obsolete"] = 1
                        target, key, state = values, "msgid", OID
                    elif keyword == "msgstr":
                        if state != OID and state != OPLURAL:
                            raise _Unsupported
                        values["msgstr"] = _quoted_obsolete(rest)
                        target, key, state = values, "msgstr", OSTR
                    elif keyword == "msgctxt":
                        entry = entry_at(entries, entry, state, _BETWEEN, number)
                        values = entry.__dict__
                        values["msgctxt"] = _quoted_obsolete(rest)
                        target, key, state = values, "msgctxt", OCTXT
                    elif keyword == "msgid_plural":
                        if state != OID:
                            raise _Unsupported
                        values["msgid_plural"] = _quoted_obsolete(rest)
                        target, key, state = values, "msgid_plural", OPLURAL
                    else:
                        index = _plural_index(keyword)
                        if state != OID and state != OPLURAL and state != OSTRX:
                            raise _Unsupported
                        target = values["msgstr_plural"]
                        # polib does not look for bare quotes in msgstr[N] lines
                        target[index] = _quoted_obsolete(rest, False)
                        key, state = index, OSTRX
                    continue

                # A comment: of the entry being read, or the first line of the next one.
                if second in ("", " ", "#"):
                    kind = "#"
                elif line[2:3] == " " and second in ",|":
                    kind = second
                elif len(line) == 2 and second in ".:,":
                    # An empty "#.", "#:" or "#,": polib skips the line; check_syntax
                    # takes it as the end of an entry's msgstr (as a blank line).
                    tail_comment = True
                    if state in (STR, STRX):
                        state = ENDED
                    continue
                else:
                    raise _Unsupported  # "#foo", "#\tfoo", a bare "#|": the old way decides
                tail_comment = True
                if kind == "|" and line[3:4] == '"':
                    # "#| "...": the previous msgid (or context) goes on; polib checks
                    # nothing in these lines.
                    if state not in _PREVIOUS_FIELD or len(line) < 5 or line[-1] != '"':
                        raise _Unsupported
                    target[key] += _unescape(line[4:-1])
                    continue
                if kind == "#" and header_phase:
                    if header:
                        header += "\n"
                    header += line[2:]
                    continue
                header_phase = False
                entry = entry_at(entries, entry, state, open_, number)
                values = entry.__dict__
                state = NONE
                if kind == "#":
                    comment = line.lstrip("#")
                    if comment[:1] == " ":
                        comment = comment[1:]
                    if values["tcomment"]:
                        values["tcomment"] += "\n"
                    values["tcomment"] += comment
                elif kind == ",":
                    values["flags"] += [flag.strip() for flag in line[3:].split(",")]
                else:
                    keyword, _, rest = line[3:].partition(" ")
                    if keyword not in _PREVIOUS or len(rest) < 2 or rest[0] != '"' or \
                            rest[-1] != '"':
                        raise _Unsupported
                    state, key = _PREVIOUS[keyword]
                    target = values
                    values[key] = _unescape(rest[1:-1])
                continue

            if not line.strip():  # a blank line
                if state in (STR, STRX):
                    state = ENDED
                elif state in normal:
                    raise _Unsupported  # check_syntax: an entry without msgstr
                continue
            raise _Unsupported

    if state in done:
        entries.append(entry)
    elif state not in open_:
        raise _Unsupported
    # check_syntax: one active entry per (context, msgid), the header excepted; the
    # last entry is checked even where polib drops it (a file ending in a comment).
    keys = [(e.msgctxt, e.msgid) for e in entries if e.msgid and not e.obsolete]
    if len(set(keys)) != len(keys):
        raise _Unsupported
    if tail_comment and state in done:
        del entries[-1]
    return _catalog(text, header, entries)


def _catalog(text: str, header: str, entries: list[POEntry]) -> POFile:
    po = POFile(encoding=_encoding(text), check_for_duplicates=False)
    po.wrapwidth = WRAP
    po.header = header
    # polib takes the one active entry with an empty msgid for the header.
    heads = [i for i, e in enumerate(entries) if e.msgid == "" and not e.obsolete]
    if len(heads) > 1:
        raise _Unsupported  # two candidates: polib picks by rules of its own
    meta = entries.pop(heads[0]) if heads else None
    list.extend(po, entries)
    if meta is not None:
        po.metadata_is_fuzzy = meta.flags
        key = None
        for line in meta.msgstr.splitlines():
            name, colon, value = line.partition(":")
            if colon:
                key = name
                po.metadata[key] = value.strip()
            elif key is not None:
                po.metadata[key] += "\n" + line.strip()
    return po


def _encoding(text: str) -> str:
    """The charset polib would take from the Content-Type line (it only checks that
    Python knows it)."""
    at = text.find("Content-Type:")
    if at < 0:
        return "utf-8"
    m = _CHARSET_RE.search(text, max(at - 1, 0))
    if m is None:
        return "utf-8"
    name = m.group(1).strip()
    try:
        codecs.lookup(name)
    except LookupError:
        return "utf-8"
    return name
