"""The benchmark's articles and translations: real pages, generated variants of them,
and stand-in translations, so that every step does the work it does in a newsroom."""

from __future__ import annotations

import io
import random
import re
import shutil
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from l10n.catalog import read_catalog, render_catalog
from l10n.model import join_tokens, tokenize

# Target locales, in the order they are added: a mix of scripts and directions.
LOCALES = ["de", "fr", "ar", "ja", "es", "ru", "zh", "it", "pt", "nl", "ko", "tr"]
SOURCE_LANGUAGE = "en"  # for pages that do not say (most do: <html lang>)

_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "math", "code", "pre"})
_WORDS_RE = re.compile(r"\S+")
_PSEUDO = str.maketrans("aeiouyAEIOUY", "áéíóúýÁÉÍÓÚÝ")
_MARKUP_RE = re.compile(r"(<[^>]*>)")


@dataclass(frozen=True)
class Article:
    """One article of the benchmark: a real page, or a variant of one."""

    slug: str
    base: Path
    variant: int  # 0: the page as it is


def base_pages(corpus: Path | None, samples: Path, max_bytes: int | None = None) -> list[Path]:
    """The real pages, largest first (so that any leading subset holds the largest
    page, and peak memory compares like with like across sizes)."""
    pages = sorted(samples.glob("*.html"))
    if corpus is not None and corpus.is_dir():
        pages += sorted(corpus.glob("*/*.html"))
    if max_bytes is not None:
        pages = [p for p in pages if p.stat().st_size <= max_bytes]
    return sorted(pages, key=lambda p: (-p.stat().st_size, p.name))


def plan_articles(bases: list[Path], count: int) -> list[Article]:
    """``count`` articles: every real page once, then numbered variants of them."""
    articles = []
    for i in range(count):
        base = bases[i % len(bases)]
        if i < len(bases):
            articles.append(Article(base.stem, base, 0))
        else:
            articles.append(Article(f"v{i:04d}-{base.stem}", base, i))
    return articles


def variant_html(data: bytes, seed: int) -> bytes:
    """The page with the words of each text rotated and a few swapped: the same
    markup, other sentences, so its template differs from the original's."""
    root = etree.fromstring(data, etree.HTMLParser())
    if root is None:
        return data
    rng = random.Random(seed)

    def vary(text: str | None) -> str | None:
        if not text or not text.strip():
            return text
        words = _WORDS_RE.findall(text)
        if len(words) > 1:
            k = rng.randrange(1, len(words))
            words = words[k:] + words[:k]
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        return lead + " ".join(words) + trail

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        skip = el.tag in _NOT_TEXT or any(a.tag in _NOT_TEXT for a in el.iterancestors())
        if not skip:
            el.text = vary(el.text)
        parent = el.getparent()
        if parent is None or not (parent.tag in _NOT_TEXT
                                  or any(a.tag in _NOT_TEXT for a in parent.iterancestors())):
            el.tail = vary(el.tail)
    doctype = root.getroottree().docinfo.doctype
    body = etree.tostring(root, method="html", encoding="utf-8")
    # Written as UTF-8 now: drop a declaration of another charset.
    body = re.sub(rb"(<meta[^>]*charset\s*=\s*[\"']?)[\w.:-]+", rb"\1utf-8", body, flags=re.I)
    return (doctype.encode() + b"\n" if doctype else b"") + body


def _write_article(args: tuple[Article, Path]) -> int:
    article, folder = args
    data = article.base.read_bytes()
    if article.variant:
        data = variant_html(data, article.variant)
    (folder / f"{article.slug}.html").write_bytes(data)
    return len(data)


def build_workspace(root: Path, articles: Iterable[Article], locales: list[str], jobs: int
                    ) -> int:
    """A fresh l10n workspace holding the articles; returns the bytes of HTML."""
    if root.exists():
        shutil.rmtree(root)
    source = root / "source"
    source.mkdir(parents=True)
    quoted = ", ".join(f'"{x}"' for x in locales)
    (root / "l10n.toml").write_text(
        f'source_language = "{SOURCE_LANGUAGE}"\nlanguages = [{quoted}]\n', encoding="utf-8")
    tasks = [(a, source) for a in articles]
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(_write_article, tasks, chunksize=8))


def reset_workspace(root: Path) -> None:
    """Back to the sources alone, as on a fresh checkout."""
    for name in ("locales", "build", ".l10n-cache"):
        if (root / name).exists():
            shutil.rmtree(root / name)


def pseudo_translation(msgid: str) -> str:
    """A stand-in translation: accented vowels, the placeholders of the source."""
    return join_tokens(tokenize(msgid), lambda text: text.translate(_PSEUDO))


def _translate_catalog(path: Path) -> None:
    po = read_catalog(path)
    for entry in po:
        if entry.msgid and not entry.obsolete and not entry.msgstr:
            entry.msgstr = pseudo_translation(entry.msgid)
    path.write_bytes(render_catalog(po))


def translate_workspace(root: Path, jobs: int) -> int:
    """Play the translators: fill every catalog of the workspace. Returns the count."""
    paths = sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_translate_catalog, paths, chunksize=8))
    return len(paths)


def pseudo_translate_markup(source: str) -> str:
    """The same stand-in for translate-toolkit's msgids, which hold raw inline HTML."""
    return "".join(part if part.startswith("<") else part.translate(_PSEUDO)
                   for part in _MARKUP_RE.split(source))


def bytes_io(data: bytes, name: str) -> io.BytesIO:
    buf = io.BytesIO(data)
    buf.name = name
    return buf
