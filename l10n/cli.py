"""The command line: parse arguments, call one library function, render, exit.

Exit codes: 0 success; 1 bad input, failed operation or failed check; 2 usage or
configuration error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import Config, find_workspace, load_config
from .errors import L10nError
from .model import ArticleResult

F = TypeVar("F", bound=Callable[..., Any])


def _err(message: str) -> None:
    click.echo(message, err=True)


def handle_errors(func: F) -> F:
    """Turn library errors into one line on stderr and the documented exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except L10nError as exc:
            _err(f"error: {exc}")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _err("interrupted; files already saved are complete, nothing is half-written")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


class Context:
    def __init__(self, workspace: Path | None):
        self.workspace = workspace
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            root = self.workspace if self.workspace is not None else find_workspace()
            self._config = load_config(root)
        return self._config


pass_ctx = click.make_pass_decorator(Context)

lang_option = click.option("--lang", "-l", "langs", multiple=True, metavar="L",
                           help="Only this locale (repeatable). Default: all configured.")
article_option = click.option("--article", "-a", "articles", multiple=True, metavar="SLUG",
                              help="Only this article (repeatable). Default: all.")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
                           help="Worker processes. Default: the 'jobs' setting, else one per"
                           " core.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "--workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder (default: found from the current folder upward).")
@click.version_option(__version__, prog_name="l10n")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None) -> None:
    """Localize HTML articles through gettext PO files.

    \b
    Flow: extract -> update -> translate -> review -> merge, or all at once: sync.
    Exit codes: 0 ok, 1 error or failed check, 2 usage or configuration error.
    """
    if workspace is not None and not workspace.is_dir():
        raise click.BadParameter(f"{workspace}: no such folder", param_hint="-C")
    ctx.obj = Context(workspace)


def _report(results: Sequence[ArticleResult], verb: str, quiet: bool = False) -> int:
    """Print what happened; returns the number of warnings."""
    warnings = 0
    for r in results:
        for w in r.warnings:
            _err(f"warning: {w}")
            warnings += 1
        if r.skipped:
            _err(f"skipped: {r.path}: {r.skipped}")
        elif r.changed and not quiet:
            click.echo(f"{verb} {r.path}")
    return warnings


def _summary(results: Sequence[ArticleResult], what: str) -> str:
    changed = sum(1 for r in results if r.changed)
    up_to_date = sum(1 for r in results if r.up_to_date)
    text = f"{what}: {changed} written, {len(results) - changed} unchanged"
    if up_to_date:
        text += f" ({up_to_date} up to date, not redone)"
    return text


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--source-language", default="en", show_default=True,
              help="Language of the articles (when their <html lang> is missing).")
@click.option("--languages", default="", help="Target locales, comma-separated (e.g. de,ar,ja).")
@handle_errors
def init(folder: Path | None, source_language: str, languages: str) -> None:
    """Create a new workspace in FOLDER (default: the current folder)."""
    from .workspace import init_workspace

    target = folder or Path.cwd()
    langs = [x.strip() for x in languages.split(",") if x.strip()]
    created = init_workspace(target, source_language, langs)
    for path in created:
        click.echo(f"created {path}")
    click.echo("next: put articles in source/ and run 'l10n sync'")


@main.command()
@article_option
@jobs_option
@pass_ctx
@handle_errors
def extract(obj: Context, articles: tuple[str, ...], jobs: int | None) -> None:
    """Write a template (POT) per article: locales/templates/<slug>.pot."""
    from .pipeline import extract as run

    results = run(obj.config, articles or None, jobs=jobs)
    _report(results, "wrote")
    segs = sum(r.counts.get("segments", 0) for r in results)
    click.echo(f"{_summary(results, 'templates')}; {segs} segments in {len(results)} articles")


@main.command()
@lang_option
@article_option
@jobs_option
@pass_ctx
@handle_errors
def update(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...],
           jobs: int | None) -> None:
    """Create or refresh locales/<lang>/LC_MESSAGES/<slug>.po from the templates."""
    from .pipeline import update as run

    results = run(obj.config, langs or None, articles or None, jobs=jobs)
    _report(results, "wrote")
    fuzzy = sum(r.counts.get("fuzzy", 0) for r in results)
    obsolete = sum(r.counts.get("obsolete", 0) for r in results)
    click.echo(f"{_summary(results, 'catalogs')}; {fuzzy} fuzzy matches for changed sources,"
               f" {obsolete} obsolete entries kept")


@main.command()
@lang_option
@article_option
@click.option("--drafts", is_flag=True, help="Use fuzzy (unreviewed) drafts too; pages are"
              " marked as drafts and not indexed.")
@jobs_option
@pass_ctx
@handle_errors
def merge(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], drafts: bool,
          jobs: int | None) -> None:
    """Build localized pages: build/<lang>/<slug>.html."""
    from .merge import merge as run

    results = run(obj.config, langs or None, articles or None, drafts=drafts, jobs=jobs)
    warnings = _report(results, "built")
    click.echo(f"{_summary(results, 'pages')}; {warnings} warnings;"
               f" output in {obj.config.rel(obj.config.build_path)}/")


@main.command()
@lang_option
@article_option
@click.option("--drafts", is_flag=True, help="Build pages from unreviewed drafts too.")
@jobs_option
@pass_ctx
@handle_errors
def sync(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], drafts: bool,
         jobs: int | None) -> None:
    """Run the whole job: extract, update, translate, merge."""
    from .merge import merge as run_merge
    from .pipeline import extract as run_extract
    from .pipeline import update as run_update

    cfg = obj.config
    results = run_extract(cfg, articles or None, jobs=jobs)
    _report(results, "wrote", quiet=True)
    click.echo(_summary(results, "templates"))
    results = run_update(cfg, langs or None, articles or None, jobs=jobs)
    _report(results, "wrote", quiet=True)
    click.echo(_summary(results, "catalogs"))
    results = run_merge(cfg, langs or None, articles or None, drafts=drafts, jobs=jobs)
    warnings = _report(results, "built", quiet=True)
    click.echo(f"{_summary(results, 'pages')}; {warnings} warnings")
    click.echo(f"localized pages are in {cfg.rel(cfg.build_path)}/<lang>/<slug>.html")
