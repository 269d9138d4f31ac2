"""What the secretariat does to a proposed meeting before it is created: accept, edit, merge, split, drop entries,
accept or reject tags, set the meeting's names. Each step changes the draft (the exchange dict) in place."""

from django.utils.translation import gettext_lazy as _

from outcomes.models import Entry

from .segment import sub_points

TAG_LISTS = {"country": "countries", "organisation": "organisations", "theme": "themes"}
MEETING_FIELDS = ["title", "slug", "code", "kind"]


class ReviewError(Exception):
    """A step that cannot be done, with the message to show."""


def entry_keys(draft):
    """(session index, entry index, key) of every entry, in document order."""
    return [
        (s, e, f"{s}-{e}") for s, session in enumerate(draft["sessions"]) for e, _entry in enumerate(session["entries"])
    ]


def find(draft, key):
    """The session index, entry index and entry of a key such as "3-2"."""
    try:
        s, e = (int(part) for part in str(key).split("-"))
        if s < 0 or e < 0:
            raise ValueError
        return s, e, draft["sessions"][s]["entries"][e]
    except (ValueError, IndexError, KeyError, TypeError):
        raise ReviewError(_("Cette entrée n'existe plus : la page a peut-être été modifiée entre-temps.")) from None


def accept(draft, key):
    find(draft, key)[2]["proposal"]["state"] = "accepted"


def edit(draft, key, text, kind):
    entry = find(draft, key)[2]
    text = " ".join((text or "").split())
    if not text:
        raise ReviewError(_("Le texte d'une entrée ne peut pas être vide : supprimez-la plutôt."))
    if kind not in Entry.Kind.values:
        raise ReviewError(_("Type d'entrée inconnu."))
    entry.update(text=text, kind=kind, sub_points=sub_points(text))
    entry["proposal"]["state"] = "accepted"


def drop(draft, key):
    s, e, _entry = find(draft, key)
    del draft["sessions"][s]["entries"][e]


def merge_with_previous(draft, key):
    s, e, entry = find(draft, key)
    if e == 0:
        raise ReviewError(_("C'est la première entrée de sa session : il n'y en a pas avant elle à qui la joindre."))
    previous = draft["sessions"][s]["entries"][e - 1]
    previous["text"] = f"{previous['text']} {entry['text']}"
    previous["sub_points"] = sub_points(previous["text"])
    for name in TAG_LISTS.values():
        values = previous[name] + [value for value in entry[name] if value not in previous[name]]
        if name == "countries":
            codes = {tag["code"] for tag in previous[name]}
            values = previous[name] + [tag for tag in entry[name] if tag["code"] not in codes]
        previous[name] = values
        previous["proposal"][name] = {**entry["proposal"].get(name, {}), **previous["proposal"].get(name, {})}
    previous["proposal"]["end_line"] = entry["proposal"].get("end_line", previous["proposal"].get("end_line"))
    previous["proposal"]["state"] = "accepted"
    del draft["sessions"][s]["entries"][e]


def split(draft, key, at):
    """Cut the entry where the words `at` start: the rest becomes a new entry after it, with the same tags."""
    s, e, entry = find(draft, key)
    at = " ".join((at or "").split())
    position = entry["text"].find(at) if at else -1
    if position <= 0:
        raise ReviewError(_("Indiquez les premiers mots de la nouvelle entrée, tels qu'ils figurent dans le texte."))
    first, second = entry["text"][:position].strip(), entry["text"][position:].strip()
    new = {
        **entry,
        "text": second,
        "sub_points": sub_points(second),
        "countries": [dict(tag) for tag in entry["countries"]],
        "themes": list(entry["themes"]),
        "organisations": list(entry["organisations"]),
        "proposal": {**entry["proposal"], "state": "proposed", "accepted": list(entry["proposal"]["accepted"])},
    }
    entry.update(text=first, sub_points=sub_points(first))
    entry["proposal"]["state"] = "accepted"
    draft["sessions"][s]["entries"].insert(e + 1, new)


def set_tag(draft, key, kind, value, *, accepted):
    """Accept a proposed tag (it stays, marked accepted) or reject it (it goes)."""
    entry = find(draft, key)[2]
    if kind not in TAG_LISTS:
        raise ReviewError(_("Type d'étiquette inconnu."))
    name = TAG_LISTS[kind]
    present = [tag["code"] for tag in entry[name]] if kind == "country" else entry[name]
    if value not in present:
        raise ReviewError(_("Cette étiquette n'est plus proposée pour cette entrée."))
    marker = f"{kind}:{value}"
    if accepted:
        if marker not in entry["proposal"]["accepted"]:
            entry["proposal"]["accepted"].append(marker)
    elif kind == "country":
        entry[name] = [tag for tag in entry[name] if tag["code"] != value]
    else:
        entry[name] = [slug for slug in entry[name] if slug != value]


def set_meeting(draft, values):
    draft["meeting"].update({name: values[name] for name in MEETING_FIELDS})


def counts(draft):
    """How many entries there are and how many a curator accepted."""
    entries = [entry for session in draft["sessions"] for entry in session["entries"]]
    return len(entries), sum(entry["proposal"]["state"] == "accepted" for entry in entries)
