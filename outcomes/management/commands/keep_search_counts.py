"""`manage.py keep_search_counts`: choose again the searches whose facet counts are kept (outcomes/kept_searches.py),
from the most frequent words of the published entries, count them and rank their first entries. Run it after adding
meetings and after an upgrade: the choice is not remade on every write."""

from django.core.management.base import BaseCommand
from django.db import transaction

from outcomes import kept_searches


class Command(BaseCommand):
    help = (
        "Choose the searches for the most frequent words whose facet counts and first entries by relevance are kept, "
        "count and rank them (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stems", type=int, default=kept_searches.STEMS, help="How many frequent stems.")
        parser.add_argument(
            "--min-entries", type=int, default=kept_searches.MIN_ENTRIES, help="Entries a stem must be in, at least."
        )

    def handle(self, *args, stems, min_entries, **options):
        if not kept_searches.uses_kept_searches():
            self.stdout.write("Nothing to do: SQLite counts every search (docs/performance.md).")
            return
        with transaction.atomic():
            kept = kept_searches.keep_frequent_searches(stems, min_entries)
        self.stdout.write(self.style.SUCCESS(f"Facet counts and first entries kept for {kept} searches."))
