"""Small documents made in the tests: PDFs (one or two columns, running footer, encrypted, image only) and DOCX."""

import io
from pathlib import Path

import docx
import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "Vera"  # shipped with reportlab; covers French and typographic quotes
pdfmetrics.registerFont(TTFont(FONT, str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
WIDTH, HEIGHT = A4
MARGIN, SIZE, LEADING = 30, 8, 11


def pdf(pages, *, footer="", encrypt=None):
    """A PDF of `pages`, each a list of lines ("" for a paragraph gap), with `footer` and a number on each page."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    for number, lines in enumerate(pages, start=1):
        sheet.setFont(FONT, SIZE)
        y = HEIGHT - MARGIN
        for line in lines:
            if line:
                sheet.drawString(MARGIN, y, line)
            y -= LEADING
        if footer:
            sheet.drawString(MARGIN, MARGIN, footer)
            sheet.drawString(WIDTH - MARGIN - 10, MARGIN, str(number))
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def two_column_pdf(left, right, *, title=""):
    """One page: a full-width title, then two columns of lines side by side."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setFont(FONT, SIZE)
    y = HEIGHT - MARGIN
    if title:
        sheet.drawString(MARGIN, y, title)
        y -= 3 * LEADING
    for column, lines in ((MARGIN, left), (WIDTH / 2 + 15, right)):
        line_y = y
        for line in lines:
            if line:
                sheet.drawString(column, line_y, line)
            line_y -= LEADING
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def image_only_pdf():
    """A 'scanned' page: a drawing and no text layer."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.rect(100, 100, 300, 500, fill=1)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def text_file_pdf(text, *, footer, lines_per_page=64):
    """The PDF a text file of the project's extracted style stands for: its lines on pages, a gap where the text
    breaks a paragraph (a line holding only blanks, or two text lines with no empty line between), a footer."""
    lines, previous_was_text = [], False
    for raw in text.splitlines():
        if raw == "":
            previous_was_text = False
            continue
        if not raw.strip():
            lines.append("")
        else:
            if previous_was_text:
                lines.append("")
            lines.append(raw.strip())
        previous_was_text = bool(raw.strip())
    pages = [lines[start : start + lines_per_page] for start in range(0, len(lines), lines_per_page)]
    return pdf(pages, footer=footer)


def docx_file(paragraphs):
    """A DOCX of (style, text) paragraphs, e.g. ("Heading 1", "Introduction"), ("List Bullet", "Un point")."""
    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
