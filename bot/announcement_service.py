"""Shows an organizer how their announcement goes out: one progress message, edited as the
outbox drains, then replaced by the delivery report.

The progress message itself is an outbox message (queued with the copies, usecases/
announcements.py); its edits are not: an edit replaces the one message in place and has nothing
to deliver to anybody else, so it goes straight to Telegram, still within the bot's rate limiter,
and a failed edit is only logged (the next one shows the newer count). Announcements still
sending when the bot stopped get their tracker back at start-up.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from . import scope
from .services import Services
from .storage import Announcement
from .texts import pick_language, t
from .usecases import announcements

log = logging.getLogger(__name__)
TRACK_INTERVAL = 2.0  # real seconds between progress edits, at least
PROGRESS_EDITS = 30  # about this many per announcement: each edit takes a message's place in 30/s


class AnnouncementService:
    def __init__(self, svc: Services, bot: Bot):
        self.svc = svc
        self.bot = bot
        self._trackers: dict[int, asyncio.Task] = {}

    def track(self, announcement_id: int, organizer: int | None) -> None:
        """Follow an announcement that has started (of the conference in scope), editing
        `organizer`'s progress message."""
        if announcement_id not in self._trackers or self._trackers[announcement_id].done():
            conference_id = self.svc.conference_id
            self._trackers[announcement_id] = asyncio.create_task(self._follow(announcement_id, organizer, conference_id))

    async def resume(self) -> None:
        for conference_id in self.svc.conferences.ids:
            with scope.within(conference_id):
                for announcement in await self.svc.storage.announcements.recent(limit=1000, states=("sending",)):
                    self.track(announcement.id, announcement.progress_chat_id)

    async def _language(self, user_id: int) -> str:
        attendee = await self.svc.storage.attendees.get(user_id)
        return pick_language(attendee.language, attendee.telegram_language) if attendee else "de"

    async def report_text(self, announcement: Announcement, lang: str) -> str:
        report = await announcements.report(self.svc, announcement.id)
        text = t(lang, "bc_report", id=announcement.id, sent=report.sent, count=announcement.recipients or 0,
                 blocked=report.blocked, failed=report.failed)
        for reason, count in report.reasons:
            text += t(lang, "bc_report_reason", reason=(reason or "?")[:120], count=count)
        return text

    async def _follow(self, announcement_id: int, organizer: int | None, conference_id: str) -> None:
        scope.enter(conference_id)  # this task follows one conference's announcement
        last = None
        try:
            while True:
                announcement = await self.svc.storage.announcements.get(announcement_id)
                if announcement is None or announcement.state != "sending":
                    return
                report = await announcements.report(self.svc, announcement_id)
                done = report.pending == 0
                if done:
                    await self.svc.storage.announcements.finish(announcement_id, self.svc.now())
                if organizer is not None:
                    last = await self._show(announcement, organizer, report.sent, done, last)
                if done:
                    return
                await asyncio.sleep(track_interval(announcement.recipients or 0))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a report must never take the bot down
            log.exception("progress tracking of announcement %s failed", announcement_id)

    async def _show(self, announcement: Announcement, organizer: int, sent: int, done: bool, last: str | None) -> str | None:
        """Edit the progress message (once it went out) to the count, or to the report when done."""
        where = await announcements.progress_message(self.svc, announcement.id, organizer)
        if where is None:
            return last  # not delivered yet: the next round tries again
        lang = await self._language(organizer)
        text = (await self.report_text(announcement, lang) if done
                else t(lang, "bc_progress", id=announcement.id, sent=sent, count=announcement.recipients or 0))
        if text != last:
            await self._edit(*where, text)
        return text

    async def _edit(self, chat: int, message_id: int, text: str) -> None:
        try:
            await self.bot.edit_message_text(text, chat_id=chat, message_id=message_id, parse_mode=ParseMode.HTML)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.info("progress edit failed: %s", error)
        except TelegramError as error:
            log.info("progress edit failed: %s", error)

    async def stop(self) -> None:
        for task in self._trackers.values():
            task.cancel()
        await asyncio.gather(*self._trackers.values(), return_exceptions=True)


def track_interval(recipients: int) -> float:
    """Seconds between progress edits: every 2 s for a short announcement, every 10 s for one
    to 10,000 (which takes 6 minutes at 30/s; an edit every 2 s would cost 1.7 % of its rate)."""
    return max(TRACK_INTERVAL, min(10.0, recipients / 30 / PROGRESS_EDITS))
