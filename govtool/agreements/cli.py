"""`govtool templates check FILE.docx`, `govtool agreements render ID --out F.docx`, reminders."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from ..core.bounds import MAX_ID, MIN_ID
from ..core.docx import TemplateRenderError
from ..extensions import db

templates_cli = AppGroup("templates", help="Agreement templates (DOCX).")
agreements_cli = AppGroup("agreements", help="Agreements.")


@templates_cli.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def check_command(path: Path) -> None:
    """Check a DOCX template: variables, unknown variables, syntax errors, split or curly tags."""
    from .template_checks import check_template

    if not path.exists():
        raise click.ClickException(f"{path}: no such file.")
    result = check_template(path.read_bytes(), path.name)
    click.echo(f"Template: {path}")
    click.echo("Variables used: " + (", ".join(result.variables) or "none"))
    click.echo("Not provided by any agreement: " + (", ".join(result.unprovided) or "none"))
    for issue in result.issues:
        click.echo(f"{issue.level.upper()}: {issue.message}")
        if issue.paragraph:
            click.echo(f'  in paragraph: "{issue.paragraph[:200]}"')
    if result.errors:
        click.echo(f"{len(result.errors)} error(s).")
        raise SystemExit(1)
    click.echo("OK.")


@agreements_cli.command("render")
@click.argument("agreement_id", type=click.IntRange(MIN_ID, MAX_ID))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--version",
    "version_number",
    type=click.IntRange(MIN_ID, MAX_ID),
    default=None,
    help="Default: the latest.",
)
@click.option(
    "--template",
    "template_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Render through this DOCX file instead of the agreement's template version.",
)
@with_appcontext
def render_command(agreement_id: int, out: Path, version_number, template_path) -> None:
    """Render an agreement (its latest version) to a DOCX file."""
    from .rendering import render_version
    from .services import download_document, get_agreement, get_version

    agreement = get_agreement(agreement_id)
    if agreement is None:
        raise click.ClickException(f"No agreement with id {agreement_id}.")
    version = get_version(agreement, version_number) if version_number else agreement.latest_version
    try:
        if template_path is not None:
            data = render_version(
                version, draft=not version.all_signed, template=template_path.read_bytes()
            )
        else:
            data = download_document(version)[0]
    except TemplateRenderError as error:
        raise click.ClickException(error.message) from error
    out.write_bytes(data)
    click.echo(f"{agreement.number} v{version.number} written to {out} ({len(data)} bytes).")


@agreements_cli.command("refresh-status")
@with_appcontext
def refresh_command() -> None:
    """Move agreements whose term started or ended to their new status."""
    from .services import refresh_all_statuses

    changed = refresh_all_statuses()
    db.session.commit()
    click.echo(f"{changed} agreement(s) changed status.")
