"""A country's follow-up matrix, as national administrations plan with it: one row per recommendation and theme,
with empty columns (responsible body, timeline, notes) for them to fill in. XLSX (openpyxl, written in
write-only mode) and CSV (`;` and a BOM, as French-locale Excel expects) carry the same rows."""

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .exports import formula_safe

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (header, width in characters); the last three are left empty for the country's planning.
COLUMNS = [
    (gettext_lazy("Thème"), 28),
    (gettext_lazy("Référence"), 11),
    (gettext_lazy("Type"), 16),
    (gettext_lazy("Texte"), 70),
    (gettext_lazy("Réunion"), 40),
    (gettext_lazy("Cadres"), 18),
    (gettext_lazy("État du suivi"), 18),
    (gettext_lazy("Date du suivi"), 13),
    (gettext_lazy("Adresse"), 40),
    (gettext_lazy("Organisme responsable"), 26),
    (gettext_lazy("Échéance"), 14),
    (gettext_lazy("Notes"), 40),
]


def headers():
    return [str(title) for title, _width in COLUMNS]


def rows(groups, request):
    """The matrix rows of recommendations_for()'s groups: plain values, the same for XLSX and CSV."""
    lines = []
    for theme, entries in groups:
        for entry in entries:
            current = entry.current
            lines.append(
                [
                    theme.name if theme else _("Sans thème"),
                    entry.reference,
                    entry.get_kind_display(),
                    entry.text,
                    entry.meeting.title,
                    "; ".join(item.reference for item in entry.framework_items.all()),
                    current.get_progress_display() if current else _("Aucun suivi enregistré"),
                    current.date.isoformat() if current else "",
                    request.build_absolute_uri(entry.get_absolute_url()),
                    "",
                    "",
                    "",
                ]
            )
    return [[str(value) for value in line] for line in lines]


def as_csv(lines):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(headers())
    writer.writerows([formula_safe(value) for value in line] for line in lines)
    return out.getvalue()


def as_xlsx(lines, country):
    """The workbook as bytes: a styled, frozen header row, a filter on every column, wrapped text and set widths."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=country.code)
    for position, (_title, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{len(lines) + 1}"
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", start_color="1F4E79")
    header = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in lines:
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=formula_safe(value))
            cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
