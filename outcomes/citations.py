"""How to cite an entry: a sentence in the reader's language, and BibTeX and RIS records for reference managers.

A citation names the entry (its own words and stable reference), the meeting and its final document, the
document's date when known (else "n.d."), the stable URL, the date it was read, and the language of the text.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _


def year_of(meeting):
    return str(meeting.start_date.year) if meeting.start_date else _("s.d.")


def document_title(meeting):
    shown = meeting.shown
    return getattr(shown, "source_title", "") or shown.title


def sentence(entry, url):
    """The citation as a reader writes it, in the active language."""
    return _(
        "« %(headline)s », %(kind)s %(reference)s. Dans : %(document)s (Processus de Rabat, %(year)s). "
        "Texte : %(language)s. %(site)s, %(url)s (consulté le %(today)s)."
    ) % {
        "headline": entry.display_title,
        "kind": entry.get_kind_display(),
        "reference": entry.reference,
        "document": document_title(entry.meeting),
        "language": entry.citation_language,
        "site": "Rabat KB",
        "year": year_of(entry.meeting),
        "url": url,
        "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
    }


def bibtex_escape(text):
    return "".join("\\" + char if char in "{}%&$#_" else char for char in text)


def bibtex(entry, url):
    fields = {
        "title": f"{entry.reference} — {entry.display_title}",
        "booktitle": document_title(entry.meeting),
        "organization": "Processus de Rabat (Dialogue euro-africain sur la migration et le développement)",
        "year": str(entry.meeting.start_date.year) if entry.meeting.start_date else "",
        "url": url,
        "urldate": timezone.localdate().isoformat(),
        "language": "french",
        "note": f"{entry.get_kind_display()} {entry.reference}",
    }
    body = ",\n".join(f"  {name} = {{{bibtex_escape(value)}}}" for name, value in fields.items() if value)
    return f"@misc{{rabatkb-{entry.reference.lower()},\n{body}\n}}\n"


def ris(entry, url):
    lines = [
        ("TY", "GEN"),
        ("TI", f"{entry.reference} — {entry.display_title}"),
        ("T2", document_title(entry.meeting)),
        ("AU", "Processus de Rabat"),
        ("PY", str(entry.meeting.start_date.year) if entry.meeting.start_date else ""),
        ("UR", url),
        ("Y2", timezone.localdate().isoformat()),
        ("LA", "fr"),
        ("N1", f"{entry.get_kind_display()} {entry.reference}"),
        ("AB", entry.text),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value or tag == "ER")
