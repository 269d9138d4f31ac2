"""An explorer view as an XLSX workbook: one sheet of entries (header styled, frozen and filtered, columns sized),
one sheet saying which query made it and when. openpyxl's write-only mode keeps memory flat: rows go to a
temporary file as they are written, never all in memory."""

import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .exports import formula_safe


def cell(value):
    """A value a worksheet accepts: no control characters (XML refuses them), no formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return formula_safe(value)


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")


def header_cells(sheet, labels):
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        cells.append(cell)
    return cells


def workbook_file(rows, chosen, count, query, url):
    """A temporary file holding the workbook (closed and deleted when the response is done with it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Entrées"))
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(chosen))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    for number, column in enumerate(chosen, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.append(header_cells(sheet, [column.label for column in chosen]))
    for chunk in rows:
        for row in chunk:
            sheet.append([cell(row[column.code]) for column in chosen])
    about = book.create_sheet(_("Requête"))
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 24, 80
    about.append(header_cells(about, [_("Paramètre"), _("Valeur")]))
    about.append([_("Adresse de la vue"), cell(url)])
    about.append([_("Exporté le"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")])
    about.append([_("Entrées"), count])
    for name, values in query.lists():
        about.append([cell(name), cell("; ".join(values))])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    book.save(output)
    output.seek(0)
    return output
