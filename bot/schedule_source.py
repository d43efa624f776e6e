"""Reads a program's schedule from an http(s) URL (pretalx, frab), politely and safely.

Each fetch is a conditional request (If-None-Match / If-Modified-Since): an unchanged schedule
costs the server a 304. The last good copy is kept on disk beside the database, so a source
that cannot be reached — the venue's Wi-Fi, the server's maintenance — keeps the last good
program instead of stopping the bot.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from pathlib import Path

log = logging.getLogger(__name__)
TIMEOUT = 20.0


class SourceFetcher:
    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.last_error: str | None = None

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        return self.cache_dir / f"source-{key}.json", self.cache_dir / f"source-{key}.body"

    def fetch(self, url: str) -> bytes:
        """The schedule's bytes: fresh, or the cached copy when unchanged or unreachable."""
        meta_path, body_path = self._paths(url)
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        headers = {"User-Agent": "konferenz-bot (schedule source)"}
        if body_path.exists():
            if meta.get("etag"):
                headers["If-None-Match"] = meta["etag"]
            if meta.get("last_modified"):
                headers["If-Modified-Since"] = meta["last_modified"]
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT) as response:  # noqa: S310
                body = response.read()
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                body_path.write_bytes(body)
                meta_path.write_text(json.dumps({"etag": response.headers.get("ETag"),
                                                 "last_modified": response.headers.get("Last-Modified")}), encoding="utf-8")
                self.last_error = None
                return body
        except urllib.error.HTTPError as error:
            if error.code == 304 and body_path.exists():
                self.last_error = None
                return body_path.read_bytes()
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            reason = str(getattr(error, "reason", None) or error)
        self.last_error = reason
        if body_path.exists():
            log.warning("schedule source %s unreachable (%s): keeping the last good copy", url, reason)
            return body_path.read_bytes()
        raise OSError(f"unreachable ({reason}) and no earlier copy")
