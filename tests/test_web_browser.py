"""The review desk end to end in a real headless browser: Debian's chromium driven by
Playwright (no browser download), against `l10n serve` started as a subprocess over
a tmp workspace. Each step is checked in the PO file on disk, and each page is
saved as a screenshot (under the test's tmp dir, and the last run's set in
/tmp/l10n-screens/)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polib
import pytest
from deskkit import REVIEWER, SLUG, desk_workspace, po_entry
from reviewkit import draft, msgfmt_ok, po_path

from l10n.config import load_config
from l10n.review import approval_state, read_entries

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENS = Path("/tmp/l10n-screens")
TODAY = dt.date.today().isoformat()
REPO = Path(__file__).resolve().parent.parent

ARABIC = {
    "Council backs new bike lanes": "المجلس يدعم مسارات جديدة للدراجات",
    "The council voted on <a1>the new plan</a1> yesterday evening.":
        "صوّت المجلس مساء أمس على <a1>الخطة الجديدة</a1>.",
    "Work starts in <em1>early spring</em1>, the mayor said.":
        "قالت رئيسة البلدية إن الأعمال تبدأ في <em1>مطلع الربيع</em1>.",
    "Residents can comment until the end of the month.": "يمكن للسكان التعليق حتى نهاية الشهر.",
}

IN_CI = os.environ.get("CI") == "true"

if not CHROMIUM.exists():
    if IN_CI:
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests"
                " need Debian's chromium", allow_module_level=True)

try:
    from playwright import sync_api
except ImportError:
    if IN_CI:
        raise
    pytest.skip("playwright is not installed (pip install -e '.[test]')",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Desk:
    """`l10n serve` on a free port over a workspace, as a subprocess."""

    def __init__(self, ws: Path, env: dict[str, str] | None = None) -> None:
        environ = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        environ["PYTHONPATH"] = os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "l10n", "-C", str(ws), "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        if " on http://" not in first:
            self.stop()
            raise AssertionError(f"l10n serve did not start: {first}{self.proc.stderr.read()}")
        self.url = first.rsplit(" on ", 1)[1].strip().rstrip("/")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    root = desk_workspace(tmp_path)
    draft(root, "ar", "libre", "2026-01-12", texts=ARABIC,
          only=("Council", "The council", "Work"))
    return root


@pytest.fixture()
def shots(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., Path]]:
    """shot(page, name): a full-page screenshot, kept for the lead to look at."""
    folder = tmp_path / "screens"
    folder.mkdir()
    taken: list[Path] = []

    def shot(page, name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5000  # a rendered page, not an empty image
        taken.append(path)
        return path

    yield shot
    prefix = request.node.name.removeprefix("test_")[:24]
    SCREENS.mkdir(exist_ok=True)
    for old in SCREENS.glob(f"{prefix}-*.png"):
        old.unlink()
    for path in taken:
        shutil.copy(path, SCREENS / f"{prefix}-{path.name}")


def entry_ids(ws: Path, lang: str = "de") -> dict[str, str]:
    return {e.source.split()[0]: e.id for e in read_entries(load_config(ws), SLUG, lang)}


def test_review_an_article_and_approve_it_in_the_browser(ws, browser, shots):
    desk = Desk(ws)
    ids = entry_ids(ws)
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Script errors and CSP violations; a refused form answers 422 on purpose.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and (
        "Failed to load resource" not in msg.text) else None)
    try:
        # The overview: every article and locale.
        page.goto(desk.url + "/")
        assert page.locator("h1").inner_text() == "Overview"
        de_cell = page.locator(f"a.cell[href='/a/{SLUG}/de']")
        assert "Drafts waiting" in de_cell.inner_text()
        shots(page, "overview")

        # Who is reviewing: remembered in a cookie.
        page.fill("#reviewer-name", REVIEWER)
        page.click(".reviewer button")
        page.wait_for_url("**done=reviewer")

        # Open the article in German.
        page.click(f"a.cell[href='/a/{SLUG}/de']")
        page.wait_for_url(f"**/a/{SLUG}/de")
        assert page.locator(".entry").count() == 4
        chips = page.locator(f"#e-{ids['The']} .col-source .ph")
        assert chips.all_inner_texts() == ["link 1", "link 1"]
        shots(page, "article")

        # Approve one segment.
        page.click(f"#e-{ids['The']} button[value=approve]")
        page.wait_for_url("**done=approved**")
        assert "Approved. Saved to" in page.locator(".flash").inner_text()
        e = po_entry(ws, "The council")
        assert "fuzzy" not in e.flags
        assert f"l10n-approved: {REVIEWER} {TODAY}" in e.tcomment
        assert msgfmt_ok(po_path(ws))
        shots(page, "approved-segment")

        # Edit one: the editor opens in place; a placeholder chip inserts its code.
        page.click(f"#e-{ids['Work']} [data-edit]")
        area = page.locator(f"#text-{ids['Work']}")
        assert area.is_visible()
        area.fill("Die Arbeiten beginnen im ")
        page.click(f"#edit-{ids['Work']} .ph-insert")
        assert area.input_value() == "Die Arbeiten beginnen im <em1></em1>"
        area.press("End")
        area.fill("Die Arbeiten beginnen im <em1>zeitigen Frühjahr</em1>, sagte die"
                  " Bürgermeisterin.")
        shots(page, "editing")
        area.press("Control+Enter")
        page.wait_for_url("**done=saved**")
        e = po_entry(ws, "Work starts")
        assert e.msgstr == ("Die Arbeiten beginnen im <em1>zeitigen Frühjahr</em1>, sagte die"
                            " Bürgermeisterin.")
        assert "fuzzy" not in e.flags
        assert msgfmt_ok(po_path(ws))

        # An edit that loses a placeholder is refused; the file keeps its text.
        before = po_path(ws).read_bytes()
        page.click(f"#e-{ids['Work']} [data-edit]")
        area = page.locator(f"#text-{ids['Work']}")
        area.fill("Die Arbeiten beginnen im Frühjahr.")
        page.click(f"#edit-{ids['Work']} button[type=submit]")
        error = page.locator(f"#e-{ids['Work']} .entry-error")
        error.wait_for()
        assert "missing placeholder" in error.inner_text()
        assert page.locator(f"#text-{ids['Work']}").input_value() == (
            "Die Arbeiten beginnen im Frühjahr.")
        assert po_path(ws).read_bytes() == before
        shots(page, "refused-edit")

        # Translate the empty entry, and approve the last draft from the keyboard.
        page.goto(f"{desk.url}/a/{SLUG}/de")
        page.fill(f"#text-{ids['Residents']}", "Anwohner können bis Monatsende Stellung"
                  " nehmen.")
        page.click(f"#edit-{ids['Residents']} button[type=submit]")
        page.wait_for_url("**done=saved**")
        assert po_entry(ws, "Residents").msgstr.startswith("Anwohner können")
        page.goto(f"{desk.url}/a/{SLUG}/de")
        for key in "jjk":  # down to the second entry and back up to the first
            page.keyboard.press(key)
        assert page.locator(".entry.is-current").get_attribute("id") == f"e-{ids['Council']}"
        page.keyboard.press("a")
        page.wait_for_url(f"**entry={ids['Council']}**")
        assert "fuzzy" not in po_entry(ws, "Council").flags
        assert msgfmt_ok(po_path(ws))

        # Approve the whole article.
        page.click("form.approve-version button")
        page.wait_for_url("**done=version-approved")
        state = approval_state(load_config(ws), SLUG, "de")
        assert (state.state, state.by) == ("approved", REVIEWER)
        assert polib.pofile(str(po_path(ws))).metadata["X-L10n-Approved-By"] == REVIEWER
        assert msgfmt_ok(po_path(ws))
        assert "Approved for publication" in page.locator(".alert-ok").inner_text()
        shots(page, "article-approved")

        # The preview, next to the original.
        page.click("text=Preview")
        page.wait_for_url(f"**/a/{SLUG}/de/preview")
        page.wait_for_load_state("load")
        frames = {f.url.rsplit("/", 1)[-1]: f for f in page.frames if "/page/" in f.url}
        assert set(frames) == {"original", "de"}
        assert "Der Rat stimmte gestern Abend" in frames["de"].locator("body").inner_text()
        assert "The council voted" in frames["original"].locator("body").inner_text()
        shots(page, "preview")

        page.goto(desk.url + "/")
        assert "Approved" in page.locator(f"a.cell[href='/a/{SLUG}/de']").inner_text()
        shots(page, "overview-after")

        # An Arabic page reads right to left.
        page.goto(f"{desk.url}/a/{SLUG}/ar")
        target = page.locator(f"#e-{entry_ids(ws, 'ar')['The']} .col-target .text")
        assert target.get_attribute("dir") == "rtl"
        assert target.evaluate("el => getComputedStyle(el).direction") == "rtl"
        shots(page, "arabic")
        assert errors == []
    finally:
        page.close()
        desk.stop()


def test_the_desk_works_without_javascript(ws, browser, shots):
    desk = Desk(ws)
    ids = entry_ids(ws)
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1100, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{desk.url}/a/{SLUG}/de")
        # Edit is a link that opens the editor on the page it comes back to.
        page.click(f"#e-{ids['Work']} [data-edit]")
        page.wait_for_url(f"**edit={ids['Work']}**")
        area = page.locator(f"#text-{ids['Work']}")
        area.fill("Die Arbeiten beginnen im <em1>März</em1>.")
        shots(page, "no-js-editing")
        page.click(f"#edit-{ids['Work']} button[type=submit]")
        page.wait_for_url("**done=saved**")
        assert po_entry(ws, "Work starts").msgstr == "Die Arbeiten beginnen im <em1>März</em1>."
        page.click(f"#e-{ids['The']} button[value=reject]")
        page.wait_for_url("**done=rejected**")
        assert po_entry(ws, "The council").msgstr == ""
        assert msgfmt_ok(po_path(ws))
    finally:
        context.close()
        desk.stop()


def test_a_shared_desk_asks_for_its_access_token(ws, browser, shots):
    desk = Desk(ws, env={"L10N_SERVE_TOKEN": "desk-token-for-tests"})
    context = browser.new_context(viewport={"width": 1360, "height": 800})
    page = context.new_page()
    try:
        assert page.goto(desk.url + "/").status == 401
        page.goto(f"{desk.url}/a/{SLUG}/de/preview?token=desk-token-for-tests")
        assert page.url == f"{desk.url}/a/{SLUG}/de/preview"  # the token left the address
        page.wait_for_load_state("load")
        # The preview frames load with the cookie, sandboxed.
        frame = next(f for f in page.frames if f.url.endswith(f"/page/{SLUG}/de"))
        assert "Der Rat stimmte gestern Abend" in frame.locator("body").inner_text()
        assert "desk-token-for-tests" not in page.content()
        shots(page, "token-preview")
    finally:
        context.close()
        desk.stop()
