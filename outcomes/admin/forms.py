"""Forms of the entry admin: the entry itself (sub-points as lines), tagging the selection, restoring a version."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Country, Entry, EntryCountry, Status, Theme

MAX_SUB_POINTS = 50


class SubPointsField(forms.CharField):
    """A list of texts edited as lines of a textarea: one sub-point per line, blank lines ignored."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(point) for point in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return [str(point) for point in value]
        lines = (super().to_python(value) or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def validate(self, value):
        if len(value) > MAX_SUB_POINTS:
            raise ValidationError(_("Au plus %(max)d sous-points."), params={"max": MAX_SUB_POINTS})

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


class EntryForm(forms.ModelForm):
    sub_points = SubPointsField(
        label=capfirst(_("sous-points")),
        required=False,
        help_text=_(
            "Un sous-point par ligne, dans l'ordre du document, recopié du texte ; la page publique les numérote."
        ),
    )

    sub_points_en = SubPointsField(
        label=capfirst(_("sous-points (anglais)")),
        required=False,
        help_text=_("Les sous-points de la traduction anglaise, un par ligne, recopiés du texte anglais."),
    )

    class Meta:
        model = Entry
        fields = [
            "session",
            "kind",
            "order",
            "title",
            "title_en",
            "text",
            "text_en",
            "sub_points",
            "sub_points_en",
            "translation_status",
            "source_line",
            "status",
            "themes",
            "organisations",
        ]

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text") or ""
        for number, point in enumerate(cleaned.get("sub_points") or [], start=1):
            if point not in text:
                message = _("Le sous-point n° %(number)d ne figure pas tel quel dans le texte.")
                self.add_error("sub_points", ValidationError(message, params={"number": number}))
        english = cleaned.get("text_en") or ""
        for number, point in enumerate(cleaned.get("sub_points_en") or [], start=1):
            if point not in english:
                message = _("Le sous-point anglais n° %(number)d ne figure pas tel quel dans le texte anglais.")
                self.add_error("sub_points_en", ValidationError(message, params={"number": number}))
        return cleaned


class AddThemeForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.all(), label=_("Thème"))


class AddCountryForm(forms.Form):
    country = forms.ModelChoiceField(Country.objects.all(), label=pgettext_lazy("un seul pays", "Pays"))
    role = forms.ChoiceField(choices=EntryCountry.Role.choices, initial=EntryCountry.Role.MENTIONED, label=_("Rôle"))


class RestoreForm(forms.Form):
    """Confirms a restore of `restore.version`; refused if the entry changed since the page was shown."""

    KEEP, TAKE = "keep", "version"

    status = forms.ChoiceField(label=_("Statut de publication"), widget=forms.RadioSelect, initial=KEEP)
    latest = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, restore, may_publish, **kwargs):
        super().__init__(*args, initial={"latest": restore.latest_id}, **kwargs)
        self.restore = restore
        current, version = Status(restore.current_status).label, Status(restore.target.status).label
        if not may_publish or restore.current_status == restore.target.status:
            del self.fields["status"]
            return
        self.fields["status"].choices = [
            (self.KEEP, _("Garder le statut actuel : %(status)s") % {"status": current}),
            (self.TAKE, _("Reprendre le statut de cette version : %(status)s") % {"status": version}),
        ]

    @property
    def keep_status(self):
        return self.cleaned_data.get("status", self.KEEP) == self.KEEP

    def clean_latest(self):
        if self.cleaned_data["latest"] != self.restore.latest_id:
            raise ValidationError(
                _("L'entrée a changé depuis l'ouverture de cette page : relisez ce que la restauration changera.")
            )
        return self.cleaned_data["latest"]
