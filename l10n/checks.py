"""Stats and findings for ``l10n status`` and ``l10n check``.

Compute first, render second: `compute_status` returns a `Status` tree and
`check_workspace` a `CheckResult` holding `Finding`s; l10n/report.py and the CLI
turn them into tables, markdown, JSON, annotations or JUnit XML.

Every checker has the same shape, ``check_x(subject, ctx) -> Iterator[Finding]``:
per-entry checkers take an `Entry` and an `EntryContext`, the file-level ones a
`CatalogFile` or an `ArticleFiles` and a `CheckContext`. Adding a check is adding
one function to `ENTRY_CHECKS` or `CATALOG_CHECKS`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import (
    POFile,
    active_entries,
    build_template,
    entry_key,
    has_translation,
    header_line,
    is_fuzzy,
    parse_catalog,
)
from .config import CheckSettings, Config
from .errors import CatalogError, ConfigError, HtmlError, L10nError
from .locale import LocaleError, language_of, normalize_locale
from .model import (
    ERROR,
    WARNING,
    Finding,
    count_words,
    markup_problems,
    placeholder_problems,
    tokenize,
)
from .pipeline import article_language, resolve_languages, target_languages
from .review import state_of
from .segment import extract_segments, read_html

Key = tuple[str | None, str]

# ------------------------------------------------------------------ loading


@dataclass
class CatalogFile:
    """One locale's catalog of one article, as found on disk."""

    article: ArticleFiles = field(repr=False)
    lang: str
    path: str  # relative to the workspace
    exists: bool
    po: POFile | None = None  # None when missing or invalid
    text: str = ""  # the file's text, to find header lines
    error: CatalogError | None = None

    @property
    def slug(self) -> str:
        return self.article.slug


@dataclass
class ArticleFiles:
    """An article: its source, its template and the catalogs of the chosen locales."""

    slug: str
    source_language: str
    source_path: str
    template_path: str
    has_source: bool
    template: POFile | None = None  # the POT on disk, when it exists and is valid
    template_text: str = ""
    template_exists: bool = False
    template_error: CatalogError | None = None
    fresh: POFile | None = None  # the template extracted now from the article, if asked
    source_error: L10nError | None = None
    catalogs: list[CatalogFile] = field(default_factory=list)

    @property
    def reference(self) -> POFile | None:
        """What the catalogs are measured against: the template on disk, or (when
        there is none) the template the article would give now."""
        return self.template if self.template is not None else self.fresh


def chosen_languages(cfg: Config, langs: Iterable[str] | None) -> list[str] | None:
    """``--lang`` codes, normalized, each one of the configured languages."""
    chosen = resolve_languages(cfg, langs)
    for lang in chosen or ():
        if lang not in cfg.languages:
            raise ConfigError(f"locale {lang!r} is not one of the configured languages"
                              f" ({', '.join(cfg.languages) or 'none'})",
                              cfg.rel(cfg.config_file) if cfg.config_file else None)
    return chosen


def load_articles(cfg: Config, langs: Iterable[str] | None = None,
                  slugs: Iterable[str] | None = None, extract: bool = False
                  ) -> list[ArticleFiles]:
    """Every article (source or template) with its template and the catalogs of the
    chosen locales. Invalid files are recorded, not raised, so one broken catalog
    does not hide the state of the others. ``extract=True`` also re-extracts each
    article in memory (``fresh``), which the stale-template check compares."""
    chosen = chosen_languages(cfg, langs)
    sources = {p.stem for p in cfg.source_path.glob("*.html") if p.is_file()}
    templates = {p.stem for p in cfg.templates_path.glob("*.pot") if p.is_file()}
    if slugs is not None:
        wanted = list(dict.fromkeys(slugs))
        for slug in wanted:
            if slug not in sources and slug not in templates:
                raise L10nError("no such article", cfg.rel(cfg.source_file(slug)))
    else:
        wanted = sorted(sources | templates)
    articles = []
    for slug in wanted:
        art = ArticleFiles(slug=slug, source_language=cfg.source_language,
                           source_path=cfg.rel(cfg.source_file(slug)),
                           template_path=cfg.rel(cfg.template_file(slug)),
                           has_source=slug in sources, template_exists=slug in templates)
        if art.template_exists:
            art.template, art.template_text, art.template_error = _read(
                cfg.template_file(slug), art.template_path)
        if art.template is not None:
            art.source_language = _template_language(art.template, cfg)
        if art.has_source and (extract or art.template is None):
            _extract(cfg, art)
        for lang in target_languages(cfg, art.source_language, chosen):
            path = cfg.catalog_file(lang, slug)
            cat = CatalogFile(art, lang, cfg.rel(path), exists=path.is_file())
            if cat.exists:
                cat.po, cat.text, cat.error = _read(path, cat.path)
            art.catalogs.append(cat)
        articles.append(art)
    return articles


def _template_language(template: POFile, cfg: Config) -> str:
    code = template.metadata.get("X-Source-Language") or cfg.source_language
    try:
        return normalize_locale(code)
    except LocaleError:
        return cfg.source_language


def _extract(cfg: Config, art: ArticleFiles) -> None:
    source = cfg.source_file(art.slug)
    try:
        doc = read_html(source, art.source_path)
    except HtmlError as exc:
        art.source_error = exc
        return
    lang = article_language(cfg, doc)
    if art.template is None:
        art.source_language = lang
    art.fresh = build_template(extract_segments(doc), art.source_path, lang, art.slug)


def _read(path: Path, name: str) -> tuple[POFile | None, str, CatalogError | None]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, "", CatalogError(f"cannot read: {exc.strerror or exc}", name)
    text = data.decode("utf-8", errors="replace")
    try:
        return parse_catalog(data, name), text, None
    except CatalogError as exc:
        return None, text, exc


# ------------------------------------------------------------------- status


@dataclass
class Tally:
    """A number of segments and the source words they hold."""

    segments: int = 0
    words: int = 0

    def add(self, other: Tally) -> None:
        self.segments += other.segments
        self.words += other.words


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent; nothing to translate counts as complete."""
    return 100.0 if whole == 0 else 100.0 * part / whole


@dataclass
class Counts:
    """How far a translation (or a sum of them) is."""

    source: Tally = field(default_factory=Tally)  # every segment of the template
    translated: Tally = field(default_factory=Tally)  # msgstr set, not fuzzy
    drafts: Tally = field(default_factory=Tally)  # msgstr set, fuzzy: awaiting review
    untranslated: Tally = field(default_factory=Tally)  # empty, or missing from the catalog
    obsolete: int = 0  # #~ entries kept in the catalog

    @property
    def complete_words(self) -> float:
        return percent(self.translated.words, self.source.words)

    @property
    def complete_segments(self) -> float:
        return percent(self.translated.segments, self.source.segments)

    def complete(self, unit: str) -> float:
        """Completeness in ``"words"`` or ``"segments"``."""
        return self.complete_words if unit == "words" else self.complete_segments

    def add(self, other: Counts) -> None:
        for name in ("source", "translated", "drafts", "untranslated"):
            getattr(self, name).add(getattr(other, name))
        self.obsolete += other.obsolete


@dataclass
class VersionStatus:
    """One localized version: an article in one locale."""

    slug: str
    lang: str
    path: str  # the PO file
    state: str  # "ok", "missing" (no catalog) or "invalid" (unreadable catalog)
    counts: Counts
    approval: str = "none"  # "approved", "stale" or "none"
    approved_by: str | None = None
    approved_date: str | None = None
    error: str | None = None  # why the catalog is invalid


@dataclass
class ArticleStatus:
    slug: str
    source_language: str
    template: str | None  # the POT, None when the article has none yet
    segments: int
    words: int
    versions: list[VersionStatus] = field(default_factory=list)


@dataclass
class Totals:
    """The sum over several versions: one locale's, or everything."""

    lang: str | None  # None for the overall total
    versions: int = 0
    approved: int = 0
    counts: Counts = field(default_factory=Counts)

    def add(self, version: VersionStatus) -> None:
        self.versions += 1
        self.approved += version.approval == "approved"
        self.counts.add(version.counts)


@dataclass
class Status:
    articles: list[ArticleStatus]
    locales: list[Totals]
    total: Totals

    @property
    def versions(self) -> list[VersionStatus]:
        return [v for a in self.articles for v in a.versions]


def reference_words(reference: POFile | None) -> list[tuple[Key, int]]:
    """(key, source words) of every segment of a template."""
    if reference is None:
        return []
    return [(entry_key(e), count_words(e.msgid)) for e in active_entries(reference)]


def version_counts(reference: list[tuple[Key, int]], po: POFile | None) -> Counts:
    """Counts of one catalog measured against its template's segments."""
    counts = Counts()
    entries = {entry_key(e): e for e in active_entries(po)} if po is not None else {}
    for key, words in reference:
        one = Tally(1, words)
        counts.source.add(one)
        entry = entries.get(key)
        if entry is None or not has_translation(entry):
            counts.untranslated.add(one)
        elif is_fuzzy(entry):
            counts.drafts.add(one)
        else:
            counts.translated.add(one)
    if po is not None:
        counts.obsolete = len(po.obsolete_entries())
    return counts


def version_status(art: ArticleFiles, cat: CatalogFile) -> VersionStatus:
    reference = reference_words(art.reference)
    if cat.po is None:
        state = "invalid" if cat.exists else "missing"
        return VersionStatus(art.slug, cat.lang, cat.path, state, version_counts(reference, None),
                             error=str(cat.error) if cat.error else None)
    approval = state_of(art.template, cat.po, cat.path)
    return VersionStatus(art.slug, cat.lang, cat.path, "ok", version_counts(reference, cat.po),
                         approval.state, approval.by, approval.date)


def summarize(articles: list[ArticleFiles]) -> Status:
    """The status tree of loaded articles, with totals per locale and overall."""
    result: list[ArticleStatus] = []
    locales: dict[str, Totals] = {}
    total = Totals(None)
    for art in articles:
        reference = reference_words(art.reference)
        status = ArticleStatus(art.slug, art.source_language,
                               art.template_path if art.template_exists else None,
                               len(reference), sum(w for _, w in reference))
        for cat in art.catalogs:
            version = version_status(art, cat)
            status.versions.append(version)
            locales.setdefault(cat.lang, Totals(cat.lang)).add(version)
            total.add(version)
        result.append(status)
    ordered = sorted(locales.values(), key=lambda t: t.lang or "")
    return Status(result, ordered, total)


def compute_status(cfg: Config, langs: Iterable[str] | None = None,
                   slugs: Iterable[str] | None = None) -> Status:
    """For each article and locale: segments, words, translated, drafts awaiting
    review, untranslated, obsolete, completeness and approval; totals per locale and
    overall. A configured locale without a catalog counts as 0 % ("missing")."""
    return summarize(load_articles(cfg, langs, slugs))


# ------------------------------------------------------------ entry checks


@dataclass(frozen=True)
class Entry:
    """A translated catalog entry, as the checkers see it."""

    context: str | None
    source: str
    translation: str
    line: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryContext:
    """Where an entry is, and the settings the checkers need."""

    slug: str
    lang: str
    path: str
    settings: CheckSettings

    def finding(self, severity: str, code: str, message: str, line: int | None) -> Finding:
        return Finding(severity, code, message, self.path, line, self.slug, self.lang)


def check_placeholders(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """The translation uses exactly the placeholders of its source, properly nested."""
    problems = placeholder_problems(entry.source, entry.translation)
    if problems:
        yield ctx.finding(ERROR, "placeholders", "; ".join(problems), entry.line)


def check_markup(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """No tag or entity in a translation beyond the placeholders: merge inserts
    translations as text, so readers would see ``<b>`` or ``&nbsp;`` literally."""
    for problem in markup_problems(entry.source, entry.translation):
        yield ctx.finding(ERROR, "markup", problem, entry.line)


_DIRECTIVE_RE = re.compile(
    r"%(?:\(\w+\))?[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|ll|[hlLqjzt])?[diouxXeEfFgGcrsa%]")


def check_format(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """printf-style directives of ``c-format`` / ``python-format`` entries match, as
    GNU msgfmt --check requires (our templates never set these flags; PO editors can)."""
    if not {"c-format", "python-format"} & set(entry.flags):
        return
    src = sorted(d for d in _DIRECTIVE_RE.findall(entry.source) if d != "%%")
    dst = sorted(d for d in _DIRECTIVE_RE.findall(entry.translation) if d != "%%")
    if src != dst:
        yield ctx.finding(ERROR, "format", f"format directives differ from the source"
                          f" ({' '.join(src) or 'none'} vs {' '.join(dst) or 'none'})",
                          entry.line)


def _edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]


def check_whitespace(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """Leading and trailing whitespace as in the source. A newline added or lost at
    either end is an error (msgfmt --check rejects it); other spaces a warning."""
    src, dst = entry.source, entry.translation
    for side, same in (("begin", src.startswith("\n") == dst.startswith("\n")),
                       ("end", src.endswith("\n") == dst.endswith("\n"))):
        if not same:
            yield ctx.finding(ERROR, "whitespace", f"source and translation do not both {side}"
                              " with a newline (msgfmt --check rejects this)", entry.line)
            return
    for side, a, b in (("leading", _edges(src)[0], _edges(dst)[0]),
                       ("trailing", _edges(src)[1], _edges(dst)[1])):
        if bool(a) != bool(b):
            what = "lost the" if a else "added"
            yield ctx.finding(WARNING, "whitespace", f"the translation {what} {side}"
                              " whitespace of the source", entry.line)


# A number with its locale's separators: 31,4 / 31.4 / 1 234 / 12:30 / ١٢٫٥ / ３１．４.
# \d is any Unicode decimal digit; a space only separates groups of three digits.
_NUMBER_RE = re.compile(
    r"\d+(?:(?:[.,:'’\u066b\u066c\uff0c\uff0e\uff1a]|[ \u00a0\u2009\u202f](?=\d{3}(?!\d)))\d+)*")


def _numbers(text: str) -> list[tuple[str, str]]:
    """(as written, digits only in ASCII) for every number of a message's text."""
    plain = " ".join(t.value for t in tokenize(text) if t.kind == "text")
    found = []
    for m in _NUMBER_RE.finditer(plain):
        digits = "".join(str(unicodedata.decimal(ch)) for ch in m.group(0) if ch.isdecimal())
        found.append((m.group(0), digits))
    return found


def check_numbers(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """Every number of the source appears in the translation. Separators and digit
    scripts are ignored (31,4 = 31.4 = ٣١٫٤), so this is a hint, not a proof: a
    warning."""
    translated = _numbers(entry.translation)
    have = {digits for _, digits in translated}
    stream = "".join(digits for _, digits in translated)
    missing = [shown for shown, digits in _numbers(entry.source)
               if digits not in have and digits not in stream]
    if missing:
        yield ctx.finding(WARNING, "numbers", "number of the source not in the translation: "
                          + ", ".join(dict.fromkeys(missing)), entry.line)


_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_TAIL = ".,;:!?)]}»”’"


def _urls(text: str) -> list[str]:
    return [m.group(0).rstrip(_URL_TAIL) for m in _URL_RE.finditer(text)]


def check_urls(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """URLs and e-mail addresses of the source appear unchanged in the translation
    (a warning: a translator may point to a localized edition on purpose)."""
    missing = [u for u in dict.fromkeys(_urls(entry.source)) if u not in entry.translation]
    if missing:
        yield ctx.finding(WARNING, "urls", "address of the source not in the translation: "
                          + ", ".join(missing), entry.line)


def check_untranslated_copy(entry: Entry, ctx: EntryContext) -> Iterator[Finding]:
    """A long source copied unchanged as its translation: probably not translated."""
    limit = ctx.settings.untranslated_copy_words
    if entry.translation.strip() == entry.source.strip():
        words = count_words(entry.source)
        if words > limit:
            yield ctx.finding(WARNING, "untranslated-copy", f"the translation is a copy of"
                              f" the source ({words} words); is it translated?", entry.line)


EntryCheck = Callable[[Entry, EntryContext], Iterator[Finding]]
ENTRY_CHECKS: tuple[EntryCheck, ...] = (
    check_placeholders,
    check_markup,
    check_format,
    check_whitespace,
    check_numbers,
    check_urls,
    check_untranslated_copy,
)


def translated_entries(po: POFile) -> Iterator[Entry]:
    """The entries the checkers look at: translated (not fuzzy: drafts are not
    published) and singular (our templates have no plural entries)."""
    for e in active_entries(po):
        if e.msgstr and not is_fuzzy(e) and not e.msgid_plural:
            yield Entry(e.msgctxt or None, e.msgid, e.msgstr, e.linenum, tuple(e.flags))


# ------------------------------------------------------- file-level checks


@dataclass
class CheckContext:
    """What the file-level checkers need to know about this run."""

    cfg: Config
    settings: CheckSettings
    min_complete: float | None  # from the command line: replaces every configured one
    require_approved: bool

    def threshold(self, lang: str) -> float | None:
        if self.min_complete is not None:
            return self.min_complete
        return self.settings.min_complete_for(lang)


def _header_start(text: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith('msgid ""'):
            return number
    return 1


def _finding(art: ArticleFiles | CatalogFile, severity: str, code: str, message: str,
             path: str, line: int | None = None) -> Finding:
    lang = art.lang if isinstance(art, CatalogFile) else None
    return Finding(severity, code, message, path, line, art.slug, lang)


_UTF8_RE = re.compile(r"charset\s*=\s*utf-?8\b", re.IGNORECASE)


def _same_locale(declared: str, folder: str) -> bool:
    """Whether a Language header fits its folder: the same locale, or the same
    language where one of them names no region (``de_DE`` in ``de/`` is fine)."""
    try:
        code = normalize_locale(declared)
    except LocaleError:
        return False
    if code == folder:
        return True
    return language_of(code) == language_of(folder) and ("_" not in code or "_" not in folder)


def check_catalog_valid(cat: CatalogFile, ctx: CheckContext) -> Iterator[Finding]:
    """The catalog parses the way GNU msgfmt --check sees it (our strict reader)."""
    if cat.error is not None:
        yield _finding(cat, ERROR, "invalid-po", cat.error.message, cat.path, cat.error.line)


def check_header(cat: CatalogFile, ctx: CheckContext) -> Iterator[Finding]:
    """Language matches the folder, Plural-Forms is there, Content-Type says UTF-8."""
    if cat.po is None:
        return
    meta, start = cat.po.metadata, _header_start(cat.text)
    declared = (meta.get("Language") or "").strip()
    line = header_line(cat.text, "Language") or start
    if not declared:
        yield _finding(cat, ERROR, "header", f"no Language header (should be {cat.lang})",
                       cat.path, start)
    elif not _same_locale(declared, cat.lang):
        yield _finding(cat, ERROR, "header", f"Language is {declared!r}, but the catalog"
                       f" is in the folder of {cat.lang}", cat.path, line)
    if not (meta.get("Plural-Forms") or "").strip():
        yield _finding(cat, ERROR, "header", "no Plural-Forms header; run 'l10n update'",
                       cat.path, start)
    content_type = meta.get("Content-Type") or ""
    if not _UTF8_RE.search(content_type):
        yield _finding(cat, ERROR, "header", "Content-Type must be 'text/plain;"
                       f" charset=UTF-8' (is {content_type!r})", cat.path,
                       header_line(cat.text, "Content-Type") or start)


def check_catalog_current(cat: CatalogFile, ctx: CheckContext) -> Iterator[Finding]:
    """Every template entry is an active entry of the catalog, and no active entry
    is missing from the template: otherwise 'l10n update' was not run."""
    if not cat.exists:
        yield _finding(cat, ERROR, "stale-catalog", f"no catalog for {cat.lang};"
                       " run 'l10n update'", cat.path)
        return
    if cat.po is None or cat.article.template is None:
        return
    template_keys = {entry_key(t) for t in active_entries(cat.article.template)}
    entries = {entry_key(e): e for e in active_entries(cat.po)}
    new = [k for k in template_keys if k not in entries]
    gone = [e for k, e in entries.items() if k not in template_keys]
    if new or gone:
        line = gone[0].linenum if gone else _header_start(cat.text)
        yield _finding(cat, ERROR, "stale-catalog", "out of date with"
                       f" {cat.article.template_path} ({len(new)} new, {len(gone)} gone);"
                       " run 'l10n update'",
                       cat.path, line)


def check_completeness(cat: CatalogFile, ctx: CheckContext) -> Iterator[Finding]:
    """Completeness (in words, or segments with ``count = "segments"``) at least the
    threshold of the locale."""
    minimum = ctx.threshold(cat.lang)
    if minimum is None or cat.po is None:
        return
    unit = ctx.settings.count
    counts = version_counts(reference_words(cat.article.reference), cat.po)
    done = counts.complete(unit)
    if done >= minimum:
        return
    pending = [e.linenum for e in active_entries(cat.po) if not e.msgstr or is_fuzzy(e)]
    yield _finding(cat, ERROR, "incomplete", f"{format_percent(done)}% of {unit} translated,"
                   f" below the minimum of {format_percent(minimum)}%"
                   f" ({counts.untranslated.segments} untranslated,"
                   f" {counts.drafts.segments} drafts awaiting review)",
                   cat.path, pending[0] if pending else None)


def check_approval(cat: CatalogFile, ctx: CheckContext) -> Iterator[Finding]:
    """With --require-approved: the version is approved and unchanged since."""
    if not ctx.require_approved or cat.po is None:
        return
    state = state_of(cat.article.template, cat.po, cat.path)
    command = f"'l10n approve {cat.slug} --lang {cat.lang}'"
    if state.state == "none":
        # The header is where the approval stamp goes.
        yield _finding(cat, ERROR, "approval-missing", f"not approved for publication;"
                       f" review it and run {command}", cat.path, _header_start(cat.text))
    elif state.state == "stale":
        line = header_line(cat.text, "X-L10n-Approved-Digest")
        yield _finding(cat, ERROR, "approval-stale", f"{state.reasons[0]}; review it and"
                       f" run {command} again", cat.path, line)


def check_entries(cat: CatalogFile, ctx: CheckContext) -> Iterator[Finding]:
    """Every entry checker over every translated entry of the catalog."""
    if cat.po is None:
        return
    entry_ctx = EntryContext(cat.slug, cat.lang, cat.path, ctx.settings)
    for entry in translated_entries(cat.po):
        for check in ENTRY_CHECKS:
            yield from check(entry, entry_ctx)


CatalogCheck = Callable[[CatalogFile, CheckContext], Iterator[Finding]]
CATALOG_CHECKS: tuple[CatalogCheck, ...] = (
    check_catalog_valid,
    check_header,
    check_catalog_current,
    check_completeness,
    check_approval,
    check_entries,
)


def check_template(art: ArticleFiles, ctx: CheckContext) -> Iterator[Finding]:
    """The template is valid and holds exactly the segments the article has now:
    otherwise someone edited the article and did not run 'l10n extract'."""
    if art.source_error is not None:
        yield _finding(art, ERROR, "invalid-source", art.source_error.message,
                       art.source_path, art.source_error.line)
    if art.template_error is not None:
        yield _finding(art, ERROR, "invalid-po", art.template_error.message,
                       art.template_path, art.template_error.line)
        return
    if not art.has_source:
        yield _finding(art, WARNING, "stale-template", f"no article {art.source_path} for"
                       " this template: if the article was removed, delete the template"
                       " and its catalogs to retire it ('l10n merge' takes its pages"
                       " down)", art.template_path)
        return
    if not art.template_exists:
        yield _finding(art, ERROR, "stale-template", "no template for the article;"
                       " run 'l10n extract'", art.template_path)
        return
    if art.template is None or art.fresh is None:
        return
    content_type = art.template.metadata.get("Content-Type") or ""
    if not _UTF8_RE.search(content_type):
        yield _finding(art, ERROR, "header", "Content-Type must be 'text/plain;"
                       f" charset=UTF-8' (is {content_type!r})", art.template_path,
                       header_line(art.template_text, "Content-Type"))
    on_disk = [entry_key(e) for e in active_entries(art.template)]
    now = [entry_key(e) for e in active_entries(art.fresh)]
    if on_disk == now:
        return
    old_keys, new_keys = set(on_disk), set(now)
    new = [e for e in active_entries(art.fresh) if entry_key(e) not in old_keys]
    gone = [e for e in active_entries(art.template) if entry_key(e) not in new_keys]
    if new or gone:
        detail = f"{len(new)} new, {len(gone)} gone"
        if new and new[0].occurrences:
            ref, number = new[0].occurrences[0]
            detail += f"; first new text at {ref}:{number}"
    else:
        detail = "segments reordered"
    yield _finding(art, ERROR, "stale-template", f"out of date with {art.source_path}"
                   f" ({detail}); run 'l10n extract'", art.template_path,
                   gone[0].linenum if gone else _header_start(art.template_text))


@dataclass
class CheckResult:
    """The findings of a run, and the versions (article, locale) it looked at."""

    findings: list[Finding]
    versions: list[tuple[str, str]]
    status: Status

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def passed(self) -> bool:
        return not self.errors


def _orphan_catalogs(cfg: Config, articles: list[ArticleFiles],
                     langs: list[str]) -> Iterator[Finding]:
    known = {a.slug for a in articles}
    for lang in langs:
        folder = cfg.locales_path / lang / "LC_MESSAGES"
        for path in sorted(folder.glob("*.po")):
            if path.stem not in known:
                yield Finding(WARNING, "stale-catalog", "no article or template for this"
                              " catalog (removed?)", cfg.rel(path), None, path.stem, lang)


def check_workspace(cfg: Config, min_complete: float | None = None,
                    require_approved: bool = False, langs: Iterable[str] | None = None,
                    slugs: Iterable[str] | None = None) -> CheckResult:
    """Run every check over the chosen locales and articles.

    ``min_complete`` (percent) replaces every configured threshold;
    ``require_approved`` adds to ``require_approved`` of ``[check]``.
    """
    articles = load_articles(cfg, langs, slugs, extract=True)
    ctx = CheckContext(cfg, cfg.check, min_complete,
                       require_approved or cfg.check.require_approved)
    findings: list[Finding] = []
    versions: list[tuple[str, str]] = []
    for art in articles:
        findings += check_template(art, ctx)
        if not art.has_source and art.source_error is None:
            continue  # a removed article: its template's warning says how to retire it
        for cat in art.catalogs:
            versions.append((art.slug, cat.lang))
            for check in CATALOG_CHECKS:
                findings += check(cat, ctx)
    if slugs is None:
        chosen = chosen_languages(cfg, langs) or cfg.languages
        findings += _orphan_catalogs(cfg, articles, chosen)
    findings.sort(key=lambda f: (f.path or "", f.line or 0, f.severity != ERROR, f.code))
    return CheckResult(findings, versions, summarize(articles))


def run_checks(cfg: Config, min_complete: float | None = None, require_approved: bool = False,
               langs: Iterable[str] | None = None, slugs: Iterable[str] | None = None
               ) -> list[Finding]:
    """Every finding of `check_workspace`, errors and warnings, in file order."""
    return check_workspace(cfg, min_complete, require_approved, langs, slugs).findings


def format_percent(value: float) -> str:
    """One decimal, truncated: 99.96 % shows as 99.9, never as a complete 100.0."""
    return f"{math.floor(value * 10 + 1e-9) / 10:.1f}"

