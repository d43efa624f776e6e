"""The Mini App's web server: the page's static assets (gzip, ETag), its JSON API, the calendar
downloads and the room screens, on the bot's own event loop, at the path of BOT_WEB_URL.
Started in the application's post_init, stopped in post_stop."""

from __future__ import annotations

import gzip
import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.web_protocol import RequestHandler

from ..config import ConfigError
from ..services import Services
from .api import MAX_BODY, REFUSALS, ApiError, WebApi
from ..links import page_prefix
from .room import RoomScreens

log = logging.getLogger(__name__)

ASSETS = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css", "sw.js": "text/javascript",
          "icon.svg": "image/svg+xml", "room.html": "text/html", "room.js": "text/javascript",
          "room.css": "text/css"}
# Telegram Web shows a Mini App in an iframe of its own origin; nobody else may frame the page.
TELEGRAM_WEB = "https://web.telegram.org https://webk.telegram.org https://webz.telegram.org"
SECURITY_HEADERS = {
    # Everything comes from the bot itself: no CDN, no inline script, no third-party requests.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; "
                               f"frame-ancestors 'self' {TELEGRAM_WEB}",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # signed links (room screens, downloads) never leak through a Referer
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
COMPRESS_FROM = 512  # bytes: smaller JSON answers are not worth a gzip header


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    content_type: str


def load_assets() -> dict[str, Asset]:
    folder = resources.files("bot.web") / "static"
    assets = {}
    for name, content_type in ASSETS.items():
        body = (folder / name).read_bytes()
        assets[name] = Asset(body, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"',
                             content_type)
    return assets


def accepts_gzip(request: web.BaseRequest) -> bool:
    for coding in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def asset_response(request: web.Request, asset: Asset, status: int = 200) -> web.Response:
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if status == 200 and asset.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        body = asset.gzipped
    else:
        body = asset.body
    return web.Response(body=body, status=status, headers=headers, content_type=asset.content_type,
                        charset="utf-8" if asset.content_type.startswith("text/") else None)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer, errors and 304s included (on_response_prepare)."""
    response.headers.update(SECURITY_HEADERS)


def compress_json(request: web.Request, response: web.StreamResponse) -> None:
    if not isinstance(response, web.Response) or response.content_type != "application/json":
        return
    response.headers["Vary"] = "Accept-Encoding"
    body = response.body
    if isinstance(body, bytes) and len(body) >= COMPRESS_FROM and accepts_gzip(request):
        response.body = gzip.compress(body, 6, mtime=0)
        response.headers["Content-Encoding"] = "gzip"


def json_errors(api_prefix: str):
    @web.middleware
    async def middleware(request: web.Request, handler):
        """A refusal is JSON with a clear message; an unexpected error is logged, never shown."""
        api = request.path.startswith(api_prefix)
        try:
            response = await handler(request)
        except ApiError as error:
            response = web.json_response({"error": error.message}, status=error.status)
        except web.HTTPException as error:
            if not api or error.status < 400:
                raise
            response = web.json_response({"error": error.reason}, status=error.status)
        except Exception:  # noqa: BLE001 - the page gets a short answer; the log gets the traceback
            log.exception("Mini App request %s %s failed", request.method, request.path)
            response = web.json_response({"error": "internal error"}, status=500)
        if api:
            response.headers["Cache-Control"] = "no-store"
        compress_json(request, response)
        return response
    return middleware


PARSE_ERRORS = {400: "malformed HTTP request", 431: "request header too large", 500: "internal error",
                504: "request timed out"}


class _Connection(RequestHandler):
    """aiohttp's connection, with what its HTTP parser refuses (a header over 8 kB, too many
    headers, a broken request line) answered as JSON like every other refusal, and logged as one
    rate-limited line that quotes nothing of the request (a header may be a user's initData)."""

    def handle_error(self, request, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if isinstance(exc, LineTooLong) or (isinstance(exc, BadHttpMessage) and "header" in str(exc.message).lower()):
            status = 431
        REFUSALS.note(logging.ERROR if status >= 500 else logging.WARNING, f"http-{status}",
                      f"Mini App server refused a request: {status} {PARSE_ERRORS.get(status, 'bad request')}"
                      + (f" ({type(exc).__name__})" if exc else ""))
        if request.writer.output_size > 0:
            raise ConnectionError("the answer has begun already; the connection is closed")
        response = web.json_response({"error": PARSE_ERRORS.get(status, "bad request")}, status=status,
                                     headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})
        response.force_close()
        return response


class _Connections:
    """aiohttp's connection factory (web.Server), making _Connection instead of RequestHandler."""

    def __init__(self, server: web.Server):
        self._server = server

    def __getattr__(self, name: str):
        return getattr(self._server, name)

    def __call__(self) -> _Connection:
        return _Connection(self._server, loop=self._server._loop, **self._server._kwargs)  # noqa: SLF001


class _Runner(web.AppRunner):
    async def _make_server(self):  # type: ignore[override]
        return _Connections(await super()._make_server())


def make_app(svc: Services, next_arrival: Callable[[], int],
             bot_username: Callable[[], str | None] = lambda: None) -> web.Application:
    prefix = page_prefix(svc.settings.web_url)
    api = WebApi(svc, next_arrival, prefix)
    rooms = RoomScreens(svc, bot_username)
    assets = load_assets()
    app = web.Application(middlewares=[json_errors(prefix + "api/")], client_max_size=MAX_BODY)
    app.on_response_prepare.append(add_security_headers)

    async def page(request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "index.html"
        asset = assets.get(name)
        if asset is None:
            raise web.HTTPNotFound()
        return asset_response(request, asset)

    async def room_page(request: web.Request) -> web.Response:
        """The room screen's page, only with a valid link; else 401 and a short page saying why."""
        if not rooms.link_is_valid(request):
            return web.Response(status=401, text=rooms.refusal_page(), content_type="text/html", charset="utf-8",
                                headers={"Cache-Control": "no-store"})
        return asset_response(request, assets["room.html"])

    async def to_page(request: web.Request) -> web.Response:
        raise web.HTTPFound(prefix)

    if prefix != "/":
        app.router.add_get(prefix.rstrip("/"), to_page)
    app.router.add_get(prefix + "api/state", api.state)
    app.router.add_post(prefix + "api/seat", api.seat)
    app.router.add_post(prefix + "api/bookmark", api.bookmark)
    app.router.add_post(prefix + "api/calendar", api.calendar_link)
    app.router.add_get(prefix + "api/orga", api.orga)
    app.router.add_get(prefix + "api/room", rooms.state)
    app.router.add_get(prefix + "calendar/{file_name}", api.calendar_file)
    app.router.add_get(prefix + "room", room_page)
    app.router.add_get(prefix, page)
    app.router.add_get(prefix + "{name}", page)
    return app


class WebServer:
    def __init__(self, svc: Services, next_arrival: Callable[[], int],
                 bot_username: Callable[[], str | None] = lambda: None):
        self.app = make_app(svc, next_arrival, bot_username)
        self.prefix = page_prefix(svc.settings.web_url)
        self.runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0 = a free port); returns the port."""
        self.runner = _Runner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        try:
            await site.start()
        except OSError as error:  # port taken, unknown host, not allowed: one clear line, no traceback
            await self.stop()
            raise ConfigError(f"BOT_WEB_LISTEN {host}:{port} cannot be used: {error.strerror or error}") from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("Mini App served on http://%s:%d%s", host, self.port, self.prefix)
        return self.port

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
