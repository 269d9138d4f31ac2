"""`manage.py load_fixtures`: load the real data of fixtures/ (themes, organisations, then every meeting)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from outcomes.exchange import ExchangeError, import_meeting, import_vocabulary, read_yaml
from outcomes.framework_fixtures import FrameworkFileError, import_frameworks


class Command(BaseCommand):
    help = (
        "Load fixtures/themes.yaml, fixtures/organisations.yaml, fixtures/frameworks.yaml (when they exist) and every "
        "fixtures/meetings/*.yaml (in the exchange format, by file name) in one transaction. Idempotent: loading "
        "twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            default=settings.BASE_DIR / "fixtures",
            type=Path,
            help="the fixtures directory (default: %(default)s)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, directory, dry_run, **options):
        vocabulary_files = [
            path for path in (directory / "themes.yaml", directory / "organisations.yaml") if path.exists()
        ]
        framework_files = [path for path in [directory / "frameworks.yaml"] if path.exists()]
        meeting_files = sorted((directory / "meetings").glob("*.yaml"))
        vocabulary = {}  # what the vocabulary files define, which the meeting files must not contradict
        problems, reports = [], []

        def load(path, importer, **extra):
            try:
                result = importer(read_yaml(path), **extra)
            except (ExchangeError, FrameworkFileError) as error:
                problems.extend(f"  {path.relative_to(directory)}: {problem}" for problem in error.problems)
                return
            reports.append(f"  {path.relative_to(directory)}: {result.summary()}")
            for section, items in result.vocabulary.items():
                vocabulary.setdefault(section, {}).update(items)

        # One transaction: meeting files use the themes of the vocabulary files, and a problem anywhere writes nothing.
        with transaction.atomic():
            for path in vocabulary_files:
                load(path, import_vocabulary)
            for path in framework_files:  # before the meetings, whose entries are tagged with their items
                load(path, import_frameworks)
            for path in meeting_files:
                load(path, import_meeting, vocabulary=vocabulary)
            if problems or dry_run:
                transaction.set_rollback(True)
        if problems:
            raise CommandError("\n".join([f"{len(problems)} problem(s) in {directory}, nothing written:", *problems]))
        done = "Checked (dry run, nothing written)" if dry_run else "Loaded"
        count = len(vocabulary_files) + len(framework_files) + len(meeting_files)
        self.stdout.write(self.style.SUCCESS(f"{done} {count} fixture file(s) from {directory}."))
        for report in reports:
            self.stdout.write(report)
