"""What the public pages count and rank: entries by kind, a tag's first entries, related entries, the home figures.

The views ask; these functions know how. Counts over every entry change only with the content, so the costly ones
are kept in the cache by content version (outcomes/caching.py) by their callers or here.
"""

import unicodedata

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from . import tag_counts
from .caching import cached_by_version
from .facet_counting import published_tag_counts
from .listing import with_tags_of_published
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Status, Theme

RELATED_LIMIT = 6
HOME_TOP = 12
TAG_PAGE_PER_KIND = 5
HOME_MEETINGS = 10  # the latest; every meeting is a facet of the explorer and listed on the meetings page


def sort_key(name):
    """Alphabetical order that ignores case and accents on every database ("Égypte" before "Espagne")."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def by_name(objects):
    return sorted(objects, key=lambda obj: sort_key(str(obj.name)))


def by_count_then_name(objects, count):
    return sorted(objects, key=lambda obj: (-getattr(obj, count), sort_key(str(obj.name))))


def published_entries_count(path="entries"):
    """Count of the published entries reached through `path`, as an annotation."""
    return Count(path, filter=Entry.objects.published_condition(path), distinct=True)


def kind_counts(path="entries"):
    """One `n_<kind>` count of published entries per kind, plus `n_total`, as annotations."""
    published = Entry.objects.published_condition(path)
    counts = {
        f"n_{kind}": Count(path, filter=published & Q(**{f"{path}__kind": kind}), distinct=True)
        for kind in Entry.Kind.values
    }
    return {"n_total": published_entries_count(path), **counts}


def kind_breakdown(obj):
    """[(kind, label, count)] for the non-zero `n_<kind>` attributes of obj, in the order of Entry.Kind."""
    return [(kind, label, getattr(obj, f"n_{kind}")) for kind, label in Entry.Kind.choices if getattr(obj, f"n_{kind}")]


def group_by_kind(entries):
    """[(kind, label, [entries])] in the order of Entry.Kind, each group in the order given."""
    groups = {kind: [] for kind in Entry.Kind.values}
    for entry in entries:
        groups[entry.kind].append(entry)
    return [(kind, label, groups[kind]) for kind, label in Entry.Kind.choices if groups[kind]]


def first_of_each_kind(entries, cache_key, tag=None):
    """[(kind, label, [its first entries], its count)] in the order of Entry.Kind, each in document order. A
    country or a theme gathers thousands of entries as meetings accumulate: its page shows the first few of each
    kind, the explorer the rest. Counting and ranking read every tagged entry, so their result is cached until the
    content changes. With `tag` (the entries' tag in outcomes_entry_facets, `c:SN`), PostgreSQL counts and ranks on
    that table (outcomes/tag_counts.py)."""
    order = Entry.objects.document_order()

    def rank():
        counts = tag_counts.kind_counts(tag) if tag else None
        if counts is not None:
            return counts, tag_counts.first_by_kind(tag, counts, TAG_PAGE_PER_KIND)
        counts = dict(entries.order_by().values_list("kind").annotate(n=Count("pk")))
        # Rank ids only (the window sorts every tagged entry); the cards are loaded for the few shown.
        ranked = entries.annotate(position=Window(RowNumber(), partition_by=F("kind"), order_by=order))
        return counts, list(ranked.filter(position__lte=TAG_PAGE_PER_KIND).values_list("pk", flat=True))

    counts, ids = cached_by_version(cache_key, rank)
    shown = entries.filter(pk__in=ids).order_by(*order)
    if tag:  # published entries: their tags from their facet rows, not three more queries (PostgreSQL)
        shown = with_tags_of_published(list(shown.prefetch_related(None)))
    groups = group_by_kind(shown)
    return [(kind, label, shown, counts.get(kind, len(shown))) for kind, label, shown in groups]


def with_kind_counts(meetings):
    """The meetings with their published entries counted by kind (`n_<kind>`, `n_total`, `kinds`) and their
    co-chairs by name, in one query for the counts: annotating while paging would count every meeting's."""
    meetings = list(meetings)
    counts = (
        Entry.objects.published()
        .filter(meeting__in=[meeting.pk for meeting in meetings])
        .order_by()
        .values_list("meeting_id", "kind")
        .annotate(n=Count("pk"))
    )
    by_meeting = {}
    for meeting_id, kind, n in counts:
        by_meeting.setdefault(meeting_id, {})[kind] = n
    for meeting in meetings:
        found = by_meeting.get(meeting.pk, {})
        for kind in Entry.Kind.values:
            setattr(meeting, f"n_{kind}", found.get(kind, 0))
        meeting.n_total = sum(found.values())
        meeting.kinds = kind_breakdown(meeting)
        meeting.co_chair_list = by_name(meeting.co_chairs.all())
    return meetings


def home_figures():
    """The latest meetings, the totals by kind, and the countries and themes with the most published entries."""
    published = Meeting.objects.published().newest_first()
    ids = list(published.values_list("pk", flat=True))
    latest = list(
        Meeting.objects.filter(pk__in=ids[:HOME_MEETINGS])
        .prefetch_related("co_chairs")
        .annotate(**kind_counts())
        .newest_first()
    )
    for meeting in latest:
        meeting.kinds = kind_breakdown(meeting)
        meeting.co_chair_list = by_name(meeting.co_chairs.all())
    # On PostgreSQL, the counts the triggers keep: no count over every entry.
    tags = published_tag_counts(["*", "k:", "c:", "t:"])
    if tags is None:
        totals = Entry.objects.published().aggregate(
            n_total=Count("pk"), **{f"n_{kind}": Count("pk", filter=Q(kind=kind)) for kind in Entry.Kind.values}
        )
        countries = Country.objects.annotate(n_total=published_entries_count()).filter(n_total__gt=0)
        themes = Theme.objects.annotate(n_total=published_entries_count()).filter(n_total__gt=0)
    else:
        totals = {"n_total": tags.get("*", 0), **{f"n_{kind}": tags.get(f"k:{kind}", 0) for kind in Entry.Kind.values}}
        countries = with_counts(Country.objects.all(), {tag[2:]: n for tag, n in tags.items() if tag[:2] == "c:"})
        themes = with_counts(Theme.objects.all(), {int(tag[2:]): n for tag, n in tags.items() if tag[:2] == "t:"})
    return {
        "meetings": latest,
        "meeting_count": len(ids),
        "total_entries": totals["n_total"],
        "kinds": [(kind, label, totals[f"n_{kind}"]) for kind, label in Entry.Kind.choices if totals[f"n_{kind}"]],
        "top_countries": by_count_then_name(countries, "n_total")[:HOME_TOP],
        "top_themes": by_count_then_name(themes, "n_total")[:HOME_TOP],
    }


def with_counts(objects, counts):
    """The objects counted in {pk: count}, each with `n_total`."""
    found = list(objects.filter(pk__in=list(counts)))
    for obj in found:
        obj.n_total = counts[obj.pk]
    return found


def countries_with_entries():
    """The countries named in published entries, by name, each with its counts by kind (`kinds`)."""
    countries = by_name(Country.objects.annotate(**kind_counts()).filter(n_total__gt=0))
    for country in countries:
        country.kinds = kind_breakdown(country)
    return countries


def themes_with_counts():
    """Every theme, by name, with its counts of published entries by kind (`kinds`)."""
    themes = by_name(Theme.objects.annotate(**kind_counts()))
    for theme in themes:
        theme.kinds = kind_breakdown(theme)
    return themes


def organisations_by_kind():
    """[(kind, label, [organisations by label, each with `n_total`])] in the order of Organisation.Kind."""
    organisations = Organisation.objects.select_related("country").annotate(n_total=published_entries_count())
    groups = {kind: [] for kind in Organisation.Kind.values}
    for organisation in sorted(organisations, key=lambda org: sort_key(org.label)):
        groups[organisation.kind].append(organisation)
    return [(kind, label, groups[kind]) for kind, label in Organisation.Kind.choices if groups[kind]]


def countries_sharing_entries(entries, exclude=None, tag=None):
    """The countries tagged on `entries` (but `exclude`), most shared entries (`n_shared`) first, then by name.
    With `tag` (what `entries` have in common, `t:4`), PostgreSQL counts on outcomes_entry_facets."""
    shared = tag_counts.country_counts(tag, exclude=getattr(exclude, "pk", None)) if tag else None
    if shared is not None:
        found = list(Country.objects.filter(pk__in=list(shared)))
        for country in found:
            country.n_shared = shared[country.pk]
        return by_count_then_name(found, "n_shared")
    countries = Country.objects.filter(entry_tags__entry__in=entries)
    if exclude is not None:
        countries = countries.exclude(pk=exclude.pk)
    return by_count_then_name(countries.annotate(n_shared=Count("entry_tags__entry", distinct=True)), "n_shared")


def related_entry_ids(entry, theme_ids, country_codes):
    """The published entries sharing the most themes and countries with `entry`, best first.

    Counted on the tag tables (one row per shared tag, grouped by entry) rather than by joining every entry to its
    tags, which is far slower on large data."""
    themes, countries = Entry.themes.through._meta.db_table, EntryCountry._meta.db_table
    entries, meetings, sessions = Entry._meta.db_table, Meeting._meta.db_table, Session._meta.db_table
    theme_marks, country_marks = ", ".join(["%s"] * len(theme_ids)), ", ".join(["%s"] * len(country_codes))
    shared = " UNION ALL ".join(
        part
        for part, used in [
            (f"SELECT entry_id FROM {themes} WHERE theme_id IN ({theme_marks})", theme_ids),
            (f"SELECT entry_id FROM {countries} WHERE country_id IN ({country_marks})", country_codes),
        ]
        if used
    )
    # The published rule of EntryQuerySet.published_condition(), written in SQL.
    sql = f"""
        SELECT e.id FROM ({shared}) AS tagged
        JOIN {entries} e ON e.id = tagged.entry_id
        JOIN {meetings} m ON m.id = e.meeting_id
        JOIN {sessions} s ON s.id = e.session_id
        WHERE e.id <> %s AND e.status = %s AND m.status = %s
        GROUP BY e.id, m.title, s."order", e."order"
        ORDER BY count(*) DESC, m.title, s."order", e."order", e.id
        LIMIT %s
    """
    params = [*theme_ids, *country_codes, entry.pk, Status.PUBLISHED, Status.PUBLISHED, RELATED_LIMIT]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def related_entries(entry):
    """The entries to show beside `entry` (see related_entry_ids), with their meeting; cached by content version."""
    theme_ids = [theme.pk for theme in entry.themes.all()]
    country_codes = [tag.country_id for tag in entry.country_tags.all()]
    if not theme_ids and not country_codes:
        return []
    ids = cached_by_version(f"related:{entry.pk}", lambda: related_entry_ids(entry, theme_ids, country_codes))
    by_pk = Entry.objects.select_related("meeting").in_bulk(ids)
    return [by_pk[pk] for pk in ids if pk in by_pk]
