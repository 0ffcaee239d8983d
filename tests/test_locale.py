"""Locale facts from Babel and the tool's own message catalogs."""

from __future__ import annotations

import pytest
from conftest import REPO, msgfmt_check

from l10n.errors import LocaleError
from l10n.locale import (
    DRAFT_NOTICE,
    ORIGIN_NOTE,
    bcp47,
    draft_notice,
    format_datetime_text,
    is_rtl,
    language_name,
    message_languages,
    normalize_locale,
    origin_note,
    plural_forms,
)

REQUIRED = ["de", "en", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr", "ar", "fa", "he",
            "hi", "ja", "ko", "zh"]


def test_the_note_ships_in_every_required_language() -> None:
    assert set(REQUIRED) <= set(message_languages())


@pytest.mark.parametrize("lang", REQUIRED)
def test_message_catalog_is_valid_and_complete(lang: str) -> None:
    path = REPO / "l10n" / "messages" / f"{lang}.po"
    msgfmt_check(path)
    note = origin_note("de", lang)
    assert language_name("de", lang) in note
    if lang != "en":
        assert note != ORIGIN_NOTE.replace("{language}", "German")
        assert draft_notice(lang) != DRAFT_NOTICE


def test_regional_locale_falls_back_to_its_language() -> None:
    assert origin_note("de", "pt_BR") == "Este artigo foi escrito originalmente em alemão."
    assert origin_note("de", "de_AT").startswith("Dieser Artikel wurde ursprünglich")


def test_locale_without_catalog_falls_back_to_english_sentence_with_local_name() -> None:
    # Swahili has no catalog: the sentence is English, the language name is Swahili's.
    assert origin_note("de", "sw") == "This article was originally written in Kijerumani."


@pytest.mark.parametrize(("code", "rtl"), [("ar", True), ("he", True), ("fa", True),
                                           ("ur", True), ("en", False), ("ja", False)])
def test_direction_comes_from_babel(code: str, rtl: bool) -> None:
    assert is_rtl(code) is rtl


def test_locale_codes_are_normalized_and_checked() -> None:
    assert normalize_locale("pt-BR") == "pt_BR"
    assert normalize_locale("en") == "en"
    assert bcp47("pt_BR") == "pt-BR"
    # Letter case and separator only: no likely subtags added, no codes replaced, so
    # the folders are the ones the user named.
    assert normalize_locale("zh-tw") == "zh_TW"
    assert normalize_locale("zh-hant") == "zh_Hant"
    assert normalize_locale("ES-419") == "es_419"
    assert normalize_locale("iw") == "iw"
    assert normalize_locale("en-zz") == "en_ZZ"  # unknown region of a known language
    assert is_rtl("iw") and is_rtl("he_IL")
    with pytest.raises(LocaleError):
        normalize_locale("xx")
    with pytest.raises(LocaleError):
        normalize_locale("not a locale")


def test_plural_forms_from_babel() -> None:
    assert plural_forms("ja") == "nplurals=1; plural=0;"
    assert plural_forms("en") == "nplurals=2; plural=(n != 1);"


def test_dates_are_formatted_for_the_locale() -> None:
    assert format_datetime_text("2026-11-20", "de") == "20. November 2026"
    assert format_datetime_text("2026-11-20", "en") == "November 20, 2026"
    assert format_datetime_text("2026-11-20", "ja") == "2026年11月20日"
    assert "09:30" in (format_datetime_text("2026-11-18T09:30:00Z", "de") or "")
    assert format_datetime_text("PT2H", "de") is None
    assert format_datetime_text("next week", "de") is None
