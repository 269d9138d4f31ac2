"""What delegates, visitors and the secretariat do on the site, in a real browser, and what they see."""

import csv
import io
import json
import re

from django.conf import settings
from playwright.sync_api import expect

from outcomes.models import Entry, EntryCountry, Status, Theme

PASSWORD = "un mot de passe assez long pour le test"


def references_on(page):
    """The references of the entry cards the page shows, in order."""
    return page.locator(".entry-card .reference").all_inner_texts()


def csv_references(path):
    """The references in a CSV downloaded from the French interface: labelled columns, `;` for French Excel."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        return [row["Référence"] for row in csv.DictReader(file, delimiter=";")]


def test_a_delegate_finds_senegal_good_practices_on_one_theme_and_downloads_them(page, visit, follow, real_fixtures):
    """Journey 1: home → Senegal → its good practices → one theme → the CSV holds exactly those entries."""
    joint_patrols = Theme.objects.get(slug="joint-patrols")
    senegal_good_practices = Entry.objects.published().filter(kind=Entry.Kind.GOOD_PRACTICE, countries__code="SN")
    expected = sorted(senegal_good_practices.filter(themes=joint_patrols).values_list("reference", flat=True))
    assert expected == ["GF-052"]
    # A draft about the same country, kind and theme must stay out of everything the delegate sees.
    draft = Entry.objects.create(
        session=senegal_good_practices.first().session,
        kind=Entry.Kind.GOOD_PRACTICE,
        order=999,
        text="Brouillon : patrouilles conjointes aériennes",
        status=Status.DRAFT,
    )
    EntryCountry.objects.create(entry=draft, country_id="SN", role=EntryCountry.Role.IMPLEMENTING)
    draft.themes.add(joint_patrols)

    visit("/")
    follow(page, page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Pays"))
    follow(page, page.locator(".index-list").get_by_role("link", name="Sénégal", exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sénégal")
    good_practices = page.locator("section.kind-group", has=page.locator("#kind-good_practice"))
    assert sorted(good_practices.locator(".reference").all_inner_texts()) == sorted(
        senegal_good_practices.values_list("reference", flat=True)
    )

    # From the country page the explorer also takes the entries addressed to all partners; ticking applies at once.
    follow(page, page.get_by_role("link", name="Filtrer et exporter ces entrées, avec celles adressées"))
    page.get_by_role("group", name="Type").get_by_label("Bonne pratique").check()
    expect(page).to_have_url(re.compile("kind=good_practice"))
    to_everyone = Entry.objects.published().filter(kind=Entry.Kind.GOOD_PRACTICE, scope="all_partners")
    expect(page.locator("#results-heading")).to_have_text(
        f"{senegal_good_practices.count() + to_everyone.count()} entrées"
    )
    page.get_by_label(re.compile("Inclure les entrées adressées à tous les pays partenaires")).uncheck()
    expect(page).not_to_have_url(re.compile("include_all_partners"))
    expect(page.locator("#results-heading")).to_have_text(f"{senegal_good_practices.count()} entrées")
    assert sorted(references_on(page)) == sorted(senegal_good_practices.values_list("reference", flat=True))

    page.get_by_role("group", name="Thème").get_by_label("Patrouilles conjointes").check()
    expect(page).to_have_url(re.compile("theme=joint-patrols"))
    expect(page.locator("#results-heading")).to_have_text("1 entrée")
    assert sorted(references_on(page)) == expected
    expect(page.locator("#results-heading")).to_have_text("1 entrée")
    assert draft.reference not in references_on(page)

    with page.expect_download() as download_info:
        page.locator(".downloads").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("rabat-kb_senegal_") and download.suggested_filename.endswith(".csv")
    assert sorted(csv_references(download.path())) == expected


def test_a_visitor_searches_joint_patrols_and_lands_on_the_spain_senegal_entry(page, visit, follow, real_fixtures):
    """Journey 2: the home page's search box → the results → the Spain–Senegal joint patrols entry."""
    visit("/")
    page.get_by_label("Rechercher dans les entrées").fill("patrouilles conjointes")
    follow(page, page.get_by_role("button", name="Rechercher"))
    expect(page.get_by_label("Rechercher dans le texte des entrées")).to_have_value("patrouilles conjointes")
    card = page.locator(".entry-card", has_text="Patrouilles conjointes entre l’Espagne et le Sénégal")
    follow(page, card.locator(".reference"))

    assert page.url.endswith("/entries/GF-052/")
    expect(page.locator(".entry-full__text")).to_have_text("Patrouilles conjointes entre l’Espagne et le Sénégal")
    tags = page.locator(".entry-tags")
    expect(tags.get_by_role("link", name="Espagne")).to_be_visible()
    expect(tags.get_by_role("link", name="Sénégal")).to_be_visible()
    expect(tags.get_by_role("link", name="Patrouilles conjointes")).to_be_visible()


def test_a_visitor_switches_to_english_on_the_meeting_page_and_stays_there(page, visit, follow, border_meeting):
    """Journey 3: the language switcher keeps the visitor on the page they were reading."""
    meeting_path = border_meeting.meeting.get_absolute_url()
    visit(meeting_path)
    assert page.locator("html").get_attribute("lang") == "fr"
    follow(page, page.get_by_role("link", name="English"))

    assert page.url == f"{page.url.split('/en/')[0]}/en{meeting_path}"
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text(border_meeting.meeting.title)
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Countries")).to_be_visible()

    follow(page, page.get_by_role("link", name="Français"))
    assert re.fullmatch(r"http://[^/]+" + re.escape(meeting_path), page.url), page.url
    assert page.locator("html").get_attribute("lang") == "fr"


def log_in(page, username):
    page.goto(f"/{settings.ADMIN_PATH}login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"**/{settings.ADMIN_PATH}")


def test_the_secretariat_corrects_tags_and_publishes_an_entry_and_the_history_lists_it(
    page, visit, follow, border_meeting, django_user_model
):
    """Journey 4: a secretariat member fixes a draft in the admin and publishes it; the public sees it at once."""
    from django.contrib.auth.models import Group

    member = django_user_model.objects.create_user("amina", password=PASSWORD, is_staff=True)
    member.groups.add(Group.objects.get(name="Secretariat"))
    draft = border_meeting.draft
    public_path = draft.get_absolute_url()
    corrected = "Patrouilles conjointes renforcées entre l’Espagne et le Sénégal, y compris aériennes"
    visit(public_path, status=404)

    log_in(page, "amina")
    follow(page, page.get_by_role("link", name="Entrées").first)
    page.locator("#searchbar").fill(draft.reference)  # the entry list's search box
    follow(page, page.get_by_role("button", name="Rechercher"))
    follow(page, page.get_by_role("link", name=draft.reference, exact=True))

    page.locator("#id_text").fill(corrected)
    page.locator(".field-themes .select2-selection").click()
    page.locator(".field-themes .select2-search__field").fill("Forma")
    page.get_by_role("option", name="Formation", exact=True).click()
    page.locator("#id_status").select_option("published")
    follow(page, page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page.locator(".messagelist .success")).to_be_visible()

    visit(public_path)
    expect(page.locator(".entry-full__text")).to_have_text(corrected)
    expect(page.locator(".entry-tags").get_by_role("link", name="Formation")).to_be_visible()

    visit(f"/{settings.ADMIN_PATH}outcomes/entry/{draft.pk}/change/")
    follow(page, page.get_by_role("link", name="Historique"))
    history = page.locator("#content")
    expect(history.get_by_text("amina").first).to_be_visible()
    expect(history.get_by_text(corrected).first).to_be_visible()


def test_a_draft_entry_never_reaches_a_visitor(page, visit, follow, border_meeting):
    """Journey 5: pages, search, exports and the API all leave the draft out."""
    draft = border_meeting.draft
    secret = "Brouillon confidentiel"
    assert secret in draft.text

    visit(draft.get_absolute_url(), status=404)
    for path in [
        "/",
        border_meeting.meeting.get_absolute_url(),
        "/countries/SN/",
        border_meeting.themes.patrols.get_absolute_url(),
        "/entries/?country=SN&theme=patrouilles-conjointes",
        "/en/countries/SN/",
    ]:
        visit(path)
        assert secret not in page.content(), path
        assert draft.reference not in references_on(page), path

    visit("/")
    page.get_by_label("Rechercher dans les entrées").fill("brouillon confidentiel")
    follow(page, page.get_by_role("button", name="Rechercher"))
    expect(page.get_by_text("Aucune entrée ne correspond à ces critères.")).to_be_visible()
    assert references_on(page) == []

    visit("/entries/?country=SN")
    with page.expect_download() as download_info:
        page.locator(".downloads").get_by_role("link", name="CSV").click()
    exported = csv_references(download_info.value.path())
    assert border_meeting.joint_patrols.reference in exported
    assert draft.reference not in exported

    for path in ["/entries.json?country=SN", "/api/entries/?country=SN", "/api/entries/?q=brouillon"]:
        response = page.request.get(path)
        assert response.ok, path
        assert secret not in response.text(), path
        assert draft.reference not in response.text(), path
    assert border_meeting.joint_patrols.reference in json.dumps(page.request.get("/api/entries/?country=SN").json())
    assert page.request.get(f"/api/entries/{draft.reference}/").status == 404
    csv_text = page.request.get("/entries.csv?codes=1").text().lstrip("\ufeff")
    assert draft.reference not in [row["reference"] for row in csv.DictReader(io.StringIO(csv_text), delimiter=";")]
