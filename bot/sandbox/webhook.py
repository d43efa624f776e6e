"""The sandbox's webhook: setWebhook's checks and the delivery of updates by HTTP POST.

Delivery behaves as Telegram's does where the bot can tell: one JSON update per POST with the
secret header, a non-2xx answer or a connection error means "try again later" (with backoff,
recorded as the webhook's last error), one chat's updates go out one after another (the next
only once the previous was acknowledged), at most max_connections at a time.

For tests and benchmarks it can also spread deliveries round-robin over several instance
addresses (skipping one that refuses connections, as a reverse proxy's failover would), count
deliveries per address, and deliver an update twice, as Telegram does when a response is lost.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

import aiohttp

from .errors import is_loopback

log = logging.getLogger("sandbox.webhook")

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PORTS = (80, 88, 443, 8443)  # the only ports Telegram posts to
# What Telegram delivers when allowed_updates is empty or was never given.
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"


class WebhookRejected(ValueError):
    """setWebhook's parameters are not acceptable; the message is Telegram's description."""


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    has_custom_certificate: bool = False


def check_webhook(params: dict, certificate: bool) -> Webhook:
    """A Webhook from setWebhook's parameters, or WebhookRejected as Telegram would reject them."""
    url = str(params["url"])
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise WebhookRejected("Bad Request: bad webhook: Failed to parse port number") from None
    host = parts.hostname or ""
    if not host:
        raise WebhookRejected("Bad Request: bad webhook: Failed to resolve host: Name or service not known")
    if is_loopback(host):  # the test environment: plain http and any port
        if parts.scheme not in ("http", "https"):
            raise WebhookRejected("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    else:
        if parts.scheme != "https":
            raise WebhookRejected("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if (port or 443) not in WEBHOOK_PORTS:
            raise WebhookRejected("Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = params.get("secret_token")
    if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
        raise WebhookRejected("Bad Request: secret token contains unallowed characters or has a wrong length (1-256)")
    connections = params.get("max_connections", 40)
    if type(connections) is not int or not 1 <= connections <= 100:
        raise WebhookRejected("Bad Request: max_connections must be between 1 and 100")
    allowed = params.get("allowed_updates")
    if allowed is not None and (not isinstance(allowed, list) or not all(isinstance(k, str) for k in allowed)):
        raise WebhookRejected("Bad Request: can't parse allowed updates")
    address = params.get("ip_address")
    if address is not None:
        try:
            ipaddress.ip_address(str(address))
        except ValueError:
            raise WebhookRejected("Bad Request: bad webhook: invalid IP address specified") from None
    return Webhook(url, secret, connections, allowed, address, certificate)


def chat_key(update: dict) -> int | None:
    """The chat (or else the user) an update belongs to: its updates are delivered in order."""
    for key, content in update.items():
        if key == "update_id" or not isinstance(content, dict):
            continue
        for holder in (content, content.get("message") or {}):
            chat = holder.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return chat["id"]
        sender = content.get("from") or content.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return sender["id"]
    return None


def update_kind(update: dict) -> str:
    return next((k for k in update if k != "update_id"), "")


@dataclass(eq=False)
class Pending:
    update: dict
    key: int | None
    ordered: bool = True  # a duplicate ("Telegram's retry") does not wait for the chat's order
    attempts: int = 0
    not_before: float = 0.0
    in_flight: bool = False


@dataclass
class TargetStats:
    attempts: int = 0
    acknowledged: int = 0
    failed: int = 0
    refused: int = 0


@dataclass
class Delivery:
    """The webhook side of one sandbox: which updates wait, which are in flight, what happened."""

    take_updates: Callable[[], list[dict]]  # the sandbox's new updates, removed from its queue
    give_back: Callable[[list[dict]], None]  # updates not delivered when the webhook is deleted
    webhook: Webhook | None = None
    targets: list[str] = field(default_factory=list)  # base URLs (scheme://host:port) to spread over
    duplicate: bool = False  # deliver every new update twice at once (a retry after a lost answer)
    retry_base: float = 0.5  # seconds before the first retry; doubles, up to retry_max
    retry_max: float = 5.0
    timeout: float = 60.0
    last_error_date: int | None = None
    last_error_message: str | None = None
    queue: list[Pending] = field(default_factory=list)
    acknowledged: dict[int, dict] = field(default_factory=dict)  # update_id -> update, for redelivery
    log: list[dict] = field(default_factory=list)  # every attempt: update_id, target, status
    stats: dict[str, TargetStats] = field(default_factory=lambda: defaultdict(TargetStats))
    _in_flight: int = 0
    _turn: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task | None = None
    _session: aiohttp.ClientSession | None = None
    _posts: set[asyncio.Task] = field(default_factory=set)

    # --- the Bot API side ------------------------------------------------------------------

    def set(self, webhook: Webhook, drop_pending: bool) -> None:
        if drop_pending:
            self.take_updates()
            self.queue = [p for p in self.queue if p.in_flight]
        self.webhook = webhook
        self.last_error_date = self.last_error_message = None
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="sandbox-webhook")
        self.wake()

    async def delete(self, drop_pending: bool) -> None:
        self.webhook = None
        waiting = [p.update for p in self.queue if not p.in_flight and p.ordered]
        self.queue = [p for p in self.queue if p.in_flight]
        if drop_pending:
            self.take_updates()
        else:
            self.give_back(waiting)  # getUpdates will return them
        await self._stop_loop()

    def info(self, pending_elsewhere: int) -> dict[str, Any]:
        if self.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending_elsewhere}
        hook = self.webhook
        info: dict[str, Any] = {"url": hook.url, "has_custom_certificate": hook.has_custom_certificate,
                                "pending_update_count": pending_elsewhere + sum(p.ordered for p in self.queue),
                                "max_connections": hook.max_connections}
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    # --- control ---------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def redeliver(self, update_id: int) -> bool:
        """Deliver an acknowledged update once more, as Telegram does when the answer got lost."""
        update = self.acknowledged.get(update_id)
        if update is None:
            return False
        self.queue.append(Pending(dict(update), chat_key(update), ordered=False))
        self.wake()
        return True

    def state(self) -> dict[str, Any]:
        return {"url": self.webhook.url if self.webhook else "", "targets": self.targets,
                "pending": len(self.queue), "in_flight": self._in_flight,
                "stats": {target: vars(stats) for target, stats in self.stats.items()}, "deliveries": self.log}

    async def close(self) -> None:
        await self._stop_loop()
        for task in list(self._posts):
            task.cancel()
        await asyncio.gather(*self._posts, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _stop_loop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    # --- delivery ----------------------------------------------------------------------------

    async def _run(self) -> None:
        while self.webhook is not None:
            self._wake.clear()
            self._take_new()
            delay = self._start_due(time.monotonic())
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except asyncio.TimeoutError:
                pass

    def _take_new(self) -> None:
        for update in self.take_updates():
            if not self._allowed(update):
                continue  # Telegram drops updates of kinds the webhook did not ask for
            key = chat_key(update)
            self.queue.append(Pending(update, key))
            if self.duplicate:
                self.queue.append(Pending(dict(update), key, ordered=False))

    def _allowed(self, update: dict) -> bool:
        assert self.webhook is not None
        kind = update_kind(update)
        allowed = self.webhook.allowed_updates
        return kind in allowed if allowed else kind not in NOT_BY_DEFAULT

    def _start_due(self, now: float) -> float | None:
        """Start every delivery that may go now; the seconds until the next backoff ends, if any."""
        assert self.webhook is not None
        waiting_chats: set[int] = set()
        next_at: float | None = None
        for pending in list(self.queue):
            if pending.ordered and pending.key is not None:
                if pending.key in waiting_chats:
                    continue  # an earlier update of this chat is not acknowledged yet
                waiting_chats.add(pending.key)
            if pending.in_flight:
                continue
            if pending.not_before > now:
                next_at = pending.not_before if next_at is None else min(next_at, pending.not_before)
                continue
            if self._in_flight >= self.webhook.max_connections:
                break
            self._start(pending, self.webhook)
        return None if next_at is None else max(0.0, next_at - now)

    def _start(self, pending: Pending, hook: Webhook) -> None:
        pending.in_flight = True
        self._in_flight += 1
        task = asyncio.create_task(self._deliver(pending, hook))
        self._posts.add(task)
        task.add_done_callback(self._posts.discard)

    async def _deliver(self, pending: Pending, hook: Webhook) -> None:
        try:
            error = await self._post(pending.update, hook)
        finally:
            pending.in_flight = False
            self._in_flight -= 1
        if error is None or self.webhook is None:
            if pending in self.queue:
                self.queue.remove(pending)
        if error is None:
            self.acknowledged[pending.update["update_id"]] = pending.update
        elif self.webhook is None:  # deleted meanwhile: getUpdates will return it
            if pending.ordered:
                self.give_back([pending.update])
        else:
            pending.attempts += 1
            pending.not_before = time.monotonic() + min(self.retry_max, self.retry_base * 2 ** (pending.attempts - 1))
            self.last_error_date, self.last_error_message = int(time.time()), error
        self.wake()

    async def _post(self, update: dict, hook: Webhook) -> str | None:
        """POST the update to the next target that accepts connections; None when acknowledged,
        else the error as getWebhookInfo reports it."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        error = "Connection refused"
        for url, target in self._candidates(hook.url):
            stats = self.stats[target]
            stats.attempts += 1
            entry = {"update_id": update["update_id"], "target": target, "time": time.time()}
            self.log.append(entry)
            try:
                async with self._client().post(url, json=update, headers=headers,
                                               timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                    await response.read()
                    entry["status"] = response.status
            except aiohttp.ClientConnectorError:  # nobody listens there: try the next instance at once
                stats.refused += 1
                entry["status"] = "refused"
                continue
            except asyncio.TimeoutError:
                stats.failed += 1
                entry["status"] = "timeout"
                return "Read timeout expired"
            except aiohttp.ClientError as failure:  # e.g. the instance died mid-request
                stats.failed += 1
                entry["status"] = "error"
                return f"Connection closed: {type(failure).__name__}"
            if 200 <= response.status < 300:
                stats.acknowledged += 1
                return None
            stats.failed += 1
            return f"Wrong response from the webhook: {response.status} {response.reason}"
        return error

    def _candidates(self, url: str) -> list[tuple[str, str]]:
        """(URL to post to, target name) in round-robin order: the registered URL, or the same
        path on each configured instance address."""
        if not self.targets:
            parts = urlsplit(url)
            return [(url, f"{parts.scheme}://{parts.netloc}")]
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        start = self._turn % len(self.targets)
        self._turn += 1
        order = self.targets[start:] + self.targets[:start]
        return [(target.rstrip("/") + path, target) for target in order]

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # no pooling limit of its own: max_connections is enforced above
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self._session
