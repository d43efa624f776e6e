"""Shared pieces of the benchmarks: a sandbox in its own process (so its CPU does not count
against the bot's), the bot or a minimal floor bot in this process, percentiles."""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # this checkout: the harness and the sandbox
# The bot under test: this checkout's, or with BENCH_CODE=DIR another checkout's (e.g. `git archive
# <commit> | tar -x -C DIR`), so that before and after run in turns against one harness and sandbox.
CODE = Path(os.environ.get("BENCH_CODE") or ROOT).resolve()
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PostgreSQL server the tests use
sys.path.insert(0, str(CODE))

from bot.sandbox.client import SandboxClient  # noqa: E402
from bot.sandbox.server import DEFAULT_TOKEN  # noqa: E402


CONFERENCE = "rk22-halle"  # the conference of program.yaml: seeded rows are its (bot/scope.py)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def sandbox_process(latency_ms: float = 50, limits: dict | None = None):
    """`python -m bot sandbox` on a free port, configured; yields (client, api_url)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = SandboxClient(f"http://127.0.0.1:{port}")
    try:
        for _ in range(100):
            try:
                await client.state()
                break
            except Exception:  # noqa: BLE001 - not up yet
                await asyncio.sleep(0.05)
        await client.configure(latency_ms=latency_ms, limits=limits or {})
        yield client, f"http://127.0.0.1:{port}/bot"
    finally:
        await client.close()
        process.terminate()
        process.wait(10)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def tightest_second(requests: list[dict], limit: int = 30) -> float:
    """The shortest time in which `limit` + 1 accepted sends arrived at the sandbox, which counts
    arrivals as Telegram does: under 1 s is a 429 (or one avoided by luck); the amount over 1 s
    is the margin a broadcast left."""
    arrivals = sorted(r["arrived"] for r in requests if r.get("status") == 200 and "arrived" in r
                      and (r["method"].startswith("send") or r["method"] in ("copyMessage", "forwardMessage")))
    return min((arrivals[i + limit] - arrivals[i] for i in range(len(arrivals) - limit)), default=float("nan"))


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.platform()}"


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="konferenz-bench-"))


def table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    line = "| " + " | ".join(c.ljust(widths[c]) for c in columns) + " |"
    rule = "|" + "|".join("-" * (widths[c] + 2) for c in columns) + "|"
    body = ["| " + " | ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) + " |" for r in rows]
    return "\n".join([line, rule, *body])


async def wait_for_outputs(client: SandboxClient, count: int, timeout: float, kind: str | None = None) -> list[dict]:
    """Poll until at least `count` outputs (of `kind`) exist; returns them all."""
    deadline = time.monotonic() + timeout
    while True:
        outputs = await client.outputs(after=0)
        chosen = [o for o in outputs if kind is None or o["kind"] == kind]
        if len(chosen) >= count or time.monotonic() > deadline:
            return chosen
        await asyncio.sleep(0.2)


TOKEN = DEFAULT_TOKEN


@asynccontextmanager
async def started_bot(client: SandboxClient, env: dict):
    """`python -m bot run` in a process of its own (this checkout, `env` added to the
    environment), yielding (process, seconds until its first getUpdates reached the sandbox);
    stopped with SIGTERM afterwards, which must end it cleanly (its last stderr then in the error)."""
    before = (await client.state())["getupdates_calls"]
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while (await client.state())["getupdates_calls"] == before and time.monotonic() - started < 60:
            await asyncio.sleep(0.01)
        yield process, time.monotonic() - started
    finally:
        process.terminate()
        _, errors = await asyncio.to_thread(process.communicate, None, 20)
    assert process.returncode in (0, -15), errors.decode()[-2000:]


@asynccontextmanager
async def postgres_server():
    """A throwaway PostgreSQL on loopback with the server's default durability (fsync on),
    started for the benchmark and removed after it; yields it (`server.url()` names a fresh schema)."""
    from postgres import ThrowawayPostgres
    server = await asyncio.to_thread(ThrowawayPostgres(durable=True).start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)
