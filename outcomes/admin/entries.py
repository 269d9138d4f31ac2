"""The entry admin: a list that fits the screen, the change form, and the country tags on their own."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .. import versions
from ..models import Entry, EntryCountry
from .entry_actions import PUBLISH_PERMISSION, EntryActions
from .entry_history import EntryHistoryViews
from .forms import EntryForm
from .history import HistoryAdmin


def entry_readonly_fields(request, fields):
    """Only those who may publish can change an entry's status by hand."""
    return [*fields, "status"] if not request.user.has_perm(PUBLISH_PERMISSION) else list(fields)


class EntryCountryInline(admin.TabularInline):
    model = EntryCountry
    extra = 1
    autocomplete_fields = ["country"]


@admin.register(Entry)
class EntryAdmin(EntryActions, EntryHistoryViews, HistoryAdmin):
    form = EntryForm
    list_display = ["reference", "excerpt", "kind", "meeting_title", "status", "country_list", "theme_list"]
    list_filter = [
        "kind",
        "status",
        "translation_status",
        "meeting",
        ("session", admin.RelatedOnlyFieldListFilter),
        ("country_tags__country", admin.RelatedOnlyFieldListFilter),
        "scope",
        "themes",
    ]
    list_select_related = ["meeting"]
    search_fields = ["reference", "title", "text", "text_en"]
    autocomplete_fields = ["session", "themes", "organisations"]
    readonly_fields = ["reference", "meeting", "created_at", "updated_at"]
    fields = [
        "reference",
        "meeting",
        "session",
        "kind",
        "order",
        # French and English side by side, one row per translated field.
        ("title", "title_en"),
        ("text", "text_en"),
        ("sub_points", "sub_points_en"),
        "translation_status",
        "source_line",
        "status",
        ("scope", "region"),  # whom it is addressed to (docs/explorer.md#scope-of-an-entry)
        "themes",
        "organisations",
        "created_at",
        "updated_at",
    ]
    inlines = [EntryCountryInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("country_tags", "themes")

    def get_readonly_fields(self, request, obj=None):
        return entry_readonly_fields(request, super().get_readonly_fields(request, obj))

    def changeform_view(self, request, *args, **kwargs):
        with versions.change_set(request.user):  # the entry, its tags and its country rows: one version
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, extra_context=None):
        with versions.change_set(request.user):  # a bulk action: one version per entry it changes
            return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with versions.change_set(request.user):
            return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("texte"))
    def excerpt(self, entry):
        return Truncator(entry.title or entry.text).chars(90)

    @admin.display(description=_("réunion"), ordering="meeting__title")
    def meeting_title(self, entry):
        title = entry.meeting.title
        return format_html('<span title="{}">{}</span>', title, Truncator(title).chars(60))

    @admin.display(description=_("pays"))
    def country_list(self, entry):
        return ", ".join(sorted(tag.country_id for tag in entry.country_tags.all()))

    @admin.display(description=_("thèmes"))
    def theme_list(self, entry):
        return ", ".join(str(theme) for theme in entry.themes.all())


@admin.register(EntryCountry)
class EntryCountryAdmin(HistoryAdmin):
    """The country tags on their own, mostly to read the history of a tag (inline edits are recorded there)."""

    list_display = ["entry", "country", "role"]
    list_filter = ["role"]
    list_select_related = ["entry", "country"]
    search_fields = ["entry__reference", "country__name_fr", "country__code"]
    autocomplete_fields = ["entry", "country"]
