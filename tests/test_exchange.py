import copy
import datetime
import random
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.exchange import ExchangeError, dump_meeting, import_meeting, parse_yaml, read_yaml, to_yaml
from outcomes.models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Status, Theme

SAMPLE = Path(__file__).parent / "data" / "meeting.yaml"

LONG_TEXT = (
    "Les participants ont souligné l’importance d’une approche « globale et intégrée » de la gestion des "
    "frontières : 1) le renforcement des capacités des services de police aux frontières ; 2) l’échange "
    "d’informations en temps réel entre pays d’origine, de transit et de destination.\n\n"
    "Un second paragraphe, avec des espaces insécables\u00a0: ici ; et là\u00a0!"
)


def snapshot(*slugs):
    """Everything the database holds about these meetings, field by field, without ids or timestamps."""
    meetings = Meeting.objects.filter(slug__in=slugs).order_by("slug")
    return [
        {
            "meeting": {
                **{f.name: getattr(m, f.attname) for f in Meeting._meta.concrete_fields if f.name not in IGNORED},
                "previous_meeting": m.previous_meeting.slug if m.previous_meeting else None,
                "co_chairs": sorted(m.co_chairs.values_list("code", flat=True)),
            },
            "sessions": [
                (s.order, s.slug, s.title, s.parent.slug if s.parent else None, s.introduction)
                for s in m.sessions.order_by("order")
            ],
            "entries": [
                {
                    **{f.name: getattr(e, f.attname) for f in Entry._meta.concrete_fields if f.name not in IGNORED},
                    "session": e.session.slug,
                    "countries": sorted(e.country_tags.values_list("country_id", "role")),
                    "themes": [theme_fields(t) for t in e.themes.order_by("slug")],
                    "organisations": [organisation_fields(o) for o in e.organisations.order_by("slug")],
                }
                for e in m.entries.order_by("session__order", "order")
            ],
            "speakers": [
                (
                    s.order,
                    s.honorific,
                    s.name,
                    s.position,
                    s.institution,
                    s.country_id,
                    s.role,
                    s.session and s.session.slug,
                )
                for s in m.speakers.order_by("order")
            ],
        }
        for m in meetings
    ]


IGNORED = {"id", "meeting", "session", "previous_meeting", "created_at", "updated_at", "search_vector"}


def theme_fields(theme):
    return (theme.slug, theme.name_fr, theme.name_en, theme.description_fr, theme.description_en)


def organisation_fields(org):
    return (org.slug, org.acronym, org.name, org.name_en, org.kind, org.country_id, org.description)


def flush():
    """An empty knowledge base: countries only (they come with the migrations)."""
    Entry.objects.all().delete()
    Meeting.objects.all().delete()
    Theme.objects.all().delete()
    Organisation.objects.all().delete()


@pytest.fixture
def sample(db):
    return read_yaml(SAMPLE)


@pytest.fixture
def two_meetings(make_meeting, make_session, make_entry, make_theme):
    """A meeting that follows another, with sub-sessions, tagged entries and speakers."""
    earlier = make_meeting(slug="reunion-technique-madrid", code="RTM", title="Réunion technique de Madrid")
    make_entry(session=make_session(meeting=earlier, order=1, slug="conclusions"), order=1, text="Conclusion.")
    meeting = make_meeting(
        slug="reunion-thematique",
        code="GF",
        title="Réunion thématique de haut niveau sur la coopération dans le domaine de la gestion des frontières",
        kind=Meeting.Kind.THEMATIC,
        framework="Fait écho aux priorités du domaine 4 du Plan d’action de Marrakech 2018-2020.",
        continuity="Dans la continuité de la réunion technique de Madrid (juillet 2019).",
        previous_meeting=earlier,
        participants_count=70,
        countries_count=26,
        summary="Échange de bonnes pratiques.\nOrientée vers l’action.",
        start_date=datetime.date(2021, 3, 2),
        end_date=datetime.date(2021, 3, 3),
        venue="En ligne",
        source_title="Document final",
        source_url="https://www.rabat-process.org/fr/document-final",
        source_file="document-final-gestion-des-frontieres.txt",
    )
    meeting.co_chairs.set(["ES", "MA"])
    opening = make_session(meeting=meeting, order=1, slug="ouverture", title="Cérémonie d'ouverture")
    practices = make_session(meeting=meeting, order=2, slug="bonnes-pratiques", title="Bonnes pratiques")
    senegal = make_session(
        meeting=meeting, order=3, slug="senegal", title="Le Sénégal", parent=practices, introduction="Présenté par :"
    )
    sharing = make_theme(slug="information-sharing", name_fr="Échange d'informations", description_fr="Données.")
    borders = make_theme(slug="border-management", name_fr="Gestion des frontières")
    frontex = Organisation.objects.create(slug="frontex", acronym="Frontex", name="Agence Frontex", kind="agency")
    ncm = Organisation.objects.create(slug="ncm", acronym="NCM", name="Mécanisme", kind="strategy", country_id="GM")
    make_entry(session=practices, order=1, kind=Entry.Kind.KEY_POINT, text="Un point souligné.", status=Status.DRAFT)
    entry = make_entry(
        session=senegal,
        order=1,
        title="Patrouilles conjointes",
        text=LONG_TEXT,
        sub_points=[
            "le renforcement des capacités des services de police aux frontières ;",
            "l’échange d’informations en temps réel entre pays d’origine, de transit et de destination.",
        ],
        source_line=120,
        countries=[("SN", "implementing"), ("ES", "partner"), ("NO", "mentioned")],
        themes=[sharing, borders],
    )
    entry.organisations.set([frontex, ncm])
    make_entry(
        session=senegal,
        order=2,
        kind=Entry.Kind.RECOMMENDATION,
        text="Une recommandation.",
        themes=[borders],
        scope="all_partners",  # addressed to all partner countries: the file says so, and reads it back
    )
    make_entry(
        session=practices,
        order=2,
        kind=Entry.Kind.KEY_POINT,
        text="Aux pays africains.",
        scope="region",
        region="africa",
    )
    Speaker.objects.create(
        meeting=meeting,
        order=1,
        honorific="Mme",
        name="Angeles Moreno Bau",
        country_id="ES",
        position="Secrétaire d'État",
        role="Co-présidente",
        session=opening,
    )
    Speaker.objects.create(meeting=meeting, order=2, name="Ola Nordmann", country_id="NO", institution="UDI")
    return earlier, meeting


def test_a_meeting_exported_then_imported_into_an_empty_database_is_the_same_field_by_field(two_meetings):
    earlier, meeting = two_meetings
    before = snapshot(earlier.slug, meeting.slug)
    files = [to_yaml(dump_meeting(m)) for m in (earlier, meeting)]
    flush()
    assert not Meeting.objects.exists() and not Theme.objects.exists() and Country.objects.exists()

    for text in files:
        import_meeting(parse_yaml(text))

    assert snapshot(earlier.slug, meeting.slug) == before
    assert [to_yaml(dump_meeting(Meeting.objects.get(slug=m.slug))) for m in (earlier, meeting)] == files


def test_importing_the_same_file_twice_changes_nothing(sample):
    first = import_meeting(sample)
    assert first.summary() == "created 2 themes, 2 organisations, 1 meeting, 4 sessions, 3 entries, 2 speakers"
    meeting = first.meeting
    before = snapshot(meeting.slug)
    stamps = dict(meeting.entries.values_list("pk", "updated_at"))
    speakers = list(meeting.speakers.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        second = import_meeting(read_yaml(SAMPLE))

    assert second.summary() == "nothing changed"
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert snapshot(meeting.slug) == before
    assert dict(meeting.entries.values_list("pk", "updated_at")) == stamps
    assert list(meeting.speakers.values_list("pk", flat=True)) == speakers
    assert Meeting.objects.get().updated_at == meeting.updated_at


def test_the_sample_file_lands_as_written(sample):
    result = import_meeting(sample)
    meeting = result.meeting
    assert meeting.start_date == datetime.date(2021, 3, 2)
    assert sorted(meeting.co_chairs.values_list("code", flat=True)) == ["ES", "MA"]
    assert [s.slug for s in meeting.sessions.order_by("order")] == [
        "ouverture",
        "objectifs",
        "bonnes-pratiques",
        "bonnes-pratiques-senegal",
    ]
    assert Session.objects.get(slug="bonnes-pratiques-senegal").parent.slug == "bonnes-pratiques"
    practice = Entry.objects.get(reference="EX-002")
    assert sorted(practice.country_tags.values_list("country_id", "role")) == [
        ("ES", "partner"),
        ("NO", "mentioned"),  # Norway: NO is not YAML's "false" here
        ("SN", "implementing"),
    ]
    assert practice.sub_points == [
        "les patrouilles conjointes avec l'Espagne ;",
        "l'échange d'informations avec Frontex.",
    ]
    assert practice.text.startswith("Le Sénégal a présenté : 1) les patrouilles") and "\n" not in practice.text
    new = Entry.objects.get(text="Évaluer les principaux défis d'intérêt commun.")
    assert (new.reference, new.order, new.session.slug) == ("EX-003", 2, "objectifs")
    assert result.assigned_references == [("sessions[1].entries[1]", "EX-003")]
    assert list(meeting.speakers.values_list("order", "name", "country_id", "session__slug")) == [
        (1, "Angeles Moreno Bau", "ES", "ouverture"),
        (2, "Ola Nordmann", "NO", None),
    ]


def test_a_new_version_of_the_file_reorders_moves_adds_and_removes(sample):
    meeting = import_meeting(sample).meeting
    untouched = Entry.objects.get(reference="EX-001")
    data = copy.deepcopy(sample)
    opening, objectives, practices, senegal = data["sessions"]
    # Sessions in another order, one removed; entries swapped, one moved to another session, one new.
    objectives["entries"].reverse()
    moved = senegal["entries"].pop()
    moved["countries"] = [{"code": "SN", "role": "partner"}]
    practices["entries"] = [moved, {"kind": "challenge", "text": "Un nouveau défi."}]
    data["sessions"] = [practices, objectives, opening]
    data["speakers"] = data["speakers"][:1]

    result = import_meeting(data)

    assert (
        result.summary() == "created 1 entry, 1 speaker; updated 2 sessions, 3 entries; removed 1 session, 2 speakers"
    )
    assert list(meeting.sessions.values_list("slug", "order")) == [
        ("bonnes-pratiques", 1),
        ("objectifs", 2),
        ("ouverture", 3),
    ]
    assert list(Entry.objects.values_list("session__slug", "order", "reference")) == [
        ("bonnes-pratiques", 1, "EX-002"),
        ("bonnes-pratiques", 2, "EX-004"),
        ("objectifs", 1, "EX-003"),
        ("objectifs", 2, "EX-001"),
    ]
    assert list(Entry.objects.get(reference="EX-002").country_tags.values_list("country_id", "role")) == [
        ("SN", "partner")
    ]
    assert Entry.objects.get(reference="EX-001").updated_at > untouched.updated_at
    assert result.assigned_references == [("sessions[0].entries[1]", "EX-004")]
    assert import_meeting(data).summary() == "nothing changed"


def test_changed_values_update_the_rows_in_place(sample):
    meeting = import_meeting(sample).meeting
    theme, entry = Theme.objects.get(slug="information-sharing"), Entry.objects.get(reference="EX-001")
    data = copy.deepcopy(sample)
    data["themes"][0]["name_en"] = "Sharing information"
    data["organisations"][0]["country"] = "PL"
    data["meeting"]["co_chairs"] = ["ES", "MA", "SN"]
    data["sessions"][1]["entries"][0]["themes"] = ["information-sharing"]  # only the tags of EX-001 change

    result = import_meeting(data)

    assert result.summary() == "updated 1 theme, 1 organisation, 1 meeting, 1 entry"
    assert Theme.objects.get(pk=theme.pk).name_en == "Sharing information"
    assert Organisation.objects.get(slug="frontex").country_id == "PL"
    assert Meeting.objects.get(pk=meeting.pk).updated_at > meeting.updated_at
    assert sorted(meeting.co_chairs.values_list("code", flat=True)) == ["ES", "MA", "SN"]
    updated = Entry.objects.get(pk=entry.pk)
    assert list(updated.themes.values_list("slug", flat=True)) == ["information-sharing"]
    assert updated.updated_at > entry.updated_at


def test_entries_the_file_no_longer_lists_are_removed_and_unchanged_ones_keep_their_timestamp(sample):
    import_meeting(sample)
    kept = Entry.objects.get(reference="EX-001")
    data = copy.deepcopy(sample)
    data["sessions"][3]["entries"] = []
    data["sessions"][1]["entries"][1]["text"] = "Évaluer les défis."  # without a reference: a new entry

    result = import_meeting(data)

    assert result.summary() == "created 1 entry; removed 2 entries"
    assert sorted(Entry.objects.values_list("reference", flat=True)) == ["EX-001", "EX-004"]
    assert Entry.objects.get(reference="EX-001").updated_at == kept.updated_at
    assert not EntryCountry.objects.exists()


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(sample):
    result = import_meeting(sample, dry_run=True)
    assert result.summary().startswith("created 2 themes")
    assert not Meeting.objects.exists() and not Theme.objects.exists()


def test_the_export_is_self_contained_and_readable(two_meetings):
    _, meeting = two_meetings
    text = to_yaml(dump_meeting(meeting))
    assert text.startswith("format: rabatkb-meeting\nversion: 1\nthemes:\n  - slug: border-management\n")
    assert "name_fr: Échange d'informations" in text  # unicode as is, no \\u escapes
    assert "    text: >-\n" in text or "    text: |-\n" in text  # long texts as block scalars
    assert "countries:\n          - {code: SN, role: implementing}" in text
    assert "co_chairs: [ES, MA]" in text
    assert "start_date: 2021-03-02" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    data = parse_yaml(text)
    assert [t["slug"] for t in data["themes"]] == ["border-management", "information-sharing"]
    assert [o["slug"] for o in data["organisations"]] == ["frontex", "ncm"]
    assert list(data) == ["format", "version", "themes", "organisations", "meeting", "speakers", "sessions"]


def test_exporting_takes_the_same_few_queries_whatever_the_size(two_meetings, make_entry, django_assert_num_queries):
    _, meeting = two_meetings
    with CaptureQueriesContext(connection) as small:
        dump_meeting(meeting)
    for order in range(3, 13):
        make_entry(session=meeting.sessions.get(slug="senegal"), order=order, countries=["ML"], themes=[])
    with django_assert_num_queries(len(small)):
        dump_meeting(meeting)


TRICKY_TEXTS = [
    "",
    "NO",
    "yes",
    "2019-07-01",
    "null",
    "12",
    "- une liste ?",
    "# pas un commentaire",
    "clé : valeur",
    "  espaces autour  ",
    "« guillemets » et ‘apostrophes’ : l’Espagne",
    "ligne\nautre ligne\n\n  indentée\n",
    "tabulation\tici " + "mot " * 40,
    "insécable\u00a0: " + "très long texte " * 20,
    "deux  espaces  " * 10,
    "fin par un espace " * 6 + " ",
    "\ncommence par un saut de ligne " * 5,
]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_the_yaml_writer_reads_back_every_text_exactly(text):
    data = {"text": text, "list": [text], "pair": {"a": text}}
    assert parse_yaml(to_yaml(data)) == data


def test_the_yaml_writer_reads_back_random_texts_exactly():
    rng = random.Random(20261127)
    alphabet = "abcdéèà ’«»:;-#!?\u00a0\n\t1)  '\"\\"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        assert parse_yaml(to_yaml({"text": text}))["text"] == text


# Invalid files: each problem is reported with its place, and nothing is written.


def change(path, value):
    """A change to the sample: set (or, with DELETE, remove) the value at a path of keys and indexes."""

    def apply(data):
        *parents, last = path
        for key in parents:
            data = data[key]
        if value is DELETE:
            del data[last]
        else:
            data[last] = value

    return apply


DELETE = object()
ENTRY = ("sessions", 1, "entries", 0)
PRACTICE = ("sessions", 3, "entries", 0)

INVALID = {
    "missing key": (change((*ENTRY, "kind"), DELETE), "sessions[1].entries[0].kind: missing"),
    "missing text": (change((*ENTRY, "text"), "  "), "sessions[1].entries[0].text: missing text"),
    "wrong type": (
        change(("meeting", "participants_count"), "soixante-dix"),
        "meeting.participants_count: expected a whole number, got text",
    ),
    "list expected": (
        change((*PRACTICE, "themes"), "border-management"),
        "sessions[3].entries[0].themes: expected a list, got text",
    ),
    "unknown key": (change(("sessions", 0, "titel"), "Ouverture"), "sessions[0].titel: unknown key"),
    "unknown entry kind": (change((*ENTRY, "kind"), "wish"), "sessions[1].entries[0].kind: unknown choice 'wish'"),
    "unknown status": (change((*ENTRY, "status"), "public"), "sessions[1].entries[0].status: unknown choice 'public'"),
    "unknown role": (
        change((*PRACTICE, "countries", 1, "role"), "host"),
        "sessions[3].entries[0].countries[1].role: unknown choice 'host'",
    ),
    "unknown organisation kind": (
        change(("organisations", 0, "kind"), "ngo"),
        "organisations[0].kind: unknown choice 'ngo'",
    ),
    "unknown meeting kind": (change(("meeting", "kind"), "summit"), "meeting.kind: unknown choice 'summit'"),
    "unknown country": (
        change((*PRACTICE, "countries", 0, "code"), "XX"),
        "sessions[3].entries[0].countries[0].code: unknown country code 'XX'",
    ),
    "unknown co-chair": (change(("meeting", "co_chairs", 1), "ZZ"), "meeting.co_chairs[1]: unknown country code 'ZZ'"),
    "unknown speaker country": (
        change(("speakers", 0, "country"), "XX"),
        "speakers[0].country: unknown country code 'XX'",
    ),
    "country twice": (
        change((*PRACTICE, "countries", 2, "code"), "SN"),
        "sessions[3].entries[0].countries[2].code: 'SN' listed twice",
    ),
    "unknown theme": (
        change((*PRACTICE, "themes", 1), "nowhere"),
        "sessions[3].entries[0].themes[1]: unknown theme 'nowhere'",
    ),
    "unknown organisation": (
        change((*PRACTICE, "organisations", 0), "interpol"),
        "sessions[3].entries[0].organisations[0]: unknown organisation 'interpol'",
    ),
    "theme defined twice": (
        change(("themes", 1, "slug"), "information-sharing"),
        "themes[1].slug: 'information-sharing' already defined at themes[0]",
    ),
    "parent not earlier": (
        change(("sessions", 1, "parent"), "bonnes-pratiques"),
        "sessions[1].parent: 'bonnes-pratiques' is not a session listed earlier in this file",
    ),
    "speaker session": (
        change(("speakers", 1, "session"), "cloture"),
        "speakers[1].session: 'cloture' is not a session of this file",
    ),
    "session slug twice": (
        change(("sessions", 2, "slug"), "objectifs"),
        "sessions[2].slug: 'objectifs' already used at sessions[1]",
    ),
    "reference twice": (
        change((*PRACTICE, "reference"), "EX-001"),
        "sessions[3].entries[0].reference: 'EX-001' already used at sessions[1].entries[0]",
    ),
    "reference without the code": (
        change((*ENTRY, "reference"), "GF-001"),
        "sessions[1].entries[0].reference: a new reference must start with the meeting code: EX-...",
    ),
    "invalid date": (
        change(("meeting", "start_date"), "2021-02-30"),
        "meeting.start_date: invalid date '2021-02-30' (expected YYYY-MM-DD)",
    ),
    "end before start": (change(("meeting", "end_date"), "2021-03-01"), "meeting.end_date: before start_date"),
    "invalid slug": (change(("meeting", "slug"), "réunion exemple"), "meeting.slug: invalid slug 'réunion exemple'"),
    "invalid URL": (
        change(("meeting", "source", "url"), "pas une adresse"),
        "meeting.source.url: invalid URL 'pas une adresse'",
    ),
    "missing source file": (
        change(("meeting", "source", "file"), "absent.txt"),
        "meeting.source.file: no file 'absent.txt' in fixtures/source/",
    ),
    "previous meeting": (
        change(("meeting", "previous_meeting"), "inconnue"),
        "meeting.previous_meeting: no meeting 'inconnue' in the knowledge base",
    ),
    "source line": (change((*ENTRY, "source_line"), 0), "sessions[1].entries[0].source_line: must be 1 or more"),
    "sub-points": (
        change((*PRACTICE, "sub_points"), ["un", 2]),
        "sessions[3].entries[0].sub_points: expected a list of non-empty texts",
    ),
    "sub-point not in the text": (
        change((*PRACTICE, "sub_points", 1), "l'échange avec Frontex."),
        "sessions[3].entries[0].sub_points[1]: not found verbatim in the text",
    ),
    "line beyond the source": (
        change((*ENTRY, "source_line"), 10_000),
        "sessions[1].entries[0].source_line: the source file has only 594 lines",
    ),
    "unknown scope": (change((*ENTRY, "scope"), "everyone"), "sessions[1].entries[0].scope:"),
    "region without its scope": (
        change((*ENTRY, "region"), "africa"),
        "sessions[1].entries[0].region: a region is given with `scope: region`, and only then",
    ),
    "invalid code": (change(("meeting", "code"), "ex"), "meeting.code: invalid code 'ex' (capital letters and digits)"),
    "missing meeting": (change(("meeting",), DELETE), "meeting: missing"),
    "too long": (change(("meeting", "code"), "A" * 13), "meeting.code: longer than 12 characters"),
    "not a mapping": (change(("sessions", 2), "bonnes-pratiques"), "sessions[2]: expected a mapping, got text"),
    "wrong format": (change(("format",), "rabatkb"), "format: expected 'rabatkb-meeting', got 'rabatkb'"),
    "wrong version": (change(("version",), 2), "version: expected 1, got 2"),
    "missing version": (change(("version",), DELETE), "version: missing"),
}


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_file_is_refused_with_the_place_of_the_problem_and_nothing_is_written(name, sample):
    import_meeting(sample)
    before = snapshot("reunion-exemple")
    data = copy.deepcopy(sample)
    data["meeting"]["title"] = "Un autre titre"  # a change that must not be written either
    make_invalid, message = INVALID[name]
    make_invalid(data)

    with pytest.raises(ExchangeError) as raised:
        import_meeting(data)

    assert any(problem.startswith(message) for problem in raised.value.problems), raised.value.problems
    assert snapshot("reunion-exemple") == before


def test_a_number_beyond_what_the_database_holds_is_refused_not_a_crash(sample):
    largest = connection.ops.integer_field_range("PositiveIntegerField")[1]
    data = copy.deepcopy(sample)
    data["meeting"]["participants_count"] = largest
    data["meeting"]["countries_count"] = largest + 1
    data["sessions"][1]["entries"][0]["source_line"] = 10**30

    with pytest.raises(ExchangeError) as raised:
        import_meeting(data)

    assert raised.value.problems == [
        f"meeting.countries_count: must be {largest} or less",
        f"sessions[1].entries[0].source_line: must be {largest} or less",
    ]


def every_place(data, path=()):
    """The paths of every key and item of the data, nested ones included."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        yield (*path, key)
        yield from every_place(value, (*path, key))


def test_an_odd_value_anywhere_gives_problems_never_a_crash(sample):
    """Null, a number, a list or a text in place of any value: refused with problems, or imported."""
    import_meeting(sample)
    before = snapshot("reunion-exemple")
    for path in every_place(sample):
        for odd in (None, 7, [], "x"):
            data = copy.deepcopy(sample)
            change(path, odd)(data)
            try:
                import_meeting(data, dry_run=True)
            except ExchangeError as error:
                assert error.problems
    assert snapshot("reunion-exemple") == before  # dry runs all


def test_references_of_another_meeting_and_its_code_are_refused(sample, make_entry, make_session, make_meeting):
    other = make_meeting(slug="autre", code="AU")
    make_entry(session=make_session(meeting=other), reference="EX-001")
    data = copy.deepcopy(sample)
    data["meeting"]["code"] = "AU"

    with pytest.raises(ExchangeError) as raised:
        import_meeting(data)

    assert raised.value.problems == [
        "meeting.code: 'AU' is already the code of meeting 'autre'",
        "sessions[1].entries[0].reference: 'EX-001' belongs to another meeting ('autre')",
        "sessions[3].entries[0].reference: a new reference must start with the meeting code: AU-...",
    ]
    assert not Meeting.objects.filter(slug="reunion-exemple").exists()


def test_every_problem_of_the_file_is_reported_at_once(sample):
    data = copy.deepcopy(sample)
    data["meeting"]["kind"] = "summit"
    data["sessions"][3]["entries"][0]["countries"][0]["code"] = "XX"
    del data["sessions"][1]["entries"][1]["text"]
    data["speakers"][0]["session"] = "cloture"

    with pytest.raises(ExchangeError) as raised:
        import_meeting(data)

    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "meeting.kind",
        "sessions[1].entries[1].text",
        "sessions[3].entries[0].countries[0].code",
        "speakers[0].session",
    ]
    assert str(raised.value).count("\n") == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: rabatkb-meeting\nversion: 1\nmeeting: {slug: a\n", "invalid YAML at line 4, column 1: "),
        ("format: rabatkb-meeting\n  version: 1\n", "invalid YAML at line 2, column 10: "),
        (
            "format: rabatkb-meeting\nversion: 1\nversion: 1\n",
            "invalid YAML at line 3, column 1: duplicate key 'version'",
        ),
        ("- a list\n", "file: expected a mapping, got a list"),
        ("", "file: expected a mapping, got null"),
    ],
)
def test_a_file_that_is_not_yaml_or_not_a_mapping_is_refused_with_its_line(text, message, db):
    with pytest.raises(ExchangeError) as raised:
        import_meeting(parse_yaml(text))
    assert raised.value.problems[0].startswith(message), raised.value.problems


def test_an_unreadable_file_is_refused(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("titre: réunion".encode("latin-1"))
    with pytest.raises(ExchangeError, match="not UTF-8"):
        read_yaml(tmp_path / "latin1.yaml")
    with pytest.raises(ExchangeError, match="cannot read the file"):
        read_yaml(tmp_path / "absent.yaml")


def test_the_scope_of_an_entry_is_written_only_when_it_is_not_the_named_countries(two_meetings):
    _earlier, meeting = two_meetings
    entries = [entry for session in dump_meeting(meeting)["sessions"] for entry in session["entries"]]
    scopes = {entry["text"]: (entry.get("scope"), entry.get("region")) for entry in entries}
    assert scopes["Une recommandation."] == ("all_partners", None)
    assert scopes["Aux pays africains."] == ("region", "africa")
    assert scopes[LONG_TEXT] == (None, None)  # named countries: the default, left out of the file
