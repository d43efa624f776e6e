"""Webhook mode: the bot's own aiohttp server receives the updates Telegram posts.

Behind a reverse proxy several instances can serve one bot. Telegram retries an update until
it gets a 2xx, and a proxy may hand a retry to another instance, so every update id is
claimed in the database before it is handled (table processed_updates): whoever claims it
handles it; a retry of an update already handled is answered 200 without handling it again,
one that another instance is handling right now gets 503 so that Telegram asks again later.
The answer is sent only after the update was handled, so an instance that dies mid-update
leaves a claim that goes stale, and Telegram's next retry is handled by a survivor.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from . import scope
from .config import Settings
from .domain.loader import ProgramError
from .domain.program import Program
from .storage import Storage

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
PURGE_EVERY = 3600.0  # seconds between purges of old claims
KEEP_CLAIMS = 86400.0  # Telegram stops retrying an update well within a day
BUSY_RETRY_AFTER = 5  # seconds; a hint for a retry of an update another instance is handling
SYNC_EVERY = 5.0  # seconds between checks for program changes made through another instance


class WebhookStartError(RuntimeError):
    """The webhook cannot start: the listen address cannot be served, or setWebhook failed.
    The message says which, in one line."""


@dataclass(frozen=True)
class WebhookSettings:
    url: str  # the public URL registered with setWebhook; its path is the path served here
    secret: str = field(repr=False)
    host: str = "127.0.0.1"
    port: int = 8443
    max_connections: int = 40  # Telegram's default; at most 100
    claim_timeout: float = 60.0  # a working claim older than this belongs to a dead instance
    instance: str = ""  # names this instance in processed_updates; host:port:pid when empty

    @classmethod
    def from_settings(cls, settings: Settings) -> "WebhookSettings":
        settings.check_webhook()
        host, port = settings.webhook_listen
        # Telegram opens at most this many connections at once; more than the bot handles at
        # once would only queue inside the bot, and Telegram allows at most 100.
        connections = max(1, min(100, settings.max_concurrent_updates))
        return cls(url=settings.webhook_url, secret=settings.webhook_secret, host=host, port=port,
                   max_connections=connections, claim_timeout=settings.webhook_claim_timeout)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def instance_name(self) -> str:
        return self.instance or f"{socket.gethostname()}:{self.port}:{os.getpid()}"


class ProgramSync:
    """Program changes are made through one instance; the others take them over when the
    program revision in the database moves: before each update and every few seconds
    (reminders follow the program too). Live changes (delay, room, cancel, restore) are stored
    as overrides. A /reload stores the fingerprint of the file it read: the others read their
    own program file again and take it over if it is that file (the same path on one host, or
    a copy deployed to each host); if it is not, they keep their program and log an error."""

    def __init__(self, application: Application):
        self.application = application
        self.revisions: dict[str, int] | None = None  # per conference, as this process last took them over

    async def check(self) -> None:
        svc = self.application.bot_data["services"]
        stored = await svc.storage.program_changes.revisions()
        known = {conference_id: stored.get(conference_id, 0) for conference_id in svc.conferences.ids}
        if known == self.revisions:
            return
        for conference_id, revision in known.items():
            if self.revisions is not None and self.revisions.get(conference_id) != revision:
                with scope.within(conference_id):
                    base = await self._reloaded_file(svc)
                    svc.program.adopt(base, await svc.storage.program_changes.overrides())
                    svc.replan()
                log.info("program revision %d of %s taken over from another instance%s", revision, conference_id,
                         " with the reloaded program file" if base is not None else "")
        self.revisions = known

    @staticmethod
    async def _reloaded_file(svc) -> Program | None:
        """This host's program file, when another instance reloaded that file; else None."""
        in_force = await svc.storage.program_changes.base()
        if in_force is None or in_force == svc.program.base.fingerprint():
            return None
        try:
            base = await svc.program.read_file()
        except ProgramError as error:
            log.error("another instance reloaded the program, but %s here does not load (%s): this instance "
                      "keeps its program; mend the file and restart it", svc.program.path, error.problems[0])
            return None
        if base.fingerprint() != in_force:
            log.error("another instance reloaded a program file that differs from %s here: this instance keeps "
                      "its program; copy that file here and restart it", svc.program.path)
            return None
        return base


class WebhookServer:
    """POST <path>: one update; GET /healthz: alive. Everything else: 404/405."""

    def __init__(self, application: Application, storage: Storage, settings: WebhookSettings):
        self.application = application
        self.storage = storage
        self.settings = settings
        self.instance = settings.instance_name
        self.program_sync = ProgramSync(application)
        self._in_flight: dict[int, asyncio.Future] = {}  # updates this instance is handling now
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task] = []
        self.port = settings.port

    def routes(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post(self.settings.path, self.receive)
        app.router.add_get(HEALTH_PATH, self.health)
        return app

    async def start(self) -> None:
        # In-flight updates get a few seconds to finish on stop; what does not finish is retried by Telegram.
        self._runner = web.AppRunner(self.routes(), access_log=None, handle_signals=False, shutdown_timeout=10)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except OSError as error:  # port taken, address not on this machine
            raise WebhookStartError(f"BOT_WEBHOOK_LISTEN (--webhook-listen) {self.settings.host}:{self.settings.port} "
                                    f"cannot be served: {error.strerror or error}") from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr] # port 0: the chosen one
        await self.program_sync.check()
        self._tasks = [asyncio.create_task(self._purge_now_and_then(), name="webhook-purge"),
                       asyncio.create_task(self._sync_now_and_then(), name="webhook-program-sync"),
                       asyncio.create_task(self._renew_claims(), name="webhook-claim-renewal")]
        log.info("webhook server listening on %s:%d", self.settings.host, self.port)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def register(self) -> None:
        """Tell Telegram where to post. Every instance registers the same URL; the proxy spreads."""
        try:
            await self.application.bot.set_webhook(
                url=self.settings.url, secret_token=self.settings.secret, allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False, max_connections=self.settings.max_connections)
        except TelegramError as error:  # e.g. Telegram refuses the URL, or cannot be reached
            raise WebhookStartError(f"setWebhook for BOT_WEBHOOK_URL failed: {error.message}") from None
        # Stopping never calls deleteWebhook: other instances still serve the URL, and updates that
        # arrive while all are down wait at Telegram (up to a day) instead of being lost.

    async def health(self, request: web.Request) -> web.Response:
        if not self.application.running:  # stopping: a proxy's health check moves traffic away
            return web.Response(status=503, text="stopping")
        return web.Response(text="ok")

    async def receive(self, request: web.Request) -> web.Response:
        if not self._secret_matches(request.headers.get(SECRET_HEADER, "")):
            log.warning("webhook request without the right secret from %s refused", request.remote)
            return web.Response(status=403, text="forbidden")
        update = await self._read_update(request)
        if isinstance(update, web.Response):
            return update
        if not self.application.running:  # stopping: let Telegram retry elsewhere or later
            return web.Response(status=503, text="stopping", headers={"Retry-After": str(BUSY_RETRY_AFTER)})
        return await self._handle_once(update)

    def _secret_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.settings.secret.encode())

    async def _read_update(self, request: web.Request) -> Update | web.Response:
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="the body must be a JSON object")
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return web.Response(status=400, text="the body must be an Update with an integer update_id")
        try:
            return Update.de_json(data, self.application.bot)
        except Exception:  # noqa: BLE001 - any malformed field: refuse it rather than crash
            log.warning("webhook update %s could not be read", data.get("update_id"))
            return web.Response(status=400, text="the body is not a valid Update")

    async def _handle_once(self, update: Update) -> web.Response:
        update_id = update.update_id
        mine = self._in_flight.get(update_id)
        if mine is not None:  # a retry reached the instance that is handling it: wait, then ask the database
            await asyncio.shield(mine)  # (done: 200; released after a failure: handled now)
            return await self._handle_once(update)
        claim = await self.storage.updates.claim(update_id, self.instance, self.settings.claim_timeout)
        if claim == "done":
            return web.Response(text="ok")
        if claim == "busy":
            # Another instance is on it. A 200 here would lose the update if that instance dies
            # before it finishes; an error makes Telegram ask again, by then done or stale.
            return web.Response(status=503, text="being handled elsewhere",
                                headers={"Retry-After": str(BUSY_RETRY_AFTER)})
        return await self._process(update)

    async def _process(self, update: Update) -> web.Response:
        update_id = update.update_id
        finished = asyncio.get_running_loop().create_future()
        self._in_flight[update_id] = finished
        try:
            await self.program_sync.check()  # answer with the program another instance may have changed
            processor = self.application.update_processor  # the same per-chat order as in polling
            await processor.process_update(update, self.application.process_update(update))
            await self.storage.updates.finish(update_id)
            return web.Response(text="ok")
        except BaseException:  # handlers' errors are handled by PTB; this is storage or cancellation
            log.exception("webhook update %d was not handled; Telegram will retry it", update_id)
            await asyncio.shield(self._release(update_id))
            raise
        finally:
            finished.set_result(None)
            del self._in_flight[update_id]

    async def _release(self, update_id: int) -> None:
        try:
            await self.storage.updates.release(update_id, self.instance)
        except Exception:  # noqa: BLE001 - the claim goes stale and is taken over then
            log.warning("could not release the claim of update %d", update_id)

    async def _renew_claims(self) -> None:
        """A slow update (a long export, Telegram's limits pacing its replies) is still this
        instance's while its handler runs: its claim is renewed well before it would go stale,
        so another instance never handles it a second time. A claim goes stale only when its
        instance is gone (killed, frozen) and cannot renew it."""
        interval = max(0.5, self.settings.claim_timeout / 4)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.storage.updates.renew(sorted(self._in_flight), self.instance)
            except Exception:  # noqa: BLE001 - renewed at the next round; the claim has 3 more rounds
                log.warning("renewing the claims of updates being handled failed", exc_info=True)

    async def _sync_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(SYNC_EVERY)
            try:
                await self.program_sync.check()
            except Exception:  # noqa: BLE001 - checked again at the next update or round
                log.warning("checking for program changes failed", exc_info=True)

    async def _purge_now_and_then(self) -> None:
        while True:
            try:
                purged = await self.storage.updates.purge(KEEP_CLAIMS)
                if purged:
                    log.info("forgot %d handled webhook updates older than a day", purged)
            except Exception:  # noqa: BLE001 - a failed purge is retried at the next round
                log.warning("purging old webhook updates failed", exc_info=True)
            await asyncio.sleep(PURGE_EVERY)
