"""Every public page type in a real browser: it renders, breaks no rule of the security policy, and passes axe-core."""

import pytest


@pytest.fixture
def public_pages(border_meeting):
    return {
        "home": "/",
        "meeting": border_meeting.meeting.get_absolute_url(),
        "entry": border_meeting.joint_patrols.get_absolute_url(),
        "country": "/countries/SN/",
        "theme": border_meeting.themes.patrols.get_absolute_url(),
        "organisation": border_meeting.frontex.get_absolute_url(),
        "meeting-source": f"{border_meeting.meeting.get_absolute_url()}source/",
        "explorer": "/entries/?country=SN&kind=good_practice",
        "search": "/entries/?q=patrouilles+conjointes",
        "invalid-filter": "/entries/?country=XX",
        "meeting-index": "/meetings/",
        "country-index": "/countries/",
        "theme-index": "/themes/",
        "organisation-index": "/organisations/",
        "home-en": "/en/",
        "explorer-en": "/en/entries/?theme=patrouilles-conjointes",
        "meeting-en": f"/en{border_meeting.meeting.get_absolute_url()}",
        "entry-en": f"/en{border_meeting.joint_patrols.get_absolute_url()}",
    }


PAGE_TYPES = [
    "home",
    "meeting",
    "meeting-source",
    "entry",
    "country",
    "theme",
    "organisation",
    "explorer",
    "search",
    "invalid-filter",
    "meeting-index",
    "country-index",
    "theme-index",
    "organisation-index",
    "home-en",
    "explorer-en",
    "meeting-en",
    "entry-en",
]


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_public_pages_pass_axe_core_without_serious_violations(page, visit, assert_accessible, public_pages, name):
    visit(public_pages[name])
    assert page.locator("h1").count() == 1
    assert_accessible(page)


MAIN_PAGES = {
    "home": "/",
    "meeting": "/meetings/reunion-thematique-gestion-des-frontieres/",
    "explorer": "/entries/?country=SN&theme=bilateral-cooperation",
    "country": "/countries/SN/",
}


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_pages_with_the_real_content_fit_desktops_and_phones(page, visit, screenshot, real_fixtures, name):
    visit(MAIN_PAGES[name])
    for path in screenshot(page, name):
        assert path.stat().st_size > 10_000, path
    page.set_viewport_size({"width": 360, "height": 740})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"{name} scrolls sideways on a phone ({scroll_width} px)"


def test_the_not_found_page_passes_axe_core(page, visit, assert_accessible, border_meeting):
    visit("/entries/GF-999/", status=404)
    assert_accessible(page)


def test_an_english_reader_opens_the_french_original_of_an_entry(page, visit, real_fixtures):
    visit("/en/entries/GF-052/")
    assert page.locator(".entry-full__text").inner_text() == "Joint patrols between Spain and Senegal"
    original = page.locator(".translation__original")
    assert not original.is_visible()
    page.get_by_text("Unofficial translation — read the French original").click()
    assert original.inner_text() == "Patrouilles conjointes entre l’Espagne et le Sénégal"
    assert original.get_attribute("lang") == "fr"
