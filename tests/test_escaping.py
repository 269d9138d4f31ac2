"""Entry text that looks like HTML or script is shown as text on every page and in the admin, and kept as it is
in the exports and the API."""

import csv
import io
import json

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
            "/entries/?country=SN",
            "/entries/?q=bold",
            "/entries/?q=script",
        ]


@pytest.mark.django_db
def test_entry_text_with_html_is_escaped_on_every_public_page(client, hostile_entry):
    for path in public_pages(hostile_entry):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert_shown_as_text(body)
        # Search results show a snippet with the words marked, escaped all the same; the home page shows no text.
        if path != "/" and "?q=" not in path:
            assert ESCAPED_TEXT in body, path


@pytest.mark.django_db
def test_search_snippets_mark_the_words_and_escape_the_rest(client, hostile_entry):
    body = client.get("/entries/?q=bold").content.decode()
    assert hostile_entry.reference in body
    assert "&lt;b&gt;" in body
    assert "<b>bold</b>" not in body


@pytest.mark.django_db
def test_entry_text_with_html_is_kept_as_it_is_in_the_exports_and_the_api(client, hostile_entry):
    response = client.get("/entries.csv?codes=1")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert [row["text"] for row in rows] == [HOSTILE_TEXT]
    response = client.get("/entries.json")
    assert [entry["text"] for entry in json.loads(b"".join(response.streaming_content))["entries"]] == [HOSTILE_TEXT]
    assert response["Content-Type"].startswith("application/json")
    api = client.get(f"/api/entries/{hostile_entry.reference}/")
    assert api.json()["text"] == HOSTILE_TEXT
    assert api["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_json_answers_carry_the_same_text_with_no_raw_markup(client, hostile_entry):
    """The JSON data is the text as written; its characters `<`, `>` and `&` are written as JSON escapes."""
    for path in ["/entries.json", f"/api/entries/{hostile_entry.reference}/", "/api/entries/", "/api/meetings/"]:
        response = client.get(path)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode()
        assert not {"<", ">", "&"} & set(body), path
        assert "\\u003cscript\\u003e" in body or "meetings" in path, path
        assert "é" in body or "meetings" in path, "still UTF-8, not ASCII escapes"
    assert client.get("/api/meetings/").json()["results"][0]["title"] == 'Réunion <img src=x onerror=alert("m")>'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/entries/?country=%3Cscript%3E",
        "/api/sessions/?meeting=%3Cscript%3E",
        "/entries.json?theme=%3Cscript%3E",
        "/entries.csv?theme=%3Cscript%3E",
    ],
)
def test_rejected_values_are_quoted_without_markup(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>" not in body
    assert "script" in body.lower(), "the reason still names the value"
    if response["Content-Type"].startswith("application/json"):
        assert "<script>" in json.dumps(response.json()).lower()


@pytest.mark.django_db
def test_entry_text_with_html_is_escaped_in_the_admin(admin_client, hostile_entry):
    admin = f"/{settings.ADMIN_PATH}outcomes/"
    hostile_entry.text = HOSTILE_TEXT + " <i>corrigé</i>"
    hostile_entry.save()  # a second version, so that the history shows a change of text
    for path in [
        f"{admin}entry/",
        f"{admin}entry/?q=bold",
        f"{admin}entry/{hostile_entry.pk}/change/",
        f"{admin}entry/{hostile_entry.pk}/history/",
        f"{admin}meeting/",
        f"{admin}theme/",
    ]:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_shown_as_text(response.content.decode())
    change_form = admin_client.get(f"{admin}entry/{hostile_entry.pk}/change/").content.decode()
    assert ESCAPED_TEXT in change_form
