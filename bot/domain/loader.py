"""Reads a program file and checks it, reporting every problem at once.

Each problem names the session and the field and, where the YAML parser knows
it, the line, so an organizer can fix a file without reading Python. Problems and warnings are
domain.problems values: the chat words them in the organizer's language, the command line in
English.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .announcements import Audience, PlannedAnnouncement
from .checks import check_sessions
from .problems import FILE, YAML_SYNTAX, Message, Problem, Where, entry
from .schedule_import import Imported, ScheduleError, parse_schedule
from .program import (
    EMPTY_TEXT,
    LANGUAGES,
    Conference,
    Exhibitor,
    Kind,
    MeetingPoint,
    Place,
    Program,
    Session,
    Speaker,
    Text,
)

# Ids travel in button data (64 bytes at most) and deep links (letters, digits, _ and -).
SESSION_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


class ProgramError(Exception):
    """The program file cannot be used; `problems` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Mapping(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[str, int]


class _Lines:
    """A loader that remembers where each key stands and which keys a mapping repeats."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []  # key, first line, repeated line

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        # YAML lets the last of two equal keys win silently; a file that says `room:` twice
        # should hear about it. Keys merged in with `<<:` may be overridden: they are not counted.
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                line = key_node.start_mark.line + 1
                if key_node.value in first_lines:
                    self.duplicates.append((key_node.value, first_lines[key_node.value], line))
                first_lines.setdefault(key_node.value, line)
        mapping = _Mapping(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            str(key_node.value): key_node.start_mark.line + 1 for key_node, _ in node.value
        }
        return mapping


class _LineLoader(_Lines, yaml.SafeLoader):
    """PyYAML's own parser: its syntax errors name the line the way the docs and tests know."""


class _FastLineLoader(_Lines, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml, where PyYAML has it: fifteen times faster (a season of five 1,000-session programs
    in well under a second), with the same line marks; a file it refuses is read again with
    _LineLoader, for the message."""


for _loader in (_LineLoader, _FastLineLoader):
    # Timestamps stay strings so that naive and aware times are read one way, in the conference zone.
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_constructor("tag:yaml.org,2002:map", _loader.construct_mapping)


Fetch = Callable[[str], bytes]  # reads an http(s) source; given by the caller (the domain has no network)


def load_program(path: str | Path, fetch: Fetch | None = None, zone: str | None = None) -> Program:
    """Load and check a program file — a program.yaml, or a pretalx/frab schedule.json or
    schedule.xml directly (read in `zone` where its times carry no offset) — and raise
    ProgramError listing every problem."""
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgramError([Problem((str(file),), Message.of("file_not_found"))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramError([Problem((str(file),), Message.of("cannot_read_file", reason=exc))]) from None
    if is_schedule(file, raw):
        return _build(import_schedule(file, raw, zone), [])
    return parse_program(raw, base=file.parent, fetch=fetch)


PROGRAM_SUFFIXES = (".yaml", ".yml")
SERIES_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")  # fits a deep link with a session: C_<id>_<session>


def program_files(path: str | Path) -> list[Path]:
    """The program files BOT_PROGRAM names: a file, or a folder's *.yaml and *.yml (one season),
    or several of either separated by commas."""
    files: list[Path] = []
    for part in str(path).split(","):
        place = Path(part.strip())
        if place.is_dir():
            files += sorted(f for f in place.iterdir() if f.suffix.lower() in PROGRAM_SUFFIXES and f.is_file())
        elif part.strip():
            files.append(place)
    return files


def load_series(path: str | Path, fetch: Fetch | None = None) -> list[tuple[Path, Program]]:
    """Every program BOT_PROGRAM names, each checked on its own; ProgramError lists the problems of
    every file (named by the file) and of the series: several conferences need each a stable
    `conference.id` of their own, short enough for deep links."""
    files = program_files(path)
    if not files:
        raise ProgramError([Problem((str(path),), Message.of("no_program_files"))])
    loaded: list[tuple[Path, Program]] = []
    problems: list[Problem] = []
    for file in files:
        try:
            loaded.append((file, load_program(file, fetch)))
        except ProgramError as error:
            problems += [Problem((f"{file}: ", *p.where), p.message, p.line) for p in error.problems]
    if len(files) > 1:
        seen: dict[str, Path] = {}
        for file, program in loaded:
            conference_id = program.conference.id
            if conference_id == "conference" or not SERIES_ID.match(conference_id):
                problems.append(Problem((f"{file}: ", "conference"), Message.of("series_id", id=conference_id)))
            elif conference_id in seen:
                problems.append(Problem((f"{file}: ", "conference"),
                                        Message.of("series_id_twice", id=conference_id, other=str(seen[conference_id]))))
            seen.setdefault(conference_id, file)
    if problems:
        raise ProgramError(problems)
    return loaded


def is_schedule(file: Path, raw: str) -> bool:
    start = raw.lstrip("\ufeff \t\r\n")[:200]
    return file.suffix.lower() in (".json", ".xml") or start.startswith("{") or start.startswith("<")


def import_schedule(file: Path | str, raw: str | bytes, zone: str | None = None, zone_from: str = "option",
                    language: str | None = None) -> Imported:
    """A schedule's bytes as a program document; a schedule that cannot be read is a problem
    of the file (named by `file`: its path or URL)."""
    try:
        return parse_schedule(raw.encode("utf-8") if isinstance(raw, str) else raw, str(file), zone, zone_from, language)
    except ScheduleError as error:
        raise ProgramError([Problem((str(file),), error.message, error.line)]) from None


def load_schedule(source: str, data: bytes, zone: str | None = None) -> Program:
    """A schedule read from a file or URL elsewhere (`check URL`), in `zone` if given."""
    return _build(import_schedule(source, data, zone), [])


def _build(imported: Imported, problems: list[Problem]) -> Program:
    checker = _Checker()
    checker.warnings.extend(Problem((), warning) for warning in imported.all_warnings())
    checker.problems.extend(problems)
    return checker.build(imported.document)


ADDABLE = {"capacity", "meeting_point", "questions", "moderators", "kind", "keywords", "room", "for_everybody"}


def linked_url(path: str | Path) -> str:
    """The http(s) schedule a program file links, if any (for the bot's periodic check)."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
        if not re.search(r"^source\s*:", raw, re.MULTILINE):  # a top-level key: no need to read the whole file
            return ""
        document = yaml.load(raw, Loader=_FastLineLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return ""
    source = source_of(document)
    return source if is_url(source) else ""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def source_of(document: Any) -> str:
    """The schedule a program file links (`source:`), or ""."""
    return str(document.get("source") or "").strip() if isinstance(document, dict) else ""


def _with_source(document: dict, base: Path | None, fetch: Fetch | None) -> tuple[Imported, list[Problem]]:
    """A program.yaml that names a schedule as its `source`: the schedule's sessions, with the
    file's `additions` per session id, the file's own sessions, and its conference fields on top
    (venue, motto, organizer …). Re-importing keeps all of these, because they live here."""
    source = source_of(document)
    line = getattr(document, "key_lines", {}).get("source")
    if is_url(source):
        if fetch is None:
            raise ProgramError([Problem(("source",), Message.of("source_is_url", source=source), line)])
        try:
            raw = fetch(source).decode("utf-8-sig", errors="replace")
        except OSError as exc:
            raise ProgramError([Problem(("source",), Message.of("cannot_read_schedule", source=source, reason=exc),
                                        line)]) from None
        file = Path(source.rsplit("/", 1)[-1] or "schedule")
    else:
        file = (base / source) if base is not None and not Path(source).is_absolute() else Path(source)
        try:
            raw = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProgramError([Problem(("source",), Message.of("cannot_read_schedule", source=source, reason=exc),
                                        line)]) from None
    own_conference = document.get("conference") if isinstance(document.get("conference"), dict) else {}
    imported = import_schedule(file, raw, *_given_zone_and_language(own_conference))
    if "venue" in own_conference:  # the program file names the venue the export lacks
        imported.warnings = [w for w in imported.warnings if w.code != "no_venue"]
    problems: list[Problem] = []
    merged = dict(imported.document)
    conference = dict(merged["conference"])
    conference.update(own_conference)
    merged["conference"] = _Mapping(conference)
    sessions = [dict(s) for s in merged["sessions"]]
    by_id = {s["id"]: s for s in sessions}
    additions = document.get("additions") or {}
    if not isinstance(additions, dict):
        problems.append(Problem(("additions",), Message.of("additions_mapping"), getattr(document, "key_lines", {}).get("additions")))
        additions = {}
    for session_id, fields in additions.items():
        line = additions.key_lines.get(str(session_id)) if isinstance(additions, _Mapping) else None
        if str(session_id) not in by_id:
            # A session that left the schedule (unpublished for now) may come back: its additions
            # wait instead of refusing the whole file, and the reload preview says so.
            imported.warnings.append(Message.of("additions_dormant", session=str(session_id)))
            continue
        if not isinstance(fields, dict) or set(map(str, fields)) - ADDABLE:
            problems.append(Problem((entry("additions", f"'{session_id}'"),),
                                    Message.of("additions_fields", fields=", ".join(sorted(ADDABLE))), line))
            continue
        by_id[str(session_id)].update(fields)
    own = document.get("sessions") or []
    merged["sessions"] = sessions + (list(own) if isinstance(own, list) else [])
    for key in ("announcements", "exhibitors"):
        if key in document:
            merged[key] = document[key]
    return Imported(merged, imported.warnings, imported.skipped, imported.notes), problems


def _given_zone_and_language(conference: dict) -> tuple[str | None, str, str | None]:
    """What the program file says of the linked export: the zone its wall times are in (an
    unknown zone is left to the checks of `conference`, which report it) and its language."""
    zone = conference.get("timezone")
    try:
        known = str(ZoneInfo(zone.strip()).key) if isinstance(zone, str) and zone.strip() else None
    except (ZoneInfoNotFoundError, ValueError):
        known = None
    language = conference.get("language")
    return known, "program", language if language in LANGUAGES else None


def _read_yaml(raw: str) -> tuple[Any, list[Problem]]:
    """The document, and a problem for each key given twice in one mapping. A file libyaml
    refuses is read again by PyYAML's own parser, which says where and why as it always has."""
    try:
        return _read_with(_FastLineLoader, raw)
    except yaml.YAMLError:
        return _read_with(_LineLoader, raw)


def _read_with(loader_class, raw: str) -> tuple[Any, list[Problem]]:
    loader = loader_class(raw)
    try:
        document = loader.get_single_data()
    finally:
        loader.dispose()
    return document, [Problem(FILE, Message.of("duplicate_key", field=key, first=first), line)
                      for key, first, line in loader.duplicates]


def parse_program(raw: str, base: Path | None = None, fetch: Fetch | None = None) -> Program:
    try:
        document, duplicates = _read_yaml(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise ProgramError([Problem(YAML_SYNTAX, Message.of("yaml", reason=reason), line)]) from None
    except RecursionError:
        raise ProgramError([Problem(YAML_SYNTAX, Message.of("nested_too_deeply"))]) from None
    if isinstance(document, dict) and document.get("source"):
        imported, problems = _with_source(document, base, fetch)
        return _build(imported, duplicates + problems)
    checker = _Checker()
    checker.problems.extend(duplicates)
    return checker.build(document)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.language = "de"  # the language a plain text is written in (conference.language)
        # Times are read in the conference's zone. While the zone is missing or unknown (that is
        # reported), they are read as UTC, so that every check that compares them still runs.
        self.tz: ZoneInfo = ZoneInfo("UTC")
        # The conference's first and last minute, once both are known and in order: without them
        # no session can be said to lie outside (that would be one problem repeated per session).
        self.span: tuple[datetime, datetime] | None = None
        self.session_ids: set[str] = set()  # every id the file gives, even of a session with problems

    # --- reporting -------------------------------------------------------------------------

    def problem(self, where: Where, code: str, container: Any = None, key: str | None = None, **values: Any):
        self.problems.append(Problem(where, Message.of(code, **values), _line(container, key)))

    # --- typed field readers ---------------------------------------------------------------

    def mapping(self, where: Where, value: Any, parent: Any, key: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(where, "field_mapping", parent, key, field=key)
            return None
        return value

    def required(self, where: Where, container: dict, key: str) -> Any:
        if key not in container or container[key] is None:
            self.problem(where, "field_missing", container, field=key)
            return None
        return container[key]

    def string(self, where: Where, container: dict, key: str, required: bool = True) -> str:
        value = self.required(where, container, key) if required else container.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(where, "field_text", container, key, field=key)
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(where, "field_empty", container, key, field=key)
        return text

    def text(self, where: Where, container: dict, key: str, required: bool = True) -> Text:
        """A text: one string (in the conference's language, shown to everyone) or one per
        language, {de: …, en: …}."""
        value = self.required(where, container, key) if required else container.get(key)
        if value is None:
            return EMPTY_TEXT
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # a stand number, a room "3"
        if isinstance(value, str):
            if required and not value.strip():
                self.problem(where, "field_empty", container, key, field=key)
            return Text.of(**{self.language: value.strip()}) if value.strip() else EMPTY_TEXT
        if not isinstance(value, dict):
            self.problem(where, "field_text_or_languages", container, key, field=key)
            return EMPTY_TEXT
        values = {}
        for lang, item in value.items():
            if lang not in LANGUAGES:
                self.problem(where, "unknown_language", value, lang, field=key, language=lang, languages=", ".join(LANGUAGES))
            elif not isinstance(item, str) or not item.strip():
                self.problem(where, "language_text_empty", value, lang, field=f"{key}.{lang}")
            else:
                values[lang] = item.strip()
        if required and not values:
            self.problem(where, "field_no_text", container, key, field=key)
        return Text(tuple(values.items()))

    def number(self, where: Where, container: dict, key: str, low: float, high: float) -> float | None:
        value = container.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, "field_number", container, key, field=key)
            return None
        if not low <= value <= high:
            self.problem(where, "number_range", container, key, field=key, low=low, high=high)
            return None
        return float(value)

    def moment(self, where: Where, container: dict, key: str, tz: ZoneInfo | None, required: bool = True) -> datetime | None:
        value = self.required(where, container, key) if required else container.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(where, "field_moment", container, key, field=key)
            return None
        parsed = _parse_time(value.strip())
        if parsed is None:
            self.problem(where, "bad_moment", container, key, field=key, value=value)
            return None
        if parsed.tzinfo is None:
            if tz is None:
                return None  # the time zone is broken; that problem is reported already
            return self.local_time(where, container, key, parsed, tz)
        return parsed

    def local_time(self, where: Where, container: dict, key: str, naive: datetime, tz: ZoneInfo) -> datetime | None:
        """A wall-clock time in the conference's zone. One that the clocks skip (the spring gap)
        is an error, and the fix it suggests is the same moment on the clocks after the jump;
        one they show twice (the autumn repeat) is a warning and means the first."""
        moment = naive.replace(tzinfo=tz)
        back = moment.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
        if back != naive:
            # zoneinfo reads a skipped time with the offset from before the jump: 02:30 at +01:00,
            # which the clocks, an hour ahead by then, show as 03:30
            self.problem(where, "time_skipped", container, key, field=key, time=f"{naive:%Y-%m-%d %H:%M}", zone=tz.key,
                         suggestion=f"{back:%Y-%m-%d %H:%M}", offset=f"{naive:%Y-%m-%d %H:%M}{_offset(moment)}")
            return None
        second = naive.replace(tzinfo=tz, fold=1)
        if moment.utcoffset() != second.utcoffset():
            self.warnings.append(Problem(where, Message.of(
                "time_twice", field=key, time=f"{naive:%Y-%m-%d %H:%M}", zone=tz.key,
                first=f"{naive:%Y-%m-%d %H:%M}{_offset(moment)}", second=f"{naive:%Y-%m-%d %H:%M}{_offset(second)}"),
                _line(container, key)))
        return moment

    def place(self, where: Where, data: dict, key: str) -> dict | None:
        return self.mapping(where, data.get(key), data, key) if key in data else None

    def read_place(self, where: Where, data: dict, cls=Place, **extra) -> Place:
        return cls(
            name=self.text(where, data, "name"),
            address=self.text(where, data, "address", required=False),
            latitude=self.number(where, data, "latitude", -90, 90),
            longitude=self.number(where, data, "longitude", -180, 180),
            **extra,
        )

    # --- the document --------------------------------------------------------------------

    def build(self, document: Any) -> Program:
        if not isinstance(document, dict):
            raise ProgramError([Problem(FILE, Message.of("program_mapping"))])
        unknown = set(document) - {"conference", "sessions", "announcements", "exhibitors", "source", "additions"}
        for key in sorted(map(str, unknown)):
            self.problem(FILE, "unknown_top_level", document, key, field=key)
        conference = self.conference(document.get("conference"), document)
        sessions = self.sessions(document.get("sessions"), document, conference)
        announcements = self.announcements(document.get("announcements"), document, conference, self.session_ids)
        exhibitors = self.exhibitors(document.get("exhibitors"), document)
        if self.problems or conference is None:
            raise ProgramError(self.problems)
        return Program(conference=conference, sessions=tuple(sessions), announcements=tuple(announcements),
                       exhibitors=tuple(exhibitors), warnings=tuple(self.warnings))

    def exhibitors(self, data: Any, document: dict) -> list[Exhibitor]:
        if data is None:
            return []
        if not isinstance(data, list):
            self.problem(FILE, "field_list", document, "exhibitors", field="exhibitors")
            return []
        found = []
        for index, item in enumerate(data, start=1):
            where = (entry("exhibitor", f"#{index}"),)
            if not isinstance(item, dict):
                self.problem(where, "exhibitor_mapping")
                continue
            for key in sorted(set(map(str, item)) - {"name", "municipality", "topic", "stand"}):
                self.problem(where, "unknown_field", item, key, field=key)
            name = self.text(where, item, "name")
            if name:
                found.append(Exhibitor(name, self.text(where, item, "municipality", required=False),
                                       self.text(where, item, "topic", required=False),
                                       self.text(where, item, "stand", required=False)))
        return found

    def announcements(self, data: Any, document: dict, conference: Conference | None, session_ids: set[str]) -> list:
        if data is None:
            return []
        if not isinstance(data, list):
            self.problem(FILE, "field_list", document, "announcements", field="announcements")
            return []
        planned, seen = [], set()
        for index, item in enumerate(data, start=1):
            where = (entry("announcement", f"#{index}"),)
            if not isinstance(item, dict):
                self.problem(where, "announcement_mapping")
                continue
            ident = self.string(where, item, "id")
            if ident:
                where = (entry("announcement", f"'{ident}'"),)
                if not SESSION_ID_PATTERN.match(ident):
                    self.problem(where, "announcement_id", item, "id")
                if ident in seen:
                    self.problem(where, "duplicate_id", item, "id", ident=ident)
                seen.add(ident)
            for key in sorted(set(map(str, item)) - {"id", "at", "audience", "text"}):
                self.problem(where, "unknown_field", item, key, field=key)
            at = self.moment(where, item, "at", self.tz)
            raw_audience = item.get("audience", "all")
            audience = Audience.parse(raw_audience) if isinstance(raw_audience, str) else None
            if audience is None:
                self.problem(where, "audience", item, "audience", forms="all, excursion, confirmed:<id>, waitlisted:<id>",
                             last="bookmarked:<id>")
            elif audience.session_id and audience.session_id not in session_ids:
                self.problem(where, "audience_unknown_session", item, "audience", session=audience.session_id)
                audience = None
            text = self.text(where, item, "text")
            if ident and at and audience and text:
                planned.append(PlannedAnnouncement(ident, at, audience, text))
        return planned

    def conference(self, data: Any, document: dict) -> Conference | None:
        where = ("conference",)
        if data is None:
            self.problem(FILE, "field_missing", document, field="conference")
            return None
        if self.mapping(FILE, data, document, "conference") is None:
            return None
        self.language = self.conference_language(data)
        tz = self.zone(data)
        self.tz = tz or self.tz
        start = self.moment(where, data, "start", self.tz)
        end = self.moment(where, data, "end", self.tz)
        if start and end and end <= start:
            self.problem(where, "end_before_start", data, "end")
        elif start and end:
            self.span = (start, end)
        venue_raw = self.required(where, data, "venue")
        venue_data = self.mapping(where, venue_raw, data, "venue") if venue_raw is not None else None
        venue = self.read_place(("conference.venue",), venue_data) if venue_data is not None else Place(name=EMPTY_TEXT)
        organizer = data.get("organizer") or {}
        if not isinstance(organizer, dict):
            self.problem(where, "field_mapping", data, "organizer", field="organizer")
            organizer = {}
        privacy = data.get("privacy") or {}
        if not isinstance(privacy, dict):
            self.problem(where, "field_mapping", data, "privacy", field="privacy")
            privacy = {}
        retention = privacy.get("retention_days", 30)
        if isinstance(retention, bool) or not isinstance(retention, int) or retention < 0:
            self.problem(("conference.privacy",), "retention_days", privacy, "retention_days")
            retention = 30
        attendees = data.get("attendees")
        if attendees is not None and (isinstance(attendees, bool) or not isinstance(attendees, int) or attendees < 0):
            self.problem(where, "attendees", data, "attendees")
            attendees = None
        conference_id = self.string(where, data, "id", required=False) or "conference"
        name = self.text(where, data, "name")
        organizers = data.get("organizers") or []
        if not isinstance(organizers, list) or not all(isinstance(m, int) and not isinstance(m, bool) for m in organizers):
            self.problem(where, "organizers", data, "organizers")
            organizers = []
        guests_only = data.get("guests_only", False)
        if not isinstance(guests_only, bool):
            self.problem(where, "field_bool", data, "guests_only", field="guests_only")
            guests_only = False
        if tz is None or start is None or end is None:
            return None
        return Conference(
            id=conference_id,
            name=name,
            motto=self.text(where, data, "motto", required=False),
            timezone=str(tz.key),
            start=start,
            end=end,
            venue=venue,
            organizer_name=self.text(("conference.organizer",), organizer, "name", required=False),
            organizer_email=self.string(("conference.organizer",), organizer, "email", required=False),
            organizer_url=self.string(("conference.organizer",), organizer, "url", required=False),
            organizer_phone=self.string(("conference.organizer",), organizer, "phone", required=False),
            privacy_controller=self.text(("conference.privacy",), privacy, "controller", required=False),
            retention_days=retention,
            expected_attendees=attendees,
            guests_only=guests_only,
            organizers=tuple(organizers),
            registration=self.text(where, data, "registration", required=False),
        )

    def zone(self, data: dict) -> ZoneInfo | None:
        name = self.string(("conference",), data, "timezone")
        if not name:
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(("conference",), "unknown_zone", data, "timezone", name=name)
            return None

    def conference_language(self, data: dict) -> str:
        """The language the file's plain texts are written in: `language`, German if not said."""
        value = data.get("language", "de")
        if value not in LANGUAGES:
            self.problem(("conference",), "conference_language", data, "language", languages=", ".join(LANGUAGES))
            return "de"
        return value

    def sessions(self, data: Any, document: dict, conference: Conference | None) -> list[Session]:
        if data is None:
            self.problem(FILE, "field_missing", document, field="sessions")
            return []
        if not isinstance(data, list):
            self.problem(FILE, "field_list", document, "sessions", field="sessions")
            return []
        entries: list[tuple[Session, Any]] = []
        seen: dict[str, int | None] = {}
        for index, item in enumerate(data, start=1):
            session = self.session(index, item, conference, seen)
            if session is not None:
                entries.append((session, item))
        self.session_ids = set(seen)
        self.room_conflicts(entries)
        return [session for session, _ in entries]

    def session(self, index: int, data: Any, conference: Conference | None, seen: dict) -> Session | None:
        where = (entry("session", f"#{index}"),)
        if not isinstance(data, dict):
            self.problem(where, "session_mapping")
            return None
        session_id = self.string(where, data, "id")
        if session_id:
            where = (entry("session", f"'{session_id}'"),)
            if not SESSION_ID_PATTERN.match(session_id):
                self.problem(where, "session_id", data, "id")
            if session_id in seen and seen[session_id]:
                self.problem(where, "duplicate_id_at", data, "id", ident=session_id, first=seen[session_id])
            elif session_id in seen:
                self.problem(where, "duplicate_id", data, "id", ident=session_id)
            seen.setdefault(session_id, getattr(data, "line", None))
        known = {"id", "kind", "title", "start", "end", "room", "description", "speakers", "capacity", "meeting_point",
                 "questions", "moderators", "keywords", "for_everybody"}
        for key in sorted(set(map(str, data)) - known):
            self.problem(where, "unknown_field", data, key, field=key)
        kind = self.kind(where, data)
        title = self.text(where, data, "title")
        tz = self.tz
        start = self.moment(where, data, "start", tz)
        end = self.moment(where, data, "end", tz)
        # Per field, with its line, and even when the other time is missing; the same rules as
        # domain.checks (end after start, inside the conference), which live changes are held to.
        if start and end and end <= start:
            self.problem(where, "end_before_start", data, "end")
        if self.span:
            first, last = self.span
            for key, moment in (("start", start), ("end", end)):
                if moment and not first <= moment <= last:
                    self.problem(where, "outside_conference", data, key, field=key, first=_fmt(first), last=_fmt(last))
        capacity = self.capacity(where, data)
        meeting_point = self.meeting_point(where, data, tz)
        speakers = self.speakers(where, data)
        questions = data.get("questions", False)
        if not isinstance(questions, bool):
            self.problem(where, "field_bool", data, "questions", field="questions")
            questions = False
        for_everybody = data.get("for_everybody")
        if for_everybody is not None and not isinstance(for_everybody, bool):
            self.problem(where, "field_bool", data, "for_everybody", field="for_everybody")
            for_everybody = None
        moderators = data.get("moderators") or []
        if not isinstance(moderators, list) or not all(isinstance(m, int) and not isinstance(m, bool) for m in moderators):
            self.problem(where, "moderators", data, "moderators")
            moderators = []
        keywords = self.keywords(where, data)
        if not (session_id and start and end):
            return None
        # A missing kind or title is reported above; the session still takes part in the checks
        # across sessions (its room at its time), so one run names every problem of the file.
        return Session(
            id=session_id,
            kind=kind or Kind.OTHER,
            title=title or EMPTY_TEXT,
            start=start,
            end=end,
            room=self.string(where, data, "room", required=False),
            description=self.text(where, data, "description", required=False),
            speakers=speakers,
            capacity=capacity,
            meeting_point=meeting_point,
            questions=questions,
            moderators=tuple(moderators),
            keywords=keywords,
            for_everybody=for_everybody,
        )

    def keywords(self, where: Where, data: dict) -> tuple[str, ...]:
        """Extra words free-text search finds the session by: a list of texts."""
        value = data.get("keywords")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, "keywords_list", data, "keywords")
            return ()
        words = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                words.append(item.strip())
            else:
                self.problem(where, "keyword_entry", data, "keywords", number=number, item=repr(item))
        return tuple(words)

    def kind(self, where: Where, data: dict) -> Kind | None:
        value = self.string(where, data, "kind")
        if not value:
            return None
        try:
            return Kind(value)
        except ValueError:
            kinds = ", ".join(k.value for k in Kind)
            self.problem(where, "unknown_kind", data, "kind", kind=value, kinds=kinds)
            return None

    def capacity(self, where: Where, data: dict) -> int | None:
        value = data.get("capacity")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, "capacity_whole", data, "capacity")
            return None
        if value <= 0:
            self.problem(where, "capacity_positive", data, "capacity", value=value)
            return None
        return value

    def meeting_point(self, where: Where, data: dict, tz: ZoneInfo) -> MeetingPoint | None:
        point = self.place(where, data, "meeting_point")
        if point is None:
            return None
        inside = (*where, ".meeting_point")
        departure = self.moment(inside, point, "departure", tz, required=False)
        if departure and self.span and not self.span[0] <= departure <= self.span[1]:
            self.problem(inside, "departure_outside", point, "departure")
        return self.read_place(inside, point, MeetingPoint, departure=departure)

    def speakers(self, where: Where, data: dict) -> tuple[Speaker, ...]:
        value = data.get("speakers")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, "field_list", data, "speakers", field="speakers")
            return ()
        speakers = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                speakers.append(Speaker(name=Text.of(**{self.language: item.strip()})))
            elif isinstance(item, dict):
                speaker = (*where, Message.of("where_speaker", number=number))
                name = self.text(speaker, item, "name")
                role = self.text(speaker, item, "role", required=False)
                if name:
                    speakers.append(Speaker(name=name, role=role))
            else:
                self.problem(where, "speaker_entry", data, "speakers", number=number)
        return tuple(speakers)

    def room_conflicts(self, entries: list[tuple[Session, Any]]) -> None:
        """Two sessions in one room at once, by the rule live changes are checked by (domain.checks);
        also while the conference itself has problems. The sessions are checked by their position
        in the file, so that a duplicate id (reported above) cannot hide or confuse a clash."""
        by_position = [replace(session, id=str(index)) for index, (session, _) in enumerate(entries)]
        for finding in check_sessions(by_position):
            if finding.code != "room_clash":
                continue  # times are reported per field above, with their lines
            second, item = entries[int(finding.session_id)]
            first, first_item = entries[int(finding.other_session_id or 0)]
            span = f"{_fmt(first.start.astimezone(self.tz))}–{first.end.astimezone(self.tz):%H:%M}"
            other = entry("session", f"'{first.id}'")
            if first.id == second.id and getattr(first_item, "line", None):
                other = Message.of("entry_at_line", entry=other, line=first_item.line)
            self.problem((entry("session", f"'{second.id}'"),), "room_clash", item, "room", room=second.room,
                         other=other, span=span)


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _offset(moment: datetime) -> str:
    """"+02:00": the UTC offset as program.yaml writes it."""
    raw = moment.strftime("%z")
    return f"{raw[:3]}:{raw[3:]}"


def _line(container: Any, key: str | None) -> int | None:
    """The line of `key` in a mapping read from YAML (else of the mapping itself), if known."""
    if not isinstance(container, _Mapping):
        return None
    return container.key_lines.get(key, container.line) if key else container.line


def summary(program: Program) -> str:
    """A few lines for `python -m bot check`."""
    conf = program.conference
    capacity = [s for s in program.sessions if s.capacity]
    lines = [
        f"OK: {conf.name.get('de')}",
        f"  {_fmt(conf.start)} – {_fmt(conf.end)} ({conf.timezone}), {conf.venue.name.get('de')}",
        f"  {len(program.sessions)} sessions, {len(capacity)} with sign-up "
        f"({sum(s.capacity or 0 for s in capacity)} seats)",
    ]
    for session in program.sessions:
        seats = f" [{session.capacity} seats]" if session.capacity else ""
        start, end = program.local(session.start), program.local(session.end)
        lines.append(f"  {start:%Y-%m-%d %H:%M}–{end:%H:%M}  {session.id:<18} {session.title.get('de')}{seats}")
    lines += [f"  warning: {warning}" for warning in program.warnings]
    return "\n".join(lines)
