"""The pictures (outcomes/pictures/): the map, the networks and the charts say what the pages say, in SVG that
parses, with links that lead somewhere, for the price of a cache read once computed."""

import datetime
import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html import unescape

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from outcomes.filters import EntryFilter
from outcomes.models import Entry, EntryCountry, Status
from outcomes.pictures import counts, style
from outcomes.pictures.map import REGION_FILE, frame, region

IMPLEMENTING, PARTNER, MENTIONED = EntryCountry.Role.values
SVG_NS = "{http://www.w3.org/2000/svg}"
# The Rabat Process's partner countries: every one of them has a shape on the map.
# fmt: off
PARTNERS = [
    "AT", "BE", "BF", "BG", "BJ", "CD", "CF", "CG", "CH", "CI", "CM", "CV", "CY", "CZ", "DE", "DK", "DZ", "EE", "ES",
    "FI", "FR", "GA", "GB", "GH", "GM", "GN", "GQ", "GR", "GW", "HR", "HU", "IE", "IT", "LR", "LT", "LU", "LV", "LY",
    "MA", "ML", "MR", "MT", "NE", "NG", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SL", "SN", "ST", "TD", "TG",
    "TN",
]
# fmt: on


def svgs_of(response, kind):
    """Each picture of `kind` (map, network, bars) on the page, parsed as XML: it fails if one is not well-formed."""
    html = response.content.decode()
    blocks = re.findall(rf'<svg class="picture__svg {kind}".*?</svg>', html, flags=re.S)
    return [ET.fromstring(block.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)) for block in blocks]


def links_of(svg):
    """(href, accessible name) of each link of a picture."""
    return [(a.get("href"), a.get("aria-label")) for a in svg.iter(f"{SVG_NS}a")]


def count_in(label):
    return int(re.search(r" : (\d+) entrées?", label).group(1))


@pytest.fixture
def corpus(make_meeting, make_session, make_entry, make_theme):
    """Two published meetings and a draft one; entries with countries in every role, one draft entry."""
    patrols, returns = make_theme(name_fr="Patrouilles"), make_theme(name_fr="Retour")
    older = make_meeting(title="Première réunion", start_date=datetime.date(2019, 7, 1))
    newer = make_meeting(title="Seconde réunion", start_date=datetime.date(2021, 3, 1))
    draft = make_meeting(title="Réunion en brouillon", status=Status.DRAFT)
    opening, cooperation = make_session(meeting=older, order=1), make_session(meeting=older, order=2)
    sub = make_session(meeting=older, order=3, parent=cooperation)
    later = make_session(meeting=newer, order=1)
    K = Entry.Kind
    rows = [
        (opening, K.OBJECTIVE, [], [patrols]),
        (cooperation, K.GOOD_PRACTICE, [("ES", IMPLEMENTING), ("SN", PARTNER), ("ML", MENTIONED)], [patrols]),
        (sub, K.GOOD_PRACTICE, [("ES", IMPLEMENTING), ("SN", PARTNER)], [patrols, returns]),
        (sub, K.POLICY, [("SN", IMPLEMENTING), ("ES", PARTNER), ("GM", PARTNER)], [returns]),
        (later, K.CHALLENGE, [("SN", MENTIONED), ("MA", MENTIONED)], [returns]),
        (later, K.RESULT, [("MA", IMPLEMENTING), ("ES", PARTNER), ("CV", PARTNER)], []),
        (later, K.RECOMMENDATION, [("MT", MENTIONED), ("LU", MENTIONED)], [patrols]),
    ]
    entries = [make_entry(session=s, kind=k, countries=c, themes=t) for s, k, c, t in rows]
    make_entry(session=later, status=Status.DRAFT, countries=[("SN", IMPLEMENTING), ("FR", PARTNER)])
    make_entry(session=make_session(meeting=draft), countries=[("SN", IMPLEMENTING), ("DE", PARTNER)])
    return {"entries": entries, "older": older, "newer": newer, "themes": [patrols, returns]}


# ------------------------------------------------------------------------------------------------ shading


@pytest.mark.parametrize(
    "largest, bounds, labels",
    [
        (0, [], []),
        (1, [1], ["1"]),
        (3, [1, 2, 3], ["1", "2", "3"]),
        (5, [1, 2, 3, 4, 5], ["1", "2", "3", "4", "5"]),
        (6, [2, 3, 4, 5, 6], ["1–2", "3", "4", "5", "6"]),
        (10, [2, 4, 6, 8, 10], ["1–2", "3–4", "5–6", "7–8", "9–10"]),
        (11, [2, 5, 10, 11], ["1–2", "3–5", "6–10", "11"]),
        (50, [5, 10, 20, 50], ["1–5", "6–10", "11–20", "21–50"]),
        (738, [5, 20, 100, 200, 738], ["1–5", "6–20", "21–100", "101–200", "201–738"]),
        (100000, [10, 100, 1000, 10000, 100000], ["1–10", "11–100", "101–1000", "1001–10000", "10001–100000"]),
    ],
)
def test_shading_classes_grow_geometrically_to_round_numbers(largest, bounds, labels):
    assert style.shade_bounds(largest) == bounds
    assert style.class_labels(bounds) == labels


def test_every_count_falls_in_exactly_one_class_whatever_the_largest():
    for largest in itertools.chain(range(1, 400), [999, 1000, 1001, 12345, 99999]):
        bounds = style.shade_bounds(largest)
        assert bounds == sorted(set(bounds)) and bounds[-1] == largest and len(bounds) <= len(style.SHADES)
        classes = [style.shade_class(n, bounds) for n in range(1, min(largest, 3000) + 1)]
        assert classes == sorted(classes) and set(classes) <= set(range(len(bounds)))
        assert style.shade_class(0, bounds) is None
        assert len(set(style.shades_for(bounds))) == len(bounds)  # no two classes look alike


def test_colours_meet_wcag_aa_contrast():
    for fill, ink in style.SHADES:
        assert style.contrast_ratio(fill, ink) >= 4.5, fill  # the count printed over the shade
    for kind_style in style.KIND_STYLES.values():
        assert style.contrast_ratio(kind_style.colour, style.PAPER) >= 3, kind_style  # a graphical object
    for role_style in style.ROLE_STYLES.values():
        assert style.contrast_ratio(role_style.colour, style.PAPER) >= 3, role_style
    assert len({s.pattern for s in style.KIND_STYLES.values()}) == len(Entry.Kind.values)
    assert len({s.dash for s in style.ROLE_STYLES.values()}) == len(EntryCountry.Role.values)


# ------------------------------------------------------------------------------------------------ geometry


def test_the_region_file_is_small_and_has_every_partner_country_even_the_smallest():
    assert REGION_FILE.stat().st_size < 60_000
    shapes = region()["countries"]
    assert set(PARTNERS) <= set(shapes)
    for code in ["MT", "ST"]:  # too small to see or click: drawn with a dot too
        assert "dot" in shapes[code]
    for code, shape in shapes.items():
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", shape["d"]), code


def test_the_map_is_framed_on_the_countries_named():
    x, y, width, height = frame(["SN", "ES"])
    for code in ["SN", "ES"]:
        box = region()["countries"][code]["box"]
        assert x <= box[0] and box[2] <= x + width and y <= box[1] and box[3] <= y + height
    assert width < region()["width"] / 2  # not the whole region
    wider = frame(["SN", "ES", "CV", "NO"])
    assert wider[2] > width and wider[3] > height
    assert frame([]) == (0, 0, region()["width"], region()["height"])


# ------------------------------------------------------------------------------------------------ counts


def brute_force_pairs(entries):
    partners, pairs = {}, Counter()
    for entry in entries:
        tags = list(entry.country_tags.all())
        for tag in tags:
            for other in tags:
                if other.country_id != tag.country_id:
                    partners.setdefault(tag.country_id, Counter())[(other.country_id, other.role)] += 1
                    if tag.role == IMPLEMENTING and other.role == PARTNER:
                        pairs[(tag.country_id, other.country_id)] += 1
    return partners, pairs


def test_network_edges_equal_a_brute_force_count_over_published_entries(corpus):
    published = Entry.objects.published().prefetch_related("country_tags")
    partners, pairs = brute_force_pairs(published)
    assert counts.partnerships() == dict(pairs)
    assert counts.partnerships() == {("ES", "SN"): 2, ("SN", "ES"): 1, ("SN", "GM"): 1, ("MA", "ES"): 1,
                                     ("MA", "CV"): 1}  # fmt: skip
    for code in ["SN", "ES", "MA", "LU"]:
        expected = {}
        for (other, role), n in partners.get(code, {}).items():
            expected.setdefault(other, {})[role] = n
        assert counts.partner_roles(code) == expected


def test_map_counts_are_the_country_index_counts(client, corpus):
    index = {c.code: c.n_total for c in client.get(reverse("outcomes:country-list")).context["countries"]}
    assert counts.country_counts() == index == {"ES": 4, "SN": 4, "ML": 1, "GM": 1, "MA": 2, "CV": 1, "MT": 1, "LU": 1}
    (svg,) = svgs_of(client.get("/"), "map")
    shown = {href: count_in(label) for href, label in links_of(svg)}
    assert shown == {reverse("outcomes:country-detail", args=[code]): n for code, n in index.items()}


def test_every_link_of_every_picture_leads_to_a_page(client, corpus):
    pages = ["/", "/countries/", "/countries/SN/", "/themes/", "/meetings/", corpus["older"].get_absolute_url()]
    pages += [theme.get_absolute_url() for theme in corpus["themes"]] + ["/entries/?kind=good_practice"]
    checked = set()
    for page in pages:
        response = client.get(page)
        svgs = [svg for kind in ("map", "network", "bars") for svg in svgs_of(response, kind)]
        assert svgs, page
        for svg in svgs:
            assert svg.find(f"{SVG_NS}title").text and svg.find(f"{SVG_NS}desc").text
            for href, _name in links_of(svg):
                if href.startswith("#"):
                    assert f'id="{href[1:]}"' in response.content.decode()
                elif href not in checked:
                    assert client.get(href).status_code == 200, href
                    checked.add(href)
    assert "/entries/?country=SN&country=ES&country_match=all" in checked and "/countries/CV/" in checked


def test_a_country_network_links_each_partner_to_the_explorer_on_the_pair(client, corpus):
    (svg,) = svgs_of(client.get("/countries/SN/"), "network")
    links = dict(links_of(svg))
    assert set(links) == {f"/entries/?country=SN&country={code}&country_match=all" for code in ["ES", "ML", "GM", "MA"]}
    pair = "/entries/?country=SN&country=ES&country_match=all"
    assert links[pair].startswith("Sénégal et Espagne : 3 entrées en commun")
    # The link leads to those very entries: both countries (all-mode), not either of them.
    response = client.get(pair)
    assert response.context["page_obj"].paginator.count == 3
    assert "Sénégal et Espagne" in response.context["chip_phrases"][0]
    widths = {line.get("stroke-width") for line in svg.iter(f"{SVG_NS}line")}
    assert len(widths) == 2  # 3 shared entries with Spain, 1 with the others
    dashes = {line.get("stroke-dasharray") for line in svg.iter(f"{SVG_NS}line")}
    assert dashes == {None, "8 4", "2 3"}  # Spain mostly implements, Gambia is a partner, Mali and Morocco mentioned


def test_draft_entries_and_draft_meetings_are_not_drawn(client, corpus):
    html = client.get("/countries/").content.decode()
    assert "/countries/FR/" not in html and "/countries/DE/" not in html
    assert ("SN", "FR") not in counts.partnerships() and "FR" not in counts.partner_roles("SN")


def test_the_explorer_map_follows_the_filters_but_its_own_as_the_country_facet(client, corpus):
    (svg,) = svgs_of(client.get("/entries/?kind=good_practice&country=SN"), "map")
    shown = {href.rsplit("/", 2)[1]: count_in(label) for href, label in links_of(svg)}
    assert shown == {"ES": 2, "SN": 2, "ML": 1}
    chosen = [a.get("href") for a in svg.iter(f"{SVG_NS}a") if "map__country--chosen" in a.get("class")]
    assert chosen == ["/countries/SN/"]
    (svg,) = svgs_of(client.get("/entries/?role=partner"), "map")
    assert {href.rsplit("/", 2)[1]: count_in(label) for href, label in links_of(svg)} == {"SN": 2, "ES": 2, "GM": 1,
                                                                                          "CV": 1}  # fmt: skip
    assert svgs_of(client.get("/entries/?kind=nonsense"), "map") == []
    filterset = EntryFilter.published(QueryDict("kind=good_practice&kind=policy&theme=" + corpus["themes"][0].slug))
    assert filterset.facets()["country"].counts == counts.country_counts(filterset.filtered_except("country"))


def test_charts_count_what_the_pages_count(client, corpus):
    themes = client.get("/themes/")
    (svg,) = svgs_of(themes, "bars")
    totals = {t.name: t.n_total for t in themes.context["themes"] if t.n_total}
    drawn = [(text.text, int(total.text)) for text, total in bar_labels(svg)]
    assert drawn == [("Patrouilles", 4), ("Retour", 3)] and dict(drawn) == totals

    meeting = client.get(corpus["older"].get_absolute_url())
    (svg,) = svgs_of(meeting, "bars")
    assert [total for _label, total in bars_of(svg)] == [1, 3]  # the sub-heading counts in its session
    assert sum(total for _label, total in bars_of(svg)) == meeting.context["entry_count"]

    (svg,) = svgs_of(client.get(corpus["themes"][1].get_absolute_url()), "bars")
    assert bars_of(svg) == [("2019 · Première réunion", 2), ("2021 · Seconde réunion", 1)]


def bar_labels(svg):
    rows = svg.findall(f"{SVG_NS}g")
    return [(next(row.iter(f"{SVG_NS}text")), row.findall(f"{SVG_NS}text")[-1]) for row in rows]


def bars_of(svg):
    return [(label.text, int(total.text)) for label, total in bar_labels(svg)]


def test_entries_over_time_need_several_meetings_and_go_by_year_when_there_are_many(
    client, corpus, make_meeting, make_session, make_entry
):
    (svg,) = svgs_of(client.get("/meetings/"), "bars")
    assert bars_of(svg) == [("2019 · Première réunion", 4), ("2021 · Seconde réunion", 3)]
    for n in range(11):
        meeting = make_meeting(start_date=datetime.date(2021 + n % 2, 1 + n, 1))
        make_entry(session=make_session(meeting=meeting))
    (svg,) = svgs_of(client.get("/meetings/"), "bars")
    assert bars_of(svg) == [("2019 (1 réunion)", 4), ("2021 (7 réunions)", 9), ("2022 (5 réunions)", 5)]


def test_a_theme_over_time_goes_by_year_and_follows_its_meetings_dates_and_status(
    client, make_meeting, make_session, make_entry, make_theme
):
    theme = make_theme()
    meetings = [make_meeting(start_date=datetime.date(2020 + n % 3, 1 + n % 12, 1)) for n in range(14)]
    for n, meeting in enumerate(meetings):
        kind = Entry.Kind.RECOMMENDATION if n % 2 else Entry.Kind.CHALLENGE
        make_entry(session=make_session(meeting=meeting), themes=[theme], kind=kind)
    make_entry(session=make_session(meeting=meetings[0]))  # not on the theme

    def bars():
        (svg,) = svgs_of(client.get(theme.get_absolute_url()), "bars")
        return bars_of(svg)

    def by_kind():  # the kept counts by year and kind (PostgreSQL) are those of the entries, kind by kind
        from outcomes import tag_counts
        from outcomes.pictures import charts

        years, _few = tag_counts.over_time(f"t:{theme.pk}", charts.MEETINGS_ONE_BY_ONE) or (None, None)
        by_meeting = counts.kinds_by(Entry.objects.published().filter(themes=theme), "meeting_id")
        return years is None or charts.by_year(years) == charts.over_time(by_meeting)

    assert bars() == [("2020 (5 réunions)", 5), ("2021 (5 réunions)", 5), ("2022 (4 réunions)", 4)] and by_kind()
    meetings[1].start_date = None
    meetings[1].save()
    meetings[2].status = Status.DRAFT
    meetings[2].save()
    expected = [
        ("2020 (5 réunions)", 5),
        ("2021 (4 réunions)", 4),
        ("2022 (3 réunions)", 3),
        ("Sans date (1 réunion)", 1),
    ]
    assert bars() == expected and by_kind()


def test_one_meeting_draws_no_timeline(client, make_entry):
    make_entry()
    assert svgs_of(client.get("/meetings/"), "bars") == []


def test_an_empty_base_draws_no_picture(client, db):
    for page in ["/", "/countries/", "/themes/", "/meetings/", "/entries/", "/countries/SN/"]:
        assert "picture__svg" not in client.get(page).content.decode(), page


# ------------------------------------------------------------------------------------------------ cost


def picture_tags(corpus):
    from outcomes.models import Country, Session
    from outcomes.queries import themes_with_counts
    from outcomes.templatetags import pictures

    older = corpus["older"]
    sessions = list(Session.objects.filter(meeting=older))
    filterset = EntryFilter.published(QueryDict("kind=good_practice"))
    senegal, themes = Country.objects.get(code="SN"), themes_with_counts()
    facets = filterset.facets()
    return {
        "country map": pictures.country_map,
        "partnerships": pictures.partnership_network,
        "country network": lambda: pictures.country_network(senegal),
        "themes": lambda: pictures.theme_chart(themes),
        "theme": lambda: pictures.theme_meetings_chart(corpus["themes"][0]),
        "sessions": lambda: pictures.session_chart(older, sessions),
        "meetings": pictures.meetings_chart,
        "explorer map": lambda: pictures.explorer_map(filterset, facets),
    }


PICTURES = ["country map", "partnerships", "country network", "themes", "theme", "sessions", "meetings", "explorer map"]


@pytest.mark.parametrize("name", PICTURES)
def test_a_picture_costs_a_cache_read_once_computed(corpus, name, django_assert_max_num_queries):
    draw = picture_tags(corpus)[name]
    cache.clear()
    first = draw()
    assert "<svg" in first
    with django_assert_max_num_queries(1):  # the content version (read once per request on a page)
        assert draw() == first


def test_labels_are_text_and_the_map_says_what_it_shows(client, corpus):
    (svg,) = svgs_of(client.get("/"), "map")
    description = unescape(svg.find(f"{SVG_NS}desc").text)
    assert "8 pays ont au moins une entrée ; le plus cité est Espagne (4)" in description
    printed = {text.text for text in svg.iter(f"{SVG_NS}text")}
    assert {"4", "2"} <= printed  # Spain's and Morocco's counts, written on them
