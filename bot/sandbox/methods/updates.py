"""How the bot receives its updates: by long polling (getUpdates) or by a webhook that the
delivery (webhook.py) posts to; one excludes the other, as on Telegram."""

from __future__ import annotations

from ..errors import ApiError
from ..webhook import CONFLICT, Delivery, WebhookRejected, check_webhook
from ..world import World

MAX_LIMIT = 100  # updates per getUpdates


class Updates:
    def __init__(self, world: World, delivery: Delivery):
        self.world = world
        self.delivery = delivery
        self.getupdates_calls = 0

    def methods(self) -> dict:
        return {"getUpdates": self.get_updates, "setWebhook": self.set_webhook,
                "deleteWebhook": self.delete_webhook, "getWebhookInfo": self.get_webhook_info}

    async def get_updates(self, params, files) -> list[dict]:
        """Confirm what is before `offset`, then the pending updates, waiting up to `timeout`
        seconds for one (a long poll; answered with nothing when the sandbox stops)."""
        self.getupdates_calls += 1
        if self.delivery.webhook is not None:
            raise ApiError(409, CONFLICT)
        limit = max(1, min(MAX_LIMIT, int(params.get("limit") or MAX_LIMIT)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        self._confirm(params.get("offset"))
        allowed = params.get("allowed_updates")

        def pending() -> list[dict]:
            return [u for u in self.world.updates if not allowed or any(k in allowed for k in u if k != "update_id")]

        await self.world.until(lambda: bool(pending()), timeout)
        return pending()[:limit]

    def _confirm(self, offset: object) -> None:
        """Drop the updates the bot has seen; a negative offset keeps the last -offset ones."""
        if not isinstance(offset, int):
            return
        if offset < 0:
            self.world.updates = self.world.updates[offset:]
        else:
            self.world.updates = [u for u in self.world.updates if u["update_id"] >= offset]

    async def set_webhook(self, params, files) -> bool:
        if not params.get("url"):  # an empty URL removes the webhook, as Telegram allows
            return await self.delete_webhook({"drop_pending_updates": params.get("drop_pending_updates")}, files)
        try:
            webhook = check_webhook(params, certificate="certificate" in files or "certificate" in params)
        except WebhookRejected as error:
            raise ApiError(400, str(error)) from None
        self.delivery.set(webhook, drop_pending=bool(params.get("drop_pending_updates")))
        return True

    async def delete_webhook(self, params, files) -> bool:
        drop = bool(params.get("drop_pending_updates"))
        if self.delivery.webhook is not None:
            await self.delivery.delete(drop)
        if drop:
            self.world.updates.clear()
        return True

    async def get_webhook_info(self, params, files) -> dict:
        return self.delivery.info(len(self.world.updates))
