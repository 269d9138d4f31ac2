"""Extracted lines made into paragraphs: running headers and footers, page numbers and URLs set aside, paragraph
breaks told from line breaks, words hyphenated across lines joined again."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

URL_LINE = re.compile(r"^\s*(https?://|www\.)\S+\s*$", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^\s*(page\s+|p\.\s*)?\d{1,3}(\s*(/|sur|of)\s*\d{1,3})?\s*$", re.IGNORECASE)
# The running title final documents print on every page ("Document final : <meeting>").
RUNNING_TITLE = re.compile(r"^\s*(document final|final document|outcome document|rapport final|final report)\s*:", re.I)
TERMINAL = ".;:!?…"
# Words that keep their hyphen when a line break falls right after it ("inter-\nagences" is "inter-agences").
HYPHEN_PREFIXES = {
    "anti", "auto", "co", "contre", "cross", "demi", "ex", "extra", "inter", "intra", "mi", "multi", "non", "post",
    "pré", "pre", "pro", "quasi", "self", "semi", "sous", "sud", "nord", "est", "ouest", "sub", "super", "vice",
}  # fmt: skip


@dataclass
class Line:
    number: int  # 1-based, in the extracted text
    text: str


@dataclass
class Cleaned:
    paragraphs: list  # lists of Line
    running_titles: list  # the running headers and footers set aside, in document order


def fold(text):
    """Lower case without accents, typographic apostrophes made plain: the form cues and names are matched in."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'").replace("œ", "oe"))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


def _key(text):
    return re.sub(r"\d+", "#", " ".join(text.split()))


def is_artefact(text, repeated):
    return bool(URL_LINE.match(text) or PAGE_NUMBER.match(text) or RUNNING_TITLE.match(text)) or _key(text) in repeated


def clean(lines):
    """The document's paragraphs, each a list of numbered lines."""
    counts = Counter(_key(line) for line in lines if len(line.strip()) >= 12)
    repeated = {key for key, count in counts.items() if count >= 3}
    kept, running = [], []  # kept: (number, text) with text "" for a blank line
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip()
        if not text.strip():
            kept.append((number, ""))
        elif is_artefact(text, repeated):
            if (RUNNING_TITLE.match(text) or _key(text) in repeated) and not PAGE_NUMBER.match(text):
                running.append(" ".join(text.split()))
        else:
            kept.append((number, text))
    return Cleaned(paragraphs=_paragraphs(kept), running_titles=running)


def _paragraphs(kept):
    """Group lines into paragraphs after the blank lines between them.

    Some extractors put a blank line after every line ("double spacing"): there one blank line only ends a line
    and a paragraph break shows as two blank lines or more, or as none at all (the extractor's own break)."""
    gaps, blanks = [], 0  # blank lines before each text line
    texts = []
    for number, text in kept:
        if text:
            gaps.append(blanks)
            texts.append(Line(number, text))
            blanks = 0
        else:
            blanks += 1
    single_gaps = [index for index in range(1, len(texts)) if gaps[index] == 1]
    wrapped = sum(1 for index in single_gaps if _continues(texts[index - 1].text, texts[index].text))
    # A blank after most lines, and often inside a sentence (not one paragraph a line, as a DOCX gives).
    double_spaced = len(single_gaps) >= 0.6 * (len(texts) - 1) and wrapped >= 0.2 * len(single_gaps) > 0
    paragraphs = []
    for index, (line, gap) in enumerate(zip(texts, gaps, strict=True)):
        breaks = (gap != 1) if double_spaced else (gap >= 1)
        if index and breaks and _continues(paragraphs[-1][-1].text, line.text):
            breaks = False
        if not paragraphs or breaks:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _continues(previous, text):
    """A break that only a page or column end made: the sentence goes on in lower case."""
    stripped = text.strip()
    return bool(stripped) and stripped[0].islower() and previous.rstrip()[-1:] not in TERMINAL


def join(texts):
    """Lines joined into one text: blanks collapsed, a word hyphenated across two lines made whole again."""
    joined = ""
    for text in texts:
        text = " ".join(text.split())
        if not text:
            continue
        match = re.search(r"(\w+)-$", joined)
        if match and text[0].isalpha():
            keep = text[0].isupper() or fold(match.group(1)) in HYPHEN_PREFIXES
            joined = (joined if keep else joined[:-1]) + text
        else:
            joined = f"{joined} {text}" if joined else text
    return joined
