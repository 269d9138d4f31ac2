"""`manage.py restore_kb SRC`: restore a backup made by backup_kb, all or nothing (outcomes/ops/backup.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from outcomes.ops import backup


class Command(BaseCommand):
    help = (
        "Restore a backup folder or .tar.gz archive made by backup_kb into an empty knowledge base. The whole "
        "backup is checked first (manifest, checksums, every file present) and written in one transaction: a "
        "damaged or partial backup writes nothing. --replace deletes the current meetings, themes and "
        "organisations first (in the same transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a backup folder, or a .tar.gz archive")
        parser.add_argument(
            "--replace", action="store_true", help="replace the knowledge base the database already holds"
        )
        parser.add_argument("--dry-run", action="store_true", help="restore, report, then roll back: write nothing")

    def handle(self, *args, source, replace, dry_run, **options):
        try:
            checked = backup.verify(backup.read(source))
            with transaction.atomic():
                written = backup.restore(checked, replace=replace)
                transaction.set_rollback(dry_run)
        except backup.BackupError as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(f"Nothing restored from {source}:\n{lines}") from error
        done = "Checked (dry run, nothing written)" if dry_run else "Restored"
        self.stdout.write(self.style.SUCCESS(f"{done} {backup.summary(written)} from {source}."))
