"""Entry text that looks like HTML or script is shown as text, on every page and in the admin."""

import pytest
from django.conf import settings
from django.utils import translation

HOSTILE_TEXT = '<script>alert("x")</script> & <b>bold</b>'
ESCAPED_TEXT = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"


@pytest.fixture
def hostile_entry(make_entry, make_theme, make_session, make_meeting):
    meeting = make_meeting(title='Réunion <img src=x onerror=alert("m")>')
    session = make_session(meeting=meeting, title="<i>Session</i>")
    return make_entry(
        session=session,
        text=HOSTILE_TEXT,
        title="<b>titre</b>",
        countries=["SN"],
        themes=[make_theme(slug="hostile", name_fr="<em>Thème</em>")],
    )


def assert_shown_as_text(body):
    assert "<script>alert" not in body
    assert "<b>bold</b>" not in body
    assert "<img src=x" not in body


def public_pages(entry):
    theme = entry.themes.get()
    with translation.override("fr"):
        return [
            "/",
            entry.get_absolute_url(),
            entry.meeting.get_absolute_url(),
            "/countries/SN/",
            theme.get_absolute_url(),
            f"/en{entry.get_absolute_url()}",
        ]


@pytest.mark.django_db
def test_entry_text_with_html_is_escaped_on_every_public_page(client, hostile_entry):
    for path in public_pages(hostile_entry):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_shown_as_text(response.content.decode())


@pytest.mark.django_db
def test_entry_text_with_html_is_escaped_in_the_admin(admin_client, hostile_entry):
    admin = f"/{settings.ADMIN_PATH}outcomes/"
    for path in [f"{admin}entry/", f"{admin}entry/{hostile_entry.pk}/change/", f"{admin}meeting/", f"{admin}theme/"]:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_shown_as_text(response.content.decode())
    change_form = admin_client.get(f"{admin}entry/{hostile_entry.pk}/change/").content.decode()
    assert ESCAPED_TEXT in change_form
