"""Reads a pretalx/frab schedule — the c3voc "schedule.json" or frab/pentabarf "schedule.xml" —
into a program document (the mapping a program.yaml holds).

Real exports disagree with themselves, so the instant of each event comes from its `date`
with the offset written there; the conference's zone is the declared `time_zone_name` where
the events agree with it, and every disagreement becomes a warning. Session ids are stable
across re-imports ("ev-<id>", else the guid), so sign-ups follow a session when the export
changes. Nothing here touches the network or the disk: the caller hands over the bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_ID = 64
KIND_HINTS = (  # words in type or track → kind; first match wins
    ("workshop", "workshop"), ("hands-on", "workshop"), ("panel", "panel"), ("podium", "panel"),
    ("diskussion", "panel"), ("discussion", "panel"), ("break", "break"), ("pause", "break"), ("lunch", "break"),
    ("coffee", "break"), ("mittag", "break"), ("excursion", "excursion"), ("exkursion", "excursion"),
    ("tour", "excursion"), ("networking", "networking"), ("social", "networking"), ("party", "networking"),
    ("get-together", "networking"), ("opening", "plenary"), ("closing", "plenary"), ("plenary", "plenary"),
    ("plenum", "plenary"), ("keynote", "talk"), ("talk", "talk"), ("lecture", "talk"), ("vortrag", "talk"),
    ("exhibition", "exhibition"), ("ausstellung", "exhibition"),
)


class ScheduleError(ValueError):
    """The file is not a schedule this importer understands; the message says why (and where)."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message + (f" (line {line})" if line else ""))


@dataclass
class Imported:
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        sessions = self.document.get("sessions", [])
        days = sorted({s["start"][:10] for s in sessions})
        rooms = sorted({s["room"] for s in sessions if s.get("room")})
        lines = [f"{len(days)} day(s): {', '.join(days)}", f"{len(rooms)} room(s): {', '.join(rooms)}",
                 f"{len(sessions)} session(s)"]
        lines += [f"skipped: {reason}" for reason in self.skipped]
        lines += [f"warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


@dataclass
class _Event:
    ident: str
    guid: str
    title: str
    start: datetime
    end: datetime
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


def parse_schedule(data: bytes, name: str = "schedule") -> Imported:
    """Detect the format by content and convert; raises ScheduleError for anything else."""
    text = data.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ScheduleError(f"{name}: not valid JSON: {error.msg}", error.lineno) from None
        return _from_json(document, name)
    if text.startswith("<"):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as error:
            raise ScheduleError(f"{name}: not valid XML: {error}", error.position[0]) from None
        return _from_xml(root, name)
    raise ScheduleError(f"{name}: neither a schedule.json (pretalx, c3voc) nor a schedule.xml (frab, pentabarf)")


# --- the two formats ----------------------------------------------------------------------------


def _from_json(document: Any, name: str) -> Imported:
    schedule = document.get("schedule") if isinstance(document, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conference, dict) or not isinstance(conference.get("days"), list):
        raise ScheduleError(f"{name}: no schedule.conference.days — is this a pretalx/frab schedule.json?")
    events, skipped = [], []
    for day in conference["days"]:
        for room, room_events in (day.get("rooms") or {}).items():
            for raw in room_events or []:
                try:
                    events.append(_event(
                        ident=str(raw.get("id", "")), guid=str(raw.get("guid", "")), title=raw.get("title"),
                        date=raw.get("date"), duration=raw.get("duration"), room=raw.get("room") or room,
                        track=raw.get("track"), kind_hint=raw.get("type"), language=raw.get("language"),
                        abstract=raw.get("abstract"), description=raw.get("description"), subtitle=raw.get("subtitle"),
                        persons=[p.get("public_name") or p.get("name") or "" for p in raw.get("persons") or []
                                 if isinstance(p, dict)],
                        links=[(link.get("title") or link.get("url") or "", link.get("url") or "")
                               for link in raw.get("links") or [] if isinstance(link, dict)],
                        url=raw.get("url"), local_start=raw.get("start")))
                except ScheduleError as error:
                    skipped.append(str(error))
    return _assemble(conference.get("title"), conference.get("acronym"), conference.get("time_zone_name"),
                     events, skipped, name)


def _from_xml(root: ElementTree.Element, name: str) -> Imported:
    if root.tag != "schedule":
        raise ScheduleError(f"{name}: the XML root is <{root.tag}>, not <schedule> — is this a frab schedule.xml?")
    conference = root.find("conference")
    events, skipped = [], []
    for day in root.findall("day"):
        for room in day.findall("room"):
            for raw in room.findall("event"):
                def text(tag: str) -> str:
                    found = raw.find(tag)
                    return (found.text or "").strip() if found is not None else ""
                try:
                    events.append(_event(
                        ident=raw.get("id", ""), guid=raw.get("guid", ""), title=text("title"), date=text("date"),
                        duration=text("duration"), room=text("room") or room.get("name", ""), track=text("track"),
                        kind_hint=text("type"), language=text("language"), abstract=text("abstract"),
                        description=text("description"), subtitle=text("subtitle"),
                        persons=[(p.text or "").strip() for p in raw.findall("persons/person")],
                        links=[((link.text or "").strip(), link.get("href", "")) for link in raw.findall("links/link")],
                        url=text("url"), local_start=text("start")))
                except ScheduleError as error:
                    skipped.append(str(error))
    title = conference.findtext("title") if conference is not None else None
    acronym = conference.findtext("acronym") if conference is not None else None
    zone = conference.findtext("time_zone_name") if conference is not None else None
    return _assemble(title, acronym, zone, events, skipped, name)


# --- events ------------------------------------------------------------------------------------


def _duration(raw: Any) -> timedelta | None:
    match = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", str(raw or "").strip())
    if not match:
        return None
    days_or_hours, hours, minutes = match.groups()
    if days_or_hours is not None:  # "d:hh:mm" is rare; "hh:mm" is usual
        return timedelta(days=int(days_or_hours), hours=int(hours), minutes=int(minutes))
    return timedelta(hours=int(hours), minutes=int(minutes))


def _event(*, ident: str, guid: str, title: Any, date: Any, duration: Any, room: Any, **rest: Any) -> _Event:
    label = f"event {ident or guid or '?'}"
    title = str(title or "").strip()
    if not title:
        raise ScheduleError(f"{label}: no title")
    try:
        start = datetime.fromisoformat(str(date or "").strip().replace("Z", "+00:00"))
    except ValueError:
        raise ScheduleError(f"{label} ({title}): no date with time, e.g. 2025-10-25T09:00:00+02:00") from None
    if start.tzinfo is None:
        raise ScheduleError(f"{label} ({title}): its date {date} has no UTC offset; the instant is unknown")
    length = _duration(duration)
    if not length:
        raise ScheduleError(f"{label} ({title}): no duration")
    texts = {key: str(value or "").strip() for key, value in rest.items() if key not in ("persons", "links")}
    return _Event(ident=ident, guid=guid, title=title, start=start, end=start + length, room=str(room or "").strip(),
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
    words = f"{event.kind_hint} {event.track} {event.title}".lower()
    for hint, kind in KIND_HINTS:
        if hint in words:
            return kind
    return "talk" if event.persons else "other"


# --- the conference's zone and the document ----------------------------------------------------


def _zone(declared: str | None, events: list[_Event], warnings: list[str]) -> ZoneInfo:
    """The declared zone if the events' offsets agree with it; else the one offset they share."""
    zone = None
    if declared:
        try:
            zone = ZoneInfo(declared.strip())
        except (ZoneInfoNotFoundError, ValueError):
            warnings.append(f"time_zone_name '{declared}' is not a known time zone")
    if zone is not None:
        disagree = [e for e in events if e.start.utcoffset() != e.start.astimezone(zone).utcoffset()
                    and e.start.utcoffset() != timedelta(0)]
        if not disagree:
            for event in events:  # a UTC date with a local start: the start field shows the zone's wall time
                if event.local_start and event.start.astimezone(zone).strftime("%H:%M") != event.local_start[:5]:
                    warnings.append(f"event {event.ident or event.guid}: start {event.local_start} disagrees with its date "
                                    f"{event.start.isoformat()} in {zone.key}; the date wins")
            return zone
        warnings.append(f"time_zone_name is {declared}, but {len(disagree)} event(s) carry other offsets "
                        f"(e.g. {disagree[0].start.isoformat()}); their dates win")
    offsets = {e.start.utcoffset() for e in events if e.start.utcoffset() != timedelta(0)}
    if len(offsets) == 1:
        hours = next(iter(offsets)).total_seconds() / 3600
        if hours == int(hours):
            fixed = f"Etc/GMT{-int(hours):+d}" if hours else "Etc/UTC"
            warnings.append(f"using the fixed offset {fixed} as the conference's zone; set conference.timezone to the "
                            f"real one (e.g. Europe/Berlin) so daylight saving is right")
            return ZoneInfo(fixed)
    return zone or ZoneInfo("UTC")


def _stamp(moment: datetime, zone: ZoneInfo) -> str:
    """A local time with its offset: unambiguous even in the repeated autumn hour."""
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M") + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


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


def _assemble(title: Any, acronym: Any, declared_zone: Any, events: list[_Event], skipped: list[str],
              name: str) -> Imported:
    if not events:
        raise ScheduleError(f"{name}: the schedule has no events that can be imported"
                            + (f" ({len(skipped)} skipped: {skipped[0]})" if skipped else ""))
    warnings: list[str] = []
    zone = _zone(str(declared_zone) if declared_zone else None, events, warnings)
    events = sorted(events, key=lambda e: (e.start, e.room, e.ident))
    events = _without_room_clashes(events, skipped)
    taken: set[str] = set()
    sessions = []
    for event in events:
        lang = event.language.lower()[:2] if event.language.lower()[:2] in ("de", "en") else "de"
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
    conference = {
        "id": re.sub(r"[^a-z0-9-]+", "-", str(acronym or title or "conference").lower()).strip("-")[:40] or "conference",
        "name": {"de": str(title or acronym or name)},
        "timezone": zone.key,
        "start": _stamp(min(e.start for e in events), zone),
        "end": _stamp(max(e.end for e in events), zone),
        "venue": {"name": str(title or acronym or name)},
    }
    warnings.append("the export names no venue: set conference.venue (name, address, coordinates) in program.yaml")
    return Imported({"conference": conference, "sessions": sessions}, warnings, skipped)


def _without_room_clashes(events: list[_Event], skipped: list[str]) -> list[_Event]:
    """Two events in one room at once cannot both be right: the later-listed one is skipped."""
    kept: list[_Event] = []
    for event in events:
        clash = next((k for k in kept if event.room and k.room.casefold() == event.room.casefold()
                      and event.start < k.end and k.start < event.end), None)
        if clash is not None:
            skipped.append(f"event {event.ident or event.guid} ({event.title}): room {event.room} is used by "
                           f"event {clash.ident or clash.guid} at the same time")
            continue
        kept.append(event)
    return kept
