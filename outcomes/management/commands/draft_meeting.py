"""`manage.py draft_meeting FILE [--compare SLUG] [-o OUT]`: the draft meeting a final document gives, measured."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outcomes.exchange import to_yaml
from outcomes.ingest.compare import compare
from outcomes.ingest.extract import ExtractionError, extract_lines
from outcomes.ingest.propose import exchange_data, propose
from outcomes.ingest.tag import Vocabulary
from outcomes.models import Meeting


class Command(BaseCommand):
    help = (
        "Read a final document (PDF, DOCX or text), propose a draft meeting from it and print what it found; with "
        "--compare, measure the draft against a curated meeting (entry boundaries, kinds, country and organisation "
        "tags, session titles); with --output, write the draft in the exchange format. Writes nothing to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the document: .pdf, .docx or .txt")
        parser.add_argument("--compare", metavar="SLUG", help="the slug of a curated meeting to measure against")
        parser.add_argument("-o", "--output", help="write the draft as an exchange file (YAML) here")

    def handle(self, *args, file, compare: str | None, output, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        if len(data) > settings.INGEST_MAX_BYTES:
            raise CommandError(f"{file} is larger than the limit of {settings.INGEST_MAX_BYTES} bytes.")
        try:
            lines = extract_lines(data, path.name, timeout=settings.INGEST_EXTRACTION_SECONDS)
        except ExtractionError as error:
            raise CommandError(f"Cannot read {file}: {error.code}.") from None
        draft = propose(lines, Vocabulary.from_database())
        entries = sum(len(session["entries"]) for session in draft["sessions"])
        self.stdout.write(f"{draft['meeting']['title']}: {len(draft['sessions'])} sessions, {entries} entries.")
        if compare:
            meeting = Meeting.objects.filter(slug=compare).first()
            if meeting is None:
                raise CommandError(f"No meeting with the slug {compare!r}.")
            for line in compare_report(draft, meeting):
                self.stdout.write(line)
        if output:
            Path(output).write_text(to_yaml(exchange_data(draft)), encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Draft written to {output}."))


def compare_report(draft, meeting):
    return compare(draft, meeting).lines()
