"""Reads a pretalx/frab schedule — the c3voc "schedule.json" or frab/pentabarf "schedule.xml" —
into a program document (the mapping a program.yaml holds).

Real exports disagree with themselves, so the instant of each event comes from its `date`
with the offset written there; the conference's zone is the declared `time_zone_name` where
the events agree with it, and every disagreement becomes a warning. An event with only a wall
time (pentabarf/FOSDEM: `<start>09:00`, the date on its `<day>`) is read in the zone the caller
gives (`import --timezone`, or `conference.timezone` of the program file that links the export),
else in the export's own `time_zone_name`; without either its instant is unknown and the import
says how to give one. Session ids are stable across re-imports ("ev-<id>", else the guid), so
sign-ups follow a session when the export changes. Nothing here touches the network or the
disk: the caller hands over the bytes. Every message is a domain.problems.Message, worded in
the reader's language by bot/texts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .problems import Message

LANGUAGES = ("de", "en")

# What an event is, from its type, its title and its track (domain.program.Kind). Ceremonies and
# meals are recognised first, whatever else the event says: an "Opening Ceremony" in a track
# called "Community & Social" is the plenary, not the party.
CEREMONY = re.compile(r"\b(opening|closing|ceremony|welcome|eröffnung|begrüßung|abschluss|closing remarks)\b")
MEAL = re.compile(r"\b(lunch|coffee|break|pause|mittag|mittagspause|mittagessen|kaffeepause|dinner|breakfast)\b")
KIND_HINTS = (  # words in type, then title, then track → kind; first match wins
    ("workshop", "workshop"), ("hands-on", "workshop"), ("tutorial", "workshop"), ("panel", "panel"),
    ("podium", "panel"), ("diskussion", "panel"), ("discussion", "panel"), ("excursion", "excursion"),
    ("exkursion", "excursion"), ("tour", "excursion"), ("networking", "networking"), ("social", "networking"),
    ("party", "networking"), ("get-together", "networking"), ("plenary", "plenary"), ("plenum", "plenary"),
    ("keynote", "plenary"), ("talk", "talk"), ("lecture", "talk"), ("vortrag", "talk"), ("lightning", "talk"),
    ("maintrack", "talk"), ("devroom", "talk"), ("exhibition", "exhibition"), ("ausstellung", "exhibition"),
)


class ScheduleError(ValueError):
    """The file is not a schedule this importer understands; the message says why (and where)."""

    def __init__(self, message: Message, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(str(message) + (f" (line {line})" if line else ""))


@dataclass
class Imported:
    document: dict[str, Any]
    warnings: list[Message] = field(default_factory=list)
    skipped: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)  # what the import decided: the zone, the language

    def summary(self) -> str:
        sessions = self.document.get("sessions", [])
        days = sorted({s["start"][:10] for s in sessions})
        rooms = sorted({s["room"] for s in sessions if s.get("room")})
        lines = [f"{len(days)} day(s): {', '.join(days)}", f"{len(rooms)} room(s): {', '.join(rooms)}",
                 f"{len(sessions)} session(s)"]
        lines += [str(note) for note in self.notes]
        lines += [f"skipped: {reason}" for reason in self.skipped]
        lines += [f"warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)

    def all_warnings(self) -> list[Message]:
        """The warnings, and each event skipped as one (what `check` lists)."""
        return self.warnings + [Message.of("skipped", reason=reason) for reason in self.skipped]


@dataclass
class _Event:
    ident: str
    guid: str
    title: str
    start: datetime  # aware; naive while only the wall time is known (read in the zone, later)
    length: timedelta
    room: str
    track: str = ""
    kind_hint: str = ""
    language: str = ""
    abstract: str = ""
    description: str = ""
    subtitle: str = ""
    persons: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    local_start: str = ""  # the export's own "start" (HH:MM), to compare with the zone

    @property
    def end(self) -> datetime:
        return self.start + self.length

    @property
    def label(self) -> str:
        return self.ident or self.guid


@dataclass(frozen=True)
class _Day:
    """What an event's day says: its date, and from when it runs (a 01:00 event of a day that
    starts at 09:00 lies on the next calendar date)."""

    date: date | None = None
    begins: time | None = None

    def moment(self, wall: str) -> datetime | None:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", wall.strip())
        if self.date is None or not match:
            return None
        at = time(int(match.group(1)), int(match.group(2)))
        day = self.date + timedelta(days=1) if self.begins is not None and at < self.begins else self.date
        return datetime.combine(day, at)


def parse_schedule(data: bytes, name: str = "schedule", timezone_name: str | None = None,
                   given_from: str = "option", language: str | None = None) -> Imported:
    """Detect the format by content and convert; raises ScheduleError for anything else.
    `timezone_name`: the conference's zone when the caller knows it; `language`: the
    conference's language, for events whose export names none; `given_from` says where both
    come from: "option" (--timezone, --language) or "program" (the program file's conference)."""
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ScheduleError(Message.of("not_json", reason=error.msg), error.lineno) from None
        found = _from_json(document)
    elif text.startswith("<"):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as error:
            raise ScheduleError(Message.of("not_xml", reason=str(error)), error.position[0]) from None
        found = _from_xml(root)
    else:
        raise ScheduleError(Message.of("unknown_format"))
    return _assemble(found, timezone_name, given_from, language, name)


@dataclass
class _Found:
    title: Any
    acronym: Any
    declared_zone: Any
    venue: str = ""
    city: str = ""
    events: list[_Event] = field(default_factory=list)
    skipped: list[Message] = field(default_factory=list)


# --- the two formats ----------------------------------------------------------------------------


def _day_begins(value: Any) -> time | None:
    """The wall time a day starts at, from "2025-02-01T09:00:00+01:00" or "09:00[:00]"."""
    raw = str(value or "").strip()
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).time() if "T" in raw else \
            time.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _day(raw_date: Any, begins: Any) -> _Day:
    try:
        day = date.fromisoformat(str(raw_date or "").strip()[:10])
    except ValueError:
        day = None
    starts = _day_begins(begins)
    return _Day(day, starts if starts and starts != time(0) else None)


def _from_json(document: Any) -> _Found:
    schedule = document.get("schedule") if isinstance(document, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conference, dict) or not isinstance(conference.get("days"), list):
        raise ScheduleError(Message.of("no_days"))
    found = _Found(conference.get("title"), conference.get("acronym"), conference.get("time_zone_name"))
    for raw_day in conference["days"]:
        if not isinstance(raw_day, dict):
            continue
        day = _day(raw_day.get("date"), raw_day.get("day_start"))
        for room, room_events in (raw_day.get("rooms") or {}).items():
            for raw in room_events or []:
                if not isinstance(raw, dict):
                    continue
                try:
                    found.events.append(_event(
                        day, ident=str(raw.get("id", "")), guid=str(raw.get("guid", "")), title=raw.get("title"),
                        date=raw.get("date"), duration=raw.get("duration"), room=raw.get("room") or room,
                        track=raw.get("track"), kind_hint=raw.get("type"), language=raw.get("language"),
                        abstract=raw.get("abstract"), description=raw.get("description"), subtitle=raw.get("subtitle"),
                        persons=[p.get("public_name") or p.get("name") or "" for p in raw.get("persons") or []
                                 if isinstance(p, dict)],
                        links=[(link.get("title") or link.get("url") or "", link.get("url") or "")
                               for link in raw.get("links") or [] if isinstance(link, dict)],
                        url=raw.get("url"), local_start=raw.get("start")))
                except ScheduleError as error:
                    found.skipped.append(error.message)
    return found


def _from_xml(root: ElementTree.Element) -> _Found:
    if root.tag != "schedule":
        raise ScheduleError(Message.of("wrong_root", tag=f"<{root.tag}>", expected="<schedule>"))
    conference = root.find("conference")

    def about(tag: str) -> str:
        return (conference.findtext(tag) or "").strip() if conference is not None else ""

    found = _Found(about("title") or None, about("acronym") or None, about("time_zone_name") or None,
                   venue=about("venue"), city=about("city"))
    for raw_day in root.findall("day"):
        day = _day(raw_day.get("date"), raw_day.get("start") or about("day_change"))
        for room in raw_day.findall("room"):
            for raw in room.findall("event"):
                def text(tag: str) -> str:
                    item = raw.find(tag)
                    return (item.text or "").strip() if item is not None else ""
                try:
                    found.events.append(_event(
                        day, ident=raw.get("id", ""), guid=raw.get("guid", ""), title=text("title"), date=text("date"),
                        duration=text("duration"), room=text("room") or room.get("name", ""), track=text("track"),
                        kind_hint=text("type"), language=text("language"), abstract=text("abstract"),
                        description=text("description"), subtitle=text("subtitle"),
                        persons=[(p.text or "").strip() for p in raw.findall("persons/person")],
                        links=[((link.text or "").strip(), link.get("href", "")) for link in raw.findall("links/link")],
                        url=text("url"), local_start=text("start")))
                except ScheduleError as error:
                    found.skipped.append(error.message)
    return found


# --- events ------------------------------------------------------------------------------------


def _duration(raw: Any) -> timedelta | None:
    match = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", str(raw or "").strip())
    if not match:
        return None
    days_or_hours, hours, minutes = match.groups()
    if days_or_hours is not None:  # "d:hh:mm" is rare; "hh:mm" is usual
        return timedelta(days=int(days_or_hours), hours=int(hours), minutes=int(minutes))
    return timedelta(hours=int(hours), minutes=int(minutes))


def _event(day: _Day, *, ident: str, guid: str, title: Any, date: Any, duration: Any, room: Any, **rest: Any) -> _Event:
    label = ident or guid or "?"
    title = str(title or "").strip()
    if not title:
        raise ScheduleError(Message.of("event_no_title", event=label))
    raw_date = str(date or "").strip()
    try:
        start = datetime.fromisoformat(raw_date.replace("Z", "+00:00")) if raw_date else None
    except ValueError:
        start = None
    if start is not None and len(raw_date) <= 10:  # a bare date: the wall time is in "start"
        start = _Day(start.date(), day.begins).moment(str(rest.get("local_start") or ""))
    if start is None:  # pentabarf: only <start>09:00, the date is on the event's <day>
        start = day.moment(str(rest.get("local_start") or ""))
    if start is None:
        raise ScheduleError(Message.of("event_no_date", event=label, title=title))
    length = _duration(duration)
    if not length:
        raise ScheduleError(Message.of("event_no_duration", event=label, title=title))
    texts = {key: str(value or "").strip() for key, value in rest.items() if key not in ("persons", "links")}
    return _Event(ident=ident, guid=guid, title=title, start=start, length=length, room=str(room or "").strip(),
                  persons=[p for p in rest.get("persons", []) if p], links=[l for l in rest.get("links", []) if l[1]],
                  **texts)


def _session_id(event: _Event, taken: set[str]) -> str:
    if re.fullmatch(r"\d{1,20}", event.ident):
        base = f"ev-{event.ident}"
    else:
        base = re.sub(r"[^a-z0-9_-]+", "-", (event.guid or event.ident or event.title).lower()).strip("-")[:24] or "ev"
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base[:20]}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _kind(event: _Event) -> str:
    """Ceremonies are plenaries and meals are breaks, whatever track they sit in; otherwise the
    event's type says most, then its title, then its track."""
    named = f"{event.kind_hint} {event.title}".lower()
    if CEREMONY.search(named):
        return "plenary"
    if MEAL.search(event.kind_hint.lower()) or (MEAL.search(event.title.lower()) and not event.persons):
        return "break"
    for words in (event.kind_hint, event.title, event.track):
        for hint, kind in KIND_HINTS:
            if hint in words.lower():
                return kind
    return "talk" if event.persons else "other"


# --- the conference's zone and the document ----------------------------------------------------


def _known_zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name.strip()) if name and name.strip() else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _disagreeing(events: list[_Event], zone: ZoneInfo) -> list[_Event]:
    """Events dated with an offset other than the zone's at that moment (UTC dates aside: some
    exports write every date in UTC)."""
    return [e for e in events if e.start.tzinfo is not None and e.start.utcoffset() != timedelta(0)
            and e.start.utcoffset() != e.start.astimezone(zone).utcoffset()]


def _zone(found: _Found, given: str | None, given_from: str, warnings: list[Message]) -> tuple[ZoneInfo, Message]:
    """The conference's zone and how it was decided: the zone the caller gives, else the
    declared one if the events' offsets agree with it, else the one offset they share."""
    events = found.events
    declared = str(found.declared_zone).strip() if found.declared_zone else ""
    declared_zone = _known_zone(declared)
    if declared and declared_zone is None:
        warnings.append(Message.of("zone_unknown", zone=declared))
    if given:
        zone = _known_zone(given)
        if zone is None:
            raise ScheduleError(Message.of("zone_given_unknown", zone=given))
        if declared_zone is not None and declared_zone.key != zone.key:
            warnings.append(Message.of("zone_overridden", declared=declared_zone.key, zone=zone.key))
        disagree = _disagreeing(events, zone)
        if disagree:
            warnings.append(Message.of("zone_given_contradicted", zone=zone.key, count=len(disagree),
                                       example=disagree[0].start.isoformat()))
        return zone, Message.of(f"zone_from_{given_from}", zone=zone.key)
    if declared_zone is not None:
        disagree = _disagreeing(events, declared_zone)
        if not disagree:
            for event in events:  # a UTC date with a local start: the start field shows the zone's wall time
                if event.start.tzinfo is not None and event.local_start \
                        and event.start.astimezone(declared_zone).strftime("%H:%M") != event.local_start[:5]:
                    warnings.append(Message.of("start_disagrees", event=event.label, start=event.local_start,
                                               date=event.start.isoformat(), zone=declared_zone.key))
            return declared_zone, Message.of("zone_from_export", zone=declared_zone.key)
        warnings.append(Message.of("zone_contradicted", zone=declared, count=len(disagree),
                                   example=disagree[0].start.isoformat()))
    if any(e.start.tzinfo is None for e in events):
        raise ScheduleError(Message.of("no_zone"))
    offsets = {e.start.utcoffset() for e in events if e.start.utcoffset() != timedelta(0)}
    if len(offsets) == 1:
        hours = next(iter(offsets)).total_seconds() / 3600
        if hours == int(hours):
            fixed = f"Etc/GMT{-int(hours):+d}" if hours else "Etc/UTC"
            warnings.append(Message.of("fixed_offset", zone=fixed))
            return ZoneInfo(fixed), Message.of("zone_from_offsets", zone=fixed)
    zone = declared_zone or ZoneInfo("UTC")
    return zone, Message.of("zone_from_offsets", zone=zone.key)


def _in_zone(events: list[_Event], zone: ZoneInfo) -> list[_Event]:
    """Every event as an instant: a wall time alone is read in the conference's zone (in UTC,
    so that a duration across a daylight-saving change is counted in real minutes)."""
    for event in events:
        if event.start.tzinfo is None:
            event.start = event.start.replace(tzinfo=zone).astimezone(timezone.utc)
    return events


def _stamp(moment: datetime, zone: ZoneInfo) -> str:
    """A local time with its offset: unambiguous even in the repeated autumn hour."""
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M") + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def _language(events: list[_Event], given: str | None, given_from: str) -> tuple[str, Message]:
    """The language of events whose export names none: the conference's, where the caller
    knows it; else the one most events name; else German (the bot's default)."""
    if given in LANGUAGES:
        return given, Message.of(f"language_from_{given_from}", language=given)
    named = Counter(e.language.lower()[:2] for e in events if e.language.lower()[:2] in LANGUAGES)
    if named:
        language = named.most_common(1)[0][0]
        return language, Message.of("language_from_events", language=language)
    return "de", Message.of("language_default", language="de")


def _event_language(event: _Event, default: str) -> str:
    tagged = event.language.lower()[:2]
    return tagged if tagged in LANGUAGES else default


def _description(event: _Event) -> str:
    parts = [event.subtitle, event.abstract, event.description]
    facts = [value for value in (event.track, event.kind_hint, event.language.upper() if event.language else "") if value]
    if facts:
        parts.append(" · ".join(facts))
    if event.links or event.url:
        parts.append("\n".join(f"{title}: {url}" if title and title != url else url
                               for title, url in ([("", event.url)] if event.url else []) + event.links))
    text = "\n\n".join(p for p in parts if p)
    return text[:3000]


def _assemble(found: _Found, given_zone: str | None, given_from: str, given_language: str | None,
              name: str) -> Imported:
    skipped = list(found.skipped)
    if not found.events:
        if skipped:
            raise ScheduleError(Message.of("no_events_skipped", count=len(skipped), first=skipped[0]))
        raise ScheduleError(Message.of("no_events"))
    warnings: list[Message] = []
    zone, zone_note = _zone(found, given_zone, given_from, warnings)
    events = sorted(_in_zone(found.events, zone), key=lambda e: (e.start, e.room, e.ident))
    events = _without_room_clashes(events, skipped)
    default_language, language_note = _language(events, given_language, given_from)
    taken: set[str] = set()
    sessions = []
    for event in events:
        lang = _event_language(event, default_language)
        session: dict[str, Any] = {
            "id": _session_id(event, taken), "kind": _kind(event), "title": {lang: event.title},
            "start": _stamp(event.start, zone), "end": _stamp(event.end, zone),
        }
        if event.room:
            session["room"] = event.room
        description = _description(event)
        if description:
            session["description"] = {lang: description}
        if event.persons:
            session["speakers"] = event.persons
        sessions.append(session)
    title = str(found.title or found.acronym or name)
    conference = {
        "id": re.sub(r"[^a-z0-9-]+", "-", str(found.acronym or found.title or "conference").lower()).strip("-")[:40]
        or "conference",
        "name": {default_language: title},
        "language": default_language,
        "timezone": zone.key,
        "start": _stamp(min(e.start for e in events), zone),
        "end": _stamp(max(e.end for e in events), zone),
        "venue": {"name": found.venue or title, **({"address": found.city} if found.city else {})},
    }
    if not found.venue:
        warnings.append(Message.of("no_venue"))
    return Imported({"conference": conference, "sessions": sessions}, warnings, skipped, [zone_note, language_note])


def _without_room_clashes(events: list[_Event], skipped: list[Message]) -> list[_Event]:
    """Two events in one room at once cannot both be right: the later-listed one is skipped."""
    kept: list[_Event] = []
    for event in events:
        clash = next((k for k in kept if event.room and k.room.casefold() == event.room.casefold()
                      and event.start < k.end and k.start < event.end), None)
        if clash is not None:
            skipped.append(Message.of("event_room_clash", event=event.label, title=event.title, room=event.room,
                                      other=clash.label))
            continue
        kept.append(event)
    return kept
