"""The command line as a user meets it: init, workspace discovery, sync, docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, msgfmt_check

from l10n.cli import main


def test_init_scaffolds_a_workspace_that_sync_can_run(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "newsroom"
    result = runner.invoke(main, ["init", str(folder), "--source-language", "de",
                                  "--languages", "en,ar"])
    assert result.exit_code == 0, result.output
    assert (folder / "l10n.toml").is_file()
    assert (folder / "source").is_dir()
    assert "created l10n.toml" in result.output
    (folder / "source" / "a.html").write_text(
        "<html><body><article><h1>Guten Tag</h1></article></body></html>", encoding="utf-8")
    result = runner.invoke(main, ["-C", str(folder), "sync", "--drafts"])
    assert result.exit_code == 0, result.output
    assert (folder / "build" / "ar" / "a.html").is_file()
    msgfmt_check(folder / "locales" / "ar" / "LC_MESSAGES" / "a.po")
    again = runner.invoke(main, ["init", str(folder)])
    assert again.exit_code == 2
    assert "already an l10n workspace" in again.output


def test_workspace_is_found_from_a_subfolder(workspace: Path, monkeypatch) -> None:
    sub = workspace / "source"
    monkeypatch.chdir(sub)
    result = CliRunner().invoke(main, ["extract"])
    assert result.exit_code == 0, result.output
    assert (workspace / "locales" / "templates" / "wahl-ergebnisse.pot").is_file()


def test_pyproject_tool_table_is_a_workspace(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "articles").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.l10n]\nsource_dir = "articles"\n'
        'languages = ["fr"]\nsource_language = "en"\n', encoding="utf-8")
    (root / "articles" / "s.html").write_text("<p>Hello there</p>", encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(root), "sync", "--drafts"])
    assert result.exit_code == 0, result.output
    assert (root / "build" / "fr" / "s.html").is_file()


def test_sync_reports_where_the_output_went(workspace: Path, cli) -> None:
    result = cli(workspace, "sync")
    assert result.exit_code == 0, result.output
    assert "build/<lang>/<slug>.html" in result.output


def test_usage_error_exit_code(workspace: Path, cli) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["-C", str(workspace), "merge", "--bogus"])
    assert result.exit_code == 2


COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"`l10n {command}\b", readme), f"README does not document {command}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_summary_counts_skipped_versions_apart(workspace: Path, cli) -> None:
    # Nothing is approved in a fresh copy of the samples: every localized page is
    # skipped, only the three originals are written.
    result = cli(workspace, "sync")
    assert result.exit_code == 0, result.output
    assert "pages: 3 written, 0 unchanged, 9 skipped" in result.output
