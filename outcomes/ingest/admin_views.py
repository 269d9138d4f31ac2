"""The secretariat's upload and review screens: a final document in, a draft meeting reviewed beside its source text,
then created through the exchange importer (which assigns references and writes history). Plain forms, no script."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outcomes.exchange import ExchangeError, import_meeting
from outcomes.models import Country, Entry, EntryCountry, Meeting, Organisation, Theme

from . import review
from .extract import ExtractionError, extract_lines
from .models import DocumentDraft
from .propose import exchange_data, propose
from .tag import Vocabulary

# The entry permissions make the secretariat (tests/test_permissions.py): a staff account that may add meetings
# and add and change entries.
SECRETARIAT_PERMISSIONS = ("outcomes.add_meeting", "outcomes.add_entry", "outcomes.change_entry")

EXTRACTION_MESSAGES = {
    "empty": _("Le document est vide : il n'a pas été lu."),
    "unsupported": _("Ce fichier n'est pas un document PDF, DOCX ou texte (.pdf, .docx, .txt)."),
    "encrypted": _(
        "Ce PDF est protégé par un mot de passe : enregistrez-en une copie sans protection, puis envoyez-la."
    ),
    "no_text": _(
        "Ce PDF ne contient pas de texte (un document numérisé ?) : passez-le d'abord à la reconnaissance de "
        "caractères (OCR)."
    ),
    "timeout": _("La lecture du document a pris plus de %(seconds)s secondes : elle a été abandonnée."),
    "failed": _("Ce document n'a pas pu être lu : il est peut-être endommagé."),
}


def is_secretariat(user):
    return user.is_active and user.is_staff and user.has_perms(SECRETARIAT_PERMISSIONS)


class UploadForm(forms.Form):
    document = forms.FileField(
        label=_("Fichier du document final"),
        help_text=_("PDF, DOCX ou texte, %(size)s au plus.") % {"size": filesizeformat(settings.INGEST_MAX_BYTES)},
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > settings.INGEST_MAX_BYTES:
            raise ValidationError(
                _("Ce fichier dépasse la taille maximale de %(size)s.")
                % {"size": filesizeformat(settings.INGEST_MAX_BYTES)}
            )
        try:
            self.lines = extract_lines(upload.read(), upload.name, timeout=settings.INGEST_EXTRACTION_SECONDS)
        except ExtractionError as error:
            raise ValidationError(
                EXTRACTION_MESSAGES[error.code] % {"seconds": settings.INGEST_EXTRACTION_SECONDS}
            ) from None
        return upload


class MeetingNamesForm(forms.Form):
    title = forms.CharField(label=_("titre"), max_length=300)
    slug = forms.SlugField(label=_("identifiant"), max_length=50)
    code = forms.RegexField(
        label=_("code"), regex=r"^[A-Z0-9]+$", max_length=12, help_text=_("Lettres capitales et chiffres.")
    )
    kind = forms.ChoiceField(label=_("type"), choices=Meeting.Kind.choices)


class EntryForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea)
    kind = forms.ChoiceField(choices=Entry.Kind.choices)


@admin.register(DocumentDraft)
class DocumentDraftAdmin(admin.ModelAdmin):
    list_display = ["filename", "created_by", "created_at", "meeting"]
    list_select_related = ["created_by", "meeting"]

    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return is_secretariat(request.user)

    has_delete_permission = has_change_permission

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            draft = DocumentDraft.objects.create(
                filename=form.cleaned_data["document"].name[:255],
                lines=form.lines,
                proposal=propose(form.lines, Vocabulary.from_database()),
                created_by=request.user,
            )
            entries, _accepted = review.counts(draft.proposal)
            messages.success(request, _("%(count)d entrées proposées : relisez-les.") % {"count": entries})
            return redirect(draft.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Envoyer un document final"),
        }
        return TemplateResponse(request, "admin/ingest/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_change_permission(request):
            raise PermissionDenied
        draft = self.get_object(request, unquote(object_id))
        if draft is None:
            raise Http404
        if request.method == "POST":
            return self.review_step(request, draft)
        return TemplateResponse(request, "admin/ingest/review.html", self.review_context(request, draft))

    def review_step(self, request, draft):
        step, key = request.POST.get("step", ""), request.POST.get("entry", "")
        proposal = draft.proposal
        try:
            if draft.meeting_id:
                raise review.ReviewError(_("La réunion a déjà été créée à partir de ce document."))
            if step == "create":
                return self.create_meeting(request, draft)
            self.apply(step, key, proposal, request.POST)
        except review.ReviewError as error:
            messages.error(request, str(error))
            return redirect(self.anchor(draft, key))
        draft.save(update_fields=["proposal", "updated_at"])
        return redirect(self.anchor(draft, key if step not in ("drop", "merge") else ""))

    def apply(self, step, key, proposal, data):
        if step == "accept":
            review.accept(proposal, key)
        elif step == "save":
            form = EntryForm(data)
            if not form.is_valid():
                raise review.ReviewError(_("Le texte et le type de l'entrée sont obligatoires."))
            review.edit(proposal, key, form.cleaned_data["text"], form.cleaned_data["kind"])
        elif step == "merge":
            review.merge_with_previous(proposal, key)
        elif step == "split":
            review.split(proposal, key, data.get("split_at", ""))
        elif step == "drop":
            review.drop(proposal, key)
        elif step in ("accept-tag", "reject-tag"):
            kind, _sep, value = data.get("tag", "").partition(":")
            review.set_tag(proposal, key, kind, value, accepted=step == "accept-tag")
        elif step == "meeting":
            form = MeetingNamesForm(data)
            if not form.is_valid():
                raise review.ReviewError(
                    "; ".join(f"{form.fields[name].label} : {' '.join(errors)}" for name, errors in form.errors.items())
                )
            review.set_meeting(proposal, form.cleaned_data)
        else:
            raise review.ReviewError(_("Action inconnue."))

    def create_meeting(self, request, draft):
        data = exchange_data(draft.proposal)
        if Meeting.objects.filter(slug=data["meeting"]["slug"]).exists():
            raise review.ReviewError(_("Une réunion porte déjà cet identifiant : choisissez-en un autre."))
        try:
            with transaction.atomic():
                result = import_meeting(data)
                draft.meeting = result.meeting
                draft.save(update_fields=["meeting", "updated_at"])
        except ExchangeError as error:
            for problem in error.problems:
                messages.error(request, problem)
            return redirect(self.anchor(draft, ""))
        messages.success(request, _("Réunion créée en brouillon : %(title)s.") % {"title": result.meeting.title})
        return redirect(reverse("admin:outcomes_meeting_change", args=[result.meeting.pk]))

    @staticmethod
    def anchor(draft, key):
        url = draft.get_absolute_url()
        return f"{url}?entry={key}#entry-{key}" if key else url

    def review_context(self, request, draft):
        proposal, selected = draft.proposal, request.GET.get("entry", "")
        names = {
            "country": dict(Country.objects.values_list("code", "name_fr")),
            "organisation": {o.slug: o.label for o in Organisation.objects.all()},
            "theme": dict(Theme.objects.values_list("slug", "name_fr")),
        }
        roles = dict(EntryCountry.Role.choices)
        sessions, highlight = [], range(0)
        for s, session in enumerate(proposal["sessions"]):
            entries = []
            for e, entry in enumerate(session["entries"]):
                key = f"{s}-{e}"
                notes = entry["proposal"]
                if key == selected:
                    highlight = range(
                        entry["source_line"] or 0, (notes.get("end_line") or entry["source_line"] or 0) + 1
                    )
                entries.append(
                    {
                        "key": key,
                        "entry": entry,
                        "notes": notes,
                        "selected": key == selected,
                        "form": EntryForm(initial={"text": entry["text"], "kind": entry["kind"]}),
                        "tags": _tags(entry, notes, names, roles),
                    }
                )
            sessions.append({"session": session, "depth": _depth(proposal, session), "entries": entries})
        total, accepted = review.counts(proposal)
        meeting = proposal["meeting"]
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Relire la réunion proposée"),
            "draft": draft,
            "meeting": meeting,
            "speakers": proposal["speakers"],
            "meeting_form": MeetingNamesForm(initial={name: meeting[name] for name in review.MEETING_FIELDS}),
            "sessions": sessions,
            "lines": [(number, text, number in highlight) for number, text in enumerate(draft.lines, start=1)],
            "total": total,
            "accepted": accepted,
        }


def _depth(proposal, session):
    parents = {item["slug"]: item["parent"] for item in proposal["sessions"]}
    depth, parent = 0, session["parent"]
    while parent:
        depth, parent = depth + 1, parents.get(parent)
    return min(depth, 3)


def _tags(entry, notes, names, roles):
    tags = []
    for tag in entry["countries"]:
        found = notes.get("countries", {}).get(tag["code"], {})
        tags.append(
            (
                "country",
                tag["code"],
                names["country"].get(tag["code"], tag["code"]),
                roles.get(tag["role"], ""),
                found.get("triggers", []),
            )
        )
    for kind, name in (("organisation", "organisations"), ("theme", "themes")):
        for slug in entry[name]:
            tags.append((kind, slug, names[kind].get(slug, slug), "", notes.get(name, {}).get(slug, [])))
    return [
        {"kind": kind, "value": value, "label": label, "role": role, "triggers": triggers,
         "accepted": f"{kind}:{value}" in notes.get("accepted", [])}
        for kind, value, label, role, triggers in tags
    ]  # fmt: skip
