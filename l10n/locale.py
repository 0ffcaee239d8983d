"""Locale facts from Babel: codes, names, plural forms, direction, dates; and the
tool's own messages (the origin note and the draft notice) in many languages."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from pathlib import Path

from babel import Locale, UnknownLocaleError

from .errors import LocaleError

ORIGIN_NOTE = "This article was originally written in {language}."
DRAFT_NOTICE = "This is a machine-translated draft that has not been reviewed yet."

_CODE_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


def normalize_locale(code: str, where: str | Path | None = None) -> str:
    """A locale code in gettext form (``pt_BR``, ``zh_Hans``), checked against Babel."""
    raw = code.strip()
    if not _CODE_RE.match(raw):
        raise LocaleError(f"unknown locale code {code!r}", where)
    parts = raw.replace("-", "_").split("_")
    # The code as written, in gettext's letter case: Babel's own form would add likely
    # subtags (zh_TW -> zh_Hant_TW, iw -> he_IL) and rename the user's folders.
    canonical = "_".join([parts[0].lower(), *(
        p.title() if len(p) == 4 and p.isalpha() else p.upper() if len(p) in (2, 3) else p
        for p in parts[1:])])
    try:
        Locale.parse(canonical)
    except (UnknownLocaleError, ValueError):
        # Babel knows no "en_ZZ"; accept it if Babel knows the language.
        try:
            Locale.parse(parts[0].lower())
        except (UnknownLocaleError, ValueError):
            raise LocaleError(f"unknown locale code {code!r}", where) from None
    return canonical


def bcp47(code: str) -> str:
    """The HTML form of a locale code: ``pt_BR`` -> ``pt-BR``."""
    return code.replace("_", "-")


@cache
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(code.replace("-", "_").split("_")[0])


def language_of(code: str) -> str:
    return code.replace("-", "_").split("_")[0].lower()


def same_language(a: str, b: str) -> bool:
    return language_of(a) == language_of(b)


def is_rtl(code: str) -> bool:
    """Whether Babel's locale data writes this locale right to left."""
    return _locale(code).text_direction == "rtl"


def language_name(lang: str, in_locale: str) -> str:
    """The name of language ``lang`` (its language part only) in locale ``in_locale``."""
    name = Locale.parse(language_of(lang)).get_language_name(_locale(in_locale))
    return name or language_of(lang)


def display_name(code: str, in_locale: str = "en") -> str:
    return _locale(code).get_display_name(_locale(in_locale)) or code


def plural_forms(code: str) -> str:
    """The Plural-Forms header value for a locale."""
    # Imported here: babel.messages loads its catalog and date modules, which a
    # command that finds everything up to date never needs.
    from babel.messages.plurals import get_plural

    return str(get_plural(_locale(code)))


def format_datetime_text(value: str, target: str) -> str | None:
    """The text of a ``<time datetime=value>`` element in the target locale, or None."""
    # Imported on first use: only merge formats dates, and every command imports
    # this module.
    from babel.dates import format_date, format_time

    value = value.strip()
    loc = _locale(target)
    try:
        if len(value) == 10:
            return format_date(dt.date.fromisoformat(value), format="long", locale=loc)
        if len(value) >= 16 and value[10] in "T ":
            moment = dt.datetime.fromisoformat(value.replace("z", "Z"))
            # A long date and a short time ("20 November 2026 at 09:30"), joined the
            # way the locale joins them; the time stays in the page's own time zone.
            day = format_date(moment.date(), format="long", locale=loc)
            clock = format_time(moment.timetz() if moment.tzinfo else moment.time(),
                                format="short", locale=loc)
            pattern = str(loc.datetime_formats.get("long", "{1} {0}"))
            return pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")
    except (ValueError, TypeError, LookupError):
        return None
    return None


@cache
def _messages(lang: str) -> dict[str, str]:
    # Imported here: polib is the catalog layer's library, and this only reads
    # the tool's own small catalogs that ship inside the package.
    import polib

    folder = resources.files("l10n") / "messages"
    entry = folder / f"{lang}.po"
    if not entry.is_file():
        return {}
    catalog = polib.pofile(entry.read_text(encoding="utf-8"))
    return {e.msgid: e.msgstr for e in catalog if e.msgstr and "fuzzy" not in e.flags}


def tool_message(msgid: str, target: str) -> str:
    """One of the tool's own sentences in the target locale (English when it has none)."""
    for candidate in (target, language_of(target)):
        text = _messages(candidate).get(msgid)
        if text:
            return text
    return msgid


def origin_note(source_lang: str, target: str) -> str:
    """'This article was originally written in German.' in the target language."""
    name = language_name(source_lang, target)
    return tool_message(ORIGIN_NOTE, target).replace("{language}", name)


def draft_notice(target: str) -> str:
    return tool_message(DRAFT_NOTICE, target)


def message_languages() -> list[str]:
    folder = resources.files("l10n") / "messages"
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".po"))
