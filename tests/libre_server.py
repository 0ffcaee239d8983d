"""A LibreTranslate-compatible HTTP server on 127.0.0.1, for tests and benchmarks.

It answers ``POST /translate`` (parameters in the query string, as a form or as JSON:
``q``, ``source``, ``target``, ``format``, ``api_key``) and ``GET /languages``. It
translates deterministically: the text gets a ``[target]`` prefix and a few common
words are replaced from a small dictionary; anything else, placeholder tokens included,
is kept. It counts requests and can be told to misbehave, request by request:

    with LibreServer() as server:
        server.script("429", "500")        # the next two requests fail, then all is well
        server.default = "malformed"       # or: every request without a script fails
        ... server.translate_requests ...

Actions: ``ok``, any HTTP status (``"429"``, ``"500"``, ``"403"``, ...), ``slow:SECONDS``,
``malformed`` (broken JSON), ``drop-tokens``, ``mangle-tokens``, ``control`` (control
characters and a lone surrogate), ``long`` (an absurdly long answer), ``empty``,
``no-field`` (JSON without translatedText), ``html`` (markup, event handlers, a
``javascript:`` URL and made-up placeholders around the translation), ``echo-key`` (the
request's api_key in the translation, as a careless proxy might), ``echo-key-500`` (the
api_key in an HTTP 500 error body), ``not-text`` (translatedText is a number),
``binary`` (bytes that are not text, as latin-1 characters).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "ar", "ja", "zh", "pt")
WORDS = {
    "de": {"the": "die", "and": "und", "is": "ist", "new": "neue", "report": "Bericht",
           "city": "Stadt", "council": "Rat", "read": "lies"},
    "fr": {"the": "le", "and": "et", "is": "est", "new": "nouveau", "report": "rapport"},
}
_TOKEN_RE = re.compile(r"[⟦⟪⦃](\d+)[⟧⟫⦄]")
_WORD_RE = re.compile(r"[A-Za-z]+")


def fake_translate(text: str, target: str) -> str:
    """The server's deterministic 'translation'."""
    table = WORDS.get(target, {})
    body = _WORD_RE.sub(lambda m: table.get(m.group(0).lower(), m.group(0)), text)
    return f"[{target}] {body}"


class LibreServer:
    """The server, run in a background thread; use it as a context manager."""

    def __init__(self, languages: tuple[str, ...] = DEFAULT_LANGUAGES,
                 api_key: str | None = None):
        self.languages = languages
        self.api_key = api_key  # when set, requests must carry it
        self.default = "ok"
        self.translate_requests = 0
        self.language_requests = 0
        self.texts: list[str] = []  # q of every translate request, in order
        self.keys_seen: list[str | None] = []
        self._plan: deque[str] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- control

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def script(self, *actions: str) -> None:
        """What the next requests to /translate do, in order."""
        with self._lock:
            self._plan.extend(actions)

    def reset_counts(self) -> None:
        with self._lock:
            self.translate_requests = 0
            self.language_requests = 0
            self.texts.clear()
            self.keys_seen.clear()

    def start(self) -> LibreServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False  # slow answers must not hold up stop()
        self._httpd = httpd
        # A short poll interval: stop() waits for the loop to notice.
        self._thread = threading.Thread(target=httpd.serve_forever, args=(0.02,),
                                        name="libre-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LibreServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ requests

    def _handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(req.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        if body:
            kind = req.headers.get("Content-Type", "")
            if "json" in kind:
                try:
                    data = json.loads(body)
                except ValueError:
                    return self._send(req, 400, {"error": "Invalid JSON"})
                if isinstance(data, dict):
                    params.update({k: v for k, v in data.items() if isinstance(v, str)})
            else:
                params.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
        path = parts.path.rstrip("/")
        if method == "GET" and path == "/languages":
            with self._lock:
                self.language_requests += 1
            langs = [{"code": c, "name": c, "targets": [t for t in self.languages if t != c]}
                     for c in self.languages]
            return self._send(req, 200, langs)
        if method == "POST" and path == "/translate":
            return self._translate(req, params)
        return self._send(req, 404, {"error": "Not Found"})

    def _translate(self, req: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        with self._lock:
            self.translate_requests += 1
            self.texts.append(params.get("q", ""))
            self.keys_seen.append(params.get("api_key"))
            action = self._plan.popleft() if self._plan else self.default
        if self.api_key is not None and params.get("api_key") != self.api_key:
            return self._send(req, 403, {"error": "Invalid API key"})
        if action.isdigit():
            return self._send(req, int(action), {"error": f"status {action}"})
        if action.startswith("slow:"):
            time.sleep(float(action.split(":", 1)[1]))
            action = "ok"
        text, source, target = params.get("q"), params.get("source"), params.get("target")
        if text is None or not source or not target:
            return self._send(req, 400, {"error": "Invalid request: missing parameter"})
        if source not in self.languages or target not in self.languages:
            return self._send(req, 400, {"error": f"{source} -> {target} is not supported"})
        if action == "malformed":
            return self._send_raw(req, 200, b'{"translatedText": "unterminated')
        if action == "no-field":
            return self._send(req, 200, {"detail": "nothing here"})
        if action == "not-text":
            return self._send(req, 200, {"translatedText": 42})
        if action == "echo-key-500":
            return self._send(req, 500, {"error": f"bad request with key {params.get('api_key')}"})
        result = fake_translate(text, target)
        if action == "drop-tokens":
            result = _TOKEN_RE.sub("", result)
        elif action == "mangle-tokens":
            result = _TOKEN_RE.sub(lambda m: f"[{m.group(1)}]", result)
        elif action == "control":
            result = "\x00\x07" + result + "\x1b[31m\ufeff\ud800"
        elif action == "long":
            result = result * 500
        elif action == "empty":
            result = ""
        elif action == "html":
            result = ('<script>alert(1)</script><img src=x onerror="alert(2)"> '
                      f'<a href="javascript:alert(3)">{result}</a> <a1>made up</a1> &lt;b&gt;')
        elif action == "echo-key":
            result = f"{result} (key: {params.get('api_key')})"
        elif action == "binary":
            result = bytes(range(256)).decode("latin-1") + result
        elif action != "ok":
            raise ValueError(f"unknown action {action!r}")
        return self._send(req, 200, {"translatedText": result})

    def _send(self, req: BaseHTTPRequestHandler, status: int, data: Any) -> None:
        # ensure_ascii keeps a lone surrogate encodable (as \\ud800), like a real server.
        self._send_raw(req, status, json.dumps(data).encode("ascii"))

    def _send_raw(self, req: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        try:
            req.send_response(status)
            req.send_header("Content-Type", "application/json")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (timeout tests)
