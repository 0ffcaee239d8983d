"""Network engines through deep-translator: google, deepl, microsoft, libre, mymemory,
chatgpt. This is the only module that imports deep_translator (and its HTTP library,
requests, whose exceptions it classifies).

What deep-translator 1.11.4 does not do, this adapter adds:

- Keys are read from the environment when the engine is set up (deep-translator reads
  them once, at import time) and passed explicitly; they are redacted from every
  message that leaves this module.
- Every call runs under a timeout (deep-translator sets none) and is retried with
  exponential backoff on network errors, timeouts, HTTP 429 and 5xx, and malformed
  answers.
- Our locale codes are mapped to each service's codes, and the pair is checked before
  any text is sent.

deep-translator sends one HTTP request per text for every engine, so a "batch" here is
the unit between saves, not one request.
"""

from __future__ import annotations

import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import requests
from deep_translator import (
    ChatGptTranslator,
    DeeplTranslator,
    GoogleTranslator,
    LibreTranslator,
    MicrosoftTranslator,
    MyMemoryTranslator,
)
from deep_translator import constants as dt_constants
from deep_translator import exceptions as dt_exc

from ..errors import ConfigError
from . import EngineError, TextFailure, UnsupportedLanguageError

# deep-translator's own environment variable names, where it has one.
KEY_ENV = {
    "deepl": dt_constants.DEEPL_ENV_VAR,  # DEEPL_API_KEY
    "microsoft": dt_constants.MSFT_ENV_VAR,  # MICROSOFT_API_KEY
    "libre": dt_constants.LIBRE_ENV_VAR,  # LIBRE_API_KEY
    "chatgpt": dt_constants.OPEN_AI_ENV_VAR,  # OPEN_API_KEY (sic)
}
KEY_REQUIRED = frozenset({"deepl", "microsoft", "chatgpt"})

_COMMON_OPTIONS = {"timeout", "retries", "retry_base", "retry_max", "batch_size", "api_key_env"}
_ENGINE_OPTIONS = {
    "google": set(),
    "deepl": {"free"},
    "microsoft": {"region"},
    "libre": {"url"},
    "mymemory": {"email"},
    "chatgpt": {"model"},
}
_SECRET_OPTIONS = {"api_key", "key", "apikey", "auth_key", "token", "secret", "password"}
DEFAULT_LIBRE_URL = "https://libretranslate.com/"

# Other spellings of a language code used by some services.
_ALIASES = {"nb": ["no"], "no": ["nb"], "he": ["iw"], "iw": ["he"], "fil": ["tl"],
            "tl": ["fil"], "jv": ["jw"], "yi": ["ji"], "id": ["in"]}
# Languages written in more than one script: never fall back from one to the other.
_SCRIPT_SENSITIVE = frozenset({"zh", "sr", "bs", "uz", "pa", "az", "mn"})


def engine_code(locale: str, codes: Iterable[str]) -> str | None:
    """The service's code for one of our locale codes (``pt_BR``, ``zh_Hans``, ``nb``),
    or None when the service has none. Regional variants fall back to the language
    (``pt_BR`` -> ``pt``); Chinese never falls back across scripts."""
    available = {c.lower(): c for c in codes}
    for candidate in _candidates(locale):
        if candidate.lower() in available:
            return available[candidate.lower()]
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang in _SCRIPT_SENSITIVE:
        return None
    # Services such as MyMemory only list regional codes ("de-DE", "ar-SA").
    regional = [c for c in codes if c.lower().startswith(lang + "-")]
    for code in regional:
        if code.lower() == f"{lang}-{lang}":
            return code
    return regional[0] if regional else None


def _candidates(locale: str) -> list[str]:
    parts = locale.replace("-", "_").split("_")
    lang, rest = parts[0].lower(), parts[1:]
    script = next((p.title() for p in rest if len(p) == 4 and p.isalpha()), None)
    region = next((p.upper() for p in rest if (len(p) == 2 and p.isalpha()) or
                   (len(p) == 3 and p.isdigit())), None)
    found: list[str] = []
    if script and region:
        found.append(f"{lang}-{script}-{region}")
    if script:
        found.append(f"{lang}-{script}")
    if region:
        found.append(f"{lang}-{region}")
    if lang == "zh":
        traditional = script == "Hant" or (script is None and region in ("TW", "HK", "MO"))
        found += ["zh-Hant", "zh-TW"] if traditional else ["zh-Hans", "zh-CN", "zh"]
        return found
    if script and lang in _SCRIPT_SENSITIVE:
        return found
    found.append(lang)
    found += _ALIASES.get(lang, [])
    return found


class _Timeout(Exception):
    pass


class _Caller:
    """Runs blocking calls with a time limit. deep-translator passes no timeout to
    requests, so calls run in a daemon worker thread; a worker stuck past the limit is
    abandoned (it ends when its call does) and the next call gets a new one."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], dict[str, Any],
                                            threading.Event]] | None = None

    def _work(self, jobs: queue.SimpleQueue[Any]) -> None:
        while True:
            func, box, done = jobs.get()
            try:
                box["value"] = func()
            except BaseException as exc:
                box["error"] = exc
            done.set()

    def call(self, func: Callable[[], Any], timeout: float) -> Any:
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=self._work, args=(self._jobs,), name="l10n-engine-call",
                             daemon=True).start()
        box: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put((func, box, done))
        if not done.wait(timeout):
            self._jobs = None  # that worker is stuck: leave it behind
            raise _Timeout()
        if "error" in box:
            raise box["error"]
        return box.get("value")


_STATUS_OF = {message: status for status, message in dt_exc.ServerException.errors.items()}
_URL_SECRET_RE = re.compile(r"((?:api_key|auth_key|apikey|key|token)=)[^&\s'\"]+", re.I)

_RETRY, _FATAL, _TEXT = "retry", "fatal", "text"


class DeepEngine:
    """One deep-translator service as an `Engine`."""

    def __init__(self, name: str, options: dict[str, Any], config_file: str | None = None,
                 environ: dict[str, str] | None = None):
        self.name = name
        self._where = config_file
        env = os.environ if environ is None else environ
        secret = sorted(set(options) & _SECRET_OPTIONS)
        if secret:
            raise ConfigError(
                f"[engines.{name}] {secret[0]}: API keys are read only from the environment"
                f" ({options.get('api_key_env') or KEY_ENV.get(name, 'no key needed')});"
                " remove it from the configuration", config_file)
        unknown = sorted(set(options) - _COMMON_OPTIONS - _ENGINE_OPTIONS[name])
        if unknown:
            raise ConfigError(f"unknown option {unknown[0]!r} in [engines.{name}]", config_file)
        self.timeout = self._number(options, "timeout", 30.0, minimum=0.01)
        self.retries = int(self._number(options, "retries", 4, minimum=0, whole=True))
        self.retry_base = self._number(options, "retry_base", 1.0, minimum=0)
        self.retry_max = self._number(options, "retry_max", 30.0, minimum=0)
        self.batch_size = int(self._number(options, "batch_size", 10, minimum=1, whole=True))
        self.options = options
        key_env = options.get("api_key_env", KEY_ENV.get(name))
        if key_env is not None and (not isinstance(key_env, str) or not key_env):
            raise ConfigError(f"[engines.{name}] api_key_env must be a variable name",
                              config_file)
        self.key_env = key_env
        self._key = env.get(key_env, "") if key_env else ""
        if name in KEY_REQUIRED and not self._key:
            raise ConfigError(f"the {name} engine needs an API key in the environment"
                              f" variable {key_env}", config_file)
        self.url = self._libre_url() if name == "libre" else None
        self.requests = 0
        self.errors = 0
        self._translator: Any = None
        self._caller = _Caller()
        self._codes: list[str] | None = None
        self._server_pairs: dict[str, set[str] | None] | None = None

    # ------------------------------------------------------------------ options

    def _number(self, options: dict[str, Any], key: str, default: float, minimum: float,
                whole: bool = False) -> float:
        value = options.get(key, default)
        ok = isinstance(value, int) if whole else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or value < minimum:
            kind = "a whole number" if whole else "a number"
            raise ConfigError(f"[engines.{self.name}] {key} must be {kind} >= {minimum}",
                              self._where)
        return float(value)

    def _libre_url(self) -> str:
        url = self.options.get("url", DEFAULT_LIBRE_URL)
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
            raise ConfigError("[engines.libre] url must be an http(s) address", self._where)
        return url if url.endswith("/") else url + "/"

    # ------------------------------------------------------------------ secrets

    def redact(self, text: str) -> str:
        """A message with the API key (in any URL spelling) replaced by ***."""
        return _URL_SECRET_RE.sub(r"\1***", self._without_key(text))

    def _without_key(self, text: str) -> str:
        if self._key:
            for form in {self._key, quote(self._key, safe=""), quote_plus(self._key)}:
                text = text.replace(form, "***")
        return text

    def _error(self, message: str) -> EngineError:
        return EngineError(self.redact(f"{self.name}: {message}"), self._where)

    # -------------------------------------------------------------- languages

    def supported_codes(self) -> list[str]:
        """The service's language codes, as deep-translator knows them."""
        if self._codes is None:
            if self.name in ("google", "chatgpt"):
                table = dt_constants.GOOGLE_LANGUAGES_TO_CODES
            elif self.name == "deepl":
                table = dt_constants.DEEPL_LANGUAGE_TO_CODE
            elif self.name == "libre":
                table = dt_constants.LIBRE_LANGUAGES_TO_CODES
            elif self.name == "mymemory":
                table = dt_constants.MY_MEMORY_LANGUAGES_TO_CODES
            else:  # microsoft: the list comes from the service, when the object is made
                self._translator = self._with_retries(lambda: self._make("auto", "en"),
                                                      "language list")
                table = self._translator.get_supported_languages(as_dict=True)
            self._codes = list(dict.fromkeys(table.values()))
        return self._codes

    def codes_for(self, source: str, target: str) -> tuple[str, str]:
        codes = self.supported_codes()
        src, dst = engine_code(source, codes), engine_code(target, codes)
        for locale, code in ((source, src), (target, dst)):
            if code is None:
                raise UnsupportedLanguageError(
                    f"the {self.name} engine cannot translate {source} -> {target}:"
                    f" it has no code for {locale}", self._where)
        assert src is not None and dst is not None
        return src, dst

    def check_pairs(self, pairs: list[tuple[str, str]]) -> None:
        # What deep-translator knows first (no request at all), then the server's list.
        codes = [self.codes_for(source, target) for source, target in pairs]
        if self.name != "libre":
            return
        offered = self._libre_server_pairs()
        if offered is None:
            return
        for (source, target), (src, dst) in zip(pairs, codes, strict=True):
            targets = offered.get(src, set())
            if src not in offered or (targets is not None and dst not in targets):
                raise UnsupportedLanguageError(
                    f"the LibreTranslate server at {self.url} does not offer"
                    f" {source} -> {target} ({src} -> {dst})", self._where)

    def _libre_server_pairs(self) -> dict[str, set[str] | None] | None:
        """source code -> target codes offered by the server (None: not said)."""
        if self._server_pairs is None:
            def fetch() -> Any:
                response = requests.get(self.url + "languages", timeout=self.timeout)
                if response.status_code == 404:
                    return None  # an old server without the list: rely on the table
                if response.status_code >= 500 or response.status_code == 429:
                    raise dt_exc.ServerException(response.status_code)
                if response.status_code >= 400:
                    raise EngineError(f"HTTP {response.status_code} for the language list")
                return response.json()

            data = self._with_retries(fetch, "language list")
            pairs: dict[str, set[str] | None] = {}
            if not isinstance(data, list):
                return None
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("code"), str):
                    targets = item.get("targets")
                    pairs[item["code"]] = ({t for t in targets if isinstance(t, str)}
                                           if isinstance(targets, list) else None)
            self._server_pairs = pairs
        return self._server_pairs

    # ------------------------------------------------------------ translating

    def _make(self, src: str, dst: str) -> Any:
        """A deep-translator object for one pair of service codes."""
        if self.name == "google":
            return GoogleTranslator(source=src, target=dst)
        if self.name == "mymemory":
            email = self.options.get("email")
            return MyMemoryTranslator(source=src, target=dst, **({"email": email} if email
                                                                    else {}))
        if self.name == "deepl":
            free = self.options.get("free", self._key.endswith(":fx"))
            return DeeplTranslator(source=src, target=dst, api_key=self._key,
                                   use_free_api=bool(free))
        if self.name == "microsoft":
            region = self.options.get("region")
            return MicrosoftTranslator(source=src, target=dst, api_key=self._key,
                                       region=region if isinstance(region, str) else None)
        if self.name == "libre":
            # deep-translator insists on a key even for servers that need none; with
            # the attribute cleared it sends no api_key parameter at all.
            translator = LibreTranslator(source=src, target=dst, api_key=self._key or "-",
                                         custom_url=self.url)
            translator.api_key = self._key or None
            return translator
        if self.name == "chatgpt":
            try:
                import openai  # noqa: F401  (deep-translator imports it per call)
            except ImportError:
                raise ConfigError("the chatgpt engine needs the openai package"
                                  " (pip install 'openai<1')", self._where) from None
            model = self.options.get("model", "gpt-3.5-turbo")
            return ChatGptTranslator(source=src, target=dst, api_key=self._key, model=model)
        raise ConfigError(f"unknown engine {self.name!r}", self._where)

    def translate_batch(self, texts: list[str], source: str, target: str
                        ) -> list[str | TextFailure]:
        src, dst = self.codes_for(source, target)
        if self._translator is None:
            self._translator = self._with_retries(lambda: self._make(src, dst), "setup")
        # One object serves every pair: its source and target are public properties.
        self._translator.source = src
        self._translator.target = dst
        return [self._translate_one(text) for text in texts]

    def _translate_one(self, text: str) -> str | TextFailure:
        translator = self._translator
        try:
            answer = self._with_retries(lambda: translator.translate(text), "translation",
                                        count=True)
        except _TextProblem as problem:
            return TextFailure(problem.reason)
        if not isinstance(answer, str):
            return TextFailure("no translation in the answer")
        # A service (or a proxy) that echoes the request would put the key into a
        # catalog: the answer is untrusted, the key never goes into a file. (A key
        # too short to be a real one could be an ordinary word: left alone.)
        if len(self._key) >= 8:
            answer = self._without_key(answer)
        if self.name == "chatgpt" and len(answer) > 1 and answer[0] == answer[-1] == '"' \
                and not text.startswith('"'):
            answer = answer[1:-1]  # deep-translator's prompt quotes the text
        return answer

    def _with_retries(self, func: Callable[[], Any], what: str, count: bool = False) -> Any:
        attempt = 0
        while True:
            if count:
                self.requests += 1
            try:
                return self._caller.call(func, self.timeout)
            except ConfigError:
                raise
            except EngineError as exc:
                raise self._error(exc.message) from None
            except Exception as exc:
                self.errors += 1
                verdict, reason = self._classify(exc)
                if verdict == _TEXT:
                    raise _TextProblem(self.redact(reason)) from None
                if verdict == _FATAL:
                    raise self._error(reason) from None
                attempt += 1
                if attempt > self.retries:
                    raise self._error(f"{what} failed {attempt} times; last: {reason}"
                                      ) from None
                time.sleep(min(self.retry_max, self.retry_base * 2 ** (attempt - 1)))

    def _classify(self, exc: Exception) -> tuple[str, str]:
        """Whether a failed call is worth retrying, fatal, or about this text only."""
        where = f" at {self.url}" if self.url else ""
        if isinstance(exc, _Timeout):
            return _RETRY, f"no answer within {self.timeout:g} s{where}"
        if isinstance(exc, dt_exc.AuthorizationException):
            # Its message contains the key: never shown.
            hint = f"; check {self.key_env}" if self.key_env else ""
            return _FATAL, f"the service refused the API key (HTTP 403){hint}"
        if isinstance(exc, dt_exc.ServerException):
            message = str(exc)
            status = _STATUS_OF.get(message)
            shown = f"HTTP {status} ({message})" if status else f"server error ({message})"
            if status in (400, 413, 422):
                return _TEXT, f"the service rejected this text: {shown}"
            if status in (401, 402, 403, 404, 501):
                return _FATAL, shown + where
            return _RETRY, shown + where
        if isinstance(exc, dt_exc.TooManyRequests):
            return _RETRY, "HTTP 429 (too many requests)"
        if isinstance(exc, dt_exc.RequestError):
            return _RETRY, "request failed"
        if isinstance(exc, requests.exceptions.JSONDecodeError | ValueError):
            return _RETRY, f"malformed answer (not JSON){where}"
        if isinstance(exc, requests.exceptions.RequestException):
            return _RETRY, f"cannot reach the service{where}: {_one_line(exc)}"
        if isinstance(exc, dt_exc.TranslationNotFound | dt_exc.NotValidLength
                      | dt_exc.NotValidPayload):
            return _TEXT, f"{type(exc).__name__}: {_one_line(exc.message)}"
        if isinstance(exc, dt_exc.MicrosoftAPIerror):
            code = re.search(r"'code':\s*(\d+)", exc.api_message)
            status = int(code.group(1)[:3]) if code else 0
            if status == 429 or status >= 500:
                return _RETRY, f"HTTP {status}"
            if status in (401, 403):
                return _FATAL, f"the service refused the API key (HTTP {status})"
            return _TEXT, f"the service rejected this text (HTTP {status or '?'})"
        if isinstance(exc, dt_exc.BaseError):
            return _FATAL, f"{type(exc).__name__}: {_one_line(exc.message)}"
        if isinstance(exc, KeyError | TypeError | AttributeError | IndexError):
            return _TEXT, f"unexpected answer ({type(exc).__name__})"
        return _TEXT, f"{type(exc).__name__}: {_one_line(exc)}"


class _TextProblem(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 300 else text[:297] + "..."
