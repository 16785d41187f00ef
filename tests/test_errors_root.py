"""One root for the errors a user can fix: every such class is a `transforms.errors.UserError`, and the CLI turns any
UserError (even one it has never heard of) into one line and exit 1, while other errors stay 'unexpected'."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flows import cli
from flows.prefect_setup import SetupError
from flows.settings import ConfigError
from models.embeddings import EmbeddingsUnavailable
from sources.errors import GraphAPIError, RateLimitError, TokenError
from sources.files import InputFileError
from transforms.errors import UserError
from transforms.imports import ImportDataError
from warehouse.db import QueryRefused, WarehouseBusy, WarehouseError, connect


@pytest.mark.parametrize("cls", [ConfigError, GraphAPIError, TokenError, RateLimitError, WarehouseError,
                                 WarehouseBusy, QueryRefused, InputFileError, ImportDataError, EmbeddingsUnavailable,
                                 SetupError])
def test_every_user_facing_error_has_the_one_root(cls: type[Exception]) -> None:
    assert issubclass(cls, UserError)
    assert cli.is_known_error(cls.__new__(cls))


def test_the_old_bases_still_hold() -> None:
    """Callers that catch ValueError or RuntimeError keep catching these."""
    assert issubclass(ImportDataError, ValueError)
    assert issubclass(EmbeddingsUnavailable, RuntimeError)


class _NewUserError(UserError):
    """A user-facing error the CLI has never been told about."""


@pytest.fixture()
def raising_command() -> Iterator[str]:
    """A command on the real group that raises what `--what` names, through the CLI's own error handling."""

    @click.command("raise-for-test")
    @click.option("--what", type=click.Choice(["user", "bug"]))
    @click.pass_obj
    def raise_for_test(ctx: cli.Context, what: str) -> None:
        def body() -> None:
            if what == "user":
                raise _NewUserError("the file x.csv has no column 'text'; name it with --text-column\nsecond line")
            raise KeyError("text")

        cli._guard(ctx, body)

    cli.main.add_command(raise_for_test)
    try:
        yield "raise-for-test"
    finally:
        cli.main.commands.pop("raise-for-test")


def test_a_user_error_from_any_command_is_one_line(raising_command: str) -> None:
    result = CliRunner().invoke(cli.main, [raising_command, "--what", "user"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "civic-ideas: error: the file x.csv has no column 'text'; name it with --text-column"]


def test_another_error_is_reported_as_unexpected(raising_command: str) -> None:
    result = CliRunner().invoke(cli.main, [raising_command, "--what", "bug"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("civic-ideas: error: unexpected error (KeyError)"), lines


def test_a_refused_query_is_one_line(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    connect(warehouse).close()
    result = CliRunner().invoke(cli.main, ["--warehouse", str(warehouse), "sql", "delete from comments"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("civic-ideas: error: ") and "unexpected" not in lines[0], lines
