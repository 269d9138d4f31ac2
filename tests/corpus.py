"""A small corpus for the explorer, export, search and API tests: two published meetings, one draft meeting,
entries tagged with countries (with roles), themes and an organisation, and draft entries that must never show."""

import pytest

from outcomes.models import Country, Entry, EntryCountry, Organisation, Status

IMPLEMENTING, PARTNER, MENTIONED = (
    EntryCountry.Role.IMPLEMENTING,
    EntryCountry.Role.PARTNER,
    EntryCountry.Role.MENTIONED,
)


@pytest.fixture(name="corpus")
def corpus_fixture(make_meeting, make_session, make_entry, make_theme):
    gf = make_meeting(slug="gestion-des-frontieres", code="GF", title="Gestion des frontières")
    other = make_meeting(slug="autre-reunion", code="AR", title="Autre réunion")
    hidden = make_meeting(slug="reunion-brouillon", code="RB", title="Réunion en brouillon", status=Status.DRAFT)
    challenges = make_session(meeting=gf, slug="defis", title="Défis", order=1)
    sub_heading = make_session(meeting=gf, slug="defis-regionaux", title="Défis régionaux", order=2, parent=challenges)
    practices = make_session(meeting=gf, slug="pratiques", title="Bonnes pratiques", order=3)
    other_session = make_session(meeting=other, slug="defis", title="Défis", order=1)
    hidden_session = make_session(meeting=hidden, slug="session", order=1)
    patrols = make_theme(slug="patrouilles", name_fr="Patrouilles conjointes", name_en="Joint patrols")
    information = make_theme(slug="information", name_fr="Échange d'informations", name_en="Information sharing")
    frontex = Organisation.objects.create(slug="frontex", acronym="Frontex", name="Agence européenne")

    def entry(session, order, kind, text, **fields):
        return make_entry(session=session, order=order, kind=kind, text=text, **fields)

    e = {}
    e["patrols"] = entry(
        challenges,
        1,
        "good_practice",
        "Des patrouilles conjointes entre le Sénégal et l'Espagne.",
        countries=[("SN", IMPLEMENTING), ("ES", PARTNER)],
        themes=[patrols],
        source_line=10,
    )
    e["cooperation"] = entry(
        sub_heading,
        1,
        "challenge",
        "La coopération transfrontalière reste difficile.",
        countries=[("ML", MENTIONED)],
        themes=[information],
    )
    e["exchange"] = entry(
        practices,
        1,
        "recommendation",
        "Renforcer l'échange d'informations avec Frontex : 1) vite 2) bien.",
        countries=[("SN", MENTIONED), ("ML", IMPLEMENTING)],
        themes=[patrols, information],
        sub_points=["vite", "bien"],
    )
    e["exchange"].organisations.add(frontex)
    e["training"] = entry(
        practices, 2, "good_practice", "Formation des garde-frontières au Maroc.", countries=[("MA", IMPLEMENTING)]
    )
    e["elsewhere"] = entry(
        other_session,
        1,
        "challenge",
        "Une autre réunion parle de cooperation sans accent.",
        countries=[("SN", PARTNER)],
    )
    e["draft"] = entry(
        practices,
        3,
        "good_practice",
        "Brouillon secret sur les patrouilles conjointes.",
        countries=[("SN", IMPLEMENTING)],
        themes=[patrols],
        status=Status.DRAFT,
    )
    e["hidden"] = entry(
        hidden_session,
        1,
        "good_practice",
        "Patrouilles conjointes d'une réunion non publiée.",
        countries=[("SN", IMPLEMENTING)],
        themes=[patrols],
    )
    return e


def refs(corpus, *names):
    return {corpus[name].reference for name in names}


PUBLISHED = ("patrols", "cooperation", "exchange", "training", "elsewhere")


def build_entries(make_entry, make_session, make_theme, count):
    """`count` entries in one session, each with two countries, a theme and an organisation."""
    session = make_session()
    theme = make_theme()
    organisation = Organisation.objects.create(slug=f"org-{count}", name="Org")
    for order in range(count):
        entry = make_entry(session=session, order=order + 1, countries=[("SN", "implementing"), "ML"], themes=[theme])
        entry.organisations.add(organisation)


def bulk_entries(make_session, make_theme, count):
    """What build_entries() makes, inserted in bulk without the curation history: for tests about reading many
    entries (an entry saved through the model records its version, ~100 queries on PostgreSQL)."""
    session, theme = make_session(), make_theme()
    organisation = Organisation.objects.create(slug=f"org-bulk-{count}", name="Org")
    entries = Entry.objects.bulk_create(
        Entry(
            session=session,
            meeting_id=session.meeting_id,
            reference=f"{session.meeting.code}-{order:03d}",
            kind=Entry.Kind.GOOD_PRACTICE,
            order=order,
            text=f"Texte de l'entrée {order}",
            status=Status.PUBLISHED,
        )
        for order in range(1, count + 1)
    )
    senegal, mali = Country.objects.get(code="SN"), Country.objects.get(code="ML")
    EntryCountry.objects.bulk_create(
        EntryCountry(entry=entry, country=country, role=role)
        for entry in entries
        for country, role in ((senegal, EntryCountry.Role.IMPLEMENTING), (mali, EntryCountry.Role.MENTIONED))
    )
    Entry.themes.through.objects.bulk_create(Entry.themes.through(entry=e, theme=theme) for e in entries)
    Entry.organisations.through.objects.bulk_create(
        Entry.organisations.through(entry=e, organisation=organisation) for e in entries
    )
