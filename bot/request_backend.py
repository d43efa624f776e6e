"""An HTTP backend for python-telegram-bot on aiohttp.

Why: on a 2-core machine a burst of replies is bound by CPU per request, and httpx (the
default backend) spends more CPU per request the more requests are in flight. aiohttp
keeps the cost flat (docs/benchmarks.md has the figures). The behaviour is the default
backend's: timeouts raise TimedOut (a full pool says the request was *not* sent),
connection failures raise NetworkError, files go as multipart/form-data, shutdown closes
the session, and app.py builds a separate instance for getUpdates.

Chosen by BOT_HTTP_BACKEND: "aiohttp" (default) or "httpx".
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DefaultValue = type(BaseRequest.DEFAULT_NONE)  # python-telegram-bot's marker for "use your default"

# application/x-www-form-urlencoded exactly as urllib.parse.urlencode writes it (quote_plus), by
# str.translate with a table of the characters seen so far: urlencode's per-byte Python loop was
# 4 % of the CPU of 5,000 sign-ups, this is half of that.
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_FORM_BYTES = tuple(chr(byte) if byte in _SAFE else "+" if byte == 0x20 else f"%{byte:02X}" for byte in range(256))


class _FormTable(dict):
    def __missing__(self, code: int) -> str:
        quoted = "".join(map(_FORM_BYTES.__getitem__, chr(code).encode()))
        if len(self) < 10_000:  # the texts' characters; a flood of exotic ones is quoted, not kept
            self[code] = quoted
        return quoted


_FORM_TABLE = _FormTable()


def form_encoded(fields: dict[str, str]) -> bytes:
    return "&".join(f"{name.translate(_FORM_TABLE)}={value.translate(_FORM_TABLE)}"
                    for name, value in fields.items()).encode()


class AiohttpRequest(BaseRequest):
    __slots__ = ("_connection_pool_size", "_timeouts", "_session", "_pool", "_media_write_timeout")

    def __init__(self, connection_pool_size: int = 256, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0):
        self._connection_pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout, "pool": pool_timeout}
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connection_pool_size, ttl_dns_cache=300,
                                             enable_cleanup_closed=True)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT},
                                                  timeout=aiohttp.ClientTimeout(total=None))
            self._pool = asyncio.Semaphore(self._connection_pool_size)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _pick(self, name: str, value: Any, has_files: bool = False) -> float | None:
        if isinstance(value, DefaultValue):
            if name == "write" and has_files:
                return self._media_write_timeout
            return self._timeouts[name]
        return value

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed or self._pool is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        fields = request_data.json_parameters if request_data else None
        read = self._pick("read", read_timeout)
        write = self._pick("write", write_timeout, bool(files))
        connect = self._pick("connect", connect_timeout)
        pool = self._pick("pool", pool_timeout)
        try:
            if self._pool.locked():
                await asyncio.wait_for(self._pool.acquire(), pool)
            else:
                await self._pool.acquire()  # free: no timer and no task for wait_for (2 % of the CPU)
        except asyncio.TimeoutError:
            raise TimedOut("Pool timeout: All connections in the connection pool are occupied. "
                           "Request was *not* sent to Telegram. Consider adjusting the connection pool size "
                           "or the pool timeout.") from None
        try:
            # aiohttp has no separate write timeout. Small form bodies go out at once; an upload's
            # sending time counts towards the wait for the answer, so it gets the write time too.
            sock_read = None if read is None else read + ((write or 0) if files else 0)
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, connect=connect, sock_read=sock_read)
            async with self._session.request(method, url, data=self._body(fields, files), timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error
        finally:
            self._pool.release()

    @staticmethod
    def _body(fields: dict[str, str] | None, files: dict | None) -> aiohttp.FormData | aiohttp.BytesPayload | None:
        if not files:
            # Encoded here rather than by aiohttp.FormData, which makes a multipart writer (and
            # a random boundary from the OS) for every request: 5 % of the event loop's time in a burst.
            if not fields:
                return None
            return aiohttp.BytesPayload(form_encoded(fields), content_type="application/x-www-form-urlencoded")
        form = aiohttp.FormData(quote_fields=False)
        for name, value in (fields or {}).items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in files.items():
            data = content if isinstance(content, (bytes, bytearray)) else content.read()
            form.add_field(name, data, filename=filename or name, content_type=mimetype or "application/octet-stream")
        return form


def make_request(backend: str, pool_size: int, read_timeout: float | None = 5.0, pool_timeout: float = 1.0) -> BaseRequest:
    if backend == "httpx":
        from telegram.request import HTTPXRequest

        return HTTPXRequest(connection_pool_size=pool_size, read_timeout=read_timeout, pool_timeout=pool_timeout)
    if backend == "aiohttp":
        return AiohttpRequest(connection_pool_size=pool_size, read_timeout=read_timeout, pool_timeout=pool_timeout)
    raise ValueError(f"unknown HTTP backend {backend!r}")
