"""`manage.py backup_kb DEST`: the whole knowledge base to a folder or a .tar.gz archive (outcomes/ops/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from outcomes.ops import backup


class Command(BaseCommand):
    help = (
        "Write every meeting (exchange format), the themes and organisations, the countries' names and the "
        "creation and change times to DEST: a new or empty folder, or an archive when DEST ends in .tar.gz. "
        "A manifest lists every file with its SHA-256. History and accounts are not included: use pg_dump "
        "for those (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="a new or empty folder, or a file name ending in .tar.gz")

    def handle(self, *args, destination, **options):
        files = backup.collect()
        try:
            backup.write(files, destination)
        except (backup.BackupError, OSError) as error:
            raise CommandError(f"Backup not written: {error}") from error
        numbers = backup.verify(files)["counts"]
        self.stdout.write(self.style.SUCCESS(f"Backed up {backup.summary(numbers)} to {destination}."))
