"""What connects outcomes: links between entries, the follow-up of recommendations, and the frameworks they serve.

Imported at the end of outcomes/models.py, so these are models of the `outcomes` app like the others.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .models import Country, Entry, LocalisedNameMixin, Status
from .querysets import EntryQuerySet


def reference_of(obj, field):
    """The reference of the entry `obj.<field>`, or its id once deleted (a past version in the history log)."""
    try:
        return getattr(obj, field).reference
    except Entry.DoesNotExist:
        return f"#{getattr(obj, f'{field}_id')}"


class Framework(LocalisedNameMixin, models.Model):
    """A plan or compact the Dialogue works under (the Marrakech Action Plan, the Global Compact for Migration…)."""

    slug = models.SlugField(unique=True)
    code = models.CharField(
        _("code"), max_length=12, unique=True, help_text=_("Préfixe des codes de ses éléments (par ex. PAM, PMM).")
    )
    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200)
    url = models.URLField(_("adresse du document officiel"), blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    history = HistoricalRecords(verbose_name=_("version de cadre"), verbose_name_plural=_("journal · cadres"))

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:framework-detail", args=[self.slug])


class FrameworkItem(LocalisedNameMixin, models.Model):
    """A domain, pillar or objective of a framework, which entries are tagged with."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items", verbose_name=_("cadre"))
    code = models.CharField(_("code"), max_length=12, help_text=_("Numéro dans le cadre (par ex. 4 ou 11)."))
    order = models.PositiveIntegerField(_("ordre"), default=0)
    name_fr = models.CharField(_("nom (français)"), max_length=300)
    name_en = models.CharField(_("nom (anglais)"), max_length=300)
    entries = models.ManyToManyField(
        Entry, through="EntryFrameworkItem", blank=True, related_name="framework_items", verbose_name=_("entrées")
    )

    history = HistoricalRecords(
        verbose_name=_("version d'élément de cadre"), verbose_name_plural=_("journal · éléments de cadre")
    )

    class Meta:
        ordering = ["framework__order", "framework__code", "order", "code"]
        verbose_name = _("élément de cadre")
        verbose_name_plural = _("éléments de cadre")
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="framework_item_code_unique")]

    def __str__(self):
        return f"{self.reference} — {self.name}"

    def get_absolute_url(self):
        return reverse("outcomes:framework-item-detail", args=[self.framework.slug, self.code])

    @property
    def reference(self):
        """The code that names the item anywhere: its framework's code and its own (PAM-4, PMM-11)."""
        return f"{self.framework.code}-{self.code}"


class EntryFrameworkItem(models.Model):
    """An entry tagged with a framework item; its own table so that history records each tag."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="framework_tags")
    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="entry_tags")

    history = HistoricalRecords(
        verbose_name=_("version de cadre d'entrée"), verbose_name_plural=_("journal · cadres des entrées")
    )

    class Meta:
        ordering = ["entry", "item"]
        verbose_name = _("élément de cadre de l'entrée")
        verbose_name_plural = _("éléments de cadre des entrées")
        constraints = [models.UniqueConstraint(fields=["entry", "item"], name="entry_framework_item_unique")]

    def __str__(self):
        try:
            item = self.item.reference
        except FrameworkItem.DoesNotExist:  # a past version, in the history log
            item = f"#{self.item_id}"
        return f"{reference_of(self, 'entry')} · {item}"


# Links between entries -----------------------------------------------------------------------------------------------


def meeting_is_earlier(earlier, later):
    """True or False when the two meetings' order is known (dates, or the chain of previous meetings), else None."""
    if earlier.pk == later.pk:
        return False
    if earlier.start_date and later.start_date and earlier.start_date != later.start_date:
        return earlier.start_date < later.start_date
    seen, meeting = set(), later
    while meeting.previous_meeting_id and meeting.previous_meeting_id not in seen:
        seen.add(meeting.previous_meeting_id)
        if meeting.previous_meeting_id == earlier.pk:
            return True
        meeting = meeting.previous_meeting
    return None


class LinkKind(models.TextChoices):
    ADDRESSES = "addresses", _("répond au défi")
    IMPLEMENTS = "implements", _("met en œuvre")
    FOLLOWS_UP = "follows_up", _("fait suite à")
    SEE_ALSO = "see_also", _("voir aussi")


class EntryLink(models.Model):
    """A typed link from one entry to another, possibly of another meeting; pages show it from both ends."""

    Kind = LinkKind

    # How the other end reads the link.
    INVERSE = {
        Kind.ADDRESSES: ("addressed_by", _("défi traité par")),
        Kind.IMPLEMENTS: ("implemented_by", _("mise en œuvre par")),
        Kind.FOLLOWS_UP: ("followed_up_by", _("suivi par")),
        Kind.SEE_ALSO: ("see_also", _("voir aussi")),
    }
    # The kinds of entry each end may be, when the link type restricts them (None: any kind).
    ALLOWED = {
        Kind.ADDRESSES: ({Entry.Kind.RECOMMENDATION, Entry.Kind.GOOD_PRACTICE}, {Entry.Kind.CHALLENGE}),
        Kind.IMPLEMENTS: ({Entry.Kind.GOOD_PRACTICE, Entry.Kind.RESULT}, {Entry.Kind.RECOMMENDATION}),
        Kind.FOLLOWS_UP: (None, None),
        Kind.SEE_ALSO: (None, None),
    }

    from_entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="links_out", verbose_name=_("de l'entrée")
    )
    to_entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="links_in", verbose_name=_("vers l'entrée")
    )
    kind = models.CharField(_("type de lien"), max_length=20, choices=Kind)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("version de lien"), verbose_name_plural=_("journal · liens"))

    class Meta:
        ordering = ["from_entry", "kind", "to_entry"]
        verbose_name = _("lien entre entrées")
        verbose_name_plural = _("liens entre entrées")
        constraints = [
            models.UniqueConstraint(
                fields=["from_entry", "to_entry", "kind"],
                name="entry_link_unique",
                violation_error_message=_(
                    "Ce lien existe déjà : même entrée de départ, même entrée d'arrivée, même type."
                ),
            ),
            models.CheckConstraint(condition=~Q(from_entry=F("to_entry")), name="entry_link_not_to_itself"),
            models.CheckConstraint(condition=Q(kind__in=LinkKind.values), name="entry_link_kind_known"),
        ]
        indexes = [models.Index(fields=["to_entry", "kind"])]

    def __str__(self):
        return f"{reference_of(self, 'from_entry')} {self.get_kind_display()} {reference_of(self, 'to_entry')}"

    @property
    def inverse_code(self):
        return self.INVERSE[self.kind][0]

    @property
    def inverse_label(self):
        return self.INVERSE[self.kind][1]

    def clean(self):
        if not (self.from_entry_id and self.to_entry_id and self.kind in self.Kind.values):
            return  # the field errors say what is missing
        source, target = self.from_entry, self.to_entry
        if source.pk == target.pk:
            raise ValidationError({"to_entry": _("Une entrée ne peut pas être liée à elle-même.")})
        self.check_kinds(source, target)
        # The same link in the same direction is refused by the unique constraint; "see also" reads both ways.
        reverse = Q(from_entry=target, to_entry=source, kind=self.kind)
        if self.kind == self.Kind.SEE_ALSO and EntryLink.objects.exclude(pk=self.pk).filter(reverse).exists():
            raise ValidationError(
                _("Ce lien existe déjà : %(source)s %(kind)s %(target)s.")
                % {"source": target.reference, "kind": self.get_kind_display(), "target": source.reference}
            )
        if self.kind == self.Kind.FOLLOWS_UP:
            self.check_follow_up(source, target)

    def check_kinds(self, source, target):
        sources, targets = self.ALLOWED[self.kind]
        values = {"kind": self.get_kind_display()}
        if sources is not None and source.kind not in sources:
            message = _(
                "Un lien « %(kind)s » ne peut pas partir d'une entrée de type « %(entry_kind)s » ; "
                "types admis : %(allowed)s."
            )
            raise ValidationError({"from_entry": message % {**values, **kinds_of(source, sources)}})
        if targets is not None and target.kind not in targets:
            message = _(
                "Un lien « %(kind)s » ne peut pas aboutir à une entrée de type « %(entry_kind)s » ; "
                "types admis : %(allowed)s."
            )
            raise ValidationError({"to_entry": message % {**values, **kinds_of(target, targets)}})

    def check_follow_up(self, source, target):
        """A follow-up comes from a later meeting than what it follows up, and never closes a cycle."""
        earlier = meeting_is_earlier(target.meeting, source.meeting)
        if earlier is False:
            raise ValidationError(
                {
                    "to_entry": _(
                        "%(target)s n'appartient pas à une réunion antérieure à celle de %(source)s : une suite "
                        "vient d'une réunion plus récente que ce qu'elle suit."
                    )
                    % {"target": target.reference, "source": source.reference}
                }
            )
        if earlier is None:
            raise ValidationError(
                {
                    "to_entry": _(
                        "Impossible de dire si la réunion de %(target)s précède celle de %(source)s : datez les deux "
                        "réunions ou indiquez la réunion précédente."
                    )
                    % {"target": target.reference, "source": source.reference}
                }
            )
        if follows_up_path(target.pk, source.pk):
            raise ValidationError(
                {
                    "to_entry": _("Ce lien fermerait un cycle de suites : %(target)s fait déjà suite à %(source)s.")
                    % {"target": target.reference, "source": source.reference}
                }
            )


def kinds_of(entry, allowed):
    return {
        "entry_kind": entry.get_kind_display(),
        "allowed": ", ".join(str(Entry.Kind(kind).label) for kind in sorted(allowed)),
    }


def follows_up_path(start, goal):
    """Whether entry `start` follows up entry `goal`, directly or through other follow-ups (one query per step)."""
    seen, frontier = {start}, {start}
    while frontier:
        frontier = set(
            EntryLink.objects.filter(kind=EntryLink.Kind.FOLLOWS_UP, from_entry__in=frontier).values_list(
                "to_entry_id", flat=True
            )
        )
        if goal in frontier:
            return True
        frontier -= seen
        seen |= frontier
    return False


# Follow-up of recommendations ----------------------------------------------------------------------------------------


class FollowUpQuerySet(models.QuerySet):
    def published(self):
        """Published records of published recommendations."""
        return self.filter(Q(status=Status.PUBLISHED) & EntryQuerySet.published_condition("recommendation"))

    def current(self):
        """The latest record of each recommendation in each country (by date, then the last entered)."""
        newer = self.filter(recommendation=OuterRef("recommendation"), country=OuterRef("country")).filter(
            Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk"))
        )
        return self.filter(~Exists(newer))


class Progress(models.TextChoices):
    """Where the implementation of a recommendation stands, in the terms follow-up databases use."""

    NOT_STARTED = "not_started", _("Pas commencée")
    IN_PROGRESS = "in_progress", _("En cours")
    IMPLEMENTED = "implemented", _("Mise en œuvre")
    ONGOING = "ongoing", _("En continu")
    NO_INFORMATION = "no_information", _("Pas d'information")


class FollowUp(models.Model):
    """What happened to a recommendation in a country, on a date, and where that is recorded."""

    Progress = Progress

    recommendation = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("recommandation"),
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("pays"))
    progress = models.CharField(_("état d'avancement"), max_length=20, choices=Progress)
    date = models.DateField(_("date"), help_text=_("Date à laquelle cet état est constaté."))
    evidence = models.TextField(_("constat"), help_text=_("Ce qui a été fait, en quelques phrases."))
    source_entry = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidenced_follow_ups",
        verbose_name=_("source : entrée d'une réunion ultérieure"),
    )
    source_title = models.CharField(_("source : titre du document"), max_length=300, blank=True)
    source_url = models.URLField(_("source : adresse du document"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("version de suivi"), verbose_name_plural=_("journal · suivis"), excluded_fields=["updated_at"]
    )

    class Meta:
        ordering = ["recommendation", "country__name_fr", "-date", "-pk"]
        verbose_name = _("suivi de recommandation")
        verbose_name_plural = _("suivis de recommandations")
        constraints = [
            models.CheckConstraint(condition=Q(progress__in=Progress.values), name="follow_up_progress_known"),
        ]
        indexes = [models.Index(fields=["country", "recommendation", "date"])]

    def __str__(self):
        recommendation = reference_of(self, "recommendation")
        return f"{recommendation} · {self.country_id} · {self.get_progress_display()} ({self.date})"

    def clean(self):
        errors = {}
        if self.recommendation_id and self.recommendation.kind != Entry.Kind.RECOMMENDATION:
            errors["recommendation"] = _(
                "Seule une recommandation a un suivi ; %(reference)s est de type « %(kind)s »."
            ) % {"reference": self.recommendation.reference, "kind": self.recommendation.get_kind_display()}
        if not self.source_entry_id and not self.source_url:
            errors["source_url"] = _(
                "Indiquez la source : une entrée d'une réunion ultérieure ou l'adresse d'un document."
            )
        if self.source_entry_id and self.recommendation_id and "recommendation" not in errors:
            later = meeting_is_earlier(self.recommendation.meeting, self.source_entry.meeting)
            if later is not True:
                errors["source_entry"] = (
                    _("La source %(source)s ne vient pas d'une réunion ultérieure à celle de la recommandation.")
                    if later is False
                    else _(
                        "Impossible de dire si la réunion de %(source)s suit celle de la recommandation : datez les "
                        "deux réunions ou indiquez la réunion précédente."
                    )
                ) % {"source": self.source_entry.reference}
        if errors:
            raise ValidationError(errors)
