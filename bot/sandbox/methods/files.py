"""Files: documents and photos, uploaded or sent again by their file_id; each sent file gets a
new file_id, readable through the control API. getFile hands the bot a path to download a file
a user sent, as Telegram does (/file/bot<token>/<file_path>, files up to 20 MB)."""

from __future__ import annotations

import secrets
from typing import Any

from ..checks import CAPTION_LIMIT, check_text
from ..errors import bad
from ..world import World
from .messages import send

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # Telegram's bots download files up to 20 MB


class FileMessages:
    def __init__(self, world: World):
        self.world = world

    def methods(self) -> dict:
        return {"sendDocument": self.send_document, "sendPhoto": self.send_photo, "getFile": self.get_file}

    async def get_file(self, params, files) -> dict:
        file_id = params.get("file_id")
        found = self.world.files.get(file_id) if isinstance(file_id, str) else None
        if found is None:
            raise bad("invalid file_id")
        name, _, data = found
        if len(data) > DOWNLOAD_LIMIT:
            raise bad("file is too big")
        return {"file_id": file_id, "file_unique_id": file_id[:10], "file_size": len(data),
                "file_path": f"documents/{file_id}/{name}"}

    def download(self, file_path: str) -> bytes | None:
        """The content at a path getFile gave, or None."""
        folder, _, rest = file_path.partition("/")
        file_id = rest.partition("/")[0]
        found = self.world.files.get(file_id) if folder == "documents" else None
        return None if found is None or len(found[2]) > DOWNLOAD_LIMIT else found[2]

    async def send_document(self, params, files) -> dict:
        return self._send_file(params, files, "document", "sendDocument")

    async def send_photo(self, params, files) -> dict:
        return self._send_file(params, files, "photo", "sendPhoto")

    def _send_file(self, params: dict, files: dict, field_name: str, method: str) -> dict:
        chat = self.world.chat_for_bot(params.get("chat_id"))
        caption, entities = check_text(params, "caption", limit=CAPTION_LIMIT, required=False)
        name, mime, data = self._upload(params.get(field_name), files, field_name)
        file_id = "F" + secrets.token_hex(12)
        self.world.files[file_id] = (name, mime, data)
        content: dict[str, Any] = {}
        if field_name == "document":
            content["document"] = {"file_id": file_id, "file_unique_id": file_id[:10], "file_name": name,
                                   "mime_type": mime, "file_size": len(data)}
        else:
            content["photo"] = [{"file_id": file_id, "file_unique_id": file_id[:10], "width": 800, "height": 600,
                                 "file_size": len(data)}]
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return send(self.world, chat, method, params, **content)

    def _upload(self, reference: Any, files: dict, field_name: str) -> tuple[str, str, bytes]:
        """The file sent in the request (as the field or "attach://<name>"), or a known file_id."""
        upload = files.get(field_name)
        if upload is None and isinstance(reference, str) and reference.startswith("attach://"):
            upload = files.get(reference[len("attach://"):])
        if upload is None:
            if not (isinstance(reference, str) and reference in self.world.files):
                raise bad("wrong file identifier/HTTP URL specified")
            upload = self.world.files[reference]
        if not upload[2]:
            raise bad("file must be non-empty")
        return upload
