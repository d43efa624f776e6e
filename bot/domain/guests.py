"""The guest list: who registered for a conference (from the organizers' registration form,
pretix or a spreadsheet), read from a CSV, compared with the list the bot has, and the codes of
their personal invitation links. No Telegram, no database.

A CSV needs a column with the name (or a first and a last name), and may have an e-mail, an
organization and the registration's own code (a booking number). Spreadsheets write it with a
byte order mark, with ";" (German Excel) or "," between the fields, and with quoted fields; all
of that is read. A broken line is named by its number and nothing is loaded.

Loading a list again compares it with the one loaded before: a guest is the same guest when
the registration code is the same, else the same e-mail (where no one else has it), else the
same name (where no one else has it). So a corrected name is a correction, not a new guest,
and everybody keeps their invitation link.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

# The link's code: 16 of 31 letters and digits that cannot be misread (no 0/o, 1/l/i) — 79 bits.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 16
CODE_BITS = 79  # floor(16 * log2(31)): guessing one of 10,000 codes takes ~2^66 tries
ATTEMPTS_PER_HOUR = 5  # failed link openings per person and hour before the bot stops checking
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FIELD = 200  # characters kept of a name, an e-mail, an organization or a code

EMAIL = re.compile(r"^[^@\s\"'<>,;()]+@[^@\s\"'<>,;()]+\.[^@\s\"'<>,;()]+$")

# What a column may be called (compared without case, spaces, "-" and "_").
COLUMNS = {
    "name": ("name", "fullname", "vollername", "teilnehmer", "teilnehmerin", "gast", "guest", "attendee",
             "participant"),
    "first_name": ("firstname", "vorname", "givenname"),
    "last_name": ("lastname", "nachname", "surname", "familyname", "familienname"),
    "email": ("email", "mail", "emailadresse", "emailaddress", "mailadresse"),
    "organization": ("organization", "organisation", "organisationname", "institution", "company", "firma",
                     "kommune", "municipality", "stadt", "verwaltung", "arbeitgeber"),
    "reference": ("code", "reference", "ref", "registration", "registrationcode", "ordercode", "order",
                  "ticket", "ticketcode", "buchungsnummer", "anmeldenummer", "anmeldecode", "anmeldung",
                  "bestellnummer", "id"),
}


@dataclass(frozen=True)
class GuestListProblem(Exception):
    """Why a file cannot be loaded: a text key (guests_problem_<code>) with its values, and the
    line it concerns (1 is the header)."""

    code: str
    line: int | None = None
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, code: str, line: int | None = None, **values: object) -> "GuestListProblem":
        return cls(code, line, tuple(values.items()))


@dataclass(frozen=True)
class Entry:
    """One guest as the file lists them."""

    name: str
    email: str = ""
    organization: str = ""
    reference: str = ""  # the registration's own code, if the file has one
    line: int = 0

    def same_fields(self, other: "Entry | Guest") -> bool:
        return (self.name, self.email, self.organization, self.reference) == \
            (other.name, other.email, other.organization, other.reference)


@dataclass(frozen=True)
class Guest:
    """One guest as the bot has them: with their invitation code and, once they opened their
    link, their Telegram account."""

    id: int
    conference_id: str
    name: str
    email: str
    organization: str
    reference: str
    code: str
    user_id: int | None = None
    connected_at: str | None = None

    @property
    def connected(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class Change:
    """A guest whose entry differs from the new list's: the name corrected, or another field."""

    guest: Guest
    entry: Entry

    @property
    def renamed(self) -> bool:
        return self.guest.name != self.entry.name

    @property
    def fields(self) -> list[str]:
        """Which of the other fields differ: "email", "organization", "reference"."""
        return [name for name in ("email", "organization", "reference")
                if getattr(self.guest, name) != getattr(self.entry, name)]


@dataclass(frozen=True)
class Comparison:
    """What loading a list would do to the list the bot has."""

    added: list[Entry] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    removed: list[Guest] = field(default_factory=list)
    unchanged: int = 0

    @property
    def renamed(self) -> list[Change]:
        return [c for c in self.changed if c.renamed]

    @property
    def anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


# --- reading the file ------------------------------------------------------------------------------


SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), .xls (OLE)


def read_guest_list(data: bytes) -> list[Entry]:
    """The guests of a CSV file; GuestListProblem for anything that keeps it from loading whole."""
    if not data.strip():
        raise GuestListProblem.of("empty")
    if len(data) > MAX_FILE_BYTES:
        raise GuestListProblem.of("too_big", megabytes=MAX_FILE_BYTES // (1024 * 1024))
    if data.startswith(SPREADSHEET_MAGIC) or b"\x00" in data[:4096]:  # an .xlsx/.ods (a zip), .xls or other binary
        raise GuestListProblem.of("not_csv")
    text = _decode(data)
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise GuestListProblem.of("empty")
    delimiter = _delimiter(lines[header_index])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    entries: list[Entry] = []
    columns: dict[str, int] | None = None
    width = 0
    while True:
        line = reader.line_num + 1  # where the record starts (a quoted field may span lines)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # a quote left open runs on: the line it was opened in is named
            raise GuestListProblem.of("broken_line", line, reason=str(error)) from None
        if not any(cell.strip() for cell in row):
            continue
        if columns is None:
            columns, width = _columns(row, line), len(row)
            continue
        entries.append(_entry(row, columns, width, line))
    if columns is None or not entries:
        raise GuestListProblem.of("no_guests")
    _no_twins(entries)
    return entries


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252, as older Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(header: str) -> str:
    """";", "," or a tab: whichever the header line uses most outside quotes."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {mark: outside.count(mark) for mark in (";", ",", "\t")}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ";"


def _normal_header(cell: str) -> str:
    return re.sub(r"[\s_\-.:()]+", "", cell.strip().casefold()).replace("ä", "ae").replace("ü", "ue").replace("ö", "oe")


def _columns(header: list[str], line: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _normal_header(cell)
        for field_name, aliases in COLUMNS.items():
            if name in aliases and field_name not in columns:
                columns[field_name] = index
    if "name" not in columns and not ("first_name" in columns or "last_name" in columns):
        raise GuestListProblem.of("no_name_column", line, found=", ".join(c.strip() for c in header if c.strip())[:200])
    return columns


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return " ".join(row[index].split())[:MAX_FIELD]


def _entry(row: list[str], columns: dict[str, int], width: int, line: int) -> Entry:
    # A field too many or too few: mostly a separator inside an unquoted name ("Müller, Anna")
    if len(row) < width or any(cell.strip() for cell in row[width:]):
        raise GuestListProblem.of("field_count", line, found=len(row), expected=width)
    name = _cell(row, columns, "name") or " ".join(
        part for part in (_cell(row, columns, "first_name"), _cell(row, columns, "last_name")) if part)
    if not name:
        raise GuestListProblem.of("no_name", line)
    email = _cell(row, columns, "email")
    if email and not EMAIL.match(email):
        raise GuestListProblem.of("bad_email", line, email=email)
    return Entry(name, email.casefold(), _cell(row, columns, "organization"), _cell(row, columns, "reference"), line)


def _no_twins(entries: list[Entry]) -> None:
    """A registration code twice, or one person twice (same name and e-mail), is a mistake in the
    list; the same e-mail for two people is not (a shared office address)."""
    seen: dict[tuple, int] = {}
    for entry in entries:
        keys = [("reference", entry.reference)] if entry.reference else []
        keys.append(("person", normal_name(entry.name), entry.email))
        for key in keys:
            if key in seen:
                raise GuestListProblem.of("twice", entry.line, first=seen[key], name=entry.name)
            seen[key] = entry.line


def normal_name(name: str) -> str:
    """A name as compared: case, accents' spelling and spaces do not count."""
    decomposed = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(decomposed.replace("ß", "ss").split())


# --- comparing with the list the bot has ---------------------------------------------------------


def compare(current: list[Guest], entries: list[Entry]) -> Comparison:
    """Match each entry to a guest the bot has: by registration code, then by an e-mail no one
    else has, then by a name no one else has; what is left is added or removed."""
    pairs: list[tuple[Guest, Entry]] = []
    guests, new = list(current), list(entries)
    for key in (lambda x: x.reference, lambda x: x.email, lambda x: normal_name(x.name)):
        matched = _match(guests, new, key)
        pairs += matched
        taken_guests = {id(g) for g, _ in matched}
        taken_entries = {id(e) for _, e in matched}
        guests = [g for g in guests if id(g) not in taken_guests]
        new = [e for e in new if id(e) not in taken_entries]
    changed = [Change(guest, entry) for guest, entry in pairs if not entry.same_fields(guest)]
    return Comparison(added=new, changed=changed, removed=guests, unchanged=len(pairs) - len(changed))


def _match(guests: list[Guest], entries: list[Entry], key) -> list[tuple[Guest, Entry]]:
    """Pairs whose key is set and unique on both sides (a reference keeps a guest even when the
    old row had none: then it is matched by the next key)."""
    def unique(items) -> dict[str, object]:
        counted: dict[str, list] = {}
        for item in items:
            value = key(item)
            if value:
                counted.setdefault(value, []).append(item)
        return {value: found[0] for value, found in counted.items() if len(found) == 1}
    by_guest, by_entry = unique(guests), unique(entries)
    return [(by_guest[value], by_entry[value]) for value in by_guest.keys() & by_entry.keys()]


def fingerprint(guests: list[Guest]) -> str:
    """Identifies a list as the bot has it: a preview is applied only to the list it was made of."""
    digest = hashlib.sha256()
    for guest in sorted(guests, key=lambda g: g.id):
        digest.update(repr((guest.id, guest.name, guest.email, guest.organization, guest.reference)).encode())
    return digest.hexdigest()[:16]


def file_fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# --- invitation codes ------------------------------------------------------------------------------


class Connection(str, Enum):
    """What opening an invitation link did."""

    CONNECTED = "connected"  # this account is the guest's now
    ALREADY = "already"  # it was already
    TAKEN = "taken"  # another account opened this link first: an organizer can re-link it
    OTHER_GUEST = "other_guest"  # this account belongs to another guest of the conference
    UNKNOWN = "unknown"  # no such invitation (mistyped, cut off, removed from the list, guessed)
    LIMITED = "limited"  # too many failed attempts in the last hour: not even checked


@dataclass(frozen=True)
class Connecting:
    status: Connection
    guest: Guest | None = None


def new_code() -> str:
    """An unguessable code for one guest's link (CODE_BITS bits from the system's randomness)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def looks_like_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)
