"""How the bot words its domain for people, the same in the chat and on the page: texts built
from the program, outcomes and announcements (Telegram HTML, through bot/texts' catalogs). No
buttons and no Telegram here: the chat (bot/handlers/) adds its buttons, the Mini App's API
(bot/web/) its actions, and both use these words."""
