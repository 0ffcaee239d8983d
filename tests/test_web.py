"""The review desk (l10n serve) through its HTTP interface, on real workspaces: every
route, the protections, and what each write does to the PO file on disk."""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest
from deskkit import (
    ORIGIN,
    REVIEWER,
    SLUG,
    client,
    csrf_of,
    desk_workspace,
    entry_form,
    parse,
    po,
    po_entry,
    post_form,
    second_client,
)
from reviewkit import cli, msgfmt_ok, po_path, translate_all
from starlette.routing import Route

from l10n.checks import compute_status, format_percent
from l10n.config import load_config
from l10n.review import approval_state, read_entries, review_queue

TODAY = dt.date.today().isoformat()
BASE = f"/a/{SLUG}/de"


@pytest.fixture()
def ws(tmp_path):
    return desk_workspace(tmp_path)


def ids(ws, lang="de"):
    """Entry ids by the first word of their source text."""
    return {e.source.split()[0]: e.id for e in read_entries(load_config(ws), SLUG, lang)}


def open_page(c, path=BASE):
    page = c.get(path)
    assert page.status_code == 200, page.text
    return page.text


# ------------------------------------------------------------------- overview


def test_overview_lists_every_article_and_locale_with_its_status(ws):
    c = client(ws)
    text = open_page(c, "/")
    doc = parse(text)
    assert doc.findtext(".//h1") == "Overview"
    cells = {a.get("href"): " ".join(a.text_content().split()) for a in doc.iter("a")
             if (a.get("href") or "").startswith("/a/")}
    assert set(cells) == {BASE, f"/a/{SLUG}/ar"}
    assert "Drafts waiting" in cells[BASE]
    assert "0/4 translated" in cells[BASE] and "3 drafts" in cells[BASE]
    assert "1 untranslated" in cells[BASE]
    assert "Untranslated" in cells[f"/a/{SLUG}/ar"] and "4 untranslated" in cells[f"/a/{SLUG}/ar"]
    assert "Council backs new bike lanes" in text  # the article's headline
    assert "3 drafts waiting for review" in " ".join(doc.text_content().split())
    # Filtered by locale: only the Arabic column.
    only_ar = parse(open_page(c, "/?lang=ar"))
    hrefs = {a.get("href") for a in only_ar.iter("a") if (a.get("href") or "").startswith("/a/")}
    assert hrefs == {f"/a/{SLUG}/ar"}
    assert c.get("/?lang=fr").status_code == 404  # not a language of the workspace
    assert c.get("/?lang=xx-!!").status_code == 404


def test_overview_statuses_complete_approved_stale(ws):
    translate_all(ws, "de")
    c = client(ws)
    assert "Ready to approve" in open_page(c, "/")
    assert cli(ws, "approve", SLUG, "--lang", "de", "--by", "Ed").exit_code == 0
    text = open_page(c, "/")
    assert "Approved" in text and "by Ed" in text
    entry = po(ws)
    entry[0].msgstr = "Anders"
    entry.save()
    assert "Stale approval" in open_page(c, "/")


# ---------------------------------------------------------------- article page


def test_article_page_shows_segments_side_by_side_with_provenance_and_chips(ws):
    text = open_page(client(ws))
    doc = parse(text)
    entries = doc.find_class("entry")
    assert len(entries) == 4
    council = doc.get_element_by_id(f"e-{ids(ws)['The']}")
    source, target = council.find_class("col-source")[0], council.find_class("col-target")[0]
    assert "The council voted on" in source.text_content()
    assert "Der Rat stimmte gestern Abend" in target.text_content()
    assert "machine draft (deepl), 2026-01-10" in council.text_content()
    # <a1>…</a1> as a pair of chips labelled "link 1", with the raw code as tooltip.
    chips = [el for el in source.iter("span") if "ph" in (el.get("class") or "").split()]
    assert [(c.text, c.get("title")) for c in chips] == [("link 1", "<a1>"),
                                                         ("link 1", "</a1>")]
    assert chips[0].get("class") == "ph ph-open ph-c0"
    assert chips[1].get("class") == "ph ph-close ph-c0"
    assert "<a1>" not in source.text_content()
    # Approve and reject for drafts; an open editor for the untranslated entry.
    assert entry_form(text, ids(ws)["The"], "approve")["version"]
    assert entry_form(text, ids(ws)["The"], "reject")
    residents = doc.get_element_by_id(f"e-{ids(ws)['Residents']}")
    editor = residents.find_class("editor")[0]
    assert editor.get("hidden") is None
    assert "Untranslated" in residents.text_content()
    # Filter tabs.
    drafts = parse(open_page(client(ws), BASE + "?show=drafts"))
    assert len(drafts.find_class("entry")) == 3
    untranslated = parse(open_page(client(ws), BASE + "?show=untranslated"))
    assert len(untranslated.find_class("entry")) == 1


def test_right_to_left_locales_are_shown_right_to_left(ws):
    draft_ar = {e.msgid: "نص" for e in po(ws, "ar") if e.msgid}
    from reviewkit import draft

    draft(ws, "ar", texts={k: v + (" <a1>رابط</a1>" if "<a1>" in k else "")
                           + (" <em1>ع</em1>" if "<em1>" in k else "")
                           for k, v in draft_ar.items()})
    doc = parse(open_page(client(ws), f"/a/{SLUG}/ar"))
    targets = [p for p in doc.iter("p") if "text" in (p.get("class") or "").split()
               and p.getparent().get("class") == "col col-target"]
    assert targets and all(p.get("dir") == "rtl" and p.get("lang") == "ar" for p in targets)
    sources = [p for p in doc.iter("p") if "text" in (p.get("class") or "").split()
               and p.getparent().get("class") == "col col-source"]
    assert all(p.get("dir") == "ltr" for p in sources)
    assert all(t.get("dir") == "rtl" for t in doc.iter("textarea"))


def test_unknown_article_locale_or_entry(ws):
    c = client(ws)
    assert c.get("/a/nope/de").status_code == 404
    assert c.get(f"/a/{SLUG}/fr").status_code == 404
    assert c.get(f"/a/{SLUG}/../etc").status_code == 404
    text = open_page(c)
    fields = entry_form(text, ids(ws)["The"], "approve")
    fields["_url"] = f"{BASE}/entry/0000000000"
    answer = post_form(c, fields)
    assert answer.status_code == 409
    assert "no entry '0000000000'" in parse(answer.text).text_content()


# ------------------------------------------------------------------- decisions


def test_approve_a_segment_writes_the_po_file(ws):
    c = client(ws)
    before = po_path(ws).read_bytes()
    fields = entry_form(open_page(c), ids(ws)["The"], "approve")
    answer = post_form(c, fields)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"{BASE}?done=approved&entry=")
    e = po_entry(ws, "The council")
    assert "fuzzy" not in e.flags
    assert e.msgstr.startswith("Der Rat stimmte")
    assert f"l10n-approved: {REVIEWER} {TODAY}" in e.tcomment
    assert "l10n-draft: deepl 2026-01-10" in e.tcomment
    assert po_path(ws).read_bytes() != before
    assert msgfmt_ok(po_path(ws))
    # The page it comes back to says so, and the entry is translated now.
    back = c.get(answer.headers["location"])
    assert "Approved. Saved to locales/de/LC_MESSAGES/bike-lanes.po." in back.text
    item = parse(back.text).get_element_by_id(f"e-{ids(ws)['The']}")
    assert "approved by Erika Editor" in item.text_content()
    # The same decision as the CLI: the queue no longer lists it.
    listed = cli(ws, "review", "--format", "json")
    assert ids(ws)["The"] not in listed.stdout


def test_reject_a_segment_empties_it(ws):
    c = client(ws)
    answer = post_form(c, entry_form(open_page(c), ids(ws)["Work"], "reject"))
    assert answer.status_code == 303
    e = po_entry(ws, "Work starts")
    assert e.msgstr == "" and "fuzzy" not in e.flags
    assert f"l10n-rejected: {REVIEWER} {TODAY}" in e.tcomment
    assert "l10n-draft" not in e.tcomment
    assert msgfmt_ok(po_path(ws))


def test_edit_a_draft_and_translate_an_empty_entry(ws):
    c = client(ws)
    text = open_page(c)
    new = "Die Arbeiten beginnen im <em1>zeitigen Frühjahr</em1>, sagte die Bürgermeisterin."
    answer = post_form(c, entry_form(text, ids(ws)["Work"], "save"), text=new + "\r\n")
    assert answer.status_code == 303
    e = po_entry(ws, "Work starts")
    assert (e.msgstr, "fuzzy" in e.flags) == (new, False)
    assert f"l10n-approved: {REVIEWER} {TODAY}" in e.tcomment
    answer = post_form(c, entry_form(open_page(c), ids(ws)["Residents"], "save"),
                       text="Anwohner können\r\nbis Monatsende Stellung nehmen.")
    assert answer.status_code == 303
    e = po_entry(ws, "Residents")
    assert e.msgstr == "Anwohner können\nbis Monatsende Stellung nehmen."
    assert "fuzzy" not in e.flags
    # A translated entry can be edited too (its editor opens with ?edit=ID).
    text = open_page(c, f"{BASE}?edit={ids(ws)['Work']}")
    editor = parse(text).get_element_by_id(f"edit-{ids(ws)['Work']}")
    assert editor.get("hidden") is None
    answer = post_form(c, entry_form(text, ids(ws)["Work"], "save"),
                       text="Die Arbeiten beginnen im <em1>Frühling</em1>.")
    assert answer.status_code == 303
    assert po_entry(ws, "Work starts").msgstr == "Die Arbeiten beginnen im <em1>Frühling</em1>."
    assert msgfmt_ok(po_path(ws))


def test_an_edit_that_breaks_placeholders_is_refused_and_the_entry_keeps_its_text(ws):
    c = client(ws)
    before = po_path(ws).read_bytes()
    broken = "Der Rat stimmte gestern Abend über den neuen Plan ab."
    answer = post_form(c, entry_form(open_page(c), ids(ws)["The"], "save"), text=broken)
    assert answer.status_code == 422
    assert po_path(ws).read_bytes() == before
    item = parse(answer.text).get_element_by_id(f"e-{ids(ws)['The']}")
    error = item.find_class("entry-error")[0]
    message = " ".join(error.text_content().split())
    assert "Placeholders do not match the source: missing placeholder link 1, link 1." in (
        message)
    assert [chip.get("title") for chip in error.find_class("ph")] == ["</a1>", "<a1>"]
    assert "Nothing was saved" in message
    # The reviewer's text stays in the editor, to fix it.
    assert item.find(".//textarea").text == broken
    # An empty text and nesting errors are refused the same way.
    empty = post_form(c, entry_form(open_page(c), ids(ws)["The"], "save"), text="  ")
    assert empty.status_code == 422 and "The new text is empty" in empty.text
    crossed = post_form(c, entry_form(open_page(c), ids(ws)["Work"], "save"),
                        text="<em1>Frühjahr</em1 beginnt")
    assert crossed.status_code == 422
    assert po_path(ws).read_bytes() == before


def test_approving_a_draft_with_broken_placeholders_is_refused(ws):
    p = po(ws)
    for e in p:
        if e.msgid.startswith("The council"):
            e.msgstr = "Der Rat stimmte über den Plan ab."
    p.save()
    before = po_path(ws).read_bytes()
    c = client(ws)
    answer = post_form(c, entry_form(open_page(c), ids(ws)["The"], "approve"))
    assert answer.status_code == 422
    item = parse(answer.text).get_element_by_id(f"e-{ids(ws)['The']}")
    error = item.find_class("entry-error")[0]
    assert "Placeholders do not match the source: missing placeholder" in error.text_content()
    assert [chip.get("title") for chip in error.find_class("ph")] == ["</a1>", "<a1>"]
    assert po_path(ws).read_bytes() == before


def test_two_reviewers_saving_the_same_entry_the_second_is_told(ws):
    alice = client(ws)
    bob = second_client(alice)
    alice_page, bob_page = open_page(alice), open_page(bob)
    target = ids(ws)["Work"]
    first = post_form(alice, entry_form(alice_page, target, "save"),
                      text="Die Arbeiten beginnen im <em1>März</em1>.")
    assert first.status_code == 303
    saved = po_path(ws).read_bytes()
    second = post_form(bob, entry_form(bob_page, target, "save"),
                       text="Die Arbeiten starten im <em1>Frühjahr</em1>.")
    assert second.status_code == 409
    assert po_path(ws).read_bytes() == saved  # Alice's text is not overwritten
    item = parse(second.text).get_element_by_id(f"e-{target}")
    message = " ".join(item.text_content().split())
    assert "Changed since you opened it" in message
    assert "your text is kept in the editor" in message
    assert "Die Arbeiten beginnen im" in item.find_class("col-target")[0].find(
        "p").text_content()  # what is in the file now
    assert item.find(".//textarea").text == "Die Arbeiten starten im <em1>Frühjahr</em1>."
    # Bob has now seen Alice's version: saving again replaces it, knowingly.
    again = post_form(bob, entry_form(second.text, target, "save"),
                      text="Die Arbeiten starten im <em1>Frühjahr</em1>.")
    assert again.status_code == 303
    assert po_entry(ws, "Work starts").msgstr == "Die Arbeiten starten im <em1>Frühjahr</em1>."
    assert msgfmt_ok(po_path(ws))


def test_approving_an_entry_someone_changed_meanwhile_is_refused(ws):
    alice, bob = client(ws), None
    bob = second_client(alice)
    bob_page = open_page(bob)
    target = ids(ws)["The"]
    post_form(alice, entry_form(open_page(alice), target, "save"),
              text="Der Rat hat <a1>den Plan</a1> gestern beschlossen.")
    saved = po_path(ws).read_bytes()
    for action in ("approve", "reject"):
        answer = post_form(bob, entry_form(bob_page, target, action))
        assert answer.status_code == 409, action
        assert "Changed since you opened it" in answer.text
        assert po_path(ws).read_bytes() == saved


# -------------------------------------------------------------- version approval


def test_approving_an_incomplete_version_is_refused_with_the_reasons(ws):
    c = client(ws)
    before = po_path(ws).read_bytes()
    doc = parse(open_page(c))
    form = next(f for f in doc.iter("form") if f.get("action") == f"{BASE}/approve")
    fields = {i.get("name"): i.get("value") for i in form.iter("input")}
    answer = c.post(f"{BASE}/approve", data=fields)
    assert answer.status_code == 409
    refused = parse(answer.text).get_element_by_id("refused")
    reasons = [" ".join(li.text_content().split()) for li in refused.iter("li")]
    assert reasons[0].startswith("1 untranslated entry (line ")
    assert reasons[1].startswith("3 fuzzy entries waiting for review")
    assert po_path(ws).read_bytes() == before


def test_approve_and_unapprove_the_version(ws):
    translate_all(ws, "de")
    c = client(ws)
    text = open_page(c)
    assert "Every entry is translated and reviewed" in text
    digest = parse(text).xpath("//input[@name='digest']/@value")[0]
    answer = c.post(f"{BASE}/approve", data={"csrf": csrf_of(text), "digest": digest})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{BASE}?done=version-approved"
    state = approval_state(load_config(ws), SLUG, "de")
    assert (state.state, state.by) == ("approved", REVIEWER)
    meta = po(ws).metadata
    assert meta["X-L10n-Approved-By"] == REVIEWER
    assert meta["X-L10n-Approved-Digest"] == digest  # the version the editor looked at
    assert msgfmt_ok(po_path(ws))
    page = open_page(c, answer.headers["location"])
    assert "Approved for publication</strong> by Erika Editor" in page
    assert "l10n merge" in page
    # Merge publishes it now, as after 'l10n approve'.
    assert cli(ws, "merge").exit_code == 0
    assert (ws / "build" / "de" / f"{SLUG}.html").exists()
    answer = c.post(f"{BASE}/unapprove", data={"csrf": csrf_of(page)})
    assert answer.status_code == 303
    assert approval_state(load_config(ws), SLUG, "de").state == "none"
    assert "X-L10n-Approved-By" not in po(ws).metadata
    assert msgfmt_ok(po_path(ws))


def test_approving_a_version_that_changed_since_the_page_was_opened_is_refused(ws):
    translate_all(ws, "de")
    c = client(ws)
    text = open_page(c)
    digest = parse(text).xpath("//input[@name='digest']/@value")[0]
    p = po(ws)
    next(e for e in p if e.msgid.startswith("Residents")).msgstr = "Etwas anderes."
    p.save()
    changed = po_path(ws).read_bytes()
    answer = c.post(f"{BASE}/approve", data={"csrf": csrf_of(text), "digest": digest})
    assert answer.status_code == 409
    assert "The translation changed since you opened it" in answer.text
    assert po_path(ws).read_bytes() == changed


# ---------------------------------------------------------------------- preview


def test_preview_shows_the_localized_page_next_to_the_original(ws):
    c = client(ws)
    page = parse(open_page(c, f"{BASE}/preview"))
    frames = [f.get("src") for f in page.iter("iframe")]
    assert frames == [f"/page/{SLUG}/original", f"/page/{SLUG}/de"]
    assert all(f.get("sandbox") == "" for f in page.iter("iframe"))
    original = c.get(frames[0])
    assert original.status_code == 200
    assert original.content == (ws / "source" / f"{SLUG}.html").read_bytes()
    localized = c.get(frames[1])
    assert localized.status_code == 200
    assert "Der Rat stimmte gestern Abend" in localized.text  # drafts included…
    assert 'class="l10n-draft-notice"' in localized.text  # …and marked
    assert localized.headers["content-type"] == "text/html; charset=utf-8"
    for answer in (original, localized):
        policy = answer.headers["content-security-policy"]
        assert "sandbox" in policy and "script-src" not in policy
        assert "default-src 'none'" in policy
        assert answer.headers["x-frame-options"] == "SAMEORIGIN"
    assert c.get(f"/page/{SLUG}/fr").status_code == 404


def test_preview_of_an_approved_version_is_the_published_page(ws):
    translate_all(ws, "de")
    assert cli(ws, "approve", SLUG, "--lang", "de").exit_code == 0
    c = client(ws)
    assert "As published" in open_page(c, f"{BASE}/preview")
    page = c.get(f"/page/{SLUG}/de").text
    assert "l10n-draft-notice" not in page
    assert cli(ws, "merge").exit_code == 0
    assert page.encode() == (ws / "build" / "de" / f"{SLUG}.html").read_bytes()


# --------------------------------------------------------------------- security


def post_routes(app):
    return [r for r in app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]


def test_every_post_needs_the_csrf_token_of_its_session(ws):
    c = client(ws)
    text = open_page(c)
    token = csrf_of(text)
    fields = entry_form(text, ids(ws)["The"], "approve")
    before = po_path(ws).read_bytes()
    paths = {"/reviewer", f"{BASE}/entry/{ids(ws)['The']}", f"{BASE}/approve",
             f"{BASE}/unapprove"}
    assert {r.path.format(slug=SLUG, lang="de", entry=ids(ws)["The"])
            for r in post_routes(c.app)} == paths
    other = second_client(c)
    other_token = csrf_of(open_page(other))
    assert other_token != token
    for path in paths:
        data = {**fields, "name": "Mallory", "next": "/"}
        data.pop("_url")
        data.pop("csrf")
        assert c.post(path, data=data).status_code == 403, path  # missing
        assert c.post(path, data={**data, "csrf": "0" * 64}).status_code == 403, path
        # Another browser's token does not fit this browser's session.
        assert c.post(path, data={**data, "csrf": other_token}).status_code == 403, path
        # A post from another site is refused even with the right token.
        assert c.post(path, data={**data, "csrf": token},
                      headers={"origin": "http://evil.example"}).status_code == 403, path
    # Without the session cookie, no token fits.
    fresh = second_client(c)
    assert fresh.post(fields["_url"], data={"csrf": token, "action": "approve",
                                            "version": fields["version"]}).status_code == 403
    assert po_path(ws).read_bytes() == before
    assert "Erika Editor" in open_page(c)  # the reviewer name did not change
    # The right token from the right session works.
    assert post_form(c, fields, csrf=token).status_code == 303


def test_pages_carry_security_headers_and_a_session_cookie(ws):
    c = client(ws)
    answer = c.get("/")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("l10n_session=") and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "set-cookie" not in c.get("/").headers  # the session is kept
    assert c.get("/static/desk.css").status_code == 200


def test_only_loopback_host_names_are_answered(ws):
    c = client(ws)
    assert c.get("/", headers={"host": "evil.example"}).status_code == 400
    assert c.get("/", headers={"host": "localhost:8000"}).status_code == 200
    assert c.get("/", headers={"host": "[::1]:8000"}).status_code == 200
    anywhere = client(ws, allowed_hosts=None)
    assert anywhere.get("/", headers={"host": "desk.example"}).status_code == 200


def test_access_token(ws):
    c = client(ws, access_token="s3cret-token")
    for path in ("/", BASE, "/static/desk.css", f"/page/{SLUG}/original"):
        assert c.get(path).status_code == 401, path
    assert c.get("/?token=wrong").status_code == 401
    assert c.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
    # Once in the address: it becomes a cookie, and the address loses it.
    answer = c.get(f"{BASE}?show=drafts&token=s3cret-token")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{BASE}?show=drafts"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "s3cret-token" not in cookie
    text = open_page(c, f"{BASE}?show=drafts")
    assert "s3cret-token" not in text
    # Writes need it too (and the CSRF token on top).
    fields = entry_form(text, ids(ws)["The"], "approve")
    stranger = second_client(c)
    stranger.cookies.clear()
    assert post_form(stranger, fields).status_code == 401
    assert post_form(c, fields).status_code == 303


def test_everything_shown_is_escaped(ws):
    p = po(ws)
    e = next(e for e in p if e.msgid.startswith("The council"))
    e.msgstr = 'Der Rat <script>alert("x")</script> über <a1>den Plan</a1> & "<b>".'
    e.tcomment = "l10n-draft: <img/src=x/onerror=alert(1)> 2026-01-10"
    p.save()
    text = open_page(client(ws))
    assert "<script>alert" not in text and "<img/src=x" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    assert "machine draft (&lt;img/src=x/onerror=alert(1)&gt;)" in text
    # Names given by a reviewer too.
    c = client(ws)
    answer = c.post("/reviewer", data={"csrf": csrf_of(open_page(c)), "name": "<b>Bo</b>",
                                       "next": BASE})
    assert answer.status_code == 303
    assert 'value="&lt;b&gt;Bo&lt;/b&gt;"' in open_page(c)


def test_the_reviewer_name_is_remembered_and_used(ws):
    c = client(ws)
    text = open_page(c)
    assert parse(text).get_element_by_id("reviewer-name").get("value") == REVIEWER
    answer = c.post("/reviewer", data={"csrf": csrf_of(text), "name": "  Rita   Reviewer ",
                                       "next": f"{BASE}?show=drafts"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{BASE}?show=drafts&done=reviewer"
    text = open_page(c, f"{BASE}?show=drafts")
    assert parse(text).get_element_by_id("reviewer-name").get("value") == "Rita Reviewer"
    post_form(c, entry_form(text, ids(ws)["The"], "approve"))
    assert f"l10n-approved: Rita Reviewer {TODAY}" in po_entry(ws, "The council").tcomment
    # Only local addresses to go back to; an empty name is refused.
    away = c.post("/reviewer", data={"csrf": csrf_of(text), "name": "X",
                                     "next": "//evil.example/"})
    assert away.headers["location"] == "/?done=reviewer"
    empty = c.post("/reviewer", data={"csrf": csrf_of(text), "name": " ", "next": "/"})
    assert empty.status_code == 422


def test_a_broken_catalog_is_a_one_line_error_page(ws):
    po_path(ws).write_text('msgid "x"\nmsgstr "y"\nmsgid\n', encoding="utf-8")
    c = client(ws)
    for path in ("/", BASE):
        answer = c.get(path)
        assert answer.status_code == 500
        assert "locales/de/LC_MESSAGES/bike-lanes.po:3: syntax error" in answer.text
        assert "Traceback" not in answer.text


# -------------------------------------------------------------------------- CLI


def test_serve_is_documented_and_reports_a_busy_port(ws):
    help_text = cli(ws, "serve", "--help")
    assert help_text.exit_code == 0 and "--port" in help_text.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli(ws, "serve", "--port", str(port))
    assert result.exit_code == 1
    assert re.fullmatch(rf"error: cannot listen on 127\.0\.0\.1:{port}: .+\n", result.stderr)
    assert ORIGIN.startswith("http://127.0.0.1")


def test_a_save_waits_for_a_command_holding_the_workspace_lock(ws):
    import threading
    import time

    from l10n.fsio import WorkspaceLock

    c = client(ws)
    fields = entry_form(open_page(c), ids(ws)["The"], "approve")
    lock = WorkspaceLock(ws, 1.0)
    lock.acquire()
    released_at: list[float] = []

    def release_soon() -> None:
        time.sleep(0.5)
        released_at.append(time.monotonic())
        lock.release()

    threading.Thread(target=release_soon).start()
    answer = post_form(c, fields)
    saved_at = time.monotonic()
    assert answer.status_code == 303
    # The save happened after the command let go of the workspace, not during it.
    assert released_at and saved_at >= released_at[0]
    assert "fuzzy" not in po_entry(ws, "The council").flags


def test_overview_completeness_is_the_figure_of_l10n_status(ws):
    # One of four German entries approved: the desk shows the share of source words
    # that `l10n status` shows (truncated), not a share of entries rounded up.
    items = {it.source[:4]: it for it in review_queue(load_config(ws), ["de"])}
    assert cli(ws, "review", "approve", items["Work"].id, "--by", "Ed").exit_code == 0
    status = compute_status(load_config(ws), ["de"])
    (version,) = [v for a in status.articles for v in a.versions]
    expected = format_percent(version.counts.complete_words)
    assert 0 < version.counts.complete_words < 100
    cell = " ".join(parse(open_page(client(ws), "/")).xpath(
        f'//a[@href="{BASE}"]')[0].text_content().split())
    assert f"{expected} %" in cell and "1/4 translated" in cell
