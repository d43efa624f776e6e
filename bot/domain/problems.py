"""What the loader and the schedule import report, as values that every language can word.

A `Message` is a text key ("problem_<code>" in bot/texts) with its values; a value may be a
Message itself (the reason an event was skipped). A `Problem` says where in the file: `where`
is a sequence of parts, each a Message ("session 'ws-a'" / "Programmpunkt 'ws-a'") or a literal
(a YAML path like "conference.venue", a file name), and the line where the parser knows it.
The chat words them in the organizer's language (texts.problem_text); `str()` gives English,
for the command line and the logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Message:
    code: str
    values: tuple[tuple[str, Union[str, int, "Message"]], ...] = ()

    @classmethod
    def of(cls, code: str, **values: Union[str, int, "Message"]) -> "Message":
        return cls(code, tuple((key, value if isinstance(value, (int, Message)) else str(value))
                               for key, value in values.items()))

    def __str__(self) -> str:
        from ..texts import message_text

        return message_text("en", self)


Where = tuple  # of Message | str parts, joined when shown


def entry(kind: str, name: str) -> Message:
    """An entry of one of the file's lists: kind "session", "announcement", "exhibitor" or
    "additions"; `name` is its id in quotes, or "#3" for the third entry."""
    return Message.of(f"where_{kind}", name=name)


FILE: Where = (Message.of("where_file"),)
YAML_SYNTAX: Where = (Message.of("where_yaml"),)


@dataclass(frozen=True)
class Problem:
    where: Where
    message: Message
    line: int | None = None

    def __str__(self) -> str:
        from ..texts import problem_text

        return problem_text("en", self)
