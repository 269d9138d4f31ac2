"""Withdrawn entries: a reference that was once public keeps answering, `410 Gone`, instead of vanishing.

An entry is withdrawn when it is no longer public (unpublished, deleted, or its meeting withdrawn) although it was
public before. The versions tell it (outcomes/versions.py): an entry version with the published status, and the
meeting published then too. An entry never published stays a plain 404, so a draft's reference never leaks.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from .models import Entry, Meeting, Status


@dataclass
class Withdrawal:
    """What is left to say of a withdrawn entry: how to cite it, where it came from, since when it is gone."""

    reference: str
    title: str
    kind: str
    withdrawn_at: datetime | None
    meeting_title: str
    meeting: Meeting | None  # the meeting, while it is still public

    def as_json(self, request):
        url = request.build_absolute_uri(self.meeting.get_absolute_url()) if self.meeting else None
        api_url = (
            request.build_absolute_uri(reverse("api:meeting-detail", args=[self.meeting.slug]))
            if self.meeting
            else None
        )
        return {
            "reference": self.reference,
            "title": self.title,
            "kind": self.kind,
            "withdrawn": True,
            "withdrawn_at": self.withdrawn_at,
            "meeting": {"title": self.meeting_title, "url": url},
            "api_meeting": api_url,
        }


def _published_until(records):
    """When the last stretch of published versions ended (None: still published, or never)."""
    ended, published = None, False
    for record in records:
        is_published = record.history_type != "-" and record.status == Status.PUBLISHED
        if published and not is_published:
            ended = record.history_date
        elif is_published:
            ended = None
        published = is_published
    return ended


def find_withdrawal(reference):
    """The withdrawal of the entry with this reference, or None if it was never public (or still is)."""
    records = list(Entry.history.filter(reference=reference).order_by("history_date", "history_id"))
    if not any(record.status == Status.PUBLISHED for record in records):
        return None
    last = records[-1]
    meeting_records = list(Meeting.history.filter(id=last.meeting_id).order_by("history_date", "history_id"))
    if not any(record.status == Status.PUBLISHED and record.history_type != "-" for record in meeting_records):
        return None
    meeting = Meeting.objects.filter(pk=last.meeting_id).first()
    withdrawn_at = _published_until(records) or _published_until(meeting_records)
    return Withdrawal(
        reference=last.reference,
        title=last.title,
        kind=Entry.Kind(last.kind).label if last.kind in Entry.Kind.values else last.kind,
        withdrawn_at=withdrawn_at,
        meeting_title=meeting.title if meeting else meeting_records[-1].title,
        meeting=meeting if meeting and meeting.is_published else None,
    )
