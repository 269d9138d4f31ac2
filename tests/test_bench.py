"""The load test's mix of paths: read from the database, every one a page that answers 200; the synthetic corpus
(bench/synthetic.py) indexed as `Entry.save()` would index it."""

import contextlib
import io
import runpy
from pathlib import Path

import pytest

from bench import synthetic
from bench.synthetic import Generator
from outcomes.models import Entry
from outcomes.models_search import INDEX_FIELDS, SearchWord
from outcomes.search.index import fill_index_fields
from outcomes.search.vocabulary import entry_words

URLS_SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "urls.py"


def load_mix():
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        runpy.run_path(str(URLS_SCRIPT), run_name="__main__")
    return output.getvalue().split()


@pytest.mark.django_db
def test_every_path_of_the_load_mix_answers_200(client, make_entry, make_theme):
    make_entry(countries=["SN", "ES"], themes=[make_theme()])
    make_entry(countries=["ML"], themes=[make_theme()])
    paths = load_mix()
    assert "/" in paths
    assert any(path.startswith("/entries/") for path in paths)
    assert any(path.startswith("/countries/SN/") for path in paths)
    assert any(path.startswith("/entries/?q=") for path in paths)
    assert any(path.startswith("/entries/?country=SN&theme=") for path in paths)
    assert all(path.isascii() and " " not in path for path in paths), "wrk sends the paths as they are"
    for path in set(paths):
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_the_load_mix_refuses_an_empty_database():
    with pytest.raises(SystemExit, match="no published entry"):
        load_mix()


@pytest.mark.django_db
def test_generated_entries_are_indexed_as_saving_them_would_index_them():
    Generator(300, meetings=3, seed=5).run()

    entries = Entry.objects.select_related("session__parent__parent")
    assert entries.filter(session__parent__isnull=False).exists(), "headings on two levels"
    vocabulary = set(SearchWord.objects.values_list("lang", "folded", "stem"))
    for entry in entries:
        stored = [getattr(entry, name) for name in INDEX_FIELDS]
        fill_index_fields(entry)
        assert stored == [getattr(entry, name) for name in INDEX_FIELDS], entry.reference
        assert set(entry_words(entry)) <= vocabulary, entry.reference


@pytest.mark.django_db
def test_the_same_seed_generates_the_same_corpus():
    def corpus():
        entries = Entry.objects.order_by("reference")
        countries = entries.order_by("reference", "country_tags__country")
        themes = entries.order_by("reference", "themes__slug")
        return (
            list(entries.values_list("reference", "session__slug", "kind", "order", "title", "text", "status")),
            list(countries.values_list("reference", "country_tags__country", "country_tags__role")),
            list(themes.values_list("reference", "themes__slug")),
        )

    Generator(200, meetings=2, seed=7).run()
    first = corpus()
    synthetic.remove()
    Generator(200, meetings=2, seed=7).run()

    assert corpus() == first
