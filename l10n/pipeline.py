"""The workspace steps: extract (HTML -> templates) and update (templates -> catalogs).

Every step stages its files and writes them all at the end, so a bad input file
stops the command with nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .catalog import (
    POFile,
    build_template,
    parse_catalog,
    read_catalog,
    render_catalog,
    same_content,
    template_source_language,
    update_catalog,
)
from .config import Config
from .errors import CatalogError, HtmlError, L10nError
from .fsio import Transaction, digest
from .locale import LocaleError, normalize_locale, same_language
from .model import ArticleResult
from .segment import HtmlDocument, extract_segments, read_html


def article_slugs(cfg: Config, slugs: Iterable[str] | None = None) -> list[str]:
    """The articles of the workspace (or the named ones, checked to exist)."""
    folder = cfg.source_path
    if not folder.is_dir():
        raise L10nError("source folder not found", cfg.rel(folder))
    found = sorted(p.stem for p in folder.glob("*.html") if p.is_file())
    if slugs is None:
        return found
    wanted = list(dict.fromkeys(slugs))
    for slug in wanted:
        if slug not in found:
            raise HtmlError("no such article", cfg.rel(cfg.source_file(slug)))
    return wanted


def article_language(cfg: Config, doc: HtmlDocument) -> str:
    """The article's own ``<html lang>``, or the configured source language."""
    if doc.declared_lang:
        try:
            return normalize_locale(doc.declared_lang)
        except LocaleError:
            pass
    return cfg.source_language


def target_languages(cfg: Config, source_lang: str, langs: Iterable[str] | None = None
                     ) -> list[str]:
    """The locales an article is translated into: not its own language."""
    chosen = cfg.languages if langs is None else list(langs)
    return [lang for lang in chosen if not same_language(lang, source_lang)]


def resolve_languages(cfg: Config, langs: Iterable[str] | None) -> list[str] | None:
    """Locale codes from the command line, normalized; None means 'all configured'."""
    if not langs:
        return None
    return list(dict.fromkeys(normalize_locale(code) for code in langs))


def extract(cfg: Config, slugs: Iterable[str] | None = None) -> list[ArticleResult]:
    """Write ``locales/templates/<slug>.pot`` for each article whose segments changed."""
    results: list[ArticleResult] = []
    with Transaction() as tx:
        for slug in article_slugs(cfg, slugs):
            source = cfg.source_file(slug)
            doc = read_html(source, cfg.rel(source))
            segments = extract_segments(doc)
            lang = article_language(cfg, doc)
            pot = build_template(segments, cfg.rel(source), lang, slug)
            target = cfg.template_file(slug)
            old = _read_bytes(target, cfg.rel(target))
            result = ArticleResult(slug=slug, lang=lang, path=cfg.rel(target),
                                   counts={"segments": len(pot), "occurrences": len(segments)})
            if not same_content(pot, old):
                tx.stage(target, render_catalog(pot), expect=_digest_or_none(old),
                         display=cfg.rel(target))
                result.changed = True
            results.append(result)
    return results


def read_template(cfg: Config, slug: str) -> POFile:
    path = cfg.template_file(slug)
    if not path.exists():
        raise CatalogError("no template; run 'l10n extract' first", cfg.rel(path))
    return read_catalog(path, cfg.rel(path))


def template_slugs(cfg: Config, slugs: Iterable[str] | None = None) -> list[str]:
    if slugs is not None:
        return list(dict.fromkeys(slugs))
    return sorted(p.stem for p in cfg.templates_path.glob("*.pot") if p.is_file())


def update(cfg: Config, langs: Iterable[str] | None = None, slugs: Iterable[str] | None = None
           ) -> list[ArticleResult]:
    """Create or refresh each locale's catalog from its template (msgmerge semantics)."""
    chosen = resolve_languages(cfg, langs)
    results: list[ArticleResult] = []
    with Transaction() as tx:
        for slug in template_slugs(cfg, slugs):
            pot = read_template(cfg, slug)
            source_lang = template_source_language(pot) or cfg.source_language
            for lang in target_languages(cfg, source_lang, chosen):
                path = cfg.catalog_file(lang, slug)
                old_data = _read_bytes(path, cfg.rel(path))
                old = parse_catalog(old_data, cfg.rel(path)) if old_data is not None else None
                po, counts = update_catalog(pot, old, lang)
                result = ArticleResult(slug=slug, lang=lang, path=cfg.rel(path),
                                       counts=vars(counts).copy())
                if not same_content(po, old_data):
                    tx.stage(path, render_catalog(po), expect=_digest_or_none(old_data),
                             display=cfg.rel(path))
                    result.changed = True
                results.append(result)
    return results


def _read_bytes(path: Path, display: str) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise L10nError(f"cannot read: {exc.strerror or exc}", display) from None


def _digest_or_none(data: bytes | None) -> str | None:
    # The file must still be absent (or unchanged) when the batch is written.
    return digest(data) if data is not None else "absent"
