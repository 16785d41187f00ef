"""Prefect set-up for scheduled runs: the `civic-ideas` work pool and the Secret blocks, from the environment.

`make prefect-setup` (= `python -m flows.prefect_setup`) runs this against the server in PREFECT_API_URL. It is safe
to run again: the pool is created when missing, the token block is replaced (Page tokens get renewed), and the salt
block is never changed once it exists, because a new salt would give every author a new pseudonym.

`project_root` is a deployment build step (see prefect.yaml): it gives the pull step the absolute path of the checkout
that was deployed, so the worker runs the flows from it without any environment variable to forget.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click
from prefect import get_client
from prefect.blocks.system import Secret
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectNotFound
from prefect.settings import get_current_settings
from prefect.workers.process import ProcessWorker

from flows.settings import ensure_salt_file, salt_file
from transforms.errors import UserError

POOL = "civic-ideas"
TOKEN_BLOCK = "facebook-access-token"
SALT_BLOCK = "civic-ideas-salt"


class SetupError(UserError):
    """Prefect cannot be set up as asked; the message says how to fix it."""


def project_root() -> dict[str, str]:
    """Build step: the checkout being deployed (the directory holding prefect.yaml), as `{"directory": ...}`."""
    root = Path.cwd().resolve()
    if not (root / "prefect.yaml").is_file() or not (root / "flows").is_dir():
        raise SetupError(f"run `prefect deploy` from the civic-ideas checkout (where prefect.yaml is), not from {root}")
    return {"directory": str(root)}


def _api_url() -> str:
    url = get_current_settings().api.url
    if not url:
        raise SetupError(
            "PREFECT_API_URL is not set: start `prefect server start` and "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (or `prefect config set PREFECT_API_URL=...`)"
        )
    return url


async def _ensure_pool(name: str) -> str:
    async with get_client() as client:
        try:
            pool = await client.read_work_pool(name)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            await client.create_work_pool(WorkPoolCreate(name=name, type="process", base_job_template=template))
            return f"work pool {name}: created (type process)"
    if pool.type != "process":
        raise SetupError(
            f"work pool {name} exists with type {pool.type}: `prefect work-pool delete {name}` and run again"
        )
    return f"work pool {name}: already there (type process)"


def _load_secret(name: str) -> str | None:
    try:
        return Secret.load(name).get()
    except ValueError:  # Prefect raises ValueError for a block document that does not exist
        return None


def _save_token(token: str | None) -> str:
    if not token:
        return f"secret {TOKEN_BLOCK}: skipped (FACEBOOK_ACCESS_TOKEN is not set; the demo needs no token)"
    existed = _load_secret(TOKEN_BLOCK) is not None
    Secret(value=token).save(TOKEN_BLOCK, overwrite=True)
    return f"secret {TOKEN_BLOCK}: {'replaced' if existed else 'created'} from FACEBOOK_ACCESS_TOKEN"


def _local_salt() -> tuple[str, str]:
    """The salt to store: CIVIC_IDEAS_SALT, else the local salt file (created on first use), and where it came from."""
    if os.environ.get("CIVIC_IDEAS_SALT"):
        return os.environ["CIVIC_IDEAS_SALT"], "CIVIC_IDEAS_SALT"
    path = salt_file()
    return ensure_salt_file(path), f"the salt file {path}"


def _save_salt() -> str:
    value, source = _local_salt()
    stored = _load_secret(SALT_BLOCK)
    if stored is None:
        Secret(value=value).save(SALT_BLOCK)
        return f"secret {SALT_BLOCK}: created from {source}"
    if stored != value:
        return (f"secret {SALT_BLOCK}: kept (it differs from {source}; changing the salt would give every author a "
                "new pseudonym, so delete the block by hand if you really mean it)")
    return f"secret {SALT_BLOCK}: already there"


def setup(pool: str = POOL) -> list[str]:
    """Create (or check) the work pool and the Secret blocks on the Prefect server; one line per object."""
    url = _api_url()
    return [
        f"Prefect API: {url}",
        asyncio.run(_ensure_pool(pool)),
        _save_token(os.environ.get("FACEBOOK_ACCESS_TOKEN")),
        _save_salt(),
    ]


@click.command()
def main() -> None:
    """Create the civic-ideas work pool and the Secret blocks facebook-access-token and civic-ideas-salt."""
    try:
        lines = setup()
    except SetupError as exc:
        click.echo(f"prefect-setup: error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - one readable line, e.g. when the server is not reachable
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        hint = "is `prefect server start` running and PREFECT_API_URL right?"
        click.echo(f"prefect-setup: error: {type(exc).__name__}: {first} ({hint})", err=True)
        sys.exit(1)
    for line in lines:
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    main()
