"""Pages of the follow-up of recommendations (per country, and its matrix to download) and of the frameworks."""

from django import forms
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView

from . import matrix
from .followup import country_progress, recommendations_for
from .models import Country, Entry, Theme
from .models_followup import Framework, FrameworkItem
from .queries import first_of_each_kind
from .querysets import EntryQuerySet
from .views import COUNTRY_CODE

PUBLISHED_TAG = EntryQuerySet.published_condition("entry_tags__entry")


def country_or_404(code):
    if not COUNTRY_CODE.fullmatch(code):
        raise Http404("Not a country code")
    return get_object_or_404(Country, code=code)


class MatrixForm(forms.Form):
    """The optional filters of a country's follow-up page and matrix (`?theme=…&kind=…&framework=…`)."""

    theme = forms.ModelMultipleChoiceField(Theme.objects.all(), to_field_name="slug", required=False, label=_("Thème"))
    kind = forms.MultipleChoiceField(choices=Entry.Kind.choices, required=False, label=_("Type"))
    framework = forms.ModelMultipleChoiceField(
        Framework.objects.all(), to_field_name="slug", required=False, label=_("Cadre")
    )

    def messages(self):
        return [f"{self.fields[name].label} : {message}" for name, errors in self.errors.items() for message in errors]


class CountryFilteredMixin:
    """A country from the URL and the filters from the query string; invalid filters answer 400 with the reason."""

    def dispatch(self, request, *args, **kwargs):
        self.country = country_or_404(kwargs["code"])
        self.filters = MatrixForm(request.GET)
        if not self.filters.is_valid():
            body = "\n".join(escape(message) for message in self.filters.messages())
            return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")
        return super().dispatch(request, *args, **kwargs)

    def rows(self):
        data = self.filters.cleaned_data
        return recommendations_for(self.country, data["theme"], data["kind"], data["framework"])


class CountryFollowUp(CountryFilteredMixin, View):
    """The recommendations that concern a country, by theme, with the current status of their follow-up there."""

    def get(self, request, code):
        groups = self.rows()
        query = request.GET.urlencode()
        return TemplateResponse(
            request,
            "outcomes/country_follow_up.html",
            {
                "country": self.country,
                "groups": groups,
                "progress": country_progress(self.country),
                "filtered": bool(query),
                "query": f"?{query}" if query else "",
            },
        )


class CountryMatrix(CountryFilteredMixin, View):
    """The same rows as a spreadsheet (XLSX) or CSV, with empty columns for the country's own planning."""

    format = "xlsx"
    http_method_names = ["get", "head"]

    def get(self, request, code):
        rows = matrix.rows(self.rows(), request)
        filename = f"matrice-suivi-{self.country.code}.{self.format}"
        if self.format == "csv":
            response = HttpResponse(matrix.as_csv(rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(matrix.as_xlsx(rows, self.country), content_type=matrix.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# Frameworks ---------------------------------------------------------------------------------------------------------


class FrameworkList(ListView):
    """Every framework with its items and how many published entries serve each."""

    def get_queryset(self):
        items = FrameworkItem.objects.annotate(n_total=Count("entry_tags", filter=PUBLISHED_TAG))
        return Framework.objects.prefetch_related(Prefetch("items", queryset=items.order_by("order", "code")))


class FrameworkDetail(DetailView):
    def get_queryset(self):
        items = FrameworkItem.objects.annotate(n_total=Count("entry_tags", filter=PUBLISHED_TAG))
        return Framework.objects.prefetch_related(Prefetch("items", queryset=items.order_by("order", "code")))


class FrameworkItemDetail(DetailView):
    """An item of a framework and the published entries tagged with it, by kind."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            FrameworkItem.objects.select_related("framework"),
            framework__slug=self.kwargs["slug"],
            code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs):
        item = self.object
        entries = Entry.objects.published().for_cards().filter(framework_tags__item=item)
        groups = first_of_each_kind(entries, f"framework-item-kinds:{item.pk}")
        return super().get_context_data(groups=groups, entry_count=sum(count for *_, count in groups), **kwargs)
