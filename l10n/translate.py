"""Machine drafts for the gaps in a workspace's catalogs.

Every active entry with an empty msgstr gets a draft, marked fuzzy (which queues it for
review) and stamped with its provenance (docs/conventions.md):

- ``l10n-draft: tm DATE``: an approved translation of the identical segment (same
  msgctxt and msgid) from any catalog of the same locale; no engine request;
- ``l10n-draft: tm~SCORE DATE``: a similar approved segment (rapidfuzz ratio of at least
  ``tm_min_score``) whose translation has exactly the placeholders of the new source;
- ``l10n-draft: ENGINE DATE``: a machine translation. Identical segments are sent once.

Each draft line ends with the fingerprint of the drafted text (``sha256:`` and 12 hex
digits). A non-empty msgstr is never overwritten, and an entry left empty by a reviewer's
rejection (``l10n-rejected:`` line) is not drafted again. With ``redo_drafts`` an
earlier draft may be replaced when nobody has touched it: it is still fuzzy, still carries its
``l10n-draft:`` line, has no ``l10n-approved:``/``l10n-rejected:`` line, and its msgstr
still has the fingerprint of the line (a translator's edit that left the entry fuzzy
is kept).

Catalogs are saved after every batch, atomically; a catalog changed on disk meanwhile
is re-read and the batch re-applied to what is there now, so an interrupt loses at most
one batch and a re-run resumes where the last one stopped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from .catalog import (
    WRAP,
    POEntry,
    POFile,
    active_entries,
    now_stamp,
    parse_catalog,
    render_catalog,
)
from .config import Config
from .engines import (
    ENGINE_NAMES,
    Engine,
    EngineError,
    Protected,
    TextFailure,
    clean_output,
    get_engine,
    output_problem,
    protect_placeholders,
    restore_placeholders,
)
from .errors import CatalogError, ConfigError, L10nError
from .fsio import atomic_write, digest, file_digest
from .locale import LocaleError, normalize_locale, same_language
from .model import Notice, placeholder_problems
from .pipeline import read_template, resolve_languages, template_slugs

DRAFT_MARK = "l10n-draft:"
WARNING_MARK = "l10n-warning:"
REJECTED_MARK = "l10n-rejected:"
REVIEW_MARKS = ("l10n-approved:", REJECTED_MARK)
COMMENT_WIDTH = WRAP - 2  # "# " + the line must fit the wrap width
SAVE_ATTEMPTS = 3  # re-reads of a catalog that keeps changing on disk before giving up

Key = tuple[str | None, str]


@dataclass
class TranslateSummary:
    """What `translate` did. Draft counts are of drafts actually saved."""

    engine: str
    by_engine: int = 0
    by_tm: int = 0
    by_tm_fuzzy: int = 0
    kept: int = 0  # entries already translated (or drafted), left alone
    skipped: int = 0  # empty entries left for later because of the limit
    rejected: int = 0  # empty after a reviewer rejected their draft: left for a person
    failed: int = 0  # entries the engine could not translate; still empty
    placeholder_warnings: int = 0  # drafts saved with an l10n-warning line
    requests: int = 0  # calls to the engine, retries included
    errors: int = 0  # failed engine calls, retried or not
    files: list[str] = field(default_factory=list)  # catalogs written
    notices: list[Notice] = field(default_factory=list)

    @property
    def drafted(self) -> int:
        return self.by_engine + self.by_tm + self.by_tm_fuzzy


@dataclass
class TranslateProgress:
    """Sent to the progress callback after every batch."""

    total: int  # entries to draft in this run
    done: int  # entries drafted or failed so far
    requests: int
    errors: int


@dataclass(frozen=True)
class Draft:
    msgstr: str
    origin: str  # what the provenance line names: "libre", "tm", "tm~87"
    kind: str  # "engine", "tm", "tm_fuzzy"
    warning: str | None = None  # placeholder problems, when there are any


# --------------------------------------------------------------- entry states


def _lines(entry: POEntry) -> list[str]:
    return [line for line in (entry.tcomment or "").split("\n") if line]


def draft_fingerprint(msgstr: str) -> str:
    """What the draft line records of the text l10n wrote: ``sha256:`` and 12 hex
    digits. Any edit of the msgstr makes it differ."""
    return "sha256:" + digest(msgstr.encode("utf-8"))[:12]


def is_untouched_draft(entry: POEntry) -> bool:
    """A draft l10n wrote that nobody has reviewed, approved or edited since."""
    lines = _lines(entry)
    drafts = [line for line in lines if line.startswith(DRAFT_MARK)]
    if not (entry.msgstr and "fuzzy" in entry.flags and drafts):
        return False
    if any(line.startswith(REVIEW_MARKS) for line in lines):
        return False
    # The fingerprint of the drafted text tells an edit in a PO editor (which may
    # leave the entry fuzzy and the comments as they were) from the draft itself.
    # Draft lines written before fingerprints existed carry none: taken as untouched.
    marks = [w for w in drafts[-1].split()[1:] if w.startswith("sha256:")]
    return not marks or marks[-1] == draft_fingerprint(entry.msgstr)


def needs_draft(entry: POEntry, redo_drafts: bool = False) -> bool:
    """Whether `translate` may fill this entry: never when it holds human work."""
    if entry.obsolete or not entry.msgid or entry.msgid_plural:
        return False
    if not entry.msgstr:
        return not was_rejected(entry)
    return redo_drafts and is_untouched_draft(entry)


def was_rejected(entry: POEntry) -> bool:
    """An empty entry whose draft a reviewer threw away: it waits for a translator.
    Drafting it again would only put the same rejected text back into the queue."""
    return not entry.msgstr and any(line.startswith(REJECTED_MARK) for line in _lines(entry))


def apply_draft(entry: POEntry, draft: Draft, date: str) -> None:
    """Put a draft into an entry: msgstr, fuzzy, and the provenance line(s)."""
    entry.msgstr = draft.msgstr
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
    # The draft is for the current source: an older source shown as previous msgid
    # (from a changed article) no longer applies.
    entry.previous_msgid = None
    entry.previous_msgctxt = None
    lines = [line for line in _lines(entry)
             if not line.startswith((DRAFT_MARK, WARNING_MARK))]
    lines.append(f"{DRAFT_MARK} {draft.origin} {date} {draft_fingerprint(draft.msgstr)}")
    if draft.warning:
        lines.append(_fit(f"{WARNING_MARK} placeholders do not match: {draft.warning}"))
    entry.tcomment = "\n".join(lines)


def _fit(line: str) -> str:
    """A comment line short enough that the PO writer never wraps it into two."""
    return line if len(line) <= COMMENT_WIDTH else line[: COMMENT_WIDTH - 1] + "…"


# ------------------------------------------------------------------- catalogs


class _Catalog:
    """One PO file being worked on, with what is known of it on disk."""

    def __init__(self, cfg: Config, lang: str, slug: str, path: Path, data: bytes):
        self.lang = lang
        self.slug = slug
        self.path = path
        self.display = cfg.rel(path)
        self.fallback_source = cfg.source_language
        self.unsaved: dict[Key, Draft] = {}
        self._load(data)

    def _load(self, data: bytes) -> None:
        self.po: POFile = parse_catalog(data, self.display)
        self.digest = digest(data)
        self.index: dict[Key, POEntry] = {(e.msgctxt or None, e.msgid): e
                                          for e in active_entries(self.po)}

    @property
    def source_lang(self) -> str:
        declared = self.po.metadata.get("X-Source-Language", "")
        try:
            return normalize_locale(declared) if declared else self.fallback_source
        except LocaleError:
            return self.fallback_source

    def reload(self) -> None:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise CatalogError(f"cannot read: {exc.strerror or exc}", self.display) from None
        self._load(data)


def _read(path: Path, display: str) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror or exc}", display) from None


def _load_catalogs(cfg: Config, langs: list[str] | None, slugs: Iterable[str] | None,
                   notices: list[Notice]) -> list[_Catalog]:
    chosen = langs if langs is not None else cfg.languages
    catalogs: list[_Catalog] = []
    for slug in template_slugs(cfg, slugs):
        template_lang: str | None = None
        for lang in chosen:
            path = cfg.catalog_file(lang, slug)
            data = _read(path, cfg.rel(path))
            if data is not None:
                catalogs.append(_Catalog(cfg, lang, slug, path, data))
                continue
            if template_lang is None:
                pot = read_template(cfg, slug)
                template_lang = pot.metadata.get("X-Source-Language") or cfg.source_language
            if not same_language(lang, template_lang):
                notices.append(Notice("no catalog; run 'l10n update'", cfg.rel(path)))
    return catalogs


# ---------------------------------------------------------- translation memory


class TranslationMemory:
    """Approved translations (non-fuzzy, non-empty msgstr) of one locale."""

    def __init__(self, min_score: float):
        self.min_score = min_score
        self._variants: dict[Key, Counter[str]] = {}
        self._exact: dict[Key, str] | None = None
        self._sources: list[str] = []
        self._targets: list[str] = []

    def add(self, po: POFile) -> None:
        # Obsolete entries count (a POFile iterates over them too): they hold approved
        # work for a segment that may return.
        for entry in po:
            if (not entry.msgid or not entry.msgstr or entry.msgid_plural
                    or "fuzzy" in entry.flags):
                continue
            key = (entry.msgctxt or None, entry.msgid)
            self._variants.setdefault(key, Counter())[entry.msgstr] += 1
        self._exact = None

    def _build(self) -> dict[Key, str]:
        if self._exact is None:
            # The most frequent translation wins; ties go to the first one read.
            self._exact = {k: c.most_common(1)[0][0] for k, c in self._variants.items()}
            by_source: dict[str, str] = {}
            for (_, msgid), msgstr in self._exact.items():
                by_source.setdefault(msgid, msgstr)
            self._sources = list(by_source)
            self._targets = list(by_source.values())
        return self._exact

    def exact(self, key: Key) -> str | None:
        return self._build().get(key)

    def similar(self, msgid: str) -> tuple[str, int] | None:
        """The best approved translation of a similar source whose placeholders fit
        ``msgid``, with its similarity score (0-100)."""
        self._build()
        if not self._sources:
            return None
        found = process.extract(msgid, self._sources, scorer=fuzz.ratio,
                                score_cutoff=self.min_score, limit=10)
        for source, score, index in found:
            translation = self._targets[index]
            if placeholder_problems(msgid, translation):
                continue
            shown = round(score)
            if shown >= 100 and source != msgid:
                shown = 99
            return translation, shown
        return None


def _memories(cfg: Config, catalogs: list[_Catalog], notices: list[Notice]
              ) -> dict[str, TranslationMemory]:
    memories: dict[str, TranslationMemory] = {}
    loaded = {c.path.resolve(): c for c in catalogs}
    for lang in sorted({c.lang for c in catalogs}):
        memory = TranslationMemory(cfg.tm_min_score)
        folder = cfg.locales_path / lang / "LC_MESSAGES"
        for path in sorted(folder.glob("*.po")):
            known = loaded.get(path.resolve())
            if known is not None:
                memory.add(known.po)
                continue
            try:
                data = _read(path, cfg.rel(path))
                if data is not None:
                    memory.add(parse_catalog(data, cfg.rel(path)))
            except CatalogError as exc:
                # Another article's broken catalog must not block this one.
                notices.append(Notice(f"not used as translation memory: {exc.message}",
                                      exc.path, exc.line))
        memories[lang] = memory
    return memories


# ------------------------------------------------------------------ the step


def translate(cfg: Config, langs: Iterable[str] | None = None,
              slugs: Iterable[str] | None = None, engine: str | None = None,
              limit: int | None = None, redo_drafts: bool = False,
              progress: Callable[[TranslateProgress], None] | None = None,
              today: dt.date | None = None) -> TranslateSummary:
    """Fill empty entries of ``locales/<lang>/LC_MESSAGES/<slug>.po`` with fuzzy drafts.

    Raises `ConfigError` (unknown engine, missing key, unsupported language pair) before
    any file is written or any text is sent, and `EngineError` when the engine fails for
    good midway; the summary of what was saved until then is its ``summary`` attribute.
    """
    name = engine or cfg.engine
    if name not in ENGINE_NAMES:
        raise ConfigError(f"unknown engine {name!r} (known: {', '.join(ENGINE_NAMES)})",
                          cfg.rel(cfg.config_file) if cfg.config_file else None)
    if limit is not None and limit < 0:
        raise ConfigError("the limit must not be negative")
    date = (today or dt.date.today()).isoformat()
    summary = TranslateSummary(engine=name)
    catalogs = _load_catalogs(cfg, resolve_languages(cfg, langs), slugs, summary.notices)
    work = _work(catalogs, redo_drafts, limit, summary)
    memories = _memories(cfg, catalogs, summary.notices) if work else {}
    from_memory, pending = _consult_memory(work, memories)

    # The engine is checked for every pair before anything is sent or written.
    eng: Engine | None = None
    if pending:
        eng = get_engine(name, cfg)
        eng.check_pairs(list(pending))

    state = _Run(summary, date, redo_drafts, len(work), progress, eng)
    for cat, key, draft in from_memory:
        state.apply(cat, key, draft)
    state.save()
    if eng is None:
        return summary
    try:
        for (source, target), texts in pending.items():
            sources = list(texts)
            for start in range(0, len(sources), eng.batch_size):
                chunk = sources[start : start + eng.batch_size]
                protected = [protect_placeholders(msgid) for msgid in chunk]
                answers = eng.translate_batch([p.text for p in protected], source, target)
                if len(answers) != len(chunk):
                    raise EngineError(f"{eng.name}: {len(answers)} answers for {len(chunk)}"
                                      " texts; nothing of this batch was used")
                for msgid, prot, answer in zip(chunk, protected, answers, strict=True):
                    state.take_answer(msgid, prot, answer, texts[msgid])
                state.save()
    except EngineError as exc:
        state.count_engine()
        exc.summary = summary
        raise
    state.count_engine()
    return summary


def _work(catalogs: list[_Catalog], redo_drafts: bool, limit: int | None,
          summary: TranslateSummary) -> list[tuple[_Catalog, Key]]:
    """The entries to draft, in catalog order; the limit cuts the rest."""
    work: list[tuple[_Catalog, Key]] = []
    for cat in catalogs:
        for key, entry in cat.index.items():
            if needs_draft(entry, redo_drafts):
                work.append((cat, key))
            elif was_rejected(entry):
                summary.rejected += 1
            elif not entry.msgid_plural:
                summary.kept += 1
    if limit is not None and len(work) > limit:
        summary.skipped = len(work) - limit
        work = work[:limit]
    return work


Pending = dict[tuple[str, str], dict[str, list[tuple[_Catalog, Key]]]]


def _consult_memory(work: list[tuple[_Catalog, Key]], memories: dict[str, TranslationMemory]
                    ) -> tuple[list[tuple[_Catalog, Key, Draft]], Pending]:
    """Drafts the translation memory can give; the rest grouped for the engine by
    language pair and distinct source text, so each text is sent once."""
    from_memory: list[tuple[_Catalog, Key, Draft]] = []
    pending: Pending = {}
    for cat, key in work:
        memory = memories[cat.lang]
        found = memory.exact(key)
        if found is not None:
            from_memory.append((cat, key, Draft(found, "tm", "tm")))
            continue
        similar = memory.similar(key[1])
        if similar is not None:
            from_memory.append((cat, key, Draft(similar[0], f"tm~{similar[1]}", "tm_fuzzy")))
            continue
        pair = (cat.source_lang, cat.lang)
        pending.setdefault(pair, {}).setdefault(key[1], []).append((cat, key))
    return from_memory, pending


class _Run:
    """The mutable part of one `translate` call: drafts applied, saves, counters."""

    def __init__(self, summary: TranslateSummary, date: str, redo_drafts: bool, total: int,
                 progress: Callable[[TranslateProgress], None] | None, eng: Engine | None):
        self.summary = summary
        self.date = date
        self.redo_drafts = redo_drafts
        self.total = total
        self.done = 0
        self.progress = progress
        self.eng = eng
        self.dirty: dict[Path, _Catalog] = {}

    def count_engine(self) -> None:
        if self.eng is not None:
            self.summary.requests = self.eng.requests
            self.summary.errors = self.eng.errors

    def apply(self, cat: _Catalog, key: Key, draft: Draft) -> None:
        self.done += 1
        entry = cat.index.get(key)
        if entry is None or not needs_draft(entry, self.redo_drafts):
            return
        apply_draft(entry, draft, self.date)
        cat.unsaved[key] = draft
        self.dirty[cat.path] = cat

    def take_answer(self, msgid: str, protected: Protected, answer: str | TextFailure,
                    waiting: list[tuple[_Catalog, Key]]) -> None:
        assert self.eng is not None
        reason: str | None = None
        if isinstance(answer, TextFailure):
            reason = answer.reason
        else:
            text = clean_output(answer, protected.text)
            reason = output_problem(text, protected.text)
            if reason is None:
                msgstr = restore_placeholders(protected, text)
                problems = placeholder_problems(msgid, msgstr)
                draft = Draft(msgstr, self.eng.name, "engine", "; ".join(problems) or None)
                for cat, key in waiting:
                    self.apply(cat, key, draft)
                return
        for cat, key in waiting:
            self.done += 1
            self.summary.failed += 1
            entry = cat.index.get(key)
            self.summary.notices.append(Notice(
                f"{self.eng.name}: no draft ({reason}); left empty", cat.display,
                entry.linenum if entry is not None else None))

    def save(self) -> None:
        for cat in self.dirty.values():
            self._save(cat)
        self.dirty.clear()
        self.count_engine()
        if self.progress is not None:
            self.progress(TranslateProgress(self.total, self.done, self.summary.requests,
                                            self.summary.errors))

    def _save(self, cat: _Catalog) -> None:
        for _ in range(SAVE_ATTEMPTS):
            if file_digest(cat.path) != cat.digest:
                self._reapply(cat)
                if not cat.unsaved:
                    return
            cat.po.metadata["PO-Revision-Date"] = now_stamp()
            data = render_catalog(cat.po)
            try:
                atomic_write(cat.path, data, expect=cat.digest, display=cat.display)
            except L10nError:
                if file_digest(cat.path) != cat.digest:
                    continue  # changed between our check and the rename: once more
                raise
            cat.digest = digest(data)
            self._count_saved(cat)
            return
        raise L10nError("keeps changing on disk while l10n saves drafts into it; not"
                        " overwritten (run the command again)", cat.display)

    def _reapply(self, cat: _Catalog) -> None:
        """The file was changed by someone else: take it as it is now and put this
        batch's drafts only where they are still wanted."""
        drafts = cat.unsaved
        cat.reload()
        cat.unsaved = {}
        for key, draft in drafts.items():
            entry = cat.index.get(key)
            if entry is not None and needs_draft(entry, self.redo_drafts):
                apply_draft(entry, draft, self.date)
                cat.unsaved[key] = draft
        self.summary.notices.append(Notice(
            "changed on disk meanwhile; re-read, drafts applied to the new content",
            cat.display))

    def _count_saved(self, cat: _Catalog) -> None:
        for key, draft in cat.unsaved.items():
            if draft.kind == "engine":
                self.summary.by_engine += 1
            elif draft.kind == "tm":
                self.summary.by_tm += 1
            else:
                self.summary.by_tm_fuzzy += 1
            if draft.warning:
                self.summary.placeholder_warnings += 1
                entry = cat.index.get(key)
                self.summary.notices.append(Notice(
                    f"placeholders do not match the source ({draft.warning}); saved as a"
                    " draft with a warning", cat.display,
                    entry.linenum if entry is not None else None))
        cat.unsaved = {}
        if cat.display not in self.summary.files:
            self.summary.files.append(cat.display)
