"""The review desk: a small Starlette application over the workspace's PO files.

Every write goes through the same library functions as the command line
(`l10n.review`), so the desk, the CLI and a PO editor see and change the same state.
Each form carries the version of what the reviewer saw; a save made after someone
else changed the same entry is refused and shown, never silently overwritten.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import __version__
from ..config import Config
from ..errors import ApprovalRefused, ChangedMeanwhile, L10nError, ReviewError
from ..fsio import LOCK_NAME, WorkspaceLock
from ..locale import bcp47, is_rtl
from ..review import (
    CHANGED_SINCE_OPENED,
    DRAFT,
    TRANSLATED,
    UNTRANSLATED,
    approve,
    approve_version,
    check_name,
    default_reviewer,
    edit,
    find_entry,
    reject,
    unapprove,
)
from . import desk, render
from .security import (
    CSRF_FIELD,
    LOOPBACK_HOSTS,
    PREVIEW_POLICY,
    SESSION_COOKIE,
    DeskGuard,
    csrf_ok,
    csrf_token,
    new_secret,
    same_origin,
    session_of,
)

HERE = Path(__file__).resolve().parent
REVIEWER_COOKIE = "l10n_reviewer"
MAX_NAME = 80
MAX_TEXT = 20000

# What each filter tab of the article page shows.
SHOW = {
    "all": lambda e: True,
    "drafts": lambda e: e.state == DRAFT,
    "untranslated": lambda e: e.state == UNTRANSLATED,
    "translated": lambda e: e.state == TRANSLATED,
    "problems": lambda e: bool(e.problems),
}

# Messages after a successful write (the redirect names one of them, nothing else).
DONE = {
    "approved": "Approved. Saved to {path}.",
    "rejected": "Rejected: the entry is untranslated again. Saved to {path}.",
    "saved": "Saved and approved. Written to {path}.",
    "version-approved": "Approved for publication. 'l10n merge' will build this version.",
    "version-unapproved": "Approval withdrawn: this version is no longer published.",
    "nothing-to-unapprove": "This version was not approved; nothing changed.",
    "reviewer": "Reviewer name saved in this browser.",
}

T = TypeVar("T")

# How long a save waits for a command that is writing to the workspace.
WRITE_LOCK_TIMEOUT = 10.0


class Desk:
    """The desk's state and its routes: one workspace, one per-process secret."""

    def __init__(self, cfg: Config, reviewer: str | None = None,
                 secret: bytes | None = None) -> None:
        self.cfg = cfg
        self.secret = secret or new_secret()
        self.default_reviewer = reviewer or default_reviewer(cfg.root)
        # Saves of this process one at a time: two reviewers saving different entries of
        # one catalog must both succeed; the file guard still refuses outside writers.
        self.write_lock = threading.Lock()
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every value is escaped unless it is built as Markup
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(chips=render.chips, diff_html=render.diff_html, message=render.message,
                           lang_label=desk.language_label,
                           lang_name=desk.language_name, bcp47=bcp47, url=_quote)
        env.globals.update(is_rtl=is_rtl, palette=render.palette, provenance=render.provenance,
                           version=__version__, statuses=STATUS_LABELS)
        self.templates = Jinja2Templates(env=env)

    # ------------------------------------------------------------------ helpers

    def reviewer(self, request: Request) -> str:
        raw = unquote(request.cookies.get(REVIEWER_COOKIE, ""))
        try:
            return _clean_name(raw) if raw else self.default_reviewer
        except ReviewError:
            return self.default_reviewer

    def page(self, request: Request, name: str, context: dict[str, Any],
             status: int = 200) -> Response:
        base = {
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(self.secret, session_of(request)),
            "reviewer": self.reviewer(request),
            "workspace": self.cfg.root.name,
            "path": request.url.path,
            "here": _here(request),
        }
        return self.templates.TemplateResponse(request, name, {**base, **context},
                                               status_code=status)

    async def form(self, request: Request) -> FormData:
        """The posted form, once its CSRF token is checked (403 otherwise)."""
        if not same_origin(request):
            raise HTTPException(403, "This form was posted from another site.")
        form = await request.form(max_files=0, max_fields=20)
        token = form.get(CSRF_FIELD)
        if not csrf_ok(self.secret, request.cookies.get(SESSION_COOKIE),
                       token if isinstance(token, str) else None):
            raise HTTPException(403, "The form's security token is missing or does not"
                                " match this browser's session (was the desk restarted?)."
                                " Reload the page and try again.")
        return form

    async def write(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def locked() -> T:
            # The workspace lock too, as every writing command holds it: a command
            # started meanwhile waits, and never sweeps away a save in progress.
            with self.write_lock, WorkspaceLock(self.cfg.root, WRITE_LOCK_TIMEOUT,
                                                display=LOCK_NAME):
                return func(*args, **kwargs)

        return await run_in_threadpool(locked)

    # --------------------------------------------------------------------- pages

    async def overview(self, request: Request) -> Response:
        lang = request.query_params.get("lang") or None
        data = await run_in_threadpool(desk.overview, self.cfg, lang)
        return self.page(request, "overview.html", {
            "overview": data, "chosen": data.languages[0] if lang else None,
            "languages": self.cfg.languages, "done": _done(request, {}),
        })

    async def version(self, request: Request) -> Response:
        return await self.version_page(request)

    async def version_page(self, request: Request, status: int = 200, **extra: Any
                           ) -> Response:
        slug, lang = request.path_params["slug"], request.path_params["lang"]
        view = await run_in_threadpool(desk.version_view, self.cfg, slug, lang)
        show = request.query_params.get("show", "all")
        show = show if show in SHOW else "all"
        shown = [(n, e) for n, e in enumerate(view.entries, 1) if SHOW[show](e)]
        tabs = [(key, sum(1 for e in view.entries if test(e))) for key, test in SHOW.items()]
        context = {
            "view": view, "show": show, "shown": shown, "tabs": tabs,
            "editing": extra.pop("editing", None) or request.query_params.get("edit"),
            "done": _done(request, {"path": view.path}),
            "errors": {}, "texts": {}, "conflicts": set(), "refused": None,
            "page_error": None, "focus": request.query_params.get("entry"),
        }
        context.update(extra)
        return self.page(request, "version.html", context, status)

    async def preview(self, request: Request) -> Response:
        slug, lang = request.path_params["slug"], request.path_params["lang"]
        view = await run_in_threadpool(desk.version_view, self.cfg, slug, lang)
        page = await run_in_threadpool(desk.localized_page, self.cfg, slug, lang)
        return self.page(request, "preview.html", {"view": view, "page": page})

    async def frame(self, request: Request) -> Response:
        """The HTML of a page for a preview frame, under a policy that runs no script."""
        slug, which = request.path_params["slug"], request.path_params["which"]
        if which == "original":
            page = await run_in_threadpool(desk.original_page, self.cfg, slug)
        else:
            page = await run_in_threadpool(desk.localized_page, self.cfg, slug, which)
        return Response(page.data, headers={
            "content-type": f"text/html; charset={page.encoding}",
            "content-security-policy": PREVIEW_POLICY,
            "x-frame-options": "SAMEORIGIN",
        })

    # -------------------------------------------------------------------- writes

    async def decide(self, request: Request) -> Response:
        """Approve, reject or save one entry, if it is still what the reviewer saw."""
        form = await self.form(request)
        slug, lang = request.path_params["slug"], request.path_params["lang"]
        entry_id = request.path_params["entry"]
        view = await run_in_threadpool(desk.version_view, self.cfg, slug, lang)
        action, seen = _field(form, "action"), _field(form, "version")
        text = _field(form, "text").replace("\r\n", "\n").replace("\r", "\n").strip()
        if action not in ("approve", "reject", "save") or not seen:
            raise HTTPException(400, "The form is incomplete: reload the page.")
        try:
            entry = await run_in_threadpool(find_entry, self.cfg, view.slug, view.lang,
                                            entry_id)
        except ReviewError as exc:
            return await self.version_page(request, 409, page_error=exc.message)
        by = self.reviewer(request)
        problem = None
        try:
            if action == "save":
                if len(text) > MAX_TEXT:
                    raise ReviewError(f"the text is too long (over {MAX_TEXT} characters)")
                await self.write(edit, self.cfg, entry, text, by, expect=seen)
            else:
                decide = approve if action == "approve" else reject
                outcome = await self.write(decide, self.cfg, [entry], by,
                                           expect={entry.id: seen})
                if outcome.refused:
                    problem = outcome.refused[0][1]
        except ChangedMeanwhile:
            problem = CHANGED_SINCE_OPENED
        except ReviewError as exc:
            problem = exc.message
        except L10nError as exc:  # the file changed on disk while being saved
            problem = str(exc)
        if problem is None:
            done = {"approve": "approved", "reject": "rejected", "save": "saved"}[action]
            return _back(request, view, done, entry.id)
        conflict = problem == CHANGED_SINCE_OPENED
        texts = {entry.id: text} if action == "save" else {}
        return await self.version_page(
            request, 409 if conflict else 422, errors={entry.id: _sentence(problem)},
            texts=texts, conflicts={entry.id} if conflict else set(),
            editing=entry.id if action == "save" or not conflict else None,
            focus=entry.id)

    async def approve_version(self, request: Request) -> Response:
        form = await self.form(request)
        slug, lang = request.path_params["slug"], request.path_params["lang"]
        view = await run_in_threadpool(desk.version_view, self.cfg, slug, lang)
        seen = _field(form, "digest") or None
        try:
            await self.write(approve_version, self.cfg, view.slug, view.lang,
                             self.reviewer(request), expect=seen)
        except ApprovalRefused as exc:
            return await self.version_page(request, 409, refused=exc.reasons)
        except L10nError as exc:
            return await self.version_page(request, 409, page_error=_sentence(exc.message))
        return _back(request, view, "version-approved")

    async def unapprove_version(self, request: Request) -> Response:
        await self.form(request)
        slug, lang = request.path_params["slug"], request.path_params["lang"]
        view = await run_in_threadpool(desk.version_view, self.cfg, slug, lang)
        try:
            removed = await self.write(unapprove, self.cfg, view.slug, view.lang)
        except L10nError as exc:
            return await self.version_page(request, 409, page_error=_sentence(exc.message))
        return _back(request, view, "version-unapproved" if removed else "nothing-to-unapprove")

    async def set_reviewer(self, request: Request) -> Response:
        form = await self.form(request)
        target = _local_path(_field(form, "next"))
        try:
            name = _clean_name(_field(form, "name"))
        except ReviewError as exc:
            raise HTTPException(422, _sentence(exc.message)) from None
        sep = "&" if "?" in target else "?"
        response = RedirectResponse(f"{target}{sep}done=reviewer", status_code=303)
        response.set_cookie(REVIEWER_COOKIE, quote(name), max_age=365 * 86400,
                            httponly=True, samesite="lax")
        return response

    # -------------------------------------------------------------------- errors

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.page(request, "error.html", {"title": "Not found", "message": str(exc)},
                         404)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        titles = {400: "Bad request", 403: "Forbidden", 404: "Not found",
                  405: "Not allowed", 422: "Cannot do that"}
        return self.page(request, "error.html", {
            "title": titles.get(exc.status_code, "Error"), "message": exc.detail,
        }, exc.status_code)

    async def workspace_error(self, request: Request, exc: Exception) -> Response:
        return self.page(request, "error.html", {
            "title": "The workspace has a problem", "message": str(exc),
        }, 500)

    def routes(self) -> list[Route | Mount]:
        return [
            Route("/", self.overview, name="overview"),
            Route("/reviewer", self.set_reviewer, methods=["POST"]),
            Route("/a/{slug}/{lang}", self.version, name="version"),
            Route("/a/{slug}/{lang}/preview", self.preview),
            Route("/a/{slug}/{lang}/entry/{entry}", self.decide, methods=["POST"]),
            Route("/a/{slug}/{lang}/approve", self.approve_version, methods=["POST"]),
            Route("/a/{slug}/{lang}/unapprove", self.unapprove_version, methods=["POST"]),
            Route("/page/{slug}/{which}", self.frame),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]


STATUS_LABELS = {
    "approved": "Approved",
    "complete": "Ready to approve",
    "drafts": "Drafts waiting",
    "untranslated": "Untranslated",
    "problems": "Placeholder problems",
    "outdated": "Out of date",
    "stale": "Stale approval",
    "missing": "No catalog",
}


def create_app(cfg: Config, *, access_token: str | None = None, reviewer: str | None = None,
               allowed_hosts: Iterable[str] | None = LOOPBACK_HOSTS,
               secret: bytes | None = None) -> Starlette:
    """The review desk for the workspace ``cfg``.

    ``access_token``: when set, every request must carry it (see `DeskGuard`).
    ``allowed_hosts``: the Host names answered (None: any; the default: loopback only).
    ``reviewer``: the name used when a browser has not set one (default: git's user).
    """
    app_desk = Desk(cfg, reviewer=reviewer, secret=secret)
    app = Starlette(
        routes=app_desk.routes(),
        middleware=[Middleware(DeskGuard, secret=app_desk.secret, access_token=access_token,
                               allowed_hosts=allowed_hosts)],
        exception_handlers={
            desk.NotFound: app_desk.not_found,
            HTTPException: app_desk.http_error,
            L10nError: app_desk.workspace_error,
        },
    )
    app.state.desk = app_desk
    return app


# ------------------------------------------------------------------------ helpers


def _quote(value: str) -> str:
    return quote(str(value), safe="")


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _clean_name(raw: str) -> str:
    name = check_name(raw)
    if len(name) > MAX_NAME:
        raise ReviewError(f"the reviewer's name is too long (over {MAX_NAME} characters)")
    return name


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _here(request: Request) -> str:
    """This page's address, for the reviewer form to come back to."""
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in request.query_params.items()
                     if k not in ("done", "entry"))
    return request.url.path + (f"?{query}" if query else "")


def _local_path(target: str) -> str:
    """Only a path on this desk is a place to go back to (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _done(request: Request, values: dict[str, str]) -> str | None:
    key = request.query_params.get("done")
    return DONE[key].format(**values) if key in DONE else None


def _back(request: Request, view: desk.VersionView, done: str,
          entry: str | None = None) -> RedirectResponse:
    """After a write, back to the article page (post, redirect, get)."""
    show = request.query_params.get("show")
    query = f"done={done}" + (f"&entry={entry}" if entry else "")
    if show in SHOW and show != "all":
        query = f"show={show}&{query}"
    anchor = f"#e-{entry}" if entry else ""
    url = f"/a/{_quote(view.slug)}/{_quote(view.lang)}?{query}{anchor}"
    return RedirectResponse(url, status_code=303)

