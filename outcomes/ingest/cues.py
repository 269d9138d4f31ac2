"""The French and English phrases a reader takes an entry's kind from: headings, lead-in sentences, the entry's own
words. Matched on folded text (lower case, no accents, plain apostrophes); where several match, the earliest wins."""

import re

OBJECTIVE = "objective"
EXPECTED_RESULT = "expected_result"
KEY_POINT = "key_point"
POLICY = "policy"
GOOD_PRACTICE = "good_practice"
CHALLENGE = "challenge"
RECOMMENDATION = "recommendation"
RESULT = "result"
FEEDBACK = "feedback"

# Sections whose kind holds for everything in them, whatever an entry's own words say.
SECTION_KINDS = {OBJECTIVE, EXPECTED_RESULT, FEEDBACK}
DEFAULT_KIND = KEY_POINT


def _cues(table):
    return [(kind, re.compile(pattern)) for kind, pattern in table]


HEADING = _cues(
    [
        (FEEDBACK, r"analyse de la participation|evaluation|retours? des participants|participants'? feedback"),
        (EXPECTED_RESULT, r"resultats? (attendus|escomptes)|expected (results|outcomes)"),
        (OBJECTIVE, r"\bobjecti(fs?|ves?)\b|\baims?\b"),
        (GOOD_PRACTICE, r"bonnes pratiques|pratiques prometteuses|(good|best|promising) practices?|lessons learn"),
        (CHALLENGE, r"\bdefis\b|\blacunes\b|\bdifficultes\b|\bobstacles\b|\bchallenges\b|\bgaps\b"),
        (
            RECOMMENDATION,
            r"recommandations?|recommendations?|prochaines etapes|enjeux pour l'avenir|pistes d'action"
            r"|next steps|way forward",
        ),
        (POLICY, r"\bpolitiques?\b|\bstrategies?\b|\bstrategy\b|\bpolic(y|ies)\b"),
        (RESULT, r"resultats obtenus|\bresultats\b|\bresults\b|\bachievements\b|\brealisations\b"),
    ]
)

LEAD_IN = _cues(
    [
        (GOOD_PRACTICE, r"bonnes pratiques|(good|best) practices?"),
        (CHALLENGE, r"\bdefis\b|\blacunes\b|\bdifficultes\b|\bchallenges\b|\bgaps\b"),
        (
            RECOMMENDATION,
            r"recommand|pistes d'action|\bdoi(t|vent)\b|\bdevrai(t|ent)\b|il (faudrait|convient)"
            r"|\bshould\b|\bmust\b|\brecommend",
        ),
        (
            KEY_POINT,
            r"insiste|souligne|rappele|accordes|points suivants|stressed|underlined|highlighted|emphasi[sz]ed"
            r"|following points",
        ),
        (RESULT, r"\bresultats\b|\bresults\b|a permis|\bachieved\b"),
        (OBJECTIVE, r"\bobjecti(fs?|ves?)\b"),
    ]
)

# An entry's own words, when they say plainly what it is.
OWN_WORDS = _cues(
    [
        (
            RESULT,
            r"\b(a|ont) permis\b(?! de mettre en)|\bresultats ont ete\b|\bont ete (engranges|obtenus|atteints)\b"
            r"|\b(has|have) (enabled|made it possible|led to)\b|\bresults (were|have been) achieved\b",
        ),
        (
            CHALLENGE,
            r"\b(a|ont) identifie (plusieurs |des |les |de nombreux |de nombreuses )?(lacunes|defis|difficultes)"
            r"|\bidentified (several |a number of |some )?(gaps|challenges)",
        ),
        (
            GOOD_PRACTICE,
            r"(mis en (oeuvre|place)|adopte|developpe)\b.{0,40}\bbonnes pratiques|good practices? (was|were|have been)",
        ),
        (
            POLICY,
            r"dispose d'une (strategie|politique)|dispose de plusieurs instruments|\brepose sur\b|\best fondee sur\b"
            r"|s'articule autour|\b(strategy|policy) (rests on|is based on|aims to)",
        ),
        (
            KEY_POINT,
            r"mettre en (lumiere|evidence)|il a ete rappele|ont insiste|ont souligne|se sont accordes"
            r"|(stressed|underlined|highlighted|recalled) that",
        ),
    ]
)

# Kinds that open a new entry when a sentence starts with them inside a paragraph of another kind.
SPLITTING_KINDS = {RESULT, CHALLENGE}

# A paragraph that says what a session was about rather than what it concluded: the session's introduction.
SESSION_DESCRIPTION = re.compile(
    r"^(cette|la) (seance|session|reunion|table ronde|discussion)\b[^.]{0,40}\b(etait organisee|s'est articulee"
    r"|a porte|portait|etait consacree|avait pour objectif)|^this (session|meeting|panel) (was|focused|looked)"
)
# A paragraph that sums up the whole session it closes, whatever sub-heading came last.
WHOLE_SESSION = re.compile(r"^(cette|la presente) (session|seance)\b|^this session\b")
DOCUMENT_DESCRIPTION = re.compile(r"^(le present document|ce document|this document|the present document)\b")
# The line that names the meeting, at the top of the document.
MEETING_TITLE = re.compile(r"^(reunion|conference|seminaire|atelier|table ronde|forum|meeting|workshop|seminar)\b")
# The opening section, whose bullets state the meeting's facts rather than its outcomes.
OPENING_SECTION = re.compile(r"^(introduction|contexte|context|background|presentation|overview)\b")
# Sections that stand at the top of the outline whatever their layout.
TOP_SECTIONS = re.compile(
    r"^(introduction|conclusions?|ceremonie d'(ouverture|cloture)|seance d'(ouverture|cloture)"
    r"|analyse de la participation|evaluation|annexes?|opening (ceremony|session)|closing (ceremony|session)"
    r"|participation analysis)\b"
)


def earliest(cues, folded_text, *, within=None):
    """The kind whose phrase comes first in the text (in its first `within` characters), and the phrase."""
    found = []
    for order, (kind, pattern) in enumerate(cues):
        match = pattern.search(folded_text)
        if match and (within is None or match.start() < within):
            found.append((match.start(), order, kind, match.group(0)))
    return min(found)[2:] if found else (None, "")


# A courtesy title before a name: a paragraph with two of them names the speakers of a session.
HONORIFIC = re.compile(
    r"\b(Mme|Mmes|Mlle|M\.|MM\.|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Pr\.?|S\.E\.|H\.E\.|Son Excellence|His Excellency"
    r"|Her Excellency)\s+(?=[A-ZÀ-Ý])"
)
