"""CSV exports are safe to open in a spreadsheet and keep umlauts."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

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


def test_text_that_looks_like_a_negative_number_is_neutralised_real_numbers_are_not():
    rows = cells(csv_bytes(["=header", "n"], [["-3", -3], [None, 2.5], ["a\nb", 0]]))
    assert rows[0] == ["'=header", "n"]
    assert rows[1:] == [["'-3", "-3"], ["", "2.5"], ["a\nb", "0"]]


def test_the_registrations_export_neutralises_names(program):
    from bot.handlers.admin import registrations_csv

    row = SimpleNamespace(session_id="ws-zwilling", user_id=42, name="=1+1", username="@evil", state="confirmed",
                          position=None, created_at="2025-06-01T10:00:00+00:00", updated_at="2025-06-01T10:00:00+00:00",
                          registered_as="=HYPERLINK(1)", organization="Stadt Halle")
    rows = cells(registrations_csv([row], program, "de"))
    assert rows[1][:7] == ["ws-zwilling", "Workshop 1: Digitale Zwillinge", "2025-06-03 13:15", "42", "'=1+1", "'@evil",
                           "confirmed"]
    assert rows[1][8] == "2025-06-01 12:00:00"
    # the name the guest list gives, as organizers registered it, is neutralised too
    assert rows[0][-2:] == ["registered_name", "organization"] and rows[1][-2:] == ["'=HYPERLINK(1)", "Stadt Halle"]
