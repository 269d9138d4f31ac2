"""Downloads of an explorer view a ministry can open: CSV and XLSX with labels in the reader's language.

Both read the same rows, one chunk of entries at a time (values only, tags in three queries per chunk), so memory
stays flat however many entries a view holds. The CSV follows the reader's spreadsheet: French-locale Excel reads
`;` and needs the UTF-8 byte order mark to show accents, so the French interface writes `;`, the English one `,`,
both with the mark. `codes=1` gives machines the codes (`good_practice`, `SN:implementing`, `joint-patrols`)
instead of labels. A column that would be empty for every entry of the view (titles, sub-points) is left out.
"""

import csv
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import followup
from .listing import heading_of
from .models import Entry, EntryCountry, Organisation, Theme
from .scope import Region, Scope
from .translation import TRANSLATED, reader_language

EXPORT_CHUNK = 2000  # entries per query (plus one query per tag kind): a bounded memory, few round trips
ROW_FIELDS = ["pk", "reference", "kind", "meeting__title", "order", "title", "text", "sub_points", "source_line"]
ROW_FIELDS += ["updated_at", "session_id", "session__title", "session__parent__title", "session__parent__parent__title"]
ROW_FIELDS += ["session__parent__parent__parent_id", "scope", "region"]
# The English edition, read for exports in English: the English where an item has it, the French apart.
ENGLISH_FIELDS = ["title_en", "text_en", "sub_points_en", "translation_status", "meeting__title_en"]
ENGLISH_FIELDS += ["meeting__translation_status"]


@dataclass
class Column:
    code: str  # the header with `codes=1`, and the key of the row
    label: str  # the header a reader sees
    width: int = 18  # in the spreadsheet, in characters
    optional: bool = False  # left out when every row of the view has it empty


def columns():
    """Every column, in order, with its header in the active language."""
    return [
        Column("reference", _("Référence"), 10),
        Column("kind", _("Type"), 18),
        Column("meeting", _("Réunion"), 40),
        Column("session", _("Rubrique"), 40),
        Column("order", _("Position dans la rubrique"), 8),
        Column("title", _("Titre"), 30, optional=True),
        Column("text", _("Texte"), 80),
        Column("sub_points", _("Sous-points"), 60, optional=True),
        *(english_columns() if reader_language() == "en" else []),
        Column("implementing", _("Pays qui mettent en œuvre"), 24),
        Column("partner", _("Pays partenaires"), 24),
        Column("mentioned", _("Pays mentionnés"), 24),
        Column("addressed_to", _("Adressée à"), 24, optional=True),
        Column("themes", _("Thèmes"), 36),
        Column("organisations", _("Organisations"), 24),
        Column("links", _("Liens vers d'autres entrées"), 30),
        Column("framework_items", _("Cadres de référence"), 24),
        Column("url", _("Adresse"), 40),
        Column("source_line", _("Ligne du texte source"), 8),
        Column("updated_at", _("Modifiée le"), 20),
    ]


def english_columns():
    return [
        Column("language", _("Langue du texte"), 8),
        Column("translation_status", _("Statut de la traduction"), 14),
        Column("title_fr", _("Titre (original français)"), 30, optional=True),
        Column("text_fr", _("Texte (original français)"), 80),
        Column("sub_points_fr", _("Sous-points (original français)"), 60, optional=True),
    ]


def columns_for(entries):
    """The columns of a view: optional ones only when some entry fills them (one query)."""
    present = entries.order_by().aggregate(
        title=Count("pk", filter=~Q(title="")),
        sub_points=Count("pk", filter=~Q(sub_points=[])),
        addressed_to=Count("pk", filter=~Q(scope=Scope.COUNTRIES)),
    )
    present |= {"title_fr": present["title"], "sub_points_fr": present["sub_points"]}
    return [column for column in columns() if not column.optional or present[column.code]]


def text_without_sub_points(text, sub_points):
    """The entry's own words with its numbered sub-points taken out (they have their own column)."""
    entry = Entry(text=text, sub_points=sub_points)
    closing = entry.closing if any(char.isalnum() for char in entry.closing) else ""
    return " ".join(part for part in (entry.lead_in, closing) if part)


def numbered(sub_points):
    return "\n".join(f"{number}) {point}" for number, point in enumerate(sub_points, start=1))


class Rows:
    """The rows of an export, as dicts keyed by column code, chunk by chunk."""

    def __init__(self, entries, entry_url, codes=False):
        self.entries, self.entry_url, self.codes = entries, entry_url, codes
        self.english = reader_language() == "en"
        self.name = "name_en" if (get_language() or "fr").startswith("en") else "name_fr"
        self.kind_labels = dict(Entry.Kind.choices)
        self.headings = {}

    def __iter__(self):
        fields = [*ROW_FIELDS, *ENGLISH_FIELDS] if self.english else ROW_FIELDS
        rows = self.entries.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK)
        while chunk := list(itertools.islice(rows, EXPORT_CHUNK)):
            block = [self.row(values, tags) for values, tags in self.with_tags(chunk)]
            connections = followup.connections_as_text([row["reference"] for row in block])
            for row in block:
                row["links"], row["framework_items"] = connections[row["reference"]]
            yield block

    def with_tags(self, chunk):
        ids = [values[0] for values in chunk]
        tags = defaultdict(lambda: defaultdict(list))
        country_tags = EntryCountry.objects.filter(entry_id__in=ids).in_role_order()
        for entry_id, code, role, name in country_tags.values_list(
            "entry_id", "country_id", "role", f"country__{self.name}"
        ):
            tags[entry_id][role].append(f"{code}:{role}" if self.codes else name)
        themes = Entry.themes.through.objects.filter(entry_id__in=ids).order_by(
            *[f"theme__{f}" for f in Theme._meta.ordering]
        )
        for entry_id, slug, name in themes.values_list("entry_id", "theme__slug", f"theme__{self.name}"):
            tags[entry_id]["themes"].append(slug if self.codes else name)
        organisations = Entry.organisations.through.objects.filter(entry_id__in=ids)
        organisations = organisations.order_by(*[f"organisation__{f}" for f in Organisation._meta.ordering])
        for entry_id, slug, acronym, name in organisations.values_list(
            "entry_id", "organisation__slug", "organisation__acronym", "organisation__name"
        ):
            tags[entry_id]["organisations"].append(slug if self.codes else acronym or name)
        for values in chunk:
            yield values, tags[values[0]]

    def addressed_to(self, scope, region):
        """All partners or a region; empty for an entry addressed to the countries it names (their columns say)."""
        if scope == Scope.COUNTRIES:
            return ""
        if self.codes:
            return f"{scope}:{region}" if region else scope
        return str(Region(region).label if region else Scope(scope).label)

    def row(self, values, tags):
        english = dict(zip(ENGLISH_FIELDS, values[len(ROW_FIELDS) :], strict=False))
        values = values[: len(ROW_FIELDS)]
        pk, reference, kind, meeting, order, title, text, sub_points, source_line, updated_at, *session = values
        *session, scope, region = session
        join = "; ".join
        french = {}
        if english:
            translated = english["translation_status"] in TRANSLATED
            french = {
                "language": "en" if translated else "fr",
                "translation_status": english["translation_status"],
                "title_fr": title,
                "text_fr": text_without_sub_points(text, sub_points),
                "sub_points_fr": numbered(sub_points),
            }
            if translated:
                title, text, sub_points = english["title_en"], english["text_en"], english["sub_points_en"]
            if english["meeting__translation_status"] in TRANSLATED:
                meeting = english["meeting__title_en"]
        return {
            **french,
            "reference": reference,
            "kind": kind if self.codes else str(self.kind_labels[kind]),
            "meeting": meeting,
            "session": heading_of(self.headings, *session),
            "order": order,
            "title": title,
            "text": text_without_sub_points(text, sub_points),
            "sub_points": numbered(sub_points),
            "implementing": join(tags["implementing"]),
            "partner": join(tags["partner"]),
            "mentioned": join(tags["mentioned"]),
            "addressed_to": self.addressed_to(scope, region),
            "themes": join(tags["themes"]),
            "organisations": join(tags["organisations"]),
            "url": self.entry_url(reference),
            "source_line": source_line if source_line is not None else "",
            "updated_at": timezone.localtime(updated_at).strftime("%Y-%m-%d %H:%M"),
        }


def formula_safe(value):
    """A text cell a spreadsheet would run as a formula (=, +, @, -1…) gets a leading apostrophe; others unchanged."""
    if (
        isinstance(value, str)
        and value
        and (value[0] in "=+@\t\r" or (value[0] == "-" and value[1:2] not in {" ", ""}))
    ):
        return "'" + value
    return value


def csv_delimiter():
    return "," if (get_language() or "fr").startswith("en") else ";"


def csv_chunks(rows, chosen, codes=False):
    """The CSV text, one block per chunk of entries."""
    delimiter = csv_delimiter()
    header = io.StringIO()
    csv.writer(header, delimiter=delimiter).writerow([c.code if codes else c.label for c in chosen])
    yield "\ufeff" + header.getvalue()
    for chunk in rows:
        block = io.StringIO()
        writer = csv.writer(block, delimiter=delimiter)
        writer.writerows([formula_safe(row[c.code]) for c in chosen] for row in chunk)
        yield block.getvalue()


def file_name(filterset, extension):
    """What the file holds, in the reader's language: `rabat-kb_senegal_bonnes-pratiques_2026-12-02.xlsx`."""
    data, parts = filterset.data_cleaned, []

    def joined(name, names):
        """Several values in words, « senegal-et-espagne » or « senegal-ou-espagne », as the filter combines them."""
        word = _("et") if filterset.matches_all(name) else _("ou")
        return [f" {word} ".join(names)] if len(names) > 1 else names

    parts += joined("country", [country.name for country in data.get("country") or []])
    parts += [str(dict(Entry.Kind.choices)[kind]) for kind in data.get("kind") or []]
    parts += joined("theme", [theme.name for theme in data.get("theme") or []])
    parts += joined("organisation", [organisation.label for organisation in data.get("organisation") or []])
    if data.get("meeting"):
        parts.append(data["meeting"].code)
    if filterset.query:
        parts.append(filterset.query)
    words = [slugify(part) for part in parts if slugify(part)]
    stem = "_".join(["rabat-kb", *words])[:120].rstrip("-_")
    return f"{stem}_{timezone.localdate().isoformat()}.{extension}"
