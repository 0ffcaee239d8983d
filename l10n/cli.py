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
from .errors import EXIT_ERROR, ConfigError, L10nError
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


LOCK_TIMEOUT_ENV = "L10N_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 5.0  # seconds a writing command waits for another one to finish


def lock_timeout() -> float:
    """How long to wait for the workspace lock: $L10N_LOCK_TIMEOUT seconds, or 5."""
    import math
    import os

    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{LOCK_TIMEOUT_ENV} must be a number of seconds (0 or more),"
                          f" not {raw!r}")
    return value


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

    @contextmanager
    def lock(self) -> Iterator[Config]:
        """Hold the workspace lock: one writing command at a time. Temporary files a
        killed command left behind are removed first (nobody else is writing now)."""
        from .cache import CACHE_DIR
        from .fsio import LOCK_NAME, WorkspaceLock, sweep_temp_files

        cfg = self.config
        timeout = lock_timeout()
        with WorkspaceLock(cfg.root, timeout, display=cfg.rel(cfg.root / LOCK_NAME)) as held:
            if not held.clean_before:
                sweep_temp_files([cfg.locales_path, cfg.build_path, cfg.root / CACHE_DIR])
            yield cfg


pass_ctx = click.make_pass_decorator(Context)


def writes_workspace(func: F) -> F:
    """For commands that write: run them holding the workspace lock."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with click.get_current_context().find_object(Context).lock():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


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


def _warn_ignored(cfg: Config) -> None:
    from .pipeline import ignored_sources

    for name in ignored_sources(cfg):
        stem = Path(name).stem
        _err(f"warning: {name}: not read as an article (articles are *.html files);"
             f" rename it to {stem}.html")


def _summary(results: Sequence[ArticleResult], what: str) -> str:
    changed = sum(1 for r in results if r.changed and not r.skipped)
    skipped = sum(1 for r in results if r.skipped)
    up_to_date = sum(1 for r in results if r.up_to_date)
    text = f"{what}: {changed} written, {len(results) - changed - skipped} unchanged"
    if skipped:
        text += f", {skipped} skipped"
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
@writes_workspace
def extract(obj: Context, articles: tuple[str, ...], jobs: int | None) -> None:
    """Write a template (POT) per article: locales/templates/<slug>.pot."""
    from .pipeline import extract as run

    results = run(obj.config, articles or None, jobs=jobs)
    _report(results, "wrote")
    _warn_ignored(obj.config)
    segs = sum(r.counts.get("segments", 0) for r in results)
    click.echo(f"{_summary(results, 'templates')}; {segs} segments in {len(results)} articles")


@main.command()
@lang_option
@article_option
@jobs_option
@pass_ctx
@handle_errors
@writes_workspace
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
@writes_workspace
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
@click.option("--drafts", is_flag=True, help="Build unapproved versions too, with fuzzy"
              " drafts; such pages are marked as drafts and not indexed.")
@jobs_option
@pass_ctx
@handle_errors
@writes_workspace
def merge(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], drafts: bool,
          jobs: int | None) -> None:
    """Build localized pages: build/<lang>/<slug>.html.

    Only versions approved with 'l10n approve' (and unchanged since) are built; the
    others are skipped with the reason, unless --drafts is given.
    """
    from .merge import merge as run

    results = run(obj.config, langs or None, articles or None, drafts=drafts, jobs=jobs)
    warnings = _report(results, "built")
    click.echo(f"{_summary(results, 'pages')}; {warnings} warnings;"
               f" output in {obj.config.rel(obj.config.build_path)}/")


@main.command()
@lang_option
@article_option
@click.option("--drafts", is_flag=True, help="Build pages from unreviewed drafts too.")
@click.option("--no-translate", is_flag=True, help="Skip the machine drafts step.")
@jobs_option
@pass_ctx
@handle_errors
@writes_workspace
def sync(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], drafts: bool,
         no_translate: bool, jobs: int | None) -> None:
    """Run the whole job: extract, update, translate (engine from the configuration),
    merge."""
    from .merge import merge as run_merge
    from .pipeline import extract as run_extract
    from .pipeline import update as run_update

    cfg = obj.config
    results = run_extract(cfg, articles or None, jobs=jobs)
    _report(results, "wrote", quiet=True)
    _warn_ignored(cfg)
    click.echo(_summary(results, "templates"))
    results = run_update(cfg, langs or None, articles or None, jobs=jobs)
    _report(results, "wrote", quiet=True)
    click.echo(_summary(results, "catalogs"))
    failed = 0
    if not no_translate:
        failed = _run_translate(cfg, langs, articles, quiet=True).failed
    results = run_merge(cfg, langs or None, articles or None, drafts=drafts, jobs=jobs)
    warnings = _report(results, "built", quiet=True)
    click.echo(f"{_summary(results, 'pages')}; {warnings} warnings")
    click.echo(f"localized pages are in {cfg.rel(cfg.build_path)}/<lang>/<slug>.html")
    if failed:
        sys.exit(EXIT_ERROR)


# ----------------------------------------------------------------------- review


def _reviewer(cfg: Config, by: str | None) -> str:
    from .review import check_name, default_reviewer

    return check_name(by if by is not None else default_reviewer(cfg.root))


_DIFF_MARKS = {"delete": ("[-{}-]", "red"), "insert": ("{{+{}+}}", "green"),
               "equal": ("{}", None)}


def _marked_diff(item: Any) -> list[tuple[str, str | None]]:
    """The source as a word diff from its previous version, piece by piece with its
    colour: [-old-] red, {+new+} green, so it reads right with and without colours."""
    out = []
    for op, piece in item.diff:
        mark, colour = _DIFF_MARKS[op]
        out.append((mark.format(piece), colour))
    return out


def _diff_text(item: Any) -> Any:
    from rich.text import Text

    return Text.assemble(*((piece, colour or "") for piece, colour in _marked_diff(item)))


def _entries(n: int) -> str:
    return "1 entry" if n == 1 else f"{n} entries"


def _queue_table(items: Sequence[Any]) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, title=f"review queue: {_entries(len(items))}",
                  title_justify="left")
    table.add_column("ID", no_wrap=True)
    table.add_column("Where", overflow="fold")
    table.add_column("Source", overflow="fold")
    table.add_column("Draft", overflow="fold")
    table.add_column("Provenance")
    for it in items:
        source = Text(it.source) if it.previous_source is None else _diff_text(it)
        draft = Text(it.draft or "(empty)")
        if it.problems:
            draft.append("\n" + "; ".join(it.problems), style="bold red")
        provenance = it.provenance + (f"\n{it.date}" if it.date else "")
        if it.previous_source is not None and it.engine:
            provenance += f"\n(draft: {it.engine})"
        table.add_row(it.id, f"{it.lang} · {it.slug}\n{it.path}:{it.line}", source, draft,
                      provenance)
    return table


def _queue_text(items: Sequence[Any]) -> str:
    """The queue as plain text, for pipes and logs: one block per entry, the lines
    labelled, the source's changes marked [-old-] {+new+}."""
    lines = [f"review queue: {_entries(len(items))}"]
    for it in items:
        provenance = it.provenance + (f", {it.date}" if it.date else "")
        if it.previous_source is not None and it.engine:
            provenance += f", draft: {it.engine}"
        source = ("".join(piece for piece, _ in _marked_diff(it))
                  if it.previous_source is not None else it.source)
        lines += ["", f"{it.id}  {it.lang} · {it.slug}  {it.path}:{it.line}  ({provenance})",
                  f"  source: {source}", f"  draft:  {it.draft or '(empty)'}"]
        if it.problems:
            lines.append(f"  problem: {'; '.join(it.problems)}")
    return "\n".join(lines)


@main.group(invoke_without_command=True)
@lang_option
@article_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: a stable format for scripts.")
@click.option("-i", "--interactive", is_flag=True,
              help="Walk through the queue: approve, edit, reject, skip, quit.")
@click.option("--by", metavar="NAME", help="Who decides (with -i). Default: git user.name,"
              " else $USER.")
@click.pass_context
@handle_errors
def review(ctx: click.Context, langs: tuple[str, ...], articles: tuple[str, ...], fmt: str,
           interactive: bool, by: str | None) -> None:
    """List the review queue (fuzzy drafts), oldest first, or work through it.

    \b
    l10n review [--lang L] [--article SLUG] [--format table|json]
    l10n review -i                       interactive walk through the queue
    l10n review approve ID|--article SLUG|--lang L [--by NAME]
    l10n review reject  ID|--article SLUG|--lang L [--by NAME]
    """
    if ctx.invoked_subcommand is not None:
        if langs or articles or interactive or by is not None or fmt != "table":
            raise click.UsageError("give the options after the subcommand, e.g."
                                   f" 'l10n review {ctx.invoked_subcommand} --lang de'")
        return
    import json

    from .review import review_queue

    cfg = ctx.find_object(Context).config
    if interactive:
        if fmt != "table":
            raise click.UsageError("--format does not apply to -i")
        # The workspace lock is taken for each decision, not for the whole walk: a
        # reviewer thinking over a sentence must not block every other command.
        _interactive_review(cfg, langs or None, articles or None, _reviewer(cfg, by),
                            ctx.find_object(Context).lock)
        return
    items = review_queue(cfg, langs or None, articles or None)
    if fmt == "json":
        data = {"count": len(items), "items": [it.to_json() for it in items]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("the review queue is empty")
        return
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(_queue_table(items))
    else:
        click.echo(_queue_text(items))


def _decide(obj: Context, verb: str, ids: tuple[str, ...], langs: tuple[str, ...],
            articles: tuple[str, ...], by: str | None) -> None:
    from . import review as rv

    if not (ids or langs or articles):
        raise click.UsageError("say what to decide: an entry ID, --article SLUG or --lang L")
    if ids and (langs or articles):
        raise click.UsageError("give entry IDs or --article/--lang, not both")
    cfg = obj.config
    name = _reviewer(cfg, by)
    items = rv.select(cfg, ids, langs or None, articles or None)
    if not items:
        click.echo(f"nothing to {verb}: no entry of the review queue matches")
        return
    outcome = (rv.approve if verb == "approve" else rv.reject)(cfg, items, name)
    done = "approved" if verb == "approve" else "rejected"
    for it in outcome.done:
        click.echo(f"{done} {it.path}:{it.line} [{it.id}]")
    for it, reason in outcome.refused:
        _err(f"refused: {it.path}:{it.line} [{it.id}]: {reason}")
    click.echo(f"{done} {len(outcome.done)} of {_entries(len(items))} as {name}")
    if outcome.refused:
        sys.exit(1)


_BY_OPTION = click.option("--by", metavar="NAME",
                          help="Who decides. Default: git user.name, else $USER.")


def _decision_options(func: F) -> F:
    """What the entries to decide on are: IDs, or an article and/or a locale."""
    for decorate in (writes_workspace, handle_errors, pass_ctx, _BY_OPTION, article_option,
                     lang_option,
                     click.argument("ids", nargs=-1, metavar="[ID]...")):
        func = decorate(func)
    return func


@review.command("approve")
@_decision_options
def review_approve(obj: Context, ids: tuple[str, ...], langs: tuple[str, ...],
                   articles: tuple[str, ...], by: str | None) -> None:
    """Keep drafts as translations: clears fuzzy, records who approved.

    Drafts whose placeholders do not match their source are refused.
    """
    _decide(obj, "approve", ids, langs, articles, by)


@review.command("reject")
@_decision_options
def review_reject(obj: Context, ids: tuple[str, ...], langs: tuple[str, ...],
                  articles: tuple[str, ...], by: str | None) -> None:
    """Throw drafts away: the entries are untranslated again."""
    _decide(obj, "reject", ids, langs, articles, by)


_KEYS = "[a]pprove  [e]dit  [r]eject  [s]kip  [q]uit > "


def _show_item(item: Any, number: int, total: int) -> None:
    def label(text: str) -> str:
        return click.style(f"{text:<11}", bold=True)

    click.echo("")
    click.echo(click.style(f"[{number}/{total}] {item.lang} · {item.slug} · "
                           f"{item.path}:{item.line} · id {item.id}", fg="cyan", bold=True))
    where = ", ".join(item.references)
    context = item.note.replace("\n", "; ")
    if item.context:
        context = f"{context} (msgctxt {item.context})"
    click.echo(f"{label('context')}{context}" + (f" · {where}" if where else ""))
    provenance = item.provenance + (f", {item.date}" if item.date else "")
    if item.previous_source is not None and item.engine:
        provenance += f" (draft: {item.engine})"
    click.echo(f"{label('provenance')}{provenance}")
    if item.previous_source is not None:
        diff = "".join(click.style(piece, fg=colour) if colour else piece
                       for piece, colour in _marked_diff(item))
        click.echo(f"{label('changed')}{diff}")
    click.echo(f"{label('source')}{item.source}")
    click.echo(f"{label('draft')}{item.draft or '(empty)'}")
    for problem in item.problems:
        click.echo(click.style(f"{'warning':<11}{problem}", fg="red"))


def _new_text(item: Any) -> str | None:
    """The reviewer's wording: from $EDITOR, or typed inline. None: no change."""
    import os

    editor = os.environ.get("EDITOR")
    if editor:
        text = click.edit(item.draft + "\n", editor=editor, extension=".txt",
                          require_save=True)
    else:
        click.echo("type the new translation (empty: keep the draft as it is)")
        text = click.prompt("new", default="", show_default=False)
    if text is None:
        return None
    text = text.rstrip("\r\n")
    return text if text and text != item.draft else None


def _read_key() -> str:
    """One key from the terminal; from a pipe, the first character of a line. The end
    of input quits; Ctrl-C interrupts (exit 130), every decision made so far saved."""
    try:
        if sys.stdin.isatty():
            return click.getchar().lower()
        line = sys.stdin.readline()
    except EOFError:
        return "q"
    return line.strip()[:1].lower() if line else "q"


def _interactive_review(cfg: Config, langs: Sequence[str] | None, articles: Sequence[str] | None,
                        by: str, locked: Callable[[], Any]) -> None:
    from .review import review_queue

    items = review_queue(cfg, langs, articles)
    if not items:
        click.echo("the review queue is empty")
        return
    done = {"approved": 0, "edited": 0, "rejected": 0, "skipped": 0}
    click.echo(f"{_entries(len(items))} to review, as {by}; every decision is saved at once")
    try:
        for number, item in enumerate(items, 1):
            _show_item(item, number, len(items))
            if not _review_one(cfg, item, by, locked, done):
                break
    except KeyboardInterrupt:
        # Ctrl-C still exits 130, but the reviewer learns what was kept.
        _review_summary(done, len(items), "\ninterrupted; ")
        raise
    _review_summary(done, len(items), "\n")


def _review_one(cfg: Config, item: Any, by: str, locked: Callable[[], Any],
                done: dict[str, int]) -> bool:
    """Ask for one decision on an entry and save it; False when the reviewer quits."""
    from .errors import ReviewError
    from .review import approve, edit, reject

    while True:
        click.echo(_KEYS, nl=False)
        key = _read_key()
        click.echo(key if key.isprintable() else "")
        if key in ("a", "r"):
            decide, verb = (approve, "approved") if key == "a" else (reject, "rejected")
            with locked():
                outcome = decide(cfg, [item], by)
            if outcome.refused:
                click.echo(f"refused: {outcome.refused[0][1]}")
                continue
            done[verb] += 1
            click.echo(f"{verb}, saved to {item.path}")
        elif key == "e":
            text = _new_text(item)
            if text is None:
                click.echo("no change; the draft stays as it is")
                continue
            try:
                with locked():
                    edit(cfg, item, text, by)
            except ReviewError as exc:
                click.echo(f"refused: {exc.message}; the entry stays in the queue")
                continue
            done["edited"] += 1
            click.echo(f"saved and approved in {item.path}")
        elif key == "s":
            done["skipped"] += 1
        elif key == "q":
            return False
        else:
            continue
        return True


def _review_summary(done: dict[str, int], total: int, lead: str) -> None:
    decided = done["approved"] + done["edited"] + done["rejected"]
    summary = ", ".join(f"{k} {v}" for k, v in done.items())
    click.echo(f"{lead}{summary}; {total - decided} still in the review queue")


# -------------------------------------------------------------------- approval


@main.command("approve")
@click.argument("slug")
@click.option("--lang", "-l", "lang", required=True, metavar="L", help="The locale to approve.")
@_BY_OPTION
@pass_ctx
@handle_errors
@writes_workspace
def approve_cmd(obj: Context, slug: str, lang: str, by: str | None) -> None:
    """Approve the localized version of article SLUG for publication.

    Refused, with the reasons, unless it is complete: nothing untranslated, nothing
    fuzzy, no placeholder errors. Any later change to the source or a translation
    makes the approval stale.
    """
    from .errors import ApprovalRefused
    from .review import approve_version

    cfg = obj.config
    try:
        state = approve_version(cfg, slug, lang, _reviewer(cfg, by))
    except ApprovalRefused as exc:
        _err(f"error: {exc}")
        for reason in exc.reasons:
            _err(f"  - {reason}")
        sys.exit(exc.exit_code)
    click.echo(f"approved {state.path} for publication, by {state.by} at {state.date}")


@main.command("unapprove")
@click.argument("slug")
@click.option("--lang", "-l", "lang", required=True, metavar="L", help="The locale.")
@pass_ctx
@handle_errors
@writes_workspace
def unapprove_cmd(obj: Context, slug: str, lang: str) -> None:
    """Withdraw the approval of a localized version (it is no longer published)."""
    from .locale import normalize_locale
    from .review import unapprove

    cfg = obj.config
    path = cfg.rel(cfg.catalog_file(normalize_locale(lang), slug))
    if unapprove(cfg, slug, lang):
        click.echo(f"removed the approval of {path}")
    else:
        click.echo(f"{path} was not approved; nothing changed")


# ------------------------------------------------------------- status, check


def _status_table(status: Any) -> Any:
    """The status as a rich table, with a bar per row (for terminals)."""
    from rich.table import Table
    from rich.text import Text

    from .checks import format_percent
    from .report import HEADERS, NUMERIC, bar, status_rows

    table = Table(title="translation status", title_justify="left")
    for i, header in enumerate(HEADERS):
        table.add_column(header, justify="right" if i in NUMERIC or i == 4 else "left",
                         no_wrap=i in (0, 3))
    rows = status_rows(status)
    for number, row in enumerate(rows):
        done = row.counts.complete_words
        colour = "green" if done >= 100 else "yellow" if done >= 50 else "red"
        cells: list[Any] = row.cells()
        cells[3] = Text.assemble((bar(done), colour), f" {format_percent(done)}%")
        style = "bold" if row.total else None
        end = number + 1 < len(rows) and row.total != rows[number + 1].total
        table.add_row(*cells, style=style, end_section=end)
    return table


@main.command()
@lang_option
@article_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True,
              help="table: rich in a terminal, plain otherwise; markdown: for pull-request"
              " comments; json: a stable schema (docs/status.md).")
@pass_ctx
@handle_errors
def status(obj: Context, langs: tuple[str, ...], articles: tuple[str, ...], fmt: str) -> None:
    """How far each article is in each locale: segments, words, translated, drafts
    awaiting review, untranslated, obsolete, completeness and approval, with totals
    per locale and overall."""
    from .checks import compute_status
    from .report import status_json, status_markdown, status_text

    result = compute_status(obj.config, langs or None, articles or None)
    if fmt == "json":
        import json

        click.echo(json.dumps(status_json(result), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(status_markdown(result), nl=False)
    elif sys.stdout.isatty():
        from rich.console import Console

        Console().print(_status_table(result))
    else:
        click.echo(status_text(result))


def _repository_path(cfg: Config, path: str | None) -> str | None:
    """A finding's file as GitHub sees it: relative to $GITHUB_WORKSPACE (or the
    current folder), since the workspace may be a subfolder of the repository."""
    import os

    if path is None:
        return None
    base = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return (cfg.root / path).resolve().relative_to(base).as_posix()
    except ValueError:
        return path


@main.command()
@click.option("--min-complete", type=click.FloatRange(0, 100), metavar="PCT",
              help="Minimum completeness of every localized version, in percent; replaces"
              " the thresholds of [check] in the configuration.")
@click.option("--require-approved", is_flag=True,
              help="Every localized version must be approved, and unchanged since.")
@lang_option
@article_option
@click.option("--format", "fmt", type=click.Choice(["text", "github", "junit"]),
              default="text", show_default=True,
              help="github: GitHub Actions annotations; junit: JUnit XML (to --junit-file,"
              " or standard output).")
@click.option("--junit-file", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Write a JUnit XML report to PATH (with any --format).")
@pass_ctx
@handle_errors
def check(obj: Context, min_complete: float | None, require_approved: bool,
          langs: tuple[str, ...], articles: tuple[str, ...], fmt: str,
          junit_file: Path | None) -> None:
    """Gate for CI: exit 0 when every check holds, 1 when any finds an error.

    \b
    Checks: completeness against the thresholds; templates up to date with the
    articles and catalogs with the templates; PO/POT files valid as msgfmt --check
    sees them; per translated entry placeholders, markup, whitespace, numbers, URLs
    and untranslated copies; approvals (with --require-approved). Warnings are
    shown but do not fail the gate.
    """
    from .checks import check_workspace
    from .fsio import atomic_write
    from .report import github_annotation, junit_xml, summary_line

    cfg = obj.config
    result = check_workspace(cfg, min_complete, require_approved, langs or None,
                             articles or None)
    if junit_file is not None:
        atomic_write(junit_file, junit_xml(result))
    if fmt == "junit" and junit_file is None:
        click.echo(junit_xml(result).decode("utf-8"), nl=False)
    elif fmt == "github":
        for finding in result.findings:
            click.echo(github_annotation(finding, _repository_path(cfg, finding.path)))
        click.echo(summary_line(result))
    else:
        if fmt == "text":
            for finding in result.findings:
                click.echo(str(finding))
        click.echo(summary_line(result) + (f"; JUnit report in {junit_file}" if junit_file
                                           else ""))
    sys.exit(0 if result.passed else EXIT_ERROR)


# ------------------------------------------------------------------- review desk


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs care: set"
              " L10N_SERVE_TOKEN.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@pass_ctx
@handle_errors
def serve(obj: Context, host: str, port: int) -> None:
    """Open the review desk: a local web page to review drafts and approve articles.

    \b
    Every change is written to the same PO files, through the same library, as the
    other commands. With L10N_SERVE_TOKEN set in the environment, every request
    needs that token (open the printed address with ?token=... once).
    """
    import os

    from .web.server import bind, run

    cfg = obj.config
    token = os.environ.get("L10N_SERVE_TOKEN") or None
    sock, url = bind(host, port)
    if token is None and not _is_loopback(host):
        _err(f"warning: listening on {host} without an access token: anyone who can reach"
             " this machine can approve translations; set L10N_SERVE_TOKEN")
    click.echo(f"review desk for {cfg.root} on {url}")
    if token is not None:
        click.echo(f"access token required: open {url}?token=<L10N_SERVE_TOKEN> once")
    click.echo("press Ctrl-C to stop")
    run(cfg, sock, access_token=token, loopback_only=_is_loopback(host))


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
