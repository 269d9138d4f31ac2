import csv
import io
import json
import tracemalloc

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter

from outcomes.models import Entry, Theme
from outcomes.scope import Region, Scope
from tests.corpus import PUBLISHED, build_entries, bulk_entries, corpus_fixture, refs  # noqa: F401

CSV_URL, JSON_URL, XLSX_URL, PAGE_URL = (
    reverse("outcomes:entry-export-csv"),
    reverse("outcomes:entry-export-json"),
    reverse("outcomes:entry-export-xlsx"),
    reverse("outcomes:entry-list"),
)


def csv_rows(client, query="", codes=True, url=CSV_URL, delimiter=";"):
    """The rows of the CSV export; by default its `codes=1` variant for machines (column and value codes)."""
    response = client.get(f"{url}?{query}{'&codes=1' if codes else ''}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def json_entries(client, query=""):
    response = client.get(f"{JSON_URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content))["entries"]


def page_references(client, query=""):
    return [entry.reference for entry in client.get(f"{PAGE_URL}?{query}&page_size=100").context["entries"]]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "country=SN",
        "country=SN&role=implementing",
        "theme=patrouilles&theme=information&kind=recommendation",
        "meeting=gestion-des-frontieres&session=defis",
        "q=patrouilles",
        "sort=newest",
        "organisation=frontex",
        "country=SN&country=ES&country_match=all",
        "theme=patrouilles&theme=information&theme_match=all",
    ],
)
def test_exports_hold_exactly_the_entries_of_the_page_in_its_order(client, corpus, query):
    expected = page_references(client, query)
    assert [row["reference"] for row in csv_rows(client, query)] == expected
    assert [entry["reference"] for entry in json_entries(client, query)] == expected


def test_exports_hold_every_page_not_just_the_first(client, corpus):
    assert len(csv_rows(client, "page_size=2&page=2")) == 5
    assert {row["reference"] for row in csv_rows(client)} == refs(corpus, *PUBLISHED)


def test_csv_has_one_row_per_entry_with_tags_joined(client, corpus):
    rows = {row["reference"]: row for row in csv_rows(client)}
    patrols, exchange = rows[corpus["patrols"].reference], rows[corpus["exchange"].reference]
    assert list(patrols) == [
        "reference",
        "kind",
        "meeting",
        "session",
        "order",
        "text",
        "sub_points",
        "implementing",
        "partner",
        "mentioned",
        "themes",
        "organisations",
        "links",
        "framework_items",
        "url",
        "source_line",
        "updated_at",
    ], "no title column: no entry of the view has a title"
    assert (patrols["implementing"], patrols["partner"], patrols["mentioned"]) == ("SN:implementing", "ES:partner", "")
    assert patrols["text"] == "Des patrouilles conjointes entre le Sénégal et l'Espagne."
    assert patrols["meeting"] == "Gestion des frontières"
    assert patrols["session"] == "Défis"
    assert patrols["source_line"] == "10"
    assert patrols["url"] == f"http://testserver/entries/{corpus['patrols'].reference}/"
    assert (exchange["implementing"], exchange["mentioned"]) == ("ML:implementing", "SN:mentioned")
    assert exchange["themes"] == "patrouilles; information"
    assert exchange["organisations"] == "frontex"
    assert exchange["text"] == "Renforcer l'échange d'informations avec Frontex :", "sub-points not repeated"
    assert exchange["sub_points"] == "1) vite\n2) bien"
    assert rows[corpus["cooperation"].reference]["session"] == "Défis › Défis régionaux"


def test_an_entry_addressed_to_all_partners_or_a_region_says_so_in_its_own_column(client, corpus):
    Entry.objects.filter(pk=corpus["cooperation"].pk).update(scope=Scope.ALL_PARTNERS)
    Entry.objects.filter(pk=corpus["exchange"].pk).update(scope=Scope.REGION, region=Region.WEST_AFRICA)
    machine = {row["reference"]: row["addressed_to"] for row in csv_rows(client)}
    assert machine[corpus["cooperation"].reference] == "all_partners"
    assert machine[corpus["exchange"].reference] == "region:west_africa"
    assert machine[corpus["patrols"].reference] == "", "named countries: the country columns say it"
    readers = {row["Référence"]: row["Adressée à"] for row in csv_rows(client, codes=False)}
    assert readers[corpus["cooperation"].reference] == "Tous les pays partenaires"
    assert readers[corpus["exchange"].reference] == "Afrique de l'Ouest"


def test_json_entries_carry_their_tags(client, corpus):
    entry = next(e for e in json_entries(client, "country=SN&role=implementing"))
    assert entry["reference"] == corpus["patrols"].reference
    assert entry["countries"] == [
        {"code": "SN", "name": "Sénégal", "role": "implementing"},
        {"code": "ES", "name": "Espagne", "role": "partner"},
    ]
    assert entry["themes"] == [{"slug": "patrouilles", "name": "Patrouilles conjointes"}]
    assert entry["session"]["path"] == ["Défis"]


def test_drafts_never_reach_an_export(client, corpus):
    for query in ["", "q=brouillon", "q=patrouilles", "meeting=reunion-brouillon", "country=SN"]:
        body = client.get(f"{CSV_URL}?{query}")
        text = b"".join(body.streaming_content).decode() if body.streaming else body.content.decode()
        assert "Brouillon secret" not in text and "non publiée" not in text
    assert corpus["draft"].reference not in {e["reference"] for e in json_entries(client)}


def test_the_page_links_to_its_exports_with_the_same_filters(client, corpus):
    html = client.get(f"{PAGE_URL}?country=SN&theme=patrouilles&page=2&page_size=1").content.decode()
    assert 'href="/entries.csv?country=SN&amp;theme=patrouilles"' in html
    assert 'href="/entries.json?country=SN&amp;theme=patrouilles"' in html
    assert 'href="/entries.xlsx?country=SN&amp;theme=patrouilles"' in html
    assert 'href="/entries/feed/?country=SN&amp;theme=patrouilles"' in html


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL, XLSX_URL])
@pytest.mark.parametrize("query", ["country=XX", "kind=nope", "meeting=reunion-brouillon", "q=" + "x" * 300])
def test_invalid_filters_answer_400_with_the_reason(client, corpus, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.content


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL, XLSX_URL])
def test_exports_are_read_only(client, url, db):
    assert client.post(url).status_code in {403, 405}
    assert client.head(url).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_exports_run_a_constant_number_of_queries(
    client, make_entry, make_session, make_theme, django_assert_max_num_queries, count
):
    build_entries(make_entry, make_session, make_theme, count)
    theme = Theme.objects.get()
    # Pinned counts include the content-version query of the ETag (outcomes/caching.py); the CSV adds one query
    # to know which optional columns the view fills, and both two per chunk: links and framework items.
    with django_assert_max_num_queries(9):
        assert len(csv_rows(client, "country=SN")) == count
    with django_assert_max_num_queries(8):
        assert len(json_entries(client, f"theme={theme.slug}")) == count


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client, make_entry):
    formula = make_entry(
        text='=HYPERLINK("http://example.org","clic")', sub_points=["+1", "- un tiret suivi d'un espace"]
    )
    row = next(row for row in csv_rows(client) if row["reference"] == formula.reference)
    assert row["text"] == '\'=HYPERLINK("http://example.org","clic")'
    assert row["sub_points"] == "1) +1\n2) - un tiret suivi d'un espace"
    data = next(e for e in json_entries(client) if e["reference"] == formula.reference)
    assert data["text"] == '=HYPERLINK("http://example.org","clic")', "JSON keeps the verbatim text"


def test_the_csv_session_column_gives_every_heading_above_the_entry(client, make_session, make_entry):
    top = make_session(title="Coopération")
    levels = [top]
    for title in ["Politiques", "Espagne", "Patrouilles"]:  # four levels: deeper than any document so far
        levels.append(make_session(meeting=top.meeting, parent=levels[-1], title=title))
    make_entry(session=levels[1], text="Au deuxième niveau.")
    make_entry(session=levels[3], text="Au quatrième niveau.")

    sessions = {row["text"]: row["session"] for row in csv_rows(client)}

    assert sessions == {
        "Au deuxième niveau.": "Coopération › Politiques",
        "Au quatrième niveau.": "Coopération › Politiques › Espagne › Patrouilles",
    }


# --- downloads a ministry can open ------------------------------------------------------------------------------


def test_the_csv_speaks_the_readers_language_and_separator(client, corpus):
    french = csv_rows(client, "country=SN&role=implementing", codes=False)
    assert french[0]["Type"] == "Bonne pratique" and french[0]["Pays qui mettent en œuvre"] == "Sénégal"
    assert french[0]["Pays partenaires"] == "Espagne" and french[0]["Thèmes"] == "Patrouilles conjointes"
    english = csv_rows(client, "country=SN&role=implementing", codes=False, url="/en/entries.csv", delimiter=",")
    assert english[0]["Kind"] == "Good practice" and english[0]["Implementing countries"] == "Senegal"
    assert english[0]["Themes"] == "Joint patrols"


def test_file_names_say_what_they_hold(client, corpus):
    response = client.get(f"{XLSX_URL}?country=SN&kind=good_practice")
    b"".join(response.streaming_content)  # a download holds the client's export slot until it is read
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="rabat-kb_senegal_bonne-pratique_{today}.xlsx"'
    english = client.get("/en/entries.csv?country=SN&theme=patrouilles")
    b"".join(english.streaming_content)
    assert english["Content-Disposition"] == f'attachment; filename="rabat-kb_senegal_joint-patrols_{today}.csv"'
    assert client.get(CSV_URL)["Content-Disposition"] == f'attachment; filename="rabat-kb_{today}.csv"'


def test_the_xlsx_has_a_styled_frozen_filtered_header_and_says_which_query_made_it(client, corpus):
    response = client.get(f"{XLSX_URL}?country=SN")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    entries, about = book.worksheets
    header = [cell.value for cell in entries[1]]
    assert header[:4] == ["Référence", "Type", "Réunion", "Rubrique"] and "Titre" not in header
    assert entries[1][0].font.bold and entries.freeze_panes == "A2"
    assert entries.auto_filter.ref == f"A1:{get_column_letter(len(header))}{entries.max_row}"
    assert entries.column_dimensions["G"].width > entries.column_dimensions["A"].width
    references = [row[0] for row in entries.iter_rows(min_row=2, values_only=True)]
    assert references == page_references(client, "country=SN")
    facts = {row[0]: row[1] for row in about.iter_rows(min_row=2, values_only=True)}
    assert facts["country"] == "SN" and facts["Entrées"] == len(references)
    assert facts["Adresse de la vue"] == "http://testserver/entries/?country=SN"


def test_xlsx_memory_stays_flat_as_the_rows_grow(client, make_session, make_theme, monkeypatch):
    """With chunks of 50 entries, peak memory for 1,500 rows is about that for 150: rows go to disk as written."""
    monkeypatch.setattr("outcomes.exports.EXPORT_CHUNK", 50)

    def peak(count):
        bulk_entries(make_session, make_theme, count)
        rows = csv_rows(client)
        assert len(rows) == count and "SN" in "".join(rows[-1].values())  # every row, with its tags
        tracemalloc.start()
        response = client.get(XLSX_URL)
        b"".join(response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        Entry.objects.all().delete()
        return peak

    small, large = peak(150), peak(1500)
    assert large < small * 2, (small, large)


def test_an_export_in_all_mode_keeps_the_mode_in_its_query_and_its_name(client, corpus):
    query = "country=SN&country=ES&country_match=all"
    assert {row["reference"] for row in csv_rows(client, query)} == refs(corpus, "patrols")
    response = client.get(f"{XLSX_URL}?{query}")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    facts = {row[0]: row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert facts["country"] == "SN; ES" and facts["country_match"] == "all" and facts["Entrées"] == 1
    assert facts["Adresse de la vue"].endswith(query)
    assert "espagne-et-senegal" in response["Content-Disposition"]
    either = client.get(f"{XLSX_URL}?country=SN&country=ES")
    assert "espagne-ou-senegal" in either["Content-Disposition"]
