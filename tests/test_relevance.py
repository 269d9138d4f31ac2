"""The relevance set (tests/data/relevance.yaml) on the real fixtures, on whichever database the suite runs: each
query's expected entries on the first page of the explorer (recall), and none of its `never` entries found
(precision). Every miss fails, with the whole report of the set."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import override

SET = yaml.safe_load((Path(__file__).parent / "data" / "relevance.yaml").read_text(encoding="utf-8"))
CASES = [(lang, case) for lang in ("fr", "en") for case in SET[lang]]


@pytest.fixture
def fixtures_loaded(db):
    call_command("load_fixtures", stdout=io.StringIO())


def first_page(client, lang, q):
    with override(lang):
        url = reverse("outcomes:entry-list")
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return [entry.reference for entry in response.context["entries"]]


def test_the_set_has_enough_queries_in_each_language():
    assert len(SET["fr"]) >= 25 and len(SET["en"]) >= 12


def test_every_query_finds_its_entries_on_the_first_page_and_never_the_wrong_ones(client, fixtures_loaded):
    misses, report = [], []
    for lang, case in CASES:
        found = first_page(client, lang, case["q"])
        missing = [ref for ref in case.get("first_page", []) if ref not in found]
        wrong = [ref for ref in case.get("never", []) if ref in found]
        report.append(f"{lang} {case['q']!r}: {len(found)} on page 1, missing {missing}, wrong {wrong}")
        if missing or wrong:
            misses.append(report[-1])
    print("\n".join(report))
    assert not misses, "\n".join(misses)


def test_the_explorer_pages_every_query_in_the_order_the_search_ranks(fixtures_loaded):
    """On PostgreSQL the explorer ranks the facet rows' copy of the search vectors (listing.OrderedIds): the same
    entries in the same order as the entries ranked by search.with_rank, for every query of the set."""
    from outcomes.filters import EntryFilter
    from outcomes.listing import paginate

    for lang, case in CASES:
        with override(lang):
            filterset = EntryFilter.published({"q": case["q"]})
            ranked = list(filterset.ordered(filterset.qs).values_list("pk", flat=True))
            page = paginate(filterset.ordered_for_pages(filterset.qs), 1, 100, total=len(ranked))
            assert page.object_list.pks == ranked[:100], (lang, case["q"])
