"""Free-text search over the program: case, umlaut spelling and small typos don't matter."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from functools import lru_cache

from .program import Kind, Program, Session

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")

# Question words and fillers that say nothing about which session is meant.
STOPWORDS = frozenset(
    """
    wann wo wer was wie welche welcher welches ist sind findet statt gibt es der die das den dem des
    ein eine einen einem einer zum zur und oder im in am an auf um mit von bei fuer ich mich mir wir
    bitte mal heute jetzt gerade noch kann koennen zeig zeige sag sage info infos raum uhr zu
    beginnt beginn anfang endet ende los geht hat haben
    aus vor nach bis ab sich man da dann hier dort auch nur schon so etwas gibts kommt kommen mein meine
    uns naechste naechsten
    when where who what which is are the a an of to for at on in and or please show me tell about
    does do starts start room time info can could there here it my we any some next
    """.split()
)
FUZZY_THRESHOLD = 0.8

# Everyday words people use for a kind of session, though no title says them: "wann gibt es
# Essen?" means the lunch break. Per session, program.yaml can add more (`keywords`).
KIND_WORDS: dict[Kind, tuple[str, ...]] = {
    Kind.BREAK: ("Pause", "Mittagessen", "Mittag", "Essen", "Imbiss", "Kaffee", "Kaffeepause", "Snack",
                 "break", "lunch", "coffee", "food", "meal", "eat"),
    Kind.EXCURSION: ("Exkursion", "Ausflug", "Bus", "Abfahrt", "Besichtigung", "excursion", "trip", "tour"),
    Kind.NETWORKING: ("Networking", "Get-together", "Abend", "Ausklang", "Empfang", "Getränke", "drinks", "reception"),
    Kind.WORKSHOP: ("Workshop", "Workshops", "Arbeitsgruppe"),
    Kind.PANEL: ("Podium", "Podiumsdiskussion", "Diskussion", "panel", "discussion"),
    # Not "Stand": it is one letter from "Stadt"; "stand" still finds "Stände" by its spelling.
    Kind.EXHIBITION: ("Markt", "Stände", "Ausstellung", "stands", "exhibition", "marketplace"),
    Kind.PLENARY: ("Plenum", "plenary"),
    Kind.TALK: ("Vortrag", "Impuls", "talk", "keynote"),
}


def session_words(session: Session) -> frozenset[str]:
    """The words a session is found by: its texts, its keywords and its kind's everyday words."""
    texts = (*session.search_texts(), *KIND_WORDS.get(session.kind, ()))
    return frozenset(w for text in texts for w in words(text))


def normalize(text: str) -> str:
    """Lower-case, umlauts spelled out (ü → ue), other accents dropped."""
    text = text.casefold().translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def query_terms(query: str) -> list[str]:
    # A number counts however short: "raum 2" means Seminarraum 2 (matched as a whole word only).
    terms = [w for w in words(query) if w not in STOPWORDS and (len(w) >= 2 or w.isdigit())]
    return terms


@dataclass(frozen=True)
class Hit:
    session: Session
    score: float


@lru_cache(maxsize=4096)
def _similar(term: str, word: str) -> float:
    if word == term:
        return 1.0
    if len(term) >= 3 and (word.startswith(term) or (len(term) >= 4 and term in word)):
        return 0.95
    if len(term) < 4:
        return 0.0
    # Compare against the word's prefix too, so "podiumsdiskusion" finds "podiumsdiskussion".
    ratio = SequenceMatcher(None, term, word).ratio()
    prefix = SequenceMatcher(None, term, word[: len(term) + 1]).ratio() if len(word) > len(term) else 0.0
    return max(ratio, prefix)


def _term_score(term: str, session_words: frozenset[str]) -> float:
    return max((_similar(term, word) for word in session_words), default=0.0)


def rooms_named(program: Program, query: str) -> set[str]:
    """The rooms a query names in full: "Raum B" or "Hall A" is a room though the search terms
    leave neither word ("raum" is a filler, a single letter too short)."""
    said = words(query)
    named = set()
    for room in {session.room for session in program.sessions if session.room}:
        room_words = words(room)
        size = len(room_words)
        if size and any(said[index:index + size] == room_words for index in range(len(said) - size + 1)):
            named.add(room)
    return named


def search(program: Program, query: str, limit: int = 8) -> list[Hit]:
    terms = query_terms(query)
    rooms = rooms_named(program, query)
    if not terms and not rooms:
        return []
    worded = bool(rooms) or any(not term.isdigit() for term in terms)
    candidates = []
    for session in program.sessions:
        found_by = session_words(session)
        matched = {term: score for term in terms if (score := _term_score(term, found_by)) >= FUZZY_THRESHOLD}
        if session.room in rooms:  # the room as a whole counts as one more word matched
            matched["\0room"] = 1.0
        # A number alone says which one only beside a word: "raum 2", "Workshop 1"; the "1" in
        # "bin um 1 Uhr da" or in pasted code is no answer.
        if matched and not (worded and all(term.isdigit() for term in matched)):
            candidates.append((len(matched), Hit(session, sum(matched.values()) / (len(terms) + bool(rooms)))))
    if not candidates:
        return []
    # Only the sessions that match the most words of the question: "workshop zwilling"
    # should not list every workshop.
    most = max(count for count, _ in candidates)
    hits = [hit for count, hit in candidates if count == most]
    hits.sort(key=lambda hit: (-hit.score, hit.session.start))
    return hits[:limit]


def search_exhibitors(program: Program, query: str, limit: int = 8) -> list:
    """Stands of the Markt der Möglichkeiten whose name, place or topic match every word."""
    terms = query_terms(query)
    if not terms:
        return []
    hits = []
    for exhibitor in program.exhibitors:
        exhibitor_words = frozenset(w for text in exhibitor.search_texts() for w in words(text))
        scores = [_term_score(term, exhibitor_words) for term in terms]
        if min(scores) >= FUZZY_THRESHOLD:
            hits.append((sum(scores) / len(scores), exhibitor))
    hits.sort(key=lambda pair: -pair[0])
    return [exhibitor for _, exhibitor in hits[:limit]]


def sessions_for_inline(program: Program, query: str, now: datetime) -> list[Session]:
    """What "@bot <query>" lists: every session the search finds, best first; for a query that
    names nothing (empty, or only words like "wann"), what is on now and everything after it,
    or the whole program once the conference is over."""
    if query_terms(query) or rooms_named(program, query):
        return [hit.session for hit in search(program, query, limit=len(program.sessions))]
    still_to_come = [s for s in program.active_sessions() if s.end > now]
    return sorted(still_to_come, key=lambda s: s.start) if still_to_come else list(program.sessions)
