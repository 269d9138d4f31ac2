"""History pages of every curated model, and the read-only log of all recorded changes."""

from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ..models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Theme


class ReadableChanges(HistoricalRecordContextHelper):
    """Changes said with labels: a status in words rather than its stored value, "—" for nothing."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        value = super().prepare_delta_change_value(change, value)
        return "—" if value in (None, "", []) else value


class HistoryAdmin(SimpleHistoryAdmin):
    """History with diffs and revert; reverting writes, so it needs the change permission, not only the view one."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        record = getattr(obj, "_history", None)  # set by simple-history on the object of a past version
        if record is None:
            return form
        # Reverting to a version also brings back the many-to-many tags it had (co-chairs of a meeting).
        initial = {
            field.name: [
                getattr(row, f"{field.m2m_reverse_field_name()}_id") for row in getattr(record, field.name).all()
            ]
            for field in record._history_m2m_fields
        }

        class RevertForm(form):
            def __init__(self, *args, **kwargs):
                kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
                super().__init__(*args, **kwargs)

        return RevertForm

    def history_view(self, request, object_id, extra_context=None):
        require_valid_key(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        require_valid_key(self.model, object_id)
        require_valid_key(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def require_valid_key(model, value):
    """404 for a primary key the model could not hold (simple-history would query with it and fail: a 500)."""
    try:
        model._meta.pk.to_python(unquote(value))
    except ValidationError as error:
        raise Http404 from error


class HistoryLogAdmin(admin.ModelAdmin):
    """Read-only log of every recorded change of one model, deletions included, with a link to the object."""

    list_display = ["when", "change", "who", "object_label"]
    list_filter = ["history_type", "history_date"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("date"), ordering="history_date")
    def when(self, record):
        return record.history_date

    @admin.display(description=_("changement"), ordering="history_type")
    def change(self, record):
        return HISTORY_TYPES.get(record.history_type, record.history_type)

    @admin.display(description=_("par"), ordering="history_user__username")
    def who(self, record):
        return record.history_user or "—"

    @admin.display(description=_("objet"))
    def object_label(self, record):
        """The object as it was, linked to its history page (where it can be restored, even after deletion)."""
        model = record.instance_type
        if model is EntryCountry:
            label = f"{record.country_id} ({record.get_role_display()}) · #{record.entry_id}"
        else:
            label = str(record.history_object)  # built from the record itself, no query
        try:
            url = reverse(f"admin:outcomes_{model._meta.model_name}_history", args=[quote(record.history_object.pk)])
        except NoReverseMatch:  # speakers have no admin page of their own: they are edited with their meeting
            return label
        return format_html('<a href="{}">{}</a>', url, label)


HISTORY_TYPES = {"+": _("Création"), "~": _("Modification"), "-": _("Suppression")}

for _model in [Meeting, Session, Entry, EntryCountry, Speaker, Country, Theme, Organisation]:
    admin.site.register(_model.history.model, HistoryLogAdmin)
