"""The Bot API's error shape, shared by the sandbox's modules."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None):
        self.code, self.description, self.parameters = code, description, parameters
        self.scope: str | None = None
        super().__init__(description)

    def body(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")
