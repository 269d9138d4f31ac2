"""Public pages answer conditional requests; what the secretariat publishes shows at the next revalidation."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from outcomes.models import Entry, Status


@pytest.fixture
def meeting(make_entry):
    return make_entry().meeting


def vary(response):
    return {part.strip().lower() for part in response.headers.get("Vary", "").split(",")}


def test_public_page_has_an_etag_and_may_be_cached_publicly(client, meeting):
    response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    assert response.headers["ETag"].startswith('W/"')
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert {"cookie", "accept-language"} <= vary(response)


def test_unchanged_page_answers_304_without_running_the_view(client, meeting, django_assert_num_queries):
    etag = client.get(meeting.get_absolute_url()).headers["ETag"]

    with django_assert_num_queries(1):  # the content version, nothing else
        response = client.get(meeting.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.head(meeting.get_absolute_url(), headers={"if-none-match": etag}).status_code == 304


def test_publishing_or_editing_changes_the_etag(client, meeting, make_entry):
    url = reverse("outcomes:home")
    first = client.get(url).headers["ETag"]
    draft = make_entry(session=meeting.sessions.first(), status=Status.DRAFT)
    second = client.get(url).headers["ETag"]
    Entry.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)  # a bulk update sends no signal
    third = client.get(url).headers["ETag"]
    meeting.title = "Titre corrigé"
    meeting.save()

    response = client.get(url, headers={"if-none-match": third})

    assert len({first, second, third}) == 3
    assert response.status_code == 200
    assert response.headers["ETag"] != third


def test_deleting_changes_the_etag(client, meeting):
    etag = client.get(reverse("outcomes:home")).headers["ETag"]
    Entry.objects.filter(meeting=meeting).delete()

    assert client.get(reverse("outcomes:home"), headers={"if-none-match": etag}).status_code == 200


def test_english_and_french_pages_have_different_etags(client, meeting):
    french = client.get("/").headers["ETag"]
    english = client.get("/en/").headers["ETag"]

    assert french != english
    assert client.get("/en/", headers={"if-none-match": french}).status_code == 200


def test_staff_pages_are_private_and_never_answered_from_the_public_etag(client, meeting):
    etag = client.get(meeting.get_absolute_url()).headers["ETag"]
    staff = get_user_model().objects.create_user("secretariat", password="x", is_staff=True)
    client.force_login(staff)

    response = client.get(meeting.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "cookie" in vary(response)


def test_missing_pages_admin_and_health_check_are_left_alone(client, admin_client, db):
    missing = client.get(reverse("outcomes:meeting-detail", args=["nowhere"]))
    assert missing.status_code == 404
    assert "ETag" not in missing.headers
    assert "public" not in missing.headers.get("Cache-Control", "")

    admin = admin_client.get(reverse("admin:index"))
    assert "ETag" not in admin.headers

    health = client.get(reverse("healthz"))
    assert health.content == b"ok"
    assert "ETag" not in health.headers
    assert "public" not in health.headers["Cache-Control"]


def test_post_to_a_public_page_is_not_cached(client, meeting):
    response = client.post(meeting.get_absolute_url())

    assert "ETag" not in response.headers


def test_no_public_page_sets_a_cookie_so_all_can_be_shared(client, meeting):
    entry = meeting.entries.first()
    urls = ["/", "/en/", meeting.get_absolute_url(), entry.get_absolute_url(), "/countries/", "/themes/", "/entries/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "public" in response.headers["Cache-Control"], url
