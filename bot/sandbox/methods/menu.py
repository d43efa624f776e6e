"""The bot's menu: its command lists per scope and language (setMyCommands and kin) and the menu button
per private chat and for everyone (setChatMenuButton, getChatMenuButton). Web App URLs must be
HTTPS; plain http is accepted for loopback hosts only, as Telegram's test environment allows."""

from __future__ import annotations

import re

from ..checks import check_web_app_url
from ..errors import bad
from ..spec import check_fields
from ..world import World

COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_COMMANDS = 100
MENU_TYPES = {"commands": "MenuButtonCommands", "default": "MenuButtonDefault", "web_app": "MenuButtonWebApp"}
# BotCommandScope types and the fields each needs
COMMAND_SCOPES = {"default": (), "all_private_chats": (), "all_group_chats": (), "all_chat_administrators": (),
                  "chat": ("chat_id",), "chat_administrators": ("chat_id",), "chat_member": ("chat_id", "user_id")}


class Menu:
    def __init__(self, world: World):
        self.world = world
        self.commands: dict[str, list] = {}  # scope and language code ("" for all) -> commands
        self.menu_buttons: dict[int | None, dict] = {}  # None: the default for all private chats

    def methods(self) -> dict:
        return {"setMyCommands": self.set_commands, "getMyCommands": self.get_commands,
                "deleteMyCommands": self.delete_commands, "setChatMenuButton": self.set_menu_button,
                "getChatMenuButton": self.get_menu_button}

    async def set_commands(self, params, files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
            raise bad("commands must be a list of at most 100 commands")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND.match(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = commands
        return True

    async def get_commands(self, params, files) -> list:
        return self.commands.get(self._commands_key(params), [])

    async def delete_commands(self, params, files) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: dict) -> str:
        """Where a command list is kept: its language ("" for all) in the default scope, else
        "<scope>:<chat>:<language>" (e.g. "chat:42:"); a scope Telegram would refuse is refused."""
        language = _language(params)
        scope = params.get("scope")
        if scope is None:
            return language
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise bad("can't parse BotCommandScope JSON object")
        needed = COMMAND_SCOPES[scope["type"]]
        if scope["type"] == "default":
            return language
        if any(scope.get(field) is None for field in needed):
            raise bad("can't parse BotCommandScope JSON object")
        if "chat_id" in needed:
            self.world.chat_for_bot(scope["chat_id"])  # "chat not found" for a chat the bot does not know
        return ":".join([scope["type"], *(str(scope.get(field)) for field in needed), language])

    async def set_menu_button(self, params, files) -> bool:
        chat_id = self._menu_chat(params)
        button = params.get("menu_button", {"type": "default"})
        _check_menu_button(button)
        if button["type"] == "default":
            self.menu_buttons.pop(chat_id, None)  # back to what applies when nothing is set
        else:
            self.menu_buttons[chat_id] = button
        return True

    async def get_menu_button(self, params, files) -> dict:
        chat_id = self._menu_chat(params)
        # A chat without its own button reports "default" (the bot-wide one applies there);
        # the bot-wide button is the command list until one is set.
        return self.menu_buttons.get(chat_id, {"type": "default" if chat_id is not None else "commands"})

    def effective_menu_button(self, chat_id: int) -> dict:
        """What the user of a private chat sees: the chat's own button, else the bot-wide one."""
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    def _menu_chat(self, params: dict) -> int | None:
        if params.get("chat_id") is None:
            return None
        chat = self.world.chat_for_bot(params.get("chat_id"))
        if chat.type != "private":
            raise bad("menu buttons can be set only for private chats")
        return chat.id


def _language(params: dict) -> str:
    return str(params.get("language_code") or "")


def _check_menu_button(button: object) -> None:
    if not isinstance(button, dict) or button.get("type") not in MENU_TYPES:
        raise bad("can't parse menu button: type must be commands, default or web_app")
    check_fields(button, MENU_TYPES[button["type"]], "menu button")
    if button["type"] == "web_app":
        if not button["text"].strip():
            raise bad("menu button: the text must not be empty")
        check_fields(button["web_app"], "WebAppInfo", "menu button's web_app")
        check_web_app_url(button["web_app"]["url"], "menu button")
