"""CSV exports are safe to open in a spreadsheet and keep umlauts."""

from __future__ import annotations

import csv
import io

from bot.exports import csv_bytes


def cells(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_formulas_become_text():
    rows = cells(csv_bytes(["name"], [["=1+1"], ["+49 345 1"], ["-x"], ["@SUM(A1)"], ["\tfoo"], ["\rfoo"], ["Anna"]]))
    assert [row[0] for row in rows[1:]] == ["'=1+1", "'+49 345 1", "'-x", "'@SUM(A1)", "'\tfoo", "'\rfoo", "Anna"]


def test_numbers_umlauts_and_separators_survive():
    rows = cells(csv_bytes(["a", "b", "c"], [[-3, "Jörg Müßig", "Saal 1; Foyer"]]))
    assert rows[1] == ["-3", "Jörg Müßig", "Saal 1; Foyer"]
