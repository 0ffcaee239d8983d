"""The workspace steps: extract (HTML -> templates) and update (templates -> catalogs).

Every step stages its files and writes them all at the end, so a bad input file
stops the command with nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache, partial
from pathlib import Path

from .cache import Record, StepCache, hash_file, read_seen, settings_of, sub_records
from .catalog import (
    POFile,
    TemplateText,
    parse_catalog,
    read_catalog,
    render_catalog,
    same_content,
    template_source_language,
    update_catalog,
)
from .config import Config
from .errors import CatalogError, HtmlError, L10nError
from .fsio import digest
from .locale import LocaleError, normalize_locale, same_language
from .model import ArticleResult
from .parallel import ArticleOutcome, resolve_jobs, run_step
from .segment import HtmlDocument, extract_segments, parse_html


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


_HTML_LIKE = frozenset({".html", ".htm", ".xhtml", ".shtml"})


def ignored_sources(cfg: Config) -> list[str]:
    """Files in the source folder that look like articles but are not read as ones
    (only ``*.html`` files are): ``story.htm``, ``Story.HTML``. Workspace-relative."""
    folder = cfg.source_path
    if not folder.is_dir():
        return []
    return sorted(cfg.rel(p) for p in folder.iterdir()
                  if p.suffix.lower() in _HTML_LIKE and p.suffix != ".html" and p.is_file())


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


def extract(cfg: Config, slugs: Iterable[str] | None = None, jobs: int | None = None
            ) -> list[ArticleResult]:
    """Write ``locales/templates/<slug>.pot`` for each article whose segments changed.

    Articles whose source and template are as the last run left them are not redone
    (see `l10n.cache`); the others are processed in ``jobs`` worker processes (default:
    the ``jobs`` setting, else one per core).
    """
    names = article_slugs(cfg, slugs)
    cache = StepCache.open(cfg, "extract",
                           settings_of(cfg, "source_dir", "locales_dir", "source_language"))
    plans = [(slug, extract_unchanged(cfg, slug, cache.get(slug)), slug) for slug in names]
    results = run_step(cache, plans, partial(extract_article, cfg), resolve_jobs(cfg, jobs))
    cache.save(keep=names if slugs is None else None)
    return results


def extract_article(cfg: Config, slug: str) -> ArticleOutcome:
    """Extract one article: its template, staged if it changed, and the cache record."""
    source = cfg.source_file(slug)
    data, source_digest, seen = read_seen(source, lambda: read_source(cfg, source))
    assert data is not None
    source_name = cfg.rel(source)
    doc = parse_html(data, source_name)
    segments = extract_segments(doc)
    lang = article_language(cfg, doc)
    pot = TemplateText(segments, source_name, lang, slug)
    target = cfg.template_file(slug)
    target_name = display_name(cfg, target)
    old = read_bytes_if_any(target, display_name(cfg, target))
    result = ArticleResult(slug=slug, lang=lang, path=target_name,
                           counts={"segments": pot.entries, "occurrences": len(segments)})
    outcome = ArticleOutcome([result], seen=[seen] if seen else [])
    if pot.same_as(old):
        written = old
        template_digest = digest(old or b"")
    else:
        written = pot.render()
        template_digest = digest(written)
        outcome.stage(target, written, expect=_digest_or_none(old), display=target_name,
                      content=template_digest)
        result.changed = True
    outcome.record = {"source": source_digest, "template": template_digest,
                      "lang": lang, "counts": dict(result.counts)}
    return outcome


def extract_unchanged(cfg: Config, slug: str, record: Record | None) -> ArticleOutcome | None:
    """The outcome of an article whose source and template are those of ``record``."""
    if record is None:
        return None
    counts = _counts(record.get("counts"))
    lang = record.get("lang")
    if counts is None or not isinstance(lang, str):
        return None
    target = cfg.template_file(slug)
    if (record.get("source") != hash_file(cfg.source_file(slug))
            or record.get("template") != hash_file(target)):
        return None
    result = ArticleResult(slug=slug, lang=lang, path=display_name(cfg, target), counts=counts,
                           up_to_date=True)
    return ArticleOutcome([result], record=record)


def read_template(cfg: Config, slug: str) -> POFile:
    path = cfg.template_file(slug)
    if not path.exists():
        raise CatalogError("no template; run 'l10n extract' first", cfg.rel(path))
    return read_catalog(path, cfg.rel(path))


def template_slugs(cfg: Config, slugs: Iterable[str] | None = None) -> list[str]:
    if slugs is not None:
        return list(dict.fromkeys(slugs))
    return sorted(p.stem for p in cfg.templates_path.glob("*.pot") if p.is_file())


def update(cfg: Config, langs: Iterable[str] | None = None, slugs: Iterable[str] | None = None,
           jobs: int | None = None) -> list[ArticleResult]:
    """Create or refresh each locale's catalog from its template (msgmerge semantics).

    Catalogs whose template and content are as the last run left them are not redone;
    articles are processed in ``jobs`` worker processes.
    """
    chosen = resolve_languages(cfg, langs)
    names = template_slugs(cfg, slugs)
    cache = StepCache.open(cfg, "update", settings_of(cfg, "locales_dir", "source_language"))
    plans = []
    for slug in names:
        record = cache.get(slug)
        plans.append((slug, update_unchanged(cfg, slug, chosen, record), (slug, record)))
    results = run_step(cache, plans, partial(update_article, cfg, chosen),
                       resolve_jobs(cfg, jobs))
    cache.save(keep=names if slugs is None else None)
    return results


def update_article(cfg: Config, chosen: list[str] | None, task: tuple[str, Record | None]
                   ) -> ArticleOutcome:
    """Update one article's catalogs (those not up to date), staged, with its record."""
    slug, record = task
    path = cfg.template_file(slug)
    data = read_bytes_if_any(path, display_name(cfg, path))
    if data is None:
        raise CatalogError("no template; run 'l10n extract' first", cfg.rel(path))
    pot = parse_catalog(data, cfg.rel(path))
    source_lang = template_source_language(pot) or cfg.source_language
    same_template = bool(record) and record.get("template") == digest(data)
    known = sub_records(record, "catalogs") if same_template else {}
    catalogs = dict(known)
    outcome = ArticleOutcome([])
    try:
        for lang in target_languages(cfg, source_lang, chosen):
            path = cfg.catalog_file(lang, slug)
            old_data, old_digest, seen = read_seen(
                path, partial(read_bytes_if_any, path, display_name(cfg, path)))
            if seen:
                outcome.seen.append(seen)
            cached = _cached_catalog(cfg, slug, lang, known.get(lang), old_digest)
            if cached is not None:
                outcome.results.append(cached)
                continue
            name = display_name(cfg, path)
            old = parse_catalog(old_data, name) if old_data is not None else None
            po, counts = update_catalog(pot, old, lang)
            result = ArticleResult(slug=slug, lang=lang, path=name, counts=vars(counts).copy())
            written_digest = old_digest
            if not same_content(po, old_data, old):
                written = render_catalog(po)
                written_digest = digest(written)
                # The file must still be as read (or still absent) when it is replaced.
                outcome.stage(path, written, expect=old_digest or "absent", display=name,
                              content=written_digest)
                result.changed = True
            # Reported again when skipped: what a re-run would count (the fuzzy
            # matches made now are kept translations then).
            again = {**result.counts, "kept": counts.kept + counts.fuzzy, "fuzzy": 0}
            catalogs[lang] = {"catalog": written_digest or digest(b""), "counts": again}
            outcome.results.append(result)
    except BaseException:
        outcome.discard()
        raise
    outcome.record = {"template": digest(data), "source_lang": source_lang,
                      "catalogs": catalogs}
    return outcome


def update_unchanged(cfg: Config, slug: str, chosen: list[str] | None, record: Record | None
                     ) -> ArticleOutcome | None:
    """The outcome of an article whose template and catalogs are those of ``record``."""
    if record is None:
        return None
    source_lang = record.get("source_lang")
    if not isinstance(source_lang, str):
        return None
    if record.get("template") != hash_file(cfg.template_file(slug)):
        return None
    known = sub_records(record, "catalogs")
    results = []
    for lang in target_languages(cfg, source_lang, chosen):
        cached = _cached_catalog(cfg, slug, lang, known.get(lang),
                                 hash_file(cfg.catalog_file(lang, slug)))
        if cached is None:
            return None
        results.append(cached)
    return ArticleOutcome(results, record=record)


def _cached_catalog(cfg: Config, slug: str, lang: str, record: Record | None,
                    current: str | None) -> ArticleResult | None:
    """The result for a catalog the last run left as it is now, else None."""
    if not isinstance(record, dict) or current is None or record.get("catalog") != current:
        return None
    counts = _counts(record.get("counts"))
    if counts is None:
        return None
    return ArticleResult(slug=slug, lang=lang,
                         path=display_name(cfg, cfg.catalog_file(lang, slug)),
                         counts=counts, up_to_date=True)


def _counts(value: object) -> dict[str, int] | None:
    if isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
        return dict(value)
    return None


def display_name(cfg: Config, path: Path) -> str:
    """``cfg.rel(path)`` for a file, with its folder resolved once per run: a re-run
    names thousands of up-to-date files, and resolving each path was a tenth of it."""
    folder = _folder_name(cfg.root, path.parent)
    if folder is None:
        return cfg.rel(path)
    return path.name if folder == "." else f"{folder}/{path.name}"


@lru_cache(maxsize=1024)
def _folder_name(root: Path, folder: Path) -> str | None:
    # What `Config.rel` makes of a file's folder: resolved, relative to the root (None:
    # outside it, or not resolvable; `Config.rel` then says what it says).
    try:
        return folder.absolute().resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):
        return None


def read_source(cfg: Config, source: Path) -> bytes:
    """An article's bytes; a missing or unreadable file is an `HtmlError` naming it."""
    try:
        return source.read_bytes()
    except FileNotFoundError:
        raise HtmlError("no such file", cfg.rel(source)) from None
    except OSError as exc:
        raise HtmlError(f"cannot read: {exc.strerror or exc}", cfg.rel(source)) from None


def read_bytes_if_any(path: Path, display: str) -> bytes | None:
    """A file's bytes, or None when it does not exist; other failures name the file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise L10nError(f"cannot read: {exc.strerror or exc}", display) from None


def _digest_or_none(data: bytes | None) -> str | None:
    # The file must still be absent (or unchanged) when the batch is written.
    return digest(data) if data is not None else "absent"
