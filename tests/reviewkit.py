"""A small real workspace for the review and approval tests, and the edits a
translator (or a machine-draft run) makes to its PO files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
from click.testing import CliRunner, Result

from l10n.cli import main

ARTICLE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Council backs new bike lanes</title></head>
<body>
<article>
<h1>Council backs new bike lanes</h1>
<p>The council voted on <a href="https://example.org/plan">the new plan</a> yesterday evening.</p>
<p>Work starts in <em>early spring</em>, the mayor said.</p>
<p>Residents can comment until the end of the month.</p>
</article>
</body>
</html>
"""

# German drafts for every segment of ARTICLE, by source text.
GERMAN = {
    "Council backs new bike lanes": "Stadtrat billigt neue Radwege",
    "The council voted on <a1>the new plan</a1> yesterday evening.":
        "Der Rat stimmte gestern Abend über <a1>den neuen Plan</a1> ab.",
    "Work starts in <em1>early spring</em1>, the mayor said.":
        "Die Arbeiten beginnen im <em1>Frühjahr</em1>, sagte die Bürgermeisterin.",
    "Residents can comment until the end of the month.":
        "Anwohner können bis Monatsende Stellung nehmen.",
}


def cli(ws: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["-C", str(ws), *args], input=input)


def make_workspace(root: Path, languages: str = "de,fr") -> Path:
    """init, one article, extract, update: all through the CLI."""
    ws = root / "ws"
    assert cli(root, "init", str(ws), "--languages", languages).exit_code == 0
    (ws / "source" / "bike-lanes.html").write_text(ARTICLE, encoding="utf-8")
    for step in ("extract", "update"):
        result = cli(ws, step)
        assert result.exit_code == 0, result.output
    return ws


def po_path(ws: Path, lang: str = "de", slug: str = "bike-lanes") -> Path:
    return ws / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"


def entry(po: polib.POFile, source_start: str) -> polib.POEntry:
    found = [e for e in po if not e.obsolete and e.msgid.startswith(source_start)]
    assert len(found) == 1, source_start
    return found[0]


def draft(ws: Path, lang: str = "de", engine: str = "pseudo", date: str | None = "2026-01-10",
          texts: dict[str, str] | None = None, only: tuple[str, ...] = ()) -> None:
    """What a machine-draft run leaves: fuzzy entries with an ``l10n-draft`` line."""
    path = po_path(ws, lang)
    po = polib.pofile(str(path))
    for e in po:
        if e.obsolete or e.msgstr or (only and not e.msgid.startswith(only)):
            continue
        e.msgstr = (texts or GERMAN).get(e.msgid, f"[{lang}] {e.msgid}")
        e.flags.append("fuzzy")
        e.tcomment = f"l10n-draft: {engine} {date}" if date else ""
    po.save()


def translate_all(ws: Path, lang: str = "de") -> None:
    """A translator fills every entry and marks it done."""
    path = po_path(ws, lang)
    po = polib.pofile(str(path))
    for e in po:
        if e.obsolete:
            continue
        e.msgstr = e.msgstr or GERMAN.get(e.msgid, f"[{lang}] {e.msgid}")
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
        e.previous_msgid = None
    po.save()


def msgfmt_ok(path: Path) -> bool:
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return True
