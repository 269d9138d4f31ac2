"""Snippets with the matches marked, made in Python from the analyser: the same on both databases, and safe (the
text is escaped piece by piece; only our own <mark> tags are added)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import analyser

SNIPPET_CHARS = 240


def marked_spans(text, stems, lang):
    """[(start, end)] of the words of `text` whose stem is one of `stems` (or starts like a prefix stem)."""
    return [(start, end) for word, start, end in analyser.words(text) if analyser.stem(word, lang) in stems]


def snippet(text, stems, lang):
    """Safe HTML: a window of `text` around its first match, each matching word in <mark>."""
    spans = marked_spans(text, stems, lang) if stems else []
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3) if spans else 0
    if start:  # begin at a word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    stop = start + SNIPPET_CHARS
    if stop < len(text):
        space = text.rfind(" ", start, stop)
        stop = space if space > start else stop
    pieces, position = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > stop:
            continue
        pieces += [escape(text[position:span_start]), f"<mark>{escape(text[span_start:span_end])}</mark>"]
        position = span_end
    pieces.append(escape(text[position:stop]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if stop < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)
