from django.urls import path, re_path

from . import api

app_name = "api"

urlpatterns = [
    path("", api.ApiRoot.as_view(), name="root"),
    path("schema/", api.Schema.as_view(), name="schema"),
    path("meetings/", api.MeetingList.as_view(), name="meeting-list"),
    path("meetings/<slug:slug>/", api.MeetingDetail.as_view(), name="meeting-detail"),
    path("sessions/", api.SessionList.as_view(), name="session-list"),
    path("sessions/<int:pk>/", api.SessionDetail.as_view(), name="session-detail"),
    path("entries/", api.EntryList.as_view(), name="entry-list"),
    path("entries/<str:reference>/", api.EntryDetail.as_view(), name="entry-detail"),
    path("countries/", api.CountryList.as_view(), name="country-list"),
    path("countries/<str:code>/", api.CountryDetail.as_view(), name="country-detail"),
    path("themes/", api.ThemeList.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", api.ThemeDetail.as_view(), name="theme-detail"),
    path("organisations/", api.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", api.OrganisationDetail.as_view(), name="organisation-detail"),
    re_path(r"^(?P<path>.*)$", api.NotFound.as_view(), name="not-found"),
]
