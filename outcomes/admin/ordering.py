"""Inline rows with a unique `order` in their parent (sessions of a meeting, entries of a session)."""

from django import forms
from django.db.models import Max
from django.utils.translation import gettext_lazy as _


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
