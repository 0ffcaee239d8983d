"""``l10n status``: exact figures on a small known workspace, the table, markdown and
JSON renderings, and the JSON schema documented in docs/status.md."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from checkkit import BIKE, GERMAN, make_known, set_entries, status_json, translate_all
from conftest import REPO
from workspace_kit import catalog_path, run

from l10n.checks import compute_status, format_percent
from l10n.config import load_config


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    """de: bike-lanes 2 segments done + 1 draft, budget untouched; fr: nothing."""
    root = make_known(tmp_path / "ws")
    set_entries(root, "de", "bike-lanes", {k: GERMAN[k] for k in list(GERMAN)[:2]})
    set_entries(root, "de", "bike-lanes", {"Work starts in spring.": "Im Frühjahr."},
                fuzzy=True)
    return root


def version(data: dict, slug: str, lang: str) -> dict:
    article = next(a for a in data["articles"] if a["slug"] == slug)
    return next(v for v in article["versions"] if v["lang"] == lang)


def test_exact_figures_per_version(ws: Path) -> None:
    data = status_json(ws)
    assert data["schema_version"] == 1
    bike = next(a for a in data["articles"] if a["slug"] == "bike-lanes")
    assert (bike["segments"], bike["words"], bike["source_language"]) == (3, 16, "en")
    assert bike["template"] == "locales/templates/bike-lanes.pot"
    de = version(data, "bike-lanes", "de")
    assert de["path"] == "locales/de/LC_MESSAGES/bike-lanes.po"
    assert (de["state"], de["error"]) == ("ok", None)
    assert (de["segments"], de["words"]) == (3, 16)
    assert de["translated"] == {"segments": 2, "words": 12}
    assert de["drafts"] == {"segments": 1, "words": 4}
    assert de["untranslated"] == {"segments": 0, "words": 0}
    assert de["obsolete"] == 0
    assert de["complete"] == {"words": 75.0, "segments": 66.66}  # 2/3, truncated
    assert de["approval"] == {"state": "none", "by": None, "date": None}
    fr = version(data, "budget", "fr")
    assert fr["untranslated"] == {"segments": 2, "words": 9}
    assert fr["complete"] == {"words": 0.0, "segments": 0.0}


def test_totals_per_locale_and_overall(ws: Path) -> None:
    data = status_json(ws)
    de = next(t for t in data["locales"] if t["lang"] == "de")
    assert (de["versions"], de["approved"], de["segments"], de["words"]) == (2, 0, 5, 25)
    assert de["translated"] == {"segments": 2, "words": 12}
    assert de["complete"] == {"words": 48.0, "segments": 40.0}
    total = data["total"]
    assert "lang" not in total
    assert (total["versions"], total["segments"], total["words"]) == (4, 10, 50)
    assert total["untranslated"] == {"segments": 7, "words": 34}
    assert total["complete"] == {"words": 24.0, "segments": 20.0}


def test_library_call_gives_the_same_figures(ws: Path) -> None:
    status = compute_status(load_config(ws), langs=["de"], slugs=["bike-lanes"])
    (article,) = status.articles
    (v,) = article.versions
    assert v.counts.complete_words == 75.0
    assert v.counts.complete_segments == pytest.approx(200 / 3)
    assert format_percent(v.counts.complete_segments) == "66.6"
    assert [t.lang for t in status.locales] == ["de"]


def test_missing_catalog_counts_as_zero(ws: Path) -> None:
    catalog_path(ws, "fr", "bike-lanes").unlink()
    fr = version(status_json(ws), "bike-lanes", "fr")
    assert fr["state"] == "missing"
    assert fr["untranslated"] == {"segments": 3, "words": 16}
    assert fr["complete"] == {"words": 0.0, "segments": 0.0}
    assert fr["approval"]["state"] == "none"


def test_invalid_catalog_is_shown_not_fatal(ws: Path) -> None:
    path = catalog_path(ws, "fr", "budget")
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgstr "orphan"\n',
                    encoding="utf-8")
    fr = version(status_json(ws), "budget", "fr")
    assert fr["state"] == "invalid"
    assert "msgstr without msgid" in fr["error"]
    assert fr["complete"]["words"] == 0.0


def test_obsolete_entries_are_counted(ws: Path) -> None:
    page = ws / "source" / "bike-lanes.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("The council voted <em>27 to 14</em> on Thursday.",
                                 "Nothing else happened."), encoding="utf-8")
    for step in ("extract", "update"):
        assert run(ws, step).exit_code == 0
    de = version(status_json(ws), "bike-lanes", "de")
    assert de["obsolete"] == 1
    assert (de["segments"], de["words"]) == (3, 11)
    assert de["untranslated"] == {"segments": 1, "words": 3}


def test_approval_column(ws: Path) -> None:
    translate_all(ws, "de")
    assert run(ws, "approve", "bike-lanes", "--lang", "de", "--by", "Ed").exit_code == 0
    data = status_json(ws, "--lang", "de")
    approval = version(data, "bike-lanes", "de")["approval"]
    assert (approval["state"], approval["by"]) == ("approved", "Ed")
    assert re.match(r"\d{4}-\d\d-\d\dT", approval["date"])
    assert version(data, "budget", "de")["approval"]["state"] == "none"
    assert data["locales"][0]["approved"] == 1
    set_entries(ws, "de", "bike-lanes", {"Work starts in spring.": "Baubeginn im Frühjahr."})
    assert version(status_json(ws), "bike-lanes", "de")["approval"]["state"] == "stale"


def test_filters(ws: Path) -> None:
    data = status_json(ws, "--lang", "fr", "--article", "budget")
    assert [a["slug"] for a in data["articles"]] == ["budget"]
    assert [v["lang"] for v in data["articles"][0]["versions"]] == ["fr"]
    assert [t["lang"] for t in data["locales"]] == ["fr"]
    assert data["total"]["words"] == 9


def test_bad_filters(ws: Path) -> None:
    result = run(ws, "status", "--lang", "ja")
    assert result.exit_code == 2
    assert "'ja' is not one of the configured languages" in result.output
    result = run(ws, "status", "--article", "nope")
    assert result.exit_code == 1
    assert "source/nope.html: no such article" in result.output
    assert run(ws, "status", "--format", "yaml").exit_code == 2


# ------------------------------------------------------------------ tables


def test_plain_table_when_not_a_terminal(ws: Path) -> None:
    result = run(ws, "status")
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b[" not in out and "█" not in out
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split()[:3] == ["Article", "Locale", "Words"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    rows = [line.split() for line in lines[2:]]
    assert len(rows) == 4 + 2 + 1  # versions, locale totals, overall
    assert rows[0] == ["bike-lanes", "de", "16", "75.0%", "66.6%", "3", "2", "1", "0", "0",
                       "none"]
    assert rows[-1][:4] == ["all", "articles", "all", "locales"]
    assert rows[-1][4:7] == ["50", "24.0%", "20.0%"]
    assert rows[-1][-2:] == ["0/4", "approved"]


def test_rich_table_with_bars_in_a_terminal(ws: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="200")
    child = pexpect.spawn(sys.executable, ["-m", "l10n", "-C", str(ws), "status"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 200))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "\x1b[" in child.before  # styled for the terminal
    out = re.sub(r"\x1b\[[0-9;]*m", "", child.before)
    assert "translation status" in out
    assert "┃ Article" in out  # rich's heavy header border
    bike_de = next(line for line in out.splitlines() if "bike-lanes" in line and " de " in line)
    assert "███████▌░░" in bike_de and "75.0%" in bike_de  # a bar per row


def test_markdown_table_shape(ws: Path) -> None:
    result = run(ws, "status", "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0] == "### Translation status"
    table = [line for line in lines if line.startswith("|")]
    header, align, *rows = table
    columns = header.count(" | ") + 1
    assert columns == 11
    assert all(row.count(" | ") + 1 == columns for row in rows)
    assert re.fullmatch(r"\| (?:-{3}:? \| ){10}-{3}:? \|", align)
    assert len(rows) == 4 + 2 + 1
    assert rows[0] == ("| bike-lanes | de | 16 | `███████▌░░` 75.0% | 66.6% | 3 | 2 | 1 | 0 | 0"
                       " | none |")
    assert rows[-1].startswith("| **all articles** | **all locales** | **50** | `██▍")
    assert lines[-1] == "24.0% of 50 words translated in 4 localized versions; 0/4 approved."


# ------------------------------------------------------------- JSON schema

DOC = REPO / "docs" / "status.md"


def documented_schema() -> dict[str, dict[str, str]]:
    """The object tables of docs/status.md: {object name: {field: type}}."""
    schema: dict[str, dict[str, str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#### `(\w+)`", line)
        if heading:
            current = heading.group(1)
            schema[current] = {}
            continue
        row = re.match(r"^\| `(\w+)` \| ([^|]+) \|", line)
        if current and row:
            schema[current][row.group(1)] = row.group(2).strip()
    return schema


def conforms(value, type_name: str, schema: dict, where: str) -> None:
    """Assert that a JSON value has the documented type."""
    if type_name.endswith(" or null"):
        if value is None:
            return
        type_name = type_name[: -len(" or null")]
    if type_name.startswith("array of "):
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            conforms(item, type_name[len("array of "):], schema, f"{where}[{i}]")
        return
    enum = re.findall(r'"([^"]+)"', type_name)
    if enum:
        assert value in enum, f"{where}: {value!r} not in {enum}"
        return
    simple = {"integer": int, "number": (int, float), "string": str}
    if type_name in simple:
        assert isinstance(value, simple[type_name]) and not isinstance(value, bool), where
        return
    obj = re.fullmatch(r"`(\w+)`", type_name)
    assert obj, f"{where}: undocumented type {type_name!r}"
    fields = schema[obj.group(1)]
    assert isinstance(value, dict), where
    assert set(value) == set(fields), f"{where}: {sorted(value)} vs documented {sorted(fields)}"
    for key, sub in fields.items():
        conforms(value[key], sub, schema, f"{where}.{key}")


def test_json_output_matches_the_documented_schema(ws: Path) -> None:
    schema = documented_schema()
    assert {"status", "article", "version", "locale", "total", "tally", "complete",
            "approval"} <= set(schema)
    catalog_path(ws, "fr", "budget").unlink()  # a "missing" version too
    data = status_json(ws)
    conforms(data, "`status`", schema, "status")
    assert data["schema_version"] == int(re.search(r"`schema_version` \| integer \| (\d+)",
                                                   DOC.read_text(encoding="utf-8")).group(1))


def test_repository_sample_is_complete_and_approved() -> None:
    data = status_json(REPO)
    total = data["total"]
    assert total["versions"] == 9 and total["approved"] == 9
    assert total["complete"] == {"words": 100.0, "segments": 100.0}


def test_article_without_template_is_measured_from_its_source(tmp_path: Path) -> None:
    root = make_known(tmp_path / "ws", languages=("de",))
    (root / "source" / "new.html").write_text(BIKE, encoding="utf-8")
    data = status_json(root, "--article", "new")
    (article,) = data["articles"]
    assert (article["template"], article["segments"], article["words"]) == (None, 3, 16)
    assert article["versions"][0]["state"] == "missing"
