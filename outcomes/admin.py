"""The secretariat's curation tools: lists, filters, bulk tagging and publishing, ordered inlines, history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_update_with_history

from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Status, Theme

PUBLISH_PERMISSION = "outcomes.publish_entry"

admin.site.site_header = _("Rabat KB · administration")
admin.site.site_title = _("Rabat KB")
admin.site.index_title = _("Curation de la base de connaissances")


class HistoryAdmin(SimpleHistoryAdmin):
    """History with diffs and revert; reverting writes, so it needs the change permission, not only the view one."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        record = getattr(obj, "_history", None)  # set by simple-history on the object of a past version
        if record is None:
            return form
        # Reverting to a version also brings back the many-to-many tags it had (themes, organisations, co-chairs).
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


# Ordered inlines -------------------------------------------------------------------------------------------------


class OrderedInlineForm(forms.ModelForm):
    """Leaves the uniqueness of `order` to the formset, which sees every row at once (so two rows can swap).

    Django checks unique constraints per form against the database, where a swapped row still holds the old
    position; excluding `order` from those checks (here and in the formset's own cross-form check) is the hook
    Django gives, `_get_validation_exclusions`.
    """

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "order"}


class OrderedInlineFormSet(forms.BaseInlineFormSet):
    """Rows of one parent with a unique `order`: checked on the final state, saved without clashing midway."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not self._should_delete_form(form)
            and form.cleaned_data.get("order") is not None
        ]
        # Rows of the parent that the formset does not show keep their positions.
        taken = set()
        if self.instance.pk:
            shown = [form.instance.pk for form in self.forms if form.instance.pk]
            others = self.model.objects.filter(**{self.fk.name: self.instance}).exclude(pk__in=shown)
            taken = set(others.values_list("order", flat=True))
        for form in kept:
            order = form.cleaned_data["order"]
            if order in taken:
                form.add_error("order", _("Cette position est déjà prise : chaque ligne a sa propre position."))
            taken.add(order)

    def save_existing_objects(self, commit=True):
        if not commit:
            return super().save_existing_objects(commit)
        deleted = [form.instance for form in self.initial_forms if self._should_delete_form(form)]
        moved = [
            form.instance.pk
            for form in self.initial_forms
            if "order" in form.changed_data and not self._should_delete_form(form)
        ]
        # Delete first, then park moved rows past both the current and the new positions, so that no save in
        # between meets the unique constraint (a swap, or a row moving to where another one was).
        for obj in deleted:
            self.delete_existing(obj, commit=True)
        if moved:
            siblings = self.model.objects.filter(**{self.fk.name: self.instance})
            wanted = [form.cleaned_data.get("order") or 0 for form in self.forms if form.has_changed()]
            top = max([siblings.aggregate(top=Max("order"))["top"] or 0, *wanted])
            for offset, pk in enumerate(moved, start=1):
                siblings.filter(pk=pk).update(order=top + offset)
        saved = super().save_existing_objects(commit)  # skips the rows deleted above
        self.deleted_objects = deleted + self.deleted_objects
        return saved


# Tags --------------------------------------------------------------------------------------------------------------


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
    fields = ["order", "slug", "title", "parent"]
    session_fields = ["parent"]
    show_change_link = True


class SpeakerInline(MeetingRowInline):
    model = Speaker
    session_fields = ["session"]
    country_fields = ["country"]


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "code", "kind", "status", "start_date"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "code", "summary"]
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
    list_display = ["title", "meeting", "order", "parent"]
    list_filter = ["meeting"]
    list_select_related = ["meeting", "parent"]
    search_fields = ["title", "meeting__title", "meeting__code"]
    autocomplete_fields = ["meeting", "parent"]
    inlines = [EntryInline]


# Entries -----------------------------------------------------------------------------------------------------------


def entry_readonly_fields(request, fields):
    """Only those who may publish can change an entry's status by hand."""
    return [*fields, "status"] if not request.user.has_perm(PUBLISH_PERMISSION) else list(fields)


class EntryCountryInline(admin.TabularInline):
    model = EntryCountry
    extra = 1
    autocomplete_fields = ["country"]


class AddThemeForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("Thème"))


class AddCountryForm(forms.Form):
    country = forms.ModelChoiceField(Country.objects.all(), label=pgettext_lazy("un seul pays", "Pays"))
    role = forms.ChoiceField(choices=EntryCountry.Role.choices, initial=EntryCountry.Role.MENTIONED, label=_("Rôle"))


@admin.register(Entry)
class EntryAdmin(HistoryAdmin):
    list_display = ["reference", "kind", "meeting_code", "session", "status", "country_list", "theme_list"]
    list_filter = [
        "kind",
        "status",
        "meeting",
        ("session", admin.RelatedOnlyFieldListFilter),
        ("country_tags__country", admin.RelatedOnlyFieldListFilter),
        "themes",
    ]
    list_select_related = ["meeting", "session"]
    search_fields = ["reference", "title", "text"]
    autocomplete_fields = ["session", "themes", "organisations"]
    readonly_fields = ["reference", "meeting", "created_at", "updated_at"]
    fields = [
        "reference",
        "meeting",
        "session",
        "kind",
        "order",
        "title",
        "text",
        "sub_points",
        "source_line",
        "status",
        "themes",
        "organisations",
        "created_at",
        "updated_at",
    ]
    inlines = [EntryCountryInline]
    actions = ["publish_selected", "unpublish_selected", "add_theme_to_selected", "add_country_to_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("country_tags__country", "themes")

    def get_readonly_fields(self, request, obj=None):
        return entry_readonly_fields(request, super().get_readonly_fields(request, obj))

    @admin.display(description=_("réunion"), ordering="meeting__code")
    def meeting_code(self, entry):
        return format_html('<span title="{}">{}</span>', entry.meeting.title, entry.meeting.code)

    @admin.display(description=_("pays"))
    def country_list(self, entry):
        return ", ".join(tag.country.code for tag in entry.country_tags.all())

    @admin.display(description=_("thèmes"))
    def theme_list(self, entry):
        return ", ".join(str(theme) for theme in entry.themes.all())

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def set_status(self, request, queryset, status):
        entries = list(queryset.select_related("meeting"))
        now = timezone.now()
        for entry in entries:
            entry.status = status
            entry.updated_at = now
        with transaction.atomic():
            bulk_update_with_history(entries, Entry, ["status", "updated_at"], default_user=request.user)
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


@admin.register(EntryCountry)
class EntryCountryAdmin(HistoryAdmin):
    """The country tags on their own, mostly to read the history of a tag (inline edits are recorded there)."""

    list_display = ["entry", "country", "role"]
    list_filter = ["role"]
    list_select_related = ["entry", "country"]
    search_fields = ["entry__reference", "country__name_fr", "country__code"]
    autocomplete_fields = ["entry", "country"]


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
        return record.get_history_type_display()

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


for _model in [Meeting, Session, Entry, EntryCountry, Speaker, Country, Theme, Organisation]:
    admin.site.register(_model.history.model, HistoryLogAdmin)

# The upload and review of final documents (issue 15) register their own admin page.
from .ingest import admin_views  # noqa: E402, F401
