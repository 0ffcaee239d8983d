"""Safe output: whatever the translations say, a localized page never gains an
element, an attribute or a URL scheme that its source did not have."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from conftest import CORPUS, REPO

from l10n.config import Config, load_config
from l10n.merge import ORIGIN_NOTE_CLASS, localize
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
]
URL_ATTRS = ("href", "src", "action", "formaction", "data", "poster", "background", "srcset")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def adversarial(msgid: str, n: int) -> str:
    payload = PAYLOADS[n % len(PAYLOADS)]
    return f"{payload} {msgid} {payload}"


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Config]:
    result = {}
    for folder in sorted({p.parent for p in PAGES}):
        root = tmp_path_factory.mktemp(f"safe-{folder.name}")
        (root / "l10n.toml").write_text(
            f'source_dir = "{folder}"\nsource_language = "en"\nlanguages = ["{TARGET}"]\n',
            encoding="utf-8")
        cfg = load_config(root)
        extract(cfg)
        update(cfg)
        for po_path in (root / "locales" / TARGET / "LC_MESSAGES").glob("*.po"):
            po = polib.pofile(str(po_path))
            for n, entry in enumerate(po):
                entry.msgstr = adversarial(entry.msgid, n)
            po.save(str(po_path))
        result[folder] = cfg
    return result


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
