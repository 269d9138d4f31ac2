"""The numbers the pictures draw, each from the published entries in one grouped query."""

from collections import defaultdict

from django.db.models import Count

from .. import tag_counts
from ..facet_counting import published_tag_counts
from ..models import Entry, EntryCountry


def country_counts(entries=None, role=None):
    """{country code: number of `entries` (published entries by default) naming it}, with `role` if given."""
    if entries is None and role is None and (kept := published_tag_counts(["c:"])) is not None:
        return {tag[2:]: n for tag, n in kept.items()}  # the counts the triggers keep
    entries = Entry.objects.published() if entries is None else entries
    tags = EntryCountry.objects.filter(entry__in=entries.order_by().values("pk"))
    if role:
        tags = tags.filter(role=role)
    return dict(tags.order_by().values_list("country_id").annotate(n=Count("pk")))


def partner_roles(country):
    """{code: {role: n}}: the countries named in the same published entries as `country`, by the role they play
    there; the sum over roles is the number of entries naming both (a country is tagged once per entry)."""
    code = getattr(country, "pk", country)
    counted = tag_counts.role_counts(f"c:{code}", exclude=code)  # PostgreSQL: the country page's own counts
    if counted is not None:
        return counted
    shared = Entry.objects.published().filter(country_tags__country=country).values("pk")
    tags = EntryCountry.objects.filter(entry__in=shared).exclude(country=country)
    found = defaultdict(dict)
    for code, role, n in tags.order_by().values_list("country_id", "role").annotate(n=Count("pk")):
        found[code][role] = n
    return dict(found)


def partnerships():
    """{(implementing code, partner code): number of published entries where the first country implements or
    presents and the second is its partner}."""
    tags = EntryCountry.objects.filter(
        role=EntryCountry.Role.PARTNER,
        entry__in=Entry.objects.published().values("pk"),
        entry__country_tags__role=EntryCountry.Role.IMPLEMENTING,
    )
    pairs = tags.order_by().values_list("entry__country_tags__country_id", "country_id").annotate(n=Count("pk"))
    return {(implementing, partner): n for implementing, partner, n in pairs}


def kinds_by(entries, field):
    """{value of `field`: {kind: n}} over `entries`, in one grouped query."""
    found = defaultdict(dict)
    for value, kind, n in entries.order_by().values_list(field, "kind").annotate(n=Count("pk")):
        found[value][kind] = n
    return dict(found)
