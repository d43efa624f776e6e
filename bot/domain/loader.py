"""Reads a program file and checks it, reporting every problem at once.

Each problem names the session and the field and, where the YAML parser knows
it, the line, so an organizer can fix a file without reading Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .announcements import Audience, PlannedAnnouncement
from .checks import check_sessions
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


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        line = f" (line {self.line})" if self.line else ""
        return f"{self.where}{line}: {self.message}"


class ProgramError(Exception):
    """The program file cannot be used; `problems` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Mapping(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
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


# Timestamps stay strings so that naive and aware times are read one way, in the conference zone.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)


Fetch = Callable[[str], bytes]  # reads an http(s) source; given by the caller (the domain has no network)


def load_program(path: str | Path, fetch: Fetch | None = None) -> Program:
    """Load and check a program file — a program.yaml, or a pretalx/frab schedule.json or
    schedule.xml directly — and raise ProgramError listing every problem."""
    file = Path(path)
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgramError([Problem(str(file), "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramError([Problem(str(file), f"cannot read file: {exc}")]) from None
    if is_schedule(file, raw):
        return _build(import_schedule(file, raw), [])
    return parse_program(raw, base=file.parent, fetch=fetch)


def is_schedule(file: Path, raw: str) -> bool:
    start = raw.lstrip("\ufeff \t\r\n")[:200]
    return file.suffix.lower() in (".json", ".xml") or start.startswith("{") or start.startswith("<")


def import_schedule(file: Path, raw: str) -> Imported:
    try:
        return parse_schedule(raw.encode("utf-8"), str(file))
    except ScheduleError as error:
        raise ProgramError([Problem(str(file), str(error).replace(f"{file}: ", "", 1))]) from None


def _build(imported: Imported, problems: list[Problem]) -> Program:
    checker = _Checker()
    checker.warnings.extend(imported.warnings + [f"skipped {reason}" for reason in imported.skipped])
    checker.problems.extend(problems)
    return checker.build(imported.document)


ADDABLE = {"capacity", "meeting_point", "questions", "moderators", "kind", "keywords", "room", "for_everybody"}


def linked_url(path: str | Path) -> str:
    """The http(s) schedule a program file links, if any (for the bot's periodic check)."""
    try:
        document = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
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
            raise ProgramError([Problem("source", f"'{source}' is a URL; the bot reads it when it runs", line)])
        try:
            raw = fetch(source).decode("utf-8-sig", errors="replace")
        except OSError as exc:
            raise ProgramError([Problem("source", f"cannot read the schedule '{source}': {exc}", line)]) from None
        file = Path(source.rsplit("/", 1)[-1] or "schedule")
    else:
        file = (base / source) if base is not None and not Path(source).is_absolute() else Path(source)
        try:
            raw = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProgramError([Problem("source", f"cannot read the schedule '{source}': {exc}", line)]) from None
    imported = import_schedule(file, raw)
    problems: list[Problem] = []
    merged = dict(imported.document)
    conference = dict(merged["conference"])
    conference.update(document.get("conference") or {})
    merged["conference"] = _Mapping(conference)
    sessions = [dict(s) for s in merged["sessions"]]
    by_id = {s["id"]: s for s in sessions}
    additions = document.get("additions") or {}
    if not isinstance(additions, dict):
        problems.append(Problem("additions", "must map session ids to fields to add", getattr(document, "key_lines", {}).get("additions")))
        additions = {}
    for session_id, fields in additions.items():
        line = additions.key_lines.get(str(session_id)) if isinstance(additions, _Mapping) else None
        if str(session_id) not in by_id:
            problems.append(Problem(f"additions '{session_id}'", "no session with this id in the schedule", line))
            continue
        if not isinstance(fields, dict) or set(map(str, fields)) - ADDABLE:
            problems.append(Problem(f"additions '{session_id}'", f"may add only {', '.join(sorted(ADDABLE))}", line))
            continue
        by_id[str(session_id)].update(fields)
    own = document.get("sessions") or []
    merged["sessions"] = sessions + (list(own) if isinstance(own, list) else [])
    for key in ("announcements", "exhibitors"):
        if key in document:
            merged[key] = document[key]
    return Imported(merged, imported.warnings, imported.skipped), problems


def _read_yaml(raw: str) -> tuple[Any, list[Problem]]:
    """The document, and a problem for each key given twice in one mapping."""
    loader = _LineLoader(raw)
    try:
        document = loader.get_single_data()
    finally:
        loader.dispose()
    return document, [Problem("file", f"field '{key}' is given twice in one place (first at line {first}); "
                                      f"only the last would count", line) for key, first, line in loader.duplicates]


def parse_program(raw: str, base: Path | None = None, fetch: Fetch | None = None) -> Program:
    try:
        document, duplicates = _read_yaml(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise ProgramError([Problem("YAML syntax", str(reason), line)]) from None
    except RecursionError:
        raise ProgramError([Problem("YAML syntax", "the document is nested too deeply")]) from None
    if isinstance(document, dict) and document.get("source"):
        imported, problems = _with_source(document, base, fetch)
        return _build(imported, duplicates + problems)
    checker = _Checker()
    checker.problems.extend(duplicates)
    return checker.build(document)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        # Times are read in the conference's zone. While the zone is missing or unknown (that is
        # reported), they are read as UTC, so that every check that compares them still runs.
        self.tz: ZoneInfo = ZoneInfo("UTC")
        # The conference's first and last minute, once both are known and in order: without them
        # no session can be said to lie outside (that would be one problem repeated per session).
        self.span: tuple[datetime, datetime] | None = None
        self.session_ids: set[str] = set()  # every id the file gives, even of a session with problems

    # --- reporting -------------------------------------------------------------------------

    def problem(self, where: str, message: str, container: Any = None, key: str | None = None):
        line = None
        if isinstance(container, _Mapping):
            line = container.key_lines.get(key, container.line) if key else container.line
        self.problems.append(Problem(where, message, line))

    # --- typed field readers ---------------------------------------------------------------

    def mapping(self, where: str, value: Any, parent: Any, key: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(where, f"field '{key}' must be a mapping", parent, key)
            return None
        return value

    def required(self, where: str, container: dict, key: str) -> Any:
        if key not in container or container[key] is None:
            self.problem(where, f"field '{key}' is missing", container)
            return None
        return container[key]

    def string(self, where: str, container: dict, key: str, required: bool = True) -> str:
        value = self.required(where, container, key) if required else container.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(where, f"field '{key}' must be a text", container, key)
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(where, f"field '{key}' must not be empty", container, key)
        return text

    def text(self, where: str, container: dict, key: str, required: bool = True) -> Text:
        value = self.required(where, container, key) if required else container.get(key)
        if value is None:
            return EMPTY_TEXT
        if isinstance(value, str):
            return Text.of(de=value.strip())
        if not isinstance(value, dict):
            self.problem(where, f"field '{key}' must be a text or a mapping of languages", container, key)
            return EMPTY_TEXT
        values = {}
        for lang, item in value.items():
            if lang not in LANGUAGES:
                self.problem(where, f"field '{key}': unknown language '{lang}' (use {', '.join(LANGUAGES)})", value, lang)
            elif not isinstance(item, str) or not item.strip():
                self.problem(where, f"field '{key}.{lang}' must be a non-empty text", value, lang)
            else:
                values[lang] = item.strip()
        if required and not values:
            self.problem(where, f"field '{key}' has no text", container, key)
        return Text(tuple(values.items()))

    def number(self, where: str, container: dict, key: str, low: float, high: float) -> float | None:
        value = container.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"field '{key}' must be a number", container, key)
            return None
        if not low <= value <= high:
            self.problem(where, f"field '{key}' must be between {low} and {high}", container, key)
            return None
        return float(value)

    def moment(self, where: str, container: dict, key: str, tz: ZoneInfo | None, required: bool = True) -> datetime | None:
        value = self.required(where, container, key) if required else container.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(where, f"field '{key}' must be a date and time like \"2025-06-03 09:30\"", container, key)
            return None
        parsed = _parse_time(value.strip())
        if parsed is None:
            self.problem(where, f"field '{key}': '{value}' is not a date and time like \"2025-06-03 09:30\"", container, key)
            return None
        if parsed.tzinfo is None:
            if tz is None:
                return None  # the time zone is broken; that problem is reported already
            return self.local_time(where, container, key, parsed, tz)
        return parsed

    def local_time(self, where: str, container: dict, key: str, naive: datetime, tz: ZoneInfo) -> datetime | None:
        """A wall-clock time in the conference's zone. One that the clocks skip (the spring gap)
        is an error; one they show twice (the autumn repeat) is a warning and means the first."""
        moment = naive.replace(tzinfo=tz)
        back = moment.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
        if back != naive:
            self.problem(where, f"field '{key}': {naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks "
                                f"jump forward then); write the time with an offset, e.g. \"{naive:%Y-%m-%d %H:%M}+02:00\"",
                         container, key)
            return None
        if moment.utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset():
            line = container.key_lines.get(key) if isinstance(container, _Mapping) else None
            self.warnings.append(str(Problem(where, f"field '{key}': {naive:%Y-%m-%d %H:%M} happens twice in {tz.key} "
                                                    f"(the clocks go back); read as the first, {moment:%H:%M%z}; write an "
                                                    f"offset to choose", line)))
        return moment

    def place(self, where: str, data: dict, key: str) -> dict | None:
        return self.mapping(where, data.get(key), data, key) if key in data else None

    def read_place(self, where: str, data: dict, cls=Place, **extra) -> Place:
        return cls(
            name=self.string(where, data, "name"),
            address=self.string(where, data, "address", required=False),
            latitude=self.number(where, data, "latitude", -90, 90),
            longitude=self.number(where, data, "longitude", -180, 180),
            **extra,
        )

    # --- the document --------------------------------------------------------------------

    def build(self, document: Any) -> Program:
        if not isinstance(document, dict):
            raise ProgramError([Problem("file", "the program must be a mapping with 'conference' and 'sessions'")])
        unknown = set(document) - {"conference", "sessions", "announcements", "exhibitors", "source", "additions"}
        for key in sorted(map(str, unknown)):
            self.problem("file", f"unknown top-level field '{key}'", document, key)
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
            self.problem("file", "field 'exhibitors' must be a list", document, "exhibitors")
            return []
        found = []
        for index, item in enumerate(data, start=1):
            where = f"exhibitor #{index}"
            if not isinstance(item, dict):
                self.problems.append(Problem(where, "must be a mapping with name, municipality, topic and stand"))
                continue
            for key in sorted(set(map(str, item)) - {"name", "municipality", "topic", "stand"}):
                self.problem(where, f"unknown field '{key}'", item, key)
            name = self.string(where, item, "name")
            if name:
                found.append(Exhibitor(name, self.string(where, item, "municipality", required=False),
                                       self.text(where, item, "topic", required=False),
                                       self.string(where, item, "stand", required=False)))
        return found

    def announcements(self, data: Any, document: dict, conference: Conference | None, session_ids: set[str]) -> list:
        if data is None:
            return []
        if not isinstance(data, list):
            self.problem("file", "field 'announcements' must be a list", document, "announcements")
            return []
        planned, seen = [], set()
        for index, item in enumerate(data, start=1):
            where = f"announcement #{index}"
            if not isinstance(item, dict):
                self.problems.append(Problem(where, "must be a mapping with id, at, audience and text"))
                continue
            ident = self.string(where, item, "id")
            if ident:
                where = f"announcement '{ident}'"
                if not SESSION_ID_PATTERN.match(ident):
                    self.problem(where, "field 'id' must be 1–24 lower-case letters, digits, '-' or '_'", item, "id")
                if ident in seen:
                    self.problem(where, f"field 'id': duplicate id '{ident}'", item, "id")
                seen.add(ident)
            for key in sorted(set(map(str, item)) - {"id", "at", "audience", "text"}):
                self.problem(where, f"unknown field '{key}'", item, key)
            at = self.moment(where, item, "at", self.tz)
            raw_audience = item.get("audience", "all")
            audience = Audience.parse(raw_audience) if isinstance(raw_audience, str) else None
            if audience is None:
                self.problem(where, "field 'audience' must be all, excursion, confirmed:<id>, waitlisted:<id> or bookmarked:<id>", item, "audience")
            elif audience.session_id and audience.session_id not in session_ids:
                self.problem(where, f"field 'audience': unknown session '{audience.session_id}'", item, "audience")
                audience = None
            text = self.text(where, item, "text")
            if ident and at and audience and text:
                planned.append(PlannedAnnouncement(ident, at, audience, text))
        return planned

    def conference(self, data: Any, document: dict) -> Conference | None:
        where = "conference"
        if data is None:
            self.problem(where, "field 'conference' is missing", document)
            return None
        if self.mapping(where, data, document, "conference") is None:
            return None
        tz = self.zone(data)
        self.tz = tz or self.tz
        start = self.moment(where, data, "start", self.tz)
        end = self.moment(where, data, "end", self.tz)
        if start and end and end <= start:
            self.problem(where, "field 'end' must be after 'start'", data, "end")
        elif start and end:
            self.span = (start, end)
        venue_raw = self.required(where, data, "venue")
        venue_data = self.mapping(where, venue_raw, data, "venue") if venue_raw is not None else None
        venue = self.read_place(where + ".venue", venue_data) if venue_data is not None else Place(name="")
        organizer = data.get("organizer") or {}
        if not isinstance(organizer, dict):
            self.problem(where, "field 'organizer' must be a mapping", data, "organizer")
            organizer = {}
        privacy = data.get("privacy") or {}
        if not isinstance(privacy, dict):
            self.problem(where, "field 'privacy' must be a mapping", data, "privacy")
            privacy = {}
        retention = privacy.get("retention_days", 30)
        if isinstance(retention, bool) or not isinstance(retention, int) or retention < 0:
            self.problem(where + ".privacy", "field 'retention_days' must be a whole number of days ≥ 0", privacy, "retention_days")
            retention = 30
        attendees = data.get("attendees")
        if attendees is not None and (isinstance(attendees, bool) or not isinstance(attendees, int) or attendees < 0):
            self.problem(where, "field 'attendees' must be a whole number ≥ 0", data, "attendees")
            attendees = None
        conference_id = self.string(where, data, "id", required=False) or "conference"
        name = self.text(where, data, "name")
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
            organizer_name=self.text(where + ".organizer", organizer, "name", required=False),
            organizer_email=self.string(where + ".organizer", organizer, "email", required=False),
            organizer_url=self.string(where + ".organizer", organizer, "url", required=False),
            organizer_phone=self.string(where + ".organizer", organizer, "phone", required=False),
            privacy_controller=self.text(where + ".privacy", privacy, "controller", required=False),
            retention_days=retention,
            expected_attendees=attendees,
        )

    def zone(self, data: dict) -> ZoneInfo | None:
        name = self.string("conference", data, "timezone")
        if not name:
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem("conference", f"field 'timezone': unknown time zone '{name}' (use an IANA name like Europe/Berlin)", data, "timezone")
            return None

    def sessions(self, data: Any, document: dict, conference: Conference | None) -> list[Session]:
        if data is None:
            self.problem("file", "field 'sessions' is missing", document)
            return []
        if not isinstance(data, list):
            self.problem("file", "field 'sessions' must be a list", document, "sessions")
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
        where = f"session #{index}"
        if not isinstance(data, dict):
            self.problems.append(Problem(where, "must be a mapping with id, kind, title, start and end"))
            return None
        session_id = self.string(where, data, "id")
        if session_id:
            where = f"session '{session_id}'"
            if not SESSION_ID_PATTERN.match(session_id):
                self.problem(where, "field 'id' must be 1–24 lower-case letters, digits, '-' or '_', starting with a letter or digit", data, "id")
            if session_id in seen:
                earlier = f" (first at line {seen[session_id]})" if seen[session_id] else ""
                self.problem(where, f"field 'id': duplicate id '{session_id}'{earlier}", data, "id")
            seen.setdefault(session_id, getattr(data, "line", None))
        known = {"id", "kind", "title", "start", "end", "room", "description", "speakers", "capacity", "meeting_point",
                 "questions", "moderators", "keywords", "for_everybody"}
        for key in sorted(set(map(str, data)) - known):
            self.problem(where, f"unknown field '{key}'", data, key)
        kind = self.kind(where, data)
        title = self.text(where, data, "title")
        tz = self.tz
        start = self.moment(where, data, "start", tz)
        end = self.moment(where, data, "end", tz)
        # Per field, with its line, and even when the other time is missing; the same rules as
        # domain.checks (end after start, inside the conference), which live changes are held to.
        if start and end and end <= start:
            self.problem(where, "field 'end' must be after 'start'", data, "end")
        if self.span:
            first, last = self.span
            for key, moment in (("start", start), ("end", end)):
                if moment and not first <= moment <= last:
                    self.problem(where, f"field '{key}' lies outside the conference ({_fmt(first)} – {_fmt(last)})", data, key)
        capacity = self.capacity(where, data)
        meeting_point = self.meeting_point(where, data, tz)
        speakers = self.speakers(where, data)
        questions = data.get("questions", False)
        if not isinstance(questions, bool):
            self.problem(where, "field 'questions' must be true or false", data, "questions")
            questions = False
        for_everybody = data.get("for_everybody")
        if for_everybody is not None and not isinstance(for_everybody, bool):
            self.problem(where, "field 'for_everybody' must be true or false", data, "for_everybody")
            for_everybody = None
        moderators = data.get("moderators") or []
        if not isinstance(moderators, list) or not all(isinstance(m, int) and not isinstance(m, bool) for m in moderators):
            self.problem(where, "field 'moderators' must be a list of numeric Telegram user ids", data, "moderators")
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

    def keywords(self, where: str, data: dict) -> tuple[str, ...]:
        """Extra words free-text search finds the session by: a list of texts."""
        value = data.get("keywords")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, "field 'keywords' must be a list of words, e.g. [Mittagessen, lunch]", data, "keywords")
            return ()
        words = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                words.append(item.strip())
            else:
                self.problem(where, f"field 'keywords': entry {number} must be a word, not {item!r}", data, "keywords")
        return tuple(words)

    def kind(self, where: str, data: dict) -> Kind | None:
        value = self.string(where, data, "kind")
        if not value:
            return None
        try:
            return Kind(value)
        except ValueError:
            kinds = ", ".join(k.value for k in Kind)
            self.problem(where, f"field 'kind': unknown kind '{value}' (use one of {kinds})", data, "kind")
            return None

    def capacity(self, where: str, data: dict) -> int | None:
        value = data.get("capacity")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, "field 'capacity' must be a whole number", data, "capacity")
            return None
        if value <= 0:
            self.problem(where, f"field 'capacity' must be greater than 0 (is {value})", data, "capacity")
            return None
        return value

    def meeting_point(self, where: str, data: dict, tz: ZoneInfo) -> MeetingPoint | None:
        point = self.place(where, data, "meeting_point")
        if point is None:
            return None
        departure = self.moment(where + ".meeting_point", point, "departure", tz, required=False)
        if departure and self.span and not self.span[0] <= departure <= self.span[1]:
            self.problem(where + ".meeting_point", "field 'departure' lies outside the conference", point, "departure")
        return self.read_place(where + ".meeting_point", point, MeetingPoint, departure=departure)

    def speakers(self, where: str, data: dict) -> tuple[Speaker, ...]:
        value = data.get("speakers")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, "field 'speakers' must be a list", data, "speakers")
            return ()
        speakers = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                speakers.append(Speaker(name=item.strip()))
            elif isinstance(item, dict):
                name = self.string(f"{where}, speaker {number}", item, "name")
                role = self.text(f"{where}, speaker {number}", item, "role", required=False)
                if name:
                    speakers.append(Speaker(name=name, role=role))
            else:
                self.problem(where, f"field 'speakers': entry {number} must be a name or a mapping with 'name'", data, "speakers")
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
            other = f"session '{first.id}'"
            if first.id == second.id and getattr(first_item, "line", None):
                other += f" (line {first_item.line})"
            self.problem(f"session '{second.id}'",
                         f"field 'room': '{second.room}' is also used by {other} at the same time "
                         f"({_fmt(first.start.astimezone(self.tz))}–{first.end.astimezone(self.tz):%H:%M})",
                         item, "room")


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


def summary(program: Program) -> str:
    """A few lines for `python -m bot check`."""
    conf = program.conference
    capacity = [s for s in program.sessions if s.capacity]
    lines = [
        f"OK: {conf.name.get('de')}",
        f"  {_fmt(conf.start)} – {_fmt(conf.end)} ({conf.timezone}), {conf.venue.name}",
        f"  {len(program.sessions)} sessions, {len(capacity)} with sign-up "
        f"({sum(s.capacity or 0 for s in capacity)} seats)",
    ]
    for session in program.sessions:
        seats = f" [{session.capacity} seats]" if session.capacity else ""
        start, end = program.local(session.start), program.local(session.end)
        lines.append(f"  {start:%Y-%m-%d %H:%M}–{end:%H:%M}  {session.id:<18} {session.title.get('de')}{seats}")
    lines += [f"  warning: {warning}" for warning in program.warnings]
    return "\n".join(lines)
