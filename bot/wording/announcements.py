"""An announcement in words: its audience, the text its recipients see, a short excerpt."""

from __future__ import annotations

from ..domain.announcements import Audience
from ..domain.program import Program
from ..storage import Announcement
from ..texts import escape, html_to_plain, plain, shorten, t

EXCERPT_LIMIT = 90


def audience_label(program: Program, lang: str, key: str) -> str:
    """An announcement's audience in words (the chat's reports and the Mini App's organizer view)."""
    audience = Audience.parse(key)
    if audience is None:
        return key
    if audience.kind in ("all", "excursion"):
        return plain(lang, f"audience_{audience.kind}")
    session = program.session(audience.session_id or "")
    return plain(lang, f"audience_{audience.kind}", title=session.title.get(lang) if session else audience.session_id)


def body(announcement: Announcement, lang: str, corrected: bool = False) -> str:
    """What a recipient sees: a header in their language, then the text as the organizer wrote it;
    a copy edited in place says it was corrected (a copy sent after the correction needs no mark)."""
    if announcement.texts:  # from program.yaml: plain text per language
        texts = announcement.texts
        text = escape(texts.get(lang) or texts.get("de") or next(iter(texts.values()), ""))
    else:
        text = announcement.text_html or ""
    header = t(lang, "bc_header") + (t(lang, "bc_corrected_mark") if corrected else "")
    return f"{header}\n\n{text}"


def excerpt(announcement: Announcement, lang: str) -> str:
    """The announcement's text as recipients read it (no markup, no escapes), shortened by words."""
    texts = announcement.texts
    if texts:
        raw = texts.get(lang) or next(iter(texts.values()), "")
    else:
        raw = html_to_plain(announcement.text_html or "")
    return shorten(" ".join(raw.split()), EXCERPT_LIMIT) or "🖼"
