"""A reference once published never dies silently: withdrawn entries answer 410 Gone, on the site and in the API."""

import pytest
from django.urls import reverse

from outcomes.models import Entry, Status
from tests.admin_support import action_data
from tests.test_api_contract import answer_schema, conforms

CHANGELIST = "/admin/outcomes/entry/"


@pytest.fixture
def curator(client, secretariat_user):
    client.force_login(secretariat_user)
    yield client
    client.logout()


def api_url(entry):
    return reverse("api:entry-detail", args=[entry.reference])


def test_an_unpublished_entry_answers_410_with_its_reference_title_date_and_meeting(client, curator, make_entry):
    entry = make_entry(title="Patrouilles conjointes")
    curator.post(CHANGELIST, action_data("unpublish_selected", entry))
    withdrawn_at = entry.history.latest().history_date
    curator.logout()

    response = client.get(entry.get_absolute_url())
    assert response.status_code == 410
    page = response.content.decode()
    assert entry.reference in page and "Patrouilles conjointes" in page
    assert f"retirée le {withdrawn_at.day} " in page
    assert f'<a href="{entry.meeting.get_absolute_url()}">Voir la page de la réunion</a>' in page

    api = client.get(api_url(entry))
    assert api.status_code == 410
    body = api.json()
    assert (body["reference"], body["title"], body["withdrawn"]) == (entry.reference, "Patrouilles conjointes", True)
    assert body["meeting"] == {
        "title": entry.meeting.title,
        "url": f"http://testserver{entry.meeting.get_absolute_url()}",
    }
    assert body["withdrawn_at"].startswith(withdrawn_at.date().isoformat())
    conforms(body, answer_schema("/api/entries/{reference}/", status="410"))


def test_a_deleted_entry_answers_410_and_its_reference_is_never_given_again(client, curator, make_entry, make_session):
    session = make_session()
    first, last = make_entry(session=session, order=1), make_entry(session=session, order=2)
    curator.post(reverse("admin:outcomes_entry_delete", args=[last.pk]), {"post": "yes"})
    assert client.get(last.get_absolute_url()).status_code == 410
    assert client.get(api_url(last)).status_code == 410
    new = Entry.objects.create(session=session, kind=Entry.Kind.POLICY, order=3, text="Nouvelle")
    assert new.reference not in {first.reference, last.reference}


def test_an_entry_never_published_stays_a_404(client, make_entry):
    draft = make_entry(status=Status.DRAFT, title="Brouillon secret")
    Entry.objects.filter(pk=draft.pk).update(text="Encore un brouillon")
    draft.delete()
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404 and "Brouillon secret" not in response.content.decode()
    assert client.get(api_url(draft)).status_code == 404


def test_an_entry_published_in_a_meeting_never_published_stays_a_404(client, make_entry, make_meeting, make_session):
    hidden = make_entry(session=make_session(meeting=make_meeting(status=Status.DRAFT)))
    hidden.status = Status.DRAFT
    hidden.save()
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_an_entry_of_a_withdrawn_meeting_answers_410_without_a_link_to_the_meeting(client, make_entry):
    entry = make_entry()
    meeting = entry.meeting
    meeting.status = Status.DRAFT
    meeting.save()
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 410
    page = response.content.decode()
    assert meeting.title in page and meeting.get_absolute_url() not in page
    body = client.get(api_url(entry)).json()
    assert body["meeting"] == {"title": meeting.title, "url": None}
    conforms(body, answer_schema("/api/entries/{reference}/", status="410"))


def test_a_withdrawn_entry_published_again_is_back(client, curator, make_entry):
    entry = make_entry()
    curator.post(CHANGELIST, action_data("unpublish_selected", entry))
    curator.post(CHANGELIST, action_data("publish_selected", entry))
    assert client.get(entry.get_absolute_url()).status_code == 200
    assert client.get(api_url(entry)).status_code == 200
