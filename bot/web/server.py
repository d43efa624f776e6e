"""The Mini App's web server: the page's static assets (gzip, ETag) and its JSON API, on the
bot's own event loop. Started in the application's post_init, stopped in post_stop."""

from __future__ import annotations

import gzip
import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from aiohttp import web

from ..config import ConfigError
from ..services import Services
from .api import MAX_BODY, ApiError, WebApi

log = logging.getLogger(__name__)

PREFIX = "/app/"
ASSETS = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css", "sw.js": "text/javascript",
          "icon.svg": "image/svg+xml"}
SECURITY_HEADERS = {
    # Everything comes from the bot itself: no CDN, no inline script, no third-party requests.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


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


def asset_response(request: web.Request, asset: Asset) -> web.Response:
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding", **SECURITY_HEADERS}
    if asset.etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = asset.gzipped
    else:
        body = asset.body
    return web.Response(body=body, headers=headers, content_type=asset.content_type,
                        charset="utf-8" if asset.content_type.startswith("text/") else None)


@web.middleware
async def json_errors(request: web.Request, handler):
    """A refusal is JSON with a clear message; an unexpected error is logged, never shown."""
    try:
        response = await handler(request)
    except ApiError as error:
        return web.json_response({"error": error.message}, status=error.status, headers={"Cache-Control": "no-store"})
    except web.HTTPException as error:
        if not request.path.startswith(PREFIX + "api/") or error.status < 400:
            raise
        return web.json_response({"error": error.reason}, status=error.status)
    except Exception:  # noqa: BLE001 - the page gets a short answer; the log gets the traceback
        log.exception("Mini App request %s %s failed", request.method, request.path)
        return web.json_response({"error": "internal error"}, status=500)
    if request.path.startswith(PREFIX + "api/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def make_app(svc: Services, next_arrival: Callable[[], int]) -> web.Application:
    api = WebApi(svc, next_arrival)
    assets = load_assets()
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY)

    async def page(request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "index.html"
        asset = assets.get(name)
        if asset is None:
            raise web.HTTPNotFound()
        return asset_response(request, asset)

    async def to_page(request: web.Request) -> web.Response:
        raise web.HTTPFound(PREFIX)

    app.router.add_get(PREFIX.rstrip("/"), to_page)
    app.router.add_get(PREFIX + "api/state", api.state)
    app.router.add_post(PREFIX + "api/seat", api.seat)
    app.router.add_post(PREFIX + "api/bookmark", api.bookmark)
    app.router.add_get(PREFIX + "api/orga", api.orga)
    app.router.add_get(PREFIX, page)
    app.router.add_get(PREFIX + "{name}", page)
    return app


class WebServer:
    def __init__(self, svc: Services, next_arrival: Callable[[], int]):
        self.app = make_app(svc, next_arrival)
        self.runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0 = a free port); returns the port."""
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        try:
            await site.start()
        except OSError as error:  # port taken, unknown host, not allowed: one clear line, no traceback
            await self.stop()
            raise ConfigError(f"BOT_WEB_LISTEN {host}:{port} cannot be used: {error.strerror or error}") from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("Mini App served on http://%s:%d%s", host, self.port, PREFIX)
        return self.port

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
