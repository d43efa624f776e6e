"""Files: documents and photos, uploaded or sent again by their file_id; each sent file gets a
new file_id, readable through the control API."""

from __future__ import annotations

import secrets
from typing import Any

from ..checks import CAPTION_LIMIT, check_text
from ..errors import bad
from ..world import World
from .messages import send


class FileMessages:
    def __init__(self, world: World):
        self.world = world

    def methods(self) -> dict:
        return {"sendDocument": self.send_document, "sendPhoto": self.send_photo}

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
