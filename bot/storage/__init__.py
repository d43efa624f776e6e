"""All persistent state behind one narrow async API: the `Storage` facade.

`Storage` holds one repository per stored aggregate, each in its own module with its own state:
`storage.attendees`, `.registrations`, `.bookmarks`, `.audiences` (who is concerned by what),
`.outbox`, `.announcements`, `.program_changes`, `.conversations`, `.confirmations`, `.feedback`,
`.questions`, `.networking`, `.guests` (the guest lists), `.privacy`, `.series` (the conferences
as a whole), `.next_conference` (who asked to hear when the next one opens), `.coordination`
(the processes sharing a database) and `.updates` (webhook claims):
`await storage.registrations.sign_up(...)`. Repositories neither inherit from each other nor
reach into each other's state; what one must tell another it is handed at construction
(privacy tells `attendees` whom to forget).

Rows that belong to one conference are read and written for the conference in scope
(bot/scope.py), which the Database hands each call's transaction (`conn.conference`).

All of them share one `Database` (engine.py): each call is one `work(tx)` function run in one
transaction by the engine, which batches concurrent calls into one commit. What concerns the
whole database (open, close, the dialect, whether this process writes alone, the hooks around
transactions) stays on the facade. `BOT_DATABASE` chooses SQLite (a path, the embedded default)
or PostgreSQL (a postgresql:// URL), and dialect.py holds everything in which the two differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable

from .announcements import Announcement, Announcements
from .attendees import Attendee, AttendeeInfo, Attendees
from .audiences import Audiences
from .bookmarks import Bookmarks
from .confirmations import Confirmation, Confirmations
from .conversations import Conversations, PendingInput
from .coordination import Coordination
from .engine import Database, Transaction
from .feedback import Feedback, FeedbackRow
from .guests import GuestCount, Guests, Loaded
from .networking import ContactRequest, Match, Networking, Profile
from .outbox import DeliveryReport, Outbox, OutboxMessage, OutboxRow
from .privacy import PERSONAL_DATA, PersonalData, Privacy
from .program_changes import ProgramChanges
from .questions import Question, Questions
from .registrations import ListedRegistration, MyRegistration, Registrations, SessionCount
from .schema import MIGRATIONS
from .next_conference import NextConference
from .series import Series
from .updates import Updates

__all__ = ["Announcement", "Attendee", "AttendeeInfo", "Confirmation", "ContactRequest", "Database", "FeedbackRow",
           "GuestCount", "Loaded",
           "ListedRegistration", "DeliveryReport", "MIGRATIONS", "Match", "MyRegistration", "OutboxMessage", "OutboxRow",
           "PERSONAL_DATA", "PendingInput", "PersonalData", "Profile", "Question", "SessionCount", "Storage", "Transaction"]


class Storage:
    def __init__(self, database: str | Path):
        self.database = Database(str(database))
        db = self.database
        self.attendees = Attendees(db)
        self.registrations = Registrations(db)
        self.bookmarks = Bookmarks(db)
        self.audiences = Audiences(db)
        self.outbox = Outbox(db)
        self.announcements = Announcements(db)
        self.program_changes = ProgramChanges(db)
        self.conversations = Conversations(db)
        self.confirmations = Confirmations(db)
        self.feedback = Feedback(db)
        self.questions = Questions(db)
        self.networking = Networking(db)
        self.guests = Guests(db)
        self.series = Series(db)
        self.next_conference = NextConference(db)
        self.privacy = Privacy(db, self.attendees)
        self.coordination = Coordination(db)
        self.updates = Updates(db)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.database.engine.dialect.name

    async def open(self) -> None:
        await self.database.engine.open()

    async def close(self) -> None:
        await self.database.engine.close()

    async def sole_writer(self, sole: bool) -> None:
        """Whether this process is the only one writing to the database (bot/cluster.py says so
        every beat): while it is, what it read stays true — the seat counts of its last batch
        (engine.py), who wrote recently (attendees.py) and who may have a pending input
        (conversations.py). While it is not, none of that is trusted."""
        self.database.engine.set_sole_writer(sole)
        self.attendees.trust_memory(sole)
        await self.conversations.know_pending(sole)

    def before_serialized_writes(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Awaited before every serialized write (bot/cluster.py: a process that stalled so long
        that the others may count it gone announces itself again first)."""
        self.database.before_serialized_writes(hook)

    def add_outbox_listener(self, listener: Callable[[], None]) -> None:
        """Called on the event loop after a transaction put messages in the outbox."""
        self.database.add_outbox_listener(listener)
