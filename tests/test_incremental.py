"""Re-runs skip the articles whose inputs and outputs did not change (content hashes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from l10n.cache import RACY_NS, installed_version
from l10n.catalog import read_catalog, render_catalog
from l10n.cli import main
from l10n.config import Config, load_config
from l10n.merge import merge
from l10n.model import ArticleResult
from l10n.pipeline import extract, update
from l10n.review import approval_state, approve_version

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "source").glob("*.html"))


def _workspace(root: Path) -> Config:
    (root / "source").mkdir(parents=True)
    for page in SAMPLES:
        shutil.copy(page, root / "source" / page.name)
    (root / "l10n.toml").write_text(
        'source_language = "en"\nlanguages = ["en", "de", "fr"]\n', encoding="utf-8")
    return load_config(root)


def _translate_all(cfg: Config) -> None:
    """Stand in for translators: every entry gets a translation (the source text)."""
    for path in sorted(cfg.locales_path.glob("*/LC_MESSAGES/*.po")):
        po = read_catalog(path)
        for entry in po:
            if entry.msgid and not entry.obsolete:
                entry.msgstr = entry.msgid
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                    entry.previous_msgid = None
        data = render_catalog(po)
        if path.read_bytes() != data:
            path.write_bytes(data)


def _approve_all(cfg: Config) -> None:
    """Stand in for editors: approve every localized version for publication."""
    for path in sorted(cfg.locales_path.glob("*/LC_MESSAGES/*.po")):
        slug, lang = path.stem, path.parent.parent.name
        if approval_state(cfg, slug, lang).state != "approved":
            approve_version(cfg, slug, lang, "Test Editor")


def _sync(cfg: Config, jobs: int = 1) -> dict[str, list[ArticleResult]]:
    return {"extract": extract(cfg, jobs=jobs), "update": update(cfg, jobs=jobs),
            "merge": merge(cfg, jobs=jobs)}


def _redone(results: list[ArticleResult]) -> set[tuple[str, str | None]]:
    return {(r.slug, r.lang) for r in results if not r.up_to_date and not r.skipped}


@pytest.fixture()
def cfg(tmp_path: Path) -> Config:
    cfg = _workspace(tmp_path / "ws")
    extract(cfg, jobs=1)
    update(cfg, jobs=1)
    _translate_all(cfg)
    update(cfg, jobs=1)
    _approve_all(cfg)
    update(cfg, jobs=1)  # the approval stamps changed the catalogs
    merge(cfg, jobs=1)
    return cfg


def _snapshot(cfg: Config) -> dict[str, tuple[int, int]]:
    """Inode and mtime of every file l10n wrote: a rewrite changes them."""
    files = [*cfg.locales_path.rglob("*.po*"), *cfg.build_path.rglob("*.html")]
    return {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}


def test_rerun_with_nothing_changed_redoes_nothing(cfg: Config) -> None:
    before = _snapshot(cfg)
    for step, results in _sync(cfg).items():
        assert results, step
        assert all(r.up_to_date and not r.changed for r in results), step
    assert _snapshot(cfg) == before
    # The skipped results still report what the articles hold.
    again = extract(cfg)
    assert sum(r.counts["segments"] for r in again) > 50


def test_cli_reports_every_article_up_to_date(cfg: Config) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["-C", str(cfg.root), "sync", "--jobs", "1"])
    assert out.exit_code == 0, out.output
    assert "templates: 0 written, 3 unchanged (3 up to date, not redone)" in out.output
    # 3 articles into 2 locales each (the en article is not translated into en).
    assert "catalogs: 0 written, 6 unchanged (6 up to date, not redone)" in out.output
    assert "pages: 0 written, 9 unchanged (9 up to date, not redone)" in out.output


def test_touching_a_source_without_changing_it_still_skips(cfg: Config) -> None:
    source = cfg.source_file("ocean-heat-record")
    os.utime(source, (1_000_000_000, 1_000_000_000))
    assert all(r.up_to_date for r in extract(cfg))
    assert all(r.up_to_date for r in merge(cfg))


def test_editing_a_source_redoes_exactly_that_article(cfg: Config) -> None:
    source = cfg.source_file("ocean-heat-record")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Oceans set another heat record",
                                   "Oceans set yet another heat record", 1), encoding="utf-8")
    results = extract(cfg)
    assert _redone(results) == {("ocean-heat-record", "en")}
    assert [r.slug for r in results if r.changed] == ["ocean-heat-record"]
    assert _redone(update(cfg)) == {("ocean-heat-record", "de"), ("ocean-heat-record", "fr")}
    _translate_all(cfg)  # the translator reviews the changed sentence
    _approve_all(cfg)  # the edit made the approvals stale; the editor approves again
    pages = merge(cfg)
    assert {slug for slug, _ in _redone(pages)} == {"ocean-heat-record"}
    built = cfg.output_file("de", "ocean-heat-record").read_text(encoding="utf-8")
    assert "Oceans set yet another heat record" in built


def test_editing_a_catalog_redoes_exactly_that_page(cfg: Config) -> None:
    path = cfg.catalog_file("fr", "stadtrat-radwege")
    po = read_catalog(path)
    entry = next(e for e in po if e.msgid and not e.obsolete and "<" not in e.msgid)
    entry.msgstr = "Texte relu par une traductrice"
    path.write_bytes(render_catalog(po))
    assert _redone(update(cfg)) == {("stadtrat-radwege", "fr")}
    approve_version(cfg, "stadtrat-radwege", "fr", "Test Editor")
    assert _redone(merge(cfg)) == {("stadtrat-radwege", "fr")}
    page = cfg.output_file("fr", "stadtrat-radwege").read_text(encoding="utf-8")
    assert "Texte relu par une traductrice" in page
    assert subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)]).returncode == 0


def test_deleting_an_output_rebuilds_exactly_that_page(cfg: Config) -> None:
    out = cfg.output_file("de", "wahl-ergebnisse")
    expected = out.read_bytes()
    out.unlink()
    results = merge(cfg)
    assert _redone(results) == {("wahl-ergebnisse", "de")}
    assert out.read_bytes() == expected
    template = cfg.template_file("wahl-ergebnisse")
    template.unlink()
    assert _redone(extract(cfg)) == {("wahl-ergebnisse", "de")}
    assert template.exists()


def test_settings_are_part_of_the_key(cfg: Config) -> None:
    assert all(r.up_to_date for r in merge(cfg))
    drafted = merge(cfg, drafts=True)
    assert not any(r.up_to_date for r in drafted)
    cfg.url_template = "/{lang}/{slug}/"
    relinked = merge(cfg, drafts=True)
    assert not any(r.up_to_date for r in relinked)
    original = cfg.output_file("en", "ocean-heat-record").read_text(encoding="utf-8")
    assert 'href="/de/ocean-heat-record/"' in original
    assert all(r.up_to_date for r in merge(cfg, drafts=True))


@pytest.mark.parametrize("damage", [b"{not json", b"[]", b'{"key": 1, "articles": []}', None])
def test_a_damaged_or_missing_cache_means_a_full_run(cfg: Config, damage: bytes | None
                                                     ) -> None:
    before = {p: p.read_bytes() for p in cfg.build_path.rglob("*.html")}
    for step in ("extract", "update", "merge"):
        path = cfg.root / ".l10n-cache" / f"{step}.json"
        assert path.exists()
        if damage is None:
            path.unlink()
        else:
            path.write_bytes(damage)
    for step, results in _sync(cfg).items():
        assert results and not any(r.up_to_date for r in results), step
    assert {p: p.read_bytes() for p in cfg.build_path.rglob("*.html")} == before
    # ... and the cache is whole again afterwards.
    assert all(all(r.up_to_date for r in results) for results in _sync(cfg).values())


def test_merge_warnings_are_reported_again_when_skipped(cfg: Config) -> None:
    path = cfg.catalog_file("de", "ocean-heat-record")
    po = read_catalog(path)
    entry = next(e for e in po if "<" in e.msgid and not e.obsolete)  # has a placeholder
    entry.msgstr = "Ohne Platzhalter"
    path.write_bytes(render_catalog(po))
    # A broken placeholder cannot be approved: build the versions as drafts.
    first = merge(cfg, drafts=True)
    warned = [str(w) for r in first for w in r.warnings]
    assert warned and "missing placeholder" in warned[0]
    second = merge(cfg, drafts=True)
    assert all(r.up_to_date for r in second)
    assert [str(w) for r in second for w in r.warnings] == warned


def test_withdrawn_approval_is_not_served_from_the_cache(cfg: Config) -> None:
    from l10n.review import unapprove

    assert all(r.up_to_date for r in merge(cfg))
    unapprove(cfg, "wahl-ergebnisse", "en")
    results = {(r.slug, r.lang): r for r in merge(cfg)}
    skipped = results[("wahl-ergebnisse", "en")]
    assert skipped.skipped and "not approved" in skipped.skipped
    # The page published while it was approved is taken down.
    assert "removed the page built earlier" in skipped.skipped
    assert not cfg.output_file("en", "wahl-ergebnisse").exists()
    again = {(r.slug, r.lang): r for r in merge(cfg)}
    assert again[("wahl-ergebnisse", "en")].skipped
    assert "removed" not in again[("wahl-ergebnisse", "en")].skipped
    # The other pages of the article are rebuilt: they no longer link to it.
    assert results[("wahl-ergebnisse", "fr")].changed
    french = cfg.output_file("fr", "wahl-ergebnisse").read_text(encoding="utf-8")
    assert 'hreflang="en"' not in french
    assert all(r.up_to_date for r in results.values() if r.slug != "wahl-ergebnisse")
    original = cfg.output_file("de", "wahl-ergebnisse").read_text(encoding="utf-8")
    assert 'hreflang="en"' not in original
    assert 'hreflang="fr"' in original


def test_a_translation_edited_after_approval_is_taken_down_by_merge(cfg: Config) -> None:
    page = cfg.output_file("fr", "ocean-heat-record")
    assert page.exists()
    path = cfg.catalog_file("fr", "ocean-heat-record")
    po = read_catalog(path)
    entry = next(e for e in po if e.msgid and not e.obsolete and "<" not in e.msgid)
    entry.msgstr = "Changé après l'approbation"
    path.write_bytes(render_catalog(po))
    result = next(r for r in merge(cfg) if (r.slug, r.lang) == ("ocean-heat-record", "fr"))
    assert result.skipped and "removed the page built earlier" in result.skipped
    assert not page.exists()


def _same_size_edit(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite a file in place: same size, same inode, right away (same clock tick)."""
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    with open(path, "r+b") as fh:  # in place: the inode stays
        fh.write(data.replace(old, new, 1))


def test_a_same_size_edit_right_after_a_run_is_seen(cfg: Config) -> None:
    # The workspace remembers file hashes by stat; an edit that keeps size and inode,
    # made at once after the run (the same clock tick), must still count as an edit.
    out = cfg.output_file("de", "wahl-ergebnisse")
    expected = out.read_bytes()
    _same_size_edit(out, b"<body", b"<BODY")
    assert _redone(merge(cfg)) == {("wahl-ergebnisse", "de")}
    assert out.read_bytes() == expected
    po = cfg.catalog_file("fr", "stadtrat-radwege")
    text = po.read_bytes()
    _same_size_edit(po, b'msgstr "', b'msgstr "')  # content the same: still up to date
    assert po.read_bytes() == text
    assert _redone(update(cfg)) == set()


def test_an_edit_that_restores_the_old_modification_time_is_seen(cfg: Config) -> None:
    source = cfg.source_file("ocean-heat-record")
    time.sleep(RACY_NS / 1e9 + 0.1)  # old enough for its hash to be recorded
    assert all(r.up_to_date for r in extract(cfg))
    memo = json.loads((cfg.root / ".l10n-cache" / "stat.json").read_bytes())
    assert str(source.relative_to(cfg.root)) in memo["files"]  # its hash is now on record
    st = source.stat()
    _same_size_edit(source, b"Oceans set another", b"Oceans got another")
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or a tar would
    assert source.stat().st_mtime_ns == st.st_mtime_ns
    assert _redone(extract(cfg)) == {("ocean-heat-record", "en")}


def _memo_files(cfg: Config) -> dict[str, list[object]]:
    return json.loads((cfg.root / ".l10n-cache" / "stat.json").read_bytes())["files"]


def test_a_moved_workspace_keeps_what_is_known_of_its_files(cfg: Config) -> None:
    time.sleep(RACY_NS / 1e9 + 0.1)  # old enough for every hash to be recorded
    _sync(cfg)
    files = _memo_files(cfg)
    assert str(cfg.source_file("ocean-heat-record").relative_to(cfg.root)) in files
    assert not any(os.path.isabs(name) for name in files)
    moved = cfg.root.parent / "moved"
    cfg.root.rename(moved)  # the files keep their inodes and times
    cfg = load_config(moved)
    memo = (moved / ".l10n-cache" / "stat.json").read_bytes()
    for step, results in _sync(cfg).items():
        assert results and all(r.up_to_date for r in results), step
    # Every file was known by its stat: none hashed again, nothing new to remember.
    assert (moved / ".l10n-cache" / "stat.json").read_bytes() == memo


def test_the_files_of_a_removed_article_are_forgotten(cfg: Config) -> None:
    time.sleep(RACY_NS / 1e9 + 0.1)
    _sync(cfg)
    source = str(cfg.source_file("ocean-heat-record").relative_to(cfg.root))
    pages = {str(cfg.output_file(lang, "ocean-heat-record").relative_to(cfg.root))
             for lang in ("de", "fr", "en")}
    before = set(_memo_files(cfg))
    assert source in before and pages & before
    cfg.source_file("ocean-heat-record").unlink()
    results = _sync(cfg)
    assert any(r.slug == "ocean-heat-record" and r.changed for r in results["merge"])
    # Exactly the removed files are forgotten (its template and catalogs stay).
    assert set(_memo_files(cfg)) == before - {source, *pages}
    assert all((cfg.root / name).exists() for name in _memo_files(cfg))


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_a_rerun_reads_no_page_and_no_catalog(cfg: Config) -> None:
    # Nothing changed: the hashes on record stand for the files, which are not read.
    # (Hashes of files not written by l10n are recorded once they are older than
    # RACY_NS: the sources were copied in a moment ago.)
    time.sleep(RACY_NS / 1e9 + 0.1)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for step in ("extract", "update", "merge"):
        subprocess.run([sys.executable, "-m", "l10n", "-C", str(cfg.root), step,
                        "--jobs", "1"], env=env, check=True, capture_output=True)
    log = cfg.root.parent / "opens.log"
    proc = subprocess.run(["strace", "-f", "-e", "trace=openat", "-o", str(log),
                           sys.executable, "-m", "l10n", "-C", str(cfg.root), "merge",
                           "--jobs", "1"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "9 unchanged (9 up to date, not redone)" in proc.stdout
    # (Folders are opened: the sweep for temporary files left by a killed run.)
    opened = [line for line in log.read_text().splitlines()
              if str(cfg.root) in line and "O_DIRECTORY" not in line]
    read = [line for line in opened if line.split('"')[1].endswith((".html", ".po", ".pot"))]
    assert read == []
    assert any("stat.json" in line for line in opened)  # the hashes on record
    # Nothing is written either: no page, no temporary file, no cache file rewritten.
    created = [line for line in opened if "O_CREAT" in line and ".l10n.lock" not in line]
    assert created == []


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_files_read_by_a_run_are_not_read_again_by_the_next(tmp_path: Path) -> None:
    # Sources older than RACY_NS, read (and hashed) by extract's worker processes:
    # the next extract knows them from the record and opens none of them.
    cfg = _workspace(tmp_path / "ws")
    time.sleep(RACY_NS / 1e9 + 0.1)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "l10n", "-C", str(cfg.root), "extract", "--jobs", "2"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    log = tmp_path / "opens.log"
    proc = subprocess.run(["strace", "-f", "-e", "trace=openat", "-o", str(log), *command],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "3 unchanged (3 up to date, not redone)" in proc.stdout
    sources = [line for line in log.read_text().splitlines()
               if f"{cfg.root / 'source'}/" in line and "O_DIRECTORY" not in line]
    assert sources == []
    # An edit is still seen.
    page = cfg.source_file("ocean-heat-record")
    page.write_text(page.read_text(encoding="utf-8").replace("Oceans", "Seas", 1),
                    encoding="utf-8")
    assert _redone(extract(cfg)) == {("ocean-heat-record", "en")}


@pytest.mark.parametrize("dist", ["lxml", "polib", "babel", "rapidfuzz"])
def test_library_versions_in_the_code_fingerprint_are_the_installed_ones(dist: str) -> None:
    # Read from the dist-info folder name (no import of importlib.metadata): the same
    # version importlib.metadata reports, so upgrading a library invalidates the cache.
    from importlib import metadata

    assert installed_version(dist) == metadata.version(dist)


def test_a_module_no_distribution_provides_has_no_version() -> None:
    assert installed_version("json") == "-"
    assert installed_version("no_such_module_here") == "-"


def test_the_version_is_read_from_the_dist_info_folder_name(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    # Folders without METADATA: importlib.metadata could not tell these versions, so
    # what is found comes from the folder names themselves.
    site = tmp_path / "site"
    (site / "fakelib").mkdir(parents=True)
    (site / "fakelib" / "__init__.py").write_text("")
    (site / "fakelib-2.5.1.dist-info").mkdir()
    (site / "fakelib-stubs-0.3.dist-info").mkdir()  # another distribution's
    (site / "fakemod.py").write_text("")
    (site / "FakeMod-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    assert installed_version("fakelib") == "2.5.1"
    assert installed_version("fakemod") == "1.0"
    # Two versions left side by side: importlib.metadata decides (here: none known).
    (site / "fakelib-2.4.0.dist-info").mkdir()
    assert installed_version("fakelib") == "-"
