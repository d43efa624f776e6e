"""What attendees and organizers do, whichever way they do it: the chat, the Mini App or a job.

One module per use case: seats (sign up, waiting list, switch, give back), bookmarks, reminder
settings, program changes and reloads, announcements, privacy (erasure and export). Each one
commits its change through storage, queues the messages it owes (the outbox, in the same
transaction where storage can), and re-plans reminders itself; no caller has to remember to.
Callers get a result and only word it: the chat handlers (bot/handlers/) and the Mini App's API
(bot/web/) both call these modules, and neither imports the other.
"""
