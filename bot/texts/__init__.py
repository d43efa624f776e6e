"""User-facing texts in German and English, kept apart from code.

`t(lang, key, **values)` fills a template and HTML-escapes every value, so text from
users or the program file can never break or inject markup. A value that is already
safe HTML (built from other templates) is wrapped in `Html`.

Plurals: `{count:Person|Personen}` is the form for 1 or for any other number (German and
English both have exactly these two); `{count}` prints the number itself. The forms may hold
other placeholders, e.g. `{count:ein Programmpunkt|{count} Programmpunkte}`. `shorten()` cuts
labels and excerpts to a length with "…", never inside a word where avoidable nor inside a time.
"""

from __future__ import annotations

import html
import math
import re
import string
import unicodedata
from datetime import datetime, timedelta

from . import de, en

CATALOGS = {"de": de, "en": en}
LANGUAGES = tuple(CATALOGS)
DEFAULT = "de"


class Html(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""


def escape(value: object) -> str:
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)


class _Formatter(string.Formatter):
    """`{count:Person|Personen}` picks the form that fits the number (German and English both
    have one form for 1 and another for everything else); `{count}` prints the number. The
    first "|" separates the forms; a value that is not a whole number takes the second form."""

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            try:
                number = int(str(value))
            except ValueError:
                return other
            return one if number == 1 else other
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def _template(lang: str, key: str) -> str:
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT]).TEXTS
    return catalog.get(key) or CATALOGS[DEFAULT].TEXTS[key]


def template(lang: str, key: str) -> str:
    """A text not filled in: for the Mini App, which fills {time} itself (plain placeholders only)."""
    return _template(lang, key)


def t(lang: str, key: str, **values: object) -> Html:
    return Html(_FORMATTER.vformat(_template(lang, key), (), {name: escape(value) for name, value in values.items()}))


def plain(lang: str, key: str, **values: object) -> str:
    """A text for places without HTML (button labels, callback answers)."""
    return _FORMATTER.vformat(_template(lang, key), (), {name: str(value) for name, value in values.items()})


# A number with its inner separators: 14:45, 9.30, 1.000, 2025-06-03, 3/4, 10–12.
_NUMBER = re.compile(r"\d+(?:[:.,/–-]\d+)*")
# Left at the end of a cut: spaces, separators and opening brackets or quotes ("Foyer (" → "Foyer…").
_DANGLING = " \t\n,;:.–—-/|·•([{„\"'"


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters; else at most `limit` characters ending with "…".

    The cut falls between words where that keeps at least half of the room (a single over-long
    word is cut inside), never inside a number or a time like 14:45 or 2025-06-03 (the cut moves
    in front of it), nor between a character and its combining mark or emoji joiner. Separators
    and opening brackets left dangling at the end are dropped."""
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    room = limit - 1  # one character for "…"
    cut = room
    for number in _NUMBER.finditer(text):
        if number.start() < cut < number.end():
            cut = number.start()
            break
        if number.start() >= cut:
            break
    if cut and text[cut - 1].isalnum() and text[cut].isalnum():  # inside a word: go back to its start
        space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
        if space >= room / 2:
            cut = space
    while cut and (unicodedata.category(text[cut]) in ("Mn", "Me") or text[cut] == "\u200d"
                   or text[cut - 1] == "\u200d"):
        cut -= 1
    return text[:cut].rstrip(_DANGLING) + "…"


def message_text(lang: str, message) -> str:
    """A problem or warning of the program file (domain.problems.Message), plain, in `lang`."""
    values = {key: message_text(lang, value) if hasattr(value, "code") else value for key, value in message.values}
    return plain(lang, "problem_" + message.code, **values)


def problem_text(lang: str, problem) -> str:
    """"session 'ws-a' (line 12): field 'end' must be after 'start'", in `lang` (plain text)."""
    where = "".join(message_text(lang, part) if hasattr(part, "code") else str(part) for part in problem.where)
    if problem.line:
        where += plain(lang, "problem_at_line", line=problem.line)
    text = message_text(lang, problem.message)
    return f"{where}: {text}" if where else text


def commands(lang: str) -> list[tuple[str, str]]:
    return list(CATALOGS.get(lang, CATALOGS[DEFAULT]).COMMANDS)


def pick_language(chosen: str | None, telegram_language: str | None) -> str:
    """The attendee's own choice; else German for German speakers and for people whose
    Telegram says no language; English for everybody else."""
    if chosen in CATALOGS:
        return chosen
    if not telegram_language:
        return DEFAULT
    return "de" if telegram_language.lower().startswith("de") else "en"


def format_date(lang: str, moment: datetime) -> str:
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT])
    return plain(lang, "date", weekday=catalog.WEEKDAYS[moment.weekday()], day=moment.day,
                 month=catalog.MONTHS[moment.month - 1], year=moment.year)


def format_day_short(lang: str, moment: datetime) -> str:
    """"Sa 25.10." / "Sat 25 Oct": the day in front of a time when a conference has several."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT])
    month = catalog.MONTHS_SHORT[moment.month - 1] if hasattr(catalog, "MONTHS_SHORT") else f"{moment.month:02d}"
    return plain(lang, "day_short", weekday=catalog.WEEKDAYS_SHORT[moment.weekday()], day=moment.day, month=month)


def format_moment(lang: str, moment: datetime) -> str:
    """"Di 3.6. 14:30 Uhr" / "Tue 3 Jun 14:30": a moment of the conference, with its day."""
    return f"{format_day_short(lang, moment)} {format_time(lang, moment)}"


def format_decimal(lang: str, value: float, digits: int = 1) -> str:
    """"4,5" / "4.5"."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT])
    return f"{value:.{digits}f}".replace(".", catalog.DECIMAL_SEPARATOR)


def format_span(lang: str, start: datetime, end: datetime) -> str:
    """A date with its hours, or, over several days, from the first day and hour to the last."""
    if start.date() == end.date():
        return f"{format_date(lang, start)}, {format_range(lang, start, end)}"
    return plain(lang, "span_days", start=f"{format_date(lang, start)}, {format_time(lang, start)}",
                 end=f"{format_date(lang, end)}, {format_time(lang, end)}")


def clock(moment: datetime) -> str:
    """"14:30"; a time the clocks show twice (the night daylight saving ends) names its zone
    ("02:30 CEST", "02:15 CET"), or 02:30–02:15 would read as ending before it begins."""
    text = moment.strftime("%H:%M")
    if is_ambiguous(moment):
        text += f" {moment.tzname()}"
    return text


def is_ambiguous(moment: datetime) -> bool:
    """Whether the wall time of `moment` occurs twice in its zone."""
    return moment.tzinfo is not None and moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def format_time(lang: str, moment: datetime) -> str:
    return plain(lang, "time", time=clock(moment))


def format_range(lang: str, start: datetime, end: datetime) -> str:
    return plain(lang, "time_range", start=clock(start), end=clock(end))


def format_duration(lang: str, delta: timedelta) -> str:
    """Rounded up to whole minutes: at 10:30:05, 11:05 is "in 35 minutes"."""
    minutes_total = max(0, math.ceil(delta.total_seconds() / 60))
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days > 1:
        return plain(lang, "duration_days", days=days, hours=hours)
    if days == 1:
        return plain(lang, "duration_day", hours=hours)
    if hours:
        return plain(lang, "duration_hours", hours=hours, minutes=minutes)
    return plain(lang, "duration_minutes", minutes=max(1, minutes))


_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """Telegram HTML as the reader sees it: no tags, no entities (a message's text, the Mini App)."""
    return html.unescape(_TAG.sub("", text))
