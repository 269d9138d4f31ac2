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
from itertools import accumulate

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

from outcomes import facet_tables, kept_searches
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
from outcomes.models_search import SearchWord
from outcomes.search import analyser

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


# ---------------------------------------------------------------------------------------------- search index


class Analysed:
    """What `fill_index_fields` and `add_words` (outcomes/search/) make of the generated text, each token analysed
    once: the text only ever holds the source's tokens joined by spaces, and the analyser looks no further than the
    character after a word, so the words of the tokens are the words of the text (tests/test_bench.py checks it)."""

    LANG = "fr"  # the corpus is French only: the English index fields stay empty, as the analyser leaves them

    def __init__(self):
        self.tokens = {}

    def words(self, text):
        """[(word, folded, stem)] of `text`, stop words left out."""
        found = []
        for token in text.split():
            words = self.tokens.get(token)
            if words is None:
                words = self.tokens[token] = self._analyse(token)
            found += words
        return found

    def _analyse(self, token):
        return [
            (word, analyser.fold(word), analyser.stem(word, self.LANG))
            for word, _start, _end in analyser.words(token)
            if not analyser.is_stopword(word, self.LANG)
        ]

    @staticmethod
    def index(words):
        """An index field: the stems, as `analyser.index_text` joins them."""
        return " ".join(stem for _word, _folded, stem in words)


class Vocabulary:
    """`add_words` for the generated entries: the words met since the last save, each shown as last written, and
    only those not saved before (the others would be ignored as conflicts)."""

    def __init__(self):
        self.found, self.saved = {}, set()

    def note(self, *word_lists):
        for words in word_lists:
            for word, folded, stem in words:
                self.found[folded, stem] = word

    def save(self):
        new = [(key, word) for key, word in self.found.items() if key not in self.saved]
        SearchWord.objects.bulk_create(
            [SearchWord(lang=Analysed.LANG, folded=folded, stem=stem, word=word) for (folded, stem), word in new],
            ignore_conflicts=True,
            batch_size=1000,
        )
        self.saved.update(self.found)
        self.found = {}


# ---------------------------------------------------------------------------------------------- writing rows


class Inserts:
    """Writes rows with bulk_create, on any database. A row is a tuple of values for `columns` (attribute names)."""

    def __init__(self, batch_size):
        self.batch_size = batch_size

    def insert(self, model, columns, rows, returning=True):
        """Writes the rows; returns their new primary keys, in order, if `returning`."""
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        created = model.objects.bulk_create(objects, batch_size=self.batch_size)
        if not returning:
            return None
        if created and created[0].pk is None:  # a database that cannot return the new keys
            raise RuntimeError(f"{connection.vendor} did not return the keys of the new {model.__name__} rows")
        return [obj.pk for obj in created]


class Copies(Inserts):
    """PostgreSQL: rows streamed with COPY, their keys reserved from the table's sequence beforehand. Through
    bulk_create, building and parsing statements of one parameter per value cost more than writing the rows."""

    def insert(self, model, columns, rows, returning=True):
        if not rows:
            return [] if returning else None
        keys = None
        if returning:
            keys = self._reserve_keys(model, len(rows))
            columns = (model._meta.pk.attname, *columns)
            rows = [(key, *row) for key, row in zip(keys, rows, strict=True)]
        given = [model._meta.get_field(column) for column in columns]
        rest = [field for field in model._meta.concrete_fields if field not in given and not field.primary_key]
        template = model()  # the other fields get their defaults (auto_now: the time of this chunk)
        defaults = tuple(field.get_db_prep_save(field.pre_save(template, add=True), connection) for field in rest)
        # COPY takes strings, numbers and dates as they are; JSON goes through the backend's adapter.
        json = [(i, field) for i, field in enumerate(given) if isinstance(field, models.JSONField)]
        names = ", ".join(connection.ops.quote_name(field.column) for field in (*given, *rest))
        statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                if json:
                    row = self._adapt(row, json)
                copy.write_row((*row, *defaults))
        return keys

    @staticmethod
    def _adapt(row, fields):
        row = list(row)
        for i, json_field in fields:
            row[i] = json_field.get_db_prep_save(row[i], connection)
        return row

    @staticmethod
    def _reserve_keys(model, count):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())


# ---------------------------------------------------------------------------------------------- generation

# fmt: off
MEETING_COLUMNS = (
    "slug", "code", "title", "kind", "status", "summary", "framework", "participants_count", "countries_count",
    "start_date", "end_date", "venue", "source_language",
)
SESSION_COLUMNS = ("meeting_id", "parent_id", "order", "slug", "title", "introduction")
ENTRY_COLUMNS = (
    "reference", "meeting_id", "session_id", "kind", "order", "title", "text", "sub_points", "source_line", "status",
    "index_title", "index_text",
)
# fmt: on


@dataclass
class Made:
    meetings: int = 0
    sessions: int = 0
    entries: int = 0
    country_tags: int = 0
    theme_tags: int = 0
    organisation_tags: int = 0
    seconds: dict = field(default_factory=dict)


@dataclass
class Leaf:
    """A session entries are written under, with the analysed words of its headings (innermost first)."""

    id: int
    heading_words: list


def zipf_weights(n, exponent=0.9):
    return [1 / (rank + 1) ** exponent for rank in range(n)]


class Generator:
    """Adds `entries` synthetic entries spread over `meetings` new synthetic meetings."""

    MEETINGS_PER_CHUNK = 40  # each chunk is written with a handful of bulk inserts (COPY on PostgreSQL)

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
        self.analysed, self.vocabulary = Analysed(), Vocabulary()
        self.writer = (Copies if connection.vendor == "postgresql" else Inserts)(batch_size)
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
                kept_searches.keep_frequent_searches()
                self.made.seconds["kept_searches"] = time.perf_counter() - started - sum(self.made.seconds.values())
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
        # Cumulative: random.choices would add the weights up again on every draw.
        self.theme_weights = list(accumulate(zipf_weights(len(self.theme_ids))))
        self.organisation_weights = list(accumulate(zipf_weights(len(self.organisation_ids))))
        self.country_weights = list(accumulate(zipf_weights(len(self.country_codes), 1.0)))
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
        meetings = self._write_meetings(numbers)
        leaves = self._write_sessions([meeting_id for meeting_id, _code in meetings], sizes)
        rows = []
        for (meeting_id, code), size in zip(meetings, sizes, strict=True):
            rows += self._entries_for(meeting_id, code, leaves[meeting_id], size)
        entry_ids = self.writer.insert(Entry, ENTRY_COLUMNS, rows)
        self.vocabulary.save()
        self.made.entries += len(entry_ids)
        kind = ENTRY_COLUMNS.index("kind")
        self._write_tags(entry_ids, [row[kind] for row in rows])

    def _write_meetings(self, numbers):
        """[(id, code)] of the new meetings, written with their co-chairs."""
        rng = self.rng
        rows = []
        for number in numbers:
            kind = rng.choices(list(MEETING_TITLES), MEETING_KIND_WEIGHTS)[0]
            start = date(2006, 7, 10) + timedelta(days=rng.randrange(20 * 365))
            rows.append(
                (
                    f"{SLUG_PREFIX}{number:03d}",
                    f"{CODE_PREFIX}{number:03d}",
                    MEETING_TITLES[kind].format(topic=rng.choice(TOPICS)) + f" ({number})",
                    kind,
                    Status.PUBLISHED if rng.random() < 0.95 else Status.DRAFT,
                    self.text.paragraph(2),
                    self.text.sentence(),
                    rng.randint(25, 180),
                    rng.randint(10, 50),
                    start,
                    start + timedelta(days=rng.randint(0, 2)),
                    rng.choice(VENUES),
                    "fr",
                )
            )
        meeting_ids = self.writer.insert(Meeting, MEETING_COLUMNS, rows)
        co_chairs = [(meeting_id, code) for meeting_id in meeting_ids for code in rng.sample(self.country_codes, 2)]
        self.writer.insert(Meeting.co_chairs.through, ("meeting_id", "country_id"), co_chairs, returning=False)
        self.made.meetings += len(meeting_ids)
        code = MEETING_COLUMNS.index("code")
        return [(meeting_id, row[code]) for meeting_id, row in zip(meeting_ids, rows, strict=True)]

    def _write_sessions(self, meeting_ids, sizes):
        """{meeting id: [Leaf]}: the sessions entries go under, top sessions without sub-sessions first."""
        rng = self.rng
        tops = []
        for meeting_id, size in zip(meeting_ids, sizes, strict=True):
            count = max(1, min(len(SESSION_TITLES), size // 12 or 1, rng.randint(3, 8)))
            for order, title in enumerate(rng.sample(SESSION_TITLES, count), start=1):
                introduction = self.text.sentence() if rng.random() < 0.4 else ""
                tops.append((meeting_id, None, order * 10, f"s{order}", title, introduction))
        leaves, children, headings = defaultdict(list), [], []
        for top_id, (meeting_id, _parent, order, slug, title, _intro) in zip(
            self.writer.insert(Session, SESSION_COLUMNS, tops), tops, strict=True
        ):
            subs = rng.choices([0, 0, 1, 2, 3])[0] if order > 10 else 0
            if not subs:
                leaves[meeting_id].append(Leaf(top_id, self.analysed.words(title)))
            for sub in range(1, subs + 1):
                sub_title = rng.choice(SUB_SESSION_TITLES)
                children.append((meeting_id, top_id, order + sub, f"{slug}-{sub}", sub_title, ""))
                headings.append(f"{sub_title} {title}")  # innermost first, as the index reads them
        for child_id, (meeting_id, *_rest), heading in zip(
            self.writer.insert(Session, SESSION_COLUMNS, children), children, headings, strict=True
        ):
            leaves[meeting_id].append(Leaf(child_id, self.analysed.words(heading)))
        self.made.sessions += len(tops) + len(children)
        return leaves

    def _entries_for(self, meeting_id, code, leaves, size):
        """The rows of a meeting's entries, with the analysed fields `Entry.save()` would fill."""
        rng, text, analysed = self.rng, self.text, self.analysed
        kinds = rng.choices(self.kinds, self.kind_weights, k=size)
        per_session = defaultdict(int)
        rows = []
        for number, kind in enumerate(kinds, start=1):
            leaf = leaves[(number - 1) * len(leaves) // size]  # in document order, evenly
            per_session[leaf.id] += 1
            sub_points = []
            if rng.random() < 0.12:
                sub_points = [text.clause(14) for _ in range(rng.randint(2, 5))]
                body = text.clause(16) + " : " + " ".join(f"{i}) {p}" for i, p in enumerate(sub_points, 1)) + "."
            else:
                body = text.paragraph(rng.choices([1, 2, 3], [55, 35, 10])[0])
            title = text.title() if rng.random() < 0.3 else ""
            status = Status.PUBLISHED if rng.random() < 0.96 else Status.DRAFT
            title_words, text_words = analysed.words(title), analysed.words(body)
            self.vocabulary.note(title_words, text_words, leaf.heading_words)
            index_title, index_text = analysed.index(title_words + leaf.heading_words), analysed.index(text_words)
            rows.append(
                (
                    f"{code}-{number:05d}",
                    meeting_id,
                    leaf.id,
                    kind,
                    per_session[leaf.id],
                    title,
                    body,
                    sub_points,
                    number * 3,
                    status,
                    index_title,
                    index_text,
                )
            )
        return rows

    def _write_tags(self, entry_ids, kinds):
        rng = self.rng
        country_tags, theme_tags, organisation_tags = [], [], []
        for entry_id, kind in zip(entry_ids, kinds, strict=True):
            howmany = rng.choices([0, 1, 2, 3, 5], [25, 40, 20, 10, 5])[0]
            for i, code in enumerate(self._distinct(self.country_codes, self.country_weights, howmany)):
                if kind in ACTING_KINDS:
                    role = EntryCountry.Role.IMPLEMENTING if i == 0 else EntryCountry.Role.PARTNER
                else:
                    role = EntryCountry.Role.MENTIONED if rng.random() < 0.8 else EntryCountry.Role.PARTNER
                country_tags.append((entry_id, code, role))
            howmany = rng.choices([1, 2, 3], [50, 35, 15])[0]
            theme_tags += [(entry_id, t) for t in self._distinct(self.theme_ids, self.theme_weights, howmany)]
            howmany = rng.choices([0, 1, 2], [65, 25, 10])[0]
            for organisation_id in self._distinct(self.organisation_ids, self.organisation_weights, howmany):
                organisation_tags.append((entry_id, organisation_id))
        insert = self.writer.insert
        insert(EntryCountry, ("entry_id", "country_id", "role"), country_tags, returning=False)
        insert(Entry.themes.through, ("entry_id", "theme_id"), theme_tags, returning=False)
        insert(Entry.organisations.through, ("entry_id", "organisation_id"), organisation_tags, returning=False)
        self.made.country_tags += len(country_tags)
        self.made.theme_tags += len(theme_tags)
        self.made.organisation_tags += len(organisation_tags)

    def _distinct(self, values, cum_weights, howmany):
        howmany = min(howmany, len(values))
        chosen = []
        while len(chosen) < howmany:
            value = self.rng.choices(values, cum_weights=cum_weights)[0]
            if value not in chosen:
                chosen.append(value)
        return chosen

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
