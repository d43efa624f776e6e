"""Calls that arrive while a batch of their kind is written go together into the next batch: a
burst of first messages costs one statement per batch, not one per person (bench/signup.py)."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalesced(Generic[Item, Result]):
    """`await coalesced(item)` writes `item` with whatever else waits, through `write(items)`,
    which returns one result per item. One bad item spoils its batch's statement: that batch is
    then written item by item, so that only its own caller gets the error."""

    def __init__(self, write: Callable[[list[Item]], Awaitable[list[Result]]]):
        self._write = write
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def __call__(self, item: Item) -> Result:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            if not await self._settle(batch, fail=len(batch) == 1):
                for one in batch:
                    await self._settle([one], fail=True)

    async def _settle(self, batch: list[tuple[Item, asyncio.Future]], fail: bool) -> bool:
        """Write this batch and answer its callers; False if it failed and `fail` is off."""
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as error:  # noqa: BLE001 - the callers get it
            if not fail:
                return False
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return True
        for (_, future), result in zip(batch, results):
            if not future.done():
                future.set_result(result)
        return True
