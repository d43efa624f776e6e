"""The Mini App in a real headless browser (Debian's chromium driven by Playwright) against the
running bot, as attendees use it: at 360×740 (a phone) and 1280×800, in German and English, in
light and dark, with the page's own colours and with Telegram's. One browser for the module, a
fresh context (profile) per page. axe-core (shipped by the axe-playwright-python package,
MPL-2.0) checks WCAG 2.2 AA.

Never skipped: without chromium these tests fail and say how to install it."""

from __future__ import annotations

import asyncio
import re
import string
from contextlib import asynccontextmanager
from importlib import resources

import pytest
import pytest_asyncio

from bot.domain.changes import delay
from bot.links import room_link
from bot.sandbox.client import text_of
from bot.texts import de, en
from bot.web.api import PAGE_TEXTS
from bot.web.initdata import launch_url
from bot.web.server import WebServer
import chromium
from conftest import ADMIN_ID, berlin, bot_running, init_data, web_settings

# each test starts the bot; the module shares one browser
pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 # Telegram Web stands in as a routed https page; its frame is this machine's loopback server,
                 # which Chromium's Local Network Access rules would block (a real bot is served publicly)
                 "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
                 "PrivateNetworkAccessForNavigations"]
PHONE, WIDE = (360, 740), (1280, 800)
# Telegram's default themes as its clients send them in tgWebAppThemeParams.
TELEGRAM_LIGHT = {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999", "link_color": "#2481cc",
                  "button_color": "#2481cc", "button_text_color": "#ffffff", "secondary_bg_color": "#efeff3",
                  "header_bg_color": "#ffffff", "accent_text_color": "#2481cc", "section_bg_color": "#ffffff",
                  "section_header_text_color": "#6d6d72", "subtitle_text_color": "#999999",
                  "destructive_text_color": "#ff3b30"}
TELEGRAM_DARK = {"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499", "link_color": "#6ab3f3",
                 "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c",
                 "header_bg_color": "#17212b", "accent_text_color": "#6ab2f2", "section_bg_color": "#17212b",
                 "section_header_text_color": "#6ab3f3", "subtitle_text_color": "#708499",
                 "destructive_text_color": "#ec3942"}
# (name, the system's colour scheme, Telegram's theme parameters or None for the page's own colours)
THEMES = [("page light", "light", None), ("page dark", "dark", None), ("Telegram light", "light", TELEGRAM_LIGHT),
          ("Telegram dark", "dark", TELEGRAM_DARK)]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WORKSHOPS = ("ws-zwilling", "ws-mobilitaet", "ws-beteiligung")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser():
    try:
        executable = chromium.executable()  # installs Debian's chromium where it is missing; never skipped
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: pip install -e '.[test]' (never run `playwright install`)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def web(tmp_path, clock):
    async with bot_running(tmp_path, clock, **web_settings()) as running_harness:
        yield running_harness


@asynccontextmanager
async def opened(browser, size=PHONE, scheme: str = "light", axe: bool = False):
    """A fresh profile with one page; no script error may happen on it. `axe`: the page's CSP is
    bypassed so that axe-core can be injected."""
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme,
                                        bypass_csp=axe)
    try:
        page = await context.new_page()
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


def page_url(harness, user_id: int, lang: str = "de", raw: str | None = None, theme: dict | None = TELEGRAM_LIGHT) -> str:
    return launch_url(harness.services.settings.web_url, raw or init_data(user_id, lang), theme=theme)


def session(session_id: str) -> str:
    return f'[data-key="b:{session_id}"]'


async def axe_problems(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA violations, one line each."""
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.add_script_tag(content=(resources.files("axe_playwright_python") / "axe.min.js").read_text())
    # label-content-name-mismatch (WCAG 2.5.3, labels start with the visible text) is experimental in axe: asked for
    result = await page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],"
                                 " rules: {'label-content-name-mismatch': {enabled: true}}})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]} {v['nodes'][0].get('failureSummary', '')[:160]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def on_first_screen(page, session_id: str) -> bool:
    """The session's button starts inside the viewport (and inside the grid's scroller), and
    its first two lines show, without any scrolling of the page."""
    return await page.evaluate("""selector => {
        const node = document.querySelector(selector);
        if (!node || window.scrollY !== 0) return false;
        const box = node.getBoundingClientRect();
        const frame = node.closest('.scroller');
        const bottom = Math.min(innerHeight, frame ? frame.getBoundingClientRect().bottom : innerHeight);
        return box.top >= 0 && box.left >= 0 && box.right <= innerWidth && box.top + Math.min(box.height, 40) <= bottom;
    }""", session(session_id))


# --- the first screen, accessibility ----------------------------------------------------------

@pytest.mark.parametrize("size", [PHONE, WIDE], ids=["360x740", "1280x800"])
async def test_at_12_50_now_and_next_are_on_the_first_screen_and_axe_finds_nothing_serious(web, browser, size):
    h = web
    h.clock.set(berlin("2025-06-03 12:50"))
    anna, ben = await h.attendee("Anna"), await h.attendee("Ben", lang="en")
    await anna.send("/anmelden ws-zwilling")
    await ben.send("/start")
    await h.services.storage.bookmarks.toggle(ben.id, "podium", h.services.now())
    for lang, person in (("de", anna), ("en", ben)):
        for name, scheme, theme in THEMES:
            async with opened(browser, size, scheme, axe=True) as page:
                await page.goto(page_url(h, person.id, lang, theme=theme))
                await page.wait_for_selector(session("ws-beteiligung"))
                where = f"{lang}, {name}, {size}"
                for session_id in ("mittagspause", *WORKSHOPS):
                    assert await on_first_screen(page, session_id), (session_id, where)
                running = await page.inner_text(session("mittagspause"))
                assert ("läuft gerade" if lang == "de" else "on now") in running, where  # in words
                assert await page.inner_text("#date") == ("Dienstag, 3. Juni 2025" if lang == "de" else "Tuesday, 3 June 2025")
                assert await axe_problems(page) == [], where
                await page.click(session("ws-mobilitaet"))
                await page.wait_for_selector("#d-actions button")
                assert await axe_problems(page) == [], where + ", dialog open"


async def test_telegrams_colours_are_made_readable_where_they_fall_short(web, browser):
    anna = await web.attendee("Anna")
    async with opened(browser, PHONE, "dark") as page:
        await page.goto(page_url(web, anna.id, theme=TELEGRAM_DARK))
        await page.wait_for_selector(session("podium"))
        colours = await page.evaluate("['--bg', '--hint', '--button', '--text'].map("
                                      "v => getComputedStyle(document.documentElement).getPropertyValue(v).trim())")
    assert colours[0] == "#17212b" and colours[3] == "#f5f5f5"  # what passes stays as Telegram sent it
    assert colours[1] != "#708499" and colours[2] != "#5288c1"  # 4.22:1 and 3.71:1: lighter and darker shades


# --- focus stays where it was ------------------------------------------------------------------

async def focused(page) -> str:
    return await page.evaluate("document.activeElement.id || document.activeElement.dataset.key || document.activeElement.tagName")


async def refresh(page) -> None:
    """What the page does every 30 s and on focus or visibilitychange: reload the state and redraw."""
    before = await page.evaluate("performance.getEntriesByName('render').length")
    await page.evaluate("window.dispatchEvent(new Event('focus')); document.dispatchEvent(new Event('visibilitychange'))")
    await until(page, f"performance.getEntriesByName('render').length > {before}")


@pytest.mark.parametrize("size", [PHONE, WIDE], ids=["360x740", "1280x800"])
async def test_focus_survives_every_refresh_and_every_action_also_in_the_dialog(web, browser, size):
    anna = await web.attendee("Anna")
    async with opened(browser, size) as page:
        await page.goto(page_url(web, anna.id))
        await page.wait_for_selector(session("ws-zwilling"))
        await page.focus(session("ws-zwilling"))
        await refresh(page)
        assert await focused(page) == "b:ws-zwilling"
        await page.click("#mine")  # only mine: nothing chosen yet, then back
        await page.click("#mine")
        assert await focused(page) == "mine"
        await page.focus(session("ws-zwilling"))
        await page.keyboard.press("Enter")
        assert await focused(page) == "d-title"  # the dialog opens with its title
        await page.focus('#d-actions [data-key="a:bookmark"]')
        await refresh(page)
        assert await focused(page) == "a:bookmark"
        await page.keyboard.press("Enter")  # bookmark: the button stays focused and says so
        await until(page, "document.getElementById('d-message').textContent.includes('Gemerkt')")
        await until(page, "document.activeElement.textContent.includes('Nicht mehr merken')")
        await page.focus('#d-actions [data-key="a:seat"]')
        await page.keyboard.press("Enter")  # sign up: the same button becomes "Abmelden", focus on it
        await until(page, "document.getElementById('d-message').textContent.includes('angemeldet')")
        await until(page, "document.activeElement.textContent.includes('Abmelden')")
        await refresh(page)
        assert await focused(page) == "a:seat"
        if size == WIDE:  # after refreshes the grid still scrolls in its own box (room names and times stay)
            assert await page.evaluate("document.documentElement.scrollHeight <= innerHeight")
        await page.keyboard.press("Escape")
        await until(page, "document.activeElement.dataset.key === 'b:ws-zwilling'")  # back on the session
        assert "✅" in await page.inner_text(session("ws-zwilling"))


async def test_everything_works_from_the_keyboard_including_the_organizer_tab(web, browser):
    await (await web.attendee("Anna")).send("/anmelden ws-zwilling")
    await web.attendee("Orga", user_id=ADMIN_ID)
    async with opened(browser, PHONE, axe=True) as page:
        await page.goto(page_url(web, ADMIN_ID))
        await page.wait_for_selector(session("podium"))
        reached = []
        for _ in range(6):
            await page.keyboard.press("Tab")
            reached.append(await focused(page))
        # the bar's buttons, the tabs (one stop: the arrow keys move between them), then "now" and "next"
        assert reached == ["mine", "jump", "views-program", "b:smart-city-halle", "b:podium", "b:markt"]
        await page.focus("#views-program")
        await page.keyboard.press("ArrowRight")  # the organizer tab, by keyboard
        await page.wait_for_selector("#orga .bar-chart")
        assert await focused(page) == "views-orga"
        await page.keyboard.press("Tab")
        assert await focused(page) == "orga"  # the panel itself takes focus, so it scrolls by keyboard
        text = await page.inner_text("#orga")
        assert "Plätze und Wartelisten" in text and "1 von 45 Plätzen belegt · Warteliste: 0" in text
        assert await page.get_attribute("#orga .bar-chart", "aria-label") == "1 von 45 Plätzen belegt · Warteliste: 0"
        assert await axe_problems(page) == []
        await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("ArrowLeft")
        await page.wait_for_selector(session("podium"))
        await page.click("#jump")  # jump to now: the "now" heading takes focus
        assert await page.evaluate("document.activeElement.textContent") == "Jetzt"



async def test_on_a_wide_screen_the_first_tab_into_the_grid_reaches_now_not_the_morning(web, browser):
    web.clock.set(berlin("2025-06-03 12:50"))
    anna = await web.attendee("Anna")
    await anna.send("/start")
    async with opened(browser, WIDE) as page:
        await page.goto(page_url(web, anna.id))
        await page.wait_for_selector(session("podium"))
        reached = []
        for _ in range(5):
            await page.keyboard.press("Tab")
            reached.append(await focused(page))
        # the bar's buttons, then the session on now and the workshops next; the finished
        # morning comes after the rest of the day
        assert reached == ["mine", "jump", "b:mittagspause", "b:ws-zwilling", "b:ws-mobilitaet"], reached

# --- what attendees do -------------------------------------------------------------------------

async def test_a_signup_from_the_agenda_reaches_mine_in_the_chat(web, browser):
    anna = await web.attendee("Anna")
    async with opened(browser, PHONE) as page:
        await page.goto(page_url(web, anna.id))
        await page.click(session("ws-zwilling"))
        await page.click("#d-actions button >> text=Anmelden")
        await until(page, "document.getElementById('d-message').textContent.includes('angemeldet')")
        await until(page, f"document.querySelector('{session('ws-zwilling')}').textContent.includes('✅ angemeldet')")
        await page.click("#d-close")
        await page.click("#mine")  # only mine, as /meinplan: the seat and the sessions for everybody, no other workshop
        keys = await page.eval_on_selector_all("#program [data-key^='b:']", "nodes => nodes.map(n => n.dataset.key)")
        assert "b:ws-zwilling" in keys and "b:podium" in keys
        assert "b:ws-mobilitaet" not in keys and "b:ws-beteiligung" not in keys and "b:exkursion" not in keys
    mine = await anna.send("/meine")
    assert "Workshop 1: Digitale Zwillinge" in text_of(mine)


async def test_a_full_workshop_offers_its_waiting_list_and_the_calendar_downloads(web, browser):
    from bot.storage import AttendeeInfo

    svc = web.services
    anna = await web.attendee("Anna")
    for other in range(600_000, 600_045):
        await svc.storage.attendees.touch(AttendeeInfo(other, other, "P", "", None, "de"), svc.now())
        await svc.storage.registrations.sign_up(svc.program.current, "ws-mobilitaet", other, other, svc.now())
    async with opened(browser, PHONE) as page:
        await page.goto(page_url(web, anna.id))
        assert "ausgebucht" in await page.inner_text(session("ws-mobilitaet"))
        await page.click(session("ws-mobilitaet"))
        assert await page.inner_text('#d-actions [data-key="a:seat"]') == "⏳ Auf die Warteliste"
        async with page.expect_download() as download:
            await page.click('#d-actions [data-key="a:calendar"]')
        file = await (await download.value).path()
        assert "Workshop 2" in open(file, encoding="utf-8").read()
        assert await page.inner_text("#d-message") == "📅 Die Kalenderdatei wird geladen."


async def test_a_forged_init_data_is_refused_and_nothing_changes(web, browser):
    anna = await web.attendee("Anna")
    forged = init_data(anna.id).replace("Anna", "Mallory")
    async with opened(browser, PHONE) as page:
        await page.goto(page_url(web, anna.id, raw=forged))
        await page.wait_for_selector("#status.error")
        assert "nur aus dem Chat" in await page.inner_text("#status")
        assert await page.query_selector_all("[data-key^='b:']") == []
    assert await web.services.storage.registrations.of_person(anna.id) == []
    assert await web.services.storage.attendees.get(anna.id) is None  # not even recorded


def _german_only_fragments() -> set[str]:
    """Literal pieces of the German UI texts the page shows that the English texts do not have."""
    keys = [*PAGE_TEXTS, "web_mark_confirmed", "web_mark_waiting", "web_mark_bookmarked", "web_mark_free",
            "web_mark_full", "web_mark_cancelled", "web_mark_running", "web_mark_past", "web_grid_label",
            "web_all_rooms", "button_signup", "button_bookmark", "button_unbookmark", "button_cancel_seat",
            "button_leave_waitlist", "button_calendar", "details_seats_free", "details_seats_full", "details_time",
            "details_you_confirmed"]
    english = " ".join(en.TEXTS[key] for key in keys)
    fragments = set()
    for key in keys:
        for literal, *_ in string.Formatter().parse(de.TEXTS[key]):
            for piece in re.split(r"[|\n·]", literal or ""):
                piece = piece.strip(" .,:;()–-…✅⏳⭐❌🎟🕒📍✖️📅▶⏱📲")
                if len(piece) >= 4 and piece not in english:
                    fragments.add(piece)
    return fragments


@pytest.mark.parametrize("size", [PHONE, WIDE], ids=["360x740", "1280x800"])
async def test_the_english_page_has_no_german_ui_text(web, browser, size):
    ben = await web.attendee("Ben", lang="en")
    await ben.send("/start")
    await web.services.storage.bookmarks.toggle(ben.id, "podium", web.services.now())
    async with opened(browser, size) as page:
        await page.goto(page_url(web, ben.id, lang="en"))
        await page.click(session("ws-zwilling"))
        await page.wait_for_selector("#d-actions button")
        visible = await page.inner_text("body")
        labels = " ".join(await page.eval_on_selector_all(
            "[aria-label]", "nodes => nodes.map(n => n.getAttribute('aria-label'))"))
        assert await page.get_attribute("html", "lang") == "en"
    assert "Sign up" in visible and "free" in visible and "Only mine" in visible
    fragments = _german_only_fragments()
    assert {"Anmelden", "gemerkt", "ausgebucht", "läuft gerade"} <= fragments  # the check has teeth
    found = sorted(f for f in fragments if f in visible or f in labels)
    assert found == [], found


async def test_offline_the_page_keeps_the_last_day_marked_stale_wherever_one_scrolled(web, browser):
    svc = web.services
    anna = await web.attendee("Anna")
    host, port = svc.settings.web_listen
    async with opened(browser, PHONE) as page:
        await page.goto(page_url(web, anna.id))
        await page.wait_for_selector(session("podium"))
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # assets are cached now
        await svc.web.stop()  # nothing answers any more: neither the API nor the assets
        await page.reload()
        await page.wait_for_selector("#status.stale")
        assert await page.inner_text("#status") == "Stand: 10:30 – offline"
        assert len(await page.query_selector_all("[data-key^='b:']")) == len(svc.program.current.sessions)
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert await page.evaluate("(() => { const r = document.getElementById('status').getBoundingClientRect();"
                                   " return r.top >= 0 && r.bottom <= innerHeight; })()")  # still in view
        await page.evaluate("document.documentElement.style.fontSize = '200%'; window.dispatchEvent(new Event('resize'))")
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert await page.evaluate("(() => { const r = document.getElementById('status').getBoundingClientRect();"
                                   " return r.top >= 0 && r.bottom <= innerHeight; })()")  # tall, yet it stays
        await page.evaluate("document.documentElement.style.fontSize = ''; window.dispatchEvent(new Event('resize'))")
        svc.web = WebServer(svc, web.application.update_processor.next_arrival)
        await svc.web.start(host, port)
        await until(page, "!document.getElementById('status').classList.contains('stale')", 15)
        assert (await page.inner_text("#clock")).startswith("Jetzt: ")


async def test_several_days_are_tabs_and_each_shows_its_own_sessions(tmp_path, browser):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from conftest import SettableClock
    from test_e2e_multiday import TWO_DAYS

    program_file = tmp_path / "two-days.yaml"
    program_file.write_text(TWO_DAYS, encoding="utf-8")
    clock = SettableClock(datetime(2025, 10, 26, 8, 30, tzinfo=ZoneInfo("Europe/Berlin")))
    async with bot_running(tmp_path, clock, program_file, **web_settings()) as h:
        anna = await h.attendee("Anna", lang="en")
        async with opened(browser, PHONE) as page:
            await page.goto(page_url(h, anna.id, lang="en"))
            await page.wait_for_selector("[data-key^='b:']")
            tabs = await page.query_selector_all('#days [role="tab"]')
            assert [await t.inner_text() for t in tabs] == ["Sat 25 Oct", "Sun 26 Oct"]
            assert [await t.get_attribute("aria-selected") for t in tabs] == ["false", "true"]  # today first
            keys = "nodes => nodes.map(n => n.dataset.key)"
            assert await page.eval_on_selector_all("#program [data-key^='b:']", keys) == ["b:labor"]
            assert await page.inner_text("#date") == "Sunday, 26 October 2025"
            await tabs[0].click()
            assert await page.eval_on_selector_all("#program [data-key^='b:']", keys) == ["b:auftakt"]
            assert await page.inner_text("#date") == "Saturday, 25 October 2025"
            await page.keyboard.press("ArrowRight")  # the tabs work from the keyboard too
            assert await page.eval_on_selector_all("#program [data-key^='b:']", keys) == ["b:labor"]


async def test_on_the_half_hour_the_now_label_stands_alone_on_the_time_axis(web, browser):
    h = web
    h.clock.set(berlin("2025-06-03 15:30"))
    anna = await h.attendee("Anna")
    await anna.send("/start")
    async with opened(browser, WIDE) as page:
        await page.goto(page_url(h, anna.id, "de"))
        await page.wait_for_selector(".grid .nowlabel")
        colours = await page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.grid .time')]
            .map(n => [n.textContent, getComputedStyle(n).color]))""")
        assert colours["15:30"] == "rgba(0, 0, 0, 0)" and colours["15:00"] != "rgba(0, 0, 0, 0)"  # not peeking out
        assert await page.inner_text(".grid .nowlabel") == "15:30"


@pytest.mark.parametrize("size", [PHONE, WIDE], ids=["360x740", "1280x800"])
async def test_at_200_percent_text_nothing_is_clipped(web, browser, size):
    anna = await web.attendee("Anna")
    async with opened(browser, size) as page:
        await page.goto(page_url(web, anna.id))
        await page.wait_for_selector(session("podium"))
        await page.evaluate("document.documentElement.style.fontSize = '200%'; window.dispatchEvent(new Event('resize'))")
        await refresh(page)
        clipped = await page.eval_on_selector_all(
            "[data-key^='b:'], .room, h1, #clock, .tools button", "nodes => nodes.filter(n => n.scrollHeight > n.clientHeight + 1"
            " || n.scrollWidth > n.clientWidth + 1).map(n => n.textContent)")
        assert clipped == []
        assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # nothing runs off to the side
        if size == PHONE:  # the bar, tall now, scrolls away rather than cover a third of the phone
            await page.evaluate("window.scrollTo(0, 800)")
            assert await page.evaluate("document.getElementById('bar').getBoundingClientRect().bottom <= 0")
            await page.evaluate("document.documentElement.style.fontSize = ''; window.dispatchEvent(new Event('resize'))")
            await page.evaluate("window.scrollTo(0, 800)")
            assert await page.evaluate("document.getElementById('bar').getBoundingClientRect().top >= 0")  # it sticks


LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsverordnung"


async def test_a_very_long_title_from_an_import_wraps_and_nothing_runs_off_the_side(tmp_path, browser):
    """A title as an import may bring it: one long compound word and far more than a line. The
    card, the open dialog and the room screen all keep it within the screen's width."""
    from conftest import PROGRAM_FILE, SettableClock

    program_file = tmp_path / "program.yaml"
    program_file.write_text(PROGRAM_FILE.read_text(encoding="utf-8").replace(
        '"Workshop 3: Beteiligung durch digitale Kompetenzen"',
        f'"Workshop 3: {LONG_WORD} und die kommunale Datenplattformstrategie im Spannungsfeld zwischen Beteiligung,'
        ' Datenschutz und Open Data"'), encoding="utf-8")
    async with bot_running(tmp_path, SettableClock(berlin("2025-06-03 12:50")), program_file, **web_settings()) as h:
        anna = await h.attendee("Anna")
        # every piece of text that shows ends inside the screen (a text that overflows its box is still in the box)
        runs_off = """(() => { const off = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walk.nextNode(); node; node = walk.nextNode()) {
                const range = document.createRange(); range.selectNodeContents(node);
                for (const box of range.getClientRects()) {
                    if (box.width > 1 && box.right > innerWidth + 1) { off.push(node.textContent.slice(0, 30)); break; } } }
            return off; })()"""
        async with opened(browser, PHONE) as page:
            await page.goto(page_url(h, anna.id))
            assert LONG_WORD in await page.inner_text(session("ws-beteiligung"))
            assert await page.evaluate(runs_off) == []
            await page.click(session("ws-beteiligung"))
            await page.wait_for_selector("#d-actions button")
            assert LONG_WORD in await page.inner_text("#d-title")
            assert await page.evaluate(runs_off) == []  # the dialog's title too
        h.clock.set(berlin("2025-06-03 13:20"))
        async with opened(browser, PHONE) as page:  # a room screen on a small display
            await page.goto(room_link(h.services.settings, h.services.program.current, "Seminarraum 3", "de"))
            await until(page, "document.body.innerText.includes('Donaudampf')")
            assert await page.evaluate(runs_off) == []

# --- inside Telegram ---------------------------------------------------------------------------

async def test_inside_telegrams_app_the_page_uses_the_bridge_and_in_a_browser_nothing_breaks(web, browser):
    """Mobile clients inject TelegramWebviewProxy and call Telegram.WebView.receiveEvent."""
    anna = await web.attendee("Anna")
    async with opened(browser, PHONE) as page:
        await page.add_init_script("window.sent = []; window.TelegramWebviewProxy = "
                                   "{postEvent: (type, data) => window.sent.push([type, JSON.parse(data)])};")
        await page.goto(page_url(web, anna.id).replace("tgWebAppPlatform=web", "tgWebAppPlatform=android"))
        await page.wait_for_selector(session("ws-zwilling"))
        sent = lambda: page.evaluate("window.sent.map(e => e[0])")  # noqa: E731
        assert {"web_app_ready", "web_app_expand", "web_app_request_fullscreen", "web_app_check_home_screen"} <= set(await sent())
        await page.click(session("ws-zwilling"))
        assert await page.evaluate("window.sent.at(-1)") == ["web_app_setup_back_button", {"is_visible": True}]
        await page.click('#d-actions [data-key="a:seat"]')
        await until(page, "window.sent.some(e => e[0] === 'web_app_trigger_haptic_feedback' && "
                          "e[1].notification_type === 'success')")
        await page.click('#d-actions [data-key="a:calendar"]')
        await until(page, "window.sent.some(e => e[0] === 'web_app_request_file_download')")
        download = await page.evaluate("window.sent.find(e => e[0] === 'web_app_request_file_download')[1]")
        assert download["file_name"] == "ws-zwilling.ics" and download["url"].startswith("http://127.0.0.1:")
        await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed', {})")  # the back button closes it
        await until(page, "!document.getElementById('dialog').open && window.sent.at(-1)[0] === 'web_app_setup_back_button'")
        assert await page.evaluate("window.sent.at(-1)") == ["web_app_setup_back_button", {"is_visible": False}]
        await page.evaluate(f"Telegram.WebView.receiveEvent('theme_changed', {{theme_params: {TELEGRAM_DARK}}})")
        assert await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()") == "#17212b"
        assert not await page.is_visible("#home-screen")
        await page.evaluate("Telegram.WebView.receiveEvent('home_screen_checked', {status: 'missed'})")
        await page.click("#home-screen")
        assert await page.evaluate("window.sent.at(-1)[0]") == "web_app_add_to_home_screen"
        await page.evaluate("Telegram.WebView.receiveEvent('content_safe_area_changed', {top: 46, bottom: 0})")
        assert await page.evaluate("getComputedStyle(document.querySelector('.bar')).top") == "46px"
    async with opened(browser, PHONE) as page:  # a plain browser (the demo): the same page, no bridge
        await page.goto(page_url(web, anna.id))
        await page.click(session("podium"))
        await page.keyboard.press("Escape")
        assert await page.evaluate("typeof window.TelegramWebviewProxy") == "undefined"


async def test_inside_telegram_web_the_page_works_in_its_iframe_and_posts_to_telegram_only(web, browser):
    """Telegram Web shows a Mini App in a cross-site iframe (where web storage may be refused)
    and listens for the postEvent messages; the page's CSP lets only Telegram's web clients frame it."""
    anna = await web.attendee("Anna")
    async with opened(browser, PHONE) as page:
        await page.route("https://web.telegram.org/k/", lambda route: route.fulfill(
            content_type="text/html", body='<script>window.got = []; addEventListener("message", e => got.push(e.data));</script>'
                                           f'<iframe src="{page_url(web, anna.id)}" width="360" height="600"></iframe>'))
        await page.goto("https://web.telegram.org/k/")
        await until(page, "window.got.some(d => d.includes('web_app_ready'))")
        assert await page.evaluate("window.got.some(d => d.includes('web_app_expand'))")
        await page.frames[1].wait_for_selector(session("podium"))
    async with opened(browser, PHONE) as page:  # anybody else's page may not frame it
        await page.route("https://evil.example/", lambda route: route.fulfill(
            content_type="text/html", body=f'<iframe src="{page_url(web, anna.id)}"></iframe>'))
        await page.goto("https://evil.example/")
        await asyncio.sleep(0.5)
        assert [await frame.query_selector(session("podium")) for frame in page.frames[1:]] == [None]


# --- the room screens --------------------------------------------------------------------------

async def test_a_room_screen_shows_the_delay_and_the_top_question_and_a_forged_link_gets_401(web, browser):
    svc = web.services
    anna, ben = await web.attendee("Anna"), await web.attendee("Ben")
    first = await svc.storage.questions.add("podium", anna.id, "Wie finanzieren Sie das?", svc.now())
    top = await svc.storage.questions.add("podium", ben.id, "Wer betreibt die Datenplattform?", svc.now())
    hidden = await svc.storage.questions.add("podium", ben.id, "Versteckt vom Moderator", svc.now())
    await svc.storage.questions.vote(top, anna.id)
    await svc.storage.questions.set_state(hidden, "hidden")
    svc.program.replace(overrides=delay(svc.program.current, "podium", 10))
    web.clock.set(berlin("2025-06-03 11:20"))
    link = room_link(svc.settings, svc.program.current, "Großer Saal", "de")
    async with opened(browser, WIDE, axe=True) as page:
        response = await page.goto(link)
        assert response.status == 200
        await until(page, "document.querySelector('#questions ol li') !== null")
        text = await page.inner_text("body")
        assert "Großer Saal" in text and "Podiumsdiskussion" in text and "⏱ 10 Min. später" in text
        assert await page.inner_text("#questions ol li:first-child") == "Wer betreibt die Datenplattform?\u20021 Stimme"
        assert "Wie finanzieren Sie das?" in text and "Versteckt" not in text
        assert (await page.get_attribute("#qr img", "src")).startswith("data:image/svg+xml")
        assert await axe_problems(page) == []
        host, port = svc.settings.web_listen
        await svc.web.stop()  # the Wi-Fi drops: the screen keeps the last state, marked
        await page.evaluate("window.dispatchEvent(new Event('online'))")
        await page.wait_for_selector("body.stale")
        assert "offline" in await page.inner_text("#status") and "Podiumsdiskussion" in await page.inner_text("body")
        svc.web = WebServer(svc, web.application.update_processor.next_arrival)
        await svc.web.start(host, port)
    async with opened(browser, WIDE) as page:
        response = await page.goto(link.replace("lang=de", "lang=en"))
        await page.wait_for_selector("#now h2:not(:empty)")
        assert await page.inner_text("#now h2") == "NOW" or await page.inner_text("#now h2") == "Now"
        token = link.split("k=")[1].split("&")[0]
        response = await page.goto(link.replace(token, token[:-4] + "AAAA"))
        assert response.status == 401 and "ungültig" in await page.inner_text("body")
    assert first
