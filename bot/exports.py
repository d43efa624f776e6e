"""CSV files for organizers: `;`-separated, UTF-8 with a byte order mark (so spreadsheet
programs show umlauts), and safe to open: a cell that a spreadsheet would run as a formula
(it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, as the
OWASP advice on CSV injection says. Attendees choose their own names; a name like
"=HYPERLINK(...)" must stay text."""

from __future__ import annotations

import csv
import io
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Numbers stay numbers; text that starts like a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
