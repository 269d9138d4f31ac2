"""A read-only JSON API over the published data: plain Django views returning JsonResponse.

Lists are paginated (`?page=`, `?page_size=` up to 100) with `count`, `next` and `previous` (also as an HTTP `Link`
header); entries also walk by cursor (`?cursor=`, keyset over the order entries were added, stable under inserts) and
filter exactly like the explorer (the same EntryFilter). `?lang=en` gives the texts in English where they are
translated, with both editions and their translation status (French by default). Each list takes the parameters
`api_params` declares and nothing else. Unknown objects answer 404, invalid, unknown or wrongly repeated parameters
400, other methods 405, all as JSON; the contract is the OpenAPI schema of `openapi.py`. No answer quotes markup
(see `jsonutil`).
"""

import contextlib

from django.core.paginator import InvalidPage, Paginator
from django.core.validators import slug_re
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from . import api_params, followup, openapi, serializers
from .filters import EntryFilter, filter_key
from .jsonutil import json_response
from .listing import PageForm, paginate
from .models import Country, Entry, Meeting, Organisation, Session, Theme
from .translation import content_language
from .withdrawals import find_withdrawal


def published_entry_ids():
    return Entry.objects.published().values("pk")


LANGUAGES = ("fr", "en")  # of the texts, `?lang=` (see serializers.in_reader_language)


class JsonError(Exception):
    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


@method_decorator(csrf_exempt, name="dispatch")  # read-only: no request changes anything, so no CSRF to guard
class ApiView(View):
    http_method_names = ["get", "head"]

    def dispatch(self, request, *args, **kwargs):
        lang = request.GET.get(api_params.LANGUAGE)
        if lang is not None and lang not in LANGUAGES:
            errors = {api_params.LANGUAGE: [{"message": lang, "code": "invalid"}]}
            return error_response(400, _("Langue inconnue : lang=fr ou lang=en."), errors)
        # Texts in the language asked for, French by default; labels and messages in it too when it is asked for.
        with content_language(lang or "fr"), translation.override(lang) if lang else contextlib.nullcontext():
            return self.answer(request, *args, **kwargs)

    def answer(self, request, *args, **kwargs):
        try:
            self.check_parameters(request)
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            return error_response(404, _("Introuvable."))
        except JsonError as error:
            return error_response(error.status, error.message, error.errors)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_response(405, _("Méthode non autorisée : l'API est en lecture seule."))
        response["Allow"] = "GET, HEAD"
        return response

    def check_parameters(self, request):
        name = request.resolver_match.url_name if request.resolver_match else ""
        if request.method.lower() in self.http_method_names and name != "not-found":
            errors = api_params.parameter_errors(request.GET, api_params.list_parameters(name))
            if errors:
                raise JsonError(400, _("Paramètres invalides."), errors)

    def get(self, request, *args, **kwargs):
        response = json_response(self.data(request, *args, **kwargs))
        links = [f'<{url}>; rel="{rel}"' for rel, url in getattr(self, "links", {}).items() if url]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def link_with(self, **changes):
        params = self.request.GET.copy()
        for name, value in changes.items():
            params[name] = value
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

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
        self.links = {
            "next": self.link_with(page=page.next_page_number()) if page.has_next() else None,
            "prev": self.link_with(page=page.previous_page_number()) if page.has_previous() else None,
        }
        return {
            "count": page.paginator.count,
            "next": self.links["next"],
            "previous": self.links["prev"],
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
        return {
            **{name: self.absolute(f"api:{model}-list") for name, model in lists.items()},
            "schema": self.absolute("api:schema"),
            "reference": self.request.build_absolute_uri(reverse("outcomes:api-reference")),
        }


class Schema(ApiView):
    def data(self, request):
        return openapi.schema()


class MeetingList(ApiView):
    def meetings(self):
        return Meeting.objects.published().annotate(
            entries_count=Count("entries", filter=Entry.objects.published_condition("entries"))
        )

    def data(self, request):
        return self.paginated(
            self.meetings().newest_first(), lambda meeting: serializers.meeting_summary(meeting, request)
        )


class MeetingDetail(MeetingList):
    def data(self, request, slug):
        meeting = get_object_or_404(self.meetings().prefetch_related("co_chairs", "sessions"), slug=slug)
        return serializers.meeting_data(meeting, request)


class SessionList(ApiView):
    def sessions(self):
        return Session.objects.filter(Meeting.objects.published_condition("meeting")).select_related("meeting")

    def data(self, request):
        sessions = self.sessions()
        meeting = request.GET.get("meeting")
        if meeting:
            # A slug check first: a NUL character would reach PostgreSQL, which refuses it (a 500).
            if not slug_re.search(meeting) or not Meeting.objects.published().filter(slug=meeting).exists():
                raise JsonError(400, _("Réunion inconnue."), {"meeting": [{"message": meeting, "code": "invalid"}]})
            sessions = sessions.filter(meeting__slug=meeting)
        return self.paginated(
            sessions.order_by("meeting__slug", "order"), lambda session: serializers.session_summary(session, request)
        )


class SessionDetail(SessionList):
    def data(self, request, pk):
        return serializers.session_summary(get_object_or_404(self.sessions(), pk=pk), request)


class EntryList(ApiView):
    def data(self, request):
        filterset = EntryFilter.published(request.GET)
        paging = PageForm(request.GET)
        errors = {**filterset.form.errors.get_json_data(), **paging.errors.get_json_data()}
        if api_params.CURSOR in request.GET and ("page" in request.GET or request.GET.get("sort")):
            message = _("Un curseur parcourt les entrées dans l'ordre où elles ont été ajoutées, sans page ni tri.")
            errors[api_params.CURSOR] = [{"message": message, "code": "invalid"}]
        if errors:
            raise JsonError(400, _("Paramètres invalides."), errors)
        if api_params.CURSOR in request.GET:
            return self.cursor_page(filterset, request.GET[api_params.CURSOR], paging.cleaned_data["page_size"])
        try:
            page = paginate(
                filterset.ordered_for_pages(filterset.matching),
                paging.cleaned_data["page"],
                paging.cleaned_data["page_size"],
                count_queryset=filterset.matching,
                count_key=filter_key(filterset),  # total and page cached until the content changes
                order_key=filterset.sort_order,
            )
        except InvalidPage as error:
            raise JsonError(400, str(error), {"page": [{"message": str(error), "code": "invalid"}]}) from error
        entries = followup.with_connections(page.object_list)
        return self.page_data(page, [serializers.entry_data(entry, request) for entry in entries])

    def cursor_page(self, filterset, token, size):
        """A page of the keyset walk over entry ids: new entries join at the end, so no page moves under a reader."""
        try:
            direction, pk = api_params.decode_cursor(token)
        except ValueError as error:
            message = _("Curseur invalide.")
            raise JsonError(400, message, {"cursor": [{"message": message, "code": "invalid"}]}) from error
        ids = filterset.qs.order_by("pk").values_list("pk", flat=True)
        if direction == "before":
            page_ids = list(ids.filter(pk__lt=pk).order_by("-pk")[: size + 1])[::-1]
            more_before, page_ids = len(page_ids) > size, page_ids[-size:]
            more_after = True
        else:
            page_ids = list((ids.filter(pk__gt=pk) if pk is not None else ids)[: size + 1])
            more_after, page_ids = len(page_ids) > size, page_ids[:size]
            more_before = pk is not None
        entries = Entry.objects.filter(pk__in=page_ids).for_cards().order_by("pk")
        self.links = {
            "next": self.link_with(cursor=api_params.encode_cursor("after", page_ids[-1]))
            if more_after and page_ids
            else None,
            "prev": self.link_with(cursor=api_params.encode_cursor("before", page_ids[0]))
            if more_before and page_ids
            else None,
        }
        return {
            "count": filterset.qs.count(),
            "next": self.links["next"],
            "previous": self.links["prev"],
            "results": [serializers.entry_data(entry, self.request) for entry in followup.with_connections(entries)],
        }


class EntryDetail(ApiView):
    def get(self, request, reference):
        entry = Entry.objects.published().for_cards().filter(reference=reference).first()
        if entry is not None:
            return json_response(serializers.entry_data(followup.with_connections([entry])[0], request))
        withdrawal = find_withdrawal(reference)
        if withdrawal is None:
            raise Http404
        return json_response({"error": _("Cette entrée a été retirée."), **withdrawal.as_json(request)}, status=410)


class CountryList(ApiView):
    def countries(self):
        return Country.objects.annotate(
            entries_count=Count("entry_tags", filter=Q(entry_tags__entry__in=published_entry_ids()))
        )

    def data(self, request):
        countries = self.countries().order_by("code")
        with_entries = request.GET.get("with_entries")
        if with_entries not in (None, "1", "true"):
            message = _("Valeurs admises : 1 ou true.")
            raise JsonError(
                400, _("Paramètres invalides."), {"with_entries": [{"message": message, "code": "invalid"}]}
            )
        if with_entries:
            countries = countries.filter(entries_count__gt=0)
        return self.paginated(countries, lambda country: serializers.country_data(country, request))


class CountryDetail(CountryList):
    def data(self, request, code):
        return serializers.country_data(get_object_or_404(self.countries(), code=code.upper()), request)


class ThemeList(ApiView):
    def themes(self):
        return Theme.objects.annotate(entries_count=Count("entries", filter=Q(entries__in=published_entry_ids())))

    def data(self, request):
        return self.paginated(self.themes().order_by("slug"), lambda theme: serializers.theme_data(theme, request))


class ThemeDetail(ThemeList):
    def data(self, request, slug):
        return serializers.theme_data(get_object_or_404(self.themes(), slug=slug), request)


class OrganisationList(ApiView):
    def organisations(self):
        return Organisation.objects.annotate(
            entries_count=Count("entries", filter=Q(entries__in=published_entry_ids()))
        )

    def data(self, request):
        return self.paginated(
            self.organisations().order_by("slug"),
            lambda organisation: serializers.organisation_data(organisation, request),
        )


class OrganisationDetail(OrganisationList):
    def data(self, request, slug):
        return serializers.organisation_data(get_object_or_404(self.organisations(), slug=slug), request)


class NotFound(ApiView):
    def data(self, request, path=""):
        raise Http404
