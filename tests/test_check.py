"""``l10n check``: every checker on crafted PO entries, the workspace-level checks,
thresholds, approvals, exit codes, and the text, GitHub and JUnit outputs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest
import yaml
from checkkit import GERMAN, make_known, set_entries, translate_all
from conftest import REPO, snapshot
from workspace_kit import article, catalog_path, make_workspace, run

from l10n.checks import Entry, EntryContext, check_format, check_numbers, run_checks
from l10n.config import CheckSettings, load_config
from l10n.model import FINDING_CODES, Finding
from l10n.report import github_annotation

SLUG = "checked"
PO = f"locales/de/LC_MESSAGES/{SLUG}.po"

TITLE = "Turnout report"
TURNOUT = "Turnout rose to 31.4 percent in 2026."
URL = "Details are at https://example.org/results today."
LINK = "Read <a1>the full plan</a1> now."
LONG = "Residents can comment on the plan until the end of the month."
DIV = "Use the <div> element for layout."

CHECKED = article(TITLE, TURNOUT, URL, 'Read <a href="/plan">the full plan</a> now.', LONG,
                  "Use the &lt;div&gt; element for layout.")

GOOD = {
    TITLE: "Bericht zur Wahlbeteiligung",
    TURNOUT: "Die Wahlbeteiligung stieg 2026 auf 31,4 Prozent.",
    URL: "Einzelheiten heute unter https://example.org/results.",
    LINK: "Lesen Sie jetzt <a1>den ganzen Plan</a1>.",
    LONG: "Anwohner können den Plan bis Monatsende kommentieren.",
    DIV: "Verwenden Sie das <div>-Element für das Layout.",
}


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    """One English article, fully translated into German (not approved)."""
    root = make_workspace(tmp_path / "ws", {SLUG: CHECKED}, languages=("de",))
    set_entries(root, "de", SLUG, GOOD)
    return root


def line_of(ws: Path, msgid: str) -> int:
    po = polib.pofile(str(catalog_path(ws, "de", SLUG)))
    return next(e.linenum for e in po if not e.obsolete and e.msgid == msgid)


def check(ws: Path, *args: str, env: dict | None = None):
    return run(ws, "check", *args, env=env)


def findings(output: str) -> list[str]:
    """The finding lines of text output (everything but the summary line)."""
    return [line for line in output.splitlines() if not line.startswith("check ")]


def msgfmt_accepts(path: Path) -> tuple[bool, str]:
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)
    return done.returncode == 0, done.stderr


def test_a_good_translation_passes(ws: Path) -> None:
    before = snapshot(ws)
    result = check(ws)
    assert result.exit_code == 0, result.output
    assert result.stdout == "check passed: 0 errors, 0 warnings in 1 localized version\n"
    assert snapshot(ws) == before  # check writes nothing
    assert msgfmt_accepts(catalog_path(ws, "de", SLUG))[0]


# ----------------------------------------------------------- entry checks

BAD = [
    (LINK, "Lesen Sie jetzt den ganzen Plan.", "placeholders", "error",
     "missing placeholder </a1>, <a1>"),
    (LINK, "Lesen Sie jetzt <a1>den <b>ganzen</b> Plan</a1>.", "markup", "error", "<b>, </b>"),
    (LINK, "Lesen Sie&nbsp;jetzt <a1>den ganzen Plan</a1>.", "markup", "error", "&nbsp;"),
    (DIV, "Verwenden Sie das <span>-Element.", "markup", "error", "<span>"),
    (TITLE, "Bericht zur Wahlbeteiligung ", "whitespace", "warning", "added trailing"),
    (TITLE, " Bericht zur Wahlbeteiligung", "whitespace", "warning", "added leading"),
    (TITLE, "Bericht zur Wahlbeteiligung\n", "whitespace", "error", "end with a newline"),
    (TURNOUT, "Die Wahlbeteiligung stieg 2026 auf 31 Prozent.", "numbers", "warning", "31.4"),
    (TURNOUT, "Die Wahlbeteiligung stieg auf 31,4 Prozent.", "numbers", "warning", "2026"),
    (URL, "Einzelheiten heute unter https://example.de/ergebnisse.", "urls", "warning",
     "https://example.org/results"),
    (LONG, LONG, "untranslated-copy", "warning", "copy of the source (12 words)"),
]


@pytest.mark.parametrize(("msgid", "text", "code", "severity", "detail"), BAD,
                         ids=[f"{c}-{i}" for i, (_, _, c, _, _) in enumerate(BAD)])
def test_each_checker_fires_on_a_crafted_entry(ws: Path, msgid: str, text: str, code: str,
                                               severity: str, detail: str) -> None:
    set_entries(ws, "de", SLUG, {msgid: text})
    result = check(ws)
    assert result.exit_code == (1 if severity == "error" else 0), result.output
    (line,) = findings(result.stdout)
    assert line.startswith(f"{PO}:{line_of(ws, msgid)}: {severity}: {code}: ")
    assert detail in line


OK = [
    (TURNOUT, "Die Wahlbeteiligung stieg ٢٠٢٦ auf ٣١٫٤ Prozent."),  # Arabic-Indic digits
    (TURNOUT, "投票率は２０２６年に３１．４％に上昇した。"),  # full-width digits
    (TURNOUT, "La participation a atteint 31,4 % en 2026."),
    (TURNOUT, "Turnout: 31.4 percent (2026)."),
    (LINK, "<a1>Den ganzen Plan</a1> jetzt lesen."),  # placeholders may move
    (DIV, "Das Element <div> dient dem Layout."),  # literal markup of the source
    (URL, "Einzelheiten: https://example.org/results"),
    (TITLE, TITLE),  # a short copy (a name, a title) is fine
]


@pytest.mark.parametrize(("msgid", "text"), OK)
def test_checkers_accept_good_variants(ws: Path, msgid: str, text: str) -> None:
    set_entries(ws, "de", SLUG, {msgid: text})
    result = check(ws)
    assert result.exit_code == 0
    assert findings(result.stdout) == []


def test_drafts_are_not_checked(ws: Path) -> None:
    set_entries(ws, "de", SLUG, {LINK: "Lesen Sie den Plan."}, fuzzy=True)
    result = check(ws, "--min-complete", "0")
    assert result.exit_code == 0
    assert findings(result.stdout) == []


def test_untranslated_copy_threshold_is_configurable(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", {SLUG: CHECKED}, languages=("de",),
                          extra="[check]\nuntranslated_copy_words = 20\n")
    set_entries(root, "de", SLUG, {**GOOD, LONG: LONG})
    assert findings(check(root).stdout) == []


def entry_ctx() -> EntryContext:
    return EntryContext("a", "de", PO, CheckSettings())


def test_format_directives_of_flagged_entries() -> None:
    good = Entry(None, "%d new items in %s", "%s: %d neue Einträge", 7, ("c-format",))
    bad = Entry(None, "%d new items in %s", "%d neue Einträge", 7, ("c-format",))
    unflagged = Entry(None, "100% sure", "100-prozentig sicher", 7)
    assert list(check_format(good, entry_ctx())) == []
    assert list(check_format(unflagged, entry_ctx())) == []
    (found,) = check_format(bad, entry_ctx())
    assert (found.code, found.severity, found.line) == ("format", "error", 7)


@pytest.mark.parametrize(("source", "translation", "fires"), [
    ("1,234 people", "1.234 Menschen", False),
    ("1 234 people", "1234 Menschen", False),
    ("at 18:00", "um 18.00 Uhr", False),
    ("3,8 Millionen", "380万", False),  # Japanese counts in ten-thousands: tolerated
    ("in 2026", "im Jahr ٢٠٢٦", False),
    ("in 2026", "im Jahr 2025", True),
    ("<a1>Note 3</a1>", "<a1>Hinweis</a1>", True),
    ("<br1/>no digits", "<br1/>keine Ziffern 7", False),  # extra numbers are fine
])
def test_number_normalization(source: str, translation: str, fires: bool) -> None:
    found = list(check_numbers(Entry(None, source, translation, 3), entry_ctx()))
    assert bool(found) == fires


# -------------------------------------------- files as msgfmt --check sees them


def mangle(ws: Path, old: str, new: str) -> Path:
    path = catalog_path(ws, "de", SLUG)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_with(path: Path, fragment: str, nth: int = 1) -> int:
    lines = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if fragment in line]
    return lines[nth - 1]


def msgfmt_line(stderr: str, path: Path) -> int:
    return int(re.search(rf"{re.escape(str(path))}:(\d+):", stderr).group(1))


TITLE_PAIR = f'msgid "{TITLE}"\nmsgstr "{GOOD[TITLE]}"\n'

BROKEN = {
    # name: (old, new, code, same line as msgfmt)
    "duplicate": ("\n#. p\n", f"\n{TITLE_PAIR}\n#. p\n", "invalid-po", True),
    "no-msgstr": (f'msgstr "{GOOD[TITLE]}"\n', "", "invalid-po", True),
    "unterminated": (f'msgstr "{GOOD[TITLE]}"', f'msgstr "{GOOD[TITLE]}', "invalid-po", False),
    "nplurals": ("nplurals=2;", "nplurals=x;", "invalid-po", False),
    "newline": (f'msgstr "{GOOD[TITLE]}"', f'msgstr "{GOOD[TITLE]}\\n"', "whitespace", False),
    "c-format": (f'msgid "{TITLE}"', f'#, c-format\nmsgid "{TITLE}"', "format", False),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_fail_like_msgfmt_check(ws: Path, name: str) -> None:
    old, new, code, same_line = BROKEN[name]
    if name == "c-format":
        mangle(ws, f'msgstr "{GOOD[TITLE]}"', f'msgstr "%s {GOOD[TITLE]}"')
    path = mangle(ws, old, new)
    accepted, stderr = msgfmt_accepts(path)
    assert not accepted, f"msgfmt accepts the {name} file"
    result = check(ws)
    assert result.exit_code == 1
    errors = [line for line in findings(result.stdout) if ": error: " in line]
    assert len(errors) == 1, result.stdout
    where = re.match(rf"{re.escape(PO)}:(\d+): error: {code}: ", errors[0])
    assert where, errors[0]
    if same_line:
        assert int(where.group(1)) == msgfmt_line(stderr, path)


def test_fuzzy_entries_are_exempt_like_msgfmt(ws: Path) -> None:
    # msgfmt --check skips fuzzy entries; so do we.
    path = mangle(ws, f'msgid "{TITLE}"\nmsgstr "{GOOD[TITLE]}"',
                  f'#, fuzzy\nmsgid "{TITLE}"\nmsgstr "{GOOD[TITLE]}\\n"')
    assert msgfmt_accepts(path)[0]
    assert check(ws, "--min-complete", "0").exit_code == 0


@pytest.mark.parametrize(("old", "new", "message"), [
    ('"Language: de\\n"', '"Language: fr\\n"', "Language is 'fr', but the catalog is in the"
     " folder of de"),
    ('"Language: de\\n"\n', "", "no Language header (should be de)"),
    ('"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n', "", "no Plural-Forms header"),
])
def test_header_checks_are_stricter_than_msgfmt(ws: Path, old: str, new: str,
                                                message: str) -> None:
    path = mangle(ws, old, new)
    assert msgfmt_accepts(path)[0]  # msgfmt only warns (or says nothing)
    result = check(ws)
    assert result.exit_code == 1
    (line,) = findings(result.stdout)
    assert f": error: header: {message}" in line
    if "Language is" in message:
        assert line.startswith(f"{PO}:{line_with(path, 'Language: fr')}:")


def test_language_with_a_region_fits_its_language_folder(ws: Path) -> None:
    mangle(ws, '"Language: de\\n"', '"Language: de_DE\\n"')
    assert findings(check(ws).stdout) == []


def test_invalid_template_is_reported(ws: Path) -> None:
    pot = ws / "locales" / "templates" / f"{SLUG}.pot"
    pot.write_text(pot.read_text(encoding="utf-8") + "\nnonsense\n", encoding="utf-8")
    result = check(ws)
    assert result.exit_code == 1
    assert re.search(rf"^locales/templates/{SLUG}.pot:\d+: error: invalid-po: syntax error",
                     result.stdout, re.M)


# --------------------------------------------------- stale templates, catalogs


def test_stale_template_then_stale_catalog(ws: Path) -> None:
    page = ws / "source" / f"{SLUG}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("until the end of the month",
                                                             "until Friday"), encoding="utf-8")
    result = check(ws, "--min-complete", "0")
    assert result.exit_code == 1
    (line,) = findings(result.stdout)
    pot = f"locales/templates/{SLUG}.pot"
    pot_line = line_with(ws / pot, "Residents can comment") - 2  # the entry's first line
    assert line == (f"{pot}:{pot_line}: error: stale-template: out of date with"
                    f" source/{SLUG}.html (1 new, 1 gone; first new text at"
                    f" source/{SLUG}.html:12); run 'l10n extract'")
    assert run(ws, "extract").exit_code == 0
    result = check(ws, "--min-complete", "0")
    assert result.exit_code == 1
    (line,) = findings(result.stdout)
    old_line = line_of(ws, LONG)  # still active in the catalog, gone from the template
    assert line == (f"{PO}:{old_line}: error: stale-catalog: out of date with {pot}"
                    " (1 new, 1 gone); run 'l10n update'")
    assert run(ws, "update").exit_code == 0
    result = check(ws, "--min-complete", "0")
    assert result.exit_code == 0  # the new sentence is merely untranslated now
    assert findings(result.stdout) == []


def test_reordered_article_is_a_stale_template(ws: Path) -> None:
    page = ws / "source" / f"{SLUG}.html"
    text = page.read_text(encoding="utf-8")
    first, second = f"<p>{TURNOUT}</p>", f"<p>{URL}</p>"
    page.write_text(text.replace(first, "@").replace(second, first).replace("@", second),
                    encoding="utf-8")
    (line,) = findings(check(ws).stdout)
    assert line.endswith("error: stale-template: out of date with source/checked.html"
                         " (segments reordered); run 'l10n extract'")


def test_catalog_with_entries_gone_from_the_template(ws: Path) -> None:
    mangle(ws, "#. p\n", 'msgid "An old sentence"\nmsgstr "Ein alter Satz"\n\n#. p\n')
    result = check(ws)
    (line,) = findings(result.stdout)
    assert re.match(rf"{re.escape(PO)}:\d+: error: stale-catalog: .*\(0 new, 1 gone\)", line)


def test_missing_catalog_and_missing_template(ws: Path) -> None:
    catalog_path(ws, "de", SLUG).unlink()
    (ws / "source" / "other.html").write_text(article("Other news", "Nothing to see."),
                                              encoding="utf-8")
    result = check(ws)
    assert result.exit_code == 1
    assert findings(result.stdout) == [
        f"{PO}: error: stale-catalog: no catalog for de; run 'l10n update'",
        "locales/de/LC_MESSAGES/other.po: error: stale-catalog: no catalog for de;"
        " run 'l10n update'",
        "locales/templates/other.pot: error: stale-template: no template for the article;"
        " run 'l10n extract'",
    ]


# ------------------------------------------------------------- completeness


@pytest.fixture()
def known(tmp_path: Path) -> Path:
    """bike-lanes de: 12 of 16 words (75 %), 2 of 3 segments; everything else empty."""
    root = make_known(tmp_path / "known")
    set_entries(root, "de", "bike-lanes", {k: GERMAN[k] for k in list(GERMAN)[:2]})
    set_entries(root, "de", "bike-lanes", {"Work starts in spring.": "Im Frühjahr."},
                fuzzy=True)
    return root


def test_min_complete_on_the_command_line(known: Path) -> None:
    result = check(known, "--min-complete", "75", "--lang", "de", "--article", "bike-lanes")
    assert result.exit_code == 0, result.output
    result = check(known, "--min-complete", "75.1", "--lang", "de", "--article", "bike-lanes")
    assert result.exit_code == 1
    (line,) = findings(result.stdout)
    draft_line = line_of_known(known, "Work starts in spring.")
    assert line == (f"locales/de/LC_MESSAGES/bike-lanes.po:{draft_line}: error: incomplete:"
                    " 75.0% of words translated, below the minimum of 75.1%"
                    " (0 untranslated, 1 drafts awaiting review)")


def line_of_known(ws: Path, msgid: str) -> int:
    po = polib.pofile(str(catalog_path(ws, "de", "bike-lanes")))
    return next(e.linenum for e in po if e.msgid == msgid)


def write_check_config(ws: Path, table: str) -> None:
    """Replace the [check] table of the workspace's l10n.toml."""
    config = ws / "l10n.toml"
    base = config.read_text(encoding="utf-8").split("\n[check]\n")[0]
    config.write_text(base + "\n[check]\n" + table, encoding="utf-8")


def test_thresholds_from_the_configuration(known: Path) -> None:
    write_check_config(known, "min_complete = 70\n")
    result = check(known, "--article", "bike-lanes", "--lang", "de")
    assert result.exit_code == 0  # 75 % of words
    write_check_config(known, 'min_complete = 70\ncount = "segments"\n')
    result = check(known, "--article", "bike-lanes", "--lang", "de")
    assert result.exit_code == 1  # 66.6 % of segments
    assert "66.6% of segments translated, below the minimum of 70.0%" in result.stdout
    # The command line replaces the configured thresholds.
    assert check(known, "--article", "bike-lanes", "--lang", "de",
                 "--min-complete", "60").exit_code == 0


def test_per_locale_thresholds(known: Path) -> None:
    translate_all(known, "de")
    write_check_config(known, "min_complete = 90\n\n[check.min_complete_per_locale]\nfr = 0\n")
    assert check(known).exit_code == 0  # de is complete, fr may be empty
    write_check_config(known, "min_complete = 90\n\n[check.min_complete_per_locale]\nfr = 10\n")
    result = check(known)
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in findings(result.stdout)] == [
        "locales/fr/LC_MESSAGES/bike-lanes.po", "locales/fr/LC_MESSAGES/budget.po"]


def test_library_findings(known: Path) -> None:
    found = run_checks(load_config(known), min_complete=50, langs=["fr"])
    assert [(f.code, f.severity, f.slug, f.lang) for f in found] == [
        ("incomplete", "error", "bike-lanes", "fr"), ("incomplete", "error", "budget", "fr")]
    assert all(isinstance(f, Finding) for f in found)


# ------------------------------------------------------------------ approval


def test_require_approved(known: Path) -> None:
    translate_all(known, "de")
    args = ("--require-approved", "--lang", "de")
    result = check(known, *args)
    assert result.exit_code == 1
    assert findings(result.stdout) == [
        f"locales/de/LC_MESSAGES/{slug}.po:3: error: approval-missing: not approved for"
        f" publication; review it and run 'l10n approve {slug} --lang de'"
        for slug in ("bike-lanes", "budget")]  # line 3: the header, where the stamp goes
    assert check(known, "--lang", "de").exit_code == 0  # approvals only when asked
    for slug in ("bike-lanes", "budget"):
        assert run(known, "approve", slug, "--lang", "de", "--by", "Ed").exit_code == 0
    assert check(known, *args).exit_code == 0
    set_entries(known, "de", "budget", {"City budget approved": "Haushalt beschlossen"})
    result = check(known, *args)
    assert result.exit_code == 1
    (line,) = findings(result.stdout)
    assert re.match(r"locales/de/LC_MESSAGES/budget.po:\d+: error: approval-stale: approved by"
                    r" Ed on \S+, but the source article or a translation changed since;"
                    r" review it and run 'l10n approve budget --lang de' again", line)


def test_require_approved_from_the_configuration(known: Path) -> None:
    translate_all(known, "de")
    write_check_config(known, "require_approved = true\n")
    result = check(known, "--lang", "de")
    assert result.exit_code == 1
    assert all(": approval-missing: " in line for line in findings(result.stdout))


# -------------------------------------------------------------- exit codes


@pytest.mark.parametrize(("args", "table", "message"), [
    (("--min-complete", "150"), "", "150"),
    (("--format", "xml"), "", "xml"),
    (("--lang", "ja"), "", "'ja' is not one of the configured languages"),
    ((), "min_complete = 101\n", "[check] min_complete must be a percentage from 0 to 100"),
    ((), "min_complete = true\n", "[check] min_complete must be a percentage"),
    ((), 'count = "letters"\n', '[check] count must be "words" or "segments"'),
    ((), "typo = 1\n", "unknown key 'typo' in [check]"),
    ((), "[check.min_complete_per_locale]\nja = 50\n", "ja: not one of the configured"),
    ((), "require_approved = 1\n", "require_approved must be true or false"),
])
def test_usage_and_configuration_errors_exit_2(known: Path, args: tuple[str, ...], table: str,
                                               message: str) -> None:
    if table:
        write_check_config(known, table)
    result = check(known, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ formats


def test_github_annotations(ws: Path) -> None:
    set_entries(ws, "de", SLUG, {LINK: "Lesen Sie den Plan.", TURNOUT: "Die Beteiligung stieg."})
    result = check(ws, "--format", "github", env={"GITHUB_WORKSPACE": str(ws.parent)})
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    po = f"ws/{PO}"  # relative to the repository, not the workspace
    assert lines == [
        f"::warning file={po},line={line_of(ws, TURNOUT)},title=l10n numbers::number of the"
        " source not in the translation: 31.4, 2026",
        f"::error file={po},line={line_of(ws, LINK)},title=l10n placeholders::missing"
        " placeholder </a1>, <a1>",
        "check failed: 1 error, 1 warning in 1 localized version",
    ]


def test_github_annotation_escaping() -> None:
    finding = Finding("warning", "numbers", "50% lost\nsecond line", "a,b:c.po", 3)
    assert github_annotation(finding) == ("::warning file=a%2Cb%3Ac.po,line=3,title=l10n"
                                          " numbers::50%25 lost%0Asecond line")
    assert github_annotation(Finding("error", "stale-catalog", "gone")) == (
        "::error title=l10n stale-catalog::gone")


def junit(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def test_junit_report(known: Path, tmp_path: Path) -> None:
    translate_all(known, "de")
    set_entries(known, "de", "budget",
                {"The budget grows by 2 percent.": "Der Haushalt wächst um zwei Prozent."})
    report = tmp_path / "reports" / "l10n.xml"
    result = check(known, "--min-complete", "50", "--format", "junit", "--junit-file",
                   str(report))
    assert result.exit_code == 1
    assert result.stdout.startswith("check failed: 2 errors, 1 warning in 4 localized versions")
    suite = junit(report)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "2", "0")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert sorted(cases) == ["bike-lanes [de]", "bike-lanes [fr]", "budget [de]", "budget [fr]"]
    assert cases["bike-lanes [fr]"].get("classname") == "l10n.bike-lanes"
    assert cases["bike-lanes [fr]"].get("file") == "locales/fr/LC_MESSAGES/bike-lanes.po"
    failure = cases["budget [fr]"].find("failure")
    assert failure.get("message").startswith("1 error: incomplete: 0.0% of words translated")
    assert "locales/fr/LC_MESSAGES/budget.po:" in failure.text
    assert cases["budget [de]"].find("failure") is None
    assert ": warning: numbers: " in cases["budget [de]"].find("system-out").text
    assert cases["bike-lanes [de]"].find("failure") is None


def test_junit_to_stdout_and_article_level_findings(known: Path) -> None:
    page = known / "source" / "budget.html"
    page.write_text(page.read_text(encoding="utf-8").replace("2 percent", "3 percent"),
                    encoding="utf-8")
    result = check(known, "--format", "junit", "--min-complete", "0")
    assert result.exit_code == 1
    suite = ET.fromstring(result.stdout.encode("utf-8")).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("4", "2")
    failed = sorted(c.get("name") for c in suite.findall("testcase")
                    if c.find("failure") is not None)
    assert failed == ["budget [de]", "budget [fr]"]  # a stale template fails every locale


def test_junit_file_alongside_text(ws: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.xml"
    result = check(ws, "--junit-file", str(report))
    assert result.exit_code == 0
    assert result.stdout == (f"check passed: 0 errors, 0 warnings in 1 localized version;"
                             f" JUnit report in {report}\n")
    suite = junit(report)
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")


def test_repository_sample_passes_its_own_gate() -> None:
    before = snapshot(REPO / "locales")
    result = run(REPO, "check", "--require-approved")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("check passed: 0 errors")
    assert snapshot(REPO / "locales") == before


def test_repository_gate_is_live(tmp_path: Path) -> None:
    """The thresholds in pyproject.toml really gate: a withdrawn approval fails."""
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    for folder in ("source", "locales"):
        shutil.copytree(REPO / folder, copy / folder)
    assert run(copy, "unapprove", "wahl-ergebnisse", "--lang", "ja").exit_code == 0
    result = check(copy)
    assert result.exit_code == 1
    assert findings(result.stdout) == [
        "locales/ja/LC_MESSAGES/wahl-ergebnisse.po:3: error: approval-missing: not approved for"
        " publication; review it and run 'l10n approve wahl-ergebnisse --lang ja'"]


def workflow_steps() -> list[dict]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    workflow = yaml.safe_load(block)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    return workflow["jobs"]["l10n"]["steps"]


def test_ci_workflow_runs_the_gate_on_this_repository(tmp_path: Path, monkeypatch) -> None:
    steps = workflow_steps()
    commands = [line.strip() for step in steps for line in step.get("run", "").splitlines()
                if line.strip().startswith("l10n ")]
    assert "l10n check --format github --junit-file l10n-junit.xml" in commands
    assert any(c.startswith("l10n status --format markdown") for c in commands)
    monkeypatch.chdir(tmp_path)
    for command in commands:
        args = shlex.split(command.split(">")[0])[1:]
        result = run(REPO, *args)
        assert result.exit_code == 0, (command, result.output)
    assert junit(tmp_path / "l10n-junit.xml").get("tests") == "9"


def test_every_finding_code_is_documented() -> None:
    text = (REPO / "docs" / "check.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z-]+)` \| (?:error|warning)", text, re.M)
    assert sorted(documented) == sorted(FINDING_CODES)


def test_without_configuration_the_gate_wants_everything_translated(known: Path) -> None:
    # known has no [check] table: an incomplete version fails the default 100 % gate.
    result = check(known, "--lang", "de", "--article", "bike-lanes")
    assert result.exit_code == 1
    assert "below the minimum of 100.0%" in result.stdout
