import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from outcomes.models import Country, Entry, Meeting, Status


def test_every_country_of_the_world_exists_with_french_and_english_names(db):
    assert Country.objects.count() >= 249
    senegal = Country.objects.get(code="SN")
    assert (senegal.name_fr, senegal.name_en) == ("Sénégal", "Senegal")
    with translation.override("en"):
        assert str(Country.objects.get(code="MA")) == "Morocco"
    with translation.override("fr"):
        assert str(Country.objects.get(code="MA")) == "Maroc"


def test_entry_takes_its_meeting_from_its_session_and_a_reference_from_the_meeting(make_session):
    session = make_session()
    first = Entry.objects.create(session=session, kind=Entry.Kind.CHALLENGE, order=1, text="Un défi")
    second = Entry.objects.create(session=session, kind=Entry.Kind.CHALLENGE, order=2, text="Un autre défi")
    assert first.meeting == session.meeting
    assert first.reference == f"{session.meeting.code}-001"
    assert second.reference == f"{session.meeting.code}-002"


def test_reference_survives_reordering_edits_and_deletions(make_entry, make_session):
    session = make_session()
    first = make_entry(session=session, order=1)
    second = make_entry(session=session, order=2)
    reference = second.reference
    second.order, second.text = 5, "Texte corrigé"
    second.save()
    first.delete()
    second.refresh_from_db()
    assert second.reference == reference
    third = make_entry(session=session, order=1)
    assert third.reference not in {reference, first.reference}


def test_order_is_unique_within_a_session(make_entry, make_session):
    session = make_session()
    make_entry(session=session, order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_entry(session=session, order=1)


def test_session_slugs_are_unique_within_a_meeting(make_session, make_meeting):
    meeting = make_meeting()
    make_session(meeting=meeting, slug="ouverture")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_session(meeting=meeting, slug="ouverture")


def test_an_entry_cannot_sit_in_a_session_of_another_meeting(make_session, make_meeting):
    session = make_session()
    entry = Entry(meeting=make_meeting(), session=session, kind=Entry.Kind.POLICY, order=1, text="x", reference="X-1")
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "session" in error.value.message_dict


def test_numbered_sub_points_split_the_text_into_lead_in_list_and_closing(make_entry):
    entry = make_entry(
        text="Le Maroc a mis en place 1) des solutions, 2) des plateformes. Fin.",
        sub_points=["des solutions,", "des plateformes."],
    )
    assert entry.lead_in == "Le Maroc a mis en place"
    assert entry.closing == "Fin."


def test_heading_path_walks_up_the_sub_headings(make_session, make_entry):
    session = make_session(title="Session")
    sub = make_session(meeting=session.meeting, parent=session, title="Sous-titre")
    assert make_entry(session=sub).heading_path == ["Session", "Sous-titre"]


def test_published_entries_exclude_drafts_and_entries_of_draft_meetings(make_entry, make_session, make_meeting):
    public = make_entry()
    make_entry(status=Status.DRAFT)
    make_entry(session=make_session(meeting=make_meeting(status=Status.DRAFT)))
    assert list(Entry.objects.published()) == [public]
    assert public.meeting in Meeting.objects.published()
    assert not Meeting.objects.published().filter(status=Status.DRAFT).exists()


def test_meeting_end_date_cannot_precede_start_date(make_meeting):
    meeting = make_meeting(start_date=datetime.date(2022, 5, 2), end_date=datetime.date(2022, 5, 1))
    with pytest.raises(ValidationError):
        meeting.full_clean()
