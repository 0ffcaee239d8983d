"""Safe output: whatever the translations say, a localized page never gains an
element, an attribute or a URL scheme that its source did not have."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from conftest import CORPUS, REPO, corpus_workspaces

from l10n.config import Config, load_config
from l10n.merge import ORIGIN_NOTE_CLASS, localize
from l10n.model import unescape_text
from l10n.pipeline import extract, update
from l10n.segment import extract_segments, parse_html, read_html

TARGET = "nl"  # no corpus page is Dutch
PAGES = sorted(CORPUS.glob("*/*.html")) + sorted((REPO / "source").glob("*.html"))

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "&lt;script&gt;alert(2)&lt;/script&gt;",
    "<a1 href=\"javascript:alert(3)\">",
    "</p><iframe src=\"data:text/html,x\"></iframe>",
    "' onmouseover='alert(4)",
    "<!-- -->",
    "]]><![CDATA[",
    # Entity tricks: references that decode to markup, double encoding, invalid ones.
    "&#60;script&#62;alert(5)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(6)&#x3E;",
    "&amp;lt;iframe src=javascript:alert(7)&amp;gt;",
    "&NotAnEntity; &#0; &#xD800; &#x110000; &",
    "<![CDATA[<script>alert(8)</script>]]>",
    "</title></textarea></style><script>alert(9)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>",
]
# For attribute and meta translations (entries with a msgctxt): ways out of a quoted
# value, plain and entity-encoded, nested, and with other quote characters.
ATTRIBUTE_PAYLOADS = [
    '" onerror="alert(11)',
    "' onfocus='alert(12)' autofocus='",
    '&quot; onclick=&quot;alert(13)',
    "&#34; onload=&#34;alert(14)",
    "&#x27; onmouseover=&#x27;alert(15)",
    '"\' "nested \'quotes\'" x=\'"',
    "` onblur=`alert(16)`",
    '"><script>alert(17)</script><p title="',
    "” onclick=”alert(18)",
    'javascript:alert(19)" href="javascript:alert(20)',
]
URL_ATTRS = ("href", "src", "action", "formaction", "data", "poster", "background", "srcset")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def adversarial(msgid: str, n: int, attribute: bool = False) -> str:
    payload = PAYLOADS[n % len(PAYLOADS)]
    if attribute:
        inner = ATTRIBUTE_PAYLOADS[n % len(ATTRIBUTE_PAYLOADS)]
        return f"{inner} {payload} {msgid} {inner}"
    return f"{payload} {msgid} {payload}"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Config]:
    return corpus_workspaces(
        tmp_path_factory, PAGES, TARGET,
        lambda entry, n: adversarial(entry.msgid, n, attribute=bool(entry.msgctxt)))


def inventory(data: bytes, drop_added: bool) -> tuple[Counter, set, set]:
    root = parse_html(data, "page.html").root
    if drop_added:
        for el in root.xpath(f"//*[@class='{ORIGIN_NOTE_CLASS}'] | //link[@hreflang]"):
            el.getparent().remove(el)
        # lang and dir on <html> are what localizing sets on purpose.
        for name in ("lang", "dir"):
            root.attrib.pop(name, None)
    tags: Counter = Counter()
    attrs: set[tuple[str, str]] = set()
    schemes: set[str] = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tags[el.tag] += 1
        for name, value in el.attrib.items():
            attrs.add((el.tag, name))
            if name in URL_ATTRS:
                m = _SCHEME.match(value)
                if m:
                    schemes.add(m.group(1).lower())
    return tags, attrs, schemes


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_adversarial_translations_add_no_markup(page: Path, workspaces) -> None:
    cfg = workspaces[page.parent]
    built = localize(cfg, page.stem, TARGET)
    src_tags, src_attrs, src_schemes = inventory(page.read_bytes(), drop_added=False)
    out_tags, out_attrs, out_schemes = inventory(built.data, drop_added=True)
    grown = {t: n - src_tags[t] for t, n in out_tags.items() if n > src_tags[t]}
    assert grown == {}, f"elements added: {grown}"
    assert out_attrs <= src_attrs, f"attributes added: {out_attrs - src_attrs}"
    assert out_schemes <= src_schemes, f"URL schemes added: {out_schemes - src_schemes}"
    # Every translation was used (as text), none refused.
    assert built.warnings == []
    assert built.used == len(extract_segments(read_html(page)))


@pytest.mark.parametrize("payload", ATTRIBUTE_PAYLOADS)
def test_quotes_in_attribute_translations_stay_inside_the_value(tmp_path: Path,
                                                                  payload: str) -> None:
    page = REPO / "tests" / "data" / "golden" / "attributes.html"
    (tmp_path / "source").mkdir()
    shutil.copy(page, tmp_path / "source")
    (tmp_path / "l10n.toml").write_text(
        f'source_language = "en"\nlanguages = ["{TARGET}"]\n', encoding="utf-8")
    cfg = load_config(tmp_path)
    extract(cfg)
    update(cfg)
    po_path = tmp_path / "locales" / TARGET / "LC_MESSAGES" / "attributes.po"
    po = polib.pofile(str(po_path))
    expected = set()
    for entry in po:
        if entry.msgctxt:  # an attribute or meta value
            entry.msgstr = f"{payload} {entry.msgid}"
            expected.add(unescape_text(entry.msgstr))
    po.save(str(po_path))
    built = localize(cfg, "attributes", TARGET)
    assert built.warnings == []
    src_tags, src_attrs, _ = inventory(page.read_bytes(), drop_added=False)
    out_tags, out_attrs, _ = inventory(built.data, drop_added=True)
    assert out_tags == src_tags and out_attrs <= src_attrs
    # Each translation is the whole value of its attribute, quotes and all: data, not
    # markup.
    values = {v for el in parse_html(built.data, "page.html").root.iter()
              if isinstance(el.tag, str) for v in el.attrib.values()}
    assert len(expected) >= 10
    assert expected <= values, expected - values
