"""Curation of links between entries, follow-up records and frameworks (hooked from outcomes/admin/__init__.py).

Links and framework tags are edited on the entry's page (inlines) or on their own lists; entries are picked with
the autocomplete, which searches references and texts. An entry that others link to cannot be deleted: the
admin lists the links that hold it (the foreign keys are PROTECT), so none is ever left dangling.
"""

from django.contrib import admin, messages
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Status
from ..models_followup import EntryFrameworkItem, EntryLink, FollowUp, Framework, FrameworkItem
from .entries import entry_readonly_fields
from .entry_actions import PUBLISH_PERMISSION
from .history import HistoryAdmin, HistoryLogAdmin


class FrameworkItemInline(admin.TabularInline):
    model = FrameworkItem
    fields = ["order", "code", "name_fr", "name_en"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["code", "name_fr", "name_en", "url"]
    search_fields = ["code", "name_fr", "name_en"]
    prepopulated_fields = {"slug": ["name_fr"]}
    inlines = [FrameworkItemInline]


@admin.register(FrameworkItem)
class FrameworkItemAdmin(HistoryAdmin):
    list_display = ["__str__", "framework"]
    list_filter = ["framework"]
    list_select_related = ["framework"]
    search_fields = ["framework__code", "code", "name_fr", "name_en"]


class EntryLinkInline(admin.TabularInline):
    """The links from the entry; those to it are listed on the other entry's page and in the list of links."""

    model = EntryLink
    fk_name = "from_entry"
    fields = ["kind", "to_entry"]
    autocomplete_fields = ["to_entry"]
    extra = 0
    verbose_name = _("lien vers une autre entrée")
    verbose_name_plural = _("liens vers d'autres entrées")


class EntryFrameworkItemInline(admin.TabularInline):
    model = EntryFrameworkItem
    autocomplete_fields = ["item"]
    extra = 0
    verbose_name = _("élément de cadre servi")
    verbose_name_plural = _("éléments de cadre servis")


ENTRY_INLINES = [EntryFrameworkItemInline, EntryLinkInline]


@admin.register(EntryLink)
class EntryLinkAdmin(HistoryAdmin):
    list_display = ["from_entry", "kind", "to_entry", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["from_entry", "to_entry"]
    search_fields = ["from_entry__reference", "to_entry__reference", "from_entry__text", "to_entry__text"]
    autocomplete_fields = ["from_entry", "to_entry"]


@admin.register(EntryFrameworkItem)
class EntryFrameworkItemAdmin(HistoryAdmin):
    """The framework tags on their own, mostly to read their history."""

    list_display = ["entry", "item"]
    list_filter = ["item__framework"]
    list_select_related = ["entry", "item__framework"]
    search_fields = ["entry__reference", "item__code", "item__name_fr"]
    autocomplete_fields = ["entry", "item"]


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["recommendation", "country", "progress", "date", "status"]
    list_filter = ["progress", "status", ("country", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["recommendation", "country"]
    search_fields = ["recommendation__reference", "recommendation__text", "country__name_fr", "evidence"]
    autocomplete_fields = ["recommendation", "country", "source_entry"]
    date_hierarchy = "date"
    fields = [
        "recommendation",
        "country",
        "progress",
        "date",
        "evidence",
        "source_entry",
        "source_title",
        "source_url",
        "status",
    ]
    actions = ["publish_selected", "unpublish_selected"]

    def get_readonly_fields(self, request, obj=None):
        return entry_readonly_fields(request, super().get_readonly_fields(request, obj))

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def set_status(self, request, queryset, status):
        with transaction.atomic():
            records = list(queryset)
            for record in records:  # saved one by one so that each version is recorded
                record.status, record.updated_at = status, timezone.now()
                record.save(update_fields=["status", "updated_at"])
        return len(records)

    @admin.action(description=_("Publier les suivis sélectionnés"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = self.set_status(request, queryset, Status.PUBLISHED)
        message = ngettext("%(count)d suivi publié.", "%(count)d suivis publiés.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Dépublier les suivis sélectionnés"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = self.set_status(request, queryset, Status.DRAFT)
        message = ngettext("%(count)d suivi dépublié.", "%(count)d suivis dépubliés.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


for _model in [Framework, FrameworkItem, EntryFrameworkItem, EntryLink, FollowUp]:
    admin.site.register(_model.history.model, HistoryLogAdmin)
