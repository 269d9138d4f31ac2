"""`manage.py import_meeting <file>`: create or update a meeting from a file in the exchange format."""

from django.core.management.base import BaseCommand, CommandError

from outcomes.exchange import ExchangeError, import_meeting, read_yaml


def problems_error(path, error):
    """A CommandError listing every problem of the file."""
    count = len(error.problems)
    lines = [f"{path}: {count} problem{'s' if count > 1 else ''}, nothing written:"]
    return CommandError("\n".join([*lines, *(f"  {problem}" for problem in error.problems)]))


class Command(BaseCommand):
    help = (
        "Create or update a meeting, its sessions, entries, speakers, themes and organisations from a YAML file "
        "in the exchange format (docs/exchange-format.md). The whole file is checked first; then everything is "
        "written in one transaction, or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the YAML file to import")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            result = import_meeting(read_yaml(file), dry_run=dry_run)
        except ExchangeError as error:
            raise problems_error(file, error) from None
        done = "Checked (dry run, nothing written)" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{done} {file}: meeting {result.meeting.slug}, {result.summary()}."))
        if result.assigned_references:
            given = "Would give" if dry_run else "Gave"
            self.stdout.write(f"{given} references to the new entries the file gives none (add them to keep them):")
            for place, reference in result.assigned_references:
                self.stdout.write(f"  {place}: {reference}")
