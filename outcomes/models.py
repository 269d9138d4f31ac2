"""What a Rabat Process meeting concluded: meetings, their sessions and the entries they yield."""

from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from . import versions
from .links import object_url
from .models_search import INDEX_FIELDS, INDEXED_SOURCES
from .querysets import ROLE_RANK, CountryRole, EntryCountryQuerySet, EntryQuerySet, MeetingQuerySet, Status
from .scope import ScopeFields
from .translation import TranslatedMixin, split_text, status_field
from .vocabulary import Country, LocalisedNameMixin, Organisation, Theme  # noqa: F401  (part of the models' API)


class ChoiceLabels:
    """`get_<field>_display()` finding its one label, where Django's builds a dict of every choice and so translates
    every label on each call (nine for a kind): a page of cards asks for a few hundred."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(
            next((label for choice, label in field.flatchoices if choice == value), value), strings_only=True
        )


class Meeting(TranslatedMixin, models.Model):
    """A Rabat Process meeting and the final document that records its outcomes."""

    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("Réunion thématique")
        SENIOR_OFFICIALS = "senior_officials", _("Réunion des hauts fonctionnaires")
        MINISTERIAL = "ministerial", _("Conférence ministérielle")
        TECHNICAL = "technical", _("Réunion technique")
        STEERING = "steering", _("Comité de pilotage")
        OTHER = "other", _("Autre")

    slug = models.SlugField(unique=True)
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("Préfixe des références des entrées (par ex. GF pour « gestion des frontières »)."),
    )
    title = models.CharField(_("titre"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.THEMATIC)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    co_chairs = models.ManyToManyField(
        Country, blank=True, related_name="co_chaired_meetings", verbose_name=_("co-présidence")
    )
    framework = models.TextField(
        _("cadre de référence"),
        blank=True,
        help_text=_("Le cadre auquel la réunion fait écho, tel que le document le cite."),
    )
    previous_meeting = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_meetings",
        verbose_name=_("réunion précédente"),
    )
    continuity = models.TextField(
        _("continuité"), blank=True, help_text=_("Ce que le document dit de la réunion dont celle-ci est la suite.")
    )
    participants_count = models.PositiveIntegerField(_("nombre de participants"), null=True, blank=True)
    countries_count = models.PositiveIntegerField(_("nombre de pays"), null=True, blank=True)
    summary = models.TextField(_("résumé"), blank=True)
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    venue = models.CharField(_("lieu"), max_length=200, blank=True)
    source_title = models.CharField(_("titre du document source"), max_length=300, blank=True)
    source_language = models.CharField(_("langue du document source"), max_length=10, default="fr")
    source_url = models.URLField(_("adresse du document source"), blank=True)
    source_file = models.CharField(
        _("fichier source"), max_length=200, blank=True, help_text=_("Chemin du texte source dans fixtures/source/.")
    )
    title_en = models.CharField(_("titre (anglais)"), max_length=300, blank=True)
    framework_en = models.TextField(_("cadre de référence (anglais)"), blank=True)
    continuity_en = models.TextField(_("continuité (anglais)"), blank=True)
    summary_en = models.TextField(_("résumé (anglais)"), blank=True)
    source_title_en = models.CharField(_("titre du document source (anglais)"), max_length=300, blank=True)
    translation_status = status_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()
    translated_fields = ("title", "framework", "continuity", "summary", "source_title")
    history = HistoricalRecords(
        verbose_name=_("version de réunion"),
        verbose_name_plural=_("journal · réunions"),
        excluded_fields=["updated_at"],
        m2m_fields=["co_chairs"],
    )

    class Meta:
        ordering = MeetingQuerySet.newest_first_order()
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return object_url("outcomes:meeting-detail", self.slug)

    @property
    def is_published(self):
        """MeetingQuerySet.published_condition(), for a meeting already loaded."""
        return self.status == Status.PUBLISHED

    def source_path(self):
        """The meeting's source text inside SOURCE_DOCUMENTS_DIR, or None when missing or outside it."""
        if not self.source_file:
            return None
        root = Path(settings.SOURCE_DOCUMENTS_DIR).resolve()
        try:
            path = (root / self.source_file).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                return None
        except (OSError, ValueError):  # e.g. a NUL byte or a name too long
            return None
        return path

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La date de fin précède la date de début.")})


class Session(TranslatedMixin, models.Model):
    """A session of a meeting, or a sub-heading inside one (then `parent` is the session)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("réunion"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("session parente"),
    )
    order = models.PositiveIntegerField(_("ordre"), help_text=_("Position dans le document, pour toute la réunion."))
    slug = models.SlugField(
        _("identifiant"), max_length=80, help_text=_("Identifiant stable dans la réunion (ancres, échanges).")
    )
    title = models.CharField(_("titre"), max_length=400)
    introduction = models.TextField(_("introduction"), blank=True, help_text=_("Texte d'introduction, verbatim."))
    title_en = models.CharField(_("titre (anglais)"), max_length=400, blank=True)
    introduction_en = models.TextField(_("introduction (anglais)"), blank=True)
    translation_status = status_field()

    translated_fields = ("title", "introduction")
    history = HistoricalRecords(verbose_name=_("version de session"), verbose_name_plural=_("journal · sessions"))

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="session_order_unique_in_meeting"),
            models.UniqueConstraint(fields=["meeting", "slug"], name="session_slug_unique_in_meeting"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        existed = self.pk is not None and not kwargs.get("force_insert")
        super().save(*args, **kwargs)
        if existed:  # its titles are headings of its entries, which search weighs as their titles
            from .search.index import refresh

            refresh(Entry.objects.filter(Q(session=self) | Q(session__parent=self) | Q(session__parent__parent=self)))

    def get_absolute_url(self):
        return f"{self.meeting.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"session-{self.slug}"

    def clean(self):
        if self.parent_id and self.parent.meeting_id != self.meeting_id:
            raise ValidationError({"parent": _("La session parente appartient à une autre réunion.")})


class Entry(ChoiceLabels, TranslatedMixin, ScopeFields, models.Model):
    """One outcome stated in a meeting's final document.

    A single model with a `kind` rather than one model per kind: every kind has the same shape (verbatim text,
    place in the document, tags), and delegates browse, filter, search and export them together, which one
    table serves with one query.
    """

    class Kind(models.TextChoices):
        OBJECTIVE = "objective", _("Objectif")
        EXPECTED_RESULT = "expected_result", _("Résultat attendu")
        KEY_POINT = "key_point", _("Point souligné")
        POLICY = "policy", _("Politique")
        GOOD_PRACTICE = "good_practice", _("Bonne pratique")
        CHALLENGE = "challenge", _("Défi")
        RECOMMENDATION = "recommendation", _("Recommandation")
        RESULT = "result", _("Résultat obtenu")
        FEEDBACK = "feedback", _("Retour des participants")

    reference = models.CharField(
        _("référence"),
        max_length=30,
        unique=True,
        editable=False,
        help_text=_("Code stable pour citer l'entrée ; attribué à la création, jamais modifié."),
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="entries", verbose_name=_("réunion"))
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("session"),
        help_text=_("La rubrique du document sous laquelle l'entrée figure."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    order = models.PositiveIntegerField(_("ordre"), help_text=_("Position dans sa session."))
    title = models.CharField(_("titre court"), max_length=200, blank=True)
    text = models.TextField(_("texte"), help_text=_("Texte intégral, verbatim, en français."))
    sub_points = models.JSONField(
        _("sous-points"),
        default=list,
        blank=True,
        help_text=_("Les parties numérotées « 1) … 2) … » du texte, verbatim."),
    )
    source_line = models.PositiveIntegerField(
        _("ligne source"), null=True, blank=True, help_text=_("Ligne du texte source où commence l'entrée.")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    title_en = models.CharField(_("titre court (anglais)"), max_length=200, blank=True)
    text_en = models.TextField(_("texte (anglais)"), blank=True)
    sub_points_en = models.JSONField(
        _("sous-points (anglais)"),
        default=list,
        blank=True,
        help_text=_("L'anglais de chaque sous-point, tel qu'il figure dans le texte anglais."),
    )
    translation_status = status_field()
    countries = models.ManyToManyField(
        Country, through="EntryCountry", blank=True, related_name="entries", verbose_name=_("pays")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="entries", verbose_name=_("thèmes"))
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="entries", verbose_name=_("organisations")
    )
    # The analysed text search reads (outcomes/search/index.py), filled by save(); on PostgreSQL a trigger builds
    # search_vector from them, on SQLite triggers copy them into an FTS5 table (migration 00xx_search_index).
    index_title = models.TextField(editable=False, blank=True, default="")
    index_text = models.TextField(editable=False, blank=True, default="")
    index_title_en = models.TextField(editable=False, blank=True, default="")
    index_text_en = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = EntryQuerySet.as_manager()
    translated_fields = ("text", "title", "sub_points")  # the main one first: has_english reads it
    # Set on the entries of some pages: a search's highlighted text and the tags it matched by (listing.PageEntries),
    # the role of the page's country (views.CountryDetail). Empty otherwise: a card's template looking up a missing
    # attribute costs a dir() of the model, ~0.2 ms.
    snippet, matched_tags, role_label = "", (), ""
    # A version is the whole entry, its tags included, one per user action (outcomes/versions.py).
    history = versions.EntryHistory(
        verbose_name=_("version d'entrée"),
        verbose_name_plural=_("journal · entrées"),
        excluded_fields=["search_vector", "updated_at", *INDEX_FIELDS],
        m2m_fields=["themes", "organisations"],
        bases=[versions.VersionFields],
    )

    class Meta:
        ordering = EntryQuerySet.document_order()
        verbose_name = _("entrée")
        verbose_name_plural = _("entrées")
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="entry_order_unique_in_session"),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["meeting", "kind"]),
            models.Index(fields=["-created_at"]),
            # Lists, counts and facets read these columns of every published entry: from this index alone (an
            # index-only scan, small even on large data) rather than from the table and its long texts.
            models.Index(
                fields=["status", "meeting"],
                include=["id", "kind", "session", "order", "created_at"],
                name="entry_published_listing",
            ),
            # The few entries addressed to all partners or to a region: what a country filter offers to add is
            # counted from them, not from a scan of every entry.
            models.Index(fields=["scope", "region"], condition=~Q(scope="countries"), name="entry_addressed_to_many"),
        ]
        permissions = [("publish_entry", _("Peut publier et dépublier des entrées"))]

    def __str__(self):
        return f"{self.reference} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self.meeting_id and self.session_id:
            self.meeting_id = self.session.meeting_id
        if not self.reference:
            self.reference = self.next_reference(self.meeting)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & set(INDEXED_SOURCES):
            from .search.index import fill_index_fields

            fill_index_fields(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *INDEX_FIELDS}
        super().save(*args, **kwargs)
        if update_fields is None or set(update_fields) & set(INDEXED_SOURCES):
            from .search.vocabulary import add_words

            add_words([self])

    def get_absolute_url(self):
        return object_url("outcomes:entry-detail", self.reference)

    @property
    def anchor(self):
        return self.reference.lower()

    @property
    def display_title(self):
        """The entry in its own words, for headings, page titles and links: its title, or the start of its text."""
        shown = self.shown
        return shown.title or Truncator(shown.text).words(16)

    @property
    def is_published(self):
        """EntryQuerySet.published_condition(), for an entry already loaded with its meeting."""
        return self.status == Status.PUBLISHED and self.meeting.is_published

    @property
    def heading_sessions(self):
        """The sessions and sub-headings above the entry in the document, outermost first."""
        path, session = [], self.session
        while session is not None:
            path.insert(0, session)
            session = session.parent
        return path

    @property
    def heading_path(self):
        """The headings above the entry in the document, outermost first."""
        return [session.title for session in self.heading_sessions]

    @property
    def lead_in(self):
        """The text before the first numbered sub-point."""
        return split_text(self.text, self.sub_points)[0]

    @property
    def closing(self):
        """The text after the last numbered sub-point, if any."""
        return split_text(self.text, self.sub_points)[1]

    def clean(self):
        self.clean_scope()
        if self.session_id and self.meeting_id and self.session.meeting_id != self.meeting_id:
            raise ValidationError({"session": _("La session appartient à une autre réunion.")})
        for name in ("sub_points", "sub_points_en"):
            points = getattr(self, name)
            if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
                raise ValidationError({name: _("Les sous-points sont une liste de textes.")})

    @staticmethod
    def next_reference(meeting):
        """The next free code in the meeting: its code and a number never given before, even to a deleted entry
        (its reference may be cited: it answers 410 Gone, see outcomes/withdrawals.py)."""
        prefix = f"{meeting.code}-"
        taken = {
            *Entry.objects.filter(reference__startswith=prefix).values_list("reference", flat=True),
            *Entry.history.filter(reference__startswith=prefix).values_list("reference", flat=True).distinct(),
        }
        numbers = [int(ref.rsplit("-", 1)[1]) for ref in taken if ref.rsplit("-", 1)[1].isdigit()]
        return f"{meeting.code}-{max(numbers, default=0) + 1:03d}"


class EntryCountry(ChoiceLabels, models.Model):
    """A country an entry is about, with the part it plays there."""

    Role = CountryRole

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="country_tags", verbose_name=_("entrée"))
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="entry_tags", verbose_name=pgettext_lazy("un seul pays", "pays")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role, default=Role.MENTIONED)

    objects = EntryCountryQuerySet.as_manager()

    history = HistoricalRecords(
        verbose_name=_("version de pays d'entrée"), verbose_name_plural=_("journal · pays des entrées")
    )

    class Meta:
        ordering = ["entry", ROLE_RANK, "country__name_fr"]
        verbose_name = _("pays de l'entrée")
        verbose_name_plural = _("pays des entrées")
        constraints = [models.UniqueConstraint(fields=["entry", "country"], name="entry_country_unique")]
        indexes = [models.Index(fields=["country", "role"])]

    def __str__(self):
        return f"{self.country} ({self.get_role_display()})"


versions.connect_country_tags(EntryCountry)
versions.connect_vocabulary(Theme, Organisation)


class Speaker(TranslatedMixin, models.Model):
    """A person who spoke at a meeting, as the document names them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("réunion"))
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="speakers", verbose_name=_("session")
    )
    order = models.PositiveIntegerField(_("ordre"))
    honorific = models.CharField(_("civilité"), max_length=20, blank=True)
    name = models.CharField(_("nom"), max_length=200)
    position = models.CharField(_("fonction"), max_length=300, blank=True)
    institution = models.CharField(_("institution"), max_length=300, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="speakers", verbose_name=_("pays")
    )
    role = models.CharField(_("rôle à la réunion"), max_length=200, blank=True)
    honorific_en = models.CharField(_("civilité (anglais)"), max_length=20, blank=True)
    position_en = models.CharField(_("fonction (anglais)"), max_length=300, blank=True)
    institution_en = models.CharField(_("institution (anglais)"), max_length=300, blank=True)
    role_en = models.CharField(_("rôle à la réunion (anglais)"), max_length=200, blank=True)
    translation_status = status_field()

    translated_fields = ("position", "institution", "role", "honorific")
    history = HistoricalRecords(
        verbose_name=_("version d'intervenant"), verbose_name_plural=_("journal · intervenants")
    )

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("intervenant")
        verbose_name_plural = _("intervenants")
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="speaker_order_unique_in_meeting")]

    def __str__(self):
        return " ".join(part for part in [self.honorific, self.name] if part)


class ContentVersion(models.Model):
    """A counter the database bumps on every write to the content tables: the validator of public pages' caches.

    Database triggers (installed by `outcomes.caching.install_version_triggers` after each migrate) bump it, so
    bulk updates, imports and raw SQL count as changes too, not only saves that send signals.
    """

    version = models.BigIntegerField(default=0)
    # Random on every bump: a rolled-back transaction or a restored backup can repeat a version number, not both.
    token = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("version du contenu")
        verbose_name_plural = _("versions du contenu")

    def __str__(self):
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})" if self.changed_at else str(self.version)


from .ingest.models import DocumentDraft  # noqa: E402, F401  (its own module; Django finds models here)

# Links, follow-up and frameworks live in their own module; imported here so Django finds them with the app's models.
from .models_followup import EntryFrameworkItem, EntryLink, FollowUp, Framework, FrameworkItem  # noqa: E402, F401

# The vocabulary of the corpus for search (outcomes/search/), in its own module like the others.
from .models_search import SearchWord  # noqa: E402, F401
