"""The schema: numbered migrations, applied at start, in one SQL that both dialects run
(dialect.py turns it into PostgreSQL's where they differ). Append; never edit one that shipped
(except to quote a word PostgreSQL reserves, which leaves SQLite's schema as it was)."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: attendees, registrations with history, bookmarks, the outbox
    """
    CREATE TABLE attendees (
        user_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        first_name TEXT NOT NULL DEFAULT '',
        last_name TEXT NOT NULL DEFAULT '',
        username TEXT,
        language TEXT,
        telegram_language TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        reachable INTEGER NOT NULL DEFAULT 1,
        unreachable_reason TEXT,
        reminder_minutes INTEGER
    );
    CREATE TABLE registrations (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        state TEXT NOT NULL CHECK (state IN ('confirmed', 'waitlisted', 'cancelled')),
        arrival INTEGER NOT NULL,
        switch_from TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (session_id, user_id)
    );
    CREATE INDEX registrations_by_session ON registrations (session_id, state, arrival);
    CREATE INDEX registrations_by_user ON registrations (user_id);
    CREATE TABLE registration_history (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER NOT NULL,
        old_state TEXT,
        new_state TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE bookmarks (
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        session_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, session_id)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        user_id INTEGER,
        chat_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        not_before REAL NOT NULL,
        expires_at REAL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        message_id INTEGER,
        last_error TEXT,
        batch TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (state, not_before);
    CREATE INDEX outbox_batch ON outbox (batch);
    """,
    # 2: announcements, live program changes, organizers' pending steps
    """
    CREATE TABLE announcements (
        id INTEGER PRIMARY KEY,
        source TEXT UNIQUE,
        author_id INTEGER,
        audience TEXT NOT NULL,
        text_html TEXT,
        texts_json TEXT,
        photo_file_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('draft', 'scheduled', 'sending', 'done', 'withdrawn', 'cancelled')),
        send_at REAL,
        recipients INTEGER,
        version INTEGER NOT NULL DEFAULT 1,
        progress_chat_id INTEGER,
        progress_message_id INTEGER,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX announcements_due ON announcements (state, send_at);
    CREATE TABLE session_overrides (
        session_id TEXT PRIMARY KEY,
        start REAL NOT NULL,
        "end" REAL NOT NULL,
        room TEXT NOT NULL,
        cancelled INTEGER NOT NULL,
        author_id INTEGER,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE program_changes (
        id INTEGER PRIMARY KEY,
        author_id INTEGER,
        description TEXT NOT NULL,
        changes_json TEXT NOT NULL,
        recipients INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE admin_state (
        admin_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE pending_actions (
        id INTEGER PRIMARY KEY,
        admin_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'dropped')),
        created_at TEXT NOT NULL
    );
    """,
    # 3: feedback, and bookkeeping (e.g. when personal data was purged)
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (session_id, user_id)
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 4: questions to the panel with votes; networking profiles and contact requests
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        user_id INTEGER,
        text TEXT NOT NULL,
        show_name INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'hidden')),
        created_at TEXT NOT NULL
    );
    CREATE INDEX questions_by_session ON questions (session_id, state);
    CREATE TABLE question_votes (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        PRIMARY KEY (question_id, user_id)
    );
    CREATE TABLE profiles (
        user_id INTEGER PRIMARY KEY REFERENCES attendees(user_id),
        organization TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT '',
        topics TEXT NOT NULL DEFAULT '[]',
        complete INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE contact_requests (
        id INTEGER PRIMARY KEY,
        from_user INTEGER NOT NULL,
        to_user INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined')),
        created_at TEXT NOT NULL,
        UNIQUE (from_user, to_user)
    );
    """,
    # 5: one pending input per person (any flow, with an expiry), replacing the organizers' state;
    # the excursion's own reminder lead time
    """
    DROP TABLE admin_state;
    ALTER TABLE attendees ADD COLUMN excursion_minutes INTEGER;
    CREATE TABLE conversations (
        user_id INTEGER PRIMARY KEY,
        flow TEXT NOT NULL,
        step TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at REAL NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 6: several bot processes on one database: who claimed an outbox row, which processes
    # live, the leader's lease, and Telegram's rate budget shared by all of them
    """
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_at REAL;
    CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        heartbeat REAL NOT NULL
    );
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE TABLE rate_budget (
        key TEXT PRIMARY KEY,
        events TEXT NOT NULL,
        last_at REAL NOT NULL
    );
    CREATE INDEX rate_budget_by_age ON rate_budget (last_at)
    """,
    # 7: webhook updates, each handled once: Telegram retries, and two processes may both see one
    """
    CREATE TABLE processed_updates (
        update_id INTEGER PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('working', 'done')),
        claimed_at REAL NOT NULL,
        instance TEXT NOT NULL
    );
    CREATE INDEX processed_updates_by_age ON processed_updates (claimed_at)
    """,
    # 8: a chat change keeps what the program file said when it was made, so that a re-released
    # schedule that contradicts it is noticed (NULL: made before this was kept)
    """
    ALTER TABLE session_overrides ADD COLUMN base_start REAL;
    ALTER TABLE session_overrides ADD COLUMN base_end REAL;
    ALTER TABLE session_overrides ADD COLUMN base_room TEXT;
    ALTER TABLE session_overrides ADD COLUMN base_cancelled INTEGER
    """,
    # 9: the guest list of a conference (its registration list) with each guest's invitation code
    # and the Telegram account that opened it; failed openings, to make guessing codes impractical
    """
    CREATE TABLE guests (
        id INTEGER PRIMARY KEY,
        conference_id TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT NOT NULL DEFAULT '',
        organization TEXT NOT NULL DEFAULT '',
        reference TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL UNIQUE,
        user_id INTEGER,
        connected_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (conference_id, user_id)
    );
    CREATE INDEX guests_by_conference ON guests (conference_id, id);
    CREATE TABLE invite_attempts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX invite_attempts_by_user ON invite_attempts (user_id, at)
    """,
    # 10: a series of conferences in one bot. Everything personal belongs to one conference: a
    # conference_id on every such table (rows of a database from before belong to '' until the
    # bot adopts them for the conference of its program, at start); a session's id is unique
    # within its conference only, so the tables keyed by it are rebuilt with the conference in
    # their keys. Who takes part in which conference (participants); each attendee's choice of
    # conference; the separate consent to hear when the next conference opens (only the chat,
    # the language and the date).
    """
    ALTER TABLE registration_history ADD COLUMN conference_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE questions ADD COLUMN conference_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE announcements ADD COLUMN conference_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE program_changes ADD COLUMN conference_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN conference_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE pending_actions ADD COLUMN conference_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE attendees ADD COLUMN conference_id TEXT;
    ALTER TABLE attendees ADD COLUMN conference_chosen_at TEXT;

    CREATE TABLE registrations_9 (
        id INTEGER PRIMARY KEY,
        conference_id TEXT NOT NULL DEFAULT '',
        session_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        state TEXT NOT NULL CHECK (state IN ('confirmed', 'waitlisted', 'cancelled')),
        arrival INTEGER NOT NULL,
        switch_from TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (conference_id, session_id, user_id)
    );
    INSERT INTO registrations_9 (id, session_id, user_id, state, arrival, switch_from, created_at, updated_at)
        SELECT id, session_id, user_id, state, arrival, switch_from, created_at, updated_at FROM registrations;
    DROP TABLE registrations;
    ALTER TABLE registrations_9 RENAME TO registrations;
    /*postgresql*/ SELECT setval(pg_get_serial_sequence('registrations', 'id'),
                                 COALESCE((SELECT MAX(id) FROM registrations), 0) + 1, false);
    CREATE INDEX registrations_by_session ON registrations (conference_id, session_id, state, arrival);
    CREATE INDEX registrations_by_user ON registrations (user_id);

    CREATE TABLE bookmarks_9 (
        conference_id TEXT NOT NULL DEFAULT '',
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        session_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (conference_id, user_id, session_id)
    );
    INSERT INTO bookmarks_9 (user_id, session_id, created_at) SELECT user_id, session_id, created_at FROM bookmarks;
    DROP TABLE bookmarks;
    ALTER TABLE bookmarks_9 RENAME TO bookmarks;

    CREATE TABLE feedback_9 (
        id INTEGER PRIMARY KEY,
        conference_id TEXT NOT NULL DEFAULT '',
        session_id TEXT NOT NULL,
        user_id INTEGER,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (conference_id, session_id, user_id)
    );
    INSERT INTO feedback_9 (id, session_id, user_id, rating, comment, created_at)
        SELECT id, session_id, user_id, rating, comment, created_at FROM feedback;
    DROP TABLE feedback;
    ALTER TABLE feedback_9 RENAME TO feedback;
    /*postgresql*/ SELECT setval(pg_get_serial_sequence('feedback', 'id'),
                                 COALESCE((SELECT MAX(id) FROM feedback), 0) + 1, false);

    CREATE TABLE profiles_9 (
        conference_id TEXT NOT NULL DEFAULT '',
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        organization TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT '',
        topics TEXT NOT NULL DEFAULT '[]',
        complete INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        PRIMARY KEY (conference_id, user_id)
    );
    INSERT INTO profiles_9 (user_id, organization, role, topics, complete, created_at)
        SELECT user_id, organization, role, topics, complete, created_at FROM profiles;
    DROP TABLE profiles;
    ALTER TABLE profiles_9 RENAME TO profiles;

    CREATE TABLE contact_requests_9 (
        id INTEGER PRIMARY KEY,
        conference_id TEXT NOT NULL DEFAULT '',
        from_user INTEGER NOT NULL,
        to_user INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined')),
        created_at TEXT NOT NULL,
        UNIQUE (conference_id, from_user, to_user)
    );
    INSERT INTO contact_requests_9 (id, from_user, to_user, state, created_at)
        SELECT id, from_user, to_user, state, created_at FROM contact_requests;
    DROP TABLE contact_requests;
    ALTER TABLE contact_requests_9 RENAME TO contact_requests;
    /*postgresql*/ SELECT setval(pg_get_serial_sequence('contact_requests', 'id'),
                                 COALESCE((SELECT MAX(id) FROM contact_requests), 0) + 1, false);

    CREATE TABLE session_overrides_9 (
        conference_id TEXT NOT NULL DEFAULT '',
        session_id TEXT NOT NULL,
        start REAL NOT NULL,
        "end" REAL NOT NULL,
        room TEXT NOT NULL,
        cancelled INTEGER NOT NULL,
        author_id INTEGER,
        updated_at TEXT NOT NULL,
        base_start REAL,
        base_end REAL,
        base_room TEXT,
        base_cancelled INTEGER,
        PRIMARY KEY (conference_id, session_id)
    );
    INSERT INTO session_overrides_9 (session_id, start, "end", room, cancelled, author_id, updated_at,
                                     base_start, base_end, base_room, base_cancelled)
        SELECT session_id, start, "end", room, cancelled, author_id, updated_at,
               base_start, base_end, base_room, base_cancelled FROM session_overrides;
    DROP TABLE session_overrides;
    ALTER TABLE session_overrides_9 RENAME TO session_overrides;

    -- an erasure or a retention purge looks people up by their id in these (and a deleted
    -- attendee's foreign keys are checked): an index each, or 10,000 people take seconds
    CREATE INDEX bookmarks_by_user ON bookmarks (user_id);
    CREATE INDEX profiles_by_user ON profiles (user_id);
    CREATE INDEX registration_history_by_user ON registration_history (user_id);
    CREATE INDEX outbox_by_user ON outbox (user_id);

    CREATE TABLE participants (
        conference_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES attendees(user_id),
        first_seen TEXT NOT NULL,
        PRIMARY KEY (conference_id, user_id)
    );
    CREATE INDEX participants_by_user ON participants (user_id);
    INSERT INTO participants (conference_id, user_id, first_seen) SELECT '', user_id, first_seen FROM attendees;
    CREATE TABLE next_conference (
        chat_id INTEGER PRIMARY KEY,
        language TEXT NOT NULL,
        consented_at TEXT NOT NULL
    )
    """,
]
