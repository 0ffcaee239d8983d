"""The offline ``pseudo`` engine: deterministic pseudo-localization.

``This is text`` becomes ``[Ŧĥïš ïš ţêxţ ~~~~]``: every ASCII letter accented, about a
third longer, bracketed. Layouts that cut text, hard-coded strings that never reach the
catalog and fonts without accents show up at once, before any real translation exists.
Placeholder tokens and placeholders are copied unchanged.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import ConfigError
from ..model import PLACEHOLDER_RE
from . import TextFailure

_ACCENTED = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "ÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŦÛṼŴẊÝŽåƀçðêƒĝĥïĵķļɱñöþǫŕšţûṽŵẋýž",
)
# Anything that must survive untouched: our tokens (any bracket pair) and placeholders.
_KEEP_RE = re.compile(r"[⟦⟪⦃]\s*\d+\s*[⟧⟫⦄]|" + PLACEHOLDER_RE.pattern)
DEFAULT_EXPANSION = 0.35  # pseudo text is this much longer, padding included
_OPTIONS = {"expansion", "batch_size"}


def pseudo_localize(text: str, expansion: float = DEFAULT_EXPANSION) -> str:
    """The pseudo-localized form of a (protected) text. Deterministic."""
    out: list[str] = []
    pos = 0
    for m in _KEEP_RE.finditer(text):
        out.append(text[pos : m.start()].translate(_ACCENTED))
        out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:].translate(_ACCENTED))
    body = "".join(out)
    visible = len(_KEEP_RE.sub("", text))
    # Brackets and the space count towards the growth; at least one tilde is shown.
    pad = max(1, math.ceil(visible * expansion) - 3)
    return f"[{body} {'~' * pad}]"


class PseudoEngine:
    """Pseudo-localization as an `Engine`: every language pair, no network."""

    name = "pseudo"

    def __init__(self, options: dict[str, Any], config_file: str | None = None):
        unknown = sorted(set(options) - _OPTIONS)
        if unknown:
            raise ConfigError(f"unknown option {unknown[0]!r} in [engines.pseudo]", config_file)
        expansion = options.get("expansion", DEFAULT_EXPANSION)
        if not isinstance(expansion, int | float) or not 0 <= expansion <= 2:
            raise ConfigError("[engines.pseudo] expansion must be a number from 0 to 2",
                              config_file)
        batch = options.get("batch_size", 200)
        if not isinstance(batch, int) or batch < 1:
            raise ConfigError("[engines.pseudo] batch_size must be a positive whole number",
                              config_file)
        self.expansion = float(expansion)
        self.batch_size = batch
        self.requests = 0
        self.errors = 0

    def check_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """Pseudo-localization works for any pair."""

    def translate_batch(self, texts: list[str], source: str, target: str
                        ) -> list[str | TextFailure]:
        self.requests += 1
        return [pseudo_localize(t, self.expansion) for t in texts]
