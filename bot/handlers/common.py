"""Small helpers every handler module uses: who is asking, in which language, how to answer."""

from __future__ import annotations

import contextvars
import json
import logging
from dataclasses import dataclass
from functools import wraps

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from ..usecases import conferences
from ..storage import AttendeeInfo
from ..texts import html_to_plain, pick_language, plain as plain_text, t
from .context import BotContext

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096


@dataclass(frozen=True)
class Asker:
    user_id: int
    chat_id: int
    lang: str
    is_admin: bool  # organizes the conference they are in
    conference_id: str = ""  # the conference they are in, in scope for the rest of the update


async def asker(update: Update, context: BotContext) -> Asker:
    """Record the attendee (name, language, last seen), put their conference in scope for the
    rest of the update (bot/scope.py), and return who asks and in which language."""
    svc = context.services
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    arrival = await conferences.arrive(svc, AttendeeInfo(
        user.id, chat.id if chat else user.id, user.first_name or "", user.last_name or "", user.username,
        user.language_code))
    attendee, conference_id = arrival.attendee, arrival.conference_id
    lang = pick_language(attendee.language if attendee else None, user.language_code)
    if arrival.lapsed is not None and chat is not None and chat.type == "private":  # said once, before the answer
        await send(update, context, t(lang, "conference_lapsed", old=arrival.lapsed.conference.name.get(lang),
                                      new=svc.program.current.conference.name.get(lang)))
    return Asker(user.id, chat.id if chat else user.id, lang, svc.is_admin(user.id), conference_id)


def arrival(update: Update, context: BotContext) -> int:
    return context.application.update_processor.arrival_of(update)  # type: ignore[attr-defined]


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    """Inline buttons from rows made by the payloads in `buttons` (the one place button data is made)."""
    built = [list(row) for row in rows if row]
    return InlineKeyboardMarkup(built) if built else None


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units; the HTML source is never shorter than its plain text."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at line breaks so that no part exceeds Telegram's limit (tags never span lines here)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while telegram_length(line) > limit:  # a single over-long line: cut it, never inside a tag or entity
            if current:
                parts.append(current)
                current = ""
            cut = limit // 2
            for marker in ("<", "&"):
                opened = line.rfind(marker, 0, cut)
                if opened > line.rfind(">" if marker == "<" else ";", 0, cut):
                    cut = min(cut, opened) or cut
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if telegram_length(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


async def send(update: Update, context: BotContext, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat the update came from; long texts go out in parts, buttons on the last."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None and user is None:
        return
    chat_id = chat.id if chat is not None else user.id  # a button without its message: answer privately
    parts = split_message(text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        # The sent message is not turned into a telegram.Message: nobody reads it, and building
        # one costs as much as parsing the update (a tenth of the event loop's time in bench/signup.py).
        # Bot._post, which every Bot method ends in (rate limiter included), rather than
        # do_api_request, which warns on every call that a method exists (3 % of the CPU).
        await context.bot._post("sendMessage", {  # noqa: SLF001 - python-telegram-bot is pinned to 22
            "chat_id": chat_id, "text": part, "parse_mode": ParseMode.HTML,
            **({"reply_markup": markup_json(markup)} if markup is not None and last else {})})


# What a button holds besides its label and its data: a button that uses any of it is serialized
# by python-telegram-bot (markup_json).
_BUTTON_EXTRAS = tuple(sorted(set(InlineKeyboardButton.__slots__) - {"text", "callback_data"}))


def markup_json(markup: InlineKeyboardMarkup) -> str:
    """The keyboard as the JSON that Telegram reads. Buttons with a label and data only (nearly
    all) directly: python-telegram-bot's generic to_dict was 3 % of the CPU of 5,000 sign-ups."""
    rows = []
    for row in markup.inline_keyboard:
        buttons = []
        for button in row:
            if button.callback_data is None or button.api_kwargs or any(getattr(button, extra) is not None
                                                                        for extra in _BUTTON_EXTRAS):
                return json.dumps(markup.to_dict())
            buttons.append({"text": button.text, "callback_data": button.callback_data})
        rows.append(buttons)
    return json.dumps({"inline_keyboard": rows})


def shows_already(message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Would editing `message` to this text and markup change nothing? Telegram refuses such an
    edit ("message is not modified"), so a second tap on the same button must not send it."""
    plain_text = html_to_plain(text)
    current_markup = message.reply_markup.to_dict() if getattr(message, "reply_markup", None) else None
    return message.text == plain_text and current_markup == (markup.to_dict() if markup else None)


async def show(update: Update, context: BotContext, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the tapped message when a button was pressed (navigation), else send a new one."""
    query = update.callback_query
    if query is not None and query.message is not None and telegram_length(text) <= MAX_MESSAGE \
            and getattr(query.message, "text", None) is not None:
        if shows_already(query.message, text, markup):
            return
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            log.info("could not edit message, sending a new one: %s", error)
    await send(update, context, text, markup)


_answered: contextvars.ContextVar[bool] = contextvars.ContextVar("button_answered", default=False)


def answering() -> None:
    """A tap arrived: it has not been answered yet (each update runs in its own task)."""
    _answered.set(False)


def answered() -> bool:
    return _answered.get()


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Stop the button's spinner, with a short note if given; at most once per tap, and an
    expired query is not an error."""
    from ..texts import shorten

    query = update.callback_query
    if query is None or _answered.get():
        return
    _answered.set(True)
    try:
        await query.answer(shorten(text, 200) if text else None, show_alert=alert)
    except BadRequest as error:
        log.info("callback answer failed: %s", error)
    except Forbidden:
        pass


def organizers_only(handler):
    """Everyone else gets one polite sentence; the attempt is logged, nothing else happens."""
    @wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        who = await asker(update, context)
        if not who.is_admin:
            log.warning("refused organizer function %s for user %s", handler.__name__, who.user_id)
            if update.callback_query is not None:
                await answer(update, plain_text(who.lang, "admin_only"), alert=True)
            else:
                await send(update, context, t(who.lang, "admin_only"))
            return
        await handler(update, context, who)
    return guarded


def web_app_button(lang: str, url: str) -> InlineKeyboardButton:
    """The button that opens the Mini App (BOT_WEB_URL): no callback data, Telegram opens the page."""
    return InlineKeyboardButton(plain_text(lang, "web_open_app"), web_app=WebAppInfo(url))


def web_app_rows(update: Update, context: BotContext, lang: str) -> list[list[InlineKeyboardButton]]:
    """A row with the Mini App's button when BOT_WEB_URL is set; Telegram allows it only in
    private chats, so elsewhere (and without the setting) nothing changes."""
    url = context.services.settings.web_url
    chat = update.effective_chat
    if not url or chat is None or chat.type != "private":
        return []
    return [[web_app_button(lang, url)]]


async def set_chat_commands(bot, chat_id: int, lang: str) -> None:
    """The command menu of one chat in the language its person chose with /language (the menus
    registered at start follow Telegram's language, which may be another)."""
    from telegram import BotCommand, BotCommandScopeChat

    from ..texts import commands

    try:
        await bot.set_my_commands([BotCommand(c, d) for c, d in commands(lang)], scope=BotCommandScopeChat(chat_id))
    except Exception as error:  # noqa: BLE001 - the menu is a convenience; typed commands work in both languages
        log.warning("could not set the command menu of a chat: %s", error)


async def set_menu_button(bot, web_url: str | None, lang: str, chat_id: int | None = None) -> None:
    """The chat's menu button opens the Mini App, labelled in `lang`: for every chat (at start, in
    German) or for one chat (an attendee who reads English). Without BOT_WEB_URL, nothing."""
    if not web_url:
        return
    from telegram import MenuButtonWebApp, WebAppInfo

    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonWebApp(plain_text(lang, "web_title"),
                                                                                      WebAppInfo(web_url)))
    except Exception as error:  # noqa: BLE001 - the button is a convenience; /programm links the page too
        log.warning("could not set the Mini App menu button: %s", error)
