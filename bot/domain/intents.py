"""What a typed message asks for when it names no session: "was läuft jetzt?", "Programm",
"hilfe", "danke". People type these instead of tapping /jetzt; a search for them finds nothing
or the wrong thing. A message that still has a word of its own after the intent's words
("wo ist der Workshop Mobilität?") is a search, never an intent."""

from __future__ import annotations

from enum import Enum

from .search import STOPWORDS, words


class Intent(Enum):
    NOW = "now"
    NEXT = "next"
    PROGRAM = "program"
    VENUE = "venue"
    HELP = "help"
    THANKS = "thanks"


# Checked in this order: "was kommt als nächstes" has no "jetzt"; "was läuft jetzt" is NOW even
# though "was" alone would mean nothing. Words are normalized (ä → ae, lower case).
_INTENT_WORDS: tuple[tuple[Intent, frozenset[str]], ...] = (
    (Intent.THANKS, frozenset("danke dankeschoen vielen dank merci thanks thank thx cheers ty super prima toll".split())),
    (Intent.NEXT, frozenset("naechste naechstes naechsten danach spaeter anschliessend next later after afterwards "
                            "coming up".split())),
    (Intent.NOW, frozenset("jetzt gerade aktuell momentan now currently laeuft lauft running happening on".split())),
    (Intent.PROGRAM, frozenset("programm program programme agenda ablauf zeitplan tagesordnung schedule timetable "
                               "uebersicht overview alles everything".split())),
    (Intent.VENUE, frozenset("adresse anfahrt anreise veranstaltungsort address venue directions location wo where "
                             "hinkommen komme hin".split())),
    (Intent.HELP, frozenset("hilfe help hallo hi hey moin servus guten hello menu menue befehle commands "
                            "funktioniert works".split())),
)
_ALL_INTENT_WORDS = frozenset().union(*(vocabulary for _, vocabulary in _INTENT_WORDS))
_FILLERS = STOPWORDS | frozenset("bitte please du sie ihr you your als morgen tag abend".split())


def intent_of(text: str) -> Intent | None:
    """The intent of a message made only of intent words and fillers; None for anything else."""
    found = words(text)
    if not found or len(found) > 8:
        return None
    # One letter on its own is the rest of "what's" or "gibt's", not a word of the question.
    if any(word not in _ALL_INTENT_WORDS and word not in _FILLERS and (len(word) > 1 or word.isdigit())
           for word in found):
        return None
    present = set(found)
    for intent, vocabulary in _INTENT_WORDS:
        if present & vocabulary:
            return intent
    return None
