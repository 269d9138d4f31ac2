"""`manage.py export_meeting <slug>`: write a meeting in the exchange format, to stdout or a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outcomes.exchange import export_meeting
from outcomes.models import Meeting


class Command(BaseCommand):
    help = (
        "Write a meeting with its sessions, entries, speakers and the themes and organisations they use as YAML "
        "in the exchange format (docs/exchange-format.md), which import_meeting reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the slug of the meeting")
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")

    def handle(self, *args, slug, output, **options):
        meeting = Meeting.objects.filter(slug=slug).first()
        if meeting is None:
            known = ", ".join(Meeting.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No meeting with the slug {slug!r} (meetings: {known}).")
        text = export_meeting(meeting)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Exported meeting {slug} to {output}."))
