"""The command line: parse arguments, call one library function, render, exit.

Exit codes: 0 success; 1 bad input, failed operation or failed check; 2 usage or
configuration error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import Config, find_workspace, load_config
from .errors import EXIT_ERROR, L10nError
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
    return f"{what}: {changed} written, {len(results) - changed} unchanged"


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
@pass_ctx
@handle_errors
def extract(obj: Context, articles: tuple[str, ...]) -> None:
    """Write a template (POT) per article: locales/templates/<slug>.pot."""
    from .pipeline import extract as run

    results = run(obj.config, articles or None)
    _report(results, "wrote")
    segs = sum(r.counts.get("segments", 0) for r in results)
    click.echo(f"{_summary(results, 'templates')}; {segs} segments in {len(results)} articles")


@main.command()
@lang_option
@article_option
@pass_ctx
@handle_errors
def update(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...]) -> None:
    """Create or refresh locales/<lang>/LC_MESSAGES/<slug>.po from the templates."""
    from .pipeline import update as run

    results = run(obj.config, langs or None, articles or None)
    _report(results, "wrote")
    fuzzy = sum(r.counts.get("fuzzy", 0) for r in results)
    obsolete = sum(r.counts.get("obsolete", 0) for r in results)
    click.echo(f"{_summary(results, 'catalogs')}; {fuzzy} fuzzy matches for changed sources,"
               f" {obsolete} obsolete entries kept")


@contextmanager
def _progress_bar(what: str) -> Iterator[Callable[[Any], None] | None]:
    """A rich progress bar on stderr while a step runs; nothing when not interactive."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("segments, {task.fields[requests]} requests,"
                          " {task.fields[errors]} errors"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None, requests=0, errors=0)

        def update(event: Any) -> None:
            bar.update(task, total=event.total, completed=event.done,
                       requests=event.requests, errors=event.errors)

        yield update


def _render_translate(summary: Any, quiet: bool = False) -> None:
    """Notices on stderr, written files and the counts on stdout."""
    shown = 20
    for notice in summary.notices[:shown]:
        _err(f"warning: {notice}")
    if len(summary.notices) > shown:
        _err(f"warning: ... and {len(summary.notices) - shown} more")
    if not quiet:
        for path in summary.files:
            click.echo(f"wrote {path}")
    click.echo(
        f"drafts: {summary.drafted} ({summary.engine} {summary.by_engine},"
        f" memory {summary.by_tm}, similar {summary.by_tm_fuzzy}); {summary.failed} failed,"
        f" {summary.placeholder_warnings} placeholder warnings,"
        f" {summary.skipped} skipped (limit), {summary.kept} already done,"
        f" {summary.rejected} rejected before;"
        f" {summary.requests} engine requests, {summary.errors} errors")


def _run_translate(cfg: Config, langs: tuple[str, ...], articles: tuple[str, ...],
                   engine: str | None = None, limit: int | None = None,
                   redo_drafts: bool = False, quiet: bool = False) -> Any:
    from .engines import EngineError
    from .translate import translate as run

    try:
        with _progress_bar("translating") as progress:
            summary = run(cfg, langs or None, articles or None, engine=engine, limit=limit,
                          redo_drafts=redo_drafts, progress=progress)
    except EngineError as exc:
        if exc.summary is not None:
            _render_translate(exc.summary, quiet)
        raise
    _render_translate(summary, quiet)
    return summary


@main.command()
@lang_option
@article_option
@click.option("--engine", "-e", metavar="NAME",
              help="pseudo, libre, google, deepl, microsoft, mymemory or chatgpt."
              " Default: 'engine' from the configuration.")
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="Draft at most N entries in this run.")
@click.option("--redo-drafts", is_flag=True,
              help="Replace earlier machine drafts nobody has touched (still fuzzy, not"
              " reviewed). Translations are never replaced.")
@pass_ctx
@handle_errors
def translate(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...],
              engine: str | None, limit: int | None, redo_drafts: bool) -> None:
    """Fill empty entries with machine drafts (fuzzy, queued for review).

    \b
    Approved translations of the same text in other articles are reused first
    (translation memory); the rest goes to the engine, each distinct text once.
    Catalogs are saved after every batch: an interrupted run resumes where it stopped.
    """
    summary = _run_translate(obj.config, langs, articles, engine=engine, limit=limit,
                             redo_drafts=redo_drafts)
    if summary.failed:
        sys.exit(EXIT_ERROR)


@main.command()
@lang_option
@article_option
@click.option("--drafts", is_flag=True, help="Use fuzzy (unreviewed) drafts too; pages are"
              " marked as drafts and not indexed.")
@pass_ctx
@handle_errors
def merge(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], drafts: bool) -> None:
    """Build localized pages: build/<lang>/<slug>.html."""
    from .merge import merge as run

    results = run(obj.config, langs or None, articles or None, drafts=drafts)
    warnings = _report(results, "built")
    click.echo(f"{_summary(results, 'pages')}; {warnings} warnings;"
               f" output in {obj.config.rel(obj.config.build_path)}/")


@main.command()
@lang_option
@article_option
@click.option("--drafts", is_flag=True, help="Build pages from unreviewed drafts too.")
@click.option("--no-translate", is_flag=True, help="Skip the machine drafts step.")
@pass_ctx
@handle_errors
def sync(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], drafts: bool,
         no_translate: bool) -> None:
    """Run the whole job: extract, update, translate (engine from the configuration),
    merge."""
    from .merge import merge as run_merge
    from .pipeline import extract as run_extract
    from .pipeline import update as run_update

    cfg = obj.config
    results = run_extract(cfg, articles or None)
    _report(results, "wrote", quiet=True)
    click.echo(_summary(results, "templates"))
    results = run_update(cfg, langs or None, articles or None)
    _report(results, "wrote", quiet=True)
    click.echo(_summary(results, "catalogs"))
    failed = 0
    if not no_translate:
        failed = _run_translate(cfg, langs, articles, quiet=True).failed
    results = run_merge(cfg, langs or None, articles or None, drafts=drafts)
    warnings = _report(results, "built", quiet=True)
    click.echo(f"{_summary(results, 'pages')}; {warnings} warnings")
    click.echo(f"localized pages are in {cfg.rel(cfg.build_path)}/<lang>/<slug>.html")
    if failed:
        sys.exit(EXIT_ERROR)
