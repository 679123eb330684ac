"""`govtool backup OUT` and `govtool restore IN` (see core.backup for the archive)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from .backup import BackupError, write_backup
from .restore import restore_archive, verify_archive


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@with_appcontext
def backup_command(out: Path, force: bool) -> None:
    """Write the database and the uploaded files to one ZIP archive OUT."""
    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; choose another name or add --force.")
    try:
        result = write_backup(out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # no such directory, disk full, no permission
        raise click.ClickException(f"Cannot write {out}: {error}") from error
    for entry in result.missing_files:
        click.echo(
            f"Warning: upload {entry['sha256']} is {entry['reason']} in the upload store "
            "and not in the archive.",
            err=True,
        )
    click.echo(
        f"Backup written to {out} ({_megabytes(result.size)}): {len(result.rows)} tables, "
        f"{sum(result.rows.values()):,} rows, {result.files:,} files."
    )
    click.echo(f"SHA-256 {result.sha256}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--verify-only", is_flag=True, help="Check the archive completely; change nothing.")
@with_appcontext
def restore_command(archive: Path, verify_only: bool) -> None:
    """Restore a backup ARCHIVE into this govtool's empty database and upload store.

    The whole archive is checked first; a damaged archive or a database with data in it is
    refused and nothing changes. A database without tables is migrated first."""
    try:
        if verify_only:
            manifest = verify_archive(archive)
            click.echo(
                f"{archive} is complete and intact: backup of {manifest.created_at}, revision "
                f"{manifest.revision}, {sum(manifest.rows.values()):,} rows, "
                f"{len(manifest.files):,} files."
            )
            return
        result = restore_archive(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except (OSError, sa.exc.SQLAlchemyError) as error:
        # e.g. the upload directory not writable, a row the target database refuses: the load
        # was rolled back and the files it wrote removed
        reason = getattr(error, "orig", None) or error
        raise click.ClickException(
            f"Restore failed and was rolled back, no row or file of the archive was kept: {reason}"
        ) from error
    click.echo(
        f"Restored the backup of {result.created_at}: {sum(result.rows.values()):,} rows in "
        f"{len(result.rows)} tables, {result.files_written + result.files_present:,} files"
        + (" (database migrated first)." if result.migrated else ".")
    )
