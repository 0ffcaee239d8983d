"""Shared fixtures: throw-away workspaces, the CLI runner, and GNU msgfmt."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from l10n.cli import main
from l10n.fsio import LOCK_NAME

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"

sys.path.insert(0, str(Path(__file__).resolve().parent))


def write_config(root: Path, languages: list[str], source_language: str = "de",
                 extra: str = "") -> None:
    langs = ", ".join(f'"{x}"' for x in languages)
    (root / "l10n.toml").write_text(
        f'source_language = "{source_language}"\nlanguages = [{langs}]\n{extra}',
        encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace with the three sample articles of this repository."""
    root = tmp_path / "ws"
    (root / "source").mkdir(parents=True)
    for page in (REPO / "source").glob("*.html"):
        shutil.copy(page, root / "source" / page.name)
    write_config(root, ["en", "de", "ar", "ja"])
    return root


@pytest.fixture
def cli():
    """Run the command line in-process: cli(root, "extract") -> click Result."""
    runner = CliRunner()

    def run(root: Path, *args: str, input: str | None = None) -> Result:
        return runner.invoke(main, ["-C", str(root), *args], input=input,
                             catch_exceptions=False)

    return run


def msgfmt_check(path: Path) -> None:
    """Assert that GNU msgfmt --check accepts a PO or POT file."""
    proc = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"msgfmt --check {path}:\n{proc.stderr}"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes, to prove nothing changed. The lock
    file is left out: every writing command records its process id there."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != LOCK_NAME}


def corpus_workspaces(factory: pytest.TempPathFactory, pages: list[Path], target: str,
                      fill) -> dict[Path, object]:
    """One workspace per folder of ``pages`` (its source_dir is that folder, read in
    place), extracted and updated for ``target``; ``fill(entry, n)`` gives each
    entry's msgstr. Returns folder -> Config."""
    import polib

    from l10n.config import load_config
    from l10n.pipeline import extract, update

    result: dict[Path, object] = {}
    for folder in sorted({p.parent for p in pages}):
        root = factory.mktemp(folder.name)
        (root / "l10n.toml").write_text(
            f'source_dir = "{folder}"\nsource_language = "en"\nlanguages = ["{target}"]\n',
            encoding="utf-8")
        cfg = load_config(root)
        extract(cfg)
        update(cfg)
        for po_path in (root / "locales" / target / "LC_MESSAGES").glob("*.po"):
            po = polib.pofile(str(po_path))
            for n, entry in enumerate(po):
                entry.msgstr = fill(entry, n)
            po.save(str(po_path))
        result[folder] = cfg
    return result
