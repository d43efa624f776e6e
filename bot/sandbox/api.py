"""The Bot API endpoint, /bot<token>/<method>: checks the token, the method and its parameters
against the Bot API's table, adds latency, faults and flood control, and hands the call to the
method's handler in the table composed from the method groups (methods/). Every call is logged
with its parameters, status and time of arrival, for tests and benchmarks to read."""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from aiohttp import web

from .checks import check_params
from .conditions import FaultDice, FloodControl
from .errors import ApiError, bad
from .spec import METHODS, METHODS_BY_LOWER
from .world import World

Params = dict[str, Any]
Files = dict[str, tuple[str, str, bytes]]  # field -> (file name, MIME type, content)
Handler = Callable[[Params, Files], Awaitable[Any]]

SEND_METHODS = {"sendmessage", "sendvenue", "sendlocation", "senddocument", "sendphoto", "copymessage",
                "forwardmessage", "sendcontact", "sendpoll", "sendaudio", "sendvideo", "sendvoice", "sendsticker"}


def method_table(*groups) -> dict[str, Handler]:
    """One table from the groups' `methods()`; a name that is not a Bot API method, or that two
    groups claim, is a mistake of the sandbox's own."""
    table: dict[str, Handler] = {}
    for group in groups:
        for name, handler in group.methods().items():
            assert name in METHODS and name not in table, name
            table[name] = handler
    return table


class BotApi:
    def __init__(self, token: str, world: World, methods: dict[str, Handler]):
        self.token = token
        self.world = world
        self.methods = methods
        self.requests: list[dict] = []
        self.latency = 0.0  # seconds added to every call but getUpdates
        self.faults = FaultDice()
        self.flood = FloodControl()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.time()
        arrived = time.monotonic()  # flood limits count arrivals, as Telegram does, not our processing
        entry: dict[str, Any] = {"method": request.match_info["method"], "time": started}
        self.requests.append(entry)
        try:
            return await self._answer(request, entry, arrived)
        except ApiError as error:
            entry.update(status=error.code, description=error.description, scope=error.scope, arrived=arrived)
            return web.json_response(error.body(), status=error.code)
        finally:
            entry["duration"] = time.time() - started

    async def _answer(self, request: web.Request, entry: dict, arrived: float) -> web.StreamResponse:
        method = self._method(request.match_info["token"], request.match_info["method"])
        entry["method"] = method
        params, files = await read_params(request)
        entry["params"] = dict(params)
        check_params(method, params, files)
        under_way = _chat_key(params.get("chat_id")) if method != "getUpdates" else None  # what settle waits for
        self.world.calls_under_way[under_way] += under_way is not None
        try:
            return await self._carry_out(method, params, files, request, entry, arrived)
        finally:
            self.world.calls_under_way[under_way] -= under_way is not None

    async def _carry_out(self, method: str, params, files, request: web.Request, entry: dict,
                         arrived: float) -> web.StreamResponse:
        if method != "getUpdates" and self.latency:
            await self.world.pause(self.latency)
        fault = self.faults.roll(method)
        if fault:
            entry["fault"] = fault
        if fault == "drop":
            return _drop(request, entry)
        self.faults.raise_error(fault)
        if method.lower() in SEND_METHODS:
            self.flood.admit(self._chat(params.get("chat_id")), arrived)
        result = await self.methods.get(method, _not_implemented(method))(params, files)
        if fault == "timeout":
            entry.update(status="timeout")
            await self.world.pause(self.faults.faults.timeout_seconds)
        entry.update(status=200, arrived=arrived)
        return web.json_response({"ok": True, "result": result})

    def _method(self, token: str, name: str) -> str:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        method = METHODS_BY_LOWER.get(name.lower())
        if method is None:
            raise ApiError(404, "Not Found")
        return method

    def _chat(self, chat_id: Any):
        return self.world.chats.get(chat_id) if isinstance(chat_id, int) else None


def _chat_key(chat_id: Any) -> Any:
    """A call's chat as outputs name it (an int), whether the bot sent it as a number or a string."""
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return chat_id


async def read_params(request: web.Request) -> tuple[Params, Files]:
    """Parameters from the query string and the body (JSON, form or multipart with files)."""
    params: Params = dict(request.query)
    files: Files = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        params.update(await _json_object(request))
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename is not None:
                files[part.name] = (part.filename, part.headers.get("Content-Type", "application/octet-stream"),
                                    await part.read())
            else:
                params[part.name] = await part.text()
    else:
        params.update(await request.post())
    return params, files


async def _json_object(request: web.Request) -> dict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise bad("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad("can't parse JSON object")
    return body


def _drop(request: web.Request, entry: dict) -> web.Response:
    """The connection closes before an answer: the bot cannot tell whether the call was processed."""
    entry.update(status="dropped")
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=500)


def _not_implemented(method: str) -> Handler:
    async def refuse(params: Params, files: Files) -> Any:
        raise ApiError(501, f"Not Implemented: the sandbox does not implement {method}")
    return refuse
