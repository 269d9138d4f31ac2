"""The text of an uploaded document as numbered lines: PDF and DOCX are read in a child process with a time limit.

A PDF that makes the reader loop, crash or eat memory stops the child, never the server. The lines are the
document's text as the reader gives it (running headers, page numbers and URLs included): the review screen shows
them with their numbers, and `clean.py` sets those artefacts aside. DOCX paragraphs come out as lines in
a light markup the segmenter reads: `#`, `##`… before headings, `- ` before list items.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

PDF, DOCX, TEXT = "pdf", "docx", "text"
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".txt": TEXT, ".text": TEXT, ".md": TEXT}
CHILD_MEMORY_BYTES = 1024 * 1024 * 1024


class ExtractionError(Exception):
    """Why a document gave no text: a code the upload form turns into a message."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def document_kind(data, filename):
    """PDF, DOCX or TEXT after the file's content (its name only says what it claims to be)."""
    claimed = EXTENSIONS.get(Path(filename or "").suffix.lower())
    if data.startswith(b"%PDF-"):
        kind = PDF
    elif data.startswith(b"PK\x03\x04") and b"word/document.xml" in data:
        kind = DOCX
    elif decode_text(data) is not None:
        kind = TEXT
    else:
        raise ExtractionError("unsupported")
    if claimed is None or claimed != kind:
        raise ExtractionError("unsupported")
    return kind


def decode_text(data):
    """The bytes as text (UTF-8, else Windows-1252), or None when they look like a binary file."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\n\r\f")
        return text if controls <= len(text) / 100 else None
    return None


def extract_lines(data, filename, *, timeout=30):
    """The document's lines; raises ExtractionError (empty, unsupported, encrypted, no_text, timeout, failed)."""
    if not data.strip():
        raise ExtractionError("empty")
    kind = document_kind(data, filename)
    lines = decode_text(data).splitlines() if kind == TEXT else _run_child(kind, data, timeout)
    if not any(line.strip() for line in lines):
        raise ExtractionError("no_text" if kind == PDF else "empty")
    return lines


def _run_child(kind, data, timeout):
    project_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [project_root, os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "outcomes.ingest.extract", kind],
            input=data,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError("timeout") from error
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ExtractionError("failed") from error
    if not isinstance(answer, dict) or "error" in answer or not isinstance(answer.get("lines"), list):
        raise ExtractionError(answer.get("error", "failed") if isinstance(answer, dict) else "failed")
    return [str(line) for line in answer["lines"]]


# In the child process ------------------------------------------------------------------------------------------


def pdf_lines(data):
    """Each text box of each page in reading order (two columns: left, then right), a blank line between boxes."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    lines = []
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            boxes = [element for element in page if isinstance(element, LTTextContainer)]
            for box in reading_order(boxes, page.width):
                box_lines = [line.get_text().rstrip("\r\n") for line in box if isinstance(line, LTTextLine)]
                lines += [line for line in box_lines if line.strip()]
                lines.append("")
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise ExtractionError("encrypted") from error
    return lines


def reading_order(boxes, width):
    """Boxes top to bottom; between two full-width boxes, the left column's boxes before the right column's."""
    middle, slack = width / 2, width / 50
    ordered, left, right = [], [], []
    for box in sorted(boxes, key=lambda box: (-box.y1, box.x0)):
        if box.x1 <= middle + slack:
            left.append(box)
        elif box.x0 >= middle - slack:
            right.append(box)
        else:
            ordered += left + right + [box]
            left, right = [], []
    return ordered + left + right


def docx_lines(data):
    """One line per paragraph: `#` marks for heading levels, `- ` for list items, a blank line between paragraphs."""
    import docx

    lines = []
    for paragraph in docx.Document(io.BytesIO(data)).paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        level = _heading_level(style)
        if level:
            text = f"{'#' * level} {text}"
        elif "list" in style or "liste" in style:
            text = f"- {text}"
        lines += [text, ""]
    return lines


def _heading_level(style):
    if style == "title" or style == "titre":
        return 1
    for prefix in ("heading ", "titre "):
        if style.startswith(prefix) and style[len(prefix) :].strip().isdigit():
            return int(style[len(prefix) :])
    return 0


def _child_main(kind):
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    data = sys.stdin.buffer.read()
    try:
        answer = {"lines": pdf_lines(data) if kind == PDF else docx_lines(data)}
    except ExtractionError as error:
        answer = {"error": error.code}
    except Exception:  # any failure of the readers on a hostile file is one answer: it could not be read
        answer = {"error": "failed"}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _child_main(sys.argv[1])
