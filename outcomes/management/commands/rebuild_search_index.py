"""`manage.py rebuild_search_index`: analyse every entry again and count the vocabulary again (outcomes/search/).

Saves, imports and bulk updates keep the index right as they write; this is for a change of the analyser (a new
stop word, a new stemmer version) or after writing entries with raw SQL."""

from django.core.management.base import BaseCommand
from django.db import transaction

from outcomes.models import Entry, SearchWord
from outcomes.search import index


class Command(BaseCommand):
    help = "Analyse every entry again for search and rebuild the vocabulary of the corpus."

    def handle(self, *args, **options):
        with transaction.atomic():
            index.rebuild()
        entries, words = Entry.objects.count(), SearchWord.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {entries} entries, {words} words."))
