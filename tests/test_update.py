"""update: templates -> per-locale catalogs, with msgmerge semantics."""

from __future__ import annotations

from pathlib import Path

import polib
from conftest import msgfmt_check, write_config


def make(root: Path, body: str, langs: list[str] | None = None) -> None:
    (root / "source").mkdir(parents=True, exist_ok=True)
    write_config(root, langs or ["en", "ar"])
    (root / "source" / "story.html").write_text(
        f'<html lang="de"><head><title>Titel der Geschichte</title></head>'
        f'<body>{body}</body></html>',
        encoding="utf-8")


def po_of(root: Path, lang: str = "en") -> polib.POFile:
    return polib.pofile(str(root / "locales" / lang / "LC_MESSAGES" / "story.po"))


def translate(root: Path, mapping: dict[str, str], lang: str = "en",
              fuzzy: bool = False) -> None:
    path = root / "locales" / lang / "LC_MESSAGES" / "story.po"
    po = polib.pofile(str(path))
    for e in po:
        if e.msgid in mapping:
            e.msgstr = mapping[e.msgid]
            if fuzzy:
                e.flags.append("fuzzy")
    po.save(str(path))


def test_update_creates_catalogs_with_headers(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Der erste Absatz.</p>")
    assert cli(root, "extract").exit_code == 0
    result = cli(root, "update")
    assert result.exit_code == 0, result.output
    for lang, nplurals in (("en", "nplurals=2"), ("ar", "nplurals=6")):
        path = root / "locales" / lang / "LC_MESSAGES" / "story.po"
        msgfmt_check(path)
        po = polib.pofile(str(path))
        assert po.metadata["Language"] == lang
        assert po.metadata["Plural-Forms"].startswith(nplurals)
        assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
        assert po.metadata["X-Source-Language"] == "de"
        assert [e.msgid for e in po] == ["Titel der Geschichte", "Der erste Absatz."]


def test_unchanged_entries_keep_their_translation(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Der erste Absatz.</p>")
    cli(root, "extract")
    cli(root, "update")
    translate(root, {"Der erste Absatz.": "The first paragraph."})
    (root / "source" / "story.html").write_text(
        '<html lang="de"><head><title>Titel der Geschichte</title></head><body>'
        "<p>Der erste Absatz.</p><p>Ein neuer Absatz.</p></body></html>", encoding="utf-8")
    cli(root, "extract")
    result = cli(root, "update")
    assert result.exit_code == 0
    po = po_of(root)
    first = po.find("Der erste Absatz.")
    assert first.msgstr == "The first paragraph." and "fuzzy" not in first.flags
    assert po.find("Ein neuer Absatz.").msgstr == ""
    msgfmt_check(root / "locales/en/LC_MESSAGES/story.po")


def test_edited_source_gets_old_translation_as_fuzzy_with_previous_msgid(
        tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Der Stadtrat hat am Donnerstag neue Radwege beschlossen.</p>")
    cli(root, "extract")
    cli(root, "update")
    translate(root, {"Der Stadtrat hat am Donnerstag neue Radwege beschlossen.":
                     "On Thursday the council approved new bike lanes."})
    make(root, "<p>Der Stadtrat hat am Freitag neue Radwege beschlossen.</p>")
    cli(root, "extract")
    result = cli(root, "update")
    assert "1 fuzzy matches" in result.output
    po = po_of(root)
    entry = po.find("Der Stadtrat hat am Freitag neue Radwege beschlossen.")
    assert entry.msgstr == "On Thursday the council approved new bike lanes."
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == "Der Stadtrat hat am Donnerstag neue Radwege beschlossen."
    # The old entry survives as obsolete: the translation is never silently deleted.
    obsolete = po.obsolete_entries()
    assert [e.msgstr for e in obsolete] == ["On Thursday the council approved new bike lanes."]
    text = (root / "locales/en/LC_MESSAGES/story.po").read_text(encoding="utf-8")
    assert "#| msgid" in text and "#~ msgid" in text
    msgfmt_check(root / "locales/en/LC_MESSAGES/story.po")


def test_removed_segment_becomes_obsolete_and_comes_back(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Bleibt.</p><p>Verschwindet bald.</p>")
    cli(root, "extract")
    cli(root, "update")
    translate(root, {"Verschwindet bald.": "Soon gone.", "Bleibt.": "Stays."})
    make(root, "<p>Bleibt.</p>")
    cli(root, "extract")
    cli(root, "update")
    po = po_of(root)
    assert po.find("Verschwindet bald.") is None
    assert [(e.msgid, e.msgstr) for e in po.obsolete_entries()] == [
        ("Verschwindet bald.", "Soon gone.")]
    make(root, "<p>Bleibt.</p><p>Verschwindet bald.</p>")
    cli(root, "extract")
    cli(root, "update")
    po = po_of(root)
    back = po.find("Verschwindet bald.")
    assert back is not None and back.msgstr == "Soon gone." and not back.obsolete
    assert po.obsolete_entries() == []


def test_untranslated_removed_entries_are_dropped(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Bleibt.</p><p>Nie übersetzt.</p>")
    cli(root, "extract")
    cli(root, "update")
    make(root, "<p>Bleibt.</p>")
    cli(root, "extract")
    cli(root, "update")
    assert po_of(root).obsolete_entries() == []


def test_translator_headers_and_comments_survive_update(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Erster.</p>")
    cli(root, "extract")
    cli(root, "update")
    path = root / "locales/en/LC_MESSAGES/story.po"
    po = polib.pofile(str(path))
    po.metadata["Last-Translator"] = "Ana Translator <ana@example.com>"
    po.metadata["X-Custom"] = "kept"
    e = po.find("Erster.")
    e.msgstr = "First."
    e.tcomment = "checked with the desk"
    po.save(str(path))
    make(root, "<p>Erster.</p><p>Zweiter.</p>")
    cli(root, "extract")
    cli(root, "update")
    po = polib.pofile(str(path))
    assert po.metadata["Last-Translator"] == "Ana Translator <ana@example.com>"
    assert po.metadata["X-Custom"] == "kept"
    assert po.find("Erster.").tcomment == "checked with the desk"


def test_second_update_changes_nothing(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Erster.</p>")
    cli(root, "extract")
    cli(root, "update")
    before = (root / "locales/en/LC_MESSAGES/story.po").read_bytes()
    result = cli(root, "update")
    assert "0 written, 2 unchanged" in result.output
    assert (root / "locales/en/LC_MESSAGES/story.po").read_bytes() == before


def test_update_only_named_languages(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Erster.</p>")
    cli(root, "extract")
    assert cli(root, "update", "--lang", "ar").exit_code == 0
    assert (root / "locales/ar/LC_MESSAGES/story.po").exists()
    assert not (root / "locales/en/LC_MESSAGES/story.po").exists()


def test_obsolete_entries_are_kept_once_over_many_updates(tmp_path: Path, cli) -> None:
    # Regression: a POFile iterates over its obsolete entries too; update used to add
    # them a second time, so the second update wrote each one twice (msgfmt: fatal).
    root = tmp_path / "ws"
    make(root, "<p>Der erste Absatz.</p><p>Der zweite Absatz.</p>")
    cli(root, "extract")
    cli(root, "update")
    translate(root, {"Der zweite Absatz.": "The second paragraph."})
    make(root, "<p>Der erste Absatz.</p>")
    cli(root, "extract")
    for _ in range(3):
        assert cli(root, "update").exit_code == 0
        po = po_of(root)
        gone = [e for e in po if e.obsolete]
        assert [(e.msgid, e.msgstr) for e in gone] == [
            ("Der zweite Absatz.", "The second paragraph.")]
        msgfmt_check(root / "locales" / "en" / "LC_MESSAGES" / "story.po")


def test_a_translation_in_an_obsolete_twin_of_an_empty_entry_survives(tmp_path: Path,
                                                                      cli) -> None:
    # A git merge can leave an active, empty entry next to an obsolete translated one.
    root = tmp_path / "ws"
    make(root, "<p>Hallo Welt.</p><p>Zweiter Satz.</p>")
    cli(root, "extract")
    cli(root, "update")
    path = root / "locales/en/LC_MESSAGES/story.po"
    path.write_text(path.read_text(encoding="utf-8") + '\n#~ msgid "Hallo Welt."\n'
                    '#~ msgstr "Hello world (human)."\n', encoding="utf-8")
    assert cli(root, "update").exit_code == 0
    po = po_of(root)
    assert po.find("Hallo Welt.").msgstr == "Hello world (human)."
    msgfmt_check(path)


def test_two_translations_of_one_entry_keep_both(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    make(root, "<p>Hallo Welt.</p>")
    cli(root, "extract")
    cli(root, "update")
    translate(root, {"Hallo Welt.": "Hello world."})
    path = root / "locales/en/LC_MESSAGES/story.po"
    path.write_text(path.read_text(encoding="utf-8") + '\n#~ msgid "Hallo Welt."\n'
                    '#~ msgstr "Hi world."\n', encoding="utf-8")
    assert cli(root, "update").exit_code == 0
    po = po_of(root)
    entry = po.find("Hallo Welt.")
    assert entry.msgstr == "Hello world."
    # GNU gettext allows one entry per key: the other translation is kept in the
    # comment, and the entry goes back to review so a person chooses.
    assert "another translation was in the catalog: Hi world." in entry.tcomment
    assert "fuzzy" in entry.flags
    msgfmt_check(path)
    # And a second update keeps exactly that.
    before = path.read_bytes()
    assert cli(root, "update").exit_code == 0
    assert path.read_bytes() == before
