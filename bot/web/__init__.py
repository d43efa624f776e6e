"""The Mini App: a page served by the bot's own aiohttp server, opened from the chat.

initdata.py checks (and, for the demo and tests, signs) what Telegram hands the page;
api.py answers the page's JSON requests with the same rules and texts as the chat;
server.py serves the API and the hand-written static assets in static/.
"""
