"""The `govtool` command: Flask's CLI with the app factory plus govtool's own groups.

`govtool db upgrade` comes from Flask-Migrate; `govtool users create`, `govtool demo load` are here;
areas add their groups (reminders, templates, agreements) in their init_app.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from .core.audit import acting_as
from .core.backup_cli import backup_command, restore_command
from .core.errors import DomainError
from .extensions import db


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """govtool: agreements, committees and the data-sharing catalogue."""


users_cli = AppGroup("users", help="Manage logins.")


@users_cli.command("create")
@click.option("--email", required=True, help="Login email.")
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice(["admin", "ministry", "secretary", "municipality", "member"]),
    help="Role; repeat for several.",
)
@click.option("--org", "org_short", default="", help="Short name of the organisation it acts for.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (for scripts)."
)
@with_appcontext
def create_user_command(email: str, roles: tuple[str, ...], org_short: str, password_stdin: bool):
    """Create a user; the password comes from a prompt or standard input, never the command line."""
    import sqlalchemy as sa

    from .auth import services
    from .directory.models import Organisation

    organisation_id = None
    if org_short:
        organisation_id = db.session.scalar(
            sa.select(Organisation.id).where(Organisation.short_name == org_short)
        )
        if organisation_id is None:
            raise click.UsageError(f"No organisation with short name {org_short!r}.")
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with acting_as(None):
            user = services.create_user(
                None,
                {
                    "email": email,
                    "roles": list(roles),
                    "organisation_id": organisation_id,
                    "password": password,
                    "is_active": True,
                },
            )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    click.echo(f"Created {user.email} ({', '.join(roles)}).")


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load into a database without users.")
@with_appcontext
def demo_load_command(if_empty: bool):
    """Load the Sachsen-Anhalt model project demo data; running it again changes nothing."""
    import sqlalchemy as sa

    from .auth.models import User
    from .demo import load_demo

    if if_empty and db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("Database has users already; demo data not loaded.")
        return
    summary = load_demo()
    db.session.commit()
    click.echo("Demo data loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    from .api.demo import DEMO_TOKEN_USER, demo_token

    secret = demo_token()
    db.session.commit()
    if secret:
        click.echo(f"API token for {DEMO_TOKEN_USER} (read and write, shown once): {secret}")


bench_cli = AppGroup("bench", help="Benchmark data.")


@bench_cli.command("seed")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 16))
def bench_seed_command(scale: int):
    """Fill an empty database with generated data (scale 1: 64 networks, 6,400 people, ...)."""
    import time

    from bench.seed import SEEDERS, seed

    started = time.perf_counter()
    steps = 1 + len(SEEDERS)
    with click.progressbar(length=steps, label=f"Seeding scale {scale}") as bar:

        def step(name: str) -> None:
            bar.label = f"Seeding scale {scale}: {name}"
            bar.update(1)

        try:
            counts = seed(scale, progress=step)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error
    elapsed = time.perf_counter() - started
    click.echo(", ".join(f"{k} {v:,}" for k, v in counts.items()) + f" in {elapsed:.1f} s")


translations_cli = AppGroup("translations", help="German and English catalogues.")


@translations_cli.command("compile")
@click.option("--force", is_flag=True, help="Compile even when up to date.")
def compile_translations_command(force: bool):
    """Compile every area's .po catalogue into the .mo file Flask-Babel reads."""
    from .i18n import compile_catalogues

    click.echo(f"{compile_catalogues(force)} catalogue(s) compiled.")


def register_commands(app: Flask) -> None:
    """Attach govtool's command groups to the app's CLI."""
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(translations_cli)
    app.cli.add_command(bench_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
