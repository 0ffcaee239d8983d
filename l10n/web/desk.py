"""What the review desk shows, computed from the workspace: the state of every
localized version, and one version entry by entry. No web framework here: the app
renders these values, the tests can check them directly."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..catalog import POFile, active_entries, entry_key, read_catalog, template_source_language
from ..checks import Counts as WordCounts
from ..checks import format_percent, percent, reference_words, version_counts
from ..config import Config
from ..errors import L10nError
from ..locale import display_name, is_rtl, normalize_locale
from ..merge import approval_states, localize
from ..model import MergeWarning, tokenize
from ..pipeline import article_slugs, target_languages
from ..review import (
    DRAFT,
    TRANSLATED,
    UNTRANSLATED,
    ApprovalState,
    ReviewEntry,
    catalog_entries,
    completeness_problems,
    read_template_if_any,
    state_of,
    version_digest,
)
from ..segment import read_html

# The status of a localized version, most settled first. "complete" means ready to
# be approved; "outdated" means the catalog lags behind its template.
STATUSES = ("approved", "complete", "drafts", "untranslated", "problems", "outdated", "stale",
            "missing")


class NotFound(L10nError):
    """No such article, locale or catalog in the workspace."""


@dataclass
class Counts:
    """How far a catalog is: its entries by state."""

    total: int = 0
    translated: int = 0
    drafts: int = 0
    untranslated: int = 0
    problems: int = 0  # entries whose text has placeholder problems
    # Against the template, in source words: the figures of `l10n status` and the
    # completeness gate of `l10n check`, so the desk never reads more complete.
    words: WordCounts = field(default_factory=WordCounts)

    @property
    def complete(self) -> str:
        """Percent of the source words translated, as `l10n status` shows it."""
        return format_percent(self.words.complete_words)

    @property
    def percent_done(self) -> int:
        return math.floor(self.words.complete_words + 1e-9)

    @property
    def percent_drafted(self) -> int:
        return math.floor(percent(self.words.drafts.words, self.words.source.words) + 1e-9
                          ) if self.words.source.words else 0


@dataclass
class VersionStatus:
    """One article in one locale, as the overview lists it."""

    slug: str
    lang: str
    path: str  # the PO file, relative to the workspace
    status: str  # one of STATUSES
    counts: Counts = field(default_factory=Counts)
    approval: ApprovalState | None = None
    note: str = ""  # what to do, for "missing" and "outdated"


@dataclass
class ArticleRow:
    """One article of the overview and its localized versions, by locale."""

    slug: str
    title: str
    source_lang: str
    versions: dict[str, VersionStatus]


@dataclass
class Overview:
    """Every article and locale of the workspace."""

    languages: list[str]  # the locales shown (all configured, or the chosen one)
    articles: list[ArticleRow]

    def totals(self) -> dict[str, int]:
        """How many versions are in each status, in the order of STATUSES."""
        found = {s: 0 for s in STATUSES}
        for row in self.articles:
            for version in row.versions.values():
                found[version.status] += 1
        return {s: n for s, n in found.items() if n}

    @property
    def drafts_waiting(self) -> int:
        return sum(v.counts.drafts for row in self.articles for v in row.versions.values())


@dataclass
class VersionView:
    """One localized version entry by entry: what the article page shows."""

    slug: str
    lang: str
    path: str
    title: str
    source_lang: str
    status: VersionStatus
    entries: list[ReviewEntry]
    digest: str  # version_digest: what an approval of this page stamps
    problems: list[str]  # why it cannot be approved yet (empty: it can)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    @property
    def source_rtl(self) -> bool:
        return is_rtl(self.source_lang)


def count(entries: list[ReviewEntry]) -> Counts:
    """The entries of a catalog by state."""
    counts = Counts(total=len(entries))
    for e in entries:
        if e.state == TRANSLATED:
            counts.translated += 1
        elif e.state == DRAFT:
            counts.drafts += 1
        elif e.state == UNTRANSLATED:
            counts.untranslated += 1
        if e.problems:
            counts.problems += 1
    return counts


def status_of(template: POFile | None, po: POFile, entries: list[ReviewEntry], slug: str,
              lang: str, path: str) -> VersionStatus:
    """The overview status of one catalog."""
    approval = state_of(template, po, path)
    counts = count(entries)
    counts.words = version_counts(reference_words(template), po)
    result = VersionStatus(slug, lang, path, "complete", counts, approval)
    outdated = template is not None and (
        [entry_key(t) for t in active_entries(template)] != [e.key for e in entries])
    if approval.state in ("approved", "stale"):
        result.status = approval.state
    elif counts.drafts:
        result.status = "drafts"
    elif counts.untranslated:
        result.status = "untranslated"
    elif outdated:
        result.status = "outdated"
    elif counts.problems:
        result.status = "problems"
    if outdated:
        result.note = "out of date with its template: run 'l10n update'"
    return result


def _title(template: POFile | None, slug: str) -> str:
    """The article's headline (its h1, else its title), without placeholders."""
    if template is None:
        return slug
    for kind in ("h1", "title"):
        for t in active_entries(template):
            kinds = (t.comment or "").split("\n")[0].split(", ")
            if kind in kinds and not t.msgctxt:
                return "".join(tok.value for tok in tokenize(t.msgid) if tok.kind == "text")
    return slug


def _source_lang(cfg: Config, template: POFile | None) -> str:
    return (template_source_language(template) if template is not None else None) or (
        cfg.source_language)


def overview(cfg: Config, lang: str | None = None) -> Overview:
    """The status of every article in every configured locale (or only ``lang``)."""
    langs = list(cfg.languages)
    if lang is not None:
        lang = check_language(cfg, lang)
        langs = [lang]
    rows = []
    for slug in article_slugs(cfg):
        template = read_template_if_any(cfg, slug)
        source_lang = _source_lang(cfg, template)
        versions: dict[str, VersionStatus] = {}
        for target in target_languages(cfg, source_lang, langs):
            path = cfg.catalog_file(target, slug)
            name = cfg.rel(path)
            if template is None:
                versions[target] = VersionStatus(slug, target, name, "missing",
                                                 note="no template: run 'l10n extract'")
            elif not path.exists():
                versions[target] = VersionStatus(slug, target, name, "missing",
                                                 note="no catalog: run 'l10n update'")
            else:
                po = read_catalog(path, name)
                entries = catalog_entries(po, target, slug, name)
                versions[target] = status_of(template, po, entries, slug, target, name)
        rows.append(ArticleRow(slug, _title(template, slug), source_lang, versions))
    return Overview(langs, rows)


def check_language(cfg: Config, lang: str) -> str:
    """A configured locale, normalized; `NotFound` otherwise."""
    try:
        code = normalize_locale(lang)
    except L10nError:
        raise NotFound(f"unknown locale {lang!r}") from None
    if code not in cfg.languages:
        raise NotFound(f"{code} is not one of the workspace's languages")
    return code


def check_article(cfg: Config, slug: str) -> str:
    """An article of the workspace; `NotFound` otherwise."""
    if slug not in article_slugs(cfg):
        raise NotFound("no such article", cfg.rel(cfg.source_file(slug)))
    return slug


def version_view(cfg: Config, slug: str, lang: str) -> VersionView:
    """One article in one locale, every entry with its state and version."""
    slug, lang = check_article(cfg, slug), check_language(cfg, lang)
    path = cfg.catalog_file(lang, slug)
    name = cfg.rel(path)
    if not path.exists():
        raise NotFound("no catalog for this article and locale; run 'l10n update'", name)
    template = read_template_if_any(cfg, slug)
    po = read_catalog(path, name)
    entries = catalog_entries(po, lang, slug, name)
    status = status_of(template, po, entries, slug, lang, name)
    if template is None:
        digest, problems = "", ["no template; run 'l10n extract'"]
    else:
        digest, problems = version_digest(template, po), completeness_problems(template, po)
    return VersionView(slug, lang, name, _title(template, slug), _source_lang(cfg, template),
                       status, entries, digest, problems)


@dataclass
class Page:
    """An HTML page to show in a preview frame, as bytes in its own encoding."""

    data: bytes
    encoding: str
    warnings: list[MergeWarning] = field(default_factory=list)
    drafts: bool = False  # built with unreviewed drafts (and marked as such)


def original_page(cfg: Config, slug: str) -> Page:
    """The article as written."""
    source = cfg.source_file(check_article(cfg, slug))
    doc = read_html(source, cfg.rel(source))
    return Page(source.read_bytes(), doc.encoding)


def localized_page(cfg: Config, slug: str, lang: str) -> Page:
    """The localized page as ``l10n merge --drafts`` would build it: an approved
    version as published, any other with its drafts, marked as a draft."""
    view = version_view(cfg, slug, lang)
    approved = view.status.status == "approved"
    # Linked as alternates, as merge does: what it builds (with --drafts: every version).
    states = approval_states(cfg, slug, target_languages(cfg, view.source_lang))
    versions = [v for v, st in states.items() if st.approved or not approved]
    page = localize(cfg, slug, lang, drafts=not approved, versions=versions)
    source = cfg.source_file(slug)
    encoding = read_html(source, cfg.rel(source)).encoding
    return Page(page.data, encoding, page.warnings, drafts=not approved)


def language_name(code: str) -> str:
    """``Arabic``: a locale's name in English (the desk's own language)."""
    try:
        return display_name(code, "en")
    except (L10nError, ValueError, LookupError):
        return code


def language_label(code: str) -> str:
    """``Arabic (ar)``: how the desk names a locale."""
    name = language_name(code)
    return f"{name} ({code})" if name != code else code
