"""The public pages: each view asks outcomes/queries.py and the querysets for its data and renders it."""

import re

from django.contrib.auth import get_permission_codename
from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.generic import DetailView, ListView, TemplateView

from . import citations, followup, openapi, queries
from .caching import cached_by_version
from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Theme
from .queries import by_name
from .scope import addressed_to
from .withdrawals import find_withdrawal

MEETINGS_PER_PAGE = 20
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


class Home(TemplateView):
    template_name = "outcomes/home.html"

    def get_context_data(self, **kwargs):
        # Counts over every entry change only with the content: computed once per content version.
        return super().get_context_data(**cached_by_version("home", queries.home_figures), **kwargs)


class MeetingList(ListView):
    """Every published meeting, newest first and undated ones last, with its key figures."""

    paginate_by = MEETINGS_PER_PAGE

    def get_queryset(self):
        return Meeting.objects.published().prefetch_related("co_chairs").newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting_list"] = queries.with_kind_counts(context["meeting_list"])
        return context


class MeetingDetail(DetailView):
    """The final document as a structured page: metadata, then every session and its entries in document order.

    The sessions with their entry cards (well over a hundred for a long meeting: most of the page's time) are
    rendered once per content version and language for anonymous visitors and kept in the cache
    (`cached_by_version`): a publication changes the version, hence the key, so a change shows at once. Signed-in
    users always get them rendered afresh, never the anonymous copy."""

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
        if previous is not None and not previous.is_published:
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
            has_source=meeting.source_path() is not None,
            **kwargs,
        )

    def document(self, sessions):
        """The sessions with their published entries rendered as HTML, the count of entries by kind, and their
        total: plain values, so they can be cached."""
        entries = list(Entry.objects.published().for_cards().filter(session__in=sessions).order_by("order", "pk"))
        by_session = {session.pk: [] for session in sessions}
        for entry in entries:
            by_session[entry.session_id].append(entry)
        for session in sessions:
            session.published_entries = by_session[session.pk]
        in_document_order = [entry for session in sessions for entry in session.published_entries]
        return {
            "html": render_to_string("includes/meeting_sessions.html", {"sessions": sessions}),
            "kinds": [
                (kind, str(label), len(group)) for kind, label, group in queries.group_by_kind(in_document_order)
            ],
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

    def get(self, request, *args, **kwargs):
        canonical = kwargs["reference"].upper()
        if canonical != kwargs["reference"] and Entry.objects.filter(reference=canonical).exists():
            return HttpResponsePermanentRedirect(Entry(reference=canonical).get_absolute_url())
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            withdrawal = find_withdrawal(kwargs["reference"])
            if withdrawal is None:
                raise
            return TemplateResponse(request, "outcomes/entry_withdrawn.html", {"withdrawal": withdrawal}, status=410)

    def get_object(self, queryset=None):
        preview = may_preview(self.request.user, Entry)
        entries = (Entry.objects.all() if preview else Entry.objects.published()).for_cards()
        entry = get_object_or_404(entries, reference=self.kwargs["reference"])
        entry.is_draft = not entry.is_published
        return entry

    def get_context_data(self, **kwargs):
        entry = self.object
        tags = list(entry.country_tags.all())
        roles = [
            (role, label, [tag.country for tag in tags if tag.role == role])
            for role, label in EntryCountry.Role.choices
        ]
        return super().get_context_data(
            roles=[group for group in roles if group[2]],
            related=queries.related_entries(entry),
            links=followup.grouped_relations(followup.links_touching([entry.pk]), entry.pk, not entry.is_draft),
            framework_items=followup.framework_items_of(entry),
            follow_ups=followup.follow_ups_by_country(entry) if entry.kind == Entry.Kind.RECOMMENDATION else None,
            has_source=entry.meeting.source_path() is not None,
            canonical_url=self.request.build_absolute_uri(entry.get_absolute_url()),
            citation=citations.sentence(entry, self.request.build_absolute_uri(entry.get_absolute_url())),
            **kwargs,
        )


class MeetingSource(DetailView):
    """The meeting's source document as text with a numbered anchor per line (#L12), marking where entries start."""

    queryset = Meeting.objects.published()
    template_name = "outcomes/meeting_source.html"

    def get_context_data(self, **kwargs):
        path = self.object.source_path()
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
        countries = cached_by_version("country-index", queries.countries_with_entries)
        return super().get_context_data(countries=countries, **kwargs)


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
            Entry.objects.published()
            .for_cards()
            .annotate(tag=FilteredRelation("country_tags", condition=Q(country_tags__country=country)))
            .filter(tag__isnull=False)
            .annotate(role=F("tag__role"))
        )
        groups = queries.first_of_each_kind(entries, f"country-kinds:{country.pk}", tag=f"c:{country.pk}")
        role_labels = dict(EntryCountry.Role.choices)
        for _kind, _label, shown, _count in groups:
            for entry in shown:
                entry.role_label = role_labels.get(entry.role, "")
        tagged = Entry.objects.published().filter(country_tags__country=country)
        return super().get_context_data(
            groups=groups,
            entry_count=sum(count for *_, count in groups),
            partners=cached_by_version(
                f"country-partners:{country.pk}",
                lambda: queries.countries_sharing_entries(tagged, exclude=country, tag=f"c:{country.pk}"),
            ),
            # Addressed to every partner or to its region, so to this country too (those naming it are counted
            # above): counted, and on by default in the explorer link.
            all_partners_count=cached_by_version(
                f"addressed-count:{country.pk}",
                lambda: (
                    Entry.objects.published()
                    .filter(addressed_to([country.pk]))  # a few entries (an index of their own), each then looked up
                    .exclude(Exists(EntryCountry.objects.filter(entry=OuterRef("pk"), country=country)))
                    .count()
                ),
            ),
            co_chaired=list(country.co_chaired_meetings.published()),
            national_organisations=list(country.organisations.all()),
            progress=cached_by_version(f"country-progress:{country.pk}", lambda: followup.country_progress(country)),
            **kwargs,
        )


class ThemeIndex(TemplateView):
    template_name = "outcomes/theme_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(themes=cached_by_version("theme-index", queries.themes_with_counts), **kwargs)


class ThemeDetail(DetailView):
    model = Theme

    def get_context_data(self, **kwargs):
        theme = self.object
        groups = queries.first_of_each_kind(
            Entry.objects.published().for_cards().filter(themes=theme), f"theme-kinds:{theme.pk}", tag=f"t:{theme.pk}"
        )
        tagged = Entry.objects.published().filter(themes=theme)
        return super().get_context_data(
            groups=groups,
            entry_count=sum(count for *_, count in groups),
            countries=cached_by_version(
                f"theme-countries:{theme.pk}", lambda: queries.countries_sharing_entries(tagged, tag=f"t:{theme.pk}")
            ),
            progress=cached_by_version(f"theme-progress:{theme.pk}", lambda: followup.theme_progress(theme)),
            **kwargs,
        )


class OrganisationIndex(TemplateView):
    template_name = "outcomes/organisation_index.html"

    def get_context_data(self, **kwargs):
        groups = cached_by_version("organisation-index", queries.organisations_by_kind)
        return super().get_context_data(groups=groups, **kwargs)


class OrganisationDetail(DetailView):
    queryset = Organisation.objects.select_related("country")

    def get_context_data(self, **kwargs):
        groups = queries.first_of_each_kind(
            Entry.objects.published().for_cards().filter(organisations=self.object),
            f"organisation-kinds:{self.object.pk}",
            tag=f"o:{self.object.pk}",
        )
        return super().get_context_data(groups=groups, entry_count=sum(count for *_, count in groups), **kwargs)


class ApiReference(TemplateView):
    """The API's reference, read from the same OpenAPI schema `/api/schema/` serves."""

    template_name = "outcomes/api_reference.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reference=openapi.reference(), **kwargs)


class EntryCitation(EntryDetail):
    """The entry's citation as a BibTeX or RIS file, for reference managers."""

    format = "bib"
    formats = {
        "bib": (citations.bibtex, "application/x-bibtex"),
        "ris": (citations.ris, "application/x-research-info-systems"),
    }

    def render_to_response(self, context, **response_kwargs):
        write, content_type = self.formats[self.format]
        entry = self.object
        response = HttpResponse(
            write(entry, self.request.build_absolute_uri(entry.get_absolute_url())),
            content_type=f"{content_type}; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="rabat-kb_{entry.reference.lower()}.{self.format}"'
        return response

    def get_context_data(self, **kwargs):
        return {}
