"""The bot's session: who it is (getMe), and leaving the server (logOut, close)."""

from __future__ import annotations

from ..world import World


class Session:
    def __init__(self, world: World):
        self.world = world

    def methods(self) -> dict:
        return {"getMe": self.get_me, "logOut": self.accept, "close": self.accept}

    async def get_me(self, params, files) -> dict:
        return self.world.bot

    async def accept(self, params, files) -> bool:
        return True
