"""Pages of entries for the explorer and the API: a bounded page size, and a page fetched in a constant number of
queries whatever its depth (the offset runs over primary keys only, then one page of entries is loaded)."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from . import search
from .caching import cached_by_version
from .models import Entry, EntryCountry

PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 25, 100, 1_000_000


class PageForm(forms.Form):
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=MAX_PAGE, required=False)
    page_size = forms.IntegerField(label=_("Entrées par page"), min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def clean_page(self):
        return self.cleaned_data.get("page") or 1

    def clean_page_size(self):
        return self.cleaned_data.get("page_size") or PAGE_SIZE


def with_tags(queryset):
    """Everything an entry card, an export row or an API entry shows, in a fixed number of queries."""
    return (
        queryset.defer("search_vector")
        .select_related("meeting", "session__parent")
        .prefetch_related(
            Prefetch(
                "country_tags", EntryCountry.objects.select_related("country").order_by("role", "country__name_fr")
            ),
            "themes",
            "organisations",
        )
    )


def paginate(ordered_queryset, number, size, q="", count_queryset=None, count_key=None):
    """The page `number` (raises django.core.paginator.InvalidPage) with its entries loaded and, when searching,
    each entry's `snippet`. The total is counted on `count_queryset` (the filtered entries, unordered), and kept
    in the cache until the content changes when `count_key` names the filters."""
    paginator = Paginator(ordered_queryset.values_list("pk", flat=True), size)
    if count_queryset is not None:
        count = count_queryset.order_by().count
        paginator.count = cached_by_version(f"count:{count_key}", count) if count_key else count()
    page = paginator.page(number)
    pks = list(page.object_list)
    entries = with_tags(Entry.objects.filter(pk__in=pks))
    if q:
        entries = search.with_headline(entries, q)
    by_pk = {entry.pk: entry for entry in entries}
    page.object_list = [by_pk[pk] for pk in pks if pk in by_pk]
    if q:
        for entry in page.object_list:
            entry.snippet = search.snippet(entry, q)
    return page
