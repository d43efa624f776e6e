"""The one place that builds the Application and registers every handler."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder

from .clock import Clock
from .config import Settings
from .cluster import Cluster
from .delivery import ConferenceRateLimiter, Dispatcher, SharedBudget
from .domain import series
from .domain.program import Program
from .announcement_service import AnnouncementService
from .handlers import (admin, announce, changes, community, conferences, conversation, dispatch, fallback, guests,
                       inline, orga, personal, program as program_handlers, reminders, signup)
from .handlers.backlog import BacklogNotices
from .handlers.push import make_renderer
from .processor import PerChatUpdateProcessor
from .reminder_service import ReminderService
from .request_backend import make_request
from .services import Conferences, ProgramHolder, Services
from .storage import Storage
from .webhook import WebhookServer, WebhookSettings
from .domain.loader import linked_url
from . import scope
from .handlers.common import set_menu_button
from .schedule_source import SourceFetcher
from .texts import commands
from .usecases import program_changes
from .handlers.context import CONTEXT_TYPES, BotContext

log = logging.getLogger(__name__)
WAKE_JOB = "outbox-wake"
SOURCE_JOB = "schedule-source"
PARTS = "started-parts"  # bot_data: the exit stack that stops what _post_init started


def build_application(settings: Settings, programs: Program | list[tuple[Path, Program]], clock: Clock | None = None,
                      limiter: ConferenceRateLimiter | None = None) -> Application:
    """A ready-to-run bot for one program or a series of them (each with the file it came from);
    storage opens and delivery starts in post_init. `limiter`: Telegram's limits as this bot
    keeps them (tests that are not about pacing relax the per-chat limits, which would otherwise
    pace every step of a conversation to 1/s)."""
    loaded = [(settings.program_path, programs)] if isinstance(programs, Program) else list(programs)
    fetch = SourceFetcher(settings.cache_dir).fetch
    conferences = Conferences(ProgramHolder(path, program, fetch=fetch) for path, program in loaded)
    storage = Storage(settings.database_path)
    # one conference: work without a conference in scope is that one's; several: there is none
    storage.database.default_conference = conferences.only()
    first = series.default_conference([program for _, program in loaded], datetime.now(timezone.utc))
    svc = Services(settings=settings, clock=clock or settings.make_clock(first.tz), storage=storage,
                   conferences=conferences)
    limiter = limiter or ConferenceRateLimiter(overall_per_second=settings.rate_limit)
    api_url = settings.api_url.rstrip("/")
    file_url = api_url[: -len("/bot")] + "/file/bot" if api_url.endswith("/bot") else api_url + "/file/bot"
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(api_url)
        .base_file_url(file_url)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
        .rate_limiter(limiter)
        # Replies, pushes and edits share one pool; getUpdates has its own, as in the default setup.
        .request(make_request(settings.http_backend, max(16, settings.max_concurrent_updates + 16), pool_timeout=10.0))
        .get_updates_request(make_request(settings.http_backend, 1, read_timeout=5.0, pool_timeout=10.0))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    application.bot_data["services"] = svc
    application.bot_data["rate_limiter"] = limiter
    application.update_processor.notices = BacklogNotices(application)  # type: ignore[attr-defined]
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    # Group -1 first: any command ends a pending input. Then one group, where the first handler
    # that matches answers: commands, the one button dispatcher, the one handler for typed
    # text (a pending input's step, else the search), then the catch-alls. Inline queries and
    # the cards people post with them ("via" the bot) come first: a card is no question.
    group, guard = conversation.command_guard()
    application.add_handler(guard, group=group)
    conversation.set_fallbacks(text=program_handlers.free_text, other=fallback.unsupported)
    for handler in (*inline.handlers(), *program_handlers.handlers(), *signup.handlers(), *reminders.handlers(), *personal.handlers(),
                    *community.handlers(), *admin.handlers(), *orga.handlers(), *announce.handlers(), *guests.handlers(),
                    *conferences.handlers(),
                    *changes.handlers(), *conversation.handlers(), *dispatch.handlers(), *fallback.handlers()):
        application.add_handler(handler)
    application.add_error_handler(fallback.on_error)


async def _start_with_program(svc: Services) -> None:
    """A process starts with its own program file, which is in force from then on (as after a
    /reload). With several processes, one started with a different file is worth a warning."""
    mine = svc.program.base.fingerprint()
    before = await svc.storage.program_changes.start_with_file(mine)
    if before is not None and before != mine and not svc.cluster.solo:
        log.warning("%s differs from the program file the bot's other processes started with or reloaded: "
                    "give every process the same file", svc.program.path)


class LegacyError(RuntimeError):
    """The database holds rows from before the series, and no conference can be said to be theirs."""


async def _adopt_legacy(svc: Services) -> None:
    """Rows of a database from before the bot ran a series belong to the conference of its
    program: the only one, or the one whose sessions they all name. Done once, at start."""
    sessions = await svc.storage.series.legacy()
    if sessions is None:
        return
    candidates = [h.base.conference.id for h in svc.conferences if sessions <= {s.id for s in h.base.sessions}]
    if len(svc.conferences) == 1:
        candidates = svc.conferences.ids
    if len(candidates) != 1:
        raise LegacyError(f"the database holds sign-ups and other data from before this bot ran several conferences, "
                          f"and {len(candidates) or 'none'} of the programs could be theirs ({', '.join(candidates)}): "
                          f"start the bot once with BOT_PROGRAM naming only the program of that conference")
    counts = await svc.storage.series.adopt_legacy(candidates[0])
    log.warning("rows from before the series adopted for conference %s: %s", candidates[0],
                {table: count for table, count in counts.items() if count})


async def _start_each_conference(svc: Services) -> None:
    """Each conference's live changes survive restarts; its file is the one in force."""
    for holder in svc.conferences:
        with scope.within(holder.base.conference.id):
            svc.program.adopt(None, await svc.storage.program_changes.overrides())
            await _start_with_program(svc)


async def _post_init(application: Application) -> None:
    """Start every part of the bot in order, each paired with its stop on one exit stack: they
    stop in the reverse order (_post_stop), and when one fails to start (a taken port), those
    already started stop again before the error is reported."""
    svc: Services = application.bot_data["services"]
    svc.bot_username = application.bot.username
    parts = AsyncExitStack()
    try:
        await parts.enter_async_context(_storage_open(svc))
        cluster = await parts.enter_async_context(_cluster_joined(svc, application))
        await _adopt_legacy(svc)
        await _start_each_conference(svc)
        await parts.enter_async_context(_web_serving(svc, application))  # early: a taken port stops the start at once
        await _settle_the_book(svc)
        await parts.enter_async_context(_delivering(svc, application, cluster))
        await parts.enter_async_context(_timed_work(svc, application, cluster))
    except BaseException:
        await parts.aclose()
        raise
    application.bot_data[PARTS] = parts
    _watch_source(application)
    await _register_commands(application)
    await set_menu_button(application.bot, svc.settings.web_url, "de")  # per chat in English: handlers.program
    log.info("bot ready: %s, %s", ", ".join(p.conference.name.get("de") for p in svc.conferences.programs()),
             svc.clock.describe())


async def _post_stop(application: Application) -> None:
    parts: AsyncExitStack | None = application.bot_data.pop(PARTS, None)
    if parts is not None:
        await parts.aclose()


@asynccontextmanager
async def _storage_open(svc: Services) -> AsyncIterator[None]:
    await svc.storage.open()
    try:
        yield
    finally:
        await svc.storage.close()


@asynccontextmanager
async def _cluster_joined(svc: Services, application: Application) -> AsyncIterator[Cluster]:
    """This process among the bot's processes; with others alive, Telegram's limits are shared."""
    cluster = Cluster(svc.storage, alone=svc.storage.dialect == "sqlite")
    svc.cluster = cluster
    await cluster.join()
    # waiting lists are ordered by arrival: stamped by the database's clock, as this host reckons it
    application.update_processor.clock_ns = lambda: int(cluster.database_time() * 1e9)  # type: ignore[attr-defined]
    try:
        if not cluster.alone:
            application.bot_data["rate_limiter"].share(SharedBudget(svc.storage, needed=lambda: not cluster.solo))
        yield cluster
    finally:
        await cluster.stop()


@asynccontextmanager
async def _web_serving(svc: Services, application: Application) -> AsyncIterator[None]:
    """The Mini App's web server, when BOT_WEB_LISTEN is set."""
    if svc.settings.web_listen is None:
        yield
        return
    from .web.server import WebServer

    svc.web = WebServer(svc, application.update_processor.next_arrival,  # type: ignore[attr-defined]
                        bot_username=lambda: application.bot.username)
    await svc.web.start(*svc.settings.web_listen)
    try:
        yield
    finally:
        await svc.web.stop()


async def _settle_the_book(svc: Services) -> None:
    """Announcements written in each program file, and capacities a file may have changed."""
    for holder in svc.conferences:
        with scope.within(holder.base.conference.id):
            await svc.storage.announcements.sync_file(list(svc.program.current.announcements), svc.now())
            promotions, overbooked = await svc.storage.registrations.reconcile_capacities(svc.program.current, svc.now())
        for item in overbooked:
            log.warning("session %s of %s is overbooked: %d confirmed, capacity %d", item.session_id,
                        holder.base.conference.id, item.confirmed, item.capacity)
        if promotions:
            log.info("%d attendees of %s moved up from waiting lists at start", len(promotions), holder.base.conference.id)


@asynccontextmanager
async def _delivering(svc: Services, application: Application, cluster: Cluster) -> AsyncIterator[None]:
    """The outbox's dispatcher: sends what is due within Telegram's limits."""
    dispatcher = Dispatcher(svc.storage, application.bot, svc.clock, make_renderer(svc),
                            schedule_wake=lambda delay: _schedule_wake(application, delay), instance=cluster.instance,
                            live=None if cluster.alone else (lambda: cluster.live))
    svc.delivery = dispatcher
    await dispatcher.start()
    try:
        yield
    finally:
        await dispatcher.stop()


@asynccontextmanager
async def _timed_work(svc: Services, application: Application, cluster: Cluster) -> AsyncIterator[None]:
    """Reminders, scheduled announcements and their progress: the leader wakes for them; every
    process queues what is due at once."""
    svc.announcements = AnnouncementService(svc, application.bot)
    svc.reminders = ReminderService(svc, application.job_queue)
    try:
        cluster.on_lead(svc.announcements.resume)
        cluster.on_lead(svc.reminders.run)  # catches up what fell due while no process led
        cluster.on_follow(_unschedule(svc.reminders))
        await cluster.start()
        if not cluster.is_leader:
            await svc.reminders.run()  # what is due now is queued by whoever comes first
        svc.reminders.start_safety_net()
        yield
    finally:
        await svc.reminders.stop()
        await svc.announcements.stop()


def _watch_source(application: Application) -> None:
    """A schedule linked by URL is checked every few minutes; a new version is offered to the
    organizers as a reload preview. Nothing is applied without their confirmation."""
    svc: Services = application.bot_data["services"]
    for holder in svc.conferences:
        url = linked_url(holder.path)
        if url and application.job_queue is not None:
            log.info("checking the schedule source %s every %d s", url, svc.settings.source_poll_seconds)
            application.job_queue.run_repeating(_check_source, interval=svc.settings.source_poll_seconds,
                                                first=svc.settings.source_poll_seconds, name=SOURCE_JOB,
                                                data=holder.base.conference.id)


async def _check_source(context: BotContext) -> None:
    svc = context.services
    if svc.leads():  # one process offers a new schedule, not each of them
        with scope.within(context.job.data):
            await program_changes.offer_new_source(svc)


def _schedule_wake(application: Application, delay: float) -> None:
    """Let APScheduler wake the dispatcher when the next message falls due."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    for job in job_queue.get_jobs_by_name(WAKE_JOB):
        job.schedule_removal()
    job_queue.run_once(_wake_dispatcher, when=max(0.0, delay), name=WAKE_JOB,
                       job_kwargs={"misfire_grace_time": None})


async def _wake_dispatcher(context: BotContext) -> None:
    svc: Services = context.application.bot_data["services"]
    if isinstance(svc.delivery, Dispatcher):
        svc.delivery.wake()


async def _register_commands(application: Application) -> None:
    try:
        await application.bot.set_my_commands([BotCommand(c, d) for c, d in commands("de")])
        for lang in ("de", "en"):
            await application.bot.set_my_commands([BotCommand(c, d) for c, d in commands(lang)], language_code=lang)
    except Exception as error:  # noqa: BLE001 - the menu is a convenience; the bot works without it
        log.warning("could not register the command menu: %s", error)


def _unschedule(reminders: ReminderService):
    async def hook() -> None:
        reminders.unschedule()
    return hook


@asynccontextmanager
async def running(application: Application, poll_timeout: int = 10,
                  webhook: WebhookSettings | None = None) -> AsyncIterator[Application]:
    """Run the bot inside an existing event loop (tests, demo, benchmarks, `run --webhook`):
    by long polling, or with `webhook` as a webhook server; stops gracefully."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        if webhook is None:
            async with _polling(application, poll_timeout):
                yield application
        else:
            async with _serving_webhook(application, webhook):
                yield application
    finally:
        await application.shutdown()


@asynccontextmanager
async def _polling(application: Application, poll_timeout: int) -> AsyncIterator[None]:
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
    await application.start()
    try:
        yield
    finally:
        if application.updater.running:
            await application.updater.stop()
        await _stop(application)


@asynccontextmanager
async def _serving_webhook(application: Application, settings: WebhookSettings) -> AsyncIterator[WebhookServer]:
    svc: Services = application.bot_data["services"]
    server = WebhookServer(application, svc.storage, settings)
    application.bot_data["webhook"] = server
    await application.start()
    try:
        await server.start()
        try:
            await server.register()
            yield server
        finally:
            await server.stop()  # no new updates; those being handled finish first
    finally:
        await _stop(application)


async def _stop(application: Application) -> None:
    if application.running:
        await application.stop()
    if application.post_stop:
        await application.post_stop(application)


async def wait_forever() -> None:
    await asyncio.Event().wait()
