"""English texts. HTML for Telegram; placeholders in {braces} are inserted escaped."""

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DECIMAL_SEPARATOR = "."
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

TEXTS = {
    "date": "{weekday}, {day} {month} {year}",
    "time": "{time}",
    "time_range": "{start}–{end}",
    "welcome": (
        "👋 <b>Welcome!</b>\n<b>{conference}</b>{motto}\n\n"
        "📅 {when}\n📍 {venue}\n\n"
        "I am your conference assistant. I tell you what is on now and next, where it takes place and "
        "who speaks.{signup}\n\n"
        "Just ask me something like “{example}” or use the buttons.\n\n"
        "🔒 What I store and your rights: /privacy"
    ),
    "welcome_motto": "\n<i>{motto}</i>",
    "welcome_signup": " You can sign up for {names} here, and I'll remind you in time.",
    "welcome_signup_many": " You can sign up here for sessions with limited seats, and I'll remind you in time.",
    "welcome_remind": " Bookmark sessions and I'll remind you in time.",
    "example_when": "{title} – when and where?",
    "span_days": "{start} – {end}",
    "menu_program": "📋 Program",
    "menu_now": "▶️ Now",
    "menu_next": "⏭ Next",
    "menu_venue": "📍 Venue",
    "menu_mine": "🎟 My sign-ups",
    "menu_help": "❓ Help",
    "menu_language": "🇩🇪 Deutsch",
    "program_title": "📋 <b>Program – {date}</b>",
    "daypart_morning": "Morning",
    "daypart_afternoon": "Afternoon",
    "daypart_evening": "Evening",
    "program_hint": "Tap a session for details.",
    "program_page": "Page {page} of {pages}",
    "line_departure": "🚌 departs {time}",
    "cancelled_mark": "❌ cancelled",
    "now_running": "▶️ <b>On now</b>",
    "now_nothing": "Nothing is on right now.",
    "next_title": "⏭ <b>Up next</b>",
    "next_in": "in {duration}",
    "next_nothing": "Nothing else is on after this.",
    "before_conference": "⏳ The conference starts in <b>{duration}</b>: on {date} at {time}.\n📍 {venue}",
    "after_conference": "🙏 The conference is over. Thank you for joining us at “{conference}” – safe travels home!",
    "duration_days": "{days} {days:day|days}, {hours} h",
    "duration_day": "1 day, {hours} h",
    "duration_hours": "{hours} h {minutes} min",
    "duration_minutes": "{minutes} min",
    "details_time": "🕒 {date}, {time}",
    "details_room": "📍 {room}",
    "details_destination": "🚌 Destination: {room}",
    "details_speakers": "🎤 {speakers}",
    "details_seats_free": "🎟 {free} of {capacity} {capacity:seat|seats} free",
    "details_seats_full": "🎟 fully booked ({capacity} {capacity:seat|seats}), waiting list: {waiting}",
    "details_overbooked": "🎟 overbooked: {confirmed} {confirmed:sign-up|sign-ups} for {capacity} {capacity:seat|seats}",
    "details_meeting_point": "🚌 Meeting point: {place}, departure {time}",
    "details_you_confirmed": "✅ You are signed up.",
    "details_you_waiting": "⏳ You are on the waiting list: position {position}.",
    "details_cancelled": "❌ <b>This session is cancelled.</b>",
    "details_running": "▶ Under way – sign-ups and cancellations are closed.",
    "over_mark": "✔ over",
    "details_over": "✔ Already over.",
    "details_departed": "🚌 The bus has left – sign-ups and cancellations are closed.",
    "button_signup": "✅ Sign up",
    "button_cancel_seat": "✖️ Cancel sign-up",
    "button_leave_waitlist": "✖️ Leave waiting list",
    "button_meeting_point": "🚌 Meeting point on the map",
    "button_back_program": "⬅️ Program",
    "button_switch": "🔄 Switch",
    "button_keep_old": "No, keep it",
    "button_join_waitlist": "⏳ Join the waiting list",
    "button_keep_seat": "👍 Keep my seat",
    "button_give_back_of": "✖️ Give back my seat in “{title}”",
    "button_release_seat": "✖️ Release my seat",
    "button_details": "ℹ️ Details",
    "button_more": "More ➡️",
    "button_less": "⬅️ Back",
    "venue_text": "📍 <b>{venue}</b>\n{address}",
    "meeting_point_title": "Meeting point: {place}",
    "search_results": "🔎 This is what I found in the program:",
    "you_are_welcome": "You're welcome! 😊 If you need anything else: /help",
    "search_none": (
        "🤔 I found nothing about “{query}” in the program.\n"
        "Try another keyword or a name – or open the whole program."
    ),
    "help": (
        "❓ <b>How I can help</b>\n\n"
        "/program – the whole program\n"
        "/now – what is on now\n"
        "/next – what comes next\n"
        "/venue – the venue on the map\n"
        "/signup – sign up for a session with limited seats\n"
        "/unregister – give back a sign-up\n"
        "/mine – your sign-ups and waiting-list places\n"
        "/bookmarks – your bookmarked sessions\n"
        "/reminders – when I remind you (5, 10, 15, 30 min or off)\n"
        "/myplan – your day, also as a calendar file\n"
        "/exhibitors – exhibitors and stands\n"
        "/question – ask the speakers; /questions lists the questions\n"
        "/network – find people with the same topics (with consent)\n"
        "/conference – which conference of the series, switching; /archive – past ones to read\n"
        "/notify – hear when the next conference opens (a separate consent)\n"
        "/privacy – what I store; /mydata, /delete\n"
        "/language – switch language (Deutsch/English)\n"
        "/cancel – abort what you started (a question, a comment …)\n\n"
        "Or just write what you are looking for, e.g. “{example}”."
    ),
    "help_admin": (
        "\n\n🛠 <b>For organizers</b>\n"
        "/attendees [id] – sign-ups per session, names by button\n"
        "/export – all sign-ups as CSV\n"
        "/reload – re-read program.yaml (with preview)\n"
        "/changes – changes made in the chat that are in force; take one back\n"
        "/feedback [export] – ratings per session\n"
        "/broadcast – announcement to everyone or a group\n"
        "/broadcasts – sent announcements, reports, correct, withdraw\n"
        "/scheduled – scheduled announcements\n"
        "/delay [id] [min] [following] – move a session\n"
        "/room [id] [room] – change the room\n"
        "/cancelsession [id] – cancel a session; /restore [id] – take it back\n"
        "/guests – guest list, invitation links, who is connected\n"
        "/opening – announce the opening of the conference chosen in /orga\n"
        "/orga – everything for organizers, by buttons\n"
        "/cancel – abort the current input"
    ),
    "language_choose": "Bitte wählen Sie Ihre Sprache / Please choose your language:",
    "language_set": "✅ I will speak English with you now.",
    "unknown_command": "I don't know the command {command}. /help shows what I can do.",
    "unsupported_message": "I understand text messages and buttons. /help shows what I can do.",
    "stale_button": "This button is no longer valid. Please open the program again.",
    "unknown_session": "There is no session “{session_id}” (any more). /program lists them all.",
    "session_departed": "❌ “{title}” is cancelled: it is no longer in the program. /program lists them all.",
    "error_generic": "⚠️ Something went wrong. Please try again in a moment.",
    "backlog_note": (
        "✋ That is more messages at once than I can answer in time. I'll answer only "
        "{count:the last message|the last {count} messages}. Please send me anything earlier again "
        "later if it still matters."
    ),
    "backlog_tap_dropped": "Too much at once right now – I skipped this tap. Please tap again in a moment.",
    "backlog_tap_waits": "⏳ One moment – I'm answering your earlier messages first.",
    "signup_choose": "What would you like to sign up for?",
    "cancel_choose": "Which sign-up would you like to give back?",
    "cancel_none": "You have no sign-up to give back.",
    "signup_none_open": "There is nothing to sign up for at the moment.",
    "signup_confirmed": "✅ You are signed up for “{title}”.\n🕒 {when}\n📍 {room}",
    "signup_already_confirmed": "You are already signed up for “{title}” – your seat is safe.",
    "signup_waitlisted": (
        "⏳ “{title}” is fully booked. You are <b>number {position} on the waiting list</b>.\n"
        "If a seat becomes free, you move up automatically and I'll let you know at once."
    ),
    "signup_waitlisted_switch": (
        "⏳ You are <b>number {position} on the waiting list for “{title}”</b>. You keep your seat in “{other}” "
        "until then. If you move up, you switch automatically and your seat in “{other}” is released."
    ),
    "signup_already_waitlisted": "You are already on the waiting list for “{title}”, at number {position}.",
    "signup_conflict": (
        "You already have a seat in “{other}”, at the same time as “{title}”. "
        "Would you like to switch to “{title}”? Your current seat is only released once the new one is secured."
    ),
    "signup_switched": "🔄 Switched: you are now signed up for “{title}”. Your seat in “{other}” has been released.",
    "signup_switch_full": (
        "Sorry, “{title}” is fully booked – you keep your seat in “{other}”.\n"
        "Would you like to join the waiting list for “{title}”? If a seat becomes free there, you switch automatically."
    ),
    "signup_switch_full_waiting": (
        "Sorry, “{title}” is fully booked – you keep your seat in “{other}”. "
        "You are on the waiting list for “{title}”, at number {position}."
    ),
    "signup_kept": "All right, you keep your seat in “{title}”.",
    "signup_keep_gone": "You no longer hold a seat in “{title}”: it was switched or given back since that offer.",
    "waitlist_moved_up": "🎉 You are no longer on the waiting list for “{title}”: you have moved up and hold a seat.\n🕒 {when}\n📍 {room}\nYou keep it; to give it back, tap below.",
    "signup_no_signup": "“{title}” needs no sign-up – just come along.",
    "signup_session_cancelled": "“{title}” is cancelled; signing up is not possible.",
    "signup_closed": "“{title}” has already started; sign-ups and cancellations are closed.",
    "signup_departed": "🚌 The bus to “{title}” left at {time}; sign-ups and cancellations are closed.",
    "cancel_done": "You are no longer signed up for “{title}”. Thank you for releasing the seat!",
    "cancel_left_waitlist": "You have left the waiting list for “{title}”.",
    "cancel_not_registered": "You are not signed up for “{title}”.",
    "promoted": (
        "🎉 <b>A seat has become free!</b> You are now signed up for “{title}”.\n"
        "🕒 {when}\n📍 {room}\n\nCan't make it? Then please release the seat."
    ),
    "promoted_released": "\n🔄 Your seat in “{other}” has been released in exchange.",
    "promotion_kept": "👍 Great, your seat in “{title}” is confirmed.",
    "mine_title": "🎟 <b>Your sign-ups</b>",
    "mine_confirmed": "✅ {time} {title} – {room}",
    "mine_waiting": "⏳ {time} {title} – number {position} on the waiting list",
    "mine_none": "You have not signed up for anything yet. /signup shows what you can sign up for.",
    "button_bookmark": "⭐ Remind me",
    "button_unbookmark": "✖️ Remove bookmark",
    "bookmark_added": "⭐ Bookmarked: “{title}”. I will remind you in time.",
    "bookmark_added_off": "⭐ Bookmarked: “{title}”. Reminders are switched off – /reminders switches them on.",
    "bookmark_added_begun": "⭐ Bookmarked: “{title}”. It has already begun, so there is no reminder.",
    "bookmark_removed": "“{title}” is no longer bookmarked.",
    "bookmarks_title": "⭐ <b>Bookmarked sessions</b>",
    "bookmarks_none": "You have not bookmarked anything yet. Open a session and tap “Remind me”.",
    "reminder_settings": "⏰ <b>Reminders</b>\nCurrently: {current}.\nHow long before your sessions should I remind you?",
    "reminder_current_default": "{minutes} {minutes:minute|minutes} before",
    "reminder_current_minutes": "{minutes} {minutes:minute|minutes} before",
    "reminder_current_off": "off",
    "reminder_button_minutes": "{minutes} min",
    "reminder_button_off": "🔕 Off",
    "reminder_set": "✅ I will remind you {minutes} {minutes:minute|minutes} before your sessions.",
    "reminder_off": "🔕 Reminders are off. /reminders switches them on again.",
    "reminder": "⏰ <b>In {minutes} min:</b> “{title}”\n🕒 {time}\n📍 {room}",
    "reminder_excursion": "🚌 <b>The bus leaves at {departure}, in {minutes} min:</b> “{title}”\n📍 Meeting point: {place}",
    "waitlist_still_waiting": (
        "⏳ “{title}” starts in {minutes} min. Sorry, no seat has become free – "
        "you are still number {position} on the waiting list."
    ),
    "bc_prompt": (
        "📢 <b>New announcement</b>\nWrite the text now (bold, italics and links are kept) – "
        "or send a photo with a caption. /cancel aborts."
    ),
    "bc_too_long": "The text is too long ({length} characters, at most {limit}). Please shorten it.",
    "bc_choose_audience": "Who should get the announcement?",
    "bc_audience_all": "👥 Everyone ({count})",
    "bc_audience_excursion": "🚌 Excursion group ({count})",
    "bc_audience_session": "🎯 People of one session …",
    "bc_choose_session": "Which session?",
    "bc_audience_confirmed": "✅ Signed up ({count})",
    "bc_audience_waitlisted": "⏳ Waiting list ({count})",
    "bc_audience_bookmarked": "⭐ Bookmarked ({count})",
    "bc_preview": "👀 <b>Preview</b> – this is what recipients see:\n\n{body}\n\n———\nRecipients: <b>{count}</b> ({audience})",
    "bc_send_now": "📤 Send now",
    "bc_send_later": "⏰ Send later",
    "bc_discard": "✖️ Discard",
    "bc_header": "📢 <b>Announcement from the organizers</b>",
    "bc_corrected_mark": " · ✏️ <i>corrected</i>",
    "bc_progress": "📤 Announcement #{id}: {sent} of {count} delivered …",
    "bc_report": (
        "✅ <b>Announcement #{id} – report</b>\nDelivered: {sent} of {count}\n"
        "Blocked (they blocked the bot): {blocked}\nFailed: {failed}"
    ),
    "bc_report_reason": "\n• {reason}: {count}",
    "bc_already": "This announcement is already on its way or done – nothing is sent twice.",
    "bc_discarded": "Discarded. Nothing was sent.",
    "bc_was_cancelled": "Announcement #{id} was discarded or cancelled: nothing was sent. /broadcast starts a new one.",
    "bc_ask_time": (
        "When should the announcement go out? Write a time like 14:30 (conference day, conference time) "
        "or a date and time like 2025-06-03 14:30. /cancel aborts."
    ),
    "bc_bad_time": "I don't understand that as a time in the future. Please write e.g. 14:30 or 2025-06-03 14:30.",
    "bc_scheduled": "⏰ Scheduled for {when}: announcement #{id} to {audience}. /scheduled lists them all.",
    "bc_list_title": "📢 <b>Announcements</b>",
    "bc_list_line": "<b>#{id}</b> · {when} · {audience} · {state}\n{sent}/{count} delivered, {blocked} blocked, {failed} failed\n<i>{excerpt}</i>",
    "bc_list_empty": "No announcements yet.",
    "bc_edit_button": "✏️ Correct #{id}",
    "bc_withdraw_button": "🗑 Withdraw #{id}",
    "bc_edit_prompt": "Write the corrected text for announcement #{id}. /cancel aborts.",
    "bc_edit_preview": "✏️ <b>Correction of announcement #{id}</b> for {count} {count:recipient|recipients}:\n\n{body}",
    "bc_edit_done": "✏️ The correction goes out to {count} {count:recipient|recipients}.",
    "bc_withdraw_confirm": "🗑 Delete announcement #{id} for every recipient ({count} delivered)?",
    "bc_withdraw_done": "🗑 Withdrawing announcement #{id}: {count} {count:message is|messages are} being deleted, and copies not yet delivered will not be sent.",
    "bc_not_editable": "Announcement #{id} can no longer be changed.",
    "scheduled_title": "⏰ <b>Scheduled announcements</b>",
    "scheduled_line": "<b>#{id}</b> · {when} · {audience}\n<i>{excerpt}</i>",
    "scheduled_empty": "No scheduled announcements.",
    "scheduled_cancel_button": "✖️ Cancel #{id}",
    "scheduled_cancelled": "Scheduled announcement #{id} is cancelled.",
    "scheduled_started": "⏰ Scheduled announcement #{id} now goes out to {count} {count:recipient|recipients}.",
    "confirm_yes": "✅ Confirm",
    "confirm_no": "✖️ Cancel",
    "action_taken": "That is already done or cancelled.",
    "conversation_cancelled": "Cancelled. Nothing was sent or changed.",
    "nothing_to_cancel": "There is nothing to cancel.",
    "audience_all": "everyone",
    "audience_excursion": "the excursion group",
    "audience_confirmed": "everyone signed up for “{title}”",
    "audience_waitlisted": "the waiting list of “{title}”",
    "audience_bookmarked": "everyone who bookmarked “{title}”",
    "state_draft": "draft",
    "state_scheduled": "scheduled",
    "state_sending": "sending",
    "state_done": "sent",
    "state_withdrawn": "withdrawn",
    "state_cancelled": "cancelled",
    "change_usage_delay": (
        "Usage: /delay &lt;id&gt; &lt;minutes&gt; [following] – e.g. “/delay &lt;id&gt; 15 following” "
        "moves the session and everything after it in the same room by 15 minutes. Without details, choose by buttons."
    ),
    "change_usage_room": "Usage: /room &lt;id&gt; &lt;new room&gt; – e.g. “/room ws-zwilling Saal 2”.",
    "change_usage_cancel": "Usage: /cancelsession &lt;id&gt; – or just /cancelsession and choose by buttons.",
    "change_bad_minutes": "The minutes must be a whole number between -720 and 720 (not 0).",
    "change_preview": "🛠 <b>Program change – preview</b>\n{lines}\n\n<b>{count}</b> {count:person|people} will be notified (signed up, waiting or bookmarked).",
    "change_clashes": "⚠️ Afterwards {count:1 person has|{count} people have} two of their sessions at the same time; the notice tells them.",
    "change_clash": "⚠️ Now at the same time: “{title}” and “{other}” – both are in your plan.",
    "change_none": "That changes nothing in the program.",
    "change_done": "✅ Done. {count} {count:person is|people are} being notified.",
    "change_line_time": "• {title}: 🕒 {before} → {after}",
    "change_line_room": "• {title} ({when}): 📍 {before} → {after}",
    "change_line_cancelled": "• {title} ({when}): ❌ cancelled",
    "change_line_back": "• {title}: ↩️ back in the program, {after}",
    "change_line_back_seats": "   {count:1 person gets their|{count} people get their} former {count:place|places} back.",
    "change_line_restored": "• {title}: ✅ takes place again, {after} · 📍 {room}",
    "change_restored_confirmed": "✅ Your seat in “{title}” is yours again.",
    "change_restored_waitlisted": "⏳ You are on the waiting list for “{title}” again.",
    "change_restored_elsewhere": "You kept the seat you took at the same time meanwhile; your place in “{title}” was not given back.",
    "change_line_new": "• {title}: 🆕 new in the program, {after}",
    "change_notice": "📢 <b>Program change</b>\n{lines}\n\n/mine shows your sign-ups.",
    "reload_preview": "🔄 <b>Reload program.yaml – preview</b>\n{lines}\n\n<b>{count}</b> {count:person|people} will be notified.",
    "reload_conflicts": "⚠️ <b>The new schedule contradicts changes made in the chat:</b>\n{lines}\nChoose what applies: keep your chat changes, take the schedule's, or (for a delay) apply it to the new time.",
    "conflict_time": "• “{title}”: the schedule now says {source}; your chat change said {chat} ({shift} min)",
    "conflict_room": "• “{title}”: the schedule now says room {source}; your chat change said room {chat}",
    "conflict_cancelled": "• “{title}”: the schedule now says “cancelled”; your chat change said “takes place”",
    "conflict_restored": "• “{title}”: the schedule now says “takes place”; it was cancelled in the chat",
    "conflict_gone": "• “{title}” is no longer in the schedule: it is cancelled; your chat change rests until it comes back",
    "reload_choice_keep": "✅ Keep chat changes ({count} told)",
    "reload_choice_source": "📥 Take the schedule ({count} told)",
    "reload_choice_shift": "⏩ Apply delay to new time ({count} told)",
    "menu_privacy": "🔒 Privacy",
    "menu_myplan": "🗓 My day",
    "privacy_notice": (
        "🔒 <b>Privacy</b>\n\n"
        "<b>What I store:</b> your Telegram id, your name and username as Telegram shows them to me, your language, "
        "when you first and last used me, your sign-ups and waiting-list places (with their history), bookmarked "
        "sessions, your reminder setting, your ratings and questions to speakers, your networking profile (only if you "
        "join) and the messages I send you on my own.\n"
        "<b>What for:</b> only to guide you through the conference – program, sign-up, reminders, announcements. "
        "No advertising, nothing passed on to others.\n"
        "<b>How long:</b> until {retention} {retention:day|days} after the conference, that is until {until}; then I delete everything "
        "automatically. Only anonymous figures remain (e.g. how many seats were taken, ratings without names).\n"
        "<b>Controller:</b> {controller}{contact}\n\n"
        "<b>Your rights:</b> /mydata sends you everything stored about you (Art. 15 GDPR). /delete deletes it all at "
        "once (Art. 17), which also objects to any further processing (Art. 21). /reminders switches off just the reminders."
    ),
    "privacy_contact": "\nContact: {contact}",
    "mydata_caption": "📦 Everything stored about you (as of {time}).",
    "delete_confirm": (
        "🗑 <b>Delete all your data?</b>\nYour sign-ups are given back (the waiting list moves up), bookmarks, "
        "settings and planned messages are deleted. This cannot be undone."
    ),
    "delete_yes": "🗑 Yes, delete everything",
    "delete_no": "No, keep it",
    "delete_done": "✅ Done: I deleted all your data. If you write to me again, I start from scratch.",
    "delete_kept": "All right, nothing was deleted.",
    "myplan_title": "🗓 <b>Your day</b>",
    "myplan_line": "{mark} <b>{time}</b> {title} · {room}",
    "myplan_overlap": "   ⚠️ overlaps with “{other}”",
    "myplan_empty": "Nothing in your plan yet.",
    "myplan_ics": "📅 As calendar file",
    "ics_caption": "📅 Your conference day as a calendar file. Importing it again updates the entries.",
    "ics_one_caption": "📅 “{title}” as a calendar entry.",
    "button_calendar": "📅 Add to calendar",
    "feedback_prompt": "⭐ How did you like “{title}”? One tap is enough.",
    "feedback_thanks": "Thank you for your rating! Anything you would like to add? Just write it to me (or /cancel).",
    "feedback_twice": "You have already rated “{title}” – thank you!",
    "feedback_comment_thanks": "Thank you, I have received your comment.",
    "feedback_title": "⭐ <b>Feedback</b>",
    "feedback_line": "{title}: avg {average} ({count} {count:rating|ratings})",
    "feedback_comment": "   💬 {comment}",
    "feedback_none": "No feedback yet.",
    "feedback_export_caption": "📄 All ratings ({count}).",
    "exhibitors_title": "🏪 <b>Exhibitors</b>",
    "exhibitor_line": "<b>{name}</b> ({municipality}) – {topic} · stand {stand}",
    "exhibitors_none": "No exhibitors are listed.",
    "q_none_open": "No question round is open right now. Questions are possible for: {sessions}",
    "q_none_left": "No question round is open, and none is left in the program.",
    "q_choose": "Which session is your question for?",
    "button_ask_question": "❓ Ask a question",
    "q_write": "Write your question for “{title}” now. /cancel aborts.",
    "q_too_long": "Please keep the question shorter (500 characters at most).",
    "q_received": "❓ Your question for “{title}” has been submitted anonymously. Others can support it with 👍.",
    "q_show_name": "👤 Show my name",
    "q_named": "Your question is now shown with your first name.",
    "q_list_title": "❓ <b>Questions for “{title}”</b>",
    "q_line": "{mark}<b>{votes} 👍</b> {text}{who}",
    "q_line_by": " – {name}",
    "q_empty": "No questions for “{title}” yet. /question asks one.",
    "q_vote_button": "👍 #{id}",
    "q_voted": "Thank you, your vote counts.",
    "q_voted_before": "You have already supported this question.",
    "q_answered_button": "✅ #{id} answered",
    "q_hide_button": "🙈 #{id} hide",
    "q_marked": "Question #{id}: {state}.",
    "q_state_answered": "answered",
    "q_state_hidden": "hidden",
    "q_still_hidden": "Question #{id} is hidden; 👁 shows it again.",
    "q_state_open": "visible again",
    "q_show_button": "👁 #{id} show",
    "q_not_moderator": "Only the moderators of this session can mark or hide questions.",
    "net_intro": (
        "🤝 <b>Networking</b>\nWith a short profile (organization, role, topics) I suggest people with the same "
        "topics. Contact details are exchanged only when both sides agree. /network_off deletes your profile and "
        "open requests at any time."
    ),
    "net_join": "✅ Join",
    "net_ask_org": "Which municipality or organization are you here for?",
    "net_ask_role": "And your role?",
    "net_choose_topics": "Which topics interest you? Tap them, then “Done”.",
    "net_done_button": "✔️ Done",
    "net_need_topic": "Please choose at least one topic.",
    "net_matches_title": "🤝 <b>People with the same topics</b>",
    "net_match_line": "• {name}, {role} ({organization}) – shared: {topics}",
    "net_no_matches": "Nobody with the same topics yet. Check again later (/network).",
    "net_request_button": "🤝 Ask {name}",
    "net_requested": "Request sent. If {name} agrees, you both get the contact details.",
    "net_request_exists": "There is already a request for that.",
    "net_request_received": "🤝 {name}, {role} ({organization}) would like to connect – shared topics: {topics}. Exchange contact details?",
    "net_accept": "✅ Yes, exchange",
    "net_decline": "No, thank you",
    "net_shared": "🤝 Contact: {name}, {role} ({organization}) – {contact}",
    "net_declined": "Your networking request was not accepted this time.",
    "net_answer_recorded": "Thank you, your answer is noted.",
    "net_left": "Your networking profile and open requests are deleted.",
    "net_left_none": "You have no networking profile: there is nothing to delete. /network creates one.",
    "net_topic_other": "Other topics",
    "admin_only": "This function is reserved for the organizers.",
    "admin_attendees_title": "👥 <b>Sign-ups</b>",
    "admin_attendees_line": "{title} · <code>{id}</code>: {confirmed}/{capacity} confirmed, {waiting} waiting",
    "admin_attendees_session": "👥 <b>{title}</b> · <code>{id}</code> – {confirmed}/{capacity} confirmed, {waiting} waiting",
    "admin_attendees_confirmed": "<b>Confirmed:</b>",
    "admin_attendees_waiting": "<b>Waiting list:</b>",
    "admin_attendees_empty": "No sign-ups yet.",
    "admin_attendees_guest": "{name}{organization} – Telegram: {telegram}",
    "admin_export_caption": "📄 All sign-ups ({count} {count:row|rows}), as of {time}.",
    "admin_reload_ok": "🔄 Program reloaded: {sessions} {sessions:session|sessions}.",
    "admin_reload_failed": "⚠️ The new program has errors and was <b>not</b> applied:\n{problems}",
    "admin_reload_overbooked": "⚠️ Overbooked: “{title}” has {confirmed} {confirmed:sign-up|sign-ups} for only {capacity} {capacity:seat|seats}. Nobody was removed.",
    "admin_reload_promoted": "⬆️ {count} {count:person|people} moved up from the waiting list and {count:was|were} notified.",
}

COMMANDS = [
    ("start", "Welcome and menu"),
    ("program", "The whole program"),
    ("now", "What is on now"),
    ("next", "What comes next"),
    ("venue", "The venue"),
    ("signup", "Sign up for a session"),
    ("unregister", "Give back a sign-up"),
    ("mine", "My sign-ups"),
    ("bookmarks", "Bookmarked sessions"),
    ("reminders", "Reminder settings"),
    ("myplan", "My day, also as a calendar file"),
    ("exhibitors", "Exhibitors and stands"),
    ("question", "Ask the speakers"),
    ("network", "Networking with consent"),
    ("conference", "Choose the conference of the series"),
    ("notify", "Hear about the next conference"),
    ("privacy", "Privacy and my data"),
    ("language", "Switch language"),
    ("help", "Help"),
]

# Conversations, buttons and the organizers' side by buttons
TEXTS.update({
    "source_changed": "🔔 <b>The linked schedule (pretalx/frab) has a new version.</b> Nothing is applied before you confirm.",
    "signup_parallel_workshop": "one of the {count} parallel workshops",
    "signup_each_workshop": "the {count} workshops",
    "signup_slots_workshop": "the {count} workshops (one in each of {slots} time slots)",
    "signup_parallel_excursion": "one of the {count} parallel excursions",
    "signup_each_excursion": "the {count} excursions",
    "signup_slots_excursion": "the {count} excursions (one in each of {slots} time slots)",
    "signup_the_excursion": "the excursion",
    "quoted": "“{text}”",
    "and_list": "{first} and {last}",
    "day_short": "{weekday} {day} {month}",
    "ics_destination": "Destination: ",
    "stale_session": "This button is no longer valid: the session no longer exists. /program shows the current program.",
    "conversation_dropped": "Cancelled: {what}. What you had not yet sent was dropped.",
    "conversation_left": "ℹ️ Ended without sending: {what}.",
    "flow_question": "your question to the speakers",
    "flow_network": "your networking profile",
    "flow_feedback": "your comment on the rating",
    "flow_broadcast": "the new announcement",
    "flow_correction": "the correction of the announcement",
    "flow_change": "the program change",
    "confirm_despite_warning": "⚠️ Confirm anyway",
    "file_agenda": "conference-day.ics",
    "file_my_data": "my-data.json",
    "feedback_rated": "⭐ Your rating of “{title}”: {stars}",
    "bc_edit_stale": "Announcement #{id} has meanwhile been corrected differently or withdrawn. /broadcasts shows where it stands.",
    "orga_menu": (
        "🛠 <b>Organizers</b>\nEverything by buttons – or as a command, with or without an id:\n"
        "/attendees – sign-ups per session, names and waiting lists\n"
        "/export – all sign-ups as CSV\n"
        "/broadcast – announcement to everyone or a group; /broadcasts – reports, correct, withdraw\n"
        "/scheduled – scheduled announcements\n"
        "/delay – move a session (+5, +10, +15, +30 min or your own)\n"
        "/room – change the room; /cancelsession – cancel; /restore – take a cancellation back\n"
        "/reload – re-read program.yaml (with preview)\n"
        "/changes – changes made in the chat that are in force; take one back\n"
        "/questions – moderate questions from the audience\n"
        "/feedback – ratings per session\n"
        "🖥 Room screens – links for the screens at the rooms (button only)\n"
        "/guests – load the guest list, invitation links, who is connected\n"
        "/cancel – abort the current input"
    ),
    "orga_attendees": "👥 Sign-ups",
    "orga_export": "📄 Export (CSV)",
    "orga_broadcast": "📢 Announcement",
    "orga_broadcasts": "📋 Announcements",
    "orga_scheduled": "⏰ Scheduled",
    "orga_delay": "🕒 Delay",
    "orga_room": "📍 Change room",
    "orga_cancel": "❌ Cancel session",
    "orga_restore": "♻️ Restore",
    "orga_reload": "🔄 Reload",
    "orga_changes": "🗂 Chat changes",
    "chat_changes_none": "Nothing was changed in the chat: the program is as the program file says.",
    "chat_changes_title": "🗂 <b>Changes made in the chat that are in force</b> (besides the program file). A button takes one back – with a preview.",
    "chat_change_line": "• “{title}”: {changes}",
    "chat_change_time": "🕒 {chat} (file: {file})",
    "chat_change_room": "📍 {chat} (file: {file})",
    "chat_change_cancelled": "❌ cancelled (file: takes place)",
    "chat_change_restored": "✅ takes place (file: cancelled)",
    "orga_questions": "❓ Questions",
    "orga_feedback": "⭐ Feedback",
    "orga_screens": "🖥 Room screens",
    "orga_screens_list": (
        "🖥 <b>Room screens</b> for the screen beside the door or the projector in the break: what runs in the "
        "room now and next, with the delay, the top questions and a QR code to sign up and ask.\n"
        "Each link shows its own room only and is valid until {until}. Give it to the technicians, do not share "
        "it publicly. German: <code>lang=de</code> instead of <code>lang=en</code> at the end of the link."
    ),
    "orga_screens_none": "Room screens need the Mini App: set BOT_WEB_LISTEN and BOT_WEB_URL.",
    "orga_screens_no_rooms": "The program names no room.",
    "orga_no_sessions": "No session of the program fits that (any more).",
    "admin_attendees_choose": "👥 Whose names and waiting list would you like to see?",
    "change_refused": "⛔ <b>This change is not possible:</b>\n{problems}\n\nNothing was changed.",
    "change_warnings": "⚠️ <b>Please check:</b>\n{problems}",
    "change_stale": "🔄 The program has changed since this preview – nothing was applied. Here is the preview as things stand now:",
    "finding_outside_conference": "• “{title}” would fall (partly) outside the conference hours.",
    "finding_end_before_start": "• “{title}” would end before it begins.",
    "finding_room_clash": "• “{title}” and “{other}” would be in {room} at the same time.",
    "change_choose_delay": "🕒 <b>Which session is moving?</b>",
    "change_ask_minutes": "🕒 <b>{title}</b>\n{when} · {room}\n\nBy how many minutes? (+ later, − earlier)",
    "change_type_minutes": "✏️ Other",
    "change_prompt_minutes": (
        "By how many minutes? Write e.g. 20 (later) or -10 (earlier); “20 following” also moves everything "
        "after it in the same room. /cancel aborts."
    ),
    "change_ask_scope": "{count:One more session follows|{count} more sessions follow} in the same room ({room}). Should {count:it|they} move as well?",
    "change_scope_one": "Only “{title}”",
    "change_scope_following": "Everything from here in the same room ({count})",
    "change_choose_room": "📍 <b>Which session changes its room?</b>",
    "change_ask_room": "📍 <b>{title}</b>\n{when} · now: {room}\n\nWhich room? (⛔ = in use at the same time)",
    "change_type_room": "✏️ Type another room",
    "change_prompt_room": "Write the new room. /cancel aborts.",
    "change_room_too_long": "This room name has {length} characters; at most {limit} fit into every line of the program. Please shorten it.",
    "change_choose_cancel": "❌ <b>Which session is cancelled?</b>",
    "change_choose_restore": "♻️ <b>Which cancelled session takes place after all?</b>",
    "change_alternatives": "There are still free seats at the same time – one tap signs you up:",
    "reload_file_warnings": "⚠️ Notes on the file:\n{warnings}",
    "problems_more": "… and {count} more",
    "reload_unchanged": "🔄 The file has not changed – there is nothing to apply.",
    "reload_capacity": "• {title}: 🎟 {before} → {after} {after:seat|seats}",
    "reload_would_overbook": "   ⚠️ then overbooked: {confirmed} {confirmed:sign-up|sign-ups} for {capacity} {capacity:seat|seats} – nobody is removed",
    "reload_would_promote": "   ⬆️ moving up from the waiting list: {count}",
    "reload_texts": "• sessions with changed texts (title, description, speakers): {count}",
    "reload_other": "• changed announcements, exhibitors or conference details",
    "reminder_excursion_button_off": "🚌 Off",
    "reminder_settings_both": (
        "⏰ <b>Reminders</b>\nSessions: {current}.\n🚌 Excursion bus (with the meeting point on the map): {excursion}.\n\n"
        "The buttons at the top set the reminder for your sessions, the 🚌 buttons the one for the bus – each independently."
    ),
    "reminder_excursion_current_default": "{minutes} {minutes:minute|minutes} before departure",
    "reminder_excursion_current_minutes": "{minutes} {minutes:minute|minutes} before departure",
    "reminder_excursion_current_off": "off",
    "reminder_excursion_button_minutes": "🚌 {minutes} min",
    "reminder_excursion_set": "🚌 I will remind you {minutes} {minutes:minute|minutes} before the bus leaves.",
    "reminder_excursion_off": "🚌 No reminder for the bus.",
})

# Inline mode ("@bot podium" in any chat) and deep links into the bot
TEXTS.update({
    "inline_open": "📋 Open in the conference bot",
    "inline_open_signup": "🎟 Details & sign-up in the bot",
    "inline_nothing_found": "🔎 Nothing found – open the program in the bot",
    "inline_cancelled_title": "❌ Cancelled: {title}",
    "unknown_session_link": "🤔 The session “{session_id}” from this link doesn't exist (any more).",
    "deeplink_invalid": "🤔 I can't make sense of this link – perhaps it was cut off.",
})

# The Mini App (bot/web): the page's own words; everything else it shows comes from the texts above.
TEXTS.update({
    "web_title": "Program",
    "web_tab_program": "Program",
    "web_tab_orga": "Organizers",
    "web_days": "Days",
    "web_views": "Views",
    "web_loading": "Loading …",
    "web_offline": "As of {time} – offline",
    "web_retrying": "No connection – trying again shortly.",
    "web_error_auth": "This page only opens from the chat with the bot. Please open it there again.",
    "web_error": "That did not work. Please try again.",
    "web_close": "Close",
    "web_now": "Now: {time}",
    "web_all_rooms": "all rooms",
    "web_no_room": "no room given",
    "web_mark_confirmed": "✅ signed up",
    "web_mark_waiting": "⏳ waiting list: position {position}",
    "web_mark_bookmarked": "⭐ bookmarked",
    "web_mark_free": "{free} free",
    "web_mark_full": "fully booked",
    "web_mark_cancelled": "❌ cancelled",
    "web_grid_label": "Program on {date}: rooms in columns, times in rows",
    "web_orga_seats": "Seats and waiting lists",
    "web_orga_seats_line": "{confirmed} of {capacity} {capacity:seat|seats} taken · waiting list: {waiting}",
    "web_orga_broadcasts": "Announcements",
    "web_orga_report": "{state} · delivered {sent} · failed {failed} · pending {pending}",
    "web_orga_feedback": "Ratings (average, 1–5 stars)",
    "web_orga_rating": "avg. {average} from {count} {count:rating|ratings}",
    "web_orga_none": "Nothing yet.",
    "web_heading_now": "Now",
    "web_heading_next": "Next · {time}",
    "web_heading_slot": "{time}",
    "web_heading_past": "Earlier ({count})",
    "web_nothing_now": "Nothing is running right now.",
    "web_day_over": "Today's program is over.",
    "web_filter_mine": "⭐ Only mine",
    "web_mine_empty": "Nothing chosen yet: bookmark sessions (⭐) or sign up.",
    "web_jump_now": "To now",
    "web_calendar_mine": "📅 My day to my calendar",
    "web_home_screen": "📲 Add to home screen",
    "web_calendar_started": "📅 Downloading the calendar file.",
    "web_offline_actions": "Offline: changes are possible again once there is a connection.",
    "web_details": "Details",
    "web_mark_running": "▶ on now",
    "web_mark_past": "over",
    "mark_later": "⏱ {minutes} min late",
    "mark_earlier": "⏱ {minutes} min early",
    "web_room_screen": "Room screen",
    "web_room_now": "Now",
    "web_room_next": "Next",
    "web_room_nothing_now": "Nothing is running here right now.",
    "web_room_day_over": "Nothing more here today.",
    "web_room_questions": "Top questions",
    "web_room_no_questions": "No questions yet – ask the first one!",
    "web_room_scan": "Scan with your phone: sign up, bookmark, ask a question",
    "web_room_updated": "As of {time}",
    "web_room_votes": "{votes} {votes:vote|votes}",
    "web_room_invalid": "This room screen link is invalid or has expired. Please get a new one via /orga.",
    "web_open_app": "🗓 Program app",
})

# The program file's problems and warnings (domain.problems), for `check`, /reload and the logs.
# Plain text: the caller escapes. Field names are written as in the file.
TEXTS.update({
    "problem_at_line": " (line {line})",
    "problem_where_session": "session {name}",
    "problem_where_announcement": "announcement {name}",
    "problem_where_exhibitor": "exhibitor {name}",
    "problem_where_additions": "additions {name}",
    "problem_where_file": "file",
    "problem_where_yaml": "YAML syntax",
    "problem_where_speaker": ", speaker {number}",
    "problem_entry_at_line": "{entry} (line {line})",
    "problem_no_program_files": "no program file (*.yaml) found",
    "problem_reload_id_changed": ("'id' is now '{after}' instead of '{before}': everything personal is stored under "
                                  "the id, so it stays; a new conference is a new file (and a restart)"),
    "problem_series_id": ("'id' must be set when there are several conferences: 1-24 characters a-z, 0-9 and -, "
                          "stable over time (found: '{id}')"),
    "problem_series_id_twice": "'id' '{id}' is taken by {other} already: each conference needs its own",
    "problem_file_not_found": "file not found",
    "problem_cannot_read_file": "cannot read file: {reason}",
    "problem_source_is_url": "'{source}' is a URL; the bot reads it when it runs",
    "problem_cannot_read_schedule": "cannot read the schedule '{source}': {reason}",
    "problem_additions_mapping": "must map session ids to fields to add",
    "problem_additions_dormant": "additions for “{session}” are dormant: the schedule does not have this session now (they apply again once it is back)",
    "problem_additions_fields": "may add only {fields}",
    "problem_duplicate_key": "field '{field}' is given twice in one place (first at line {first}); only the last would count",
    "problem_yaml": "{reason}",
    "problem_nested_too_deeply": "the document is nested too deeply",
    "problem_field_mapping": "field '{field}' must be a mapping",
    "problem_field_missing": "field '{field}' is missing",
    "problem_field_text": "field '{field}' must be a text",
    "problem_field_empty": "field '{field}' must not be empty",
    "problem_field_text_or_languages": "field '{field}' must be a text or a mapping of languages",
    "problem_unknown_language": "field '{field}': unknown language '{language}' (use {languages})",
    "problem_language_text_empty": "field '{field}' must be a non-empty text",
    "problem_field_no_text": "field '{field}' has no text",
    "problem_field_number": "field '{field}' must be a number",
    "problem_number_range": "field '{field}' must be between {low} and {high}",
    "problem_field_moment": "field '{field}' must be a date and time like \"2025-06-03 09:30\"",
    "problem_bad_moment": "field '{field}': '{value}' is not a date and time like \"2025-06-03 09:30\"",
    "problem_time_skipped": ("field '{field}': {time} does not exist in {zone} (the clocks jump forward then); the same "
                             "moment on the clocks after the jump is \"{suggestion}\" (or write \"{offset}\")"),
    "problem_time_twice": ("field '{field}': {time} happens twice in {zone} (the clocks go back); read as the first; "
                           "write \"{first}\" or \"{second}\" to choose"),
    "problem_program_mapping": "the program must be a mapping with 'conference' and 'sessions'",
    "problem_unknown_top_level": "unknown top-level field '{field}'",
    "problem_field_list": "field '{field}' must be a list",
    "problem_exhibitor_mapping": "must be a mapping with name, municipality, topic and stand",
    "problem_unknown_field": "unknown field '{field}'",
    "problem_announcement_mapping": "must be a mapping with id, at, audience and text",
    "problem_announcement_id": "field 'id' must be 1–24 lower-case letters, digits, '-' or '_'",
    "problem_duplicate_id": "field 'id': duplicate id '{ident}'",
    "problem_duplicate_id_at": "field 'id': duplicate id '{ident}' (first at line {first})",
    "problem_audience": "field 'audience' must be {forms} or {last}",
    "problem_audience_unknown_session": "field 'audience': unknown session '{session}'",
    "problem_end_before_start": "field 'end' must be after 'start'",
    "problem_retention_days": "field 'retention_days' must be a whole number of days ≥ 0",
    "problem_attendees": "field 'attendees' must be a whole number ≥ 0",
    "problem_unknown_zone": "field 'timezone': unknown time zone '{name}' (use an IANA name like Europe/Berlin)",
    "problem_conference_language": "field 'language' must be one of {languages}",
    "problem_session_mapping": "must be a mapping with id, kind, title, start and end",
    "problem_session_id": "field 'id' must be 1–24 lower-case letters, digits, '-' or '_', starting with a letter or digit",
    "problem_outside_conference": "field '{field}' lies outside the conference ({first} – {last})",
    "problem_field_bool": "field '{field}' must be true or false",
    "problem_organizers": "field 'organizers' must be a list of numeric Telegram user ids",
    "problem_moderators": "field 'moderators' must be a list of numeric Telegram user ids",
    "problem_keywords_list": "field 'keywords' must be a list of words, e.g. [Mittagessen, lunch]",
    "problem_keyword_entry": "field 'keywords': entry {number} must be a word, not {item}",
    "problem_unknown_kind": "field 'kind': unknown kind '{kind}' (use one of {kinds})",
    "problem_capacity_whole": "field 'capacity' must be a whole number",
    "problem_capacity_positive": "field 'capacity' must be greater than 0 (is {value})",
    "problem_departure_outside": "field 'departure' lies outside the conference",
    "problem_speaker_entry": "field 'speakers': entry {number} must be a name or a mapping with 'name'",
    "problem_room_clash": "field 'room': '{room}' is also used by {other} at the same time ({span})",
    "problem_skipped": "skipped {reason}",
    "problem_not_json": "not valid JSON: {reason}",
    "problem_not_xml": "not valid XML: {reason}",
    "problem_unknown_format": "neither a schedule.json (pretalx, c3voc) nor a schedule.xml (frab, pentabarf)",
    "problem_no_days": "no schedule.conference.days — is this a pretalx/frab schedule.json?",
    "problem_wrong_root": "the XML root is {tag}, not {expected} — is this a frab schedule.xml?",
    "problem_event_no_title": "event {event}: no title",
    "problem_event_no_date": ("event {event} ({title}): no date and time (a date like 2025-10-25T09:00:00+02:00, "
                              "or a start like 09:00 on a day with its date)"),
    "problem_event_no_duration": "event {event} ({title}): no duration",
    "problem_event_room_clash": "event {event} ({title}): room {room} is used by event {other} at the same time",
    "problem_no_events": "the schedule has no events that can be imported",
    "problem_no_events_skipped": "the schedule has no events that can be imported ({count} skipped: {first})",
    "problem_zone_unknown": "time_zone_name '{zone}' is not a known time zone",
    "problem_zone_given_unknown": "unknown time zone '{zone}' (use an IANA name like Europe/Brussels)",
    "problem_zone_overridden": "the export's time_zone_name is {declared}; its times are read in {zone} as given",
    "problem_zone_given_contradicted": "{count} event(s) carry offsets other than {zone}'s (e.g. {example}); their dates win",
    "problem_zone_contradicted": ("time_zone_name is {zone}, but {count} event(s) carry other offsets (e.g. {example}); "
                                  "their dates win"),
    "problem_start_disagrees": "event {event}: start {start} disagrees with its date {date} in {zone}; the date wins",
    "problem_no_zone": ("the export names no time zone and its times carry no UTC offset: give the conference's zone with "
                        "`--timezone Europe/Brussels` (to `python -m bot import` as to `check`), or set conference.timezone in the program "
                        "file that links it"),
    "problem_fixed_offset": ("using the fixed offset {zone} as the conference's zone; set conference.timezone to the real "
                             "one (e.g. Europe/Berlin) so daylight saving is right"),
    "problem_no_venue": "the export names no venue: set conference.venue (name, address, coordinates) in program.yaml",
    "problem_zone_from_option": "time zone: {zone} (from --timezone)",
    "problem_zone_from_program": "time zone: {zone} (conference.timezone of the program file)",
    "problem_zone_from_export": "time zone: {zone} (the export's time_zone_name)",
    "problem_zone_from_offsets": "time zone: {zone} (from the events' UTC offsets)",
    "problem_language_from_option": "titles without a language: {language} (from --language)",
    "problem_language_from_program": "titles without a language: {language} (conference.language of the program file)",
    "problem_language_from_events": "titles without a language: {language} (the language most events name)",
    "problem_language_default": ("titles without a language: {language} (the bot's default; set conference.language or "
                                 "use --language)"),
})

# The guest list, invitations and "guests only"
TEXTS.update({
    "guests_only_refused": (
        "🎟 Seats, questions, ratings and networking at “{conference}” are for registered guests.\n\n"
        "You registered? Then please open the personal link in your invitation – that is how I recognise you.{how}"
        "\n\nYou are welcome to read the programme any time: /program"
    ),
    "guests_only_how": "\n\nNot registered yet? {registration}",
    "guests_only_how_contact": "\n\nNot registered yet? The organizers are happy to help: {contact}",
    "guest_connected": (
        "✅ Welcome, {name}! Your Telegram account is now connected to your registration for “{conference}”. "
        "You can sign up for sessions, ask questions, rate and network."
    ),
    "guest_already": "✅ {name}, your Telegram account is already connected to your registration for “{conference}”.",
    "guest_taken": (
        "⚠️ This invitation has already been opened with another Telegram account. Is it yours? Then please write "
        "to the organizers{contact}; they can release the connection."
    ),
    "guest_other": (
        "⚠️ Your Telegram account is already connected to the registration of {name}. An invitation belongs to "
        "one person; the organizers can help{contact}."
    ),
    "guest_unknown": (
        "🤔 I don't know this invitation – perhaps the link is incomplete. Please open it straight from your "
        "invitation e-mail."
    ),
    "guest_limited": (
        "⏳ Too many invalid invitation links in a short time. Please try again in an hour or contact the organizers."
    ),
    "guest_contact": ": {contact}",
    "orga_guests": "🎟 Guest list",
    "guests_title": (
        "🎟 <b>Guest list – {conference}</b>\n{total} {total:guest|guests}, {connected} of them connected to Telegram.\n"
        "{mode}"
    ),
    "guests_mode_only": "🔒 Only connected guests take seats, ask questions, rate and network (guests_only).",
    "guests_mode_open": "🔓 Everyone can take part; the list shows who registered (guests_only is off).",
    "guests_load": "📄 Load a list",
    "guests_links": "🔗 Invitation links (CSV)",
    "guests_connected_button": "✅ Who is connected?",
    "guests_unlink": "🔓 Release a connection",
    "flow_guestlist": "loading the guest list",
    "flow_guest_unlink": "the search for a guest",
    "guests_send_file": (
        "📄 Send me the guest list as a CSV file (from your registration form, pretix or a spreadsheet): a column "
        "“Name” (or “First name” and “Last name”), and optionally “E-mail”, “Organization” and “Code” (the "
        "registration number). I show a preview first; nothing changes without your confirmation."
    ),
    "guests_file_too_big": "The file is too big (at most {megabytes} MB). Nothing changed.",
    "guests_not_loaded": "❌ <b>The guest list was not loaded</b> – nothing changed.\n{problem}\n\nSend a corrected file or /cancel.",
    "guests_unchanged": "✅ The file holds the same {total} {total:guest|guests} as the list loaded. Nothing to change.",
    "guests_preview": "📄 <b>Guest list – preview</b>\n{total} {total:guest|guests} in the file.",
    "guests_preview_added": "➕ New: {count}",
    "guests_preview_changed": "✏️ Changed: {count}",
    "guests_preview_renamed": "   • {before} → {after}",
    "guests_preview_fields": "   • {name}: {fields}",
    "guests_field_email": "e-mail",
    "guests_field_organization": "organization",
    "guests_field_reference": "code",
    "guests_preview_removed": "➖ <b>Removed: {count}</b> (their invitation links stop working)",
    "guests_preview_removed_line": "   • {name}{connected}",
    "guests_preview_removed_connected": " – connected to Telegram",
    "guests_preview_more": "   … and {count} more",
    "guests_preview_unchanged": "= Unchanged: {count}",
    "guests_preview_confirm": "Nothing changes until you confirm.",
    "guests_loaded": (
        "✅ <b>Guest list loaded.</b> New: {added}, changed: {changed}, removed: {removed}. {total} "
        "{total:guest|guests} in all.\nThe personal links: “🔗 Invitation links” in /guests or "
        "<code>python -m bot invite</code>."
    ),
    "guests_stale": "🔄 The guest list changed since this preview – nothing was applied. Here is the preview as things are now:",
    "guests_file_gone": "The file of this preview can no longer be read – please send it again. Nothing changed.",
    "guests_links_caption": "🔗 Invitation links for {count} {count:guest|guests} (for your mail merge). Each link belongs to one person.",
    "guests_none": "No guest list loaded yet. “📄 Load a list” in /guests.",
    "guests_connected_title": "✅ <b>Connected: {count}</b>",
    "guests_waiting_title": "▫️ <b>Not connected yet: {count}</b>",
    "guests_connected_many": "For more than {limit} guests the state is in the CSV file (column “connected”):",
    "guests_unlink_ask": "🔓 Whose connection would you like to release? Type part of the name, e-mail, organization or code.",
    "guests_unlink_none": "I find no guest for that. Please try other words or /cancel.",
    "guests_unlink_choose": "Which guest? (🔗 = connected to Telegram)",
    "guests_unlink_preview": (
        "🔓 Release the connection of <b>{name}</b>?\nConnected is the Telegram account {account}. It then no longer "
        "counts as a guest, and the personal link works again for the next account that opens it."
    ),
    "guests_unlink_not_connected": "{name} is not connected to a Telegram account – the link works already.",
    "guests_unlinked": "🔓 Released. The personal link of {name} works again for the next account that opens it.",
    "guests_gone": "This guest is no longer on the list.",
    "guests_problem_empty": "The file is empty.",
    "guests_problem_not_csv": "This is not a CSV file but a spreadsheet or binary file. In your spreadsheet program choose “Save as … CSV (UTF-8)” and send that file.",
    "guests_problem_too_big": "The file is larger than {megabytes} MB.",
    "guests_problem_broken_line": "line {line}: a quotation mark is not closed or stands inside a field.",
    "guests_problem_no_name_column": (
        "line {line}: no column for the name (found: {found}). Needed is “Name”, or “First name” and “Last name”."
    ),
    "guests_problem_no_guests": "The file holds no guests (only a header, or nothing).",
    "guests_problem_field_count": (
        "line {line}: {found} fields instead of {expected} as in the header – is a separator inside a field that is "
        "not quoted? Then put the field in quotation marks."
    ),
    "guests_problem_no_name": "line {line}: no name.",
    "guests_problem_bad_email": "line {line}: “{email}” is not an e-mail address.",
    "guests_problem_twice": "line {line}: {name} is already in line {first}.",
})

# The series: switching, the archive, hearing about the next one
TEXTS.update({
    "conference_line": "<b>{name}</b>\n📅 {when}\n📍 {venue}",
    "conference_current": "🗂 You are at:\n{line}",
    "conference_choose": "Switch to another conference:",
    "conference_lapsed": "ℹ️ “{old}” is over – from now on this chat is about “{new}”. The past one stays readable in /archive.",
    "conference_only": "No other conference is open to choose right now.",
    "conference_switch": "🔁 Other conference",
    "conference_over": (
        "📚 “{conference}” is over. Its programme and your ratings stay readable (/archive); signing up, asking, "
        "rating and networking are closed there."
    ),
    "archive_button": "📚 Archive",
    "archive_show": "📚 Read",
    "archive_empty": "No conference of this series is over yet.",
    "archive_title": "📚 <b>Past conferences</b> – to read:",
    "archive_conference": "📚 {line}\n",
    "archive_ratings": "<b>Your ratings:</b>",
    "archive_rating": "{stars} {title}",
    "news_offer": (
        "🔔 <b>Hear about the next conference?</b>\nThen I will write to you as soon as registration for the next "
        "conference of this series opens. For that I keep only this chat, your language and the date you agreed – "
        "even when everything else is deleted after the conference. Withdraw any time with /notify."
    ),
    "news_on": "🔔 You will hear when the next conference opens. Withdraw?",
    "news_yes": "🔔 Yes, let me know",
    "news_withdraw": "🔕 Withdraw my consent",
    "news_given": "🔔 Thank you! I will let you know when the next conference opens. Withdraw any time: /notify",
    "news_withdrawn": "🔕 Withdrawn: I will not write about the next conference, and I deleted your consent.",
    "opening_text": (
        "🎉 <b>The next conference is open!</b>\n\n{line}\n{motto}\n\nProgramme, workshop sign-up and reminders: "
        "right here in the bot. (You get this message because you asked to hear about it; stop with /notify.)"
    ),
    "opening_open": "➡️ To the conference",
    "opening_nobody": "Nobody is waiting for this message (any more): everyone who agreed has it or takes part already.",
    "opening_report_button": "📊 Report",
    "opening_preview": (
        "📣 <b>Announce the opening – preview</b>\nTo {count} {count:person|people} who asked to hear about it "
        "(not counting those who take part already):\n\n{preview}"
    ),
    "opening_sent": "📣 Being sent to {count} {count:person|people}.",
    "opening_report": "📊 Opening: delivered {sent}, pending {pending}, blocked {blocked}, failed {failed}.",
    "orga_conference_now": "🗂 Conference: <b>{conference}</b>",
    "orga_opening": "📣 Announce the opening",
    "orga_conference": "🔁 Switch conference",
    "privacy_series": (
        "\n\n<b>Several conferences:</b> what you do at a conference belongs to it and is deleted {retention} days after "
        "it ends; whoever then belongs to no conference any more is forgotten entirely. /mydata and /delete cover all "
        "conferences. With /notify you may agree separately to hear about the next conference: then only this chat, "
        "your language and the date stay, until you withdraw."
    ),
    "privacy_news": (
        "\n\nWith /notify you may agree separately to hear about the next conference: then only this chat, your "
        "language and the date stay after the deletion, until you withdraw."
    ),
    "delete_all_conferences": "\nThis covers every conference of this bot, and your consent to /notify too.",
})
