"""Rebuild localized HTML: the original document with translations swapped in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from urllib.parse import quote

from .cache import Record, StepCache, hash_file, read_seen, settings_of, sub_records
from .catalog import POFile, parse_catalog, read_catalog, translations
from .config import Config
from .fsio import Transaction, digest, removal
from .locale import bcp47, draft_notice, format_datetime_text, is_rtl, origin_note
from .model import ArticleResult, MergeWarning, Segment
from .parallel import ArticleOutcome, resolve_jobs, run_step
from .pipeline import (
    article_language,
    article_slugs,
    display_name,
    read_bytes_if_any,
    read_source,
    resolve_languages,
    target_languages,
)
from .review import ApprovalState, read_template_if_any, state_of
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
from .skeleton import PageLocale, Skeleton, build_skeleton

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
             versions: Iterable[str] = (), source_page: SourcePage | None = None,
             catalog: POFile | None = None) -> Localized:
    """Build the localized page for one article and locale, in memory.

    ``drafts=True`` uses fuzzy (unreviewed) entries too and marks the page as a
    draft: a visible notice in the target language and ``robots: noindex``.
    ``versions`` are the locales linked as alternates. ``source_page`` is the article
    already read and segmented, ``catalog`` the locale's catalog already read (else
    both are read here).
    """
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
    if catalog is None:
        catalog = read_catalog(po_path, po_name)
    lookup = _Lookup(translations(catalog, drafts=drafts))
    warnings = apply_translations(doc, lookup, po_name, segments)
    rtl = is_rtl(lang)
    set_document_language(doc, bcp47(lang), rtl)
    localize_times(doc, lambda value: format_datetime_text(value, lang))
    if drafts:
        append_note(doc, draft_notice(lang), DRAFT_NOTICE_CLASS, bcp47(lang), rtl, at_start=True)
        add_meta(doc, "robots", "noindex")
    append_note(doc, origin_note(source_lang, lang), ORIGIN_NOTE_CLASS, bcp47(lang), rtl)
    add_alternate_links(doc, alternate_links(cfg, slug, source_lang, versions))
    return Localized(serialize_html(doc), warnings, lookup.used)


class _Lookup:
    """A catalog's translations by segment, counting those found."""

    def __init__(self, table: dict[tuple[str | None, str], tuple[str, int]]):
        self.table = table
        self.used = 0

    def __call__(self, seg: Segment) -> Translation | None:
        found = self.table.get(seg.key)
        if found is None:
            return None
        self.used += 1
        return Translation(found[0], found[1])


def localize_from(skeleton: Skeleton, cfg: Config, slug: str, lang: str, source_lang: str,
                  catalog: POFile, drafts: bool = False) -> Localized:
    """What `localize` gives, filled into an article's skeleton (`build_skeleton`, made
    with the same alternate links) instead of rebuilt from a fresh parse."""
    po_name = display_name(cfg, cfg.catalog_file(lang, slug))
    page = _page_locale(lang, source_lang, drafts)
    data, warnings, used = skeleton.render(translations(catalog, drafts=drafts), po_name, page)
    return Localized(data, warnings, used)


@lru_cache(maxsize=256)
def _page_locale(lang: str, source_lang: str, drafts: bool) -> PageLocale:
    # The same for every article in the pair of languages, and Babel's locale data is
    # looked up anew on each call (profiled: a tenth of filling a skeleton).
    return PageLocale(
        lang=bcp47(lang), rtl=is_rtl(lang), origin_note=origin_note(source_lang, lang),
        origin_class=ORIGIN_NOTE_CLASS, format_time=partial(format_datetime_text, target=lang),
        draft_notice=draft_notice(lang) if drafts else None, draft_class=DRAFT_NOTICE_CLASS)


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
    """(hreflang, href) for the original and every localized version. The slug is
    percent-encoded: a file named "my story.html" is linked as my%20story.html."""
    folder = original_folder(cfg, source_lang)
    path = quote(slug)
    links = [(bcp47(source_lang), cfg.url_template.format(lang=folder, slug=path))]
    links += [(bcp47(v), cfg.url_template.format(lang=v, slug=path)) for v in versions]
    links.append(("x-default", links[0][1]))
    return links


def merge(cfg: Config, langs: Iterable[str] | None = None, slugs: Iterable[str] | None = None,
          drafts: bool = False, jobs: int | None = None) -> list[ArticleResult]:
    """Write ``build/<lang>/<slug>.html`` for each article and locale, and the original
    (with its hreflang links) as ``build/<source language>/<slug>.html``.

    Only approved, non-stale versions are built; the others are skipped with the
    reason, unless ``drafts`` is set, which builds them as marked draft pages.
    Pages whose source, template, catalog and output are as the last run left them
    are not rebuilt; articles are processed in ``jobs`` worker processes."""
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
    try:
        if slugs is None:
            results += take_down_removed(cfg, names)
    finally:
        # After the take-down (the cache then also forgets the pages it removed), and
        # even if it failed: the pages built above are in place.
        cache.save(keep=names if slugs is None else None)
    return results


def take_down_removed(cfg: Config, articles: Iterable[str]) -> list[ArticleResult]:
    """Remove the built pages of articles whose source is gone but whose template is
    still there (so they are known to be ours): a removed article is not published."""
    present = set(articles)
    results: list[ArticleResult] = []
    with Transaction() as tx:
        for template in sorted(cfg.templates_path.glob("*.pot")):
            slug = template.stem
            if slug in present:
                continue
            for folder in sorted({*cfg.languages, cfg.source_language}):
                out = cfg.output_file(folder, slug)
                if out.is_file():
                    name = display_name(cfg, out)
                    tx.adopt(removal(out, display=name))
                    results.append(ArticleResult(
                        slug=slug, lang=folder, path=name, changed=True,
                        skipped=f"its article {cfg.rel(cfg.source_file(slug))} was removed;"
                                " took the page down"))
    return results


def merge_article(cfg: Config, chosen: list[str] | None, drafts: bool,
                  task: tuple[str, Record | None]) -> ArticleOutcome:
    """Build one article's pages (those not up to date), staged, with its cache record."""
    slug, record = task
    source = cfg.source_file(slug)
    data, source_digest, seen_source = read_seen(source, partial(read_source, cfg, source))
    assert data is not None and source_digest is not None
    seen = [seen_source] if seen_source else []
    source_name = display_name(cfg, source)
    doc = parse_html(data, source_name)
    source_page: SourcePage | None = None  # made when a page needs building
    source_lang = article_language(cfg, doc)
    all_targets = target_languages(cfg, source_lang)
    known: Record = record if record and record.get("source") == source_digest else {}
    template = hash_file(cfg.template_file(slug))
    # Each catalog is read once: its digest, its approval and the page built from it
    # come from the same bytes, whatever a translator saves in the meantime.
    raw: dict[str, bytes] = {}
    catalogs: dict[str, str] = {}
    for lang in all_targets:
        path = cfg.catalog_file(lang, slug)
        data_, digest_, seen_ = read_seen(
            path, partial(read_bytes_if_any, path, display_name(cfg, path)))
        if data_ is not None and digest_ is not None:
            raw[lang], catalogs[lang] = data_, digest_
        if seen_:
            seen.append(seen_)
    parsed: dict[str, POFile] = {}

    def catalog_of(lang: str) -> POFile:
        if lang not in parsed:
            path = cfg.catalog_file(lang, slug)
            parsed[lang] = parse_catalog(raw[lang], display_name(cfg, path))
        return parsed[lang]

    gate = _gate_from_record(known, template, catalogs)
    if gate is None:
        template_po = read_template_if_any(cfg, slug)
        source_page = SourcePage(data, source_name, SegmentMap(doc))
        states = {lang: state_of(template_po, catalog_of(lang),
                                 display_name(cfg, cfg.catalog_file(lang, slug)))
                  for lang in catalogs}
        if not _template_current(template_po, source_page.segments.segments):
            # The article changed since it was extracted: its new text is in no
            # catalog, so no approval covers it.
            reason = (f"{source_name} changed since 'l10n extract'; run 'l10n extract' and"
                      " 'l10n update', then review and approve again (or build drafts"
                      " with --drafts)")
            approved = []
            built = list(states) if drafts else []
            unpublished = {lang: reason for lang in states if lang not in built}
        else:
            approved = [lang for lang, st in states.items() if st.approved]
            # Only versions that get built are linked, from the original and each other.
            built = [lang for lang, st in states.items() if st.approved or drafts]
            unpublished = {lang: unpublished_reason(st, slug, lang)
                           for lang, st in states.items() if lang not in built}
    else:
        built, unpublished, approved = gate
    linked = _linked(cfg, slug, built, chosen)
    links = alternate_links(cfg, slug, source_lang, linked)
    pages = dict(sub_records(known, "pages"))
    outcome = ArticleOutcome([], seen=seen)
    # Made with the first page to build: the article serialized once, filled per locale
    # (False: this page's shape is not covered; each locale is rebuilt from a parse).
    skeleton: Skeleton | bool | None = None
    try:
        for lang in target_languages(cfg, source_lang, chosen):
            out = cfg.output_file(lang, slug)
            out_name = display_name(cfg, out)
            result = ArticleResult(slug=slug, lang=lang, path=out_name)
            if lang not in catalogs:
                result.skipped = (f"no catalog {cfg.rel(cfg.catalog_file(lang, slug))};"
                                  " run 'l10n update'")
                outcome.results.append(result)
                continue
            if lang in unpublished:
                result.skipped = unpublished[lang]
                # A page published before must not stay up once its approval is gone.
                if outcome.stage_removal(out, out_name):
                    result.skipped += "; removed the page built earlier"
                    result.changed = True
                pages.pop(lang, None)
                outcome.results.append(result)
                continue
            catalog = catalogs[lang]
            cached = _cached_page(cfg, slug, lang, pages.get(lang), catalog, linked)
            if cached is not None:
                outcome.results.append(cached)
                continue
            if source_page is None:
                source_page = SourcePage(data, source_name, SegmentMap(doc))
            if skeleton is None:
                skeleton = build_skeleton(doc, source_page.segments, links) or False
            # An approved version is published as is; anything else is a draft page.
            if skeleton:
                page = localize_from(skeleton, cfg, slug, lang, source_lang, catalog_of(lang),
                                     drafts=lang not in approved)
            else:
                page = localize(cfg, slug, lang, drafts=lang not in approved, versions=linked,
                                source_page=source_page, catalog=catalog_of(lang))
            result.warnings = page.warnings
            result.counts = {"translated": page.used}
            out_digest = digest(page.data)
            result.changed = outcome.stage_if_changed(out, page.data, out_name, out_digest)
            pages[lang] = {"catalog": catalog, "built": linked, "out": out_digest,
                           "counts": result.counts,
                           "warnings": [[w.message, w.path, w.line] for w in page.warnings]}
            outcome.results.append(result)
        # The original, with links to its translations.
        folder = original_folder(cfg, source_lang)
        original = known.get("original")
        cached = _cached_original(cfg, slug, folder, original, linked)
        if cached is not None:
            outcome.results.append(cached)
        else:
            if skeleton:
                page_data = skeleton.original()
            else:
                # Without a skeleton (or after a failed attempt, which added the same
                # links already), from the parse.
                add_alternate_links(doc, links)
                page_data = serialize_html(doc)
            out = cfg.output_file(folder, slug)
            out_name = display_name(cfg, out)
            result = ArticleResult(slug=slug, lang=folder, path=out_name, counts={"original": 1})
            out_digest = digest(page_data)
            result.changed = outcome.stage_if_changed(out, page_data, out_name, out_digest)
            original = {"folder": folder, "built": linked, "out": out_digest}
            outcome.results.append(result)
    except BaseException:
        outcome.discard()
        raise
    outcome.record = {"source": source_digest, "source_lang": source_lang, "pages": pages,
                      "original": original, "template": template, "catalogs": catalogs,
                      "built": built, "unpublished": unpublished, "approved": approved}
    return outcome


def _linked(cfg: Config, slug: str, built: list[str], chosen: list[str] | None) -> list[str]:
    """The versions pages link to: those this run builds, and those built before
    (a run limited with --lang must not link to pages that do not exist)."""
    return [lang for lang in built
            if chosen is None or lang in chosen or cfg.output_file(lang, slug).exists()]


def _template_current(template: POFile | None, segments: list[Segment]) -> bool:
    """Whether the template holds exactly the article's segments (as extract would)."""
    if template is None:
        return False
    keys = {(e.msgctxt or None, e.msgid) for e in template if e.msgid and not e.obsolete}
    return keys == {seg.key for seg in segments}


def _gate_from_record(record: Record, template: str | None, catalogs: dict[str, str]
                      ) -> tuple[list[str], dict[str, str], list[str]] | None:
    """The publication decisions of the last run, if its template and catalogs are the
    same files (approval depends on nothing else); None when they must be recomputed."""
    if (not record or record.get("template") != template
            or record.get("catalogs") != catalogs):
        return None
    built, unpublished, approved = (record.get("built"), record.get("unpublished"),
                                    record.get("approved"))
    if not (isinstance(built, list) and isinstance(unpublished, dict)
            and isinstance(approved, list)):
        return None
    return built, unpublished, approved


def approval_states(cfg: Config, slug: str, langs: Iterable[str]) -> dict[str, ApprovalState]:
    """The approval state of each locale of an article that has a catalog."""
    template = read_template_if_any(cfg, slug)
    states: dict[str, ApprovalState] = {}
    for lang in langs:
        path = cfg.catalog_file(lang, slug)
        if path.exists():
            states[lang] = state_of(template, read_catalog(path, cfg.rel(path)), cfg.rel(path))
    return states


def unpublished_reason(state: ApprovalState, slug: str, lang: str) -> str:
    """One line: why a version is not built, and what to do about it."""
    command = f"'l10n approve {slug} --lang {lang}'"
    if state.state == "stale":
        return (f"{state.reasons[0]}; review it and run {command} again"
                " (or build drafts with --drafts)")
    return f"not approved; approve it with {command}, or build drafts with --drafts"


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
    catalogs = {lang: hash_file(cfg.catalog_file(lang, slug))
                for lang in target_languages(cfg, source_lang)}
    catalogs = {lang: h for lang, h in catalogs.items() if h is not None}
    gate = _gate_from_record(record, hash_file(cfg.template_file(slug)), catalogs)
    if gate is None:
        return None
    built, unpublished, _ = gate
    linked = _linked(cfg, slug, built, chosen)
    pages = sub_records(record, "pages")
    results = []
    for lang in target_languages(cfg, source_lang, chosen):
        out = cfg.output_file(lang, slug)
        if lang not in catalogs:
            results.append(ArticleResult(
                slug=slug, lang=lang, path=display_name(cfg, out),
                skipped=f"no catalog {cfg.rel(cfg.catalog_file(lang, slug))}; run 'l10n update'"))
            continue
        if lang in unpublished:
            if out.exists():
                return None  # an earlier page to take down
            results.append(ArticleResult(slug=slug, lang=lang, path=display_name(cfg, out),
                                         skipped=str(unpublished[lang])))
            continue
        cached = _cached_page(cfg, slug, lang, pages.get(lang), catalogs[lang], linked)
        if cached is None:
            return None
        results.append(cached)
    cached = _cached_original(cfg, slug, original_folder(cfg, source_lang),
                              record.get("original"), linked)
    if cached is None:
        return None
    results.append(cached)
    return ArticleOutcome(results, record=record)


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
