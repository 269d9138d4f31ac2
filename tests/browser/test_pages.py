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
        "home-en": "/en/",
    }


@pytest.mark.parametrize("name", ["home", "meeting", "entry", "country", "theme", "organisation", "home-en"])
def test_public_pages_pass_axe_core_without_serious_violations(page, visit, assert_accessible, public_pages, name):
    visit(public_pages[name])
    assert page.locator("h1").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("name", ["home", "meeting", "country"])
def test_main_pages_are_captured_at_desktop_and_phone_widths(page, visit, screenshot, public_pages, name):
    visit(public_pages[name])
    for path in screenshot(page, name):
        assert path.stat().st_size > 1000
    page.set_viewport_size({"width": 360, "height": 740})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"{name} scrolls sideways on a phone ({scroll_width} px)"
