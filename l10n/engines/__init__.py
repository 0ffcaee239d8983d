"""Machine translation engines: the `Engine` protocol, the registry, and the
placeholder protection every engine relies on.

Engines see protected text only: each placeholder of a segment (``<a1>``, ``</a1>``,
``<br2/>``) is replaced by a numbered token such as ``⟦0⟧`` before the text leaves
the process, and put back afterwards. Engine output is untrusted: `restore_placeholders`
escapes everything between tokens, so an engine can drop or mangle a placeholder (which
`model.placeholder_problems` then reports) but never invent one or break the catalog.

deep-translator is imported by `l10n.engines.deep` only, and only when a network engine
is chosen, so the offline ``pseudo`` engine works without it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..config import Config
from ..errors import ConfigError, L10nError
from ..model import escape_text, tokenize

# Engines reached through deep-translator (see l10n/engines/deep.py).
DEEP_ENGINES = ("google", "deepl", "microsoft", "libre", "mymemory", "chatgpt")
ENGINE_NAMES = ("pseudo", *DEEP_ENGINES)


class EngineError(L10nError):
    """A translation engine failed in a way retrying did not fix."""

    summary: Any = None  # what the interrupted step had done (set by l10n.translate)


class UnsupportedLanguageError(ConfigError):
    """The engine cannot translate between the two languages."""


@dataclass(frozen=True)
class TextFailure:
    """An engine could not translate one text; the others of the batch are fine."""

    reason: str


@runtime_checkable
class Engine(Protocol):
    """What `l10n.translate` needs from an engine.

    ``translate_batch`` receives protected texts (placeholders replaced by tokens) and
    our locale codes; it returns one result per text, in order: the translation, or a
    `TextFailure` for a text the engine could not translate. It raises `EngineError`
    when the engine as a whole fails (retries exhausted, key refused).
    """

    name: str
    batch_size: int  # texts per call, and so per save
    requests: int  # calls made to the service so far (retries included)
    errors: int  # failed calls so far (retried or not)

    def check_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """Raise `UnsupportedLanguageError` unless the engine can translate every
        (source, target) pair of locales. Sends no text."""

    def translate_batch(self, texts: list[str], source: str, target: str
                        ) -> list[str | TextFailure]:
        """Translate protected texts from locale ``source`` to locale ``target``."""


def get_engine(name: str, cfg: Config) -> Engine:
    """The engine called ``name``, set up from ``[tool.l10n.engines.<name>]``."""
    options = engine_options(cfg, name)
    if name == "pseudo":
        from .pseudo import PseudoEngine

        return PseudoEngine(options, cfg.rel(cfg.config_file) if cfg.config_file else None)
    if name in DEEP_ENGINES:
        from .deep import DeepEngine

        return DeepEngine(name, options, cfg.rel(cfg.config_file) if cfg.config_file else None)
    raise ConfigError(f"unknown engine {name!r} (known: {', '.join(ENGINE_NAMES)})",
                      cfg.rel(cfg.config_file) if cfg.config_file else None)


def engine_options(cfg: Config, name: str) -> dict[str, Any]:
    options = cfg.engines.get(name, {})
    if not isinstance(options, Mapping):
        raise ConfigError(f"[engines.{name}] must be a table",
                          cfg.rel(cfg.config_file) if cfg.config_file else None)
    return dict(options)


# ------------------------------------------------------------ placeholder tokens

# Bracket pairs for tokens, tried in order: the first one that does not already occur
# in the text is used, so literal text can never be read back as a token.
_TOKEN_BRACKETS = (("⟦", "⟧"), ("⟪", "⟫"), ("⦃", "⦄"))


@dataclass(frozen=True)
class Protected:
    """A segment as sent to an engine: text with tokens, and what each token stands for."""

    text: str
    placeholders: tuple[str, ...]  # the placeholder markup behind token N
    brackets: tuple[str, str]

    def token_re(self) -> re.Pattern[str]:
        left, right = (re.escape(b) for b in self.brackets)
        # Engines like to add spaces inside or drop the brackets' closing twin; accept
        # the spaced form, nothing looser.
        return re.compile(left + r"\s*(\d+)\s*" + right)


def protect_placeholders(message: str) -> Protected:
    """Replace each placeholder of a msgid by a numbered token; unescape the text."""
    tokens = tokenize(message)
    plain = "".join(t.value for t in tokens if t.kind == "text")
    brackets = next((b for b in _TOKEN_BRACKETS if b[0] not in plain and b[1] not in plain),
                    _TOKEN_BRACKETS[0])
    parts: list[str] = []
    markup: list[str] = []
    for tok in tokens:
        if tok.kind == "text":
            parts.append(tok.value)
            continue
        shape = {"open": "<{}>", "close": "</{}>", "empty": "<{}/>"}[tok.kind]
        parts.append(f"{brackets[0]}{len(markup)}{brackets[1]}")
        markup.append(shape.format(tok.value))
    return Protected("".join(parts), tuple(markup), brackets)


def restore_placeholders(protected: Protected, translated: str) -> str:
    """Engine output back in msgstr form: tokens become placeholders again, every other
    character is escaped text. Unknown token numbers stay as (escaped) text."""
    out: list[str] = []
    pos = 0
    for m in protected.token_re().finditer(translated):
        out.append(escape_text(translated[pos : m.start()]))
        index = int(m.group(1))
        if index < len(protected.placeholders):
            out.append(protected.placeholders[index])
        else:
            out.append(escape_text(m.group(0)))
        pos = m.end()
    out.append(escape_text(translated[pos:]))
    return "".join(out)


# ----------------------------------------------------------------- untrusted output

MAX_GROWTH = 5  # an answer may be this many times longer than its source (plus slack)
MAX_SLACK = 200


def clean_output(text: str, source: str) -> str:
    """Engine output made safe for a catalog: no control characters, surrogates,
    byte-order marks or noncharacters; line breaks only where the source has some."""
    keep_newlines = "\n" in source
    out: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            out.append(ch if keep_newlines else " ")
        elif cat in ("Cc", "Cs") or ch == "\ufeff" or _is_noncharacter(ch):
            continue  # controls and lone surrogates cannot be written to a PO file
        else:
            out.append(ch)
    cleaned = "".join(out)
    if not keep_newlines:
        cleaned = re.sub(r"  +", " ", cleaned)
    return cleaned.strip()


def _is_noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def output_problem(text: str, source: str) -> str | None:
    """Why an engine's answer cannot be used at all, or None."""
    if not text:
        return "empty answer"
    limit = MAX_GROWTH * len(source) + MAX_SLACK
    if len(text) > limit:
        return f"implausibly long answer ({len(text)} characters for {len(source)})"
    return None
