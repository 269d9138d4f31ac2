"""A draft meeting in the exchange format (docs/exchange-format.md), built from a document's lines.

Everything is a draft; each entry carries a `proposal` (where it comes from in the source, what gave its kind, the
words behind each tag and which tags a curator accepted) that `exchange_data` leaves out before the import. The
meeting holds only what the document states: no date, no venue.
"""

import copy
import re

from django.utils.text import slugify

from outcomes.exchange import FORMAT, VERSION

from . import tag
from .clean import fold
from .segment import segment

KINDS = [
    ("senior_officials", r"hauts? fonctionnaires|senior officials"),
    ("ministerial", r"ministeriel|ministerial"),
    ("steering", r"comite de pilotage|steering committee"),
    ("technical", r"reunion technique|technical meeting"),
    ("thematic", r"thematique|thematic"),
]
METADATA = {
    "co_chairs": re.compile(r"co-?presid|co-?chair"),
    "framework": re.compile(r"fait echo|s'inscrit dans le cadre|conformement|in line with|echoes|reflects"),
    "continuity": re.compile(r"continuite|fait suite|dans le prolongement|follow-?up|follows|builds on"),
}
PARTICIPANTS = re.compile(r"(\d[\d  .]*)\s+participants")
COUNTRIES_COUNT = re.compile(r"(\d+)\s+(?:pays|countries)")
STOP = {"de", "la", "le", "les", "des", "du", "sur", "et", "en", "a", "au", "aux", "d", "l", "dans", "pour", "of"}


def propose(lines, vocabulary):
    """The draft meeting for a document's lines, tagged with the vocabulary's countries and organisations."""
    outline = segment(lines)
    meeting = _meeting(outline, vocabulary)
    slugs = {}
    sessions = [_session(section, outline, slugs) for section in outline.sections]
    previous = None
    for section, session in zip(outline.sections, sessions, strict=True):
        for entry in section.entries:
            item = _entry(entry, outline, vocabulary, previous)
            session["entries"].append(item)
            previous = item
    speakers = []
    for section, session in zip(outline.sections, sessions, strict=True):
        for speaker in tag.speakers(section.speakers_text, vocabulary) if section.speakers_text else []:
            speakers.append({**speaker, "session": session["slug"]})
    return {
        "format": FORMAT,
        "version": VERSION,
        "themes": [],
        "organisations": [],
        "meeting": meeting,
        "speakers": speakers,
        "sessions": sessions,
    }


def exchange_data(draft):
    """The draft as the importer reads it: the review notes left out."""
    data = copy.deepcopy(draft)
    for session in data["sessions"]:
        for entry in session["entries"]:
            entry.pop("proposal", None)
    return data


def _meeting(outline, vocabulary):
    title = outline.title or (outline.running_titles[0].split(":", 1)[-1].strip() if outline.running_titles else "")
    folded = fold(title)
    kind = next((kind for kind, pattern in KINDS if re.search(pattern, folded)), "other")
    meeting = {
        "slug": slugify(title)[:50].strip("-") or "reunion",
        "code": _code(title),
        "title": title[:300] or "Réunion",
        "kind": kind,
        "status": "draft",
        "co_chairs": [],
        "framework": "",
        "continuity": "",
        "participants_count": None,
        "countries_count": None,
        "summary": "",
        "source": {"title": (outline.running_titles or [""])[0][:300], "language": _language(outline), "url": ""},
    }
    summary = []
    for text, _line in outline.preamble:
        folded = fold(text)
        used = False
        if METADATA["co_chairs"].search(folded) and not meeting["co_chairs"]:
            meeting["co_chairs"] = list(dict.fromkeys(code for code, _, _ in tag.country_mentions(text, vocabulary)))
            used = True
        for key in ("framework", "continuity"):
            if not used and METADATA[key].search(folded) and not meeting[key]:
                meeting[key], used = text, True
        participants, countries = PARTICIPANTS.search(folded), COUNTRIES_COUNT.search(folded)
        if participants and meeting["participants_count"] is None:
            meeting["participants_count"] = int(re.sub(r"\D", "", participants.group(1)))
            used = True
        if countries and meeting["countries_count"] is None:
            meeting["countries_count"] = int(countries.group(1))
        if not used:
            summary.append(text)
    meeting["summary"] = "\n".join(summary)
    return meeting


def _code(title):
    words = [word for word in re.findall(r"[a-z]+", fold(title)) if word not in STOP]
    return "".join(word[0] for word in words[-3:]).upper() or "DOC"


def _language(outline):
    words = re.findall(r"[a-z]+", fold(" ".join(entry.text for entry in outline.entries[:20])))
    french = sum(word in {"de", "la", "les", "des", "et", "le"} for word in words)
    english = sum(word in {"the", "of", "and", "to", "in", "is"} for word in words)
    return "en" if english > french else "fr"


def _session(section, outline, slugs):
    base = slugify(section.title)[:60].strip("-") or "session"
    slug, n = base, 2
    while slug in slugs.values():
        slug, n = f"{base}-{n}", n + 1
    slugs[id(section)] = slug
    parent = outline.sections[section.parent] if section.parent is not None else None
    return {
        "slug": slug,
        "title": section.title[:400],
        "parent": slugs[id(parent)] if parent is not None else None,
        "introduction": "\n\n".join(section.intro),
        "entries": [],
    }


def _heading_tags(entry, outline, vocabulary):
    """The countries and organisations named by the nearest heading above the entry that names any."""
    index = entry.section
    while index is not None:
        heading = outline.sections[index].title
        found = tag.country_mentions(heading, vocabulary)
        organisations = tag.organisations(heading, vocabulary, {code for code, _, _ in found})
        if found or organisations:
            return heading, dict.fromkeys(code for code, _, _ in found), organisations
        index = outline.sections[index].parent
    return "", {}, {}


def _entry(entry, outline, vocabulary, previous):
    own = tag.countries(entry.text, vocabulary)
    heading, heading_countries, heading_organisations = _heading_tags(entry, outline, vocabulary)
    countries = {code: {"role": role, "triggers": words} for code, (role, words) in own.items()}
    follows = previous is not None and entry.follow_on and previous["proposal"]["section"] == entry.section
    if not countries and follows:
        countries = copy.deepcopy(previous["proposal"]["countries"])
    elif not countries:
        countries = {code: {"role": tag.IMPLEMENTING, "triggers": [heading]} for code in heading_countries}
    elif tag.is_relational(heading, vocabulary):
        for code in heading_countries:
            if code in countries:
                countries[code]["role"] = tag.IMPLEMENTING
            else:
                countries[code] = {"role": tag.PARTNER, "triggers": [heading]}
    organisations = tag.organisations(entry.text, vocabulary, set(countries))
    for slug in heading_organisations:
        organisations.setdefault(slug, [heading])
    themes = tag.themes(entry.text, vocabulary)
    return {
        "kind": entry.kind,
        "status": "draft",
        "title": "",
        "text": entry.text,
        "sub_points": entry.sub_points,
        "source_line": entry.line,
        "countries": [{"code": code, "role": value["role"]} for code, value in countries.items()],
        "themes": list(themes),
        "organisations": list(organisations),
        "proposal": {
            "state": "proposed",
            "section": entry.section,
            "end_line": entry.end_line,
            "reason": entry.reason,
            "countries": countries,
            "organisations": organisations,
            "themes": themes,
            "accepted": [],
        },
    }
