"""Links between entries: the rules a curator meets in the admin, and how pages show a link from both ends."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from outcomes.models import Entry, EntryLink, Status
from tests.admin_support import form_data
from tests.test_pages import text_of

CHALLENGE, PRACTICE, RECOMMENDATION, RESULT = (
    Entry.Kind.CHALLENGE,
    Entry.Kind.GOOD_PRACTICE,
    Entry.Kind.RECOMMENDATION,
    Entry.Kind.RESULT,
)


@pytest.fixture
def two_meetings(make_meeting, make_session):
    """An earlier and a later meeting, both dated, each with one session."""
    earlier = make_meeting(title="Réunion de 2019", start_date=datetime.date(2019, 7, 1))
    later = make_meeting(title="Réunion de 2022", start_date=datetime.date(2022, 3, 1))
    return make_session(meeting=earlier), make_session(meeting=later)


def link(source, target, kind):
    made = EntryLink(from_entry=source, to_entry=target, kind=kind)
    made.full_clean()
    made.save()
    return made


def refused(source, target, kind):
    """The messages of the ValidationError that full_clean() raises for this link."""
    with pytest.raises(ValidationError) as error:
        EntryLink(from_entry=source, to_entry=target, kind=kind).full_clean()
    return " ".join(message for messages in error.value.message_dict.values() for message in messages)


def test_a_practice_addresses_a_challenge_and_a_result_implements_a_recommendation(make_entry):
    challenge, practice = make_entry(kind=CHALLENGE), make_entry(kind=PRACTICE)
    recommendation, result = make_entry(kind=RECOMMENDATION), make_entry(kind=RESULT)
    link(practice, challenge, EntryLink.Kind.ADDRESSES)
    link(result, recommendation, EntryLink.Kind.IMPLEMENTS)
    assert EntryLink.objects.count() == 2


@pytest.mark.parametrize(
    ("source_kind", "target_kind", "kind", "message"),
    [
        (PRACTICE, PRACTICE, "addresses", "ne peut pas aboutir à une entrée de type « Bonne pratique »"),
        (CHALLENGE, CHALLENGE, "addresses", "ne peut pas partir d'une entrée de type « Défi »"),
        (CHALLENGE, RECOMMENDATION, "implements", "ne peut pas partir d'une entrée de type « Défi »"),
        (PRACTICE, CHALLENGE, "implements", "ne peut pas aboutir à une entrée de type « Défi »"),
    ],
)
def test_a_link_between_the_wrong_kinds_of_entry_is_refused_naming_the_allowed_kinds(
    make_entry, source_kind, target_kind, kind, message
):
    assert message in refused(make_entry(kind=source_kind), make_entry(kind=target_kind), kind)


def test_an_entry_cannot_be_linked_to_itself(make_entry):
    entry = make_entry()
    assert refused(entry, entry, "see_also") == "Une entrée ne peut pas être liée à elle-même."
    with pytest.raises(IntegrityError), transaction.atomic():  # nor around the validation
        EntryLink.objects.create(from_entry=entry, to_entry=entry, kind="see_also")


def test_a_duplicate_link_is_refused_and_see_also_counts_both_ways(make_entry):
    practice, challenge = make_entry(kind=PRACTICE), make_entry(kind=CHALLENGE)
    link(practice, challenge, "addresses")
    assert refused(practice, challenge, "addresses") == (
        "Ce lien existe déjà : même entrée de départ, même entrée d'arrivée, même type."
    )
    link(practice, challenge, "see_also")
    assert refused(challenge, practice, "see_also") == (
        f"Ce lien existe déjà : {practice.reference} voir aussi {challenge.reference}."
    )


def test_an_unknown_link_type_is_refused(make_entry):
    message = refused(make_entry(), make_entry(), "contradicts")
    assert "contradicts" in message and "n’est pas un choix valide" in message


def test_a_follow_up_comes_from_a_later_meeting(make_entry, two_meetings):
    earlier, later = two_meetings
    old, new = make_entry(session=earlier), make_entry(session=later)
    link(new, old, "follows_up")
    message = refused(old, new, "follows_up")
    assert message.startswith(f"{new.reference} n'appartient pas à une réunion antérieure à celle de {old.reference}")


def test_a_follow_up_within_one_meeting_is_refused(make_entry, make_session):
    session = make_session()
    first, second = make_entry(session=session), make_entry(session=session)
    assert "n'appartient pas à une réunion antérieure" in refused(second, first, "follows_up")


def test_a_follow_up_between_undated_meetings_says_why_it_cannot_be_checked(make_entry, make_session):
    first, second = make_entry(), make_entry()
    assert refused(second, first, "follows_up").startswith(
        f"Impossible de dire si la réunion de {first.reference} précède celle de {second.reference}"
    )
    # Naming the previous meeting is enough to tell.
    second.meeting.previous_meeting = first.meeting
    second.meeting.save()
    link(Entry.objects.get(pk=second.pk), first, "follows_up")


def test_a_cycle_of_follow_ups_is_refused(make_entry, make_meeting, make_session):
    """Dates that contradict the chain of previous meetings could otherwise let a cycle in."""
    a = make_meeting(start_date=datetime.date(2020, 1, 1))
    b = make_meeting(start_date=datetime.date(2021, 1, 1), previous_meeting=a)
    c = make_meeting(previous_meeting=b)
    a.previous_meeting = c  # an inconsistent chain: c is also said to come before a
    a.save()
    first, second, third = (make_entry(session=make_session(meeting=m)) for m in (a, b, c))
    link(second, first, "follows_up")
    link(third, second, "follows_up")
    assert refused(first, third, "follows_up") == (
        f"Ce lien fermerait un cycle de suites : {third.reference} fait déjà suite à {first.reference}."
    )


def test_a_linked_entry_cannot_be_deleted_so_no_link_is_left_dangling(make_entry):
    practice, challenge = make_entry(kind=PRACTICE), make_entry(kind=CHALLENGE)
    link(practice, challenge, "addresses")
    for entry in (practice, challenge):
        with pytest.raises(ProtectedError), transaction.atomic():
            entry.delete()
    assert EntryLink.objects.count() == 1


def test_the_admin_refuses_to_delete_a_linked_entry_and_names_the_link(client, secretariat_user, make_entry):
    client.force_login(secretariat_user)
    practice, challenge = make_entry(kind=PRACTICE), make_entry(kind=CHALLENGE)
    link(practice, challenge, "addresses")
    url = reverse("admin:outcomes_entry_delete", args=[challenge.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert f"{practice.reference} répond au défi {challenge.reference}" in text_of(page)
    client.post(url, {"post": "yes"})
    assert Entry.objects.filter(pk=challenge.pk).exists()


def test_the_secretariat_adds_a_link_on_the_entry_page_and_history_records_it(client, secretariat_user, make_entry):
    client.force_login(secretariat_user)
    practice, challenge = make_entry(kind=PRACTICE), make_entry(kind=CHALLENGE)
    url = reverse("admin:outcomes_entry_change", args=[practice.pk])
    data = form_data(client.get(url))
    data.update({"links_out-TOTAL_FORMS": "1", "links_out-0-kind": "addresses", "links_out-0-to_entry": challenge.pk})
    assert client.post(url, data).status_code == 302
    made = EntryLink.objects.get()
    assert (made.from_entry, made.to_entry, made.kind) == (practice, challenge, "addresses")
    record = made.history.get()
    assert (record.history_type, record.history_user) == ("+", secretariat_user)


def test_the_admin_shows_a_refused_link_as_a_form_error(client, secretariat_user, make_entry):
    client.force_login(secretariat_user)
    practice = make_entry(kind=PRACTICE)
    url = reverse("admin:outcomes_entry_change", args=[practice.pk])
    data = form_data(client.get(url))
    data.update({"links_out-TOTAL_FORMS": "1", "links_out-0-kind": "see_also", "links_out-0-to_entry": practice.pk})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Une entrée ne peut pas être liée à elle-même." in text_of(response)
    assert not EntryLink.objects.exists()


def test_the_link_autocomplete_finds_entries_by_reference_or_text(client, secretariat_user, make_entry):
    client.force_login(secretariat_user)
    wanted = make_entry(text="Patrouilles conjointes entre l'Espagne et le Sénégal")
    make_entry(text="Autre chose")
    params = {"app_label": "outcomes", "model_name": "entrylink", "field_name": "to_entry"}
    for term in ("conjointes", wanted.reference):
        found = client.get(reverse("admin:autocomplete"), {**params, "term": term}).json()["results"]
        assert [result["id"] for result in found] == [str(wanted.pk)]


def test_entry_pages_show_a_link_from_both_ends_with_inverse_labels(client, make_entry, two_meetings):
    earlier, later = two_meetings
    challenge = make_entry(session=earlier, kind=CHALLENGE, text="Mettre en place une plateforme de partage")
    practice = make_entry(session=later, kind=PRACTICE, text="Une plateforme commune a été créée")
    hidden = make_entry(session=later, kind=PRACTICE, status=Status.DRAFT)
    link(practice, challenge, "addresses")
    link(hidden, challenge, "addresses")
    link(practice, challenge, "follows_up")

    challenge_page = text_of(client.get(challenge.get_absolute_url()))
    assert f"Défi traité par Bonne pratique {practice.reference} Une plateforme commune" in challenge_page
    assert f"Suivi par Bonne pratique {practice.reference}" in challenge_page
    assert hidden.reference not in challenge_page  # a draft is never shown through a link
    practice_page = text_of(client.get(practice.get_absolute_url()))
    assert f"Répond au défi Défi {challenge.reference} Mettre en place une plateforme" in practice_page
    assert "(Réunion de 2019)" in practice_page  # the other meeting is named


def test_the_history_log_still_lists_a_link_whose_entries_are_gone(client, superuser, make_entry):
    client.force_login(superuser)
    practice, challenge = make_entry(kind=PRACTICE), make_entry(kind=CHALLENGE)
    link(practice, challenge, "addresses").delete()
    ids = practice.pk, challenge.pk
    practice.delete()
    challenge.delete()
    page = client.get(reverse("admin:outcomes_historicalentrylink_changelist"))
    assert page.status_code == 200
    assert f"#{ids[0]} répond au défi #{ids[1]}" in text_of(page)  # the ids stand in for the references
