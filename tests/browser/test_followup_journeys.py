"""Follow-up and links in a real browser: a delegate takes Senegal's follow-up matrix home, and goes from a
challenge to the practices that address it."""

import csv
import datetime
import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from outcomes.models import Entry, EntryLink, FollowUp, Status


def test_a_delegate_goes_from_senegal_to_its_follow_up_and_downloads_its_matrix(
    page, visit, follow, real_fixtures, assert_accessible
):
    """Senegal's page → its follow-up page (grouped by theme) → the XLSX and CSV matrices hold its recommendations."""
    recommendations = Entry.objects.published().filter(kind=Entry.Kind.RECOMMENDATION, countries__code="SN")
    expected = set(recommendations.values_list("reference", flat=True))
    assert expected == {"GF-061", "GF-062", "GF-063", "GF-064", "GF-065", "GF-066"}
    FollowUp.objects.create(
        recommendation=Entry.objects.get(reference="GF-063"),
        country_id="SN",
        progress="in_progress",
        date=datetime.date(2024, 5, 1),
        evidence="Deux sessions de mentorat tenues à Dakar.",
        source_url="https://example.org/rapport.pdf",
        status=Status.PUBLISHED,
    )

    visit("/countries/SN/")
    panel = page.get_by_role("region", name="Suivi des recommandations")
    expect(panel).to_contain_text("En cours 1")
    expect(panel).to_contain_text("Aucun suivi enregistré 5")
    with page.expect_download() as download:
        panel.get_by_role("link", name="Matrice de suivi (XLSX)").click()
    assert download.value.suggested_filename == "matrice-suivi-SN.xlsx"
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Thème", "Référence", "Type"]
    assert {row[1] for row in rows[1:]} == expected
    assert {row[6] for row in rows[1:] if row[1] == "GF-063"} == {"En cours"}
    assert sheet.freeze_panes == "A2"

    follow(page, panel.get_by_role("link", name="Les recommandations qui le concernent, par thème"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi des recommandations · Sénégal")
    expect(page.locator("tr", has_text="GF-063").first).to_contain_text("En cours")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la matrice (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        references = {row["Référence"] for row in csv.DictReader(io.StringIO(file.read()), delimiter=";")}
    assert references == expected


def test_a_reader_goes_from_a_challenge_to_the_practices_that_address_it(page, visit, follow, real_fixtures):
    """The Spain–Senegal challenge of an intelligence-sharing platform, and a practice (test data) that answers
    it: the link reads both ways, and a draft practice never shows."""
    challenge = Entry.objects.get(reference="GF-055")
    practice = Entry.objects.get(reference="GF-053")
    draft = Entry.objects.create(
        session=practice.session, kind=Entry.Kind.GOOD_PRACTICE, order=99, text="Brouillon", status=Status.DRAFT
    )
    for source in (practice, draft):
        EntryLink.objects.create(from_entry=source, to_entry=challenge, kind="addresses")

    visit(challenge.get_absolute_url())
    links = page.get_by_role("region", name="Liens avec d'autres entrées")
    expect(links).to_contain_text("Défi traité par")
    assert links.locator(".reference").all_inner_texts() == ["GF-053"]
    follow(page, links.get_by_role("link", name="GF-053"))
    expect(page).to_have_url(f"{page.url.split('/entries/')[0]}/entries/GF-053/")
    expect(page.get_by_role("heading", level=1)).to_have_text(practice.display_title)
    back = page.get_by_role("region", name="Liens avec d'autres entrées")
    expect(back).to_contain_text("Répond au défi")
    follow(page, back.get_by_role("link", name="GF-055"))
    expect(page).to_have_url(f"{page.url.split('/entries/')[0]}/entries/GF-055/")
