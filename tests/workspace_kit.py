"""Building small l10n workspaces in tmp_path for the translate and engine tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from l10n.catalog import POFile, read_catalog
from l10n.cli import main


def article(title: str, *paragraphs: str, lang: str = "en") -> str:
    """A small HTML article; paragraphs may contain inline markup."""
    body = "\n".join(f"    <p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n  <head>\n    <meta charset="utf-8">\n'
            f"    <title>{title}</title>\n  </head>\n  <body>\n    <h1>{title}</h1>\n"
            f"{body}\n  </body>\n</html>\n")


def make_workspace(root: Path, articles: Mapping[str, str], languages: Iterable[str] = ("de",),
                   engine: str = "pseudo", source_language: str = "en", extra: str = ""
                   ) -> Path:
    """Write l10n.toml and the articles, then run extract and update through the CLI."""
    root.mkdir(parents=True, exist_ok=True)
    langs = ", ".join(f'"{x}"' for x in languages)
    (root / "l10n.toml").write_text(
        f'source_language = "{source_language}"\nlanguages = [{langs}]\n'
        f'engine = "{engine}"\n{extra}', encoding="utf-8")
    (root / "source").mkdir(exist_ok=True)
    for slug, html in articles.items():
        (root / "source" / f"{slug}.html").write_text(html, encoding="utf-8")
    for step in ("extract", "update"):
        result = run(root, step)
        assert result.exit_code == 0, result.output
    return root


def libre_config(url: str, **options: object) -> str:
    """The [engines.libre] table for a test server, with fast retries."""
    settings = {"url": url, "retry_base": 0.001, "retry_max": 0.01, "timeout": 5,
                **options}
    lines = [f"{k} = {_toml(v)}" for k, v in settings.items()]
    return "[engines.libre]\n" + "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(root: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """The CLI, through click's runner, on the workspace at ``root``."""
    return CliRunner().invoke(main, ["-C", str(root), *args], env=env)


def catalog_path(root: Path, lang: str, slug: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"


def catalog(root: Path, lang: str, slug: str) -> POFile:
    return read_catalog(catalog_path(root, lang, slug))


def entry_for(po: POFile, msgid_start: str):
    """The active entry whose msgid starts with the given text."""
    found = [e for e in po if not e.obsolete and e.msgid.startswith(msgid_start)]
    assert len(found) == 1, f"{len(found)} entries start with {msgid_start!r}"
    return found[0]


def msgfmt_ok(path: Path) -> str:
    """GNU msgfmt's complaints about a catalog ('' when it passes --check)."""
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)
    return "" if done.returncode == 0 else (done.stderr or "failed")


def all_catalogs(root: Path) -> list[Path]:
    return sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))
