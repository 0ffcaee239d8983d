"""The review queue and approvals.

Everything lives in the PO files themselves, so a translator working in Poedit and
a reviewer using l10n see and change the same state:

- the review queue is every fuzzy active entry (machine or TM drafts, and entries
  whose source changed, which carry the previous source as ``#| msgid``);
- a review decision clears the fuzzy flag (approve) or empties the msgstr (reject)
  and records ``l10n-approved: NAME DATE`` / ``l10n-rejected: NAME DATE`` in the
  entry's translator comment;
- an editor's approval of a whole localized version is a stamp in the PO header
  (``X-L10n-Approved-By/-Date/-Digest``); the digest covers the template and every
  translation, so any later change makes the approval stale.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import (
    POEntry,
    POFile,
    active_entries,
    clear_fuzzy,
    comment_lines,
    entry_key,
    is_fuzzy,
    read_catalog,
    read_catalog_guarded,
    render_catalog,
    set_comment_lines,
)
from .config import Config
from .errors import ApprovalRefused, ChangedMeanwhile, L10nError, ReviewError
from .fsio import Transaction, digest
from .locale import normalize_locale
from .model import PLACEHOLDER_RE, markup_problems, placeholder_problems
from .pipeline import resolve_languages

DRAFT_LINE = "l10n-draft:"
WARNING_LINE = "l10n-warning:"
APPROVED_LINE = "l10n-approved:"
REJECTED_LINE = "l10n-rejected:"

HEADER_BY = "X-L10n-Approved-By"
HEADER_DATE = "X-L10n-Approved-Date"
HEADER_DIGEST = "X-L10n-Approved-Digest"
_STAMP = (HEADER_BY, HEADER_DATE, HEADER_DIGEST)

SOURCE_CHANGED = "source changed"
ID_LENGTH = 10
_MIN_ID_PREFIX = 4

# ENGINE, DATE and the fingerprint of the drafted text (docs/conventions.md).
_DRAFT_RE = re.compile(
    r"^l10n-draft:\s*(\S+)(?:\s+(\d{4}-\d{2}-\d{2}))?(?:\s+sha256:[0-9a-f]+)?\s*$")


# ----------------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueItem:
    """One fuzzy entry waiting for a reviewer."""

    id: str  # stable: a short hash of locale, article, context and source
    lang: str
    slug: str
    path: str  # the PO file, relative to the workspace
    line: int  # where the entry starts in the PO file
    context: str | None  # msgctxt
    note: str  # the extracted comment: element kind, what placeholders stand for
    references: tuple[str, ...]  # where the source text occurs, "file:line"
    source: str  # msgid
    draft: str  # msgstr
    provenance: str  # "pseudo", "deepl", "tm", "tm~87", "source changed", "unknown"
    engine: str | None  # from the l10n-draft line
    date: str | None  # from the l10n-draft line (ISO date)
    previous_source: str | None  # from #| msgid, when the source changed
    problems: tuple[str, ...] = ()  # placeholder problems of the draft

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.source)

    @property
    def diff(self) -> list[tuple[str, str]]:
        """Word diff from the previous source to the current one (empty if unchanged)."""
        if self.previous_source is None:
            return []
        return word_diff(self.previous_source, self.source)

    def to_json(self) -> dict[str, Any]:
        """The item as the stable JSON object of ``l10n review --format json``."""
        return {
            "id": self.id,
            "lang": self.lang,
            "slug": self.slug,
            "path": self.path,
            "line": self.line,
            "context": self.context,
            "note": self.note,
            "references": list(self.references),
            "source": self.source,
            "draft": self.draft,
            "provenance": self.provenance,
            "engine": self.engine,
            "date": self.date,
            "previous_source": self.previous_source,
            "diff": plain_diff(self.diff) if self.previous_source is not None else None,
            "problems": list(self.problems),
        }


def item_id(lang: str, slug: str, context: str | None, source: str) -> str:
    """The stable id of a queue entry: it does not change when the draft does."""
    text = "\x00".join((lang, slug, context or "", source))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_LENGTH]


def catalog_files(cfg: Config, langs: Iterable[str] | None = None,
                  slugs: Iterable[str] | None = None) -> list[tuple[str, str, Path]]:
    """(locale, article, PO path) of every catalog in the workspace, or the chosen ones."""
    chosen_langs = resolve_languages(cfg, langs)
    chosen_slugs = list(dict.fromkeys(slugs)) if slugs else None
    found: list[tuple[str, str, Path]] = []
    if cfg.locales_path.is_dir():
        for path in sorted(cfg.locales_path.glob("*/LC_MESSAGES/*.po")):
            lang, slug = path.parent.parent.name, path.stem
            if chosen_langs is not None and lang not in chosen_langs:
                continue
            if chosen_slugs is not None and slug not in chosen_slugs:
                continue
            if path.is_file():
                found.append((lang, slug, path))
    for slug in chosen_slugs or ():
        if not any(s == slug for _, s, _ in found) and not cfg.source_file(slug).exists():
            raise L10nError("no such article", cfg.rel(cfg.source_file(slug)))
    return found


def queue_items(po: POFile, lang: str, slug: str, path: str) -> list[QueueItem]:
    """The drafts of one catalog (fuzzy entries with a msgstr), in file order."""
    return [_item(e, lang, slug, path) for e in active_entries(po) if _is_draft(e)]


def _is_draft(entry: POEntry) -> bool:
    # A fuzzy flag on an empty msgstr marks nothing to review: the entry is untranslated.
    return is_fuzzy(entry) and bool(entry.msgstr)


def _item(entry: POEntry, lang: str, slug: str, path: str) -> QueueItem:
    return QueueItem(**_item_fields(entry, lang, slug, path))


def _item_fields(entry: POEntry, lang: str, slug: str, path: str) -> dict[str, Any]:
    engine = date = None
    for line in comment_lines(entry):
        m = _DRAFT_RE.match(line.strip())
        if m:
            engine, date = m.group(1), m.group(2)
    previous = entry.previous_msgid or None
    # A changed source matters more to the reviewer than who drafted the old text.
    provenance = SOURCE_CHANGED if previous is not None else engine or "unknown"
    problems = placeholder_problems(entry.msgid, entry.msgstr) if entry.msgstr else []
    context, source = entry_key(entry)
    return {
        "id": item_id(lang, slug, context, source),
        "lang": lang,
        "slug": slug,
        "path": path,
        "line": entry.linenum,
        "context": context,
        "note": entry.comment or "",
        "references": tuple(f"{f}:{n}" if n else f for f, n in entry.occurrences),
        "source": source,
        "draft": entry.msgstr,
        "provenance": provenance,
        "engine": engine,
        "date": date,
        "previous_source": previous,
        "problems": tuple(problems),
    }


def review_queue(cfg: Config, langs: Iterable[str] | None = None,
                 slugs: Iterable[str] | None = None) -> list[QueueItem]:
    """Every draft of the chosen catalogs, oldest first (undated last)."""
    items: list[QueueItem] = []
    for lang, slug, path in catalog_files(cfg, langs, slugs):
        name = cfg.rel(path)
        items += queue_items(read_catalog(path, name), lang, slug, name)
    # Stable sort: within one date, the locale, the article, then the file order.
    items.sort(key=lambda it: (it.date is None, it.date or "", it.lang, it.slug, it.line))
    return items


def select(cfg: Config, ids: Sequence[str] = (), langs: Iterable[str] | None = None,
           slugs: Iterable[str] | None = None) -> list[QueueItem]:
    """Queue items by id (a unique prefix of at least 4 characters will do), or all
    those of the chosen locales and articles."""
    queue = review_queue(cfg, langs, slugs)
    if not ids:
        return queue
    chosen: list[QueueItem] = []
    for wanted in ids:
        key = wanted.strip().lower()
        hits = [it for it in queue if it.id == key]
        if not hits and len(key) >= _MIN_ID_PREFIX:
            hits = [it for it in queue if it.id.startswith(key)]
        if not hits:
            raise ReviewError(f"no entry {wanted!r} in the review queue"
                              " (run 'l10n review' to list the queue)")
        if len(hits) > 1:
            raise ReviewError(f"entry id {wanted!r} is ambiguous; give more of it")
        if hits[0] not in chosen:
            chosen.append(hits[0])
    return chosen


# ------------------------------------------------------- every entry of a catalog

UNTRANSLATED = "untranslated"
DRAFT = "draft"
TRANSLATED = "translated"

_DECISION_RE = re.compile(r"^l10n-(approved|rejected):\s*(.*?)\s*(\d{4}-\d{2}-\d{2})?\s*$")


@dataclass(frozen=True)
class ReviewEntry(QueueItem):
    """Any active entry of a catalog, as a reviewer sees it (``draft`` holds its
    msgstr, whatever its state). Being a `QueueItem`, it can be handed to `approve`,
    `reject` and `edit`."""

    state: str = UNTRANSLATED  # "untranslated" | "draft" | "translated"
    version: str = ""  # `entry_version` of what was read: the guard for a later write
    decision: str | None = None  # "approved" | "rejected", from the l10n decision line
    decided_by: str | None = None
    decided_on: str | None = None


def entry_version(entry: POEntry) -> str:
    """A short digest of what a reviewer sees of an entry: its key, its text, whether
    it is fuzzy and the previous source. A form carries it so that a save made after
    someone else changed the entry is refused instead of overwriting their work."""
    data = json.dumps([*entry_key(entry), entry.msgstr, is_fuzzy(entry),
                       entry.previous_msgid or None], ensure_ascii=False)
    return digest(data.encode("utf-8"))[:16]


def entry_state(entry: POEntry) -> str:
    """untranslated, draft (fuzzy with a text) or translated."""
    if not entry.msgstr:
        return UNTRANSLATED
    return DRAFT if is_fuzzy(entry) else TRANSLATED


def catalog_entries(po: POFile, lang: str, slug: str, path: str) -> list[ReviewEntry]:
    """Every active entry of one catalog, in file order, with its state and version."""
    found = []
    for e in active_entries(po):
        decision = by = on = None
        for line in comment_lines(e):
            m = _DECISION_RE.match(line.strip())
            if m:
                decision, by, on = m.group(1), m.group(2) or None, m.group(3)
        found.append(ReviewEntry(**_item_fields(e, lang, slug, path), state=entry_state(e),
                                 version=entry_version(e), decision=decision, decided_by=by,
                                 decided_on=on))
    return found


def read_entries(cfg: Config, slug: str, lang: str) -> list[ReviewEntry]:
    """Every active entry of the catalog of ``slug`` in ``lang``."""
    lang = normalize_locale(lang)
    path = cfg.catalog_file(lang, slug)
    name = cfg.rel(path)
    return catalog_entries(read_catalog(path, name), lang, slug, name)


def find_entry(cfg: Config, slug: str, lang: str, entry_id: str) -> ReviewEntry:
    """One entry of a catalog by its id; `ReviewError` when there is none."""
    for found in read_entries(cfg, slug, lang):
        if found.id == entry_id:
            return found
    raise ReviewError(f"no entry {entry_id!r} (the source text may have changed;"
                      " reload the page)", cfg.rel(cfg.catalog_file(normalize_locale(lang),
                                                                      slug)))


# ------------------------------------------------------------------- word diff

_WORD_RE = re.compile(PLACEHOLDER_RE.pattern + r"|\s+|[^\s<]+|<")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) pieces, op one of "equal", "delete", "insert"; placeholders count
    as words of their own."""
    return _diff_tokens(_words(old), _words(new))


def _words(text: str) -> list[str]:
    return [m.group(0) for m in _WORD_RE.finditer(text)]


def _diff_tokens(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return pieces


def plain_diff(pieces: Sequence[tuple[str, str]]) -> str:
    """A word diff written the way ``git diff --word-diff=plain`` does: [-old-]{+new+}."""
    out = []
    for op, text in pieces:
        out.append({"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}[op].format(text))
    return "".join(out)


# -------------------------------------------------------------------- decisions


@dataclass
class Outcome:
    """What a batch of review decisions did."""

    done: list[QueueItem] = field(default_factory=list)
    refused: list[tuple[QueueItem, str]] = field(default_factory=list)


def default_reviewer(folder: Path | None = None) -> str:
    """Who is deciding: ``git config user.name``, else $USER."""
    try:
        out = subprocess.run(["git", "config", "user.name"], cwd=folder, capture_output=True,
                             text=True, timeout=10, check=False)
        name = out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def check_name(name: str) -> str:
    """A reviewer's name as it can stand in a comment line and a header field."""
    clean = " ".join(name.split())
    if not clean:
        raise ReviewError("the reviewer's name (--by) is empty")
    return clean


def _today(day: dt.date | None) -> str:
    return (day or dt.date.today()).isoformat()


def _record(entry: POEntry, verb: str, by: str, day: str, drop: tuple[str, ...] = ()) -> None:
    """Write the decision line, replacing an older decision (and the given lines)."""
    gone = (APPROVED_LINE, REJECTED_LINE, *drop)
    lines = [ln for ln in comment_lines(entry) if not ln.strip().startswith(gone)]
    lines.append(f"{verb} {by} {day}")
    set_comment_lines(entry, lines)


# A change applied to one entry: returns why it was refused, or None when done.
Change = Callable[[POEntry, QueueItem], str | None]

# The refusal when an entry is no longer the version the decision was made on.
CHANGED_SINCE_OPENED = ("changed since you opened it (someone else saved it meanwhile);"
                        " look at it again")


def _apply(cfg: Config, items: Sequence[QueueItem], change: Change,
           expect: Mapping[str, str] | None = None, drafts_only: bool = True) -> Outcome:
    """Apply a change to each item's entry; each PO file is rewritten once, and all of
    them are written together, refusing a file that changed on disk meanwhile.

    ``expect`` maps item ids to the `entry_version` the decision was made on; an
    entry that is no longer that version is refused with `CHANGED_SINCE_OPENED`.
    """
    outcome = Outcome()
    by_path: dict[str, list[QueueItem]] = {}
    for item in items:
        by_path.setdefault(item.path, []).append(item)
    with Transaction() as tx:
        for name, group in by_path.items():
            path = cfg.root / name
            po, seen = read_catalog_guarded(path, name)
            entries = {entry_key(e): e for e in active_entries(po)}
            changed = False
            for item in group:
                entry = entries.get(item.key)
                seen_version = (expect or {}).get(item.id)
                if entry is not None and seen_version is not None and (
                        entry_version(entry) != seen_version):
                    outcome.refused.append((item, CHANGED_SINCE_OPENED))
                    continue
                if entry is None and not drafts_only:
                    outcome.refused.append((item, "no longer in the catalog (its source text"
                                            " changed since it was listed)"))
                    continue
                if entry is None or (drafts_only and not _is_draft(entry)):
                    outcome.refused.append((item, "no longer in the review queue"
                                            " (the file changed since it was listed)"))
                    continue
                if seen_version is None and entry.msgstr != item.draft:
                    outcome.refused.append((item, "the draft changed in the file since it"
                                            " was listed; review it again"))
                    continue
                reason = change(entry, item)
                if reason is not None:
                    outcome.refused.append((item, reason))
                    continue
                outcome.done.append(item)
                changed = True
            if changed:
                tx.stage(path, render_catalog(po), expect=seen, display=name)
    return outcome


def _approval_problem(source: str, text: str) -> str | None:
    problems = placeholder_problems(source, text)
    if problems:
        return "placeholders do not match the source: " + "; ".join(problems)
    markup = markup_problems(source, text)
    return markup[0] if markup else None


def approve(cfg: Config, items: Sequence[QueueItem], by: str,
            day: dt.date | None = None, expect: Mapping[str, str] | None = None) -> Outcome:
    """Keep each draft as the translation: clear fuzzy and the previous source, and
    record who approved it. Drafts whose placeholders do not fit are refused, and so
    are those that are no longer the version given in ``expect`` (id -> version)."""
    name, when = check_name(by), _today(day)

    def change(entry: POEntry, item: QueueItem) -> str | None:
        problem = _approval_problem(entry.msgid, entry.msgstr)
        if problem:
            return problem
        clear_fuzzy(entry)
        _record(entry, APPROVED_LINE, name, when)
        return None

    return _apply(cfg, items, change, expect)


def reject(cfg: Config, items: Sequence[QueueItem], by: str,
           day: dt.date | None = None, expect: Mapping[str, str] | None = None) -> Outcome:
    """Throw each draft away: the entry is untranslated again, with the decision
    recorded. The draft's provenance lines go with the text they described.
    ``expect`` as for `approve`."""
    name, when = check_name(by), _today(day)

    def change(entry: POEntry, item: QueueItem) -> str | None:
        entry.msgstr = ""
        clear_fuzzy(entry)
        _record(entry, REJECTED_LINE, name, when, drop=(DRAFT_LINE, WARNING_LINE))
        return None

    return _apply(cfg, items, change, expect)


def edit(cfg: Config, item: QueueItem, text: str, by: str, day: dt.date | None = None,
         expect: str | None = None) -> None:
    """A reviewer's own wording replaces the draft and is approved at once.

    Without ``expect``, only the draft the item was listed with can be edited. With
    ``expect`` (the `entry_version` the reviewer saw), any active entry can be:
    untranslated, draft or translated, as long as it is still that version.

    Raises `ReviewError` (and changes nothing) when the text is empty, its
    placeholders do not fit the source, or the entry changed meanwhile.
    """
    name, when = check_name(by), _today(day)
    problem = _approval_problem(item.source, text) if text else "the new text is empty"
    if problem:
        raise ReviewError(problem, item.path, item.line)

    def change(entry: POEntry, _item: QueueItem) -> str | None:
        entry.msgstr = text
        clear_fuzzy(entry)
        _record(entry, APPROVED_LINE, name, when)
        return None

    versions = {item.id: expect} if expect is not None else None
    outcome = _apply(cfg, [item], change, versions, drafts_only=expect is None)
    if outcome.refused:
        reason = outcome.refused[0][1]
        error = ChangedMeanwhile if reason == CHANGED_SINCE_OPENED else ReviewError
        raise error(reason, item.path, item.line)


# -------------------------------------------------------- approval of a version


@dataclass
class ApprovalState:
    """Whether a localized version is approved for publication."""

    state: str  # "approved" | "stale" | "none"
    by: str | None = None
    date: str | None = None
    reasons: list[str] = field(default_factory=list)  # why it is not (or no longer) approved
    path: str | None = None  # the PO file

    @property
    def approved(self) -> bool:
        return self.state == "approved"


def version_digest(template: POFile, po: POFile) -> str:
    """``sha256:HEX`` over the template's (msgctxt, msgid) and every active entry's
    (msgctxt, msgid, msgstr, fuzzy), in file order. Wrapping, comments and header
    dates do not count, so a PO editor's re-save keeps an approval valid."""
    # entry_key, active_entries and is_fuzzy spelt out: calls per entry were half
    # of the digest.
    payload = {
        "template": [[t.msgctxt or None, t.msgid] for t in template
                     if t.msgid and not t.obsolete],
        "catalog": [[e.msgctxt or None, e.msgid, e.msgstr, "fuzzy" in e.flags] for e in po
                    if e.msgid and not e.obsolete],
    }
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + digest(data.encode("utf-8"))


def completeness_problems(template: POFile, po: POFile) -> list[str]:
    """Why a catalog is not ready to publish; empty when it is."""
    reasons: list[str] = []
    template_keys = [(t.msgctxt or None, t.msgid) for t in template
                     if t.msgid and not t.obsolete]
    entries = [e for e in po if e.msgid and not e.obsolete]
    keys = {(e.msgctxt or None, e.msgid) for e in entries}
    missing = [k for k in template_keys if k not in keys]
    extra = keys - set(template_keys)
    if missing or extra:
        reasons.append(f"the catalog is out of date with its template ({len(missing)} new,"
                       f" {len(extra)} gone); run 'l10n update'")
    untranslated = [e.linenum for e in entries if not e.msgstr]
    fuzzy = [e.linenum for e in entries if e.msgstr and is_fuzzy(e)]
    if untranslated:
        reasons.append(f"{_count(len(untranslated), 'untranslated entry')}"
                       f" ({_lines(untranslated)})")
    if fuzzy:
        reasons.append(f"{_count(len(fuzzy), 'fuzzy entry')} waiting for review"
                       f" ({_lines(fuzzy)}; see 'l10n review')")
    for e in entries:
        text = e.msgstr
        if not text:
            continue
        # Placeholders are tags, markup is tags or character references: a text pair
        # holding neither "<" nor "&" has no problem of either kind (most do not, and
        # the checks were two thirds of this function).
        source = e.msgid
        problems = placeholder_problems(source, text) if (
            "<" in text or "<" in source) else []
        if "<" in text or "&" in text:
            problems = problems + markup_problems(source, text)
        for problem in problems:
            reasons.append(f"line {e.linenum}: {problem}")
    return reasons


def _count(n: int, what: str) -> str:
    if n == 1:
        return f"1 {what}"
    return f"{n} {what[:-1] + 'ies' if what.endswith('y') else what + 's'}"


def _lines(numbers: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = f", and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def read_template_if_any(cfg: Config, slug: str) -> POFile | None:
    """The article's template, or None when it has none yet."""
    path = cfg.template_file(slug)
    if not path.exists():
        return None
    return read_catalog(path, cfg.rel(path))


def state_of(template: POFile | None, po: POFile, path: str | None = None) -> ApprovalState:
    """The approval state of a catalog against its template (None: no template)."""
    meta = po.metadata
    by, date, stamp = (meta.get(k) or None for k in _STAMP)
    if by is None and date is None and stamp is None:
        return ApprovalState("none", reasons=["not approved"], path=path)
    if template is None:
        return ApprovalState("stale", by, date, ["no template to check the approval"
                                                 " against; run 'l10n extract'"], path)
    problems = completeness_problems(template, po)
    if stamp != version_digest(template, po) or problems:
        when = f" on {date}" if date else ""
        reasons = [f"approved by {by or 'unknown'}{when}, but the source article or a"
                   " translation changed since"]
        return ApprovalState("stale", by, date, reasons + problems, path)
    return ApprovalState("approved", by, date, [], path)


def approval_state(cfg: Config, slug: str, lang: str) -> ApprovalState:
    """Whether the localized version ``lang`` of ``slug`` is approved, stale or not."""
    lang = normalize_locale(lang)
    path = cfg.catalog_file(lang, slug)
    name = cfg.rel(path)
    return state_of(read_template_if_any(cfg, slug), read_catalog(path, name), name)


def _stamp_time(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now(dt.UTC).astimezone()).replace(microsecond=0).isoformat()


def approve_version(cfg: Config, slug: str, lang: str, by: str,
                    now: dt.datetime | None = None, expect: str | None = None) -> ApprovalState:
    """Stamp a complete localized version as approved for publication.

    Raises `ApprovalRefused` with the reasons when anything is untranslated, fuzzy
    or has broken placeholders. Approving an approved version again renews the stamp
    with the new name and time. With ``expect`` (the `version_digest` the editor
    reviewed), a version that changed since is refused with `ReviewError`.
    """
    name, lang = check_name(by), normalize_locale(lang)
    path = cfg.catalog_file(lang, slug)
    display = cfg.rel(path)
    po, seen = read_catalog_guarded(path, display)
    template = read_template_if_any(cfg, slug)
    if template is None:
        raise ReviewError("no template; run 'l10n extract' first",
                          cfg.rel(cfg.template_file(slug)))
    if expect is not None and version_digest(template, po) != expect:
        raise ChangedMeanwhile("the translation " + CHANGED_SINCE_OPENED, display)
    problems = completeness_problems(template, po)
    if problems:
        raise ApprovalRefused("cannot approve: the translation is not ready", problems,
                              display)
    po.metadata[HEADER_BY] = name
    po.metadata[HEADER_DATE] = _stamp_time(now)
    po.metadata[HEADER_DIGEST] = version_digest(template, po)
    with Transaction() as tx:
        tx.stage(path, render_catalog(po), expect=seen, display=display)
    return state_of(template, po, display)


def unapprove(cfg: Config, slug: str, lang: str) -> bool:
    """Remove the approval stamp; False when there was none."""
    lang = normalize_locale(lang)
    path = cfg.catalog_file(lang, slug)
    display = cfg.rel(path)
    po, seen = read_catalog_guarded(path, display)
    if not any(k in po.metadata for k in _STAMP):
        return False
    for key in _STAMP:
        po.metadata.pop(key, None)
    with Transaction() as tx:
        tx.stage(path, render_catalog(po), expect=seen, display=display)
    return True
