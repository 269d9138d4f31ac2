"""An entry's history as versions with their changes in words, and restoring one after seeing what it changes."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import Entry, Status
from ..restore import Restore, RestoreError, TagNames, describe_changes, version_date
from ..versions import EntryState, m2m_row_fields
from .entry_actions import PUBLISH_PERMISSION
from .forms import RestoreForm
from .history import HISTORY_TYPES, require_valid_key


def version_states(records):
    """The state each version holds, their theme and organisation rows read in one query per kind."""
    tags = {record.history_id: {"themes": [], "organisations": []} for record in records}
    for name in ("themes", "organisations"):
        m2m_model = getattr(Entry.history.model, name).model
        target = [field for field in m2m_row_fields(m2m_model) if field not in ("id", "entry_id")][0]
        rows = m2m_model.objects.filter(history_id__in=list(tags)).values_list("history_id", target)
        for history_id, target_id in rows:
            tags[history_id][name].append(target_id)
    return [EntryState.of_version(record, **tags[record.history_id]) for record in records]


class EntryHistoryViews:
    """Replaces simple-history's pages for entries: its list showed raw values, its revert form lost tags."""

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        require_valid_key(Entry, object_id)
        records = list(
            Entry.history.filter(id=unquote(object_id)).select_related("history_user").order_by("history_date")
        )
        if not records:
            raise Http404
        states = version_states(records)
        names = TagNames(states)
        rows, previous = [], None
        for record, state in zip(records, states, strict=True):
            deleted = record.history_type == "-"
            changes = [] if deleted else describe_changes(previous, state, names)
            rows.append({"record": record, "kind": HISTORY_TYPES[record.history_type], "changes": changes})
            previous = None if deleted else state
        context = {
            **self.admin_site.each_context(request),
            "title": _("Historique de l'entrée %(reference)s") % {"reference": records[-1].reference},
            "opts": Entry._meta,
            "entry": Entry.objects.filter(pk=records[-1].id).first(),
            "reference": records[-1].reference,
            "rows": rows[::-1],
            "may_restore": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/outcomes/entry/history.html", context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        may_restore = self.has_change_permission(request)
        if (request.method == "POST" and not may_restore) or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        require_valid_key(Entry, object_id)
        require_valid_key(Entry.history.model, version_id)
        version = Entry.history.filter(id=unquote(object_id), history_id=unquote(version_id)).first()
        if version is None or version.history_type == "-":
            raise Http404
        restore = Restore(version)
        data = request.POST if request.method == "POST" else None
        form = RestoreForm(data, restore=restore, may_publish=request.user.has_perm(PUBLISH_PERMISSION))
        if data is not None and form.is_valid():
            try:
                entry = restore.apply(keep_status=form.keep_status, user=request.user)
            except RestoreError as error:
                form.add_error(None, _("Cette version ne peut pas être restaurée : %(why)s") % {"why": error})
            else:
                return self.restored(request, entry, restore)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Restaurer la version du %(date)s") % {"date": version_date(version)},
            "opts": Entry._meta,
            "restore": restore,
            "version": version,
            "changes": restore.changes(keep_status=True),
            "status_label": Status(restore.state_after(keep_status=True).status).label,
            "form": form,
            "may_restore": may_restore,
        }
        return TemplateResponse(request, "admin/outcomes/entry/restore.html", context)

    def restored(self, request, entry, restore):
        message = _("Version du %(date)s de l'entrée %(reference)s restaurée.")
        values = {"date": version_date(restore.version), "reference": entry.reference}
        self.message_user(request, message % values, messages.SUCCESS)
        if restore.missing:
            warning = _("Supprimés depuis, ces éléments n'ont pas pu être remis : %(tags)s.")
            self.message_user(request, warning % {"tags": ", ".join(restore.missing)}, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:outcomes_entry_change", args=[entry.pk]))
