"""--jobs N: articles in worker processes, same results and files, all or nothing."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from l10n.cli import main
from l10n.config import Config, load_config
from l10n.errors import CatalogError, HtmlError
from l10n.merge import merge
from l10n.pipeline import extract, update

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "source").glob("*.html"))


def _workspace(root: Path, copies: int = 3) -> Config:
    """The sample articles, each also in variants whose text differs a little."""
    source = root / "source"
    source.mkdir(parents=True)
    for page in SAMPLES:
        text = page.read_text(encoding="utf-8")
        shutil.copy(page, source / page.name)
        for n in range(1, copies):
            variant = text.replace("</h1>", f" ({n})</h1>", 1)
            (source / f"{page.stem}-{n}.html").write_text(variant, encoding="utf-8")
    (root / "l10n.toml").write_text(
        'source_language = "en"\nlanguages = ["de", "fr", "ar"]\n', encoding="utf-8")
    return load_config(root)


def _files(root: Path) -> dict[str, bytes]:
    """Every file l10n wrote, except the dated headers of catalogs."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".l10n-cache" not in path.parts and path.suffix != ".toml":
            data = path.read_bytes()
            if path.suffix in (".po", ".pot"):
                data = b"\n".join(x for x in data.split(b"\n") if b"-Date:" not in x)
            out[path.relative_to(root).as_posix()] = data
    return out


def _run(cfg: Config, jobs: int) -> list[tuple]:
    results = [*extract(cfg, jobs=jobs), *update(cfg, jobs=jobs), *merge(cfg, jobs=jobs)]
    return [(r.slug, r.lang, r.path, r.changed, r.skipped, r.counts) for r in results]


def test_two_jobs_give_the_same_results_and_files_as_one(tmp_path: Path) -> None:
    serial = _workspace(tmp_path / "serial")
    parallel = _workspace(tmp_path / "parallel")
    one = _run(serial, jobs=1)
    two = _run(parallel, jobs=2)
    assert one == two
    # 9 templates; catalogs: 3 English articles x 3 locales + 6 German ones x 2; pages:
    # one per catalog and the 9 originals.
    assert len(one) == 9 + 21 + 30
    assert [r[0] for r in one[:9]] == sorted(r[0] for r in one[:9])  # article order
    assert _files(serial.root) == _files(parallel.root)
    for pot in parallel.templates_path.glob("*.pot"):
        assert subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(pot)]).returncode == 0


def test_an_error_in_one_article_changes_nothing(tmp_path: Path) -> None:
    cfg = _workspace(tmp_path / "ws")
    # Sorted after most others: those are done (and staged) before it fails.
    (cfg.source_path / "wahl-ergebnisse-0.html").write_bytes(b"<p>broken\x00</p>")
    runner = CliRunner()
    out = runner.invoke(main, ["-C", str(cfg.root), "extract", "--jobs", "2"])
    assert out.exit_code == 1
    assert out.output.strip() == ("error: source/wahl-ergebnisse-0.html:1: binary data"
                                  " (NUL byte), not an HTML document")
    assert not list(cfg.root.rglob("*.pot"))
    assert not list(cfg.root.rglob("*.tmp"))


def test_a_bad_catalog_aborts_merge_with_nothing_built(tmp_path: Path) -> None:
    cfg = _workspace(tmp_path / "ws")
    extract(cfg, jobs=2)
    update(cfg, jobs=2)
    bad = cfg.catalog_file("fr", "ocean-heat-record-2")
    bad.write_text(bad.read_text(encoding="utf-8") + '\nmsgid "x"\nmsgstr "y" junk\n',
                   encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["-C", str(cfg.root), "merge", "-j", "2"])
    assert out.exit_code == 1
    assert out.output.startswith("error: locales/fr/LC_MESSAGES/ocean-heat-record-2.po:")
    assert len(out.output.strip().splitlines()) == 1
    assert not list(cfg.build_path.rglob("*.html"))
    assert not list(cfg.root.rglob("*.tmp"))


def test_errors_keep_their_file_and_line_across_processes() -> None:
    for error in (HtmlError("bad", "source/a.html", 3), CatalogError("worse", "x.po")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (copy.path, copy.line, str(copy)) == (error.path, error.line, str(error))


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    cfg = _workspace(tmp_path / "ws", copies=1)
    out = CliRunner().invoke(main, ["-C", str(cfg.root), "extract", "--jobs", "0"])
    assert out.exit_code == 2
    assert "--jobs" in out.output
