"""A country's, theme's or organisation's page counts and ranks on the tag table on PostgreSQL
(outcomes/tag_counts.py): the same kinds, counts, first entries, partners and follow-up counts as counted on the join
tables, whichever way each kind is read (down the order index or from the GIN index, then sorted)."""

import pytest
from django.db import connection

from bench.synthetic import Generator
from outcomes import followup, queries, tag_counts
from outcomes.listing import OrderedIds
from outcomes.models import Country, Entry, Organisation, Theme
from outcomes.models_followup import FollowUp

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the tag table is PostgreSQL's")


@pytest.fixture
def synthetic(db):
    Generator(240, meetings=5, seed=3).run()


def pages():
    for country in Country.objects.filter(entry_tags__isnull=False).distinct():
        yield f"c:{country.pk}", Entry.objects.published().filter(country_tags__country=country), country
    for theme in Theme.objects.filter(entries__isnull=False).distinct():
        yield f"t:{theme.pk}", Entry.objects.published().filter(themes=theme), None
    for organisation in Organisation.objects.filter(entries__isnull=False).distinct():
        yield f"o:{organisation.pk}", Entry.objects.published().filter(organisations=organisation), None


def shown(groups):
    return [(kind, [entry.pk for entry in entries], count) for kind, _label, entries, count in groups]


@pytest.mark.parametrize("way", ["order-index", "gin-then-sort"])
def test_a_tag_page_shows_the_same_first_entries_and_counts_as_the_join_tables(synthetic, monkeypatch, way):
    if way == "order-index":  # every kind read one way, whatever its counts
        monkeypatch.setattr(tag_counts, "SORTED_ORDER", tag_counts.DOCUMENT_ORDER)
    else:
        monkeypatch.setattr(tag_counts, "DOCUMENT_ORDER", tag_counts.SORTED_ORDER)
    for tag, entries, country in pages():
        from_tags = queries.first_of_each_kind(entries, f"tags:{tag}:{way[:5]}", tag=tag)
        from_joins = queries.first_of_each_kind(entries, f"joins:{tag}:{way[:5]}")
        assert shown(from_tags) == shown(from_joins), tag
        partners = queries.countries_sharing_entries(entries, exclude=country, tag=tag)
        expected = queries.countries_sharing_entries(entries, exclude=country)
        assert [(c.pk, c.n_shared) for c in partners] == [(c.pk, c.n_shared) for c in expected], tag


def test_follow_up_counts_on_the_tag_table_equal_those_on_the_join_tables(synthetic):
    followed = set(FollowUp.objects.published().values_list("recommendation_id", flat=True))
    for tag, entries, _country in pages():
        recommendations = entries.filter(kind=Entry.Kind.RECOMMENDATION)
        expected = len(set(recommendations.values_list("pk", flat=True)) - followed)
        published = FollowUp.objects.published().values("recommendation_id")
        assert followup.not_followed(recommendations, published, tag) == expected, tag


def test_a_short_list_is_sorted_from_the_gin_index_in_the_same_order(synthetic):
    for tag, _entries, _country in pages():
        ordered = OrderedIds("f.tags && %s::text[]", [[tag]], "document")
        walked = ordered.ids(0, 25)
        ordered.count_hint = lambda: 1  # fewer than OrderedIds.FEW: sorted instead of walked
        assert ordered.ids(0, 25) == walked, tag
