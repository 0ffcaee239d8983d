"""Our PO reader and writer against polib 1.2.0, the reference they replace.

The writer must give polib's bytes, and the reader polib's objects, for every
catalog l10n writes; where the reader does not vouch for a text (it returns None),
`parse_catalog` takes the old way (check_syntax, then polib), so the property
checked on arbitrary text is: None, or exactly what the old way gives.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from conftest import CORPUS, msgfmt_check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from l10n.catalog import (
    CatalogError,
    check_syntax,
    parse_catalog,
    render_catalog,
    update_catalog,
)
from l10n.cli import main
from l10n.config import load_config
from l10n.pipeline import extract, update
from l10n.poio import read_po, write_po

# A few real pages: German, Japanese, Arabic, Chinese, English; kept small for speed.
PAGES = ["readability/heise.html", "readability/hukumusume.html",
         "trafilatura/assabah.com.tn.article.html", "trafilatura/nhk.or.jp.k100.html",
         "trafilatura/dw.com-elephants.html", "readability/rtl-1.html"]
LANGS = ["de", "ar", "ja"]

ENTRY_FIELDS = ("msgid", "msgstr", "msgid_plural", "msgstr_plural", "msgctxt", "obsolete",
                "encoding", "comment", "tcomment", "occurrences", "flags", "previous_msgctxt",
                "previous_msgid", "previous_msgid_plural", "linenum")


def assert_same_catalog(ours: polib.POFile, ref: polib.POFile) -> None:
    """Field by field, types included (polib reads obsolete as 0/1, keys as ints)."""
    for name in ("header", "metadata", "metadata_is_fuzzy", "encoding", "wrapwidth",
                 "fpath", "check_for_duplicates"):
        assert getattr(ours, name) == getattr(ref, name), name
        assert type(getattr(ours, name)) is type(getattr(ref, name)), name
    assert list(ours.metadata) == list(ref.metadata)  # the order of the header fields
    assert len(ours) == len(ref)
    for mine, theirs in zip(ours, ref, strict=True):
        assert type(mine) is type(theirs)
        assert vars(mine) == vars(theirs)
        for name in ENTRY_FIELDS:
            assert type(getattr(mine, name)) is type(getattr(theirs, name)), name
        assert [type(o) for o in mine.occurrences] == [type(o) for o in theirs.occurrences]


def polib_text(po: polib.POFile) -> str:
    po.wrapwidth = 78
    return str(po)


def check_file(path: Path) -> polib.POFile:
    """One catalog l10n wrote: our reader reads what polib reads, its bytes are what
    polib writes for those objects, and GNU msgfmt accepts it."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    ours = read_po(text)
    assert ours is not None, f"{path}: the fast reader gave up on a file l10n wrote"
    ref = polib.pofile(text, wrapwidth=78)
    assert_same_catalog(ours, ref)
    assert write_po(ours) == polib_text(ref)
    assert render_catalog(ours) == polib_text(ref).encode("utf-8")
    assert_same_catalog(parse_catalog(data, str(path)), ref)
    msgfmt_check(path)
    return ref


# ------------------------------------------------------------ real catalogs


def _tricky(msgid: str, n: int) -> str:
    """A translation a person might type, with what PO escaping and wrapping find
    hard. Newlines only inside (msgfmt wants msgid and msgstr to agree on the ends)."""
    head = msgid[:40].strip() or "x"
    variants = [
        f"{head}\nzweite Zeile\tmit Tab und \"Anführung\" \\ Schrägstrich",
        f"{head} " + "Donaudampfschifffahrtsgesellschaftskapitänsmützen" * 3 + " Ende",
        f"{head} 東京都の天気予報は晴れのち曇り、降水確率は三十パーセントです。" * 3,
        f"{head} مرحبا بكم في الموقع الإخباري، هذا نص عربي طويل للاختبار" * 2,
        f"{head} a  b   c    spaces -- dash well-known e-mail 2024-05-01 --flag" * 3,
        f'"{head}" \\n literal \\t not an escape, C:\\path\\to\\file',
        f"{head}\r\nWindows line\x0bvertical\x0cfeed\x08back",
    ]
    return variants[n % len(variants)]


def _edit_sources(folder: Path) -> None:
    """Change a few paragraphs a little (fuzzy matches) and drop some (obsolete)."""
    for page in sorted(folder.glob("*.html")):
        tree = html.parse(str(page))
        paragraphs = [p for p in tree.iter("p") if p.text and len(p.text.split()) > 4]
        for i, p in enumerate(paragraphs[:12]):
            if i % 3 == 0:
                p.text = p.text.replace(" ", "  ", 1).rstrip() + " (aktualisiert)"
            elif i % 3 == 1:
                p.getparent().remove(p)
        page.write_bytes(html.tostring(tree, encoding="utf-8"))


@pytest.fixture(scope="module")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    """A workspace taken through extract, update, hand translations, machine drafts,
    review decisions, source edits and update again; after each step, a copy of
    every catalog: [(step, folder)]."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("po_io")
    source = root / "source"
    source.mkdir()
    for page in PAGES:
        shutil.copy(CORPUS / page, source / Path(page).name)
    (root / "l10n.toml").write_text(
        'source_language = "en"\nlanguages = ["de", "ar", "ja"]\nengine = "pseudo"\n',
        encoding="utf-8")
    cfg = load_config(root)
    runner = CliRunner()
    steps: list[tuple[str, Path]] = []

    def cli(*args: str) -> None:
        result = runner.invoke(main, ["-C", str(root), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    def keep(step: str) -> None:
        copy = tmp_path_factory.mktemp(f"po_io_{step}")
        shutil.copytree(root / "locales", copy, dirs_exist_ok=True)
        steps.append((step, copy))

    extract(cfg)
    update(cfg)
    keep("update")
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        po = parse_catalog(path.read_bytes(), str(path))
        for n, entry in enumerate(po):
            if n % 3 == 0:
                entry.msgstr = _tricky(entry.msgid, n // 3)
                if n % 2:
                    entry.tcomment = f"Übersetzer: {entry.msgid[:90]} " * 2
        data = render_catalog(po)
        assert data == polib_text(po).encode("utf-8")  # the objects as written
        path.write_bytes(data)
    keep("translated")
    cli("translate")
    keep("drafts")
    cli("review", "approve", "--lang", "de", "--by", "Ana Müller")
    cli("review", "reject", "--lang", "ar", "--by", "Omar")
    keep("reviewed")
    _edit_sources(source)
    extract(cfg)
    # The objects update writes, before they are written: our writer gives polib's text.
    updated = 0
    for pot_path in sorted((root / "locales" / "templates").glob("*.pot")):
        template = parse_catalog(pot_path.read_bytes(), str(pot_path))
        for lang in LANGS:
            po_path = root / "locales" / lang / "LC_MESSAGES" / (pot_path.stem + ".po")
            if not po_path.exists():
                continue  # the page is in that language already
            old = parse_catalog(po_path.read_bytes(), str(po_path))
            fresh, _counts = update_catalog(template, old, lang)
            assert render_catalog(fresh) == polib_text(fresh).encode("utf-8")
            updated += 1
    assert updated >= len(PAGES)
    update(cfg)
    keep("edited")
    return steps


def test_every_catalog_of_the_workflow_reads_and_writes_as_polib(workflow) -> None:
    seen = {"fuzzy with previous msgid": 0, "obsolete": 0, "multi-line msgstr": 0,
            "escapes": 0, "wrapped": 0, "wrapped comment": 0, "templates": 0}
    for _step, folder in workflow:
        paths = sorted(folder.rglob("*.po")) + sorted(folder.rglob("*.pot"))
        assert paths
        for path in paths:
            po = check_file(path)
            text = path.read_text(encoding="utf-8")
            seen["templates"] += path.suffix == ".pot"
            seen["fuzzy with previous msgid"] += text.count("\n#| msgid ")
            seen["obsolete"] += len(po.obsolete_entries())
            seen["multi-line msgstr"] += text.count('\\n"\n"')
            seen["escapes"] += len(re.findall(r'\\[t"\\rvfb]', text))
            seen["wrapped"] += text.count('msgstr ""\n"')
            seen["wrapped comment"] += len(re.findall(r"\n# .*\n# ", text))
    # The workflow made every construct the writer and reader must agree on.
    assert all(seen.values()), seen


def test_catalogs_hold_the_hard_texts(workflow) -> None:
    """The hand translations came back intact through our writer and reader."""
    _step, folder = next(s for s in workflow if s[0] == "translated")
    found = set()
    for path in folder.rglob("*.po"):
        for entry in parse_catalog(path.read_bytes(), str(path)):
            for marker in ("\t", "\r\n", "東京都", "مرحبا", "  b   c", "\\path", "Ende"):
                if marker in entry.msgstr:
                    found.add(marker)
    assert len(found) == 7, found


# ---------------------------------------------------------- random catalogs

_PIECES = ["word", "Wort", " ", "  ", "   ", "-", "--", "well-known", "e-mail", "2024-05-01",
           '"', "\\", "\\n", "\n", "\t", "\r", "\x0b", "\x08", "\x0c", "x" * 90,
           "東京都の天気", "مرحبا بكم", "\u00a0", "\u3000", ".", ",", "!", "'", "é", "#", ":"]
_AWKWARD = ["\x1c", "\x85", "\u2028", "\ufeff"]


def texts(awkward: bool = False, min_size: int = 0) -> st.SearchStrategy[str]:
    pieces = st.sampled_from(_PIECES + (_AWKWARD if awkward else []))
    chars = st.characters(blacklist_categories=("Cs",),
                          blacklist_characters="".join(_AWKWARD) + "\r\x0b\x0c\x1c\x1d\x1e")
    return st.lists(st.one_of(pieces, st.text(chars, max_size=12)), min_size=min_size,
                    max_size=20).map("".join)


def comments(awkward: bool = False) -> st.SearchStrategy[str]:
    # polib writes comments as they are: a carriage return would break the line.
    text = texts(awkward)
    if not awkward:
        text = text.map(lambda t: re.sub("[\r\x0b\x0c]", "", t))
    return st.one_of(st.just(""), text)


@st.composite
def entries(draw, awkward: bool = False) -> polib.POEntry:
    plural = draw(st.booleans())
    entry = polib.POEntry(
        msgid=draw(texts(awkward, min_size=1).filter(bool)),
        msgstr="" if plural else draw(texts(awkward)),
        msgctxt=draw(st.one_of(st.none(), texts(awkward))),
        comment=draw(comments(awkward)),
        tcomment=draw(comments(awkward)),
        flags=draw(st.lists(st.sampled_from(["fuzzy", "python-format", "no-wrap", "x"]),
                            max_size=3)),
        occurrences=draw(st.lists(st.tuples(
            st.sampled_from(["source/a.html", "source/long-name-with-hyphens.html",
                             "a*b.html", "x" * 70]),
            st.sampled_from(["", "1", "123"])), max_size=6)),
        previous_msgid=draw(st.one_of(st.none(), texts(awkward))),
        previous_msgctxt=draw(st.one_of(st.none(), texts(awkward))),
        obsolete=draw(st.booleans()),
    )
    if plural:
        entry.msgid_plural = draw(texts(awkward, min_size=1).filter(bool))
        entry.msgstr_plural = {i: draw(texts(awkward)) for i in range(draw(st.integers(1, 4)))}
    return entry


@st.composite
def catalogs(draw, awkward: bool = False) -> polib.POFile:
    po = polib.POFile(wrapwidth=78)
    # (A header line starting with "," or ":" is written as "#," or "#:", which polib
    # cannot read back.)
    po.header = draw(st.one_of(st.just(""), st.just("Translation template.\nGenerated."),
                               comments(awkward).map(
                                   lambda t: re.sub("(?m)^[,:]+", "", t))))
    names = st.sampled_from(["Project-Id-Version", "Language", "Content-Type",
                             "Plural-Forms", "X-Source-File", "X-B2", "X-b10", "x-a"])
    po.metadata = draw(st.dictionaries(names, texts(awkward), max_size=6))
    po.metadata_is_fuzzy = draw(st.sampled_from([0, 1]))
    keys = set()
    for entry in draw(st.lists(entries(awkward), max_size=6)):
        key = (entry.msgctxt, entry.msgid)
        if awkward or (key not in keys and "\n" not in "".join(po.metadata)):
            keys.add(key)
            po.append(entry)
    return po


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_random_catalogs_render_and_parse_as_polib(po: polib.POFile) -> None:
    text = write_po(po)
    assert text == polib_text(po)
    ours = read_po(text)
    try:
        ref = polib.pofile(text, wrapwidth=78)
    except OSError:
        raise AssertionError(repr(text)) from None
    # Distinct keys and no stray line breaks: the fast reader takes all of these.
    assert ours is not None, repr(text)
    assert_same_catalog(ours, ref)
    assert write_po(ours) == write_po(ref)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(awkward=True))
def test_awkward_catalogs_render_as_polib_and_parse_as_the_old_way(po: polib.POFile) -> None:
    text = write_po(po)
    assert text == polib_text(po)
    assert_vouched_or_declined(text)


_WRAP_PIECES = ["ab", "Wort", "é", "1", "-", "--", " ", "  ", ".", ",", "!", "'", '"', "中",
                "x" * 30, "y" * 80, "ab-cd", "a-b-c", "well-known", "--flag"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WRAP_PIECES), min_size=1, max_size=60).map("".join),
       st.lists(st.sampled_from(_WRAP_PIECES), min_size=1, max_size=60).map("".join))
def test_long_fields_and_comments_wrap_as_polib(first: str, second: str) -> None:
    """Where textwrap would cut, hyphens and runs of spaces included."""
    po = polib.POFile()
    po.append(polib.POEntry(msgid=first, msgstr=second, msgctxt=second[:90],
                            comment=first, tcomment=second, previous_msgid=second,
                            occurrences=[(f"source/{w}.html", "12") for w in first.split()]))
    po.append(polib.POEntry(msgid=second, msgstr=first, obsolete=True, tcomment=first))
    assert write_po(po) == polib_text(po)


def assert_vouched_or_declined(text: str) -> None:
    """read_po's contract: None, or what check_syntax + polib give (no error)."""
    ours = read_po(text)
    if ours is None:
        return
    check_syntax(text, "x.po")
    assert_same_catalog(ours, polib.pofile(text, wrapwidth=78))


# Lines that break an entry in every way check_syntax or polib notice.
_ODD_LINES = ["", "  ", "#", "#.", "#:", "#,", "#|", "#~", "#~|", "#x", "#\tx", "# x ",
              "#, fuzzy", "#, fuzzy, ", "#. note", "#: a.html:1 b.html", "#| msgid \"old\"",
              '#| "more"', "#| msgctxt \"c\"", "#| msgid", '#~ msgid "gone"',
              '#~ msgstr "weg"', '#~ "more"', '#~ msgctxt "c"', '#~ msgstr[0] "a"',
              '#~| msgid "p"', 'msgid "dup"', 'msgstr "x"', 'msgctxt "c"', 'msgid_plural "p"',
              'msgstr[0] "a"', 'msgstr[1] "b"', 'msgstr[10] "c"', '"cont"', '"bad"quote"',
              '"a\\qb"', '"a\\"', 'msgid"tight"', "msgid  \"two\"", '  msgid "indent"',
              '"trailing"  ', 'msgid ""', 'msgstr ""', '"Language: de\\n"', "\ufeffmsgid \"\""]


@st.composite
def mutated(draw) -> str:
    po = polib.POFile()
    po.metadata = {"Project-Id-Version": "t", "Content-Type": "text/plain; charset=UTF-8"}
    for i in range(4):
        e = polib.POEntry(msgid=f"Satz {i} " * (i * 5 + 1), msgstr=f"Phrase {i}",
                          msgctxt="c" if i == 2 else None, comment="p",
                          occurrences=[("a.html", str(i))], flags=["fuzzy"] if i == 1 else [])
        if i == 1:
            e.previous_msgid = "Alter Satz"
        po.append(e)
    po.append(polib.POEntry(msgid="alt", msgstr="old", obsolete=True, tcomment="kept"))
    lines = write_po(po).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "swap"]))
        if action == "insert":
            lines.insert(at, draw(st.sampled_from(_ODD_LINES)))
        elif lines and at < len(lines):
            if action == "delete":
                del lines[at]
            elif action == "duplicate":
                lines.insert(at, lines[at])
            elif at + 1 < len(lines):
                lines[at], lines[at + 1] = lines[at + 1], lines[at]
    return "\n".join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_broken_catalogs_are_read_as_before(text: str) -> None:
    assert_vouched_or_declined(text)


# Entries in the layout l10n writes, which the reader takes whole at an entry's start,
# and lines that make an entry leave that layout just enough (trailing spaces, other
# spacing, escapes cut at a line end, no blank line after it): each must be read to
# the same objects as polib, or declined.
_LAYOUT_ENTRY = ["# l10n-draft: pseudo 2026-01-01 sha256:0123456789ab", "# zweite Zeile",
                 "#. p > a", "#. noch eine", "#: source/a.html:12", "#: b c.html:3 d.html",
                 "#, fuzzy", '#| msgctxt "alt"', '#| msgid ""', '#| "erste \\\\"', '#| "zweite"',
                 'msgctxt "ctx \\"q\\""', 'msgid ""', '"Satz mit \\n"', '"und \\\\ so"',
                 'msgstr "Phrase \\t"', '"weiter"', ""]
_LAYOUT_ODD = ["", " ", "#", "# ", "# x ", "#  x", "#.", "#. ", "#. x ", "#.  x", "#:",
               "#: a.html:1 ", "#:  a.html:1", "#: a.html:\u0661", "#: a.html:", "#, fuzzy ",
               "#,fuzzy", "#, fuzzy, python-format", "#| msgid", '#| msgid "x" ', '#| "x\\"',
               '#| "a"b"', '#|  msgid "x"', '#| msgid_plural "p"', 'msgid "x" ', '"x\\"',
               '"x\\\\"', '"\\q"', '"a"b"', '"x" ', 'msgstr "y" ', 'msgid  "x"', 'msgid "x',
               'msgid_plural "p"', 'msgstr[0] "z"', '#~ msgid "o"', '#~ msgstr "p"', "\tx",
               '""', '"\\""', 'msgstr "\\"', '"\\\\\\""', '"a""']


@st.composite
def layouts(draw) -> str:
    # The header comment's lines (and others before the header entry) vary too.
    head = "\n".join(draw(st.lists(st.sampled_from(
        ["#", "# ", "# Kopf", "# Kopf ", "#  Kopf", "##", "#.", "", "#, fuzzy", "#. x"]),
        max_size=3)) + write_po(_small_catalog()).split("\n")[1:])
    entries = []
    for number in range(draw(st.integers(1, 4))):
        lines = [line for line in _LAYOUT_ENTRY if draw(st.booleans())
                 or line.startswith(("msgid", "msgstr"))]
        lines = [f'msgid "{number}"' if line == 'msgid ""' else line for line in lines]
        if "#: source/a.html:12" in lines:  # other single references
            lines[lines.index("#: source/a.html:12")] = "#: " + draw(st.sampled_from(
                ["a.html:", "a:b", "a.html:\u0661", "x:1:2", ":3", "a.html:07"]))
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(lines)))
            if draw(st.booleans()) or at == len(lines):
                lines.insert(at, draw(st.sampled_from(_LAYOUT_ODD)))
            else:
                lines[at] = draw(st.sampled_from(_LAYOUT_ODD))
        entries += lines
    return head + "\n".join(entries) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_entries_near_the_common_layout_are_read_as_before(text: str) -> None:
    assert_vouched_or_declined(text)


def test_common_layout_with_every_part_reads_as_polib() -> None:
    """Every part of the common layout at once, several lines each where it may have
    them, escapes on both sides of a line break: read, not declined, as polib."""
    entry = "\n".join(line for line in _LAYOUT_ENTRY if line)
    text = write_po(_small_catalog()) + "\n".join([
        "", entry, "", entry.replace('msgctxt "ctx', 'msgctxt "other'), "",
        '#: x.html:1', 'msgid "last"', 'msgstr ""', ""])
    ours = read_po(text)
    assert ours is not None
    assert_same_catalog(ours, polib.pofile(text, wrapwidth=78))
    first = ours[2]
    assert first.tcomment.count("\n") == 1 and first.previous_msgid == "erste \\zweite"
    assert first.msgid == "Satz mit \nund \\ so" and first.msgstr == "Phrase \tweiter"
    assert first.occurrences == [("source/a.html", "12"), ("b", ""), ("c.html", "3"),
                                 ("d.html", "")]
    assert [e.linenum for e in ours][-1] == text.count("\n") - 2


def test_long_catalog_mostly_outside_the_common_layout_reads_as_polib() -> None:
    """Many entries the common layout does not take (references before comments,
    obsolete ones), a few it does, in between and after: read as polib."""
    lines = [write_po(_small_catalog())]
    for n in range(60):
        if n % 7 == 3:
            lines += [f"#. p{n}", f"#: a.html:{n}", f'msgid "common {n}"', 'msgstr ""', ""]
        elif n % 2:
            lines += [f"#: a.html:{n}", f"#. p{n}", f'msgid "swapped {n}"', 'msgstr "x"', ""]
        else:
            lines += [f'#~ msgid "old {n}"', '#~ msgstr "alt"', ""]
    lines += ["#. last", "#: z.html:1", 'msgid "last"', 'msgstr "l"', ""]
    text = "\n".join(lines)
    ours = read_po(text)
    assert ours is not None and len(ours) == 63
    assert_same_catalog(ours, polib.pofile(text, wrapwidth=78))


@pytest.mark.parametrize("head", ["", "# Kopf\n", "# Kopf \n\n# weiter\n", "#\n\n#\n# b\n"])
def test_first_entry_in_the_common_layout_reads_as_polib(head: str) -> None:
    """A catalog whose first entry is an ordinary one (no header entry): polib numbers
    it 0; "# " lines before it belong to the header comment, also after a blank line."""
    text = head + "#. p\n#: a.html:1\nmsgid \"m\"\nmsgstr \"s\"\n\nmsgid \"n\"\nmsgstr \"\"\n"
    ours = read_po(text)
    assert ours is not None
    assert_same_catalog(ours, polib.pofile(text, wrapwidth=78))
    assert ours[0].linenum == 0 and ours[0].tcomment == ""


@pytest.mark.parametrize("bad", ['msgctxt "a"b"', 'msgid "a"b"', 'msgstr "a"b"', '"a"b"',
                                 'msgstr "x\\"', '"x\\"', '"\\q"', 'msgid "a\\\\\\"'])
def test_common_layout_with_a_bad_string_is_declined(bad: str) -> None:
    """A quoted string check_syntax rejects, in an entry otherwise in the common
    layout (as its keyword's line, or a continuation line of its msgstr)."""
    lines = ["#. p", "#: a.html:1", 'msgctxt "c"', 'msgid "m"', 'msgstr "s"', '"t"']
    if bad.startswith("msg"):
        keyword = bad.split()[0]
        lines = [bad if line.startswith(keyword + " ") else line for line in lines]
    else:
        lines.insert(5, bad)
    text = write_po(_small_catalog()) + "\n" + "\n".join(lines) + "\n"
    assert read_po(text) is None
    with pytest.raises(CatalogError):
        check_syntax(text, "x.po")


def test_errors_keep_their_words_and_lines(tmp_path: Path) -> None:
    """A file the fast reader declines gets the old way's error, word for word."""
    good = write_po(_small_catalog())
    broken = good.replace('msgstr "Eins"', "")
    with pytest.raises(CatalogError) as fast:
        parse_catalog(broken.encode(), "x.po")
    with pytest.raises(CatalogError) as old:
        check_syntax(broken, "x.po")
    assert str(fast.value) == str(old.value)
    assert "entry has no msgstr" in str(fast.value)


def _small_catalog() -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="One", msgstr="Eins"))
    po.append(polib.POEntry(msgid="Two", msgstr="Zwei"))
    return po


def test_unsupported_layouts_fall_back_to_polib(tmp_path: Path) -> None:
    """Windows line ends and a msgstr[10] are outside the fast reader: parse_catalog
    still reads them, as polib does."""
    text = write_po(_small_catalog())
    crlf = text.replace("\n", "\r\n")
    assert read_po(crlf) is None
    ours = parse_catalog(crlf.encode(), "x.po")
    assert_same_catalog(ours, polib.pofile(crlf, wrapwidth=78, check_for_duplicates=False))
    assert [e.msgstr for e in ours] == ["Eins", "Zwei"]


def test_written_random_catalog_passes_msgfmt(tmp_path: Path) -> None:
    """A catalog with plurals, contexts, previous msgids and obsolete entries, written
    by our writer, is valid for GNU msgfmt and reads back the same."""
    po = polib.POFile()
    po.header = "Test catalog.\n, odd header line"
    po.metadata = {"Project-Id-Version": "t", "Language": "de",
                   "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit",
                   "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgid="One file " * 12, msgid_plural="%d files " * 12,
                            msgstr_plural={0: "Eine Datei " * 12, 1: "%d Dateien " * 12},
                            occurrences=[("source/long-name-here.html", str(n))
                                         for n in range(10)]))
    po.append(polib.POEntry(msgid="Tab\there", msgstr="Tab\thier", msgctxt="ctx \"q\"",
                            flags=["fuzzy"], previous_msgid="Tab there " * 10))
    po.append(polib.POEntry(msgid="gone " * 20, msgstr="weg " * 20, obsolete=True,
                            tcomment="l10n-conflict: " + "lange Zeile " * 10))
    path = tmp_path / "x.po"
    path.write_bytes(render_catalog(po))
    check_file(path)


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "locales").rglob(
    "*.po*")), ids=lambda p: p.name)
def test_repository_catalogs(path: Path) -> None:
    """The sample catalogs of this repository read and write as polib's."""
    text = path.read_text(encoding="utf-8")
    ours = read_po(text)
    assert ours is not None
    assert_same_catalog(ours, polib.pofile(text, wrapwidth=78))
    assert write_po(ours) == polib_text(polib.pofile(text))

