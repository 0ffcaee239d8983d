"""Rebuild localized HTML: the original document with translations swapped in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from .cache import Record, StepCache, hash_file, settings_of
from .catalog import read_catalog, translations
from .config import Config
from .fsio import digest
from .locale import bcp47, draft_notice, format_datetime_text, is_rtl, origin_note
from .model import ArticleResult, MergeWarning, Segment
from .parallel import ArticleOutcome, resolve_jobs, run_step
from .pipeline import (
    article_language,
    article_slugs,
    display_name,
    read_source,
    resolve_languages,
    target_languages,
)
from .segment import (
    SegmentMap,
    Translation,
    add_alternate_links,
    add_meta,
    append_note,
    apply_translations,
    localize_times,
    parse_html,
    read_html,
    serialize_html,
    set_document_language,
)

ORIGIN_NOTE_CLASS = "l10n-origin-note"
DRAFT_NOTICE_CLASS = "l10n-draft-notice"


@dataclass
class Localized:
    """One localized page, before it is written."""

    data: bytes
    warnings: list[MergeWarning]
    used: int  # segments that got a translation


@dataclass
class SourcePage:
    """An article read and segmented once, to be localized into several locales."""

    data: bytes
    display: str
    segments: SegmentMap


def localize(cfg: Config, slug: str, lang: str, drafts: bool = False,
             versions: Iterable[str] = (), source_page: SourcePage | None = None
             ) -> Localized:
    """Build the localized page for one article and locale, in memory."""
    if source_page is None:
        source = cfg.source_file(slug)
        doc = read_html(source, cfg.rel(source))
        segments = None
    else:
        # A fresh parse of bytes already read: cheaper than finding the segments again.
        doc = parse_html(source_page.data, source_page.display)
        segments = source_page.segments
    source_lang = article_language(cfg, doc)
    po_path = cfg.catalog_file(lang, slug)
    po_name = cfg.rel(po_path)
    table = translations(read_catalog(po_path, po_name), drafts=drafts)
    used = 0

    def lookup(seg: Segment) -> Translation | None:
        nonlocal used
        found = table.get(seg.key)
        if found is None:
            return None
        used += 1
        return Translation(found[0], found[1])

    warnings = apply_translations(doc, lookup, po_name, segments)
    rtl = is_rtl(lang)
    set_document_language(doc, bcp47(lang), rtl)
    localize_times(doc, lambda value: format_datetime_text(value, lang))
    if drafts:
        append_note(doc, draft_notice(lang), DRAFT_NOTICE_CLASS, bcp47(lang), rtl, at_start=True)
        add_meta(doc, "robots", "noindex")
    append_note(doc, origin_note(source_lang, lang), ORIGIN_NOTE_CLASS, bcp47(lang), rtl)
    add_alternate_links(doc, alternate_links(cfg, slug, source_lang, versions))
    return Localized(serialize_html(doc), warnings, used)


def original_folder(cfg: Config, source_lang: str) -> str:
    """Where the original goes in build/: the configured code of its language, if any."""
    for lang in cfg.languages:
        if lang == source_lang:
            return lang
    for lang in cfg.languages:
        if lang.split("_")[0] == source_lang.split("_")[0]:
            return lang
    return source_lang


def alternate_links(cfg: Config, slug: str, source_lang: str, versions: Iterable[str]
                    ) -> list[tuple[str, str]]:
    """(hreflang, href) for the original and every localized version."""
    folder = original_folder(cfg, source_lang)
    links = [(bcp47(source_lang), cfg.url_template.format(lang=folder, slug=slug))]
    links += [(bcp47(v), cfg.url_template.format(lang=v, slug=slug)) for v in versions]
    links.append(("x-default", links[0][1]))
    return links


def merge(cfg: Config, langs: Iterable[str] | None = None, slugs: Iterable[str] | None = None,
          drafts: bool = False, jobs: int | None = None) -> list[ArticleResult]:
    """Write ``build/<lang>/<slug>.html`` for each article and locale, and the original
    (with its hreflang links) as ``build/<source language>/<slug>.html``.

    Pages whose source, catalog and output are as the last run left them are not
    rebuilt; articles are processed in ``jobs`` worker processes."""
    chosen = resolve_languages(cfg, langs)
    names = article_slugs(cfg, slugs)
    settings = settings_of(cfg, "source_dir", "locales_dir", "build_dir", "source_language",
                           "languages", "url_template")
    cache = StepCache.open(cfg, "merge", {**settings, "drafts": drafts})
    plans = []
    for slug in names:
        record = cache.get(slug)
        plans.append((slug, merge_unchanged(cfg, slug, chosen, record), (slug, record)))
    results = run_step(cache, plans, partial(merge_article, cfg, chosen, drafts),
                       resolve_jobs(cfg, jobs))
    cache.save(keep=names if slugs is None else None)
    return results


def merge_article(cfg: Config, chosen: list[str] | None, drafts: bool,
                  task: tuple[str, Record | None]) -> ArticleOutcome:
    """Build one article's pages (those not up to date), staged, with its cache record."""
    slug, record = task
    source = cfg.source_file(slug)
    data = read_source(cfg, source)
    source_name = cfg.rel(source)
    doc = parse_html(data, source_name)
    source_page: SourcePage | None = None  # made when a page needs building
    source_lang = article_language(cfg, doc)
    all_targets = target_languages(cfg, source_lang)
    built = [lang for lang in all_targets if cfg.catalog_file(lang, slug).exists()]
    known: Record = record if record and record.get("source") == digest(data) else {}
    pages = dict(_page_records(known))
    outcome = ArticleOutcome([])
    try:
        for lang in target_languages(cfg, source_lang, chosen):
            out = cfg.output_file(lang, slug)
            out_name = display_name(cfg, out)
            result = ArticleResult(slug=slug, lang=lang, path=out_name)
            if lang not in built:
                result.skipped = (f"no catalog {cfg.rel(cfg.catalog_file(lang, slug))};"
                                  " run 'l10n update'")
                outcome.results.append(result)
                continue
            catalog = hash_file(cfg.catalog_file(lang, slug))
            cached = _cached_page(cfg, slug, lang, pages.get(lang), catalog, built)
            if cached is not None:
                outcome.results.append(cached)
                continue
            if source_page is None:
                source_page = SourcePage(data, source_name, SegmentMap(doc))
            page = localize(cfg, slug, lang, drafts=drafts, versions=built,
                            source_page=source_page)
            result.warnings = page.warnings
            result.counts = {"translated": page.used}
            result.changed = outcome.stage_if_changed(out, page.data, out_name)
            pages[lang] = {"catalog": catalog, "built": built, "out": digest(page.data),
                           "counts": result.counts,
                           "warnings": [[w.message, w.path, w.line] for w in page.warnings]}
            outcome.results.append(result)
        # The original, with links to its translations.
        folder = original_folder(cfg, source_lang)
        original = known.get("original")
        cached = _cached_original(cfg, slug, folder, original, built)
        if cached is not None:
            outcome.results.append(cached)
        else:
            add_alternate_links(doc, alternate_links(cfg, slug, source_lang, built))
            out = cfg.output_file(folder, slug)
            page_data = serialize_html(doc)
            out_name = display_name(cfg, out)
            result = ArticleResult(slug=slug, lang=folder, path=out_name, counts={"original": 1})
            result.changed = outcome.stage_if_changed(out, page_data, out_name)
            original = {"folder": folder, "built": built, "out": digest(page_data)}
            outcome.results.append(result)
    except BaseException:
        outcome.discard()
        raise
    outcome.record = {"source": digest(data), "source_lang": source_lang, "pages": pages,
                      "original": original}
    return outcome


def merge_unchanged(cfg: Config, slug: str, chosen: list[str] | None, record: Record | None
                    ) -> ArticleOutcome | None:
    """The outcome of an article whose source, catalogs and pages are those of ``record``."""
    if record is None:
        return None
    source_lang = record.get("source_lang")
    if not isinstance(source_lang, str):
        return None
    if record.get("source") != hash_file(cfg.source_file(slug)):
        return None
    built = [lang for lang in target_languages(cfg, source_lang)
             if cfg.catalog_file(lang, slug).exists()]
    pages = _page_records(record)
    results = []
    for lang in target_languages(cfg, source_lang, chosen):
        if lang not in built:
            out = cfg.output_file(lang, slug)
            results.append(ArticleResult(
                slug=slug, lang=lang, path=display_name(cfg, out),
                skipped=f"no catalog {cfg.rel(cfg.catalog_file(lang, slug))}; run 'l10n update'"))
            continue
        cached = _cached_page(cfg, slug, lang, pages.get(lang),
                              hash_file(cfg.catalog_file(lang, slug)), built)
        if cached is None:
            return None
        results.append(cached)
    cached = _cached_original(cfg, slug, original_folder(cfg, source_lang),
                              record.get("original"), built)
    if cached is None:
        return None
    results.append(cached)
    return ArticleOutcome(results, record=record)


def _page_records(record: Record) -> dict[str, Record]:
    pages = record.get("pages")
    return pages if isinstance(pages, dict) else {}


def _cached_page(cfg: Config, slug: str, lang: str, record: Record | None,
                 catalog: str | None, built: list[str]) -> ArticleResult | None:
    """The result for a page the last run built from the same catalog, else None."""
    if (not isinstance(record, dict) or catalog is None or record.get("catalog") != catalog
            or record.get("built") != built):
        return None
    out = cfg.output_file(lang, slug)
    counts, warnings = record.get("counts"), record.get("warnings")
    if record.get("out") != hash_file(out) or not isinstance(counts, dict):
        return None
    try:
        replayed = [MergeWarning(str(m), p, ln) for m, p, ln in warnings or []]
    except (TypeError, ValueError):
        return None
    return ArticleResult(slug=slug, lang=lang, path=display_name(cfg, out), counts=dict(counts),
                         warnings=replayed, up_to_date=True)


def _cached_original(cfg: Config, slug: str, folder: str, record: object, built: list[str]
                     ) -> ArticleResult | None:
    if (not isinstance(record, dict) or record.get("folder") != folder
            or record.get("built") != built):
        return None
    out = cfg.output_file(folder, slug)
    if record.get("out") != hash_file(out):
        return None
    return ArticleResult(slug=slug, lang=folder, path=display_name(cfg, out),
                         counts={"original": 1}, up_to_date=True)
