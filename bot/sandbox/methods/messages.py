"""Messages: sending texts, venues and locations, editing and deleting the bot's own messages,
and the chat action ("typing…")."""

from __future__ import annotations

import time
from typing import Any

from ..checks import CAPTION_LIMIT, NOT_MODIFIED, check_markup, check_text, coordinates
from ..errors import bad
from ..world import Chat, World


def send(world: World, chat: Chat, method: str, params: dict, **content) -> dict:
    """Post the bot's message with its inline keyboard, if any (a reply keyboard is accepted
    and not shown: the sandbox's users tap inline buttons only)."""
    markup = check_markup(params, web_app_allowed=chat.type == "private")
    if markup is not None and "inline_keyboard" in markup:
        content["reply_markup"] = markup
    return world.post_by_bot(chat, method, **content)


class Messages:
    def __init__(self, world: World):
        self.world = world

    def methods(self) -> dict:
        return {"sendMessage": self.send_message, "sendVenue": self.send_venue, "sendLocation": self.send_location,
                "editMessageText": self.edit_text, "editMessageReplyMarkup": self.edit_reply_markup,
                "editMessageCaption": self.edit_caption, "deleteMessage": self.delete,
                "sendChatAction": self.send_chat_action}

    async def send_message(self, params, files) -> dict:
        chat = self.world.chat_for_bot(params.get("chat_id"))
        text, entities = check_text(params)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return send(self.world, chat, "sendMessage", params, **content)

    async def send_venue(self, params, files) -> dict:
        chat = self.world.chat_for_bot(params.get("chat_id"))
        lat, lon = coordinates(params)
        title, address = params.get("title"), params.get("address")
        if not title or not address:
            raise bad("venue title and address must be non-empty")
        venue = {"location": {"latitude": lat, "longitude": lon}, "title": title, "address": address}
        return send(self.world, chat, "sendVenue", params, venue=venue, location=venue["location"])

    async def send_location(self, params, files) -> dict:
        chat = self.world.chat_for_bot(params.get("chat_id"))
        lat, lon = coordinates(params)
        return send(self.world, chat, "sendLocation", params, location={"latitude": lat, "longitude": lon})

    async def edit_text(self, params, files) -> dict:
        chat, message = self._own_message(params)
        if "text" not in message:
            raise bad("there is no text in the message to edit")
        text, entities = check_text(params)
        markup = check_markup(params, web_app_allowed=chat.type == "private")
        if text == message.get("text") and entities == message.get("entities", []) \
                and markup == message.get("reply_markup"):
            raise bad(NOT_MODIFIED)
        message["text"] = text
        message["entities"] = entities
        if not entities:
            message.pop("entities")
        return self._edited(chat, message, markup, "editMessageText")

    async def edit_reply_markup(self, params, files) -> dict:
        chat, message = self._own_message(params)
        markup = check_markup(params, web_app_allowed=chat.type == "private")
        if markup == message.get("reply_markup"):
            raise bad(NOT_MODIFIED)
        return self._edited(chat, message, markup, "editMessageReplyMarkup")

    async def edit_caption(self, params, files) -> dict:
        chat, message = self._own_message(params)
        caption, entities = check_text(params, "caption", limit=CAPTION_LIMIT, required=False)
        message["caption"] = caption
        _replace_markup(message, check_markup(params, web_app_allowed=chat.type == "private"))
        self.world.record("editMessageCaption", chat.id, message_id=message["message_id"], message=dict(message))
        return message

    async def delete(self, params, files) -> bool:
        chat = self.world.chat_for_bot(params.get("chat_id"))
        message = chat.messages.pop(params.get("message_id"), None)
        if message is None:
            raise bad("message to delete not found")
        self.world.record("deleteMessage", chat.id, message_id=message["message_id"])
        return True

    async def send_chat_action(self, params, files) -> bool:
        self.world.chat_for_bot(params.get("chat_id"))
        return True

    def _own_message(self, params: dict) -> tuple[Chat, dict]:
        """The bot's message to edit: a bot can edit only its own."""
        if "inline_message_id" in params:
            raise bad("the sandbox has no inline messages")
        chat = self.world.chat_for_bot(params.get("chat_id"))
        message = chat.messages.get(params.get("message_id"))
        if message is None:
            raise bad("message to edit not found")
        if message["from"]["id"] != self.world.bot["id"]:
            raise bad("message can't be edited")
        return chat, message

    def _edited(self, chat: Chat, message: dict, markup: dict | None, method: str) -> dict:
        _replace_markup(message, markup)
        message["edit_date"] = int(time.time())
        self.world.record(method, chat.id, message_id=message["message_id"], message=dict(message))
        return message


def _replace_markup(message: dict, markup: dict | None) -> None:
    if markup and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
