from django.urls import path

from . import explorer, views

app_name = "outcomes"

urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    path("meetings/", views.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", views.MeetingDetail.as_view(), name="meeting-detail"),
    path("meetings/<slug:slug>/source/", views.MeetingSource.as_view(), name="meeting-source"),
    path("entries/", explorer.EntryList.as_view(), name="entry-list"),
    path("entries.csv", explorer.EntryExport.as_view(format="csv"), name="entry-export-csv"),
    path("entries.json", explorer.EntryExport.as_view(format="json"), name="entry-export-json"),
    path("entries/<str:reference>/", views.EntryDetail.as_view(), name="entry-detail"),
    path("countries/", views.CountryIndex.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetail.as_view(), name="country-detail"),
    path("themes/", views.ThemeIndex.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetail.as_view(), name="theme-detail"),
    path("organisations/", views.OrganisationIndex.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetail.as_view(), name="organisation-detail"),
    path("api-reference/", views.ApiReference.as_view(), name="api-reference"),
]
