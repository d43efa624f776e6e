"""The Bot API's error shape, shared by the sandbox's modules."""

from __future__ import annotations

import ipaddress
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


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: where Telegram's test environment also allows plain http."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
