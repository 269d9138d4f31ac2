"""A read-only JSON API over the published data: plain Django views returning JsonResponse.

Lists are paginated (`?page=`, `?page_size=` up to 100) with `count`, `next` and `previous`; entries filter exactly
like the explorer (the same EntryFilter). Unknown objects answer 404, invalid parameters 400, other methods 405,
all as JSON. No answer quotes markup: `<`, `>` and `&` are written as `\u003c`, `\u003e` and `\u0026` (the same
JSON data), so a value read from the URL and echoed in an error never reads as HTML, whatever the client does.
"""

import json

from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import slug_re
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .exchange import dump_organisation, dump_theme
from .filters import EntryFilter, filter_key
from .listing import PageForm, paginate, with_tags
from .models import Country, Entry, Meeting, Organisation, Session, Theme

MARKUP_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def without_markup(json_text):
    """JSON text with `<`, `>` and `&` escaped; they only occur inside strings, where the escape means the same."""
    return json_text.translate(MARKUP_ESCAPES)


class SafeJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, writing no raw `<`, `>` or `&` (see the module docstring)."""

    def encode(self, o):
        return without_markup(super().encode(o))


def dumps(data):
    """`data` as UTF-8 JSON text without raw markup characters, as every JSON answer of the project writes it."""
    return json.dumps(data, cls=SafeJSONEncoder, ensure_ascii=False)


def json_response(data, status=200):
    return JsonResponse(data, status=status, encoder=SafeJSONEncoder, json_dumps_params={"ensure_ascii": False})


def entry_data(entry, request):
    """An entry as the API and the JSON export give it (its relations must be loaded, see listing.with_tags)."""
    return {
        "reference": entry.reference,
        "url": request.build_absolute_uri(entry.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("api:entry-detail", args=[entry.reference])),
        "kind": entry.kind,
        "kind_label": str(entry.get_kind_display()),
        "meeting": {"slug": entry.meeting.slug, "code": entry.meeting.code, "title": entry.meeting.title},
        "session": {
            "id": entry.session_id,
            "slug": entry.session.slug,
            "title": entry.session.title,
            "path": entry.heading_path,
        },
        "order": entry.order,
        "title": entry.title,
        "text": entry.text,
        "sub_points": entry.sub_points,
        "countries": [
            {"code": tag.country_id, "name": tag.country.name, "role": tag.role} for tag in entry.country_tags.all()
        ],
        "themes": [{"slug": theme.slug, "name": theme.name} for theme in entry.themes.all()],
        "organisations": [
            {"slug": organisation.slug, "acronym": organisation.acronym, "name": organisation.name}
            for organisation in entry.organisations.all()
        ],
        "source_line": entry.source_line,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }


def published_entry_ids():
    return Entry.objects.published().values("pk")


class JsonError(Exception):
    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


@method_decorator(csrf_exempt, name="dispatch")  # read-only: no request changes anything, so no CSRF to guard
class ApiView(View):
    http_method_names = ["get", "head"]

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            return error_response(404, _("Introuvable."))
        except JsonError as error:
            return error_response(error.status, error.message, error.errors)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_response(405, _("Méthode non autorisée : l'API est en lecture seule."))
        response["Allow"] = "GET, HEAD"
        return response

    def get(self, request, *args, **kwargs):
        return json_response(self.data(request, *args, **kwargs))

    def absolute(self, name, *args):
        return self.request.build_absolute_uri(reverse(name, args=args))

    def paginated(self, queryset, serialize):
        """One page of `queryset` with `count`, `next` and `previous`; 400 for an invalid page or page size."""
        paging = PageForm(self.request.GET)
        if not paging.is_valid():
            raise JsonError(400, _("Paramètres de pagination invalides."), paging.errors.get_json_data())
        paginator = Paginator(queryset, paging.cleaned_data["page_size"])
        try:
            page = paginator.page(paging.cleaned_data["page"])
        except InvalidPage as error:
            raise JsonError(400, str(error), {"page": [{"message": str(error), "code": "invalid"}]}) from error
        return self.page_data(page, [serialize(item) for item in page.object_list])

    def page_data(self, page, results):
        def link(number):
            params = self.request.GET.copy()
            params["page"] = number
            return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

        return {
            "count": page.paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": results,
        }


def error_response(status, message, errors=None):
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return json_response(body, status=status)


class ApiRoot(ApiView):
    def data(self, request):
        lists = {
            "meetings": "meeting",
            "sessions": "session",
            "entries": "entry",
            "countries": "country",
            "themes": "theme",
            "organisations": "organisation",
        }
        return {name: self.absolute(f"api:{model}-list") for name, model in lists.items()}


class MeetingList(ApiView):
    def data(self, request):
        meetings = Meeting.objects.published().annotate(
            entries_count=Count("entries", filter=Q(entries__status="published"))
        )
        return self.paginated(meetings.order_by("-start_date", "title", "pk"), self.meeting_summary)

    def meeting_summary(self, meeting):
        return {
            "slug": meeting.slug,
            "code": meeting.code,
            "title": meeting.title,
            "kind": meeting.kind,
            "start_date": meeting.start_date.isoformat() if meeting.start_date else None,
            "end_date": meeting.end_date.isoformat() if meeting.end_date else None,
            "venue": meeting.venue,
            "entries_count": meeting.entries_count,
            "url": self.request.build_absolute_uri(meeting.get_absolute_url()),
            "api_url": self.absolute("api:meeting-detail", meeting.slug),
        }


class MeetingDetail(MeetingList):
    def data(self, request, slug):
        meetings = Meeting.objects.published().annotate(
            entries_count=Count("entries", filter=Q(entries__status="published"))
        )
        meeting = get_object_or_404(meetings.prefetch_related("co_chairs", "sessions"), slug=slug)
        return {
            **self.meeting_summary(meeting),
            "co_chairs": [{"code": country.code, "name": country.name} for country in meeting.co_chairs.all()],
            "framework": meeting.framework,
            "continuity": meeting.continuity,
            "participants_count": meeting.participants_count,
            "countries_count": meeting.countries_count,
            "summary": meeting.summary,
            "source": {
                "title": meeting.source_title,
                "language": meeting.source_language,
                "url": meeting.source_url,
                "file": meeting.source_file,
            },
            "sessions": [session_data(session) for session in meeting.sessions.all()],
            "entries_url": self.request.build_absolute_uri(reverse("api:entry-list") + f"?meeting={meeting.slug}"),
        }


def session_data(session):
    return {
        "id": session.pk,
        "slug": session.slug,
        "parent": session.parent_id,
        "order": session.order,
        "title": session.title,
        "introduction": session.introduction,
    }


class SessionList(ApiView):
    def sessions(self):
        return Session.objects.filter(meeting__status="published").select_related("meeting")

    def data(self, request):
        sessions = self.sessions()
        meeting = request.GET.get("meeting")
        if meeting:
            # A slug check first: a NUL character would reach PostgreSQL, which refuses it (a 500).
            if not slug_re.search(meeting) or not Meeting.objects.published().filter(slug=meeting).exists():
                raise JsonError(400, _("Réunion inconnue."), {"meeting": [{"message": meeting, "code": "invalid"}]})
            sessions = sessions.filter(meeting__slug=meeting)
        return self.paginated(sessions.order_by("meeting__slug", "order"), self.session_data)

    def session_data(self, session):
        return {
            **session_data(session),
            "meeting": session.meeting.slug,
            "api_url": self.absolute("api:session-detail", session.pk),
            "entries_url": self.request.build_absolute_uri(
                reverse("api:entry-list") + f"?meeting={session.meeting.slug}&session={session.pk}"
            ),
        }


class SessionDetail(SessionList):
    def data(self, request, pk):
        return self.session_data(get_object_or_404(self.sessions(), pk=pk))


class EntryList(ApiView):
    def data(self, request):
        filterset = EntryFilter.published(request.GET)
        paging = PageForm(request.GET)
        errors = {**filterset.form.errors.get_json_data(), **paging.errors.get_json_data()}
        if errors:
            raise JsonError(400, _("Paramètres invalides."), errors)
        try:
            page = paginate(
                filterset.ordered(filterset.qs),
                paging.cleaned_data["page"],
                paging.cleaned_data["page_size"],
                count_queryset=filterset.qs,
                count_key=filter_key(filterset),  # total and page cached until the content changes
                order_key=filterset.sort_order,
            )
        except InvalidPage as error:
            raise JsonError(400, str(error), {"page": [{"message": str(error), "code": "invalid"}]}) from error
        return self.page_data(page, [entry_data(entry, request) for entry in page.object_list])


class EntryDetail(ApiView):
    def data(self, request, reference):
        return entry_data(get_object_or_404(with_tags(Entry.objects.published()), reference=reference), request)


class CountryList(ApiView):
    def countries(self):
        return Country.objects.annotate(
            entries_count=Count("entry_tags", filter=Q(entry_tags__entry__in=published_entry_ids()))
        )

    def data(self, request):
        countries = self.countries().order_by("code")
        if request.GET.get("with_entries") in {"1", "true"}:
            countries = countries.filter(entries_count__gt=0)
        return self.paginated(countries, self.country_data)

    def country_data(self, country):
        return {
            "code": country.code,
            "name_fr": country.name_fr,
            "name_en": country.name_en,
            "entries_count": country.entries_count,
            "url": self.request.build_absolute_uri(country.get_absolute_url()),
            "api_url": self.absolute("api:country-detail", country.code),
            "entries_url": self.request.build_absolute_uri(reverse("api:entry-list") + f"?country={country.code}"),
        }


class CountryDetail(CountryList):
    def data(self, request, code):
        return self.country_data(get_object_or_404(self.countries(), code=code.upper()))


class ThemeList(ApiView):
    def themes(self):
        return Theme.objects.annotate(entries_count=Count("entries", filter=Q(entries__in=published_entry_ids())))

    def data(self, request):
        return self.paginated(self.themes().order_by("slug"), self.theme_data)

    def theme_data(self, theme):
        return {
            **dump_theme(theme),
            "entries_count": theme.entries_count,
            "url": self.request.build_absolute_uri(theme.get_absolute_url()),
            "api_url": self.absolute("api:theme-detail", theme.slug),
            "entries_url": self.request.build_absolute_uri(reverse("api:entry-list") + f"?theme={theme.slug}"),
        }


class ThemeDetail(ThemeList):
    def data(self, request, slug):
        return self.theme_data(get_object_or_404(self.themes(), slug=slug))


class OrganisationList(ApiView):
    def organisations(self):
        return Organisation.objects.annotate(
            entries_count=Count("entries", filter=Q(entries__in=published_entry_ids()))
        )

    def data(self, request):
        return self.paginated(self.organisations().order_by("slug"), self.organisation_data)

    def organisation_data(self, organisation):
        return {
            **dump_organisation(organisation),
            "entries_count": organisation.entries_count,
            "url": self.request.build_absolute_uri(organisation.get_absolute_url()),
            "api_url": self.absolute("api:organisation-detail", organisation.slug),
            "entries_url": self.request.build_absolute_uri(
                reverse("api:entry-list") + f"?organisation={organisation.slug}"
            ),
        }


class OrganisationDetail(OrganisationList):
    def data(self, request, slug):
        return self.organisation_data(get_object_or_404(self.organisations(), slug=slug))


class NotFound(ApiView):
    def data(self, request, path=""):
        raise Http404
