"""All persistent state behind one narrow async API: the `Storage` facade.

`Storage` is composed of one class per stored aggregate, each in its own module (attendees,
registrations, outbox, announcements, program changes, conversations, feedback, questions,
networking, privacy, the processes' coordination, webhook updates). Each call is one `work(tx)` function run
in one transaction by the engine (engine.py), which batches concurrent calls into one commit;
`BOT_DATABASE` chooses SQLite (a path, the embedded default) or PostgreSQL (a
postgresql:// URL), and dialect.py holds everything in which the two differ.
"""

from __future__ import annotations

from pathlib import Path

from .announcements import Announcement, Announcements
from .attendees import Attendee, AttendeeInfo, Attendees
from .conversations import Confirmation, Conversations, PendingInput
from .coordination import Coordination
from .engine import Engine, Transaction
from .feedback import Feedback, FeedbackRow
from .networking import ContactRequest, Match, Networking, Profile
from .outbox import DeliveryReport, Outbox, OutboxMessage, OutboxRow
from .privacy import PERSONAL_DATA, PersonalData, Privacy
from .program_changes import ProgramChanges
from .questions import Question, Questions
from .registrations import ListedRegistration, MyRegistration, Registrations, SessionCount
from .schema import MIGRATIONS
from .updates import Updates

__all__ = ["Announcement", "Attendee", "AttendeeInfo", "Confirmation", "ContactRequest", "FeedbackRow", "ListedRegistration",
           "DeliveryReport", "MIGRATIONS", "Match", "MyRegistration", "OutboxMessage", "OutboxRow", "PERSONAL_DATA", "PendingInput", "PersonalData", "Profile",
           "Question", "SessionCount", "Storage", "Transaction"]


class Storage(Attendees, Registrations, Outbox, Announcements, ProgramChanges, Conversations, Feedback, Questions,
              Networking, Privacy, Coordination, Updates):
    def __init__(self, database: str | Path):
        self.database = str(database)
        self._engine = Engine(self.database)
        self._outbox_listeners = []
        self._recently_seen = {}
        self._touches = []

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._engine.dialect.name

    async def open(self) -> None:
        await self._engine.open()

    async def close(self) -> None:
        await self._engine.close()

    async def sole_writer(self, sole: bool) -> None:
        """Whether this process is the only one writing to the database (bot/cluster.py says so
        every beat): while it is, what it read stays true — the seat counts of its last batch
        (engine.py) and who may have a pending input (conversations.py)."""
        self._engine.set_sole_writer(sole)
        await self._know_pending(sole)

    def before_serialized_writes(self, hook) -> None:
        """Awaited before every serialized write (bot/cluster.py: a process that stalled so long
        that the others may count it gone announces itself again first)."""
        self._before_serialized = hook

    def add_outbox_listener(self, listener) -> None:
        """Called on the event loop after a transaction put messages in the outbox."""
        self._outbox_listeners.append(listener)
