"""Rebuild localized HTML: the original document with translations swapped in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .catalog import read_catalog, translations
from .config import Config
from .fsio import Transaction
from .locale import bcp47, draft_notice, format_datetime_text, is_rtl, origin_note
from .model import ArticleResult, MergeWarning, Segment
from .pipeline import article_language, article_slugs, resolve_languages, target_languages
from .review import ApprovalState, read_template_if_any, state_of
from .segment import (
    Translation,
    add_alternate_links,
    add_meta,
    append_note,
    apply_translations,
    localize_times,
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


def localize(cfg: Config, slug: str, lang: str, drafts: bool = False,
             versions: Iterable[str] = ()) -> Localized:
    """Build the localized page for one article and locale, in memory.

    ``drafts=True`` uses fuzzy (unreviewed) entries too and marks the page as a
    draft: a visible notice in the target language and ``robots: noindex``.
    ``versions`` are the locales linked as alternates.
    """
    source = cfg.source_file(slug)
    doc = read_html(source, cfg.rel(source))
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

    warnings = apply_translations(doc, lookup, po_name)
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
          drafts: bool = False) -> list[ArticleResult]:
    """Write ``build/<lang>/<slug>.html`` for each article and locale, and the original
    (with its hreflang links) as ``build/<source language>/<slug>.html``.

    Only approved, non-stale versions are built; the others are skipped with the
    reason, unless ``drafts`` is set, which builds them as marked draft pages.
    """
    chosen = resolve_languages(cfg, langs)
    results: list[ArticleResult] = []
    with Transaction() as tx:
        for slug in article_slugs(cfg, slugs):
            source = cfg.source_file(slug)
            doc = read_html(source, cfg.rel(source))
            source_lang = article_language(cfg, doc)
            states = approval_states(cfg, slug, target_languages(cfg, source_lang))
            # Only versions that get built are linked, from the original and each other.
            built = [lang for lang, st in states.items() if st.approved or drafts]
            for lang in target_languages(cfg, source_lang, chosen):
                out = cfg.output_file(lang, slug)
                result = ArticleResult(slug=slug, lang=lang, path=cfg.rel(out))
                if lang not in states:
                    result.skipped = (f"no catalog {cfg.rel(cfg.catalog_file(lang, slug))};"
                                      " run 'l10n update'")
                    results.append(result)
                    continue
                if lang not in built:
                    result.skipped = unpublished_reason(states[lang], slug, lang)
                    results.append(result)
                    continue
                # An approved version is published as is; anything else is a draft page.
                page = localize(cfg, slug, lang, drafts=not states[lang].approved,
                                versions=built)
                result.warnings = page.warnings
                result.counts = {"translated": page.used}
                result.changed = _stage_if_changed(tx, out, page.data, cfg.rel(out))
                results.append(result)
            # The original, with links to its translations.
            add_alternate_links(doc, alternate_links(cfg, slug, source_lang, built))
            folder = original_folder(cfg, source_lang)
            out = cfg.output_file(folder, slug)
            result = ArticleResult(slug=slug, lang=folder, path=cfg.rel(out),
                                   counts={"original": 1})
            result.changed = _stage_if_changed(tx, out, serialize_html(doc), cfg.rel(out))
            results.append(result)
    return results


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


def _stage_if_changed(tx: Transaction, path, data: bytes, display: str) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    tx.stage(path, data, display=display)
    return True
