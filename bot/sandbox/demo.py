"""`python -m bot demo`: the real bot against the local sandbox, with you as an attendee in the
terminal. Type text or /commands; type a button's number to press it ("2.1": message 2, button
1; a bare "1" is the newest message's); `q` quits.
Inline mode as in any Telegram chat: `@ podium` lists what "@bot podium" would offer, `@1`
posts the first result as a card (into your chat with the bot), `@+` shows more results; the
card's link button opens the session in the bot like a t.me link.

This module is the glue between the sandbox and the bot, so unlike the server it imports both.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ..app import build_application, running
from ..config import Settings
from .client import SandboxClient, SandboxError
from .server import DEFAULT_TOKEN, SandboxServer

DEMO_USER_ID = 4242
BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


Button = tuple[int, str, str | None]  # message id, callback data, URL (link buttons; WEB_APP + URL: a Mini App)
WEB_APP = "web_app:"
BUTTON_NUMBER = re.compile(r"^(\d+)\.(\d+)$")


@dataclass
class Keyboards:
    """The buttons of the messages shown, numbered so that a number stays bound to what it was
    shown on: each message with buttons gets a number of its own (an edit keeps it), and "2.1"
    is button 1 of message 2, whatever arrives later. A bare "1" means button 1 of the newest
    message, but only if that message was on screen when the prompt appeared: a message that
    arrives while someone types must not turn their "1" into another button."""

    buttons: dict[int, list[Button]] = field(default_factory=dict)  # message number → its buttons
    numbers: dict[int, int] = field(default_factory=dict)  # Telegram message id → message number
    shown: dict[int, int] = field(default_factory=dict)  # message number → when its buttons were (re)shown
    clock: int = 0  # counts keyboards shown

    def show(self, message_id: int, buttons: list[Button]) -> int:
        number = self.numbers.setdefault(message_id, len(self.numbers) + 1)
        self.clock += 1
        self.buttons[number], self.shown[number] = buttons, self.clock
        return number

    def drop(self, message_id: int) -> int | None:
        """A message deleted, or edited to carry no buttons: its numbers press nothing any more.
        Returns its number, if it had one."""
        number = self.numbers.get(message_id)
        if number is not None:
            self.buttons.pop(number, None)
            self.clock += 1
            self.shown[number] = self.clock
        return number

    def newest(self) -> int | None:
        return max(self.buttons, key=lambda number: self.shown[number], default=None)

    def press(self, typed: str, seen: int) -> Button | str | None:
        """The button `typed` names, as the screen showed at moment `seen` (the prompt); a
        sentence saying why not; or None when `typed` is no button number (then it is text)."""
        match = BUTTON_NUMBER.match(typed)
        if match:
            number, index = int(match.group(1)), int(match.group(2))
            if self.shown.get(number, 0) > seen:
                return f"message {number} changed while you typed; look at it again and choose anew"
            buttons = self.buttons.get(number)
            if not buttons or not 1 <= index <= len(buttons):
                return f"there is no button {typed}"
            return buttons[index - 1]
        if not typed.isdigit():
            return None
        newest = self.newest()
        if newest is None or not 1 <= int(typed) <= len(self.buttons[newest]):
            return None
        if self.shown[newest] > seen:
            earlier = [n for n in self.buttons if self.shown[n] <= seen]
            meant = f", or {max(earlier, key=lambda n: self.shown[n])}.{typed} for the one you saw" if earlier else ""
            return f"a new message arrived while you typed: type {newest}.{typed} for its button{meant}"
        return self.buttons[newest][int(typed) - 1]


def _render(output: dict, keyboards: Keyboards) -> str:
    kind = output["kind"]
    message = output.get("message") or {}
    if kind == "answerCallbackQuery":
        return f"{DIM}  ({output['text']}){RESET}" if output.get("text") else ""
    if kind == "deleteMessage":
        number = keyboards.drop(output["message_id"])
        return f"{DIM}  (message {number} deleted){RESET}" if number else f"{DIM}  (a message was deleted){RESET}"
    lines = []
    prefix = "✎ " if kind.startswith("edit") else ""
    if "venue" in message:
        venue = message["venue"]
        location = venue["location"]
        lines.append(f"📍 {BOLD}{venue['title']}{RESET}\n   {venue['address']}\n   "
                     f"https://www.openstreetmap.org/?mlat={location['latitude']}&mlon={location['longitude']}")
    elif "location" in message:
        lines.append(f"📍 {message['location']['latitude']}, {message['location']['longitude']}")
    if "document" in message:
        document = message["document"]
        lines.append(f"📄 {document['file_name']} ({document['file_size']} bytes)")
    if message.get("text"):
        lines.append(prefix + message["text"])
    if message.get("caption"):
        lines.append(message["caption"])
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    if keyboard:
        buttons: list[Button] = []
        labels_by_row = []
        for row in keyboard:
            labels = []
            for button in row:
                url = button.get("url") or (WEB_APP + button["web_app"]["url"] if "web_app" in button else None)
                buttons.append((message["message_id"], button.get("callback_data", ""), url))
                labels.append((len(buttons), button["text"] + (" ↗" if url else "")))
            labels_by_row.append(labels)
        number = keyboards.show(message["message_id"], buttons)
        lines.append(DIM + "\n".join("   ".join(f"[{number}.{index}] {text}" for index, text in row)
                                     for row in labels_by_row) + RESET)
    elif "message_id" in message and kind.startswith("edit"):
        keyboards.drop(message["message_id"])
    return "\n".join(lines)


async def _printer(client: SandboxClient, keyboards: Keyboards, seen: list[int]) -> None:
    while True:
        outputs = await client.outputs(DEMO_USER_ID, after=seen[0], wait=30, settle=0.05)
        for output in outputs:
            seen[0] = max(seen[0], output["seq"])
            text = _render(output, keyboards)
            if text:
                print(f"\n{BOLD}🤖 Bot:{RESET}\n{text}\n", flush=True)


EXAMPLE_NEXT = Path(__file__).resolve().parent.parent.parent / "examples" / "naechste-konferenz.yaml"


def demo_programs(program_path: Path) -> str:
    """The shipped program runs beside a clearly marked example of a next conference, so that a
    newcomer sees the series (the switch, the archive); any other program runs as it is."""
    if program_path == Path("program.yaml") and EXAMPLE_NEXT.exists():
        return f"{program_path},{EXAMPLE_NEXT}"
    return str(program_path)


async def run_demo(settings: Settings, admin: bool = False, lang: str = "de", name: str = "Alex") -> int:
    from ..domain.series import default_conference
    from ..startup import fetcher, load_or_explain

    programs = await asyncio.to_thread(load_or_explain, demo_programs(settings.program_path),
                                       "the demo needs a valid program:", fetcher(settings))
    if programs is None:
        return 1
    # the conference a newcomer lands in, as it is before its first session
    program = default_conference([p for _, p in programs], min(p.conference.start for _, p in programs))
    server = await SandboxServer().start()
    with tempfile.TemporaryDirectory(prefix="konferenz-demo-") as scratch:
        database = settings.database_path if os.environ.get("BOT_DATABASE") or settings.database_path != Path("data/bot.sqlite3") \
            else Path(scratch) / "demo.sqlite3"
        # Without a rehearsal clock the demo would show a conference long past: start shortly
        # before the first session instead, at normal speed, unless told otherwise.
        clock_start = settings.clock_start or (program.conference.start - timedelta(minutes=10)).isoformat()
        web_port = settings.web_listen[1] if settings.web_listen else _free_port()
        demo_settings = settings.with_overrides(
            token=DEFAULT_TOKEN, api_url=server.api_url, database_path=database,
            admins=frozenset({DEMO_USER_ID}) if admin else frozenset(), clock_start=clock_start,
            web_listen=("127.0.0.1", web_port), web_url=f"http://127.0.0.1:{web_port}/app/",
        )
        application = build_application(demo_settings, programs)
        client = SandboxClient(server.url)
        try:
            async with running(application, poll_timeout=5):
                await client.add_user(name, lang, user_id=DEMO_USER_ID)
                svc = application.bot_data["services"]
                print(f"{BOLD}Konferenz-Bot demo{RESET} – {program.conference.name.get(lang)}")
                print(f"{DIM}Offline: the real bot talks to a local Bot API sandbox at {server.url}. "
                      f"Clock: {svc.clock.describe()}. You are {name}{' (organizer)' if admin else ''}.\n"
                      f"Type text or /commands, a button's number to press it ([2.1]: type 2.1, or just 1 for the "
                      f"newest message's), @ podium for inline mode, q to quit.{RESET}")
                web_link = mini_app_link(demo_settings, name, lang)
                print(f"{DIM}Mini App (open in a browser; valid for 24 h):{RESET}\n{web_link}\n")
                keyboards = Keyboards()
                inline = InlineState()
                seen = [0]
                printer = asyncio.create_task(_printer(client, keyboards, seen))
                await client.message(DEMO_USER_ID, "/start")
                loop = asyncio.get_running_loop()
                try:
                    while True:
                        await asyncio.sleep(0.4)  # let replies print before the prompt
                        on_screen = keyboards.clock  # what the person sees as they start typing
                        line = await loop.run_in_executor(None, _read_line)
                        if line is None or line.strip().lower() in ("q", "quit", "exit"):
                            break
                        line = line.strip()
                        if not line:
                            continue
                        pressed = keyboards.press(line, on_screen)
                        if isinstance(pressed, str):
                            print(f"{DIM}({pressed}){RESET}", flush=True)
                            continue
                        if pressed is not None:
                            await _press(client, pressed, web_link)
                            continue
                        if line.startswith("@"):
                            await _inline(client, inline, line[1:].strip(), keyboards)
                            continue
                        await client.message(DEMO_USER_ID, line)
                finally:
                    printer.cancel()
        finally:
            await client.close()
            await server.stop()
    print("Bye!")
    return 0


async def _press(client: SandboxClient, button: Button, web_link: str) -> None:
    message_id, data, url = button
    try:
        if url and url.startswith(WEB_APP):  # Telegram would open the page inside the chat
            print(f"{DIM}(Telegram opens the Mini App here; in a browser:){RESET}\n{web_link}\n", flush=True)
        elif url:  # a link button: Telegram opens t.me links to the bot as "/start <parameter>"
            await client.open_link(DEMO_USER_ID, url)
        else:
            await client.press(DEMO_USER_ID, message_id, data)
    except Exception as error:  # noqa: BLE001 - a vanished button or a foreign link is no crash
        print(f"{DIM}(that button does nothing here: {error}){RESET}")


@dataclass
class InlineState:
    """The last inline query the demo user typed, to choose from or page through."""

    query: str = ""
    results: list[tuple[str, dict]] = field(default_factory=list)  # (inline query id, result), all pages
    next_offset: str = ""


async def _inline(client: SandboxClient, state: InlineState, typed: str, keyboards: Keyboards) -> None:
    """`@ query` asks, `@+` pages on, `@<n>` posts result n as a card via the bot."""
    try:
        if typed.isdigit():
            await _choose(client, state, int(typed), keyboards)
            return
        if typed == "+":
            if not state.next_offset:
                print(f"{DIM}(no more results){RESET}")
                return
            answer = await client.inline_query(DEMO_USER_ID, state.query, offset=state.next_offset)
        else:
            answer = await client.inline_query(DEMO_USER_ID, typed)
            state.query, state.results = typed, []
    except SandboxError as error:
        print(f"{DIM}(inline query failed: {error}){RESET}")
        return
    first = len(state.results)
    state.next_offset = answer["next_offset"]
    state.results += [(answer["inline_query_id"], result) for result in answer["results"]]
    lines = [f"{BOLD}🔎 @bot {state.query}{RESET}"]
    lines += [f"[@{first + index + 1}] {r['title']}\n     {DIM}{r.get('description', '')}{RESET}"
              for index, r in enumerate(answer["results"])]
    if answer.get("button"):
        lines.append(f"{DIM}(no results; the button above them: „{answer['button']['text']}“){RESET}")
    if state.next_offset:
        lines.append(f"{DIM}@+ shows more{RESET}")
    print("\n".join(lines) + "\n", flush=True)


async def _choose(client: SandboxClient, state: InlineState, number: int, keyboards: Keyboards) -> None:
    if not 1 <= number <= len(state.results):
        print(f"{DIM}(no result @{number}; ask first, e.g. @ podium){RESET}")
        return
    # Each page is the answer to a query of its own: the result is chosen from the one it came in.
    query_id, chosen = state.results[number - 1]
    try:
        message = await client.choose_inline_result(DEMO_USER_ID, query_id, chosen["id"], DEMO_USER_ID)
    except SandboxError as error:
        print(f"{DIM}(could not post it: {error}){RESET}")
        return
    print(f"{BOLD}🙋 You, via @bot:{RESET}\n{_render({'kind': 'message', 'message': message}, keyboards)}\n", flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mini_app_link(settings: Settings, name: str, lang: str) -> str:
    """The Mini App as Telegram would open it for the demo user: with initData signed by the
    sandbox's token, so the page works in an ordinary browser."""
    from ..web.initdata import launch_url, sign

    user = {"id": DEMO_USER_ID, "first_name": name, "language_code": lang}
    return launch_url(settings.web_url or "", sign(settings.token, user, int(time.time())))


def _read_line() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None
