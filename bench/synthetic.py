"""A synthetic corpus on top of the real data, to measure how the site scales (see `generate_synthetic`).

Everything made here is marked twice: meetings have a code `SYN<number>` *and* a slug starting with `synthetic-`
(themes and organisations, made only when none exist, have that slug prefix too). `remove()` deletes exactly the
meetings marked both ways, with their sessions, entries and tags, and checks that the real data is untouched.
"""

import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from outcomes import facet_tables
from outcomes.models import (
    Country,
    Entry,
    EntryCountry,
    Meeting,
    Organisation,
    Session,
    Status,
    Theme,
)
from outcomes.search.index import fill_index_fields
from outcomes.search.vocabulary import add_words

CODE_PREFIX = "SYN"
SLUG_PREFIX = "synthetic-"
CODE_PATTERN = rf"^{CODE_PREFIX}[0-9]+$"
SOURCE_FILE = "document-final-gestion-des-frontieres.txt"

# How often each kind occurs, after the first final document (practices, recommendations and challenges dominate).
KIND_WEIGHTS = {
    Entry.Kind.GOOD_PRACTICE: 26,
    Entry.Kind.RECOMMENDATION: 22,
    Entry.Kind.CHALLENGE: 13,
    Entry.Kind.KEY_POINT: 12,
    Entry.Kind.POLICY: 7,
    Entry.Kind.OBJECTIVE: 5,
    Entry.Kind.EXPECTED_RESULT: 5,
    Entry.Kind.RESULT: 6,
    Entry.Kind.FEEDBACK: 4,
}
# Kinds whose first country is the one that acts; the others mostly mention countries.
ACTING_KINDS = {Entry.Kind.GOOD_PRACTICE, Entry.Kind.POLICY, Entry.Kind.RESULT}

# The partner countries of the Rabat Process, most active first (they get the most tags).
# fmt: off
PARTNER_COUNTRIES = [
    "MA", "ES", "SN", "FR", "ML", "NE", "MR", "GM", "IT", "BE", "DE", "NG", "CI", "GN", "BF", "PT", "GH", "CM", "TG",
    "BJ", "NL", "TN", "CV", "SL", "LR", "GW", "TD", "GA", "CG", "CD", "CF", "GQ", "AT", "CH", "SE", "DK", "NO", "FI",
    "PL", "CZ", "HU", "RO", "BG", "GR", "MT", "CY", "LU", "IE", "EE", "LV", "LT", "SK", "SI", "HR", "DZ", "LY",
]
# fmt: on

SESSION_TITLES = [
    "Cérémonie d'ouverture de haut niveau",
    "Coopération frontalière entre les pays d'origine, de transit et de destination",
    "Coopération opérationnelle en matière de gestion des frontières",
    "Bonnes pratiques en matière de gestion intégrée des frontières",
    "L'enjeu central de l'échange d'informations opérationnelles",
    "Lutte contre les réseaux de trafic de migrants",
    "Prévention de la migration irrégulière et sensibilisation",
    "Protection des personnes vulnérables et droits fondamentaux",
    "Migration légale et mobilité circulaire",
    "Retour volontaire et réintégration durable",
    "Renforcement des capacités des forces de sécurité",
    "Enjeux pour l'avenir",
]
SUB_SESSION_TITLES = [
    "Bonnes pratiques",
    "Défis",
    "Recommandations",
    "Quelques exemples de gestion intégrée des frontières",
    "État des lieux et défis futurs",
    "Prochaines étapes et recommandations pour l'avenir",
    "Travaux en groupes",
]
MEETING_TITLES = {
    Meeting.Kind.THEMATIC: "Réunion thématique sur {topic}",
    Meeting.Kind.SENIOR_OFFICIALS: "Réunion des hauts fonctionnaires : {topic}",
    Meeting.Kind.MINISTERIAL: "Conférence ministérielle euro-africaine sur {topic}",
    Meeting.Kind.TECHNICAL: "Réunion technique sur {topic}",
    Meeting.Kind.STEERING: "Comité de pilotage : {topic}",
}
MEETING_KIND_WEIGHTS = [50, 15, 5, 25, 5]
TOPICS = [
    "la gestion des frontières",
    "la lutte contre le trafic de migrants",
    "la traite des êtres humains",
    "la migration légale et la mobilité",
    "le retour et la réintégration",
    "la protection internationale",
    "les diasporas et le développement",
    "l'échange d'informations opérationnelles",
    "les causes profondes de la migration irrégulière",
    "la coopération policière et judiciaire",
]
VENUES = ["Rabat", "Madrid", "Dakar", "Bruxelles", "Niamey", "Lisbonne", "Abidjan", "Rome", "Accra", "Nouakchott"]

# Made only when the knowledge base has no theme / no organisation yet.
FALLBACK_THEMES = [
    ("gestion-integree-des-frontieres", "Gestion intégrée des frontières", "Integrated border management"),
    ("echange-d-informations", "Échange d'informations", "Information sharing"),
    ("trafic-de-migrants", "Trafic de migrants", "Migrant smuggling"),
    ("traite-des-etres-humains", "Traite des êtres humains", "Trafficking in human beings"),
    ("droits-fondamentaux", "Droits fondamentaux", "Fundamental rights"),
    ("renforcement-des-capacites", "Renforcement des capacités", "Capacity building"),
    ("patrouilles-conjointes", "Patrouilles conjointes", "Joint patrols"),
    ("technologies-et-biometrie", "Technologies et biométrie", "Technology and biometrics"),
    ("migration-legale", "Migration légale", "Legal migration"),
    ("retour-et-reintegration", "Retour et réintégration", "Return and reintegration"),
    ("communautes-frontalieres", "Communautés frontalières", "Border communities"),
    ("analyse-des-risques", "Analyse des risques", "Risk analysis"),
]
FALLBACK_ORGANISATIONS = [
    ("frontex", "Frontex", "Agence européenne de garde-frontières et de garde-côtes", "agency"),
    ("oim", "OIM", "Organisation internationale pour les migrations", "organisation"),
    ("onudc", "ONUDC", "Office des Nations unies contre la drogue et le crime", "organisation"),
    ("cedeao", "CEDEAO", "Communauté économique des États de l'Afrique de l'Ouest", "organisation"),
    ("interpol", "INTERPOL", "Organisation internationale de police criminelle", "organisation"),
    ("wapis", "WAPIS", "Système d'information policière pour l'Afrique de l'Ouest", "system"),
    ("euibm", "EUIBM", "Stratégie de gestion intégrée des frontières de l'UE", "strategy"),
    ("icmpd", "ICMPD", "Centre international pour le développement des politiques migratoires", "organisation"),
]


# ---------------------------------------------------------------------------------------------- French text

# Words a clause must not end on.
# fmt: off
DANGLING = {
    "de", "des", "du", "la", "le", "les", "et", "en", "à", "au", "aux", "par", "pour", "sur", "dans", "avec", "un",
    "une", "m", "mme", "entre", "contre", "ou", "que", "qui",
}
# fmt: on


class FrenchText:
    """Sentences in the style of the real final document: an order-2 word chain built from its text."""

    def __init__(self, source_text, rng):
        self.rng = rng
        self.chain = defaultdict(list)
        self.starts = []
        self.lowercase = set(re.findall(r"\b[a-zéèêàâîôûç]+\b", source_text))
        for clause in self._clauses(source_text):
            words = clause.split()
            if len(words) < 4 or not words[0][0].isalpha():
                continue
            self.starts.append((words[0], words[1]))
            for a, b, c in zip(words, words[1:], [*words[2:], None], strict=False):
                self.chain[(a, b)].append(c)

    @staticmethod
    def _clauses(text):
        lines = [
            line.strip()
            for line in text.replace("\u2019", "'").replace("\u2018", "'").splitlines()
            if line.strip() and "http" not in line and not line.startswith("Document final") and not line.isdigit()
        ]
        joined = re.sub(r"-\s+(?=[a-zé])", "-", " ".join(lines))  # words cut at line ends
        joined = re.sub(r"\b\d+\s?\)\s*", "", joined)  # numbering is added back by sub-points
        joined = re.sub(r"\bM\.", "M", joined)
        for clause in re.split(r"[.;:•]|\s-\s", joined):
            clause = clause.strip(" ,*")
            if clause:
                yield clause

    def clause(self, max_words=28):
        a, b = self.rng.choice(self.starts)
        words = [a, b]
        while len(words) < max_words:
            following = self.chain.get((a, b))
            if not following:
                break
            c = self.rng.choice(following)
            if c is None:
                break
            words.append(c)
            a, b = b, c
        while len(words) > 3 and (words[-1].lower() in DANGLING or words[-1].endswith("'")):
            words.pop()
        return " ".join(words).rstrip(",")

    def sentence(self):
        text = self.clause()
        if self.rng.random() < 0.35:
            more = self.clause(18)
            if more.split()[0].lower() in self.lowercase:
                more = more[0].lower() + more[1:]
            text = f"{text}, {more}"
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences):
        return " ".join(self.sentence() for _ in range(sentences))

    def title(self):
        words = self.clause(9).split()
        return " ".join(words[: self.rng.randint(4, 9)]).rstrip(",").capitalize()[:200]


# ---------------------------------------------------------------------------------------------- generation


@dataclass
class Made:
    meetings: int = 0
    sessions: int = 0
    entries: int = 0
    country_tags: int = 0
    theme_tags: int = 0
    organisation_tags: int = 0
    seconds: dict = field(default_factory=dict)


def zipf_weights(n, exponent=0.9):
    return [1 / (rank + 1) ** exponent for rank in range(n)]


class Generator:
    """Adds `entries` synthetic entries spread over `meetings` new synthetic meetings."""

    MEETINGS_PER_CHUNK = 40  # each chunk is written with a handful of bulk inserts

    def __init__(self, entries, meetings=None, seed=0, batch_size=2000, log=None):
        if entries < 1:
            raise ValueError("entries must be at least 1")
        self.entries = entries
        self.meetings = max(1, min(meetings or round(entries / 100) or 1, entries))
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.log = log or (lambda message: None)
        source = (settings.SOURCE_DOCUMENTS_DIR / SOURCE_FILE).read_text(encoding="utf-8")
        self.text = FrenchText(source, self.rng)
        self.made = Made()

    def run(self):
        started = time.perf_counter()
        with transaction.atomic():
            self._prepare_vocabularies()
            first_number = self._next_meeting_number()
            sizes = self._meeting_sizes()
            # The search-vector trigger on every inserted row doubles the load time: switch it off and fill the new
            # vectors with one UPDATE at the end.
            defer = connection.vendor == "postgresql"
            if defer:
                self._search_trigger("DISABLE")
                facet_tables.switch_triggers("DISABLE")  # the facet tables: rebuilt once at the end
                replica = self._skip_row_checks(True)
            for chunk_start in range(0, self.meetings, self.MEETINGS_PER_CHUNK):
                chunk = range(chunk_start, min(chunk_start + self.MEETINGS_PER_CHUNK, self.meetings))
                self._write_chunk([first_number + i for i in chunk], [sizes[i] for i in chunk])
            self.made.seconds["rows"] = time.perf_counter() - started
            if defer:
                if replica:
                    self._skip_row_checks(False)
                self._search_trigger("ENABLE")
                self._fill_search_vectors()
                self.made.seconds["search_vectors"] = time.perf_counter() - started - self.made.seconds["rows"]
                facet_tables.switch_triggers("ENABLE")
                facet_tables.rebuild()
                self.made.seconds["facet_tables"] = time.perf_counter() - started - sum(self.made.seconds.values())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Entry, EntryCountry, Entry.themes.through, Entry.organisations.through, Session):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.made.seconds["total"] = time.perf_counter() - started
        return self.made

    # -- set-up

    def _prepare_vocabularies(self):
        if not Theme.objects.exists():
            Theme.objects.bulk_create(
                Theme(slug=f"{SLUG_PREFIX}{slug}", name_fr=fr, name_en=en) for slug, fr, en in FALLBACK_THEMES
            )
        if not Organisation.objects.exists():
            Organisation.objects.bulk_create(
                Organisation(slug=f"{SLUG_PREFIX}{slug}", acronym=acronym, name=name, kind=kind)
                for slug, acronym, name, kind in FALLBACK_ORGANISATIONS
            )
        shuffle = self.rng.shuffle
        self.theme_ids = list(Theme.objects.order_by("pk").values_list("pk", flat=True))
        self.organisation_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
        known = set(Country.objects.values_list("code", flat=True))
        self.country_codes = [code for code in PARTNER_COUNTRIES if code in known]
        for ids in (self.theme_ids, self.organisation_ids):
            shuffle(ids)  # which theme is popular depends on the seed; the popularity curve does not
        self.theme_weights = zipf_weights(len(self.theme_ids))
        self.organisation_weights = zipf_weights(len(self.organisation_ids))
        self.country_weights = zipf_weights(len(self.country_codes), 1.0)
        self.kinds, self.kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())

    def _next_meeting_number(self):
        codes = Meeting.objects.filter(code__regex=CODE_PATTERN).values_list("code", flat=True)
        return max((int(code[len(CODE_PREFIX) :]) for code in codes), default=0) + 1

    def _meeting_sizes(self):
        """Entries per meeting: uneven (a ministerial conference yields more than a steering committee)."""
        weights = [self.rng.uniform(0.4, 1.6) for _ in range(self.meetings)]
        total = sum(weights)
        sizes = [max(1, int(self.entries * w / total)) for w in weights]
        i = 0
        while sum(sizes) != self.entries:
            step = 1 if sum(sizes) < self.entries else -1
            if sizes[i % self.meetings] + step >= 1:
                sizes[i % self.meetings] += step
            i += 1
        return sizes

    # -- one chunk of meetings

    def _write_chunk(self, numbers, sizes):
        rng = self.rng
        meetings = []
        for number in numbers:
            kind = rng.choices(list(MEETING_TITLES), MEETING_KIND_WEIGHTS)[0]
            start = date(2006, 7, 10) + timedelta(days=rng.randrange(20 * 365))
            meetings.append(
                Meeting(
                    slug=f"{SLUG_PREFIX}{number:03d}",
                    code=f"{CODE_PREFIX}{number:03d}",
                    title=MEETING_TITLES[kind].format(topic=rng.choice(TOPICS)) + f" ({number})",
                    kind=kind,
                    status=Status.PUBLISHED if rng.random() < 0.95 else Status.DRAFT,
                    summary=self.text.paragraph(2),
                    framework=self.text.sentence(),
                    participants_count=rng.randint(25, 180),
                    countries_count=rng.randint(10, 50),
                    start_date=start,
                    end_date=start + timedelta(days=rng.randint(0, 2)),
                    venue=rng.choice(VENUES),
                    source_language="fr",
                )
            )
        meetings = self._insert(Meeting, meetings)
        co_chairs = Meeting.co_chairs.through
        self._insert(
            co_chairs,
            [
                co_chairs(meeting_id=meeting.pk, country_id=code)
                for meeting in meetings
                for code in rng.sample(self.country_codes, 2)
            ],
        )
        self.made.meetings += len(meetings)

        leaves_by_meeting = self._write_sessions(meetings, sizes)
        entries = []
        for meeting, size in zip(meetings, sizes, strict=True):
            entries.extend(self._entries_for(meeting, leaves_by_meeting[meeting.pk], size))
        for entry in entries:
            fill_index_fields(entry)  # what Entry.save() would fill: the analysed text search reads
        entries = self._insert(Entry, entries)
        add_words(entries)
        self.made.entries += len(entries)
        self._write_tags(entries)

    def _write_sessions(self, meetings, sizes):
        rng = self.rng
        tops, children = [], []
        for meeting, size in zip(meetings, sizes, strict=True):
            count = max(1, min(len(SESSION_TITLES), size // 12 or 1, rng.randint(3, 8)))
            for order, title in enumerate(rng.sample(SESSION_TITLES, count), start=1):
                tops.append(
                    Session(
                        meeting_id=meeting.pk,
                        order=order * 10,
                        slug=f"s{order}",
                        title=title,
                        introduction=self.text.sentence() if rng.random() < 0.4 else "",
                    )
                )
        tops = self._insert(Session, tops)
        leaves = defaultdict(list)
        for top in tops:
            subs = rng.choices([0, 0, 1, 2, 3])[0] if top.order > 10 else 0
            if not subs:
                leaves[top.meeting_id].append(top)
            for sub in range(1, subs + 1):
                children.append(
                    Session(
                        meeting_id=top.meeting_id,
                        parent_id=top.pk,
                        order=top.order + sub,
                        slug=f"{top.slug}-{sub}",
                        title=rng.choice(SUB_SESSION_TITLES),
                    )
                )
        for child in self._insert(Session, children):
            leaves[child.meeting_id].append(child)
        self.made.sessions += len(tops) + len(children)
        return leaves

    def _entries_for(self, meeting, leaves, size):
        rng, text = self.rng, self.text
        kinds = rng.choices(self.kinds, self.kind_weights, k=size)
        per_session = defaultdict(int)
        entries = []
        for number, kind in enumerate(kinds, start=1):
            session = leaves[(number - 1) * len(leaves) // size]  # in document order, evenly
            per_session[session.pk] += 1
            sub_points = []
            if rng.random() < 0.12:
                sub_points = [text.clause(14) for _ in range(rng.randint(2, 5))]
                body = text.clause(16) + " : " + " ".join(f"{i}) {p}" for i, p in enumerate(sub_points, 1)) + "."
            else:
                body = text.paragraph(rng.choices([1, 2, 3], [55, 35, 10])[0])
            entries.append(
                Entry(
                    reference=f"{meeting.code}-{number:05d}",
                    meeting_id=meeting.pk,
                    session=session,
                    kind=kind,
                    order=per_session[session.pk],
                    title=text.title() if rng.random() < 0.3 else "",
                    text=body,
                    sub_points=sub_points,
                    source_line=number * 3,
                    status=Status.PUBLISHED if rng.random() < 0.96 else Status.DRAFT,
                )
            )
        return entries

    def _write_tags(self, entries):
        rng = self.rng
        country_tags, theme_tags, organisation_tags = [], [], []
        ThemeTag, OrganisationTag = Entry.themes.through, Entry.organisations.through
        for entry in entries:
            howmany = rng.choices([0, 1, 2, 3, 5], [25, 40, 20, 10, 5])[0]
            codes = self._distinct(self.country_codes, self.country_weights, howmany)
            for i, code in enumerate(codes):
                if entry.kind in ACTING_KINDS:
                    role = EntryCountry.Role.IMPLEMENTING if i == 0 else EntryCountry.Role.PARTNER
                else:
                    role = EntryCountry.Role.MENTIONED if rng.random() < 0.8 else EntryCountry.Role.PARTNER
                country_tags.append(EntryCountry(entry_id=entry.pk, country_id=code, role=role))
            for theme_id in self._distinct(self.theme_ids, self.theme_weights, rng.choices([1, 2, 3], [50, 35, 15])[0]):
                theme_tags.append(ThemeTag(entry_id=entry.pk, theme_id=theme_id))
            howmany = rng.choices([0, 1, 2], [65, 25, 10])[0]
            for organisation_id in self._distinct(self.organisation_ids, self.organisation_weights, howmany):
                organisation_tags.append(OrganisationTag(entry_id=entry.pk, organisation_id=organisation_id))
        self._insert(EntryCountry, country_tags)
        self._insert(ThemeTag, theme_tags)
        self._insert(OrganisationTag, organisation_tags)
        self.made.country_tags += len(country_tags)
        self.made.theme_tags += len(theme_tags)
        self.made.organisation_tags += len(organisation_tags)

    def _distinct(self, values, weights, howmany):
        howmany = min(howmany, len(values))
        chosen = []
        while len(chosen) < howmany:
            value = self.rng.choices(values, weights)[0]
            if value not in chosen:
                chosen.append(value)
        return chosen

    def _insert(self, model, objects):
        created = model.objects.bulk_create(objects, batch_size=self.batch_size)
        if created and created[0].pk is None:  # a database that cannot return the new keys
            raise RuntimeError(f"{connection.vendor} did not return the keys of the new {model.__name__} rows")
        return created

    # -- full-text search: one UPDATE after the load instead of the trigger on every inserted row

    def _skip_row_checks(self, skip):
        """Switch the foreign-key checks off for the load (PostgreSQL superuser only; True if it could): a deferred
        check queued for each of millions of new rows cost more than the inserts themselves at 1,000,000 entries,
        and the generator only links rows it has just written. The triggers are skipped too (the search vectors and
        facet tables are filled once at the end; its UPDATE bumps the content version)."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL session_replication_role = {'replica' if skip else 'origin'}")
        except DatabaseError:
            return False
        return True

    def _search_trigger(self, action):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses to run with checks pending
            cursor.execute(f"ALTER TABLE outcomes_entry {action} TRIGGER outcomes_entry_search_vector")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _fill_search_vectors(self):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE outcomes_entry SET search_vector =
                    setweight(to_tsvector('simple', index_title), 'A') ||
                    setweight(to_tsvector('simple', index_text), 'B') ||
                    setweight(to_tsvector('simple', index_title_en), 'C') ||
                    setweight(to_tsvector('simple', index_text_en), 'D')
                WHERE search_vector IS NULL
                """
            )


# ---------------------------------------------------------------------------------------------- removal


def synthetic_meetings():
    """The meetings this module made: both marks, never one alone."""
    return Meeting.objects.filter(code__regex=CODE_PATTERN, slug__startswith=SLUG_PREFIX)


def _real_counts():
    synthetic = synthetic_meetings()
    return {
        "meetings": Meeting.objects.exclude(pk__in=synthetic).count(),
        "sessions": Session.objects.exclude(meeting__in=synthetic).count(),
        "entries": Entry.objects.exclude(meeting__in=synthetic).count(),
        "country tags": EntryCountry.objects.exclude(entry__meeting__in=synthetic).count(),
        "theme tags": Entry.themes.through.objects.exclude(entry__meeting__in=synthetic).count(),
    }


class RealDataTouched(Exception):
    pass


def remove():
    """Deletes the synthetic meetings and all they hold; returns what was deleted. Rolls back if real data moved."""
    with transaction.atomic():
        before = _real_counts()
        meetings = synthetic_meetings()
        entries = Entry.objects.filter(meeting__in=meetings)
        country_tags = EntryCountry.objects.filter(entry__in=entries)
        deleted = {
            # Country tags keep a history (curation): through the collector, each row would be loaded and get a
            # history row, one INSERT at a time (minutes for a large corpus). They were bulk-inserted without
            # history, so they go without it too, in one statement.
            "country tags": country_tags._raw_delete(country_tags.db),
            "theme tags": Entry.themes.through.objects.filter(entry__in=entries).delete()[0],
            "organisation tags": Entry.organisations.through.objects.filter(entry__in=entries).delete()[0],
            # Entries and sessions have nothing left that points at them: delete them in one statement each
            # rather than through the collector, which would load every row into memory first.
            "entries": entries._raw_delete(entries.db),
        }
        sessions = Session.objects.filter(meeting__in=meetings)
        deleted["sessions"] = sessions._raw_delete(sessions.db)
        deleted["meetings"] = meetings.delete()[1].get(Meeting._meta.label, 0)
        for model in (Theme, Organisation):
            unused = model.objects.filter(slug__startswith=SLUG_PREFIX, entries__isnull=True)
            deleted[model._meta.verbose_name_plural] = unused.delete()[1].get(model._meta.label, 0)
        after = _real_counts()
        if after != before:
            raise RealDataTouched(f"real data changed: before {before}, after {after}; nothing was deleted")
    return deleted
