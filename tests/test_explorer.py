import re

import pytest
from django.urls import reverse

from outcomes.models import Session
from tests.corpus import PUBLISHED, build_entries, corpus_fixture, refs  # noqa: F401

URL = reverse("outcomes:entry-list")


def shown(client, query=""):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return {entry.reference for entry in response.context["entries"]}


def counts(client, query, facet):
    return {option.value: option.count for option in client.get(f"{URL}?{query}").context["facets"][facet]}


def test_the_explorer_shows_every_published_entry_and_no_draft(client, corpus):
    response = client.get(URL)
    assert {entry.reference for entry in response.context["entries"]} == refs(corpus, *PUBLISHED)
    assert "Brouillon secret" not in response.content.decode()
    assert "réunion non publiée" not in response.content.decode()
    assert "5 entrées" in response.content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("country=SN", {"patrols", "exchange", "elsewhere"}),
        ("country=sn", {"patrols", "exchange", "elsewhere"}),
        ("country=SN&country=ML", {"patrols", "cooperation", "exchange", "elsewhere"}),
        ("role=implementing", {"patrols", "exchange", "training"}),
        ("country=SN&role=implementing", {"patrols"}),
        ("country=SN&role=mentioned", {"exchange"}),
        ("country=SN&country=MA&role=implementing", {"patrols", "training"}),
        ("theme=patrouilles", {"patrols", "exchange"}),
        ("theme=patrouilles&theme=information", {"patrols", "cooperation", "exchange"}),
        ("theme=patrouilles&country=ML", {"exchange"}),
        ("kind=good_practice&kind=challenge", {"patrols", "cooperation", "training", "elsewhere"}),
        ("kind=challenge&country=SN", {"elsewhere"}),
        ("organisation=frontex", {"exchange"}),
        ("meeting=gestion-des-frontieres", {"patrols", "cooperation", "exchange", "training"}),
        ("meeting=gestion-des-frontieres&session=defis", {"patrols", "cooperation"}),
        ("meeting=autre-reunion&session=defis", {"elsewhere"}),
        ("session=pratiques", {"exchange", "training"}),
        ("meeting=gestion-des-frontieres&kind=good_practice&theme=patrouilles&country=SN", {"patrols"}),
        ("country=SN&theme=information&kind=good_practice", set()),
    ],
)
def test_filters_combine_with_or_within_and_and_across(client, corpus, query, expected):
    assert shown(client, query) == refs(corpus, *expected)


def test_session_by_id_matches_a_sub_heading(client, corpus):
    sub_heading = Session.objects.get(slug="defis-regionaux")
    assert shown(client, f"meeting=gestion-des-frontieres&session={sub_heading.pk}") == refs(corpus, "cooperation")
    assert shown(client, f"session={sub_heading.pk}") == refs(corpus, "cooperation")


def test_a_facet_counts_ignore_its_own_selection_but_follow_the_other_filters(client, corpus):
    assert counts(client, "country=SN", "country") == {"SN": 3, "ML": 2, "ES": 1, "MA": 1}
    assert counts(client, "country=SN", "kind") == {"good_practice": 1, "recommendation": 1, "challenge": 1}
    assert counts(client, "country=SN&theme=patrouilles", "country") == {"SN": 2, "ES": 1, "ML": 1}
    assert counts(client, "country=SN&theme=patrouilles", "theme") == {"patrouilles": 2, "information": 1}
    assert counts(client, "kind=challenge", "kind") == {
        "good_practice": 2,
        "challenge": 2,
        "recommendation": 1,
    }


def test_role_and_country_facets_count_the_role_in_that_country(client, corpus):
    assert counts(client, "country=SN&role=implementing", "country") == {"SN": 1, "ML": 1, "MA": 1}
    assert counts(client, "country=SN&role=implementing", "role") == {"implementing": 1, "mentioned": 1, "partner": 1}
    assert counts(client, "role=partner", "role") == {"implementing": 3, "partner": 2, "mentioned": 2}


def test_chosen_values_stay_visible_with_zero(client, corpus):
    facets = client.get(f"{URL}?country=BR&theme=information&kind=objective").context["facets"]
    brazil = next(option for option in facets["country"] if option.value == "BR")
    objective = next(option for option in facets["kind"] if option.value == "objective")
    assert (brazil.count, brazil.selected, objective.count, objective.selected) == (0, True, 0, True)


def test_sessions_facet_appears_with_a_meeting_and_counts_sub_headings(client, corpus):
    assert "session" not in client.get(URL).context["facets"]
    assert counts(client, "meeting=gestion-des-frontieres", "session") == {"defis": 2, "pratiques": 2}


def test_active_filters_are_chips_that_remove_their_value(client, corpus):
    response = client.get(f"{URL}?country=SN&country=ML&theme=patrouilles&q=patrouilles&page=1")
    chips = {chip["label"]: chip["url"] for chip in response.context["chips"]}
    assert set(chips) == {"Sénégal", "Mali", "Patrouilles conjointes", "« patrouilles »"}
    assert chips["Sénégal"] == "?country=ML&theme=patrouilles&q=patrouilles"
    assert chips["« patrouilles »"] == "?country=SN&country=ML&theme=patrouilles"
    html = response.content.decode()
    assert 'href="?country=ML&amp;theme=patrouilles&amp;q=patrouilles"' in html


def test_the_page_works_without_javascript_and_keeps_state_in_the_url(client, corpus):
    html = client.get(f"{URL}?country=SN&sort=newest").content.decode()
    assert '<form class="explorer" method="get"' in html
    assert 'name="country" value="SN" checked' in html
    assert '<option value="newest" selected>' in html
    assert '<link rel="alternate" type="text/csv" href="/entries.csv?country=SN&amp;sort=newest"' in html
    assert '<link rel="alternate" type="application/json" href="/entries.json?country=SN&amp;sort=newest"' in html


def test_english_interface_shows_country_names_in_english(client, corpus):
    response = client.get("/en/entries/?country=ES")
    assert response.status_code == 200
    assert {option.label for option in response.context["facets"]["country"]} >= {"Spain", "Senegal"}


def test_sort_orders(client, corpus):
    def order(query):
        return [entry.reference for entry in client.get(f"{URL}?{query}").context["entries"]]

    document = order("")
    # Document order: meetings, then sessions, then entries within a session.
    gf = [corpus[name].reference for name in ("patrols", "cooperation", "exchange", "training")]
    assert [ref for ref in document if ref.startswith("GF")] == gf
    assert order("sort=newest") == sorted(document, key=lambda ref: -corpus_pk(corpus, ref))
    # Relevance without a query falls back to document order.
    assert order("sort=relevance") == document


def corpus_pk(entries, reference):
    return next(entry.pk for entry in entries.values() if entry.reference == reference)


def test_pagination_with_a_bounded_page_size(client, corpus):
    first = client.get(f"{URL}?page_size=2")
    assert len(first.context["entries"]) == 2 and first.context["page_obj"].paginator.num_pages == 3
    third = client.get(f"{URL}?page_size=2&page=3")
    assert len(third.context["entries"]) == 1
    seen = [
        entry.reference
        for page in (1, 2, 3)
        for entry in client.get(f"{URL}?page_size=2&page={page}").context["entries"]
    ]
    assert set(seen) == refs(corpus, *PUBLISHED) and len(seen) == 5
    assert 'href="?page_size=2&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("country=XX", "XX"),
        ("country=SN&country=%3Cb%3E", "&lt;b&gt;"),
        ("kind=nonsense", "nonsense"),
        ("role=boss", "boss"),
        ("theme=unknown-theme", "unknown-theme"),
        ("organisation=nobody", "nobody"),
        ("meeting=reunion-brouillon", "reunion-brouillon"),
        ("meeting=nope", "nope"),
        ("session=999999999", "999999999"),
        ("session=nope", "nope"),
        ("meeting=autre-reunion&session=pratiques", "pratiques"),
        ("q=" + "x" * 500, "200"),
        ("q=a%00b", ""),
        ("sort=random", "random"),
    ],
)
def test_invalid_filters_show_a_message_and_no_entries(client, corpus, query, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert response.context["entries"] == []
    assert response.context["messages_list"]
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert "<b>" not in html


@pytest.mark.parametrize(
    "page",
    ["0", "-1", "abc", "1.5", "99999999999999999999", "%27%20OR%201%3D1", "", "9999"],
)
def test_bad_page_numbers_never_fail(client, corpus, page):
    response = client.get(f"{URL}?page={page}")
    assert response.status_code == 200
    assert response.context["entries"], "a bad page falls back to a real page"
    if page:
        assert response.context["messages_list"]


@pytest.mark.parametrize("size", ["0", "-5", "1000", "abc"])
def test_page_size_is_bounded(client, corpus, size):
    response = client.get(f"{URL}?page_size={size}")
    assert response.status_code == 200
    assert response.context["messages_list"]
    assert len(response.context["entries"]) == 5


def test_html_and_sql_in_the_query_are_harmless_and_echoed_escaped(client, corpus):
    response = client.get(URL, {"q": "<script>alert(1)</script>' OR 1=1; DROP TABLE outcomes_entry; --"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert client.get(URL).context["page_obj"].paginator.count == 5


@pytest.mark.parametrize("count", [5, 50])
def test_the_explorer_runs_a_constant_number_of_queries(
    client, make_entry, make_session, make_theme, django_assert_max_num_queries, count
):
    build_entries(make_entry, make_session, make_theme, count)
    # Pinned counts include the content-version query of the ETag (outcomes/caching.py), 2 for the map (the
    # countries named in every published entry, to frame it; the names of the countries drawn), and 2 for the
    # framework and follow-up facets. A search adds 2 (docs/search.md), both kept until the content changes: the
    # vocabulary (the stems of words typed without accents) and the names of countries, themes and organisations.
    with django_assert_max_num_queries(21):
        response = client.get(f"{URL}?page_size=50")
    assert len(response.context["entries"]) == count
    # +1 with a country: the entries addressed to all partners that « include them » would add (issue 18).
    with django_assert_max_num_queries(24):
        client.get(f"{URL}?page_size=50&country=SN&role=implementing&kind=good_practice&q=entr%C3%A9e&sort=relevance")


def test_empty_parameters_mean_no_filter(client, corpus):
    response = client.get(
        f"{URL}?q=&kind=&country=&role=&theme=&organisation=&meeting=&session=&sort=&page=&page_size="
    )
    assert response.status_code == 200 and not response.context["messages_list"]
    assert {entry.reference for entry in response.context["entries"]} == refs(corpus, *PUBLISHED)
    assert response.context["chips"] == []


def test_country_options_follow_french_alphabetical_order(client, make_entry):
    make_entry(countries=["EG", "ZM", "ES", "DZ"])
    labels = [option.label for option in client.get(URL).context["facets"]["country"]]
    assert labels == ["Algérie", "Égypte", "Espagne", "Zambie"]


def test_a_long_facet_shows_its_biggest_options_and_lists_the_others_on_its_own_page(
    client, make_entry, make_theme, settings
):
    from outcomes import filters

    themes = [make_theme(name_fr=f"Thème {n:02d}") for n in range(filters.FACET_LIMIT + 3)]
    for count, theme in enumerate(themes, start=1):
        if count <= filters.FACET_LIMIT + 1:
            make_entry(themes=[theme])
    make_entry(themes=themes[: filters.FACET_LIMIT])
    chosen = themes[-1]
    response = client.get(URL, {"theme": [chosen.slug, themes[0].slug], "q": "", "page": "1"})
    facet = response.context["facets"]["theme"]
    assert len(facet) == filters.FACET_LIMIT + 1
    assert facet.others == 1
    assert {option.value for option in facet if option.selected} == {chosen.slug, themes[0].slug}
    html = response.content.decode()
    assert "Afficher l&#x27;autre option" in html or "Afficher l'autre option" in html
    (left_out,) = [theme for theme in themes[: filters.FACET_LIMIT + 1] if f'value="{theme.slug}"' not in html]
    # One click away, never out of reach: the facet's own page, with the same filters.
    link = re.search(r'<a href="(/entries/options/theme/\?[^"]+)">', html).group(1)
    options = client.get(link.replace("&amp;", "&"))
    assert options.status_code == 200
    page = options.content.decode()
    form = page[page.index('<form class="explorer') :]
    assert f'name="theme" value="{left_out.slug}"' in form.split('id="facet-others"')[1]
    assert f'name="theme" value="{chosen.slug}" checked' in form.split('id="facet-others"')[0]
    assert "(1)" in form.split(left_out.slug)[1].split("</li>")[0]  # its count under the other filters
    assert 'name="page"' not in form  # ticking an option starts again at the first page


def test_a_facet_s_own_page_keeps_the_other_filters_and_says_what_is_wrong(client, corpus):
    page = client.get("/entries/options/country/", {"q": "patrouilles", "kind": "good_practice", "country": "SN"})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<input type="hidden" name="q" value="patrouilles">' in html
    assert '<input type="hidden" name="kind" value="good_practice">' in html
    assert 'type="hidden" name="country"' not in html  # its own values are the options ticked
    wrong = client.get("/entries/options/country/", {"theme": "no-such-theme"})
    assert wrong.status_code == 200 and "Certains paramètres ne sont pas valides" in wrong.content.decode()
    assert client.get("/entries/options/kind/").status_code == 404  # every kind is always listed
    assert client.get("/entries/options/nothing/").status_code == 404
    english = client.get("/en/entries/options/theme/").content.decode()
    assert "Theme: all the options" in english


def test_the_filter_set_also_takes_a_plain_dict(corpus):
    from outcomes.filters import EntryFilter

    filterset = EntryFilter.published({"country": ["SN"], "role": "implementing"})
    assert {entry.reference for entry in filterset.qs} == refs(corpus, "patrols")


# --- any or all; entries addressed to all partners (issue 18) --------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("country=SN&country=ES", {"patrols", "exchange", "elsewhere"}),
        ("country=SN&country=ES&country_match=any", {"patrols", "exchange", "elsewhere"}),
        ("country=SN&country=ES&country_match=all", {"patrols"}),
        ("country=SN&country=ML&country_match=all", {"exchange"}),
        ("country=SN&country=ML&country_match=all&role=mentioned", set()),
        ("country=SN&country_match=all&role=implementing", {"patrols"}),
        ("theme=patrouilles&theme=information&theme_match=all", {"exchange"}),
        ("theme=patrouilles&theme=information&theme_match=any", {"patrols", "cooperation", "exchange"}),
        ("organisation=frontex&organisation_match=all", {"exchange"}),
    ],
)
def test_several_values_mean_either_or_both_as_the_reader_says(client, corpus, query, expected):
    assert shown(client, query) == refs(corpus, *expected)


def test_in_all_mode_an_option_counts_what_ticking_it_would_give(client, corpus):
    # Senegal chosen: Spain shares one entry with it, Mali one; Senegal itself counts the entries shown.
    assert counts(client, "country=SN&country_match=all", "country") == {"SN": 3, "ES": 1, "ML": 1}
    assert counts(client, "theme=patrouilles&theme_match=all", "theme") == {"patrouilles": 2, "information": 1}


def test_the_page_says_in_words_whether_values_combine_with_and_or_or(client, corpus):
    both = client.get(f"{URL}?country=ES&country=SN&country_match=all")
    assert both.context["chip_phrases"] == ["Pays : Espagne et Sénégal"]
    html = both.content.decode()
    assert "Pays : Espagne et Sénégal" in html
    assert 'name="country_match" value="all" checked' in html
    either = client.get(f"{URL}?country=ES&country=SN")
    assert either.context["chip_phrases"] == ["Pays : Espagne ou Sénégal"]
    assert [chip["joiner"] for chip in either.context["chips"]] == ["", "ou"]
    english = client.get(f"/en{URL}?country=ES&country=SN&country_match=all")
    assert english.context["chip_phrases"] == ["Countries: Spain and Senegal"]


def test_an_unknown_mode_is_refused_with_a_message(client, corpus):
    response = client.get(f"{URL}?country=SN&country_match=both")
    assert response.context["messages_list"] and not response.context["entries"]


@pytest.fixture
def to_everyone(corpus, make_entry):
    """A recommendation addressed to all partner countries: it names none."""
    return make_entry(
        session=corpus["exchange"].session, order=9, kind="recommendation", text="À tous.", scope="all_partners"
    )


def test_a_country_filter_may_include_the_entries_addressed_to_all_partners(client, corpus, to_everyone):
    assert to_everyone.reference not in shown(client, "country=SN")
    assert shown(client, "country=SN&include_all_partners=1") == {
        *refs(corpus, "patrols", "exchange", "elsewhere"),
        to_everyone.reference,
    }
    assert shown(client, "country=SN&country=ES&country_match=all&include_all_partners=1") == {
        *refs(corpus, "patrols"),
        to_everyone.reference,
    }
    assert to_everyone.reference not in shown(client, "include_all_partners=1&kind=good_practice")
    # The option says how many it adds, under the other filters; ticked, each country counts them too.
    response = client.get(f"{URL}?country=SN")
    assert response.context["facets"]["country"].all_partners == 1
    assert "entrée adressée à tous les pays partenaires ou à leur région (1)" in response.content.decode()
    assert counts(client, "country=SN&include_all_partners=1", "country")["SN"] == 4
    assert client.get(f"{URL}?country=SN&kind=good_practice").context["facets"]["country"].all_partners == 0


def test_the_country_page_counts_the_entries_addressed_to_all_partners_and_includes_them(client, corpus, to_everyone):
    html = client.get("/countries/SN/").content.decode()
    assert "Et 1 entrée adressée à tous les pays partenaires ou à sa région" in html
    assert f'href="{URL}?country=SN&amp;include_all_partners=1"' in html


@pytest.fixture
def to_regions(corpus, make_entry):
    """Recommendations addressed to a region: « aux pays africains » (naming none), and one to West Africa that
    names Senegal (implementing) and Spain (partner), outside that region."""
    session = corpus["exchange"].session
    return {
        "africa": make_entry(
            session=session,
            order=10,
            kind="recommendation",
            text="Aux pays africains.",
            scope="region",
            region="africa",
        ),
        "west_africa": make_entry(
            session=session,
            order=11,
            kind="recommendation",
            text="En Afrique de l'Ouest, avec l'Espagne.",
            scope="region",
            region="west_africa",
            countries=[("SN", "implementing"), ("ES", "partner")],
        ),
    }


def test_the_option_also_includes_the_entries_addressed_to_a_region_holding_the_country(client, corpus, to_regions):
    africa, west_africa = to_regions["africa"].reference, to_regions["west_africa"].reference
    assert africa not in shown(client, "country=SN")
    assert africa in shown(client, "country=SN&include_all_partners=1")
    assert africa not in shown(client, "country=ES&include_all_partners=1")
    # In all-mode each country brings its own regions: Morocco is African too, Spain is not.
    assert africa in shown(client, "country=SN&country=MA&country_match=all&include_all_partners=1")
    assert africa not in shown(client, "country=SN&country=ES&country_match=all&include_all_partners=1")
    assert west_africa in shown(client, "country=SN&country=ES&country_match=all&include_all_partners=1")
    # Beside the checkbox, what it adds: for Senegal the two entries, for Spain none.
    response = client.get(f"{URL}?country=SN")
    assert response.context["facets"]["country"].all_partners == 2
    assert "entrées adressées à tous les pays partenaires ou à leur région (2)" in response.content.decode()
    assert client.get(f"{URL}?country=ES").context["facets"]["country"].all_partners == 0


def test_an_entry_addressed_to_a_region_counts_once_for_a_country_it_also_names(client, corpus, to_regions):
    # Senegal: patrols, exchange, elsewhere and the two regional entries (the West African one named and addressed);
    # Mali: its two entries and the two regional ones; Spain: patrols and the West African entry, which names it.
    assert counts(client, "country=SN&include_all_partners=1", "country") == {"SN": 5, "ES": 2, "ML": 4, "MA": 2}
    assert counts(client, "country=SN&role=implementing&include_all_partners=1", "country")["SN"] == 3
    roles = counts(client, "country=SN&include_all_partners=1", "role")
    assert roles == {"implementing": 3, "partner": 3, "mentioned": 3}
    # In all-mode, a role is counted per country: only the African entry is addressed to both Senegal and Morocco.
    query = "country=SN&country=MA&country_match=all&include_all_partners=1"
    assert counts(client, query, "role") == {"implementing": 1, "partner": 1, "mentioned": 1}


def test_the_country_page_counts_the_entries_addressed_to_its_region_it_does_not_name(client, corpus, to_regions):
    senegal = client.get("/countries/SN/")
    assert senegal.context["all_partners_count"] == 1  # the African entry; the West African one names Senegal
    assert "Et 1 entrée adressée à tous les pays partenaires ou à sa région" in senegal.content.decode()
    listed = client.get(f"{URL}?country=SN&include_all_partners=1").context["page_obj"].paginator.count
    assert listed == senegal.context["entry_count"] + senegal.context["all_partners_count"]
    spain = client.get("/countries/ES/")
    assert spain.context["all_partners_count"] == 0
    assert "ou à sa région" not in spain.content.decode()
    english = client.get("/en/countries/SN/").content.decode()
    assert "And 1 entry addressed to all partner countries or to its region, so to this one too." in english


def test_a_facet_left_without_options_says_so_instead_of_vanishing(client, corpus):
    html = client.get(f"{URL}?kind=recommendation&country=MA").content.decode()
    assert 'data-facet="organisation"' in html
    assert "Aucune option avec les autres filtres." in html


def test_without_javascript_the_form_still_applies_and_its_script_is_served_by_the_app(client, corpus):
    html = client.get(URL).content.decode()
    assert '<script src="/static/js/explorer.js' in html or "js/explorer." in html
    assert 'class="explorer-apply"' in html  # the plain GET form's button, in the flow of the column
    assert shown(client, "country=SN&country=ES&country_match=all&country_match=all") is not None
