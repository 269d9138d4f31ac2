"""A final document's paragraphs read as a reader reads them: headings become sessions and sub-headings,
paragraphs and list items become entries, each with the kind its heading, its lead-in sentence or its own words
give it; the opening bullets become the meeting's metadata."""

import re
from dataclasses import dataclass, field

from . import cues
from .clean import TERMINAL, clean, fold, join

BULLET = re.compile(r"^\s*(?P<marker>[•▪◦●■○‣∙·\-–—]|\d{1,2}\.)\s+")
HEADING_MARK = re.compile(r"^\s*(?P<marker>#{1,6})\s+")
FOOTNOTE = re.compile(r"^\s*\*\s+")
SENTENCE_END = re.compile(r"[.!?…][)»\"']?$")
SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[«\"'’(]?[A-ZÀ-Ý])")
NUMBERED = re.compile(r"(?:^|(?<=\s))(\d{1,2})\)\s+")
LABEL_WORDS = 6  # "Bonnes pratiques :" labels a list; a longer sentence ending with a colon introduces one
HEADING_WORDS = 30


@dataclass
class Unit:
    """Lines read as one thing: a heading, a list item, a paragraph."""

    lines: list
    marker: str = ""

    @property
    def text(self):
        first = self.lines[0].text
        stripped = BULLET.sub("", HEADING_MARK.sub("", FOOTNOTE.sub("", first), count=1), count=1)
        return join([stripped, *(line.text for line in self.lines[1:])])

    @property
    def line(self):
        return self.lines[0].number

    @property
    def end_line(self):
        return self.lines[-1].number


@dataclass
class DraftEntry:
    text: str
    line: int
    end_line: int
    kind: str
    reason: str  # what gave the kind
    section: int
    in_list: bool = False
    follow_on: bool = False  # a paragraph continuing the list item before it

    @property
    def sub_points(self):
        return sub_points(self.text)


@dataclass
class Section:
    title: str
    level: int
    line: int
    parent: int | None
    label: bool = False  # "Défis :" names the list under it
    noted: bool = False  # the heading ends with "*": a footnote below says more about the section
    intro: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    speakers_text: str = ""


@dataclass
class Outline:
    title: str = ""
    preamble: list = field(default_factory=list)  # the opening bullets: (text, line)
    sections: list = field(default_factory=list)
    running_titles: list = field(default_factory=list)

    @property
    def entries(self):
        return [entry for section in self.sections for entry in section.entries]


def segment(lines):
    """The outline of a document given as its extracted lines."""
    cleaned = clean(lines)
    width = _short_width([line for paragraph in cleaned.paragraphs for line in paragraph])
    reader = _Reader(Outline(running_titles=cleaned.running_titles))
    for paragraph in cleaned.paragraphs:
        units = _units(paragraph, width)
        for index, unit in enumerate(units):
            reader.read(unit, whole_paragraph=len(units) == 1, next_unit=_at(units, index + 1))
    return reader.outline


def _at(items, index):
    return items[index] if index < len(items) else None


def _short_width(lines):
    lengths = sorted(len(line.text.strip()) for line in lines)
    return 0.85 * lengths[int(len(lengths) * 0.8)] if lengths else 0


def _units(paragraph, width):
    units = []
    for line in paragraph:
        marker = _marker(line.text)
        previous = units[-1].lines[-1].text.strip() if units else ""
        new_paragraph = SENTENCE_END.search(previous) and len(previous) < width and _starts_upper(line.text)
        if not units or marker or new_paragraph:
            units.append(Unit([line], marker))
        else:
            units[-1].lines.append(line)
    if units and not units[0].marker:  # a run-in heading: short first lines with no full stop, then the text
        first = units[0]
        for index in range(min(3, len(first.lines) - 1)):
            text = first.lines[index].text.strip()
            if text[-1:] in TERMINAL + ",":
                break
            if len(text) < width and _starts_upper(first.lines[index + 1].text):
                units[0:1] = [Unit(first.lines[: index + 1]), Unit(first.lines[index + 1 :])]
                break
    return units


def _marker(text):
    for pattern in (HEADING_MARK, BULLET):
        match = pattern.match(text)
        if match:
            return match.group("marker")
    return "*" if FOOTNOTE.match(text) else ""


def _starts_upper(text):
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and letters[0].isupper()


class _Reader:
    """Walks the units in order, keeping the open headings and the lead-in that governs the current list."""

    def __init__(self, outline):
        self.outline = outline
        self.stack = []  # indices of the open sections, outermost first
        self.lead_in = None  # (kind, phrase) of the sentence that introduced the current list
        self.previous = None  # what the last unit was: "heading", "item", "prose"

    @property
    def current(self):
        return self.outline.sections[self.stack[-1]] if self.stack else None

    def read(self, unit, *, whole_paragraph, next_unit):
        text = unit.text
        if not text:
            return
        level = self.heading_level(unit, text, whole_paragraph=whole_paragraph, next_unit=next_unit)
        if self.in_preamble() and not self.outline.title and cues.MEETING_TITLE.match(fold(text)):
            self.outline.title = text.rstrip(" :").strip()
            kind = "preamble"
        elif level:
            self.open_section(unit, text, level)
            kind = "heading"
        elif unit.marker == "*" and self.note_section() is not None:
            self.outline.sections[self.note_section()].intro.append(text)
            kind = "note"
        elif self.in_preamble():
            self.read_preamble(unit, text)
            kind = "preamble"
        else:
            kind = self.read_content(unit, text, next_unit)
        self.previous = kind

    # Headings ---------------------------------------------------------------------------------------------------

    def heading_level(self, unit, text, *, whole_paragraph, next_unit):
        if not any(char.isalpha() for char in text):
            return 0
        if unit.marker.startswith("#"):
            return len(unit.marker)
        if unit.marker == "*" or not _starts_upper(text):
            return 0
        words = len(text.split())
        if text.endswith(":"):
            if unit.marker or words > LABEL_WORDS or not (whole_paragraph or (next_unit and next_unit.marker)):
                return 0
            plain = [index for index in self.stack if not self.outline.sections[index].label]
            return (self.outline.sections[plain[-1]].level if plain else 0) + 1
        if text.rstrip("*")[-1:] in TERMINAL + "," or words > HEADING_WORDS:
            return 0
        if unit.marker in ("-", "–", "—") or (unit.marker and unit.marker[0].isdigit()):
            return 0
        if unit.marker or not self.outline.sections or cues.TOP_SECTIONS.match(fold(text)):
            return 1
        return 2 if whole_paragraph else 3

    def open_section(self, unit, text, level):
        sections = self.outline.sections
        while self.stack and sections[self.stack[-1]].level >= level:
            self.stack.pop()
        title = text.rstrip(" :*").strip()
        label = text.endswith(":")
        parent = self.stack[-1] if self.stack else None
        sections.append(Section(title, level, unit.line, parent, label=label, noted=text.endswith("*")))
        self.stack.append(len(sections) - 1)
        self.lead_in = None

    def note_section(self):
        marked = [index for index, section in enumerate(self.outline.sections) if section.noted]
        return marked[-1] if marked else None

    # The opening of the document --------------------------------------------------------------------------------

    def in_preamble(self):
        sections = self.outline.sections
        if any(section.entries for section in sections) or len(sections) > 1:
            return False
        return not sections or bool(cues.OPENING_SECTION.match(fold(sections[0].title)))

    def read_preamble(self, unit, text):
        folded = fold(text)
        if cues.DOCUMENT_DESCRIPTION.match(folded) and self.current is not None:
            self.current.intro.append(text)
        elif not self.outline.title and not unit.marker and len(text.split()) <= 40:
            self.outline.title = text.rstrip(" :").strip()
        else:
            self.outline.preamble.append((text, unit.line))

    # Entries ----------------------------------------------------------------------------------------------------

    def read_content(self, unit, text, next_unit):
        folded = fold(text)
        if self.current is None:
            self.open_section(unit, "Introduction", 1)
        if not unit.marker:
            return self.read_paragraph(unit, text, folded, next_unit)
        self.add_entries(unit, text, in_list=True)
        return "item"

    def read_paragraph(self, unit, text, folded, next_unit):
        section = self.current
        follow_on = self.previous in ("item", "follow-on")
        if section.label and section.entries and len(self.stack) > 1:  # after a labelled list: the heading above
            self.stack.pop()
            section, follow_on = self.current, False
        if cues.WHOLE_SESSION.match(folded) and len(self.stack) > 1:  # "Cette session a permis…": the top heading's
            del self.stack[1:]
            section, follow_on = self.current, False
        if not follow_on:
            self.lead_in = None
        if cues.DOCUMENT_DESCRIPTION.match(folded):
            self.outline.sections[self.stack[0]].intro.append(text)
            return "intro"
        if not section.entries and (cues.SESSION_DESCRIPTION.match(folded) or len(cues.HONORIFIC.findall(text)) >= 2):
            section.intro.append(text)
            if len(cues.HONORIFIC.findall(text)) >= 2:
                section.speakers_text = text
            return "intro"
        if text.endswith(":") and next_unit is not None and next_unit.marker:
            sentences = SENTENCES.split(text)
            self.lead_in = cues.earliest(cues.LEAD_IN, fold(sentences[-1]))
            if not self.lead_in[0]:
                self.lead_in = None
            if len(sentences) == 1:
                section.intro.append(text)
                return "lead-in"
        self.add_entries(unit, text, follow_on=follow_on)
        return "follow-on" if follow_on else "prose"

    def add_entries(self, unit, text, *, in_list=False, follow_on=False):
        """The unit's entry, cut where a sentence opens with a result or a challenge of its own."""
        section_index = self.stack[-1]
        parts, current = [], []
        for sentence in SENTENCES.split(text):
            own, _ = cues.earliest(cues.OWN_WORDS, fold(sentence), within=80)
            if current and own in cues.SPLITTING_KINDS and own != self.kind_of(" ".join(current), in_list)[0]:
                parts.append(" ".join(current))
                current = []
            current.append(sentence)
        parts.append(" ".join(current))
        for index, part in enumerate(parts):
            kind, reason = self.kind_of(part, in_list or (follow_on and index == 0))
            line = unit.line if index == 0 else _line_of(unit, part)
            self.outline.sections[section_index].entries.append(
                DraftEntry(part, line, unit.end_line, kind, reason, section_index, in_list, follow_on or index > 0)
            )

    def kind_of(self, text, in_list):
        heading_kind, heading_phrase = self.heading_kind()
        if heading_kind in cues.SECTION_KINDS:
            return heading_kind, f"heading: {heading_phrase}"
        if in_list and self.lead_in:
            return self.lead_in[0], f"lead-in: {self.lead_in[1]}"
        own, phrase = cues.earliest(cues.OWN_WORDS, fold(text))
        if own:
            return own, f"text: {phrase}"
        if heading_kind:
            return heading_kind, f"heading: {heading_phrase}"
        return cues.DEFAULT_KIND, "default"

    def heading_kind(self):
        for index in reversed(self.stack):
            kind, phrase = cues.earliest(cues.HEADING, fold(self.outline.sections[index].title))
            if kind:
                return kind, phrase
        return None, ""


def _line_of(unit, part):
    start = " ".join(part.split()[:3])
    for line in unit.lines:
        if start and start in " ".join(line.text.split()):
            return line.number
    return unit.line


def sub_points(text):
    """The numbered parts "1) … 2) …" of a text, verbatim, without their numbers and the joining words between."""
    matches = list(NUMBERED.finditer(text))
    expected, kept = 1, []
    for match in matches:
        if int(match.group(1)) == expected:
            kept.append(match)
            expected += 1
    if len(kept) < 2:
        return []
    points = []
    for match, following in zip(kept, [*kept[1:], None], strict=True):
        point = text[match.end() : following.start() if following else len(text)].strip()
        if following:
            point = re.sub(r"(\s*[,;]|\s+(et|and))+$", "", point).strip()
        points.append(point)
    return points if all(points) else []
