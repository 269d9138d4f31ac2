"""The pictures in a real browser: drawn at desktop and phone widths (screenshots in test-artifacts/screenshots/,
copied to docs/screenshots/ when they change on purpose), their links lead to the right pages, and axe-core finds
nothing serious."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"  # as conftest.py's

WIDTHS = {1280: {"width": 1280, "height": 900}, 360: {"width": 360, "height": 740}}

# name: (page, the picture's figure)
PICTURES = {
    "map": ("/", ".picture--map"),
    "explorer-map": ("/entries/?kind=good_practice", ".picture--map"),
    "partnerships": ("/countries/", ".picture--network"),
    "country-network": ("/countries/SN/", ".picture--network"),
    "themes-chart": ("/themes/", ".picture--bars"),
    "sessions-chart": ("/meetings/reunion-thematique-gestion-des-frontieres/", ".picture--bars"),
    "meetings-chart": ("/meetings/", ".picture--bars"),
}


@pytest.fixture
def rich_content(real_fixtures):
    """The real meeting and a few hundred synthetic entries around it, so that every picture has something to say."""
    call_command("generate_synthetic", entries=600, meetings=6, seed=16, stdout=io.StringIO())


@pytest.mark.parametrize("name", PICTURES)
def test_each_picture_draws_at_desktop_and_phone_widths_and_passes_axe(
    page, visit, assert_accessible, rich_content, name
):
    path, figure = PICTURES[name]
    visit(path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        picture = page.locator(figure).first
        box = picture.locator("svg.picture__svg").bounding_box()
        assert box["width"] > (300 if width == 360 else 450) and box["height"] > 100, (name, width, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, width, box)  # no sideways scrolling
        picture.screenshot(path=SCREENSHOTS / f"picture-{name}-{width}.png")
    picture.locator("summary").click()  # the table alternative opens without script
    assert picture.locator("table tbody tr").count() >= 2
    assert_accessible(page)


def test_a_country_on_the_map_leads_to_its_page_by_mouse_and_by_keyboard(page, visit, follow, rich_content):
    visit("/")
    follow(page, page.locator('.picture--map svg a[href="/countries/FR/"]'))
    assert page.url.endswith("/countries/FR/") and page.locator("h1").inner_text().startswith("France")
    visit("/")
    page.locator('.picture--map svg a[href="/countries/SN/"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/countries/SN/") and page.locator("h1").inner_text().startswith("Sénégal")


def test_a_partner_in_the_network_leads_to_the_explorer_on_the_pair(page, visit, follow, rich_content):
    visit("/countries/SN/")
    link = page.locator(".picture--network a.network__link").first
    href = link.get_attribute("href")
    assert href.startswith("/entries/?country=SN&country=")
    assert href.endswith("&country_match=all")
    partner = href.split("&")[1].split("=")[1]
    follow(page, link)
    summary = page.locator(".chips__summary").inner_text()
    assert " et " in summary and "Sénégal" in summary
    assert page.url.endswith(f"country=SN&country={partner}&country_match=all")


def test_a_bar_of_the_themes_chart_leads_to_its_theme(page, visit, follow, rich_content):
    visit("/themes/")
    link = page.locator(".picture--bars svg a").first
    name = link.text_content().strip().rstrip("…")
    follow(page, link)
    assert "/themes/" in page.url and page.locator("h1").inner_text().startswith(name)


def test_a_session_bar_leads_to_the_session_on_the_meeting_page(page, visit, rich_content):
    visit("/meetings/reunion-thematique-gestion-des-frontieres/")
    link = page.locator(".picture--bars svg a").first
    anchor = link.get_attribute("href")
    link.click()
    assert page.url.endswith(anchor) and page.locator(anchor).is_visible()


def test_pictures_work_without_javascript(browser, live_server, rich_content):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=WIDTHS[1280])
    page = context.new_page()
    page.goto("/countries/")
    assert page.locator(".picture--map svg a").count() > 20
    assert page.locator(".picture--network svg a").count() > 10
    context.close()


def test_counts_printed_on_the_map_contrast_with_their_shade(page, visit, rich_content):
    from outcomes.pictures.style import contrast_ratio

    visit("/")
    pairs = page.eval_on_selector_all(
        ".picture--map text.map__count",
        "texts => texts.map(t => [getComputedStyle(t).fill, getComputedStyle(t.parentNode.querySelector('path')).fill])",  # noqa: E501
    )
    assert len(pairs) > 10

    def hex_of(rgb):
        return "#" + "".join(f"{int(c):02x}" for c in rgb[rgb.index("(") + 1 : -1].split(","))

    assert min(contrast_ratio(hex_of(ink), hex_of(shade)) for ink, shade in pairs) >= 4.5
