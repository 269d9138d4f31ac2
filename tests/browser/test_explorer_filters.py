"""Issue 18, as a delegate from Senegal uses the explorer at 1280 and 390 px: filters that apply at once, « et » or
« ou » said in words, the entries addressed to all partners, long facets that hide nothing; and the same without
JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from outcomes.models import Entry
from outcomes.scope import Scope, addressed_to

WIDTHS = {1280: {"width": 1280, "height": 900}, 390: {"width": 390, "height": 844}}


def references_on(page):
    return set(page.locator(".entry-card .reference").all_inner_texts())


def published(**filters):
    return Entry.objects.published().filter(**filters)


def refs(entries):
    return set(entries.values_list("reference", flat=True))


def both(first, second, **filters):
    return published(countries__code=first, **filters).filter(pk__in=published(countries__code=second).values("pk"))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_senegalese_delegate_narrows_to_spain_and_senegal_together(
    page, visit, follow, real_fixtures, assert_accessible, width
):
    page.set_viewport_size(WIDTHS[width])
    assert len(refs(published(scope=Scope.ALL_PARTNERS))) == 41
    everyone = refs(published().filter(addressed_to(["SN"])))  # to all partners, or to Africa or West Africa
    senegal = refs(published(countries__code="SN"))

    # The country page counts the entries addressed to every partner or its region that do not name it, and its
    # link to the explorer includes them.
    visit("/countries/SN/")
    also = len(everyone - senegal)
    expect(page.locator(".country-scope")).to_contain_text(f"{also} entrées adressées à tous les pays partenaires")
    follow(page, page.get_by_role("link", name="Filtrer et exporter ces entrées, avec celles adressées"))
    include = page.get_by_label(
        re.compile(f"Inclure les entrées adressées à tous les pays partenaires ou à leur région \\({len(everyone)}\\)")
    )
    expect(include).to_be_checked()
    expect(page.locator("#results-heading")).to_have_text(f"{len(senegal | everyone)} entrées")
    # With JavaScript the apply button is gone: nothing sticks over the options.
    expect(page.locator(".explorer-apply")).to_be_hidden()

    # Ticking Spain applies at once: the URL follows, the page says « ou ».
    page.get_by_role("group", name="Pays", exact=True).get_by_label("Espagne").check()
    expect(page).to_have_url(re.compile("country=ES"))
    expect(page.locator(".chips__summary")).to_contain_text("Pays : Espagne ou Sénégal")
    expect(page.get_by_role("group", name="Pays", exact=True).get_by_label("Espagne")).to_be_checked()

    # Both at once: « et », and no entry naming only one of them (Spain with Mauritania, GF-023).
    page.get_by_label("toutes à la fois (et)").first.check()
    expect(page).to_have_url(re.compile("country_match=all"))
    expect(page.locator(".chips__summary")).to_contain_text("Pays : Espagne et Sénégal")
    expect(page.locator(".chip").first).to_be_visible()
    include = page.get_by_label(re.compile("Inclure les entrées adressées"))
    include.uncheck()
    expect(page).not_to_have_url(re.compile("include_all_partners"))
    spain_and_senegal = refs(both("SN", "ES"))
    expect(page.locator("#results-heading")).to_have_text(f"{len(spain_and_senegal)} entrées")
    page.get_by_role("group", name="Thème", exact=True).get_by_label("Patrouilles conjointes").check()
    expect(page).to_have_url(re.compile("theme=joint-patrols"))
    expected = refs(both("SN", "ES", themes__slug="joint-patrols"))
    expect(page.locator("#results-heading")).to_have_text(
        f"{len(expected)} entrée" + ("s" if len(expected) > 1 else "")
    )
    assert references_on(page) == expected and "GF-023" not in references_on(page)
    assert_accessible(page)

    # Back and forward show each state again.
    page.go_back()
    expect(page).not_to_have_url(re.compile("theme="))
    expect(page.locator("#results-heading")).to_have_text(f"{len(spain_and_senegal)} entrées")
    page.go_forward()
    expect(page).to_have_url(re.compile("theme=joint-patrols"))
    expect(page.get_by_role("group", name="Thème", exact=True).get_by_label("Patrouilles conjointes")).to_be_checked()

    # The downloads carry the same question.
    assert "country_match=all" in page.locator(".downloads a").first.get_attribute("href")


@pytest.mark.parametrize("width", WIDTHS)
def test_long_facets_filter_and_show_all_and_nothing_is_out_of_reach(
    page, visit, real_fixtures, assert_accessible, width
):
    page.set_viewport_size(WIDTHS[width])
    visit("/entries/")
    # A box filters a long list.
    countries = page.get_by_role("group", name="Pays", exact=True)
    countries.get_by_role("searchbox").fill("mauri")
    expect(countries.locator("li:visible label").first).to_contain_text("Mauritanie")
    visible = [label.strip() for label in countries.locator("li:visible label").all_inner_texts()]
    assert visible and all("Mauritanie" in label for label in visible)
    themes = page.get_by_role("group", name="Thème", exact=True)
    # No list scrolls inside a small box: every option of a facet is in the flow of the page.
    assert themes.locator("ul").first.evaluate("ul => getComputedStyle(ul).overflowY") == "visible"
    # « Show all » fetches the options folded away into the facet; one of them can be picked.
    summary = themes.locator("summary")
    expect(summary).to_contain_text("Afficher les")
    summary.click()
    folded = themes.locator(".facet__all input").first
    expect(folded).to_be_visible()
    value = folded.get_attribute("value")
    folded.check()
    expect(page).to_have_url(re.compile(f"theme={value}"))
    # The chosen option stays in sight, among the first options.
    expect(
        page.get_by_role("group", name="Thème", exact=True).locator(f'.facet__options input[value="{value}"]').first
    ).to_be_visible()

    assert_accessible(page)


def test_a_facet_left_without_options_says_so(page, visit, real_fixtures):
    visit("/entries/?kind=recommendation&theme=integrated-border-management")
    countries = page.get_by_role("group", name="Pays", exact=True)
    expect(countries).to_be_visible()
    expect(countries).to_contain_text("Aucune option avec les autres filtres.")


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_the_form_applies_with_its_button_which_covers_nothing(
    browser, live_server, real_fixtures, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport=WIDTHS[width], locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/entries/?country=SN")
        button = page.locator(".explorer-apply")
        expect(button).to_be_visible()
        assert button.evaluate("b => getComputedStyle(b).position") == "static"
        # The button comes after every option: it covers none of them.
        last_facet = page.locator(".explorer-facets fieldset.facet").last.bounding_box()
        assert button.bounding_box()["y"] >= last_facet["y"] + last_facet["height"]
        page.get_by_role("group", name="Pays", exact=True).get_by_label("Espagne").check()
        page.get_by_label("toutes à la fois (et)").first.check()
        with page.expect_navigation():
            button.click()
        assert "country=ES" in page.url and "country_match=all" in page.url
        expect(page.locator(".chips__summary")).to_contain_text("Pays : Espagne et Sénégal")
        # « Show all » is a plain <details> with a link to the facet's own page, where the others are ticked.
        page.goto("/entries/?kind=recommendation")
        themes = page.get_by_role("group", name="Thème", exact=True)
        themes.locator("summary").click()
        with page.expect_navigation():
            themes.get_by_role("link", name=re.compile("Choisir parmi toutes les options")).click()
        other = page.locator("#facet-others input").first
        value = other.get_attribute("value")
        other.check()
        with page.expect_navigation():
            page.get_by_role("button", name="Appliquer").click()
        assert f"theme={value}" in page.url and "kind=recommendation" in page.url
    finally:
        context.close()
