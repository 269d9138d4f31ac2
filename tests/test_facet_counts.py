"""Facet counts are exact: on random filter combinations, after random writes, each option's count equals a count
made by brute force over the published entries in Python (on PostgreSQL they come from the tag table the
triggers keep, on SQLite from the join tables). And a facet past its time budget says so instead of counting."""

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.synthetic import Generator
from outcomes import facet_counting, facet_tables, kept_searches, search
from outcomes.caching import forget_memos
from outcomes.filters import EntryFilter
from outcomes.listing import OrderedIds
from outcomes.models import Entry, EntryCountry, Meeting, Organisation, Status, Theme
from outcomes.scope import Region, Scope, regions_of
from outcomes.search import RANK_WEIGHTS

ROLES = EntryCountry.Role.values
REWORDINGS = ["La coopération aux frontières.", "Des migrants secourus.", "Un texte sans les mots cherchés."]
KINDS = Entry.Kind.values


@pytest.fixture
def synthetic(db):
    Generator(160, meetings=4, seed=7).run()
    kept_searches.keep_frequent_searches(min_entries=1)  # PostgreSQL: the questions' words read kept counts
    return {
        "countries": sorted(set(EntryCountry.objects.values_list("country_id", flat=True))),
        "themes": list(Theme.objects.values_list("slug", flat=True)),
        "organisations": list(Organisation.objects.values_list("slug", flat=True)),
        "meetings": list(Meeting.objects.values_list("slug", flat=True)),
        "entries": list(Entry.objects.values_list("pk", flat=True)),
    }


def questions():
    """A query string as a dict: up to two values of each multiple filter, maybe a role, a meeting, a word."""
    return st.fixed_dictionaries(
        {},
        optional={
            "kind": st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True),
            "country": st.lists(st.integers(0, 40), min_size=1, max_size=2, unique=True),
            "role": st.sampled_from(ROLES),
            "theme": st.lists(st.integers(0, 20), min_size=1, max_size=2, unique=True),
            "organisation": st.lists(st.integers(0, 20), min_size=1, max_size=2, unique=True),
            "meeting": st.integers(0, 10),
            "q": st.sampled_from(["frontières", "coopération", "migrants", "Maroc"]),
            "country_match": st.sampled_from(["any", "all"]),
            "theme_match": st.sampled_from(["any", "all"]),
            "organisation_match": st.sampled_from(["any", "all"]),
            "include_all_partners": st.sampled_from(["0", "1"]),
        },
    )


def writes():
    """Edits as the secretariat makes them: (what, which entry or meeting, which tag)."""
    what = st.sampled_from(
        ["unpublish", "publish", "add theme", "remove countries", "change role", "meeting", "all partners", "region"]
        + ["reword"]
    )
    return st.lists(st.tuples(what, st.integers(0, 10_000), st.integers(0, 100)), max_size=4)


def write(vocabulary, what, number, tag):
    entry = Entry.objects.get(pk=vocabulary["entries"][number % len(vocabulary["entries"])])
    if what in ("unpublish", "publish"):
        Entry.objects.filter(pk=entry.pk).update(status=Status.DRAFT if what == "unpublish" else Status.PUBLISHED)
    elif what == "add theme":
        entry.themes.add(Theme.objects.get(slug=vocabulary["themes"][tag % len(vocabulary["themes"])]))
    elif what == "remove countries":
        entry.country_tags.all().delete()
    elif what == "all partners":  # addressed to every partner, its country tags kept or not
        Entry.objects.filter(pk=entry.pk).update(scope=Scope.ALL_PARTNERS)
        if tag % 2:
            entry.country_tags.all().delete()
    elif what == "region":  # addressed to a region, which may or may not hold the countries it names
        Entry.objects.filter(pk=entry.pk).update(scope=Scope.REGION, region=Region.values[tag % len(Region.values)])
        if tag % 2:
            entry.country_tags.all().delete()
    elif what == "change role":
        EntryCountry.objects.filter(entry=entry).update(role=ROLES[tag % len(ROLES)])
    elif what == "reword":  # its text gains or loses the words searched (saved: the search index follows)
        entry.text = REWORDINGS[tag % len(REWORDINGS)]
        entry.save()
    else:
        meeting = Meeting.objects.get(pk=entry.meeting_id)
        meeting.status = Status.DRAFT if meeting.status == Status.PUBLISHED else Status.PUBLISHED
        meeting.save()


def concrete(vocabulary, question):
    """The question with indexes replaced by values of the corpus."""
    data = {}
    for name, value in question.items():
        pool = {"country": "countries", "theme": "themes", "organisation": "organisations", "meeting": "meetings"}
        if name in pool:
            values = vocabulary[pool[name]]
            size = len(values)
            data[name] = [values[i % size] for i in value] if isinstance(value, list) else values[value % size]
        else:
            data[name] = value
    return data


def published_entries():
    entries = {}
    for entry in Entry.objects.published().prefetch_related("country_tags", "themes", "organisations"):
        entries[entry.pk] = {
            "kind": entry.kind,
            "meeting": entry.meeting.slug,
            "countries": {tag.country_id: tag.role for tag in entry.country_tags.all()},
            "themes": {theme.slug for theme in entry.themes.all()},
            "organisations": {organisation.slug for organisation in entry.organisations.all()},
            "everyone": entry.scope == Scope.ALL_PARTNERS,
            "region": entry.region if entry.scope == Scope.REGION else None,
        }
    return entries


def combine(data, name):
    """`all` or `any`, as the question combines the values of a filter."""
    return all if data.get(f"{name}_match") == "all" else any


def includes_all_partners(data):
    return bool(data.get("country")) and data.get("include_all_partners") == "1"


def addressed(entry, code):
    """Whether the entry is addressed to the country by its scope: to all partners, or to a region holding it."""
    return entry["everyone"] or entry["region"] in regions_of(code)


def for_country(entry, code, data, role=None):
    """Whether the entry counts for the country: it names it (in the role, if any), or, with the option, it is
    addressed to it."""
    named = code in entry["countries"] and (not role or entry["countries"][code] == role)
    return named or includes_all_partners(data) and addressed(entry, code)


def country_check(entry, data, role_wanted=None):
    """Whether the entry meets the country condition (with `role_wanted` for the role, else the question's)."""
    countries, role = data.get("country"), role_wanted or data.get("role")
    if not countries:
        return role in entry["countries"].values()
    return combine(data, "country")(for_country(entry, code, data, role) for code in countries)


def passes(entry, pk, data, searched, ignoring):
    """Whether an entry meets every condition of `data` but those in `ignoring`."""
    role = data.get("role")
    checks = {
        "kind": lambda: entry["kind"] in data["kind"],
        "country": lambda: country_check(entry, data),
        "theme": lambda: combine(data, "theme")(slug in entry["themes"] for slug in data["theme"]),
        "organisation": lambda: combine(data, "organisation")(
            slug in entry["organisations"] for slug in data["organisation"]
        ),
        "meeting": lambda: entry["meeting"] == data["meeting"],
        "q": lambda: pk in searched,
    }
    present = {name for name in checks if data.get(name)} | ({"country"} if role else set())
    return all(checks[name]() for name in present - set(ignoring))


def brute_force(data, searched):
    entries = published_entries()
    countries, role = data.get("country") or [], data.get("role")

    def matching(*ignoring):
        return [(pk, e) for pk, e in entries.items() if passes(e, pk, data, searched, ignoring)]

    counts = {name: {} for name in ("kind", "country", "role", "theme", "organisation", "meeting")}

    def add(facet, key):
        counts[facet][key] = counts[facet].get(key, 0) + 1

    for _pk, entry in matching("kind"):
        add("kind", entry["kind"])
    # In all-mode a facet counts under its own condition too: what ticking one more value would give. A country is
    # listed when an entry names it (in the role) or it is chosen; an entry counts once for it, named or addressed.
    counted = matching() if combine(data, "country") is all else matching("country", "role")
    listed = {code for _pk, e in counted for code, r in e["countries"].items() if not role or r == role}
    for _pk, entry in counted:
        for code in listed | set(countries):
            if for_country(entry, code, data, role):
                add("country", code)
    per_role = countries and (combine(data, "country") is all or includes_all_partners(data))
    for _pk, entry in matching("country", "role"):
        if per_role:
            roles = {r for r in ROLES if country_check(entry, data, role_wanted=r)}
        else:
            roles = {r for code, r in entry["countries"].items() if not countries or code in countries}
        for its_role in roles:
            add("role", its_role)
    for facet in ("theme", "organisation"):
        for _pk, entry in matching(facet) if combine(data, facet) is any else matching():
            for slug in entry[facet + "s"]:
                add(facet, slug)
    # What the option adds: the entries addressed to one of the chosen countries (in all-mode, to each of them).
    counts["all_partners"] = sum(
        1
        for _pk, entry in matching("country", "role")
        if countries and combine(data, "country")(addressed(entry, code) for code in countries)
    )
    for _pk, entry in matching("meeting", "session"):
        add("meeting", entry["meeting"])
    return counts


def assert_exact(facet, others, expected, chosen):
    """Every option shown has the brute-force count; the options left out are counted in `others`, listed with
    their counts on the facet's own page (`others`), and have no more entries than those shown; chosen values are
    always shown."""
    shown = {option.value: option.count for option in facet}
    assert {value: expected.get(value, 0) for value in shown} == shown
    left_out = {value for value, n in expected.items() if n} - set(shown)
    assert facet.others == len(left_out)
    assert {option.value: option.count for option in others} == {value: expected[value] for value in left_out}
    assert set(chosen) <= set(shown)
    unchosen = [count for value, count in shown.items() if value not in chosen]
    if left_out and unchosen:
        assert min(unchosen) >= max(expected[value] for value in left_out)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=questions(), edits=writes())
def test_facet_counts_equal_a_brute_force_count_after_writes_too(synthetic, question, edits):
    with transaction.atomic():  # each example starts from the same corpus
        check_after_writes(synthetic, question, edits)
        transaction.set_rollback(True)


def check_after_writes(synthetic, question, edits):
    for what, number, tag in edits:
        write(synthetic, what, number, tag)
    published = list(Meeting.objects.published().values_list("slug", flat=True))  # the only meetings one can pick
    if not published:
        question = {name: value for name, value in question.items() if name != "meeting"}
    data = concrete({**synthetic, "meetings": published}, question)
    filterset = EntryFilter.published(data)
    assert filterset.is_valid(), filterset.errors
    searched = (
        set(filterset.queryset.filter(filterset.conditions()["q"].q).values_list("pk", flat=True))
        if data.get("q")
        else set()
    )
    expected = brute_force(data, searched)
    facets = filterset.facets()
    assert set(filterset.qs.values_list("pk", flat=True)) == {
        pk for pk, entry in published_entries().items() if passes(entry, pk, data, searched, ())
    }
    chosen = {
        "kind": data.get("kind", []),
        "country": data.get("country", []),
        "role": [data["role"]] if data.get("role") else [],
        "theme": data.get("theme", []),
        "organisation": data.get("organisation", []),
        "meeting": [data["meeting"]] if data.get("meeting") else [],
    }
    all_partners = expected.pop("all_partners")
    types = {facet.name: facet for facet in filterset.facet_types}
    for name, counts in expected.items():
        others = (
            types[name].other_options(facets[name].counts, filterset.data_cleaned)[0] if facets[name].others else []
        )
        assert_exact(facets[name], others, counts, chosen[name])
    assert facets["country"].all_partners == (all_partners if data.get("country") else None)


@pytest.mark.parametrize("mode", ["any", "all"])
@pytest.mark.parametrize("what", ["all partners", "region"])
def test_an_entry_addressed_to_a_country_it_also_names_counts_once_for_it(synthetic, what, mode):
    """What random questions seldom meet: with the option ticked, an entry that names countries and is addressed to
    all partners or to a region holding them."""
    entry = Entry.objects.published().filter(country_tags__country__code__in=["SN", "MA", "ES"]).first()
    codes = [code for code in entry.country_tags.values_list("country_id", flat=True) if regions_of(code)]
    region = regions_of(codes[0])[-1]
    tag = next(tag for tag in range(10) if Region.values[tag % len(Region.values)] == region and tag % 2 == 0)
    countries = [synthetic["countries"].index(code) for code in codes[:2]]
    question = {"country": countries, "country_match": mode, "include_all_partners": "1"}
    check_after_writes(synthetic, question, [(what, synthetic["entries"].index(entry.pk), tag)])


def test_a_facet_past_its_time_budget_says_so_instead_of_holding_the_worker(synthetic, client, settings):
    Generator(3000, meetings=10, seed=8).run()
    settings.FACET_TIME_LIMIT_MS = 1
    response = client.get("/entries/", {"q": "frontières coopération migrants OR sécurité OR pays"})
    assert response.status_code == 200
    facets = response.context["facets"]
    assert any(options.timed_out for options in facets.values())
    note = "Nombres non affichés : trop d&#x27;entrées correspondent ; affinez la recherche."
    assert note in response.content.decode()
    assert response.context["page_obj"].paginator.count > 0  # the entries are still listed

    settings.FACET_TIME_LIMIT_MS = 10_000
    facets = EntryFilter.published({"q": "frontières"}).facets()
    assert not any(options.timed_out for options in facets.values())
    assert facet_counting.time_limit_ms() == 10_000


def test_a_budget_running_out_after_the_last_count_keeps_every_count(synthetic, client):
    """Under load the timeout can cancel the statement that gives the request its own timeout back, once every
    pass is counted (seen in CI as a 500): the counts stand."""
    expected = EntryFilter.published({"q": "frontières"}).facets()

    def cancel_the_restore(execute, sql, params, many, context):
        if sql.startswith("SELECT set_config('statement_timeout'"):
            raise OperationalError("canceling statement due to statement timeout") from psycopg.errors.QueryCanceled()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cancel_the_restore):
        response = client.get("/entries/", {"q": "frontières"})
    assert response.status_code == 200
    facets = response.context["facets"]
    assert not any(options.timed_out for options in facets.values())
    assert {name: [(o.value, o.count) for o in options] for name, options in facets.items()} == {
        name: [(o.value, o.count) for o in options] for name, options in expected.items()
    }


def kept_counts():
    """(tag counts, pair counts, search counts) as the views give them: folded counts plus the changes not yet
    folded."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tag, n FROM {facet_tables.TAG_COUNTS} WHERE n <> 0")
        tags = dict(cursor.fetchall())
        cursor.execute(f"SELECT a, b, n FROM {facet_tables.TAG_PAIRS} WHERE n <> 0")
        pairs = {(a, b): n for a, b, n in cursor.fetchall()}
        cursor.execute(f"SELECT search, tag, n FROM {facet_tables.SEARCH_COUNTS} WHERE n <> 0")
        searches = {(search, tag): n for search, tag, n in cursor.fetchall()}
    return tags, pairs, searches


def recounted():
    """The same counts made again from the facet rows of the published entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, count(*) FROM {facet_tables.ENTRY_FACETS}, unnest(tags || '*'::text) AS tag GROUP BY tag"
        )
        tags = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT a, b, count(*) FROM {facet_tables.ENTRY_FACETS} f, unnest(f.tags) AS x(a), unnest(f.tags) AS y(b)"
            " WHERE left(a, 2) NOT IN ('s:', 'y:') AND left(b, 2) <> 's:' GROUP BY a, b"
        )
        pairs = {(a, b): n for a, b, n in cursor.fetchall()}
        cursor.execute(
            f"SELECT k.id, tag, count(*) FROM {facet_tables.KEPT_SEARCHES} k JOIN {facet_tables.ENTRY_FACETS} f "
            "ON f.search_vector @@ k.tsq OR f.tags && k.tags, unnest(f.tags || '*'::text) AS tag "
            "WHERE left(tag, 2) NOT IN ('s:', 'y:') GROUP BY 1, 2"
        )
        searches = {(search, tag): n for search, tag, n in cursor.fetchall()}
    return tags, pairs, searches


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept counts are PostgreSQL's")
def test_the_searches_for_frequent_words_read_kept_counts_and_others_count(synthetic):
    for word in ["frontières", "coopération", "migrants", "Maroc"]:
        assert kept_searches.counts(search.kept_key(word), ["k:", "c:"]) is not None, word
    assert kept_searches.counts(search.kept_key("frontières coopération"), ["k:"]) is None  # two words: counted
    assert search.kept_key("Maroc")[1] == ("c:MA",)  # a country's name also finds the entries tagged with it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept counts are PostgreSQL's")
def test_a_search_not_kept_asks_nothing_of_the_kept_tables_and_a_new_choice_is_read_at_once(synthetic):
    frequent, two_words = search.kept_key("coopération"), search.kept_key("frontières coopération")
    ranked = OrderedIds("true", [], "document").select(0, kept_searches.FIRST_IDS)
    assert kept_searches.counts(two_words, ["k:"]) is None
    with CaptureQueriesContext(connection) as asked:
        assert kept_searches.counts(two_words, ["k:"]) is None
        assert kept_searches.first_ids(two_words, ranked) is None
    assert all("outcomes_contentversion" in query["sql"] for query in asked.captured_queries)

    kept_searches.keep_frequent_searches(min_entries=10**6)  # none kept…
    forget_memos()  # (as a server started now)
    assert kept_searches.counts(frequent, ["k:"]) is None
    kept_searches.keep_frequent_searches(min_entries=1)  # …then kept again: read at once, not at the next write
    assert kept_searches.counts(frequent, ["k:"]) is not None
    assert kept_searches.first_ids(frequent, ranked) is not None


def first_ids_stored():
    """{(search, language): ids} of outcomes_search_firsts."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT search, lang, ids FROM {facet_tables.SEARCH_FIRSTS}")
        return {(search, lang): ids for search, lang, ids in cursor.fetchall()}


def first_ids_ranked():
    """The same first ids ranked again from the facet rows, as the explorer ranks a search."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, query, tags FROM {facet_tables.KEPT_SEARCHES}")
        kept = cursor.fetchall()
    ranked = {}
    for lang in ("fr", "en"):
        with translation.override(lang):
            for search_id, query, tags in kept:
                where = "(f.search_vector @@ to_tsquery('simple', %s) OR f.tags && %s::text[])"
                rank = ("ts_rank(%s::real[], f.search_vector, to_tsquery('simple', %s))", [RANK_WEIGHTS[lang], query])
                ordered = OrderedIds(where, [query, tags], "relevance", rank=rank)
                ranked[search_id, lang] = ordered.ids(0, kept_searches.FIRST_IDS)
    return ranked


def assert_first_ids_exact():
    """Every stored list of first ids is the ranking made again (a write removes those it may change)."""
    ranked = first_ids_ranked()
    stored = first_ids_stored()
    assert stored == {key: ranked[key] for key in stored}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the count tables are PostgreSQL's")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(writes(), st.booleans()), min_size=1, max_size=5))
def test_kept_counts_of_tags_and_pairs_stay_exact_through_writes_and_folds(synthetic, edits):
    """Writes append changes; a fold (every hundred statements, or at any time) sums them into the counts. After
    every write and every fold, each tag's, each pair's and each kept search's counts equal counts made again from
    the facet rows, and each kept search's first ids by relevance, when stored, equal a ranking made again."""
    with transaction.atomic():
        for batch, fold in edits:
            for what, number, tag in batch:
                write(synthetic, what, number, tag)
                assert kept_counts() == recounted()
                assert_first_ids_exact()
            if fold:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT outcomes_fold_facet_changes()")
                    cursor.execute("SELECT count(*) FROM outcomes_facet_pair_changes")
                    assert cursor.fetchone()[0] == 0
                assert kept_counts() == recounted()
                kept_searches.rank_kept_searches()  # those a write removed, ranked again
                assert_first_ids_exact()
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept first ids are PostgreSQL's")
def test_a_frequent_word_pages_from_its_kept_first_ids_as_from_a_ranking(synthetic, client):
    """The explorer's pages of a kept search by relevance are the same whether its first ids are stored, ranked
    again and stored by this reader, or beyond them; in French and in English."""
    Generator(300, meetings=3, seed=9).run()  # more than FIRST_IDS entries find the word
    kept_searches.keep_frequent_searches(min_entries=1)
    word = "coopération"
    key = search.kept_key(word)

    def ranking():
        return OrderedIds(*search.row_condition(word), "relevance", rank=search.row_rank(word))

    assert ranking().count() > kept_searches.FIRST_IDS + 25
    for lang in ("fr", "en"):
        with translation.override(lang):
            for size, page in [(25, 1), (10, 3), (100, 1), (25, 5)]:
                path = "/entries/" if lang == "fr" else "/en/entries/"
                shown = client.get(path, {"q": word, "page_size": size, "page": page})
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {facet_tables.SEARCH_FIRSTS}")
                expected = ranking().ids((page - 1) * size, page * size)
                assert [entry.pk for entry in shown.context["entries"]] == expected
                assert kept_searches.first_ids(key, ranking().select(0, 100)) == ranking().ids(0, 100)
                assert [stored for _search, stored in first_ids_stored()] == [lang]  # stored by that reader
                kept_searches.rank_kept_searches()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept first ids are PostgreSQL's")
def test_a_reader_stores_no_first_ids_while_a_write_is_in_progress(synthetic, django_db_blocker):
    """A writer holds the lock shared from its change to its commit: the reader then ranks its page itself, so it
    cannot store ids read before the change after the change removed the old ones."""
    key = search.kept_key("frontières")
    ranked = OrderedIds(*search.row_condition("frontières"), "relevance", rank=search.row_rank("frontières"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {facet_tables.SEARCH_FIRSTS}")
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as writer:
        writer.execute("SELECT pg_advisory_lock_shared(hashtext(%s))", [facet_tables.SEARCH_FIRSTS])
        assert kept_searches.first_ids(key, ranked.select(0, kept_searches.FIRST_IDS)) is None
        assert first_ids_stored() == {}
        writer.execute("SELECT pg_advisory_unlock_shared(hashtext(%s))", [facet_tables.SEARCH_FIRSTS])
    assert kept_searches.first_ids(key, ranked.select(0, kept_searches.FIRST_IDS)) == ranked.ids(0, 100)
