from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from .models import Country, Entry, Meeting, Organisation, Theme


class Home(TemplateView):
    template_name = "outcomes/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(meetings=Meeting.objects.published(), **kwargs)


class MeetingDetail(DetailView):
    queryset = Meeting.objects.published()


class EntryDetail(DetailView):
    def get_object(self, queryset=None):
        return get_object_or_404(Entry.objects.published(), reference=self.kwargs["reference"])


class CountryDetail(DetailView):
    model = Country
    pk_url_kwarg = "code"


class ThemeDetail(DetailView):
    model = Theme


class OrganisationDetail(DetailView):
    model = Organisation
