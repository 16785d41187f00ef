"""The `civic-ideas` command line: one readable line on errors, a traceback only with --debug."""

from __future__ import annotations

import atexit
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from flows import DEFAULT_WAREHOUSE
from models import backends
from transforms.errors import UserError
from warehouse.store import Warehouse

# Before Prefect is imported: no telemetry (it logs alarming tracebacks), and quiet logs unless asked for.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The temporary server Prefect starts for in-process runs needs more than its default 20 s on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
if "--debug" not in sys.argv:
    # Errors reach the user as one line (below); Prefect's console handler stays quiet, its API logs do not change.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
try:  # Prefect's home and database, when Prefect would make them now, are made private first (flows.prefect_home)
    from flows.prefect_home import make_private_prefect_home

    make_private_prefect_home()
except OSError as _exc:  # e.g. a read-only home: Prefect reports it itself if it needs the folder
    logging.getLogger(__name__).debug("could not prepare Prefect's home: %s", _exc)

log = logging.getLogger(__name__)

# Every command imports what it needs inside its body, so that `--help` and `sql` start without Prefect, pandas,
# scikit-learn or SciPy; the one root of the errors a user can fix lives in a module that imports nothing.


def is_known_error(exc: BaseException) -> bool:
    """`exc` is a UserError (transforms.errors): its message alone tells the user what to fix."""
    return isinstance(exc, UserError)


class Context:
    """Global options shared by every command; `warehouse` is where it is (`warehouse.store.Warehouse`)."""

    def __init__(self, warehouse: Warehouse | str | Path, export_dir: Path, debug: bool) -> None:
        self.warehouse = Warehouse.at(warehouse)
        self.export_dir = export_dir
        self.debug = debug


def _settings_error(exc: BaseException) -> str | None:
    """One line for a setting pydantic refused (e.g. CIVIC_IDEAS_FETCH_THREADS=0), naming the setting and the rule."""
    core = sys.modules.get("pydantic_core")
    if core is None or not isinstance(exc, core.ValidationError) or not exc.errors():
        return None
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or exc.title
    return (f"the setting {field} is not valid: {first.get('msg', 'invalid value')}; fix it (environment variable "
            "or consultations.toml) and try again")


def _fail(ctx: Context, exc: BaseException) -> None:
    _exit_with(exc, debug=ctx.debug)


def _exit_with(exc: BaseException, *, debug: bool) -> None:
    if debug:
        raise exc
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    settings_error = _settings_error(exc)
    if settings_error:
        message = settings_error
    elif not is_known_error(exc):
        message = f"unexpected error ({type(exc).__name__}): {message} (run with --debug for details)"
    _end_status_line()  # the error starts a line of its own, not the end of a progress bar
    click.echo(f"civic-ideas: error: {message}", err=True)
    sys.exit(1)


def _guard(ctx: Context, body: Any) -> Any:
    try:
        return body()
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into one line
        _fail(ctx, exc)


@click.group()
@click.option("--warehouse", type=click.Path(path_type=Path), envvar="CIVIC_IDEAS_WAREHOUSE",
              default=DEFAULT_WAREHOUSE, show_default=True, help="DuckDB warehouse file.")
@click.option("--export-dir", type=click.Path(path_type=Path), envvar="CIVIC_IDEAS_EXPORT_DIR",
              default="exports", show_default=True, help="Folder for the planners' exports.")
@click.option("--debug", is_flag=True, help="Show tracebacks and Prefect's logs.")
@click.option("--quiet", is_flag=True, help="No progress lines on stderr (errors still show).")
@click.pass_context
def main(click_ctx: click.Context, warehouse: Path, export_dir: Path, debug: bool, quiet: bool) -> None:
    """civic-ideas: citizens' comments on consultation posts, turned into topics planners act on."""
    logging.basicConfig(level=logging.INFO if debug else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    if not debug:
        # Prefect reports a failed task and flow with tracebacks; the CLI reports the cause itself, in one line.
        for handler in logging.getLogger().handlers:
            handler.addFilter(lambda record: not record.name.startswith("prefect"))
            handler.setLevel(logging.ERROR)  # the Graph API client's wait lines (below) reach it too
    _show_progress(not quiet, debug)
    try:
        click_ctx.obj = Context(warehouse, export_dir, debug)
    except UserError as exc:  # e.g. a shared warehouse's location, which this version cannot open
        _exit_with(exc, debug=debug)


PROGRESS = "civic_ideas.progress"  # the logger long stages report to (flows.ingest, flows.pipeline, the demo)


BAR_WIDTH = 20


def _bar(record: logging.LogRecord) -> str:
    """`[#######.............] 7/20 ` for a record with `extra={"bar": (done, total)}`, else nothing."""
    done, total = getattr(record, "bar", (0, 0))
    if total <= 0:
        return ""
    filled = BAR_WIDTH * min(max(done, 0), total) // total
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} "


class _ProgressLines(logging.Handler):
    """Progress on stderr ("civic-ideas: clustering 111 ideas"); the stream is looked up at each line, so a test's
    captured stderr gets them too.

    Not a terminal (a log file, a pipe, a scheduler): every record is a plain line, as it comes. A terminal: a
    record with `extra={"transient": True}` is drawn on a status line that the next record redraws (carriage return,
    then erase to the end of the line), with a bar of posts read when it carries `extra={"bar": (done, total)}`;
    every other record is a line that stays. The status line is closed (newline) before any line that stays, before
    an error (:func:`_end_status_line`) and when the process exits, so nothing is written over it."""

    pending = False  # a status line is on the terminal without its newline (one terminal per process)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            if not _is_terminal(stream):
                click.echo(f"civic-ideas: {record.getMessage()}", err=True)
                return
            text = f"civic-ideas: {_bar(record)}{record.getMessage()}"
            if getattr(record, "transient", False):
                _ProgressLines._draw(stream, text)
            else:
                prefix = "\r\x1b[K" if _ProgressLines.pending else ""
                _ProgressLines.pending = False
                stream.write(f"{prefix}{text}\n")
                stream.flush()
        except Exception:  # noqa: BLE001 - a closed stderr must not stop the run
            self.handleError(record)

    @staticmethod
    def _draw(stream: Any, text: str) -> None:
        width = _terminal_width()
        if len(text) >= width:  # a wrapped line cannot be redrawn by a carriage return
            text = text[: max(width - 2, 10)] + "…"
        stream.write(f"\r\x1b[K{text}")
        stream.flush()
        _ProgressLines.pending = True


def _is_terminal(stream: Any) -> bool:
    """stderr is a terminal that understands a carriage return and erase-line (not TERM=dumb)."""
    try:
        return bool(stream.isatty()) and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _end_status_line() -> None:
    """Close a status line left on the terminal (newline), so what is written next starts on a line of its own."""
    if _ProgressLines.pending:
        _ProgressLines.pending = False
        try:
            sys.stderr.write("\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr already closed
            pass


def _is_wait(record: logging.LogRecord) -> bool:
    """The Graph API client's retry and rate-limit waits ("Graph API ...; retry 1 of 5 in 2.0 s", "... pausing 60 s");
    its URLs are masked (sources.graph.mask_url)."""
    return str(record.msg).startswith("Graph API")


def _show_progress(show: bool, debug: bool) -> None:
    """Progress lines on stderr at INFO, unless --quiet; with --debug the Graph API's waits show in its own log."""
    progress, graph = logging.getLogger(PROGRESS), logging.getLogger("sources.graph")
    for logger in (progress, graph):  # a second `main` in one process (tests) replaces the first's handler
        for old in [h for h in logger.handlers if isinstance(h, _ProgressLines)]:
            logger.removeHandler(old)
    progress.propagate = False
    progress.setLevel(logging.INFO if show else logging.WARNING)
    if not show:
        return
    progress.addHandler(_ProgressLines())
    atexit.unregister(_end_status_line)  # once, however often `main` runs in this process
    atexit.register(_end_status_line)
    if not debug:
        waits = _ProgressLines()
        waits.addFilter(_is_wait)
        graph.addHandler(waits)
        graph.setLevel(logging.INFO)


def _print_summary(ctx: Context, counts: dict[str, Any]) -> None:
    from warehouse import queries

    with ctx.warehouse.session(read_only=True, wait_seconds=10) as con:
        live, deleted, n_ideas = queries.warehouse_totals(con)
        topics = queries.summary_topics(con)  # pandas (its table) only when there are topics
    click.echo(f"Warehouse: {ctx.warehouse}  ({live} comments and replies, {deleted} deleted, {n_ideas} ideas)")
    fetched, changed = counts.get("comments_fetched", 0), counts.get("comments_changed", 0)
    click.echo(f"This run: {fetched} comments fetched, {changed} new or changed")
    for channel, got in counts.get("channel_items", {}).items():  # flows.channels: Instagram
        click.echo(f"  and {got['fetched']} {channel} comments fetched, {got['changed']} new or changed")
    for post_id in counts.get("incomplete_posts", []):
        click.echo(f"Warning: the scan of post {post_id} did not complete; nothing was marked deleted (see --debug)")
    for slug, paths in counts.get("exports", {}).items():
        click.echo(f"Exports for {slug}: {Path(paths[0]).parent}/")
        for path in paths:
            click.echo(f"  {path}")
    if topics is not None and len(topics):
        click.echo("")
        click.echo(topics.to_string(index=False, max_colwidth=48))


@main.command()
@click.pass_obj
def demo(ctx: Context) -> None:
    """Run the whole pipeline on the bundled sample consultation (through the local Graph API stand-in)."""
    def body() -> None:
        from flows.demo import check_demo_warehouse, demo_flow

        check_demo_warehouse(ctx.warehouse)  # before Prefect starts, and a refusal is the only line
        logging.getLogger(PROGRESS).info("demo: the sample consultations through the local Graph API stand-in")
        counts = demo_flow(warehouse=ctx.warehouse.location, export_dir=str(ctx.export_dir))
        _print_summary(ctx, counts)
        reports = [str(Path(ctx.export_dir) / slug / "report.html") for slug in counts.get("exports", {})]
        if reports:  # the one thing to do next
            click.echo("")
            click.echo(f"Open the report: {' and '.join(reports)}")

    _guard(ctx, body)


def _backend_help() -> str:
    """--backend's help, from the registry."""
    def one(b: backends.Backend) -> str:
        return f"{b.name} ({b.description}{f'; needs `uv sync --extra {b.extra}`' if b.extra else ''})"

    return (f"Topic backend: {'; '.join(one(b) for b in backends.REGISTRY.values())}. Default: {backends.DEFAULT} "
            f"where installed, else {backends.FALLBACK}.")


_BACKEND = click.option("--backend", type=click.Choice(backends.NAMES), default=None, help=_backend_help())
_EMBEDDINGS_MODEL = click.option(
    "--embeddings-model", type=click.Path(path_type=Path), default=None,
    help="Local sentence-transformers model folder for --backend embeddings (default: the bundled all-MiniLM-L6-v2).",
)


def _check_backend(backend: str | None, model_path: str | Path | None) -> str:
    """The topic backend to use (``backend``, else the default: ``flows.settings.resolve_backend``), after checking
    that its optional packages and model are there (one clear line if not), before anything starts."""
    from flows.settings import resolve_backend

    backend = resolve_backend(backend)
    backends.get(backend).check(model_path)
    return backend


def _stage_command(name: str, stages: list[str], help_text: str) -> None:
    def command(ctx: Context, config_path: Path, slugs: tuple[str, ...], backend: str | None = None) -> None:
        def body() -> None:
            from flows.settings import load_consultations

            chosen = load_consultations(config_path).select(list(slugs))  # fail fast, before Prefect starts
            # the first line, before the backend check and the pipeline's imports (DuckDB, pyarrow, requests)
            logging.getLogger(PROGRESS).info("%s: %d consultation%s from %s", name, len(chosen),
                                             "" if len(chosen) == 1 else "s", config_path)
            for c in chosen:
                if "analyse" in stages:
                    _check_backend(backend or c.backend, c.embeddings_model_path)
            from flows.pipeline import run_flow

            counts = run_flow(config_path=str(config_path), consultations=list(slugs) or None, stages=stages,
                              warehouse=ctx.warehouse.location, export_dir=str(ctx.export_dir), backend=backend)
            _print_summary(ctx, counts)

        _guard(ctx, body)

    if "analyse" in stages:
        command = _BACKEND(command)
    command = click.option("--consultation", "slugs", multiple=True, help="Only this consultation (repeatable).")(
        command
    )
    command = click.option("--config", "config_path", default="consultations.toml", show_default=True,
                           type=click.Path(path_type=Path), help="The consultations file.")(command)
    main.command(name=name, help=help_text)(click.pass_obj(command))


_stage_command("run", ["ingest", "analyse", "export"], "Ingest, analyse and export, as one flow run.")
_stage_command("ingest", ["ingest"], "Fetch comments from the Graph API into the warehouse.")
_stage_command("analyse", ["analyse"], "Detect ideas and cluster them into topics.")
_stage_command("export", ["export"], "Write the planners' exports.")


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--wait", "wait_seconds", type=float, default=10.0, show_default=True,
              help="Seconds to wait while a run holds the warehouse.")
@click.pass_obj
def sql(ctx: Context, query: str, fmt: str, wait_seconds: float) -> None:
    """Run one read-only SELECT on the warehouse (no file access, no settings, one statement)."""
    def body() -> None:
        from flows.sql_output import format_csv, format_json, format_table

        columns, rows = ctx.warehouse.analyst_query(query, wait_seconds=wait_seconds)
        if fmt == "csv":
            click.echo(format_csv(columns, rows), nl=False)
        elif fmt == "json":
            click.echo(format_json(columns, rows))
        else:
            click.echo(format_table(columns, rows))

    _guard(ctx, body)


@main.command()
@click.option("--facebook-user-id", default=None, help="Erase everything this Facebook user wrote.")
@click.option("--comment-id", default=None,
              help="Erase this comment and the replies under it, or this imported item (CHANNEL:ITEM_ID, its idea_id).")
@click.option("--imported-author", default=None,
              help="Erase every imported item whose author cell was this (a name or an e-mail address).")
@click.option("--instagram-username", default=None, help="Erase every Instagram comment this username wrote.")
@click.pass_obj
def forget(ctx: Context, facebook_user_id: str | None, comment_id: str | None, imported_author: str | None,
           instagram_username: str | None = None) -> None:
    """Erase a person's, a comment's or an imported item's data from every table; exports follow at the next
    export."""
    def body() -> None:
        import datetime as dt

        from flows.settings import ConfigError, Settings, salt
        from warehouse.erase import forget as erase

        asked = {"facebook_user": facebook_user_id, "comment": comment_id, "imported_author": imported_author,
                 "instagram_user": instagram_username}
        given = [(kind, value) for kind, value in asked.items() if value is not None]
        if len(given) != 1:
            raise ConfigError("give exactly one of --facebook-user-id ID, --comment-id ID, --imported-author TEXT or "
                              "--instagram-username NAME")
        if imported_author is not None and not imported_author.strip():
            raise ConfigError("--imported-author is empty: give the author cell's text as it was imported")
        kind, value = given[0]
        key_salt = None if kind == "comment" else salt(Settings())
        n = erase(ctx.warehouse, kind, value, key_salt, dt.datetime.now(dt.UTC))
        click.echo(f"erased {n} rows; run `civic-ideas analyse` and `civic-ideas export` to refresh the exports")

    _guard(ctx, body)


@main.command("import")
@click.argument("file_path", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--consultation", required=True, help="The consultation the items belong to (its slug).")
@click.option("--channel", required=True, help="Where the items come from: a short slug, e.g. borgermoede or email.")
@click.option("--text-column", required=True, help="Column holding the item's text.")
@click.option("--id-column", default=None,
              help="Column holding a unique id per row (default: a hash of the text, date and author).")
@click.option("--date-column", default=None, help="Column holding the date (2014-05-12, 12-05-2014 or 12.05.2014).")
@click.option("--author-column", default=None,
              help="Column naming the author; only a keyed hash of it is stored (needs the salt).")
@click.option("--sheet", default=None, help="The .xlsx file's sheet (default: the first).")
@click.option("--config", "config_path", default=None, type=click.Path(path_type=Path),
              help="consultations.toml: the consultation must be one of its (default: one the warehouse knows).")
@click.pass_obj
def import_(ctx: Context, file_path: Path, consultation: str, channel: str, text_column: str, id_column: str | None,
            date_column: str | None, author_column: str | None, sheet: str | None, config_path: Path | None) -> None:
    """Import items from a CSV or XLSX file (meeting notes, e-mails) as channel CHANNEL of a consultation; the next
    `civic-ideas analyse` (or run) finds their ideas and clusters them with the Facebook ones."""
    def body() -> None:
        from flows.imports import import_file
        from sources.files import ImportColumns

        columns = ImportColumns(text=text_column, item_id=id_column, date=date_column, author=author_column)
        n = import_file(ctx.warehouse, file_path, consultation=consultation, channel=channel, columns=columns,
                        sheet=sheet, config=config_path)
        stored = n["new"] + n["changed"] + n["unchanged"]
        notes = [f"{n['skipped']} rows without text skipped"] if n["skipped"] else []
        notes += [f"{n['erased']} erased items left out"] if n["erased"] else []
        click.echo(f"imported {stored} items from {file_path.name} into {consultation}, channel {channel}: "
                   f"{n['new']} new, {n['changed']} changed, {n['unchanged']} unchanged"
                   + "".join(f"; {note}" for note in notes))
        click.echo("run `civic-ideas analyse` and `civic-ideas export` (or wait for the next run) to see their ideas")

    _guard(ctx, body)


@main.group()
def topics() -> None:
    """Planner corrections, kept as rules and re-applied after every idea detection and clustering run."""


def _saved(ctx: Context, slug: str, what: str, apply: bool, config_path: Path) -> None:
    if apply:
        from flows.corrections import apply_now

        click.echo(f"{what} saved for {slug}")
        paths = apply_now(ctx.warehouse, slug, ctx.export_dir, config_path)
        click.echo(f"exports for {slug} updated: {Path(paths[0]).parent}/")
    else:
        click.echo(f"{what} saved for {slug}; `civic-ideas export` shows it (no new analysis needed), or add --apply")


def _correct(ctx: Context, consultation: str | None, by: str, action: str, apply: bool = False,
             config_path: Path = Path("consultations.toml"), **fields: Any) -> None:
    def body() -> None:
        from flows.corrections import AT_NEXT_ANALYSIS, correct

        slug, rule = correct(ctx.warehouse, consultation, action, by=by, **fields)
        if action in AT_NEXT_ANALYSIS:  # idea detection reads them, not the topic run
            click.echo(f"correction {rule} saved for {slug}; it applies from the next `civic-ideas analyse` or run")
        else:
            _saved(ctx, slug, f"correction {rule}", apply, config_path)

    _guard(ctx, body)


_CONSULTATION = click.option("--consultation", default=None, help="The consultation (needed when there are several).")
_BY = click.option("--by", default="planlægger", show_default=True, help="Who made it: a role or team, not a name.")


def _applying(command: Any) -> Any:
    command = click.option("--apply", "apply", is_flag=True,
                           help="Re-apply the corrections and write this consultation's exports now.")(command)
    return click.option("--config", "config_path", default="consultations.toml", show_default=True,
                        type=click.Path(path_type=Path),
                        help="The consultations file, for the report's title with --apply.")(command)


@topics.command("list")
@click.option("--consultation", default=None, help="Only this consultation.")
@click.pass_obj
def topics_list(ctx: Context, consultation: str | None) -> None:
    """The latest topics, corrections included: number, label, ideas, citizens, status."""
    def body() -> None:
        from flows.corrections import topic_lists

        frames = topic_lists(ctx.warehouse, consultation)
        if not frames:
            click.echo("no topics yet: run `civic-ideas run` (or `analyse`) first")
        for slug, frame in frames:
            click.echo(f"{slug}:")
            click.echo(f"{'topic':>6}  {'ideas':>5}  {'citizens':>8}  {'status':<9}  label")
            for t in frame.itertuples(index=False):
                mark = " (corrected)" if t.is_corrected else ""
                click.echo(f"{t.topic_id:>6}  {t.n_ideas:>5}  {t.n_authors:>8}  {t.status:<9}  {t.label}{mark}")

    _guard(ctx, body)


@topics.command("new")
@click.argument("label")
@click.option("--ideas", "idea_ids", multiple=True, required=True,
              help="An idea of the new topic (repeatable): the Idé-id column of the workbook, idea_id in ideas.csv.")
@_CONSULTATION
@_BY
@_applying
@click.pass_obj
def topics_new(ctx: Context, label: str, idea_ids: tuple[str, ...], consultation: str | None, by: str, apply: bool,
               config_path: Path) -> None:
    """Make a new topic LABEL of the given ideas; it is kept across runs like the other corrections."""
    def body() -> None:
        from flows.corrections import new_topic

        slug, topic_id, rule = new_topic(ctx.warehouse, consultation, label, list(idea_ids), by=by)
        _saved(ctx, slug, f"topic {topic_id} (correction {rule})", apply, config_path)

    _guard(ctx, body)


@main.group()
def corrections() -> None:
    """The planners' corrections: list them, undo one."""


@corrections.command("list")
@click.option("--consultation", default=None, help="Only this consultation.")
@click.pass_obj
def corrections_list(ctx: Context, consultation: str | None) -> None:
    """Every correction, oldest first, with the id `corrections undo` takes."""
    def body() -> None:
        from flows.corrections import correction_list

        frame = correction_list(ctx.warehouse, consultation)
        if frame.empty:
            click.echo("no corrections yet")
        for row in frame.itertuples(index=False):
            click.echo(f"{row.id:>4}  {row.consultation}  {row.correction}  ({row.by}, {row.at})")

    _guard(ctx, body)


@corrections.command("undo")
@click.argument("correction_id", metavar="N", type=int)
@_applying
@click.pass_obj
def corrections_undo(ctx: Context, correction_id: int, apply: bool, config_path: Path) -> None:
    """Remove correction N (see `corrections list`); a new topic goes as a whole."""
    def body() -> None:
        from flows.corrections import undo

        slug, what = undo(ctx.warehouse, correction_id)
        _saved(ctx, slug, f"undo of correction {correction_id} ({what})", apply, config_path)

    _guard(ctx, body)


@topics.command("rename")
@click.argument("topic_id", type=int)
@click.argument("label")
@_CONSULTATION
@_BY
@_applying
@click.pass_obj
def topics_rename(ctx: Context, topic_id: int, label: str, consultation: str | None, by: str,
                  apply: bool, config_path: Path) -> None:
    """Give topic TOPIC_ID the label LABEL."""
    _correct(ctx, consultation, by, "rename", topic_id=topic_id, label=label, apply=apply, config_path=config_path)


@topics.command("merge")
@click.argument("topic_id", type=int)
@click.argument("target_topic_id", type=int)
@_CONSULTATION
@_BY
@_applying
@click.pass_obj
def topics_merge(ctx: Context, topic_id: int, target_topic_id: int, consultation: str | None, by: str,
                 apply: bool, config_path: Path) -> None:
    """Merge topic TOPIC_ID into TARGET_TOPIC_ID."""
    _correct(ctx, consultation, by, "merge", topic_id=topic_id, target_topic_id=target_topic_id,
             apply=apply, config_path=config_path)


@topics.command("move")
@click.argument("idea_id")
@click.argument("target_topic_id", type=int)
@_CONSULTATION
@_BY
@_applying
@click.pass_obj
def topics_move(ctx: Context, idea_id: str, target_topic_id: int, consultation: str | None, by: str,
                apply: bool, config_path: Path) -> None:
    """Move idea IDEA_ID to topic TARGET_TOPIC_ID."""
    _correct(ctx, consultation, by, "move", idea_id=idea_id, target_topic_id=target_topic_id,
             apply=apply, config_path=config_path)


@topics.command("exclude")
@click.argument("idea_id")
@_CONSULTATION
@_BY
@click.pass_obj
def topics_exclude(ctx: Context, idea_id: str, consultation: str | None, by: str) -> None:
    """Mark IDEA_ID as not an idea: it leaves topics and exports, until `topics include IDEA_ID` brings it back."""
    _correct(ctx, consultation, by, "exclude", idea_id=idea_id)


@topics.command("include")
@click.argument("comment_id")
@_CONSULTATION
@_BY
@click.pass_obj
def topics_include(ctx: Context, comment_id: str, consultation: str | None, by: str) -> None:
    """Make COMMENT_ID an idea for good, whatever detection says (see the workbook's sheet Ikke idéer), or undo an
    exclude of it. From the next analysis it is clustered into a topic, and `topics move` works on it."""
    _correct(ctx, consultation, by, "include", idea_id=comment_id)


@main.command("cluster-file")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--text-column", required=True, help="Column holding the text.")
@click.option("--id-column", default=None, help="Column holding a unique id (default: the row number, header = 1).")
@click.option("--sheet", default=None, help="The .xlsx file's sheet (default: the first).")
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path),
              help="Output CSV; the topic summary goes beside it as <name>_topics.csv.")
@click.option("--language", type=click.Choice(["da", "en"]), default="da", show_default=True)
@click.option("--themes", "themes_path", type=click.Path(path_type=Path), default=None,
              help="TOML file with [[themes]] (label, seeds).")
@_BACKEND
@_EMBEDDINGS_MODEL
@click.pass_obj
def cluster_file(ctx: Context, input_path: Path, text_column: str, id_column: str | None, sheet: str | None,
                 out_path: Path, language: str, themes_path: Path | None, backend: str,
                 embeddings_model: Path | None) -> None:
    """Idea detection and topic clustering of any table of texts (.csv with , ; or tab, or .xlsx, as `import`
    reads it); no warehouse needed. Writes each row's id, is_idea, kind, topic and text, and a topic summary."""
    def body() -> None:
        from flows.clusterfile import cluster_file as run
        from flows.settings import load_themes

        chosen = _check_backend(backend, embeddings_model)  # fail fast, before reading the file
        themes = [t.model_dump() for t in load_themes(themes_path)] if themes_path else None
        result, out, summary = run(input_path, out_path, text_column=text_column, id_column=id_column, sheet=sheet,
                                   language=language, themes=themes, backend=chosen,
                                   embeddings_model_path=str(embeddings_model) if embeddings_model else None)
        n_ideas = int(result.items["is_idea"].sum())
        click.echo(f"{len(result.items)} rows, {n_ideas} ideas in {len(result.topics)} topics -> {out} "
                   f"(topics: {summary})")

    _guard(ctx, body)


if __name__ == "__main__":  # pragma: no cover
    main()
