"""Pages filled into an article's skeleton (l10n.skeleton) are the very bytes the
per-locale rebuild (`localize`: a fresh parse, translations applied to the DOM,
serialized) gives, with the same warnings: on every corpus page and sample article,
for several locales (one right to left), drafts or not, and translations of every
kind, usable or not."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import polib
import pytest
from conftest import CORPUS, REPO

from l10n.catalog import POFile, read_catalog
from l10n.config import Config, load_config
from l10n.merge import Localized, alternate_links, localize, localize_from
from l10n.model import escape_text, join_tokens, tokenize
from l10n.pipeline import article_language, extract
from l10n.segment import SegmentMap, add_alternate_links, parse_html, serialize_html
from l10n.skeleton import build_skeleton

LANGS = ["de", "ar", "ja"]  # ar is written right to left
VERSIONS = ["ar", "de", "ja"]
PAGES = sorted(CORPUS.glob("*/*.html")) + sorted((REPO / "source").glob("*.html"))

# Small pages for what the corpus has little of: <time datetime> in every position,
# translated attributes on inline elements and on <html>, a robots meta already there,
# no <head>, alternate links already there, notes next to text, raw text, sentinels.
EDGE_PAGES = {
    "times": (
        '<!DOCTYPE html>\n<html lang="en" title="The page title" dir="rtl"><head>'
        "<title>Times</title></head>\n<body><article>\n"
        '<p>Published <time datetime="2024-03-05">5 March 2024</time> by'
        ' <a href="/a" title="The author">Ann</a>.</p>\n'
        '<p><time datetime="2024-03-05T10:30">at half past ten</time></p>\n'
        '<p>Updated <time datetime="2024-03-06"><b>6 March</b> 2024</time> at noon.</p>\n'
        '<p class="notranslate">Kept <time datetime="2024-03-07">7 March</time> as it is.</p>\n'
        '<p>Bad date <time datetime="yesterday">yesterday</time> and'
        ' <time datetime="2024-01-02"> </time> here.</p>\n'
        '<p>An image <img src="i.png" alt="A red bicycle"> and a'
        ' <span title="A tooltip">hint</span>.</p>\n'
        '<ul><li><a href="/x" title="Link title">Linked item</a></li><li>Second item</li></ul>\n'
        "</article></body></html>"),
    "nohead": ("<html><body><p>Text without a head, & an ampersand.</p><p>More text.</p>"
               "</body></html>"),
    "robots": (
        '<html><head><meta name="ROBOTS" content="index">'
        '<link rel="alternate" hreflang="de" href="/de/x">\n<title>Robots</title></head><body>\n'
        "<div><p>First paragraph here.</p>\n<p>Second paragraph with <em>emphasis</em>.</p>"
        "</div>\nTrailing body text after the block.\n</body></html>"),
    "robotsbare": ('<html><head>\t<meta name="robots"></head><body>\t<main><p>Some words.</p>'
                   "</main>\t<p>Last words.</p></body></html>"),
    "emptyhead": ("<html><head>\n  </head><body><article><h1>Title of it</h1></article>"
                  "</body></html>"),
    "textholder": ("<html><head><title>T</title></head><body><article>Loose text <b>bold</b>"
                   " here.<p>A paragraph.</p>And the end <i>of it</i>.</article></body></html>"),
    "textonly": "<html><body><article>\n  Just text in the article.\n</article></body></html>",
    "emptyarticle": ("<html><body><article>   </article><p>Outside the article.</p>"
                     "</body></html>"),
    "raw": ("<html><body><xmp>Raw <b>text</b> here</xmp><p>Normal text.</p>"
            "<noembed>No embed text.</noembed></body></html>"),
    "sentinel": (
        "<html><head><title>Sentinels \ufdd0 and \ufdef</title></head><body>\n"
        '<p title="A \ufdd1 title">Text with \ufdd0 sentinel \ufdd2 characters'
        " <b>in \ufdd3 it</b>.</p>\n<p>Private \ue000 use and noncharacters \ufdda.</p>"
        "</body></html>"),
}

PAYLOADS = ['<script>alert(1)</script>', '" onerror="alert(2)', "&lt;b1&gt; &amp; &#60;",
            "AT&T < 3 > 2 \"quoted\"", "日本語 ümlaut ☃ 𝄞",
            # Tag-like text that is no placeholder of the segment's (or none at all).
            "</b1/> <zz9> <a-b12/> &lt;i2>"]


def _groups(tokens: list) -> list[list]:
    """The top-level pieces of a message: a text, or a placeholder with its content."""
    groups: list[list] = []
    depth = 0
    for tok in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(tok)
        if tok.kind == "open":
            depth += 1
        elif tok.kind == "close":
            depth -= 1
    return groups


def _write(tokens: list, text=lambda s: s) -> str:
    return join_tokens(tokens, text)


def translation(entry: polib.POEntry, n: int) -> str:
    """A translation of one of many kinds, chosen by ``n``."""
    msgid = entry.msgid
    if entry.msgctxt:  # an attribute
        return ["  Übersetzt: " + msgid + "  ", msgid, PAYLOADS[n % len(PAYLOADS)],
                msgid + "\x07", "<b1>x</b1>", "ترجمة " + msgid][n % 6]
    tokens = tokenize(msgid)
    groups = _groups(tokens)
    kind = n % 13
    if kind == 0:
        return msgid  # a source copy
    if kind == 1:  # pseudo-translated, first piece moved last
        moved = groups[1:] + groups[:1]
        return _write([t for g in moved for t in g], lambda s: f"[{s.upper()}]")
    if kind == 2:  # everything nested into the first placeholder
        first = next((i for i, g in enumerate(groups) if g[0].kind == "open"), None)
        if first is None:
            return "ترجمة " + msgid
        g = groups[first]
        rest = [t for i, x in enumerate(groups) if i != first for t in x]
        return _write(g[:-1] + rest + g[-1:])
    if kind == 3:  # placeholders emptied of their text
        return _write([t for t in tokens if t.kind != "text" or not any(
            o.kind == "open" for o in tokens)] or tokens, lambda s: "")
    if kind == 4:  # a placeholder lost, or an unknown one
        marks = [i for i, t in enumerate(tokens) if t.kind != "text"]
        if marks:
            return _write(tokens[:marks[-1]] + tokens[marks[-1] + 1:])
        return msgid + " <b99/>"
    if kind == 5:
        return msgid + "\x01 control"
    if kind == 6:
        return "   "  # only spaces
    if kind == 7:
        return _write(tokens, lambda s: f"{s} {PAYLOADS[n % len(PAYLOADS)]}")
    if kind == 8:  # placeholders closed out of order, or used twice
        opens = [t for t in tokens if t.kind == "open"]
        if len(opens) >= 2:
            return f"<{opens[0].value}><{opens[1].value}>x</{opens[0].value}></{opens[1].value}>"
        return msgid + msgid if "<" in msgid else "\u3000"
    if kind == 9:
        return "\n  " + _write(tokens, lambda s: f"日本 {s}") + " \t"
    if kind == 10:
        return _write(list(reversed(groups[0])) if len(groups) == 1 else tokens,
                      lambda s: s[::-1])
    return flattened(tokens, keep_text=kind == 11)


def flattened(tokens: list, keep_text: bool = True) -> str:
    """Every placeholder at the top level, with its own text: "<a1>x <b2>y</b2></a1>"
    gives "<a1>x </a1><b2>y</b2>" (an element may lose its children)."""
    top: list[str] = []
    texts: dict[str, list[str]] = {}
    order: list[tuple[str, str]] = []
    stack: list[str] = []
    for tok in tokens:
        if tok.kind == "open":
            stack.append(tok.value)
            texts[tok.value] = []
            order.append(("open", tok.value))
        elif tok.kind == "close":
            stack.pop()
        elif tok.kind == "empty":
            order.append(("empty", tok.value))
        elif keep_text or not stack:
            (texts[stack[-1]] if stack else top).append(tok.value)
    out = [escape_text("".join(top))]
    for kind, name in order:
        out.append(f"<{name}>{escape_text(''.join(texts[name]))}</{name}>" if kind == "open"
                   else f"<{name}/>")
    return "".join(out)


def catalog_for(template: POFile, lang: str, shift: int | None = None) -> POFile:
    """The template filled with translations: every third one fuzzy (used by drafts)."""
    po = copy.deepcopy(template)
    shift = LANGS.index(lang) * 5 if shift is None else shift
    for n, entry in enumerate(po):
        entry.msgstr = translation(entry, n + shift)
        if (n + shift) % 3 == 0:
            entry.flags.append("fuzzy")
    return po


def both_ways(cfg: Config, slug: str, lang: str, drafts: bool, po: POFile
              ) -> tuple[Localized, Localized | None]:
    """The page by the per-locale rebuild, and from the skeleton (None: no skeleton)."""
    reference = localize(cfg, slug, lang, drafts=drafts, versions=VERSIONS, catalog=po)
    data = cfg.source_file(slug).read_bytes()
    doc = parse_html(data, slug)
    source_lang = article_language(cfg, doc)
    skeleton = build_skeleton(doc, SegmentMap(doc),
                              alternate_links(cfg, slug, source_lang, VERSIONS))
    if skeleton is None:
        return reference, None
    return reference, localize_from(skeleton, cfg, slug, lang, source_lang, po, drafts=drafts)


def workspace_of(folder: Path, root: Path) -> Config:
    (root / "l10n.toml").write_text(
        f'source_dir = "{folder}"\nsource_language = "en"\nlanguages = {LANGS!r}\n'
        .replace("'", '"'), encoding="utf-8")
    cfg = load_config(root)
    extract(cfg)
    return cfg


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Config]:
    edge = tmp_path_factory.mktemp("edge-pages")
    for name, html in EDGE_PAGES.items():
        (edge / f"{name}.html").write_text(html, encoding="utf-8")
    folders = [*sorted({p.parent for p in PAGES}), edge]
    return {folder: workspace_of(folder, tmp_path_factory.mktemp(folder.name))
            for folder in folders}


def all_pages(workspaces: dict[Path, Config]) -> list[tuple[Config, str]]:
    return [(cfg, page.stem) for folder, cfg in workspaces.items()
            for page in sorted(folder.glob("*.html"))]


def test_skeleton_pages_are_the_rebuilt_pages(workspaces) -> None:
    compared = fallbacks = warned = 0
    for cfg, slug in all_pages(workspaces):
        template = read_catalog(cfg.template_file(slug))
        for lang in LANGS:
            po = catalog_for(template, lang)
            for drafts in (False, True):
                reference, fast = both_ways(cfg, slug, lang, drafts, po)
                if fast is None:
                    fallbacks += 1
                    continue
                assert fast.data == reference.data, f"{slug} {lang} drafts={drafts}"
                assert fast.warnings == reference.warnings, f"{slug} {lang} drafts={drafts}"
                assert fast.used == reference.used
                compared += 1
                warned += bool(reference.warnings)
    assert compared > 300 and warned > 100
    assert fallbacks <= 6 * 4  # a few page shapes only (see test below)


def test_the_original_from_the_skeleton_is_the_original(workspaces) -> None:
    for cfg, slug in all_pages(workspaces):
        data = cfg.source_file(slug).read_bytes()
        links = alternate_links(cfg, slug, article_language(cfg, parse_html(data, slug)),
                                VERSIONS)
        doc = parse_html(data, slug)
        skeleton = build_skeleton(doc, SegmentMap(doc), links)
        if skeleton is None:
            continue
        reference = parse_html(data, slug)
        add_alternate_links(reference, links)
        assert skeleton.original() == serialize_html(reference), slug


@pytest.mark.parametrize(("slug", "covered"), [
    ("sentinel", True), ("times", True), ("nohead", True), ("robots", True),
    ("robotsbare", True), ("emptyhead", True), ("raw", True), ("emptyarticle", True),
    ("textholder", False), ("textonly", False),
])
def test_edge_pages(workspaces, slug: str, covered: bool) -> None:
    """Pages with noncharacters (the sentinels a design could have used) need no
    special path; text right inside the notes' holder does take the per-locale path."""
    cfg = next(c for folder, c in workspaces.items() if (folder / f"{slug}.html").exists())
    template = read_catalog(cfg.template_file(slug))
    for lang, shift in [(lang, shift) for lang in LANGS for shift in range(13)]:
        po = catalog_for(template, lang, shift)  # every kind of translation for each entry
        for drafts in (False, True):
            reference, fast = both_ways(cfg, slug, lang, drafts, po)
            assert (fast is not None) == covered
            if fast is not None:
                assert fast.data == reference.data, f"{slug} {lang} drafts={drafts}"
                assert fast.warnings == reference.warnings


def test_times_are_localized_in_the_skeleton(workspaces) -> None:
    cfg = next(c for folder, c in workspaces.items() if (folder / "times.html").exists())
    po = copy.deepcopy(read_catalog(cfg.template_file("times")))
    for entry in po:
        entry.msgstr = entry.msgid
    reference, fast = both_ways(cfg, "times", "de", False, po)
    assert fast is not None and fast.data == reference.data
    text = fast.data.decode()
    assert ">5. März 2024</time>" in text  # a time that is a placeholder of a segment
    assert "7 March</time>" in text  # class="notranslate": as it is
    assert '<html lang="de" title="The page title" dir="ltr">' in text  # dir was rtl


def test_merge_writes_the_rebuilt_pages(workspace: Path, cli) -> None:
    """Through the command line: every page merge writes, translations and originals,
    is the page the per-locale rebuild gives."""
    assert cli(workspace, "sync", "--drafts").exit_code == 0
    shutil.rmtree(workspace / "build")
    shutil.rmtree(workspace / ".l10n-cache")
    result = cli(workspace, "merge", "--drafts")
    assert result.exit_code == 0, result.output
    cfg = load_config(workspace)
    checked = 0
    for page in sorted(cfg.source_path.glob("*.html")):
        slug = page.stem
        source_lang = article_language(cfg, parse_html(page.read_bytes(), slug))
        versions = [x for x in cfg.languages if x != source_lang]
        for lang in versions:
            expected = localize(cfg, slug, lang, drafts=True, versions=versions)
            assert cfg.output_file(lang, slug).read_bytes() == expected.data, (slug, lang)
            checked += 1
        original = parse_html(page.read_bytes(), slug)
        add_alternate_links(original, alternate_links(cfg, slug, source_lang, versions))
        assert cfg.output_file(source_lang, slug).read_bytes() == serialize_html(original)
    assert checked == 9
