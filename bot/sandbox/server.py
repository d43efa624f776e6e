"""A local stand-in for the Telegram Bot API, strict where Telegram is strict.

The unmodified bot talks to it through BOT_API_URL (http://HOST:PORT/bot). It is composed of
parts, each in its own module:

- world.py: what Telegram knows: users, chats, messages, the update queue, the outputs;
- api.py: the Bot API endpoint: token, method table, parameter checks (checks.py, spec.py),
  latency, faults and flood limits (conditions.py), dispatch to the method groups in methods/
  (messages, files, callbacks, menu and commands, updates and webhooks, the session);
- inline_mode.py: inline queries and their answers; webhook.py: the delivery by webhook;
- control.py: the control API under /sandbox/ to act as users and read what the bot did.

It imports nothing from the bot, so it cannot share the bot's mistakes.
"""

from __future__ import annotations

import asyncio
import gc

from aiohttp import web

from .api import BotApi, method_table
from .control import ControlApi
from .inline_mode import InlineMode
from .methods.callbacks import Callbacks
from .methods.files import FileMessages
from .methods.menu import Menu
from .methods.messages import Messages
from .methods.session import Session
from .methods.updates import Updates
from .webhook import Delivery
from .world import World, bot_profile

DEFAULT_TOKEN = "123456789:SANDBOX-token-for-local-tests"
SHUTDOWN_TIMEOUT = 0.5  # seconds a request may still take when the server stops


class _Part:
    """An attribute of one of the sandbox's parts, also reachable on the sandbox itself: tests
    and benchmarks read and act through `sandbox.outputs`, `sandbox.add_user(...)` and the like."""

    def __init__(self, part: str, name: str):
        self.part, self.name = part, name

    def __get__(self, sandbox, owner=None):
        if sandbox is None:
            return self
        return getattr(getattr(sandbox, self.part), self.name)

    def __set__(self, sandbox, value) -> None:
        setattr(getattr(sandbox, self.part), self.name, value)


class Sandbox:
    """The parts, composed: one world, the Bot API over it with its method groups, inline mode
    and the webhook delivery as parts, and the control API."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = "KonferenzSandboxBot",
                 supports_inline_queries: bool = True):
        self.world = World(bot_profile(bot_username, supports_inline_queries))
        self.delivery = Delivery(take_updates=self.world.take_updates, give_back=self.world.give_back)
        self.world.watch_updates(self.delivery.wake)
        self.inline = InlineMode(self.world, supports_inline_queries)
        self.menu = Menu(self.world)
        self.updates_api = Updates(self.world, self.delivery)
        self.files = FileMessages(self.world)
        groups = (Session(self.world), Messages(self.world), self.files, Callbacks(self.world),
                  self.menu, self.updates_api, self.inline)
        self.api = BotApi(token, self.world, method_table(*groups))
        self.control = ControlApi(self.world, self.api, self.inline, self.menu, self.updates_api, self.delivery)

    def routes(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.api.handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.control.add_routes(app)
        return app

    async def _download(self, request: web.Request) -> web.Response:
        """A file by the path getFile gave, for the bot's token only."""
        if request.match_info["token"] != self.api.token:
            return web.Response(status=401, text="Unauthorized")
        data = self.files.download(request.match_info["path"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def close(self) -> None:
        """Answer every pending long poll at once and stop delivering by webhook."""
        self.world.close()
        await self.delivery.close()

    token = _Part("api", "token")
    requests = _Part("api", "requests")
    bot = _Part("world", "bot")
    users = _Part("world", "users")
    updates = _Part("world", "updates")
    outputs = _Part("world", "outputs")
    add_user = _Part("world", "add_user")
    add_group = _Part("world", "add_group")
    user_message = _Part("world", "user_message")
    press = _Part("world", "press")
    commands = _Part("menu", "commands")
    getupdates_calls = _Part("updates_api", "getupdates_calls")
    inline_queries = _Part("inline", "queries")
    inline_answer_seconds = _Part("inline", "answer_seconds")
    send_inline_query = _Part("inline", "send_query")


class SandboxServer:
    """Runs a Sandbox on a loopback port inside the current event loop."""

    def __init__(self, sandbox: Sandbox | None = None, host: str = "127.0.0.1", port: int = 0):
        self.sandbox = sandbox or Sandbox()
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> "SandboxServer":
        self.sandbox.world.open()
        self._runner = web.AppRunner(self.sandbox.routes(), access_log=None, handle_signals=False,
                                     shutdown_timeout=SHUTDOWN_TIMEOUT)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for BOT_API_URL."""
        return f"{self.url}/bot"

    async def stop(self) -> None:
        # Long polls (a getUpdates, a control `outputs` wait) would hold the shutdown for up to
        # SHUTDOWN_TIMEOUT: answered now, the server stops at once.
        await self.sandbox.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_forever(host: str, port: int, token: str) -> None:
    server = await SandboxServer(Sandbox(token), host, port).start()
    print(f"Bot API sandbox on {server.url}  (BOT_API_URL={server.api_url}, BOT_TOKEN={token})", flush=True)
    keeper = asyncio.create_task(_keep_collections_short())
    try:
        await asyncio.Event().wait()
    finally:
        keeper.cancel()
        await server.stop()


async def _keep_collections_short(every: float = 5.0) -> None:
    """Arrival times are read in the event loop, so a pause of the loop makes the requests read
    after it look bunched: a full garbage collection over the growing request log took 44 ms
    280 s into a 10,000-message broadcast, and two sends 35 ms apart got stamps 3 ms apart, a
    429 that Telegram would not have given (bench/cluster.py). What has survived a while is kept
    for the process's life anyway (the log, the chats): frozen, full collections stay short."""
    while True:
        await asyncio.sleep(every)
        gc.freeze()
