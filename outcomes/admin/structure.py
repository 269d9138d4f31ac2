"""The curated structure around entries: tags (countries, themes, organisations), meetings and their sessions."""

from django import forms
from django.contrib import admin
from django.db import models

from .. import versions
from ..models import Country, Entry, Meeting, Organisation, Session, Speaker, Theme
from .entries import entry_readonly_fields
from .history import HistoryAdmin
from .importing import MeetingImport
from .ordering import OrderedInlineForm, OrderedInlineFormSet


@admin.register(Country)
class CountryAdmin(HistoryAdmin):
    list_display = ["code", "name_fr", "name_en"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(Theme)
class ThemeAdmin(HistoryAdmin):
    list_display = ["name_fr", "name_en", "slug"]
    search_fields = ["name_fr", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["acronym", "name", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["acronym", "name", "name_en"]
    autocomplete_fields = ["country"]


# Meetings and sessions ---------------------------------------------------------------------------------------------


class MeetingRowInline(admin.TabularInline):
    """A row of the meeting page: its session choices are the meeting's own, read once for all the rows."""

    form = OrderedInlineForm
    formset = OrderedInlineFormSet
    extra = 0
    session_fields = []
    country_fields = []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.session_fields:
            meeting_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Session.objects.filter(meeting_id=meeting_id) if meeting_id else Session.objects.none()
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and db_field.name in self.session_fields + self.country_fields:
            # One query for the whole formset instead of one per row; the queryset still validates the input.
            formfield.choices = [(str(value), label) for value, label in formfield.choices]
        return formfield


class SessionInline(MeetingRowInline):
    model = Session
    fields = ["order", "slug", "title", "title_en", "translation_status", "parent"]
    session_fields = ["parent"]
    show_change_link = True


class SpeakerInline(MeetingRowInline):
    model = Speaker
    session_fields = ["session"]
    country_fields = ["country"]


@admin.register(Meeting)
class MeetingAdmin(MeetingImport, HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "code", "kind", "status", "start_date", "translation_status"]
    list_filter = ["kind", "status", "translation_status"]
    search_fields = ["title", "code", "summary"]
    # French and English side by side, one row per translated field.
    fields = [
        ("title", "title_en"),
        "slug",
        "code",
        "kind",
        "status",
        "co_chairs",
        ("framework", "framework_en"),
        "previous_meeting",
        ("continuity", "continuity_en"),
        ("participants_count", "countries_count"),
        ("summary", "summary_en"),
        ("start_date", "end_date"),
        "venue",
        ("source_title", "source_title_en"),
        ("source_language", "source_url", "source_file"),
        "translation_status",
    ]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["co_chairs", "previous_meeting"]
    inlines = [SessionInline, SpeakerInline]


class EntryInline(admin.TabularInline):
    model = Entry
    form = OrderedInlineForm
    formset = OrderedInlineFormSet
    fields = ["order", "reference", "kind", "title", "text", "status"]
    readonly_fields = ["reference"]
    extra = 0
    show_change_link = True
    formfield_overrides = {Entry._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={"rows": 3})}}

    def get_readonly_fields(self, request, obj=None):
        return entry_readonly_fields(request, super().get_readonly_fields(request, obj))


@admin.register(Session)
class SessionAdmin(HistoryAdmin):
    list_display = ["title", "meeting", "order", "parent", "translation_status"]
    list_filter = ["meeting", "translation_status"]
    fields = [
        "meeting",
        "parent",
        "order",
        "slug",
        ("title", "title_en"),
        ("introduction", "introduction_en"),
        "translation_status",
    ]
    list_select_related = ["meeting", "parent"]
    search_fields = ["title", "meeting__title", "meeting__code"]
    autocomplete_fields = ["meeting", "parent"]
    inlines = [EntryInline]

    def changeform_view(self, request, *args, **kwargs):
        with versions.change_set(request.user):  # entries edited in the inline: one version each
            return super().changeform_view(request, *args, **kwargs)
