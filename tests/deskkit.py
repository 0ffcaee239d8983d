"""Helpers for the review desk tests: a real workspace with drafts, a client that
reads the desk's pages as a browser would, and the PO file on disk."""

from __future__ import annotations

import warnings
from pathlib import Path

import polib
from lxml import html as lxml_html
from reviewkit import GERMAN, draft, make_workspace, po_path

with warnings.catch_warnings():
    # Starlette's test client prefers httpx2 now; httpx (what is installed) still works.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from l10n.config import load_config
from l10n.web import create_app

SLUG = "bike-lanes"
REVIEWER = "Erika Editor"
ORIGIN = "http://127.0.0.1"


def desk_workspace(root: Path, languages: str = "de,ar") -> Path:
    """The bike-lanes article (English) with German drafts: three machine drafts and
    one entry left untranslated; Arabic untouched."""
    ws = make_workspace(root, languages)
    draft(ws, "de", "deepl", "2026-01-10", only=("Council", "The council", "Work"))
    return ws


def client(ws: Path, **options: object) -> TestClient:
    """A browser-like client of a fresh desk (its own cookies, its own session)."""
    options.setdefault("reviewer", REVIEWER)
    app = create_app(load_config(ws), **options)  # type: ignore[arg-type]
    return TestClient(app, base_url=ORIGIN, follow_redirects=False)


def second_client(first: TestClient) -> TestClient:
    """Another browser on the same running desk."""
    return TestClient(first.app, base_url=ORIGIN, follow_redirects=False)


def parse(text: str):
    return lxml_html.fromstring(text)


def csrf_of(page_text: str) -> str:
    doc = parse(page_text)
    values = {el.get("value") for el in doc.iter("input") if el.get("name") == "csrf"}
    assert len(values) == 1, values
    return values.pop()


def entry_form(page_text: str, entry_id: str, action: str) -> dict[str, str]:
    """The fields of the form on the page that does ``action`` to an entry."""
    doc = parse(page_text)
    item = doc.get_element_by_id(f"e-{entry_id}")
    for form in item.iter("form"):
        buttons = [b for b in form.iter("button") if b.get("value") == action]
        hidden = {i.get("name"): i.get("value") for i in form.iter("input")}
        if buttons or hidden.get("action") == action:
            fields = {k: v for k, v in hidden.items() if k}
            fields["action"] = action
            fields["_url"] = form.get("action")
            return fields
    raise AssertionError(f"no {action} form for entry {entry_id}")


def post_form(c: TestClient, fields: dict[str, str], **extra: str):
    data = {k: v for k, v in fields.items() if k != "_url"}
    data.update(extra)
    return c.post(fields["_url"], data=data)


def po(ws: Path, lang: str = "de") -> polib.POFile:
    return polib.pofile(str(po_path(ws, lang)))


def po_entry(ws: Path, start: str, lang: str = "de") -> polib.POEntry:
    found = [e for e in po(ws, lang) if not e.obsolete and e.msgid.startswith(start)]
    assert len(found) == 1, start
    return found[0]


__all__ = ["GERMAN", "SLUG", "po_path"]
