"""A small workspace with known figures for the status and check tests, and the
edits a translator makes to its PO files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import polib
from workspace_kit import article, catalog_path, make_workspace, run

# bike-lanes: 3 segments, 16 words (the title is both <title> and <h1>: one entry).
BIKE = article("Council backs bike lanes",
               "The council voted <em>27 to 14</em> on Thursday.",
               "Work starts in spring.")
# budget: 2 segments, 9 words.
BUDGET = article("City budget approved", "The budget grows by 2 percent.")

GERMAN = {
    "Council backs bike lanes": "Stadtrat billigt Radwege",
    "The council voted <em1>27 to 14</em1> on Thursday.":
        "Der Rat stimmte am Donnerstag mit <em1>27 zu 14</em1>.",
    "Work starts in spring.": "Die Arbeiten beginnen im Frühjahr.",
    "City budget approved": "Stadthaushalt beschlossen",
    "The budget grows by 2 percent.": "Der Haushalt wächst um 2 Prozent.",
}


def make_known(root: Path, languages: tuple[str, ...] = ("de", "fr"), extra: str = "") -> Path:
    """Two English articles, extracted and updated for the given locales."""
    return make_workspace(root, {"bike-lanes": BIKE, "budget": BUDGET}, languages=languages,
                          extra=extra)


def set_entries(ws: Path, lang: str, slug: str, texts: Mapping[str, str],
                fuzzy: bool = False) -> None:
    """Give the named entries (by msgid) a translation, done or as a fuzzy draft."""
    path = catalog_path(ws, lang, slug)
    po = polib.pofile(str(path))
    for e in po:
        if e.obsolete or e.msgid not in texts:
            continue
        e.msgstr = texts[e.msgid]
        if fuzzy and "fuzzy" not in e.flags:
            e.flags.append("fuzzy")
        if not fuzzy and "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
    po.save()


def translate_all(ws: Path, lang: str = "de", texts: Mapping[str, str] = GERMAN) -> None:
    for slug in ("bike-lanes", "budget"):
        set_entries(ws, lang, slug, texts)


def line_of(ws: Path, lang: str, slug: str, msgid: str) -> int:
    """The line where the entry of ``msgid`` starts in the catalog."""
    po = polib.pofile(str(catalog_path(ws, lang, slug)))
    found = [e for e in po if not e.obsolete and e.msgid == msgid]
    assert len(found) == 1, msgid
    return found[0].linenum


def status_json(ws: Path, *args: str) -> dict:
    result = run(ws, "status", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
