"""Queries that name something rather than describe it: a reference code (GF-052) goes to its entry; a country
(French or English name, accents or not, or ISO code), a theme or an organisation also finds its tagged entries."""

import re
from dataclasses import dataclass

from ..caching import memoized_by_version
from ..vocabulary import LocalisedNameMixin
from . import analyser

REFERENCE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{0,14})-(\d{1,5})\s*$")


def reference_in(q):
    """The reference a query is, in its canonical case ("gf-052" → "GF-052"), or None."""
    match = REFERENCE.match(q or "")
    return f"{match.group(1).upper()}-{match.group(2)}" if match else None


@dataclass(frozen=True)
class Tag(LocalisedNameMixin):
    kind: str  # "country", "theme" or "organisation"
    key: str  # the country's code, the theme's or organisation's id
    name_fr: str
    name_en: str

    @property
    def facet_tag(self):
        """The tag as outcomes_entry_facets writes it (`c:SN`, `t:3`, `o:7`)."""
        return f"{self.kind[0]}:{self.key}"


def _folded(text):
    return " ".join(analyser.fold(word) for word, _s, _e in analyser.words(text or ""))


def _names():
    """{folded name: [Tag]} for every country, theme and organisation, read in one query (cached until the content
    changes)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast

    from ..models import Country, Organisation, Theme

    def rows(model, kind, key, *labels):
        columns = {"tag_kind": Value(kind, CharField()), "tag_key": Cast(key, CharField())}
        columns |= {f"label{i}": Cast(label, CharField()) for i, label in enumerate(labels)}
        return model.objects.order_by().annotate(**columns).values_list(*columns)

    countries = rows(Country, "country", "code", "name_fr", "name_en", "code")
    themes = rows(Theme, "theme", "pk", "name_fr", "name_en", Value(""))
    organisations = rows(Organisation, "organisation", "pk", "acronym", "name", "name_en")
    names = {}
    for kind, key, *labels in countries.union(themes, organisations, all=True):
        if kind == "organisation":
            acronym, name, name_en = labels
            tag = Tag(kind, key, acronym or name, acronym or name_en or name)
        else:
            tag = Tag(kind, key, labels[0], labels[1])
        for folded in {_folded(label) for label in labels if label}:
            if folded and tag not in names.setdefault(folded, []):
                names[folded].append(tag)
    return names


def tags_named(q):
    """The tags whose name (or code, or acronym) is the whole query, accents and case aside."""
    folded = _folded(q)
    if not folded or len(folded) < 2:
        return []
    return memoized_by_version("search-names", _names).get(folded, [])


def tagged_entries_condition(tags):
    """A Q on Entry: tagged with one of `tags`."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    by_kind = {}
    for tag in tags:
        by_kind.setdefault(tag.kind, []).append(tag.key)
    if "country" in by_kind:
        condition |= Q(pk__in=_through("country_tags", "country_id", by_kind["country"]))
    if "theme" in by_kind:
        condition |= Q(pk__in=_through("themes", "theme_id", by_kind["theme"]))
    if "organisation" in by_kind:
        condition |= Q(pk__in=_through("organisations", "organisation_id", by_kind["organisation"]))
    return condition


def _through(relation, column, keys):
    from ..models import Entry, EntryCountry

    model = EntryCountry if relation == "country_tags" else getattr(Entry, relation).through
    return model.objects.filter(**{f"{column}__in": keys}).values("entry_id")
