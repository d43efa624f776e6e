"""The separate consent to hear when the next conference of the series opens. It keeps only
what it needs: the private chat, the language and the date of the consent; it outlives the
retention purge of any conference, and is withdrawn (or erased with /loeschen) at any time."""

from __future__ import annotations

from datetime import datetime

from ..domain.messages import ConferenceOpening
from .engine import Database, iso as _iso
from .outbox import queue_to_chat

# Who consented and takes part in the conference already needs no news of it, nor who was told
# of its opening before (the outbox takes one opening per chat: the preview counts no one twice).
_NEWS_FOR = """FROM next_conference n WHERE n.chat_id NOT IN
               (SELECT user_id FROM participants WHERE conference_id = ?)
               AND n.chat_id NOT IN (SELECT chat_id FROM outbox WHERE conference_id = ? AND batch = ?)"""


def _news_for(conn) -> tuple:
    """The parameters of _NEWS_FOR for the conference in scope."""
    return conn.conference, conn.conference, ConferenceOpening(conn.conference).batch()


class NextConference:
    def __init__(self, db: Database):
        self._db = db

    async def consent(self, chat_id: int, language: str, now: datetime) -> None:
        await self._db.run(lambda conn: conn.execute(
            """INSERT INTO next_conference (chat_id, language, consented_at) VALUES (?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language""", (chat_id, language, _iso(now))))

    async def withdraw(self, chat_id: int) -> bool:
        """False if there was no consent to withdraw."""
        return await self._db.run(lambda conn: conn.execute(
            "DELETE FROM next_conference WHERE chat_id = ?", (chat_id,)).rowcount == 1)

    async def consented(self, chat_id: int) -> bool:
        return await self._db.run(lambda conn: conn.execute(
            "SELECT 1 FROM next_conference WHERE chat_id = ?", (chat_id,)).fetchone() is not None, write=False)

    async def audience(self) -> int:
        """How many would hear of the opening of the conference in scope."""
        return await self._db.run(lambda conn: conn.execute(f"SELECT COUNT(*) {_NEWS_FOR}",
                                                            _news_for(conn)).fetchone()[0], write=False)

    async def announce_opening(self, now: datetime) -> int:
        """Queue the opening of the conference in scope to everyone who consented (and is not in
        it already), each in their language; once per chat. Returns the messages queued."""
        def work(conn):
            chats = conn.execute(f"SELECT n.chat_id, n.language {_NEWS_FOR} ORDER BY n.chat_id",
                                 _news_for(conn)).fetchall()
            return sum(queue_to_chat(conn, chat_id, ConferenceOpening(conn.conference, language), now)
                       for chat_id, language in chats)
        return await self._db.run(work)
