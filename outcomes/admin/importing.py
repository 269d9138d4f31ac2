"""Importing a meeting file (the exchange format) from the admin: upload, read the dry run, confirm, see references.

The file's text travels from the dry run to the confirmation signed, so what is imported is what was checked.
The import itself is outcomes.exchange.import_meeting: one transaction, nothing written if anything is wrong.
"""

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exchange import ExchangeError, import_meeting, parse_yaml
from ..models import Entry, Meeting, Organisation, Session, Speaker, Theme

IMPORTED_MODELS = [Meeting, Session, Entry, Speaker, Theme, Organisation]

IMPORT_PERMISSIONS = [
    "outcomes.add_meeting",
    "outcomes.change_meeting",
    "outcomes.add_entry",
    "outcomes.change_entry",
    "outcomes.delete_entry",
    "outcomes.publish_entry",
]
SIGNING_SALT = "outcomes.admin.meeting-import"
MAX_FILE_SIZE = 2 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fichier de réunion (YAML, format d'échange)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise ValidationError(gettext_lazy("Le fichier dépasse 2 Mo."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValidationError(gettext_lazy("Le fichier n'est pas du texte UTF-8.")) from error


class ConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, strip=False)

    def clean_content(self):
        try:
            return signing.loads(self.cleaned_data["content"], salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature as error:
            message = gettext_lazy(
                "Le fichier vérifié n'est pas revenu tel quel, ou plus d'une heure a passé : envoyez-le à nouveau."
            )
            raise ValidationError(message) from error


def change_table(result):
    """What the import did or would do, one row per kind of object: (label, created, updated, removed)."""
    rows = []
    for model in IMPORTED_MODELS:
        counts = [result.changes["created", model], result.changes["updated", model], result.changes["removed", model]]
        if any(counts):
            rows.append((capfirst(model._meta.verbose_name_plural), *counts))
    return rows


class MeetingImport:
    """The import page of the meeting admin (`admin:outcomes_meeting_import`)."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="outcomes_meeting_import"), *super().get_urls()]

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        context["title"] = _("Importer un fichier de réunion")
        if request.method == "POST" and "content" in request.POST:
            form = ConfirmForm(request.POST)
            context.update(self.run(request, form, dry_run=False))
        elif request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            context.update(self.run(request, form, dry_run=True))
        else:
            context["form"] = UploadForm()
        return TemplateResponse(request, "admin/outcomes/meeting/import.html", context)

    def run(self, request, form, *, dry_run):
        if not form.is_valid():
            if dry_run:
                return {"form": form}
            return {"form": UploadForm(), "problems": [error for errors in form.errors.values() for error in errors]}
        text = form.cleaned_data["file" if dry_run else "content"]
        try:
            result = import_meeting(parse_yaml(text), dry_run=dry_run, user=request.user)
        except ExchangeError as error:
            return {"form": UploadForm(), "problems": error.problems}
        report = {"result": result, "changes": change_table(result), "dry_run": dry_run}
        if dry_run:
            signed = signing.dumps(text, salt=SIGNING_SALT, compress=True)
            report["confirm_form"] = ConfirmForm(initial={"content": signed})
        return report
