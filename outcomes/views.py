import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.db import connection
from django.db.models import Case, Count, F, FilteredRelation, Prefetch, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.generic import DetailView, ListView, TemplateView

from . import followup
from .caching import cached_by_version
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Status, Theme

PUBLISHED_ENTRY = Q(entries__status=Status.PUBLISHED, entries__meeting__status=Status.PUBLISHED)
RELATED_LIMIT = 6
HOME_TOP = 12
TAG_PAGE_PER_KIND = 5
HOME_MEETINGS = 10  # the latest; every meeting is a facet of the explorer and listed on the meetings page
MEETINGS_PER_PAGE = 20
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# Undated meetings last on every database (PostgreSQL sorts NULLs first in descending order, SQLite last).
NEWEST_MEETING_FIRST = [F("meeting__start_date").desc(nulls_last=True), "meeting__title"]


def sort_key(name):
    """Alphabetical order that ignores case and accents on every database ("Égypte" before "Espagne")."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def by_name(objects):
    return sorted(objects, key=lambda obj: sort_key(str(obj.name)))


def kind_counts(prefix="entries", published=PUBLISHED_ENTRY):
    """One `n_<kind>` count of published entries per kind, plus `n_total`, as annotations."""
    counts = {
        f"n_{kind}": Count(prefix, filter=published & Q(**{f"{prefix}__kind": kind}), distinct=True)
        for kind in Entry.Kind.values
    }
    return {"n_total": Count(prefix, filter=published, distinct=True), **counts}


def kind_breakdown(obj):
    """[(kind, label, count)] for the non-zero `n_<kind>` annotations of obj, in the order of Entry.Kind."""
    return [(kind, label, getattr(obj, f"n_{kind}")) for kind, label in Entry.Kind.choices if getattr(obj, f"n_{kind}")]


# Country tags read best as who acts, with whom, then who is only mentioned.
ROLE_ORDER = Case(
    When(role=EntryCountry.Role.IMPLEMENTING, then=Value(0)),
    When(role=EntryCountry.Role.PARTNER, then=Value(1)),
    default=Value(2),
)


def by_count_then_name(objects, count):
    return sorted(objects, key=lambda obj: (-getattr(obj, count), sort_key(str(obj.name))))


def entries_for_cards(entries=None):
    """Published entries (or `entries`) with everything the entry card shows."""
    return (
        (Entry.objects.published() if entries is None else entries)
        .defer("search_vector")  # indexed for search, never shown
        .select_related("meeting", "session")
        .prefetch_related(
            Prefetch(
                "country_tags",
                queryset=EntryCountry.objects.select_related("country").order_by(ROLE_ORDER, "country__name_fr"),
            ),
            Prefetch("themes", queryset=Theme.objects.order_by("name_fr")),
            "organisations",
        )
    )


def group_by_kind(entries):
    """[(kind, label, [entries])] in the order of Entry.Kind, each group in document order."""
    groups = {kind: [] for kind in Entry.Kind.values}
    for entry in entries:
        groups[entry.kind].append(entry)
    return [(kind, label, groups[kind]) for kind, label in Entry.Kind.choices if groups[kind]]


def first_of_each_kind(entries, order, cache_key):
    """[(kind, label, [its first entries], its count)] in the order of Entry.Kind. A country or a theme gathers
    thousands of entries as meetings accumulate: its page shows the first few of each kind, the explorer the rest.
    Counting and ranking read every tagged entry, so their result is cached until the content changes."""

    def rank():
        counts = dict(entries.order_by().values_list("kind").annotate(n=Count("pk")))
        # Rank ids only (the window sorts every tagged entry); the cards are loaded for the few shown.
        ranked = entries.annotate(position=Window(RowNumber(), partition_by=F("kind"), order_by=order))
        return counts, list(ranked.filter(position__lte=TAG_PAGE_PER_KIND).values_list("pk", flat=True))

    counts, ids = cached_by_version(cache_key, rank)
    groups = group_by_kind(entries.filter(pk__in=ids).order_by(*order))
    return [(kind, label, shown, counts.get(kind, len(shown))) for kind, label, shown in groups]


class Home(TemplateView):
    template_name = "outcomes/home.html"

    def get_context_data(self, **kwargs):
        # Counts over every entry change only with the content: computed once per content version.
        return super().get_context_data(**cached_by_version("home", self.figures), **kwargs)

    @staticmethod
    def figures():
        published = Meeting.objects.published().order_by(F("start_date").desc(nulls_last=True), "title")
        ids = list(published.values_list("pk", flat=True))
        meetings = Meeting.objects.filter(pk__in=ids[:HOME_MEETINGS]).prefetch_related("co_chairs")
        meetings = meetings.order_by(F("start_date").desc(nulls_last=True), "title")
        meetings = list(meetings.annotate(**kind_counts(published=Q(entries__status=Status.PUBLISHED))))
        for meeting in meetings:
            meeting.kinds = kind_breakdown(meeting)
            meeting.co_chair_list = by_name(meeting.co_chairs.all())
        totals = Entry.objects.published().aggregate(
            n_total=Count("pk"), **{f"n_{kind}": Count("pk", filter=Q(kind=kind)) for kind in Entry.Kind.values}
        )
        countries = Country.objects.annotate(n_total=Count("entries", filter=PUBLISHED_ENTRY, distinct=True))
        themes = Theme.objects.annotate(n_total=Count("entries", filter=PUBLISHED_ENTRY, distinct=True))
        return {
            "meetings": meetings,
            "meeting_count": len(ids),
            "total_entries": totals["n_total"],
            "kinds": [(kind, label, totals[f"n_{kind}"]) for kind, label in Entry.Kind.choices if totals[f"n_{kind}"]],
            "top_countries": by_count_then_name(countries.filter(n_total__gt=0), "n_total")[:HOME_TOP],
            "top_themes": by_count_then_name(themes.filter(n_total__gt=0), "n_total")[:HOME_TOP],
        }


class MeetingList(ListView):
    """Every published meeting, newest first and undated ones last, with its key figures."""

    paginate_by = MEETINGS_PER_PAGE

    def get_queryset(self):
        return (
            Meeting.objects.published()
            .prefetch_related("co_chairs")
            .order_by(F("start_date").desc(nulls_last=True), "title", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = context["meeting_list"] = list(context["meeting_list"])
        # The counts of the page's meetings only, in one query: counting while paging would count every meeting's.
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
        return context


class MeetingDetail(DetailView):
    """The final document as a structured page: metadata, then every session and its entries in document order.

    The sessions with their entry cards (160 cards for a long meeting: most of the page's time) are rendered once
    per content version and language for anonymous visitors and kept in the cache (`cached_by_version`): a
    publication changes the version, hence the key, so a change shows at once. Signed-in users always get them
    rendered afresh, never the anonymous copy."""

    def get_queryset(self):
        return (
            Meeting.objects.published()
            .select_related("previous_meeting")
            .prefetch_related(
                "co_chairs",
                Prefetch("sessions", queryset=Session.objects.order_by("order")),
                Prefetch("speakers", queryset=Speaker.objects.select_related("country", "session")),
                Prefetch("follow_up_meetings", queryset=Meeting.objects.published()),
            )
        )

    def get_context_data(self, **kwargs):
        meeting = self.object
        sessions = list(meeting.sessions.all())
        by_id = {session.pk: session for session in sessions}
        for session in sessions:
            session.subsections = []
            session.depth = 0
        toc = []
        for session in sessions:
            parent = by_id.get(session.parent_id)
            if parent is None:
                toc.append(session)
            else:
                parent.subsections.append(session)
                session.depth = parent.depth + 1
        previous = meeting.previous_meeting if meeting.previous_meeting_id else None
        if previous is not None and previous.status != Status.PUBLISHED:
            previous = None
        if self.request.user.is_authenticated:
            document = self.document(sessions)
        else:
            document = cached_by_version(meeting_document_key(meeting), lambda: self.document(sessions))
        return super().get_context_data(
            sessions=sessions,
            toc=toc,
            sessions_html=document["html"],
            kinds=document["kinds"],
            co_chairs=by_name(meeting.co_chairs.all()),
            previous_meeting=previous,
            entry_count=document["entry_count"],
            has_source=source_path(meeting) is not None,
            **kwargs,
        )

    def document(self, sessions):
        """The sessions with their published entries rendered as HTML, the count of entries by kind, and their
        total: plain values, so they can be cached."""
        entries = list(entries_for_cards().filter(session__in=sessions).order_by("order", "pk"))
        by_session = {session.pk: [] for session in sessions}
        for entry in entries:
            by_session[entry.session_id].append(entry)
        for session in sessions:
            session.published_entries = by_session[session.pk]
        in_document_order = [entry for session in sessions for entry in session.published_entries]
        return {
            "html": render_to_string("includes/meeting_sessions.html", {"sessions": sessions}),
            "kinds": [(kind, str(label), len(group)) for kind, label, group in group_by_kind(in_document_order)],
            "entry_count": len(entries),
        }


def meeting_document_key(meeting):
    """The cache key of a meeting's rendered sessions for anonymous visitors (the version and language are added
    by cached_by_version)."""
    return f"meeting-document:{meeting.pk}"


def may_preview(user, model):
    """Whether `user` may see drafts of `model` on the public pages: staff allowed to change it in the admin."""
    opts = model._meta
    return user.is_staff and user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")


class EntryDetail(DetailView):
    """One entry, where it comes from, how to cite it, and the entries that share its themes or countries.

    Staff who may change entries also see a draft (or an entry of a draft meeting), marked as such, so that "view
    on site" in the admin shows what will be published; everyone else gets a 404. Signed-in users' pages are never
    shared by caches (outcomes/caching.py sends them `private, no-cache`)."""

    def get_object(self, queryset=None):
        preview = may_preview(self.request.user, Entry)
        entries = entries_for_cards(Entry.objects.all() if preview else None)
        entry = get_object_or_404(entries.select_related("session__parent__parent"), reference=self.kwargs["reference"])
        entry.is_draft = entry.status != Status.PUBLISHED or entry.meeting.status != Status.PUBLISHED
        return entry

    def get_context_data(self, **kwargs):
        entry = self.object
        tags = list(entry.country_tags.all())
        theme_ids = [theme.pk for theme in entry.themes.all()]
        country_codes = [tag.country_id for tag in tags]
        related = []
        if theme_ids or country_codes:
            ids = cached_by_version(f"related:{entry.pk}", lambda: related_entry_ids(entry, theme_ids, country_codes))
            by_pk = Entry.objects.select_related("meeting").in_bulk(ids)
            related = [by_pk[pk] for pk in ids if pk in by_pk]
        roles = [
            (role, label, [tag.country for tag in tags if tag.role == role])
            for role, label in EntryCountry.Role.choices
        ]
        return super().get_context_data(
            roles=[group for group in roles if group[2]],
            related=list(related),
            links=followup.grouped_relations(followup.links_touching([entry.pk]), entry.pk, not entry.is_draft),
            framework_items=followup.framework_items_of(entry),
            follow_ups=followup.follow_ups_by_country(entry) if entry.kind == Entry.Kind.RECOMMENDATION else None,
            has_source=source_path(entry.meeting) is not None,
            citation_url=self.request.build_absolute_uri(entry.get_absolute_url()),
            **kwargs,
        )


def related_entry_ids(entry, theme_ids, country_codes):
    """The published entries sharing the most themes and countries with `entry`, best first.

    Counted on the tag tables (one row per shared tag, grouped by entry) rather than by joining every entry to its
    tags: at 100,000 entries that join took 1.5 s, this takes a few tens of milliseconds."""
    themes, countries = Entry.themes.through._meta.db_table, EntryCountry._meta.db_table
    theme_marks, country_marks = ", ".join(["%s"] * len(theme_ids)), ", ".join(["%s"] * len(country_codes))
    shared = " UNION ALL ".join(
        part
        for part, used in [
            (f"SELECT entry_id FROM {themes} WHERE theme_id IN ({theme_marks})", theme_ids),
            (f"SELECT entry_id FROM {countries} WHERE country_id IN ({country_marks})", country_codes),
        ]
        if used
    )
    sql = f"""
        SELECT e.id FROM ({shared}) AS tagged
        JOIN outcomes_entry e ON e.id = tagged.entry_id
        JOIN outcomes_meeting m ON m.id = e.meeting_id
        JOIN outcomes_session s ON s.id = e.session_id
        WHERE e.id <> %s AND e.status = %s AND m.status = %s
        GROUP BY e.id, m.title, s."order", e."order"
        ORDER BY count(*) DESC, m.title, s."order", e."order", e.id
        LIMIT %s
    """
    params = [*theme_ids, *country_codes, entry.pk, Status.PUBLISHED, Status.PUBLISHED, RELATED_LIMIT]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def source_path(meeting):
    """The meeting's source text inside SOURCE_DOCUMENTS_DIR, or None when missing or outside it."""
    if not meeting.source_file:
        return None
    root = Path(settings.SOURCE_DOCUMENTS_DIR).resolve()
    try:
        path = (root / meeting.source_file).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
    except (OSError, ValueError):  # e.g. a NUL byte or a name too long
        return None
    return path


class MeetingSource(DetailView):
    """The meeting's source document as text with a numbered anchor per line (#L12), marking where entries start."""

    queryset = Meeting.objects.published()
    template_name = "outcomes/meeting_source.html"

    def get_context_data(self, **kwargs):
        path = source_path(self.object)
        if path is None:
            raise Http404("No source document")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise Http404("Unreadable source document") from error
        starts = {}
        for reference, line in (
            Entry.objects.published()
            .filter(meeting=self.object, source_line__isnull=False)
            .order_by("source_line", "reference")
            .values_list("reference", "source_line")
        ):
            starts.setdefault(line, []).append(reference)
        lines = [(number, line, starts.get(number, [])) for number, line in enumerate(text.splitlines(), start=1)]
        return super().get_context_data(lines=lines, **kwargs)


class CountryIndex(TemplateView):
    """Countries named in published entries, with their counts by kind."""

    template_name = "outcomes/country_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(countries=cached_by_version("country-index", self.countries), **kwargs)

    @staticmethod
    def countries():
        countries = by_name(Country.objects.annotate(**kind_counts()).filter(n_total__gt=0))
        for country in countries:
            country.kinds = kind_breakdown(country)
        return countries


class CountryDetail(DetailView):
    """Every country has a page: its published entries by kind with its role, and the countries it works with."""

    model = Country

    def get_object(self, queryset=None):
        code = self.kwargs["code"]
        if not COUNTRY_CODE.fullmatch(code):
            raise Http404("Not a country code")
        return get_object_or_404(Country, code=code)

    def get_context_data(self, **kwargs):
        country = self.object
        entries = (
            entries_for_cards()
            .annotate(tag=FilteredRelation("country_tags", condition=Q(country_tags__country=country)))
            .filter(tag__isnull=False)
            .annotate(role=F("tag__role"))
        )
        groups = first_of_each_kind(
            entries, [*NEWEST_MEETING_FIRST, "session__order", "order"], f"country-kinds:{country.pk}"
        )
        role_labels = dict(EntryCountry.Role.choices)
        for _kind, _label, shown, _count in groups:
            for entry in shown:
                entry.role_label = role_labels.get(entry.role, "")
        partners = (
            Country.objects.exclude(pk=country.pk)
            .filter(entry_tags__entry__in=Entry.objects.published().filter(country_tags__country=country))
            .annotate(n_shared=Count("entry_tags__entry", distinct=True))
        )
        return super().get_context_data(
            groups=groups,
            entry_count=sum(count for *_, count in groups),
            partners=cached_by_version(
                f"country-partners:{country.pk}", lambda: by_count_then_name(partners, "n_shared")
            ),
            co_chaired=list(country.co_chaired_meetings.filter(status=Status.PUBLISHED)),
            national_organisations=list(country.organisations.all()),
            progress=followup.country_progress(country),
            **kwargs,
        )


class ThemeIndex(TemplateView):
    template_name = "outcomes/theme_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(themes=cached_by_version("theme-index", self.themes), **kwargs)

    @staticmethod
    def themes():
        themes = by_name(Theme.objects.annotate(**kind_counts()))
        for theme in themes:
            theme.kinds = kind_breakdown(theme)
        return themes


class ThemeDetail(DetailView):
    model = Theme

    def get_context_data(self, **kwargs):
        theme = self.object
        groups = first_of_each_kind(
            entries_for_cards().filter(themes=theme),
            [*NEWEST_MEETING_FIRST, "session__order", "order"],
            f"theme-kinds:{theme.pk}",
        )
        countries = Country.objects.filter(
            entry_tags__entry__in=Entry.objects.published().filter(themes=theme)
        ).annotate(n_shared=Count("entry_tags__entry", distinct=True))
        return super().get_context_data(
            groups=groups,
            entry_count=sum(count for *_, count in groups),
            countries=cached_by_version(
                f"theme-countries:{theme.pk}", lambda: by_count_then_name(countries, "n_shared")
            ),
            progress=followup.theme_progress(theme),
            **kwargs,
        )


class OrganisationIndex(TemplateView):
    template_name = "outcomes/organisation_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(groups=cached_by_version("organisation-index", self.groups), **kwargs)

    @staticmethod
    def groups():
        organisations = Organisation.objects.select_related("country").annotate(
            n_total=Count("entries", filter=PUBLISHED_ENTRY, distinct=True)
        )
        groups = {kind: [] for kind in Organisation.Kind.values}
        for organisation in sorted(organisations, key=lambda org: sort_key(org.label)):
            groups[organisation.kind].append(organisation)
        return [(kind, label, groups[kind]) for kind, label in Organisation.Kind.choices if groups[kind]]


class OrganisationDetail(DetailView):
    queryset = Organisation.objects.select_related("country")

    def get_context_data(self, **kwargs):
        groups = first_of_each_kind(
            entries_for_cards().filter(organisations=self.object),
            [*NEWEST_MEETING_FIRST, "session__order", "order"],
            f"organisation-kinds:{self.object.pk}",
        )
        return super().get_context_data(groups=groups, entry_count=sum(count for *_, count in groups), **kwargs)
