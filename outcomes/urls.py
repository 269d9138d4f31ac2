from django.urls import path

from . import explorer, feeds, views, views_followup
from .ops.exports import one_export_per_client

app_name = "outcomes"

urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    path("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", views.MeetingDetail.as_view(), name="meeting-detail"),
    path("meetings/<slug:slug>/source/", views.MeetingSource.as_view(), name="meeting-source"),
    path("meetings/<slug:slug>/feed/", feeds.MeetingFeed(), name="meeting-feed"),
    path("feed/", feeds.EntryFeed(), name="feed"),
    path("entries/", explorer.EntryList.as_view(), name="entry-list"),
    path("entries.csv", one_export_per_client(explorer.EntryExport.as_view(format="csv")), name="entry-export-csv"),
    path("entries.json", one_export_per_client(explorer.EntryExport.as_view(format="json")), name="entry-export-json"),
    path("entries.xlsx", one_export_per_client(explorer.EntryExport.as_view(format="xlsx")), name="entry-export-xlsx"),
    path("entries/feed/", feeds.ExplorerFeed(), name="entry-feed"),
    path("entries/options/<slug:facet>/", explorer.EntryFacetOptions.as_view(), name="entry-facet-options"),
    path("entries/<str:reference>/", views.EntryDetail.as_view(), name="entry-detail"),
    path("entries/<str:reference>/cite.bib", views.EntryCitation.as_view(format="bib"), name="entry-citation-bib"),
    path("entries/<str:reference>/cite.ris", views.EntryCitation.as_view(format="ris"), name="entry-citation-ris"),
    path("countries/", views.CountryIndex.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetail.as_view(), name="country-detail"),
    path("countries/<str:code>/feed/", feeds.CountryFeed(), name="country-feed"),
    path("themes/", views.ThemeIndex.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetail.as_view(), name="theme-detail"),
    path("themes/<slug:slug>/feed/", feeds.ThemeFeed(), name="theme-feed"),
    path("countries/<str:code>/follow-up/", views_followup.CountryFollowUp.as_view(), name="country-follow-up"),
    path("countries/<str:code>/matrix.xlsx", views_followup.CountryMatrix.as_view(), name="country-matrix-xlsx"),
    path(
        "countries/<str:code>/matrix.csv", views_followup.CountryMatrix.as_view(format="csv"), name="country-matrix-csv"
    ),
    path("frameworks/", views_followup.FrameworkList.as_view(), name="framework-list"),
    path("frameworks/<slug:slug>/", views_followup.FrameworkDetail.as_view(), name="framework-detail"),
    path(
        "frameworks/<slug:slug>/<str:code>/",
        views_followup.FrameworkItemDetail.as_view(),
        name="framework-item-detail",
    ),
    path("organisations/", views.OrganisationIndex.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetail.as_view(), name="organisation-detail"),
    path("api-reference/", views.ApiReference.as_view(), name="api-reference"),
]
