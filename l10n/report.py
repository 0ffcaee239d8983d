"""Renderers for ``l10n status`` and ``l10n check``: the computed `Status` and
`CheckResult` as JSON, markdown, plain text, GitHub annotations or JUnit XML.

Pure functions from values to strings; nothing here reads files or prints.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .checks import CheckResult, Counts, Status, Tally, Totals, VersionStatus, format_percent
from .model import Finding

# Bump when a field changes meaning or goes away; adding fields keeps the version.
SCHEMA_VERSION = 1

# ------------------------------------------------------------------- JSON


def _json_percent(value: float) -> float:
    # Truncated, like the tables: a version at 99.996 % must not read as complete.
    return math.floor(value * 100 + 1e-9) / 100


def _tally(t: Tally) -> dict[str, int]:
    return {"segments": t.segments, "words": t.words}


def _counts(c: Counts) -> dict[str, Any]:
    return {
        "segments": c.source.segments,
        "words": c.source.words,
        "translated": _tally(c.translated),
        "drafts": _tally(c.drafts),
        "untranslated": _tally(c.untranslated),
        "obsolete": c.obsolete,
        "complete": {"words": _json_percent(c.complete_words),
                     "segments": _json_percent(c.complete_segments)},
    }


def _version(v: VersionStatus) -> dict[str, Any]:
    return {
        "lang": v.lang,
        "path": v.path,
        "state": v.state,
        "error": v.error,
        **_counts(v.counts),
        "approval": {"state": v.approval, "by": v.approved_by, "date": v.approved_date},
    }


def _totals(t: Totals) -> dict[str, Any]:
    head: dict[str, Any] = {"lang": t.lang} if t.lang is not None else {}
    return {**head, "versions": t.versions, "approved": t.approved, **_counts(t.counts)}


def status_json(status: Status) -> dict[str, Any]:
    """The status as the documented JSON object (docs/status.md)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "articles": [
            {"slug": a.slug, "source_language": a.source_language, "template": a.template,
             "segments": a.segments, "words": a.words,
             "versions": [_version(v) for v in a.versions]}
            for a in status.articles
        ],
        "locales": [_totals(t) for t in status.locales],
        "total": _totals(status.total),
    }


# ----------------------------------------------------------------- tables

HEADERS = ("Article", "Locale", "Words", "Done (words)", "Done (segments)", "Segments",
           "Translated", "Drafts", "Untranslated", "Obsolete", "Approval")
NUMERIC = {2, 5, 6, 7, 8, 9}  # right-aligned columns


@dataclass
class Row:
    """One line of a status table: a version, a locale's total or the overall total."""

    article: str
    lang: str
    counts: Counts
    approval: str
    total: bool = False  # a sum, shown in bold where the format allows

    def cells(self, done_words: str | None = None) -> list[str]:
        c = self.counts
        return [self.article, self.lang, str(c.source.words),
                done_words if done_words is not None else f"{format_percent(c.complete_words)}%",
                f"{format_percent(c.complete_segments)}%", str(c.source.segments),
                str(c.translated.segments), str(c.drafts.segments),
                str(c.untranslated.segments), str(c.obsolete), self.approval]


def _approval(v: VersionStatus) -> str:
    if v.state == "missing":
        return "no catalog"
    if v.state == "invalid":
        return "invalid catalog"
    return v.approval


def _approved(t: Totals) -> str:
    return f"{t.approved}/{t.versions} approved"


def status_rows(status: Status) -> list[Row]:
    """Every version, then each locale's total, then the overall total."""
    rows = [Row(v.slug, v.lang, v.counts, _approval(v)) for v in status.versions]
    rows += [Row("all articles", t.lang or "", t.counts, _approved(t), total=True)
             for t in status.locales]
    rows.append(Row("all articles", "all locales", status.total.counts,
                    _approved(status.total), total=True))
    return rows


def bar(value: float, width: int = 10) -> str:
    """A bar of block characters: ``███████▌░░`` for 75 %."""
    eighths = math.floor(max(0.0, min(100.0, value)) / 100 * width * 8 + 1e-9)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part].strip() if part else ""
    return ("█" * full + partial).ljust(width, "░")


def status_text(status: Status) -> str:
    """A plain aligned table, for pipes and logs."""
    table = [list(HEADERS)] + [row.cells() for row in status_rows(status)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    lines = []
    for number, cells in enumerate(table):
        parts = [c.rjust(w) if i in NUMERIC or i in (3, 4) else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def status_markdown(status: Status, title: str = "Translation status") -> str:
    """A GitHub-flavoured markdown table, for pull-request comments."""
    align = ["---" if i not in NUMERIC and i not in (3, 4) else "---:"
             for i in range(len(HEADERS))]
    lines = [f"### {title}", "", "| " + " | ".join(HEADERS) + " |",
             "| " + " | ".join(align) + " |"]
    for row in status_rows(status):
        done = f"`{bar(row.counts.complete_words)}` {format_percent(row.counts.complete_words)}%"
        cells = [_md(c) for c in row.cells(done)]
        if row.total:
            cells = [f"**{c}**" if c and not c.startswith("`") else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    t = status.total
    lines += ["", f"{format_percent(t.counts.complete_words)}% of {t.counts.source.words} words"
              f" translated in {t.versions} localized versions; {_approved(t)}."]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- check


def summary_line(result: CheckResult) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    verdict = "passed" if result.passed else "failed"
    return (f"check {verdict}: {errors} error{'s' * (errors != 1)},"
            f" {warnings} warning{'s' * (warnings != 1)} in {len(result.versions)}"
            f" localized version{'s' * (len(result.versions) != 1)}")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding, path: str | None = None) -> str:
    """A GitHub Actions workflow command: ``::error file=F,line=N,title=T::message``.
    ``path`` is the file as the repository sees it (default: the finding's path)."""
    props = []
    where = path if path is not None else finding.path
    if where:
        props.append(f"file={_escape_property(where)}")
        if finding.line:
            props.append(f"line={finding.line}")
    props.append(f"title={_escape_property('l10n ' + finding.code)}")
    return f"::{finding.severity} {','.join(props)}::{_escape_data(finding.message)}"


def junit_xml(result: CheckResult, name: str = "l10n check") -> bytes:
    """A JUnit XML report: one testcase per article and locale, a failure when it has
    errors (warnings go to its system-out). Article-level findings, such as a stale
    template, count for each locale of the article; findings that belong to no
    version go to one more testcase, "workspace"."""
    cases: dict[tuple[str, str], list[Finding]] = {v: [] for v in result.versions}
    langs_of: dict[str, list[str]] = {}
    for slug, lang in result.versions:
        langs_of.setdefault(slug, []).append(lang)
    leftover: list[Finding] = []
    for f in result.findings:
        if f.slug is not None and f.lang is not None and (f.slug, f.lang) in cases:
            cases[(f.slug, f.lang)].append(f)
        elif f.slug is not None and f.lang is None and langs_of.get(f.slug):
            for lang in langs_of[f.slug]:
                cases[(f.slug, lang)].append(f)
        else:
            leftover.append(f)
    suites = ET.Element("testsuites", name=name)
    suite = ET.SubElement(suites, "testsuite", name=name)
    paths = {(v.slug, v.lang): v.path for v in result.status.versions}
    items: list[tuple[str, str, str | None, Sequence[Finding]]] = [
        (f"l10n.{slug}", f"{slug} [{lang}]", paths.get((slug, lang)), found)
        for (slug, lang), found in cases.items()]
    if leftover:
        items.append(("l10n", "workspace", None, leftover))
    failures = 0
    for classname, case_name, path, found in items:
        case = ET.SubElement(suite, "testcase", classname=classname, name=case_name)
        if path:
            case.set("file", path)
        errors = [f for f in found if f.is_error]
        if errors:
            failures += 1
            failure = ET.SubElement(case, "failure", type="l10n",
                                    message=f"{len(errors)} error{'s' * (len(errors) != 1)}:"
                                    f" {errors[0].code}: {errors[0].message}")
            failure.text = "\n".join(str(f) for f in errors)
        warnings = [f for f in found if not f.is_error]
        if warnings:
            ET.SubElement(case, "system-out").text = "\n".join(str(f) for f in warnings)
    for element in (suites, suite):
        element.set("tests", str(len(items)))
        element.set("failures", str(failures))
        element.set("errors", "0")
    suite.set("skipped", "0")
    ET.indent(suites)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"
