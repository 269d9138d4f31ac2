"""Bulk actions on the selected entries: publish, unpublish, add a theme, add a country with its role."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import versions
from ..models import Entry, EntryCountry, Status
from .forms import AddCountryForm, AddThemeForm

PUBLISH_PERMISSION = "outcomes.publish_entry"


class EntryActions:
    """The actions of the entry list; the list runs them inside one change set (one version per entry)."""

    actions = ["publish_selected", "unpublish_selected", "add_theme_to_selected", "add_country_to_selected"]

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def set_status(self, request, queryset, status):
        """Give the selected entries this status; each changed one gets a whole version (see outcomes/versions.py)."""
        entries = list(queryset.select_related("meeting"))
        with versions.change_set(request.user):
            Entry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
                status=status, updated_at=timezone.now()
            )
            versions.touch(*[entry.pk for entry in entries])
        return entries

    @admin.action(description=_("Publier les entrées sélectionnées"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        entries = self.set_status(request, queryset, Status.PUBLISHED)
        message = ngettext("%(count)d entrée publiée.", "%(count)d entrées publiées.", len(entries))
        self.message_user(request, message % {"count": len(entries)}, messages.SUCCESS)
        hidden = sorted({entry.meeting.title for entry in entries if entry.meeting.status != Status.PUBLISHED})
        if hidden:
            self.message_user(
                request,
                _("Leur réunion n'est pas publiée, elles restent donc invisibles : %(meetings)s")
                % {"meetings": ", ".join(hidden)},
                messages.WARNING,
            )

    @admin.action(description=_("Dépublier les entrées sélectionnées"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        entries = self.set_status(request, queryset, Status.DRAFT)
        message = ngettext("%(count)d entrée dépubliée.", "%(count)d entrées dépubliées.", len(entries))
        self.message_user(request, message % {"count": len(entries)}, messages.SUCCESS)

    @admin.action(description=_("Ajouter un thème aux entrées sélectionnées"), permissions=["change"])
    def add_theme_to_selected(self, request, queryset):
        form = AddThemeForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.tag_form_response(request, queryset, form, _("Ajouter un thème"))
        theme = form.cleaned_data["theme"]
        with transaction.atomic():
            # One add per entry so that each entry's history records the new theme.
            entries = list(queryset.exclude(themes=theme))
            for entry in entries:
                entry.themes.add(theme)
        message = ngettext(
            "Thème « %(theme)s » ajouté à %(count)d entrée.",
            "Thème « %(theme)s » ajouté à %(count)d entrées.",
            len(entries),
        )
        self.message_user(request, message % {"theme": theme, "count": len(entries)}, messages.SUCCESS)

    @admin.action(description=_("Ajouter un pays aux entrées sélectionnées"), permissions=["change"])
    def add_country_to_selected(self, request, queryset):
        form = AddCountryForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.tag_form_response(request, queryset, form, _("Ajouter un pays"))
        country, role = form.cleaned_data["country"], form.cleaned_data["role"]
        changed = 0
        with transaction.atomic():
            existing = {tag.entry_id: tag for tag in EntryCountry.objects.filter(entry__in=queryset, country=country)}
            for entry_id in queryset.values_list("pk", flat=True):
                tag = existing.get(entry_id)
                if tag is None:
                    EntryCountry.objects.create(entry_id=entry_id, country=country, role=role)
                elif tag.role != role:
                    tag.role = role
                    tag.save(update_fields=["role"])
                else:
                    continue
                changed += 1
        message = ngettext(
            "Pays « %(country)s » (%(role)s) ajouté à %(count)d entrée.",
            "Pays « %(country)s » (%(role)s) ajouté à %(count)d entrées.",
            changed,
        )
        role_label = EntryCountry.Role(role).label
        self.message_user(
            request, message % {"country": country, "role": role_label, "count": changed}, messages.SUCCESS
        )

    def tag_form_response(self, request, queryset, form, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "entries": queryset.select_related("session"),
            "action": request.POST.get("action", ""),
            "select_across": request.POST.get("select_across", "0"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/outcomes/entry/tag_selected.html", context)
