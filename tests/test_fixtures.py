"""The fixtures transcribe the final document of the border-management meeting completely and verbatim."""

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from outcomes.models import Country, Entry, EntryCountry, Meeting, Organisation, Theme

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCE = FIXTURES / "source" / "document-final-gestion-des-frontieres.txt"
SLUG = "reunion-thematique-gestion-des-frontieres"
# Lines of the PDF text that are not the document's prose: footnote URLs, the running page header, a page number.
NOT_PROSE = re.compile(r"^\s*(https?://\S+|Document final : .*|\d+)\s*$")


@pytest.fixture
def meeting(db):
    call_command("load_fixtures", stdout=io.StringIO())
    return Meeting.objects.get(slug=SLUG)


@pytest.fixture
def entries(meeting):
    return list(meeting.entries.select_related("session").prefetch_related("country_tags", "themes", "organisations"))


def source_lines():
    return SOURCE.read_text(encoding="utf-8").split("\n")


def flat_source():
    """The source as one line: page furniture dropped, PDF line wraps joined, a hyphen at a wrap kept and joined."""
    text = ""
    for line in source_lines():
        line = line.strip()
        if not line or NOT_PROSE.match(line):
            continue
        text += line if re.search(r"\w-$", text) else " " + line
    return re.sub(r"\s+", " ", text).strip()


def roles(entry):
    return {tag.country_id: tag.role for tag in entry.country_tags.all()}


def by_reference(entries):
    return {entry.reference: entry for entry in entries}


def test_the_meeting_says_what_the_document_says_and_nothing_more(meeting):
    assert meeting.title == (
        "Réunion thématique de haut niveau sur la coopération dans le domaine de la gestion des frontières"
    )
    assert (meeting.code, meeting.kind, meeting.status) == ("GF", "thematic", "published")
    assert set(meeting.co_chairs.values_list("code", flat=True)) == {"ES", "MA"}
    assert (meeting.participants_count, meeting.countries_count) == (70, 26)
    assert "domaine 4 du Plan d’action de Marrakech 2018-2020" in meeting.framework
    assert "qui s’était déroulée à Madrid en juillet 2019" in meeting.continuity
    assert meeting.summary.startswith("La réunion s’est focalisée sur l’échange de bonnes pratiques")
    assert meeting.start_date is None and meeting.end_date is None and meeting.venue == ""
    assert meeting.source_title == "Document final : Réunion thématique de haut niveau sur la gestion des frontières"
    assert (meeting.source_language, meeting.source_file) == ("fr", SOURCE.name)


def test_the_document_yields_these_entries_per_kind(meeting):
    counts = Counter(Entry.objects.published().filter(meeting=meeting).values_list("kind", flat=True))
    assert counts == {
        "objective": 4,
        "expected_result": 4,
        "key_point": 8,
        "policy": 8,
        "good_practice": 25,
        "challenge": 7,
        "recommendation": 20,
        "result": 3,
        "feedback": 5,
    }


def test_sessions_follow_the_headings_of_the_document(meeting):
    sessions = list(meeting.sessions.select_related("parent"))
    top = [session.title for session in sessions if session.parent is None]
    assert top == [
        "Introduction",
        "Cérémonie d’ouverture de haut niveau",
        "Coopération frontalière entre les pays d'origine, de transit et de destination dans le domaine de la "
        "gestion des frontières",
        "Coopération opérationnelle en matière de gestion des frontières",
        "Bonnes pratiques en matière de gestion intégrée des frontières",
        "Enjeux pour l’avenir",
        "Analyse de la participation à la réunion",
    ]
    parents = {session.slug: session.parent.slug for session in sessions if session.parent}
    assert parents["objectifs"] == parents["resultats-attendus"] == "introduction"
    assert parents["eci-niger"] == "echange-informations-operationnelles"
    assert parents["poc-defis"] == "partenariat-operationnel-conjoint"
    assert parents["partenariat-operationnel-conjoint"] == "cooperation-espagne-senegal"
    assert parents["prochaines-etapes"] == "enjeux-avenir"
    # A sub-heading comes after its parent; every title is the document's, less a trailing colon or footnote mark.
    assert all(session.parent.order < session.order for session in sessions if session.parent)
    flat = flat_source()
    # The one heading the document does not write: its closing paragraph on structural solutions, titled from its words.
    assert [s.slug for s in sessions if s.title not in flat] == ["solutions-structurelles"]
    assert meeting.sessions.get(slug="solutions-structurelles").title.lower() in flat
    assert all(part in flat for session in sessions for part in session.introduction.split("\n\n"))


def test_entries_are_in_document_order_within_and_across_sessions(entries):
    lines = [entry.source_line for entry in entries]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    assert [entry.reference for entry in entries] == [f"GF-{n:03d}" for n in range(1, len(entries) + 1)]
    for session_entries in Counter(entry.session_id for entry in entries):
        orders = [entry.order for entry in entries if entry.session_id == session_entries]
        assert orders == list(range(1, len(orders) + 1))


def test_every_entry_is_verbatim_from_the_source(entries):
    flat = flat_source()
    for entry in entries:
        assert entry.text in flat, entry.reference
        assert entry.text == entry.text.strip() and "  " not in entry.text, entry.reference


def test_every_entry_starts_on_its_source_line(entries):
    lines = source_lines()
    for entry in entries:
        line = re.sub(r"^\s*[-•]\s*", "", lines[entry.source_line - 1])
        assert entry.text[:25] in line, entry.reference


def test_numbered_parts_are_kept_as_sub_points(entries):
    for entry in entries:
        markers = re.findall(r"(?<![\w(])(\d)\) ", entry.text)
        assert markers == [str(n) for n in range(1, len(entry.sub_points) + 1)], entry.reference
        assert all(point in entry.text for point in entry.sub_points), entry.reference
    entries = by_reference(entries)
    spanish_policy = entries["GF-016"]
    assert spanish_policy.sub_points == [
        "Prévention en amont : renforcement des capacités des forces de sécurité (soutien financier), assistance "
        "technique et projets opérationnels, formations des forces de police",
        "Lutte contre les réseaux de trafic de migrants et contrôle des frontières : patrouilles conjointes (terre, "
        "mer, air), équipes conjointes d’investigation (ECI), réseaux d’échanges d’informations",
        "Retour volontaire et forcé.",
    ]
    assert spanish_policy.lead_in == "La politique espagnole repose sur trois piliers :"
    assert spanish_policy.closing == ""
    assert len(entries["GF-018"].sub_points) == 4  # Morocco's four measures
    assert entries["GF-029"].kind == "result" and len(entries["GF-029"].sub_points) == 7  # the Niger ECI's results


def test_the_whole_document_is_transcribed(meeting, entries):
    """Take every transcribed text out of the source: only list marks and the two bullets kept as fields remain."""
    pieces = [meeting.title, meeting.framework, meeting.continuity, meeting.summary]
    pieces += [entry.text for entry in entries]
    for session in meeting.sessions.exclude(slug="solutions-structurelles"):
        pieces += [session.title, *session.introduction.split("\n\n")]
    rest = flat_source()
    for piece in sorted(filter(None, pieces), key=len, reverse=True):
        assert piece in rest, piece
        rest = rest.replace(piece, "¶", 1)
    words = re.sub(r"[¶•*:;\-\s]+", " ", rest).strip()
    # Both are structured fields of the meeting: the co-chairs, and the counts of participants and countries.
    assert words == (
        "Co présidée par l’Espagne et le Maroc La réunion a attiré un public varié de 70 participants, provenant de "
        "26 pays européens et africains."
    )


def test_good_practices_challenges_and_recommendations_all_have_a_theme(entries):
    untagged = [
        entry.reference
        for entry in entries
        if entry.kind in {"good_practice", "challenge", "recommendation"} and not entry.themes.all()
    ]
    assert untagged == []


def test_every_theme_is_used_and_the_vocabulary_is_controlled(meeting):
    themes = Theme.objects.all()
    assert 15 <= themes.count() <= 25
    assert [theme.slug for theme in themes if not theme.entries.exists()] == []
    assert all(theme.name_fr and theme.name_en and theme.description_fr and theme.description_en for theme in themes)


def test_known_country_tags(entries):
    entries = by_reference(entries)
    assert roles(entries["GF-017"]) == {
        "ES": "implementing",
        **dict.fromkeys(["GM", "GH", "ML", "MR", "GN", "SN"], "partner"),
    }
    assert roles(entries["GF-018"]) == {"MA": "implementing"}  # Morocco's measures
    assert roles(entries["GF-019"]) == {"MA": "implementing"}  # what Morocco's modernisation achieved
    gambia = [entries["GF-020"], entries["GF-021"]]
    assert [entry.kind for entry in gambia] == ["good_practice", "challenge"]
    assert all(roles(entry) == {"GM": "implementing"} for entry in gambia)
    assert entries["GF-021"].text.startswith("La Gambie a identifié plusieurs lacunes et défis")


def test_joint_investigation_team_entries_are_about_niger(entries):
    eci = [entry for entry in entries if entry.session.slug == "eci-niger"]
    assert [entry.kind for entry in eci] == ["good_practice", "result"]
    assert all(roles(entry) == {"NE": "implementing"} for entry in eci)
    assert all("eci-niger" in {o.slug for o in entry.organisations.all()} for entry in eci)


def test_spain_senegal_partnership_entries_carry_both_countries(meeting, entries):
    partnership = meeting.sessions.get(slug="cooperation-espagne-senegal")
    below = {partnership.pk}
    for session in meeting.sessions.order_by("order"):
        if session.parent_id in below:
            below.add(session.pk)
    poc = [entry for entry in entries if entry.session_id in below]
    assert len(poc) == 17
    for entry in poc:
        tags = roles(entry)
        assert set(tags) == {"ES", "SN"}, entry.reference
        assert "implementing" in tags.values(), entry.reference
        assert "poc" in {o.slug for o in entry.organisations.all()}, entry.reference


def test_entries_are_tagged_with_the_organisations_they_name(entries):
    def names(entry, organisation):
        if organisation.acronym:
            return re.search(rf"\b{re.escape(organisation.acronym)}\b", entry.text)
        return organisation.name.lower() in entry.text.lower()

    for organisation in Organisation.objects.all():
        naming = {entry.reference for entry in entries if names(entry, organisation)}
        tagged = {entry.reference for entry in entries if organisation in entry.organisations.all()}
        if organisation.slug == "eci-niger":
            naming -= {"GF-016"}  # the Spanish policy's "équipes conjointes d’investigation (ECI)" are not Niger's
        assert naming <= tagged, organisation.slug
    assert {o.slug for o in Organisation.objects.filter(entries__isnull=True)} == {"commission-europeenne"}
    assert Organisation.objects.get(slug="ncm").country_id == "GM"
    assert Organisation.objects.get(slug="badr").country_id == "MA"
    regional = by_reference(entries)["GF-035"]  # « CCPAO, CEDEAO, CEMAC, WAPIS, etc. »
    assert {o.slug for o in regional.organisations.all()} == {"ccpao", "cedeao", "cemac", "wapis"}


def test_opening_ceremony_speakers(meeting):
    speakers = list(meeting.speakers.select_related("session", "country"))
    assert [(s.honorific, s.name) for s in speakers] == [
        ("Mme", "Angeles Moreno Bau"),
        ("M.", "Wali Khalid Zerouali"),
        ("Mme", "Monique Pariat"),
    ]
    assert [s.institution for s in speakers] == [
        "Ministère des Affaires étrangères, de l'Union européenne et de la Coopération",
        "Ministère de l'Intérieur",
        "Commission européenne",
    ]
    assert [s.country_id for s in speakers] == ["ES", "MA", None]
    assert {s.session.slug for s in speakers} == {"ceremonie-ouverture"}
    assert Country.objects.filter(speakers__isnull=False).count() == 2


def test_loading_the_fixtures_again_changes_nothing(meeting, entries):
    def snapshot():
        return (
            list(meeting.sessions.values_list("order", "slug", "title", "parent__slug", "introduction")),
            list(meeting.entries.values_list("reference", "session__slug", "order", "kind", "text", "source_line")),
            sorted(EntryCountry.objects.values_list("entry__reference", "country_id", "role")),
            sorted(Entry.themes.through.objects.values_list("entry__reference", "theme__slug")),
            sorted(Entry.organisations.through.objects.values_list("entry__reference", "organisation__slug")),
            list(meeting.speakers.values_list("order", "name", "country_id")),
        )

    before = snapshot()
    call_command("load_fixtures", stdout=io.StringIO())
    assert snapshot() == before
    assert (Meeting.objects.count(), Theme.objects.count(), Organisation.objects.count()) == (1, 24, 17)


def test_entries_naming_no_country_say_whom_they_are_addressed_to(entries):
    """The rule of docs/explorer.md (Scope of an entry), as the first meeting applies it."""
    recommendations = [entry for entry in entries if entry.kind == Entry.Kind.RECOMMENDATION]
    unnamed = [entry for entry in recommendations if not entry.country_tags.exists()]
    assert (len(recommendations), len(unnamed)) == (20, 13)
    assert {entry.scope for entry in unnamed} == {"all_partners", "region"}
    regional = by_reference(entries)["GF-027"]  # « il est nécessaire que les pays africains disposent… »
    assert (regional.scope, regional.region) == ("region", "africa")
    # Entries that name countries are addressed to them; the feedback on the event is addressed to nobody.
    assert all(entry.scope == "countries" for entry in entries if entry.country_tags.exists())
    assert all(entry.scope == "countries" for entry in entries if entry.kind == Entry.Kind.FEEDBACK)
