"""The desk's guards: which hosts may address it, the optional access token, the
session cookie that cross-site request forgery tokens are bound to, and the
security headers of every response.

The desk writes translations, so a page on another site must not be able to make
the reviewer's browser post to it (CSRF tokens), nor read it through a DNS name that
points at 127.0.0.1 (the Host check), nor frame it (frame-ancestors).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlencode

from starlette.datastructures import URL
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "l10n_session"
ACCESS_COOKIE = "l10n_access"
CSRF_FIELD = "csrf"
TOKEN_PARAM = "token"
SESSION_KEY = "l10n.session"  # where the session id waits in the ASGI scope

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

# The desk's own pages: its scripts and styles only, no framing by anyone.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
               " frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# An article shown in a preview frame: no scripts, no forms, no plugins, a sandbox of
# its own; its images and styles may load so that it looks like the real page.
PREVIEW_POLICY = ("default-src 'none'; img-src * data:; style-src * 'unsafe-inline';"
                  " font-src * data:; media-src *; form-action 'none'; base-uri 'none';"
                  " frame-ancestors 'self'; sandbox")


def new_secret() -> bytes:
    """A per-process secret: tokens signed with it die with the process."""
    return secrets.token_bytes(32)


def csrf_token(secret: bytes, session: str) -> str:
    """The token a form of this session must carry: the session id, signed."""
    return hmac.new(secret, session.encode("ascii"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session: str | None, token: str | None) -> bool:
    """Whether a posted token belongs to the session of the cookie it came with."""
    if not session or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, session), token)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Old browsers send no Origin, privacy settings may send "null": the token decides.
        return True
    host = request.headers.get("host", "")
    return URL(origin).netloc == host


def session_of(conn: HTTPConnection) -> str:
    """The session id of this request (issued by `DeskGuard` when it had none)."""
    return str(conn.scope.get(SESSION_KEY, ""))


def _access_value(token: str) -> str:
    # The cookie holds a value derived from the token, not the token itself.
    return hmac.new(token.encode("utf-8"), b"l10n serve access", hashlib.sha256).hexdigest()


def host_name(host_header: str) -> str:
    """The host part of a Host header: ``[::1]:8000`` -> ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class DeskGuard:
    """ASGI middleware in front of the desk.

    - ``allowed_hosts``: the only Host names answered (None: any). A desk bound to
      127.0.0.1 answers only loopback names, which defeats DNS rebinding.
    - ``access_token``: when set, every request needs it: once as ``?token=``
      (which sets an HttpOnly cookie and redirects to the same address without it),
      or in an ``Authorization: Bearer`` header.
    - gives every browser a session cookie, which CSRF tokens are bound to;
    - adds the security headers to every response.
    """

    def __init__(self, app: ASGIApp, secret: bytes, access_token: str | None = None,
                 allowed_hosts: Iterable[str] | None = LOOPBACK_HOSTS) -> None:
        self.app = app
        self.secret = secret
        self.access_token = access_token or None
        self.allowed_hosts = (None if allowed_hosts is None
                              else {h.lower() for h in allowed_hosts})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if self.allowed_hosts is not None and (
                host_name(conn.headers.get("host", "")) not in self.allowed_hosts):
            await _plain(send, 400, "Unknown host. Open the desk at the address"
                         " 'l10n serve' printed.")
            return
        cookies: list[str] = []
        if self.access_token is not None:
            verdict = self._check_access(conn)
            if verdict == "refused":
                await _plain(send, 401, "This review desk needs its access token: open the"
                             " address with ?token=... once, or send an Authorization:"
                             " Bearer header.", {"www-authenticate": "Bearer"})
                return
            if verdict == "query":
                # Trade the token in the address for a cookie, and drop it from the address
                # so that it stays out of the history and of what gets copied around.
                query = urlencode([(k, v) for k, v in parse_qsl(conn.url.query,
                                                                keep_blank_values=True)
                                   if k != TOKEN_PARAM])
                target = quote(conn.url.path, safe="/") + (f"?{query}" if query else "")
                value = _access_value(self.access_token)
                await _redirect(send, target, [_cookie(ACCESS_COOKIE, value)])
                return
        session = conn.cookies.get(SESSION_COOKIE, "")
        if not _valid_session(session):
            session = secrets.token_urlsafe(24)
            cookies.append(_cookie(SESSION_COOKIE, session))
        scope[SESSION_KEY] = session

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in _security_headers():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                headers += [(b"set-cookie", c.encode()) for c in cookies]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _check_access(self, conn: HTTPConnection) -> str:
        """"ok", "query" (valid token in the address) or "refused"."""
        assert self.access_token is not None
        token = self.access_token.encode("utf-8")
        auth = conn.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
                auth[7:].strip().encode("utf-8"), token):
            return "ok"
        cookie = conn.cookies.get(ACCESS_COOKIE, "")
        if cookie and hmac.compare_digest(cookie.encode("utf-8"),
                                          _access_value(self.access_token).encode("ascii")):
            return "ok"
        given = conn.query_params.get(TOKEN_PARAM)
        if given is not None and hmac.compare_digest(given.encode("utf-8"), token):
            return "query" if conn.scope["method"] in ("GET", "HEAD") else "ok"
        return "refused"


def _valid_session(value: str) -> bool:
    return 16 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def _cookie(name: str, value: str) -> str:
    # Lax, not Strict: a link to the desk from mail or chat must keep the session.
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Lax"


def _security_headers() -> list[tuple[str, str]]:
    return [
        ("content-security-policy", PAGE_POLICY),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        # Addresses stay on the desk (no Referer to other sites); "no-referrer" would
        # also make the browser send "Origin: null" with the desk's own forms.
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
        ("cross-origin-opener-policy", "same-origin"),
    ]


async def _plain(send: Send, status: int, text: str,
                 extra: dict[str, str] | None = None) -> None:
    body = (f"<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>l10n desk"
            f"</title><p>{html.escape(text)}</p></html>").encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    headers += [(k.encode(), v.encode()) for k, v in _security_headers()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, cookies: list[str]) -> None:
    headers: list[tuple[bytes, bytes]] = [(b"location", location.encode("utf-8")),
                                          (b"content-length", b"0")]
    headers += [(b"set-cookie", c.encode()) for c in cookies]
    headers += [(k.encode(), v.encode()) for k, v in _security_headers()]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})

