"""The Mini App in a real headless browser (Debian's chromium driven by Playwright) against the
running bot: the grid, a sign-up that reaches /meine, a forged initData, the English page, offline.

Never skipped: without chromium these tests fail and say how to install it."""

from __future__ import annotations

import asyncio
import re
import string
from contextlib import asynccontextmanager

import pytest

from bot.sandbox.client import text_of
from bot.texts import de, en
from bot.web.api import PAGE_TEXTS
from bot.web.initdata import launch_url
from bot.web.server import WebServer
import chromium
from conftest import init_data

pytestmark = pytest.mark.slow  # each test starts the bot and a browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@asynccontextmanager
async def browser_page(profile_dir, width: int = 360):
    """A fresh browser profile with one page at phone width."""
    try:
        executable = chromium.executable()  # installs Debian's chromium where it is missing
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: pip install -e '.[test]' (never run `playwright install`)")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile_dir), executable_path=executable, args=CHROMIUM_ARGS, viewport={"width": width, "height": 740})
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            assert errors == [], errors
        finally:
            await context.close()


async def until(page, expression: str, timeout: float = 10) -> None:
    """Wait until `expression` is true in the page. Polled from here: Playwright's own
    wait_for_function evaluates strings in a way the page's CSP (no eval) rightly blocks."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await page.evaluate(expression):
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {expression}"
        await asyncio.sleep(0.05)


def page_url(harness, user_id: int, lang: str = "de", raw: str | None = None) -> str:
    return launch_url(harness.services.settings.web_url, raw or init_data(user_id, lang),
                      theme={"bg_color": "#ffffff", "text_color": "#000000", "button_color": "#2481cc"})


async def test_the_grid_shows_the_programs_sessions_as_labelled_buttons(web_harness, tmp_path):
    h = web_harness
    anna = await h.attendee("Anna")
    program = h.services.program.current
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, anna.id))
        await page.wait_for_selector(".cell")
        ids = await page.eval_on_selector_all(".cell", "cells => cells.map(c => c.dataset.id)")
        assert sorted(ids) == sorted(s.id for s in program.sessions)
        label = await page.get_attribute('.cell[data-id="podium"]', "aria-label")
        assert "Podiumsdiskussion" in label and "11:05–11:50" in label and "Großer Saal" in label
        assert await page.inner_text("#status") == "Jetzt: 10:30"  # the bot's clock, not the browser's
        assert await page.is_visible(".nowline")
        assert await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--button').trim()") == "#2481cc"


async def test_a_signup_on_the_page_appears_in_mine_through_the_sandbox(web_harness, tmp_path):
    h = web_harness
    anna = await h.attendee("Anna")
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, anna.id))
        await page.click('.cell[data-id="ws-zwilling"]')
        assert await page.evaluate("document.activeElement.id") == "d-title"  # focus moves into the dialog
        await page.click("#d-actions button >> text=Anmelden")
        await until(page, "document.getElementById('d-message').textContent.includes('angemeldet')")
        await page.wait_for_selector('.cell.confirmed[data-id="ws-zwilling"]')
        assert "✅ angemeldet" in await page.get_attribute('.cell[data-id="ws-zwilling"]', "aria-label")
        await page.keyboard.press("Escape")
        # focus goes back to the cell that opened the dialog (redrawn meanwhile)
        await until(page, "document.activeElement.dataset.id === 'ws-zwilling'", 2)
    mine = await anna.send("/meine")
    assert "Workshop 1: Digitale Zwillinge" in text_of(mine)


async def test_a_forged_init_data_is_refused_and_nothing_changes(web_harness, tmp_path):
    h = web_harness
    anna = await h.attendee("Anna")
    forged = init_data(anna.id).replace("Anna", "Mallory")
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, anna.id, raw=forged))
        await page.wait_for_selector("#status.error")
        assert "nur aus dem Chat" in await page.inner_text("#status")
        assert await page.query_selector_all(".cell") == []
    assert await h.services.storage.registrations.of_person(anna.id) == []
    assert await h.services.storage.attendees.get(anna.id) is None  # not even recorded


def _german_only_fragments() -> set[str]:
    """Literal pieces of the German UI texts the page shows that the English texts do not have."""
    keys = [*PAGE_TEXTS, "web_mark_confirmed", "web_mark_waiting", "web_mark_bookmarked", "web_mark_free",
            "web_mark_full", "web_mark_cancelled", "web_grid_label", "web_all_rooms", "button_signup", "button_bookmark",
            "button_unbookmark", "button_cancel_seat", "button_leave_waitlist", "details_seats_free", "details_seats_full",
            "details_time", "details_you_confirmed"]
    english = " ".join(en.TEXTS[key] for key in keys)
    fragments = set()
    for key in keys:
        for literal, *_ in string.Formatter().parse(de.TEXTS[key]):
            for piece in re.split(r"[|\n]", literal or ""):
                piece = piece.strip(" .,:;()–-…✅⏳⭐❌🎟🕒📍✖️")
                if len(piece) >= 4 and piece not in english:
                    fragments.add(piece)
    return fragments


async def test_the_english_page_has_no_german_ui_text(web_harness, tmp_path):
    h = web_harness
    ben = await h.attendee("Ben", lang="en")
    await ben.send("/start")
    await h.services.storage.bookmarks.toggle(ben.id, "podium", h.services.now())
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, ben.id, lang="en"))
        await page.wait_for_selector(".cell")
        await page.click('.cell[data-id="ws-zwilling"]')
        await page.wait_for_selector("#d-actions button")
        visible = await page.inner_text("body")
        labels = " ".join(await page.eval_on_selector_all(
            "[aria-label]", "nodes => nodes.map(n => n.getAttribute('aria-label'))"))
        assert await page.get_attribute("html", "lang") == "en"
    assert "Sign up" in visible and "seats free" in visible
    fragments = _german_only_fragments()
    assert {"Anmelden", "gemerkt", "ausgebucht"} <= fragments  # the check has teeth
    found = sorted(f for f in fragments if f in visible or f in labels)
    assert found == [], found


async def test_offline_the_page_shows_the_last_day_with_a_stale_notice_and_retries(web_harness, tmp_path):
    h = web_harness
    anna = await h.attendee("Anna")
    svc = h.services
    host, port = svc.settings.web_listen
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, anna.id))
        await page.wait_for_selector(".cell")
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # assets are cached now
        await svc.web.stop()  # nothing answers any more: neither the API nor the assets
        await page.reload()
        await page.wait_for_selector("#status.stale")
        assert await page.inner_text("#status") == "Stand: 10:30 – offline"
        assert len(await page.query_selector_all(".cell")) == len(svc.program.current.sessions)
        svc.web = WebServer(svc, h.application.update_processor.next_arrival)
        await svc.web.start(host, port)
        await until(page, "!document.getElementById('status').classList.contains('stale')", 15)
        assert (await page.inner_text("#status")).startswith("Jetzt: ")


async def test_several_days_are_tabs_and_each_shows_its_own_sessions(tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from conftest import SettableClock, bot_running, web_settings
    from test_e2e_multiday import TWO_DAYS

    program_file = tmp_path / "two-days.yaml"
    program_file.write_text(TWO_DAYS, encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 26, 8, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    async with bot_running(tmp_path, clock, program_file, **web_settings()) as h:
        anna = await h.attendee("Anna", lang="en")
        async with browser_page(tmp_path / "profile") as page:
            await page.goto(page_url(h, anna.id, lang="en"))
            await page.wait_for_selector(".cell")
            tabs = await page.query_selector_all('#days [role="tab"]')
            assert [await t.inner_text() for t in tabs] == ["Sat 25 Oct", "Sun 26 Oct"]
            assert [await t.get_attribute("aria-selected") for t in tabs] == ["false", "true"]  # today first
            assert await page.eval_on_selector_all(".cell", "cells => cells.map(c => c.dataset.id)") == ["labor"]
            assert await page.is_visible(".nowline")
            await tabs[0].click()
            assert await page.eval_on_selector_all(".cell", "cells => cells.map(c => c.dataset.id)") == ["auftakt"]
            await page.keyboard.press("ArrowRight")  # the tabs work from the keyboard too
            assert await page.eval_on_selector_all(".cell", "cells => cells.map(c => c.dataset.id)") == ["labor"]


async def test_at_200_percent_text_nothing_is_clipped(web_harness, tmp_path):
    h = web_harness
    anna = await h.attendee("Anna")
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, anna.id))
        await page.wait_for_selector(".cell")
        await page.evaluate("document.documentElement.style.fontSize = '200%'")
        clipped = await page.eval_on_selector_all(
            ".cell, .room, h1, #status", "nodes => nodes.filter(n => n.scrollHeight > n.clientHeight + 1"
            " || n.scrollWidth > n.clientWidth + 1).map(n => n.textContent)")
        assert clipped == []


async def test_organizers_get_their_view_as_a_tab_with_bars(web_harness, tmp_path):
    from conftest import ADMIN_ID

    h = web_harness
    anna = await h.attendee("Anna")
    await anna.send("/anmelden ws-zwilling")
    await h.attendee("Orga", user_id=ADMIN_ID)
    async with browser_page(tmp_path / "profile") as page:
        await page.goto(page_url(h, ADMIN_ID))
        await page.click('#views [role="tab"] >> text=Orga')
        await page.wait_for_selector("#orga .bar")
        text = await page.inner_text("#orga")
        assert "Plätze und Wartelisten" in text and "1 von 45 Plätzen belegt · Warteliste: 0" in text
        assert "Durchsagen" in text and "Bewertungen" in text
        assert await page.get_attribute("#orga .bar", "aria-label") == "1 von 45 Plätzen belegt · Warteliste: 0"
    async with browser_page(tmp_path / "profile-attendee") as page:
        await page.goto(page_url(h, anna.id))
        await page.wait_for_selector(".cell")
        assert not await page.is_visible("#views")  # no organizer tab for attendees


async def test_inside_telegram_web_the_page_works_says_ready_and_asks_for_full_height(web_harness, tmp_path):
    """Telegram Web shows a Mini App in a cross-site iframe (where web storage may be refused)
    and listens for the postEvent messages."""
    h = web_harness
    anna = await h.attendee("Anna")
    async with browser_page(tmp_path / "profile") as page:
        await page.set_content('<script>window.got = []; addEventListener("message", e => got.push(e.data));</script>'
                               f'<iframe src="{page_url(h, anna.id)}"></iframe>')
        await until(page, "window.got.some(d => d.includes('web_app_ready'))")
        assert await page.evaluate("window.got.some(d => d.includes('web_app_expand'))")
        frame = page.frames[1]
        await frame.wait_for_selector('.cell[data-id="podium"]')
