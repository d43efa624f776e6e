"""`python -m bot demo`: the real bot against the local sandbox, with you as an attendee in the
terminal. Type text or /commands; type a button's number to press it; `q` quits.

This module is the glue between the sandbox and the bot, so unlike the server it imports both.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from ..app import build_application, running
from ..config import Settings
from .client import SandboxClient
from .server import DEFAULT_TOKEN, SandboxServer

DEMO_USER_ID = 4242
BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def _render(output: dict, buttons: list[tuple[int, str]]) -> str:
    kind = output["kind"]
    message = output.get("message") or {}
    if kind == "answerCallbackQuery":
        return f"{DIM}  ({output['text']}){RESET}" if output.get("text") else ""
    if kind == "deleteMessage":
        return f"{DIM}  (message {output['message_id']} deleted){RESET}"
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
        buttons.clear()
        rendered_rows = []
        for row in keyboard:
            labels = []
            for button in row:
                buttons.append((message["message_id"], button.get("callback_data", "")))
                labels.append(f"[{len(buttons)}] {button['text']}")
            rendered_rows.append("   ".join(labels))
        lines.append(DIM + "\n".join(rendered_rows) + RESET)
    return "\n".join(lines)


async def _printer(client: SandboxClient, buttons: list, seen: list[int]) -> None:
    while True:
        outputs = await client.outputs(DEMO_USER_ID, after=seen[0], wait=30, settle=0.05)
        for output in outputs:
            seen[0] = max(seen[0], output["seq"])
            text = _render(output, buttons)
            if text:
                print(f"\n{BOLD}🤖 Bot:{RESET}\n{text}\n", flush=True)


async def run_demo(settings: Settings, admin: bool = False, lang: str = "de", name: str = "Alex") -> int:
    from ..startup import fetcher, load_or_explain

    program = await asyncio.to_thread(load_or_explain, settings.program_path, "the demo needs a valid program:",
                                      fetcher(settings))
    if program is None:
        return 1
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
        application = build_application(demo_settings, program)
        client = SandboxClient(server.url)
        try:
            async with running(application, poll_timeout=5):
                await client.add_user(name, lang, user_id=DEMO_USER_ID)
                svc = application.bot_data["services"]
                print(f"{BOLD}Konferenz-Bot demo{RESET} – {program.conference.name.get(lang)}")
                print(f"{DIM}Offline: the real bot talks to a local Bot API sandbox at {server.url}. "
                      f"Clock: {svc.clock.describe()}. You are {name}{' (organizer)' if admin else ''}.\n"
                      f"Type text or /commands, a number to press a button, q to quit.{RESET}")
                print(f"{DIM}Mini App (open in a browser; valid for 24 h):{RESET}\n"
                      f"{mini_app_link(demo_settings, name, lang)}\n")
                buttons: list[tuple[int, str]] = []
                seen = [0]
                printer = asyncio.create_task(_printer(client, buttons, seen))
                await client.message(DEMO_USER_ID, "/start")
                loop = asyncio.get_running_loop()
                try:
                    while True:
                        await asyncio.sleep(0.4)  # let replies print before the prompt
                        line = await loop.run_in_executor(None, _read_line)
                        if line is None or line.strip().lower() in ("q", "quit", "exit"):
                            break
                        line = line.strip()
                        if not line:
                            continue
                        if line.isdigit() and 1 <= int(line) <= len(buttons):
                            message_id, data = buttons[int(line) - 1]
                            try:
                                await client.press(DEMO_USER_ID, message_id, data)
                            except Exception as error:  # noqa: BLE001 - a vanished button is no crash
                                print(f"{DIM}(that button is gone: {error}){RESET}")
                            continue
                        await client.message(DEMO_USER_ID, line)
                finally:
                    printer.cancel()
        finally:
            await client.close()
            await server.stop()
    print("Bye!")
    return 0


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
