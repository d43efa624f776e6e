"""Deutsche Texte. HTML für Telegram; Platzhalter in {geschweiften Klammern} werden escaped eingesetzt."""

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")

WEEKDAYS_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
DECIMAL_SEPARATOR = ","

TEXTS = {
    "date": "{weekday}, {day}. {month} {year}",
    "time": "{time} Uhr",
    "time_range": "{start}–{end} Uhr",
    "welcome": (
        "👋 <b>Willkommen!</b>\n<b>{conference}</b>{motto}\n\n"
        "📅 {when}\n📍 {venue}\n\n"
        "Ich bin Ihr Konferenz-Assistent. Ich sage Ihnen, was gerade läuft und was als Nächstes kommt, "
        "wo es stattfindet und wer spricht.{signup}\n\n"
        "Schreiben Sie mir einfach eine Frage wie „{example}“ oder nutzen Sie die Knöpfe.\n\n"
        "🔒 Was ich speichere und Ihre Rechte: /datenschutz"
    ),
    "welcome_motto": "\n<i>{motto}</i>",
    "welcome_signup": " Für {names} melden Sie sich hier an, und ich erinnere Sie rechtzeitig.",
    "welcome_signup_many": " Für Programmpunkte mit begrenzten Plätzen melden Sie sich hier an, und ich erinnere Sie rechtzeitig.",
    "welcome_remind": " Gemerkte Programmpunkte bekommen von mir rechtzeitig eine Erinnerung.",
    "example_when": "{title} – wann und wo?",
    "span_days": "{start} – {end}",
    "menu_program": "📋 Programm",
    "menu_now": "▶️ Jetzt",
    "menu_next": "⏭ Danach",
    "menu_venue": "📍 Veranstaltungsort",
    "menu_mine": "🎟 Meine Anmeldungen",
    "menu_help": "❓ Hilfe",
    "menu_language": "🇬🇧 English",
    "program_title": "📋 <b>Programm – {date}</b>",
    "daypart_morning": "Vormittag",
    "daypart_afternoon": "Nachmittag",
    "daypart_evening": "Abend",
    "program_hint": "Tippen Sie auf einen Programmpunkt für Details.",
    "program_page": "Seite {page} von {pages}",
    "line_departure": "🚌 Abfahrt {time}",
    "cancelled_mark": "❌ abgesagt",
    "now_running": "▶️ <b>Jetzt läuft</b>",
    "now_nothing": "Gerade läuft kein Programmpunkt.",
    "next_title": "⏭ <b>Als Nächstes</b>",
    "next_in": "in {duration}",
    "next_nothing": "Es folgt kein weiterer Programmpunkt mehr.",
    "before_conference": "⏳ Die Konferenz beginnt in <b>{duration}</b>: am {date} um {time} Uhr.\n📍 {venue}",
    "after_conference": "🙏 Die Konferenz ist vorbei. Vielen Dank fürs Dabeisein bei „{conference}“ – und gute Heimreise!",
    "duration_days": "{days} {days:Tag|Tagen}, {hours} Std.",
    "duration_day": "1 Tag, {hours} Std.",
    "duration_hours": "{hours} Std. {minutes} Min.",
    "duration_minutes": "{minutes} Min.",
    "details_time": "🕒 {date}, {time}",
    "details_room": "📍 {room}",
    "details_destination": "🚌 Ziel: {room}",
    "details_speakers": "🎤 {speakers}",
    "details_seats_free": "🎟 {free} von {capacity} {capacity:Platz|Plätzen} frei",
    "details_seats_full": "🎟 ausgebucht ({capacity} {capacity:Platz|Plätze}), Warteliste: {waiting}",
    "details_overbooked": "🎟 überbucht: {confirmed} {confirmed:Anmeldung|Anmeldungen} bei {capacity} {capacity:Platz|Plätzen}",
    "details_meeting_point": "🚌 Treffpunkt: {place}, Abfahrt {time} Uhr",
    "details_you_confirmed": "✅ Sie sind angemeldet.",
    "details_you_waiting": "⏳ Sie stehen auf der Warteliste: Platz {position}.",
    "details_cancelled": "❌ <b>Dieser Programmpunkt fällt aus.</b>",
    "details_running": "▶ Läuft gerade – An- und Abmeldungen sind geschlossen.",
    "details_over": "✔ Schon vorbei.",
    "over_mark": "✔ vorbei",
    "details_departed": "🚌 Der Bus ist abgefahren – An- und Abmeldungen sind geschlossen.",
    "button_signup": "✅ Anmelden",
    "button_cancel_seat": "✖️ Abmelden",
    "button_leave_waitlist": "✖️ Warteliste verlassen",
    "button_meeting_point": "🚌 Treffpunkt auf der Karte",
    "button_back_program": "⬅️ Programm",
    "button_switch": "🔄 Wechseln",
    "button_keep_old": "Nein, behalten",
    "button_join_waitlist": "⏳ Auf die Warteliste",
    "button_keep_seat": "👍 Platz behalten",
    "button_give_back_of": "✖️ Platz in „{title}“ freigeben",
    "button_release_seat": "✖️ Platz freigeben",
    "button_details": "ℹ️ Details",
    "button_more": "Weiter ➡️",
    "button_less": "⬅️ Zurück",
    "venue_text": "📍 <b>{venue}</b>\n{address}",
    "meeting_point_title": "Treffpunkt: {place}",
    "search_results": "🔎 Das habe ich im Programm gefunden:",
    "you_are_welcome": "Gern geschehen! 😊 Wenn Sie noch etwas brauchen: /hilfe",
    "search_none": (
        "🤔 Zu „{query}“ habe ich nichts im Programm gefunden.\n"
        "Versuchen Sie ein anderes Stichwort oder einen Namen – oder öffnen Sie das ganze Programm."
    ),
    "help": (
        "❓ <b>So helfe ich Ihnen</b>\n\n"
        "/programm – das ganze Programm\n"
        "/jetzt – was gerade läuft\n"
        "/danach – was als Nächstes kommt\n"
        "/ort – der Veranstaltungsort auf der Karte\n"
        "/anmelden – für einen Programmpunkt mit begrenzten Plätzen anmelden\n"
        "/abmelden – eine Anmeldung zurückgeben\n"
        "/meine – Ihre Anmeldungen und Wartelistenplätze\n"
        "/merken – gemerkte Programmpunkte\n"
        "/erinnerung – wann ich Sie erinnere (5, 10, 15, 30 Min. oder aus)\n"
        "/meinplan – Ihr Tag, auch als Kalenderdatei\n"
        "/aussteller – Aussteller und Stände\n"
        "/frage – Frage an die Vortragenden; /fragen zeigt sie\n"
        "/vernetzen – Menschen mit gleichen Themen finden (nur mit Zustimmung)\n"
        "/konferenz – welche Konferenz der Reihe, wechseln; /archiv – vergangene zum Nachlesen\n"
        "/bescheid – Bescheid, wenn die nächste Konferenz öffnet (gesonderte Zustimmung)\n"
        "/datenschutz – was ich speichere; /meinedaten, /loeschen\n"
        "/sprache – Sprache wechseln (Deutsch/English)\n"
        "/abbrechen – Angefangenes abbrechen (eine Frage, einen Kommentar …)\n\n"
        "Oder schreiben Sie einfach, was Sie suchen, z. B. „{example}“."
    ),
    "help_admin": (
        "\n\n🛠 <b>Für das Organisationsteam</b>\n"
        "/teilnehmer [id] – Anmeldungen je Programmpunkt, Namen per Knopf\n"
        "/export – alle Anmeldungen als CSV\n"
        "/reload – program.yaml neu einlesen (mit Vorschau)\n"
        "/aenderungen – Änderungen aus dem Chat, die gelten; einzeln zurücknehmen\n"
        "/feedback [export] – Bewertungen je Programmpunkt\n"
        "/durchsage – Durchsage an alle oder eine Gruppe\n"
        "/durchsagen – gesendete Durchsagen, Berichte, Korrektur, Zurückziehen\n"
        "/geplant – geplante Durchsagen\n"
        "/verschieben [id] [Min.] [folgende] – Programmpunkt verschieben\n"
        "/raum [id] [Raum] – Raum ändern\n"
        "/absagen [id] – Programmpunkt absagen; /wiederherstellen [id] – Absage zurücknehmen\n"
        "/gaeste – Gästeliste, Einladungslinks, wer verbunden ist\n"
        "/eroeffnung – die Eröffnung der in /orga gewählten Konferenz ankündigen\n"
        "/orga – alles für das Organisationsteam, per Knopf\n"
        "/abbrechen – laufende Eingabe abbrechen"
    ),
    "language_choose": "Bitte wählen Sie Ihre Sprache / Please choose your language:",
    "language_set": "✅ Ich spreche jetzt Deutsch mit Ihnen.",
    "unknown_command": "Den Befehl {command} kenne ich nicht. /hilfe zeigt, was ich kann.",
    "unsupported_message": "Ich verstehe Textnachrichten und Knöpfe. /hilfe zeigt, was ich kann.",
    "stale_button": "Dieser Knopf ist nicht mehr gültig. Bitte öffnen Sie das Programm neu.",
    "unknown_session": "Den Programmpunkt „{session_id}“ gibt es nicht (mehr). /programm zeigt alle.",
    "session_departed": "❌ „{title}“ fällt aus: Der Programmpunkt steht nicht mehr im Programm. /programm zeigt alle.",
    "error_generic": "⚠️ Da ist etwas schiefgegangen. Bitte versuchen Sie es gleich noch einmal.",
    "backlog_note": (
        "✋ So viele Nachrichten auf einmal kann ich nicht rechtzeitig beantworten. Ich beantworte nur "
        "{count:die letzte Nachricht|die letzten {count} Nachrichten}. Was davor kam, schicken Sie mir bitte "
        "später noch einmal, falls es noch wichtig ist."
    ),
    "backlog_tap_dropped": "Gerade kommt zu viel auf einmal – diesen Knopf habe ich übersprungen. Bitte tippen Sie gleich noch einmal.",
    "backlog_tap_waits": "⏳ Einen Moment – ich beantworte erst Ihre vorigen Nachrichten.",
    "signup_choose": "Wofür möchten Sie sich anmelden?",
    "cancel_choose": "Welche Anmeldung möchten Sie zurückgeben?",
    "cancel_none": "Sie haben keine Anmeldung, die Sie zurückgeben könnten.",
    "signup_none_open": "Im Moment gibt es nichts, wofür man sich anmelden kann.",
    "signup_confirmed": "✅ Sie sind für „{title}“ angemeldet.\n🕒 {when}\n📍 {room}",
    "signup_already_confirmed": "Sie sind für „{title}“ bereits angemeldet – Ihr Platz ist sicher.",
    "signup_waitlisted": (
        "⏳ „{title}“ ist ausgebucht. Sie stehen auf der <b>Warteliste auf Platz {position}</b>.\n"
        "Wird ein Platz frei, rücken Sie automatisch nach und bekommen sofort eine Nachricht."
    ),
    "signup_waitlisted_switch": (
        "⏳ Sie stehen auf der <b>Warteliste für „{title}“ auf Platz {position}</b>. Ihr Platz in „{other}“ "
        "bleibt Ihnen bis dahin. Rücken Sie nach, wechseln Sie automatisch und Ihr Platz in „{other}“ wird frei."
    ),
    "signup_already_waitlisted": "Sie stehen für „{title}“ bereits auf der Warteliste, auf Platz {position}.",
    "signup_conflict": (
        "Sie haben schon einen Platz in „{other}“ – zur selben Zeit wie „{title}“. "
        "Möchten Sie zu „{title}“ wechseln? Ihr bisheriger Platz wird erst frei, wenn der neue sicher ist."
    ),
    "signup_switched": "🔄 Gewechselt: Sie sind jetzt für „{title}“ angemeldet. Ihr Platz in „{other}“ ist freigegeben.",
    "signup_switch_full": (
        "„{title}“ ist leider ausgebucht – Ihr Platz in „{other}“ bleibt Ihnen sicher.\n"
        "Möchten Sie auf die Warteliste für „{title}“? Wird dort ein Platz frei, wechseln Sie automatisch."
    ),
    "signup_switch_full_waiting": (
        "„{title}“ ist leider ausgebucht – Ihr Platz in „{other}“ bleibt Ihnen sicher. "
        "Sie stehen für „{title}“ auf der Warteliste, auf Platz {position}."
    ),
    "signup_kept": "In Ordnung, Sie behalten Ihren Platz in „{title}“.",
    "signup_keep_gone": "Sie haben keinen Platz mehr in „{title}“: Er wurde seit diesem Angebot getauscht oder zurückgegeben.",
    "waitlist_moved_up": "🎉 Sie stehen nicht mehr auf der Warteliste für „{title}“: Sie sind nachgerückt und haben einen Platz.\n🕒 {when}\n📍 {room}\nSie behalten ihn; zum Zurückgeben tippen Sie unten.",
    "signup_no_signup": "Für „{title}“ ist keine Anmeldung nötig – kommen Sie einfach vorbei.",
    "signup_session_cancelled": "„{title}“ fällt aus; eine Anmeldung ist nicht möglich.",
    "signup_closed": "„{title}“ hat bereits begonnen; An- und Abmeldungen sind nicht mehr möglich.",
    "signup_departed": "🚌 Der Bus zu „{title}“ ist um {time} abgefahren; An- und Abmeldungen sind nicht mehr möglich.",
    "cancel_done": "Sie sind von „{title}“ abgemeldet. Danke, dass Sie den Platz freigeben!",
    "cancel_left_waitlist": "Sie haben die Warteliste für „{title}“ verlassen.",
    "cancel_not_registered": "Sie sind für „{title}“ nicht angemeldet.",
    "promoted": (
        "🎉 <b>Ein Platz ist frei geworden!</b> Sie sind jetzt für „{title}“ angemeldet.\n"
        "🕒 {when}\n📍 {room}\n\nKönnen Sie nicht teilnehmen? Dann geben Sie den Platz bitte frei."
    ),
    "promoted_released": "\n🔄 Ihr Platz in „{other}“ wurde dafür freigegeben.",
    "promotion_kept": "👍 Prima, Ihr Platz in „{title}“ ist bestätigt.",
    "mine_title": "🎟 <b>Ihre Anmeldungen</b>",
    "mine_confirmed": "✅ {time} {title} – {room}",
    "mine_waiting": "⏳ {time} {title} – Warteliste Platz {position}",
    "mine_none": "Sie haben sich noch für nichts angemeldet. /anmelden zeigt, wofür das geht.",
    "button_bookmark": "⭐ Merken & erinnern",
    "button_unbookmark": "✖️ Nicht mehr merken",
    "bookmark_added": "⭐ Gemerkt: „{title}“. Ich erinnere Sie rechtzeitig vorher.",
    "bookmark_added_off": "⭐ Gemerkt: „{title}“. Erinnerungen sind ausgeschaltet – /erinnerung schaltet sie ein.",
    "bookmark_added_begun": "⭐ Gemerkt: „{title}“. Der Programmpunkt hat schon begonnen, daher keine Erinnerung.",
    "bookmark_removed": "„{title}“ ist nicht mehr gemerkt.",
    "bookmarks_title": "⭐ <b>Gemerkte Programmpunkte</b>",
    "bookmarks_none": "Sie haben noch nichts gemerkt. Öffnen Sie einen Programmpunkt und tippen Sie auf „Merken“.",
    "reminder_settings": "⏰ <b>Erinnerungen</b>\nDerzeit: {current}.\nWie lange vorher soll ich Sie an Ihre Programmpunkte erinnern?",
    "reminder_current_default": "{minutes} {minutes:Minute|Minuten} vorher",
    "reminder_current_minutes": "{minutes} {minutes:Minute|Minuten} vorher",
    "reminder_current_off": "aus",
    "reminder_button_minutes": "{minutes} Min.",
    "reminder_button_off": "🔕 Aus",
    "reminder_set": "✅ Ich erinnere Sie {minutes} {minutes:Minute|Minuten} vor Ihren Programmpunkten.",
    "reminder_off": "🔕 Erinnerungen sind aus. Mit /erinnerung schalten Sie sie wieder ein.",
    "reminder": "⏰ <b>In {minutes} Min.:</b> „{title}“\n🕒 {time}\n📍 {room}",
    "reminder_excursion": "🚌 <b>Der Bus fährt um {departure}, in {minutes} Min.:</b> „{title}“\n📍 Treffpunkt: {place}",
    "waitlist_still_waiting": (
        "⏳ „{title}“ beginnt in {minutes} Min. Leider ist kein Platz frei geworden – "
        "Sie stehen weiterhin auf Platz {position} der Warteliste."
    ),
    "bc_prompt": (
        "📢 <b>Neue Durchsage</b>\nSchreiben Sie jetzt den Text (Fett, Kursiv und Links bleiben erhalten) – "
        "oder schicken Sie ein Foto mit Bildunterschrift. /abbrechen bricht ab."
    ),
    "bc_too_long": "Der Text ist zu lang ({length} Zeichen, höchstens {limit}). Bitte kürzen Sie ihn.",
    "bc_choose_audience": "Wer soll die Durchsage bekommen?",
    "bc_audience_all": "👥 Alle ({count})",
    "bc_audience_excursion": "🚌 Exkursionsgruppe ({count})",
    "bc_audience_session": "🎯 Personen eines Programmpunkts …",
    "bc_choose_session": "Welcher Programmpunkt?",
    "bc_audience_confirmed": "✅ Angemeldete ({count})",
    "bc_audience_waitlisted": "⏳ Warteliste ({count})",
    "bc_audience_bookmarked": "⭐ Gemerkt ({count})",
    "bc_preview": "👀 <b>Vorschau</b> – so sehen es die Empfänger:\n\n{body}\n\n———\nEmpfänger: <b>{count}</b> ({audience})",
    "bc_send_now": "📤 Jetzt senden",
    "bc_send_later": "⏰ Später senden",
    "bc_discard": "✖️ Verwerfen",
    "bc_header": "📢 <b>Durchsage des Organisationsteams</b>",
    "bc_corrected_mark": " · ✏️ <i>korrigiert</i>",
    "bc_progress": "📤 Durchsage #{id}: {sent} von {count} zugestellt …",
    "bc_report": (
        "✅ <b>Durchsage #{id} – Bericht</b>\nZugestellt: {sent} von {count}\n"
        "Blockiert (Bot gesperrt): {blocked}\nFehlgeschlagen: {failed}"
    ),
    "bc_report_reason": "\n• {reason}: {count}",
    "bc_already": "Diese Durchsage ist bereits unterwegs oder erledigt – nichts wird doppelt verschickt.",
    "bc_discarded": "Verworfen. Es wurde nichts gesendet.",
    "bc_was_cancelled": "Durchsage #{id} wurde verworfen oder abgesagt: Es wurde nichts gesendet. /durchsage beginnt eine neue.",
    "bc_ask_time": (
        "Wann soll die Durchsage rausgehen? Schreiben Sie eine Uhrzeit wie 14:30 (Konferenztag, Konferenzzeit) "
        "oder Datum und Uhrzeit wie 2025-06-03 14:30. /abbrechen bricht ab."
    ),
    "bc_bad_time": "Das verstehe ich nicht als Zeitpunkt in der Zukunft. Bitte z. B. 14:30 oder 2025-06-03 14:30.",
    "bc_scheduled": "⏰ Geplant für {when}: Durchsage #{id} an {audience}. /geplant zeigt alle geplanten.",
    "bc_list_title": "📢 <b>Durchsagen</b>",
    "bc_list_line": "<b>#{id}</b> · {when} · {audience} · {state}\n{sent}/{count} zugestellt, {blocked} blockiert, {failed} fehlgeschlagen\n<i>{excerpt}</i>",
    "bc_list_empty": "Noch keine Durchsagen.",
    "bc_edit_button": "✏️ #{id} korrigieren",
    "bc_withdraw_button": "🗑 #{id} zurückziehen",
    "bc_edit_prompt": "Schreiben Sie den korrigierten Text für Durchsage #{id}. /abbrechen bricht ab.",
    "bc_edit_preview": "✏️ <b>Korrektur von Durchsage #{id}</b> für {count} Empfänger:\n\n{body}",
    "bc_edit_done": "✏️ Die Korrektur wird an {count} Empfänger verteilt.",
    "bc_withdraw_confirm": "🗑 Durchsage #{id} bei allen Empfängern löschen ({count} zugestellt)?",
    "bc_withdraw_done": "🗑 Durchsage #{id} wird zurückgezogen: {count} {count:Nachricht wird|Nachrichten werden} gelöscht, noch nicht zugestellte nicht mehr gesendet.",
    "bc_not_editable": "Durchsage #{id} kann nicht mehr geändert werden.",
    "scheduled_title": "⏰ <b>Geplante Durchsagen</b>",
    "scheduled_line": "<b>#{id}</b> · {when} · {audience}\n<i>{excerpt}</i>",
    "scheduled_empty": "Keine geplanten Durchsagen.",
    "scheduled_cancel_button": "✖️ #{id} absagen",
    "scheduled_cancelled": "Die geplante Durchsage #{id} ist abgesagt.",
    "scheduled_started": "⏰ Die geplante Durchsage #{id} geht jetzt an {count} Empfänger.",
    "confirm_yes": "✅ Bestätigen",
    "confirm_no": "✖️ Abbrechen",
    "action_taken": "Das ist bereits erledigt oder abgebrochen.",
    "conversation_cancelled": "Abgebrochen. Es wurde nichts gesendet oder geändert.",
    "nothing_to_cancel": "Es gibt nichts abzubrechen.",
    "audience_all": "alle",
    "audience_excursion": "die Exkursionsgruppe",
    "audience_confirmed": "die Angemeldeten von „{title}“",
    "audience_waitlisted": "die Warteliste von „{title}“",
    "audience_bookmarked": "alle, die sich „{title}“ gemerkt haben",
    "state_draft": "Entwurf",
    "state_scheduled": "geplant",
    "state_sending": "wird gesendet",
    "state_done": "gesendet",
    "state_withdrawn": "zurückgezogen",
    "state_cancelled": "abgesagt",
    "change_usage_delay": (
        "So geht's: /verschieben &lt;id&gt; &lt;Minuten&gt; [folgende] – z. B. „/verschieben &lt;id&gt; 15 folgende“ "
        "verschiebt den Programmpunkt und alles danach im selben Raum um 15 Minuten. Ohne Angaben geht es per Knopf."
    ),
    "change_usage_room": "So geht's: /raum &lt;id&gt; &lt;neuer Raum&gt; – z. B. „/raum ws-zwilling Saal 2“.",
    "change_usage_cancel": "So geht's: /absagen &lt;id&gt; – oder nur /absagen und per Knopf wählen.",
    "change_bad_minutes": "Die Minuten müssen eine ganze Zahl zwischen -720 und 720 sein (nicht 0).",
    "change_preview": "🛠 <b>Programmänderung – Vorschau</b>\n{lines}\n\nBenachrichtigt {count:wird|werden} <b>{count}</b> {count:Person|Personen} (angemeldet, Warteliste oder gemerkt).",
    "change_clashes": "⚠️ Danach {count:hat 1 Person|haben {count} Personen} zwei ihrer Programmpunkte zur selben Zeit; die Nachricht sagt es {count:ihr|ihnen}.",
    "change_clash": "⚠️ Jetzt zur selben Zeit: „{title}“ und „{other}“ – beide stehen in Ihrem Plan.",
    "change_none": "Damit ändert sich nichts am Programm.",
    "change_done": "✅ Übernommen. {count} {count:Person wird|Personen werden} benachrichtigt.",
    "change_line_time": "• {title}: 🕒 {before} → {after}",
    "change_line_room": "• {title} ({when}): 📍 {before} → {after}",
    "change_line_cancelled": "• {title} ({when}): ❌ fällt aus",
    "change_line_back": "• {title}: ↩️ wieder im Programm, {after}",
    "change_line_back_seats": "   {count:1 Person bekommt ihren|{count} Personen bekommen ihre} früheren {count:Platz|Plätze} zurück.",
    "change_line_restored": "• {title}: ✅ findet wieder statt, {after} · 📍 {room}",
    "change_restored_confirmed": "✅ Ihr Platz in „{title}“ gehört wieder Ihnen.",
    "change_restored_waitlisted": "⏳ Sie stehen wieder auf der Warteliste für „{title}“.",
    "change_restored_elsewhere": "Sie behalten den Platz, den Sie inzwischen zur selben Zeit genommen haben; Ihr Platz in „{title}“ wurde nicht zurückgegeben.",
    "change_line_new": "• {title}: 🆕 neu im Programm, {after}",
    "change_notice": "📢 <b>Programmänderung</b>\n{lines}\n\n/meine zeigt Ihre Anmeldungen.",
    "reload_preview": "🔄 <b>program.yaml neu laden – Vorschau</b>\n{lines}\n\nBenachrichtigt {count:wird|werden} <b>{count}</b> {count:Person|Personen}.",
    "reload_conflicts": "⚠️ <b>Der neue Zeitplan widerspricht Änderungen aus dem Chat:</b>\n{lines}\nWählen Sie, was gelten soll: Ihre Chat-Änderungen behalten, den Zeitplan übernehmen oder (bei einer Verschiebung) sie auf die neue Zeit anwenden.",
    "conflict_time": "• „{title}“: der Zeitplan sagt jetzt {source}; Ihre Änderung im Chat sagte {chat} ({shift} Min.)",
    "conflict_room": "• „{title}“: der Zeitplan sagt jetzt Raum {source}; Ihre Änderung im Chat sagte Raum {chat}",
    "conflict_cancelled": "• „{title}“: der Zeitplan sagt jetzt „fällt aus“; Ihre Änderung im Chat sagte „findet statt“",
    "conflict_restored": "• „{title}“: der Zeitplan sagt jetzt „findet statt“; im Chat wurde der Programmpunkt abgesagt",
    "conflict_gone": "• „{title}“ ist nicht mehr im Zeitplan und fällt aus; Ihre Änderung im Chat ruht, bis der Programmpunkt zurückkommt",
    "reload_choice_keep": "✅ Chat-Änderungen behalten ({count} benachrichtigt)",
    "reload_choice_source": "📥 Zeitplan übernehmen ({count} benachrichtigt)",
    "reload_choice_shift": "⏩ Verschiebung auf neue Zeit ({count} benachrichtigt)",
    "menu_privacy": "🔒 Datenschutz",
    "menu_myplan": "🗓 Mein Tag",
    "privacy_notice": (
        "🔒 <b>Datenschutz</b>\n\n"
        "<b>Was ich speichere:</b> Ihre Telegram-ID, Ihren Namen und Benutzernamen, wie Telegram sie mir zeigt, "
        "Ihre Sprache, wann Sie mich zuerst und zuletzt genutzt haben, Ihre Anmeldungen und Wartelistenplätze "
        "(mit Verlauf), gemerkte Programmpunkte, Ihre Erinnerungseinstellung, Ihre Bewertungen und Fragen an Vortragende, "
        "Ihr Vernetzungsprofil (nur wenn Sie mitmachen) und die Nachrichten, die ich Ihnen von mir aus schicke.\n"
        "<b>Wozu:</b> nur um Sie durch die Konferenz zu begleiten – Programm, Anmeldung, Erinnerungen, Durchsagen. "
        "Keine Werbung, keine Weitergabe.\n"
        "<b>Wie lange:</b> bis {retention} {retention:Tag|Tage} nach der Konferenz, also bis {until}; dann lösche ich alles automatisch. "
        "Übrig bleiben nur anonyme Zahlen (z. B. wie viele Plätze belegt waren, Bewertungen ohne Namen).\n"
        "<b>Verantwortlich:</b> {controller}{contact}\n\n"
        "<b>Ihre Rechte:</b> /meinedaten schickt Ihnen alles, was über Sie gespeichert ist (Art. 15 DSGVO). "
        "/loeschen löscht alles sofort (Art. 17); damit widersprechen Sie auch jeder weiteren Verarbeitung (Art. 21). "
        "Erinnerungen allein schalten Sie mit /erinnerung ab."
    ),
    "privacy_contact": "\nKontakt: {contact}",
    "mydata_caption": "📦 Alles, was über Sie gespeichert ist (Stand {time}).",
    "delete_confirm": (
        "🗑 <b>Alle Ihre Daten löschen?</b>\nIhre Anmeldungen werden zurückgegeben (die Warteliste rückt nach), "
        "gemerkte Programmpunkte, Einstellungen und geplante Nachrichten gelöscht. Das lässt sich nicht rückgängig machen."
    ),
    "delete_yes": "🗑 Ja, alles löschen",
    "delete_no": "Nein, behalten",
    "delete_done": "✅ Erledigt: Ich habe alle Ihre Daten gelöscht. Wenn Sie mir wieder schreiben, fange ich von vorn an.",
    "delete_kept": "In Ordnung, nichts wurde gelöscht.",
    "myplan_title": "🗓 <b>Ihr Tag</b>",
    "myplan_line": "{mark} <b>{time}</b> {title} · {room}",
    "myplan_overlap": "   ⚠️ überschneidet sich mit „{other}“",
    "myplan_empty": "Noch nichts in Ihrem Plan.",
    "myplan_ics": "📅 Als Kalenderdatei",
    "ics_caption": "📅 Ihr Konferenztag als Kalenderdatei. Erneut importieren aktualisiert die Termine.",
    "ics_one_caption": "📅 „{title}“ als Kalendertermin.",
    "button_calendar": "📅 In den Kalender",
    "feedback_prompt": "⭐ Wie fanden Sie „{title}“? Ein Tipp genügt.",
    "feedback_thanks": "Danke für Ihre Bewertung! Möchten Sie noch etwas dazu sagen? Schreiben Sie es mir einfach (oder /abbrechen).",
    "feedback_twice": "Sie haben „{title}“ bereits bewertet – danke!",
    "feedback_comment_thanks": "Danke, Ihr Kommentar ist angekommen.",
    "feedback_title": "⭐ <b>Feedback</b>",
    "feedback_line": "{title}: Ø {average} ({count} {count:Bewertung|Bewertungen})",
    "feedback_comment": "   💬 {comment}",
    "feedback_none": "Noch kein Feedback.",
    "feedback_export_caption": "📄 Alle Bewertungen ({count}).",
    "exhibitors_title": "🏪 <b>Aussteller</b>",
    "exhibitor_line": "<b>{name}</b> ({municipality}) – {topic} · Stand {stand}",
    "exhibitors_none": "Es sind keine Aussteller eingetragen.",
    "q_none_open": "Gerade ist keine Fragerunde offen. Fragen sind möglich bei: {sessions}",
    "q_none_left": "Gerade ist keine Fragerunde offen, und im Programm folgt keine mehr.",
    "button_ask_question": "❓ Frage stellen",
    "q_choose": "Zu welchem Programmpunkt ist Ihre Frage?",
    "q_write": "Schreiben Sie jetzt Ihre Frage zu „{title}“. /abbrechen bricht ab.",
    "q_too_long": "Bitte fassen Sie die Frage kürzer (höchstens 500 Zeichen).",
    "q_received": "❓ Ihre Frage zu „{title}“ ist eingereicht – anonym. Andere können sie mit 👍 unterstützen.",
    "q_show_name": "👤 Mit meinem Namen zeigen",
    "q_named": "Ihre Frage wird jetzt mit Ihrem Vornamen gezeigt.",
    "q_list_title": "❓ <b>Fragen zu „{title}“</b>",
    "q_line": "{mark}<b>{votes} 👍</b> {text}{who}",
    "q_line_by": " – {name}",
    "q_empty": "Noch keine Fragen zu „{title}“. /frage stellt eine.",
    "q_vote_button": "👍 #{id}",
    "q_voted": "Danke, Ihre Stimme zählt.",
    "q_voted_before": "Sie haben diese Frage schon unterstützt.",
    "q_answered_button": "✅ #{id} beantwortet",
    "q_hide_button": "🙈 #{id} ausblenden",
    "q_marked": "Frage #{id}: {state}.",
    "q_state_answered": "beantwortet",
    "q_state_hidden": "ausgeblendet",
    "q_still_hidden": "Frage #{id} ist ausgeblendet; mit 👁 wird sie wieder sichtbar.",
    "q_state_open": "wieder sichtbar",
    "q_show_button": "👁 #{id} einblenden",
    "q_not_moderator": "Nur die Moderation dieses Programmpunkts kann Fragen beantworten oder ausblenden.",
    "net_intro": (
        "🤝 <b>Vernetzen</b>\nMit einem kurzen Profil (Organisation, Rolle, Themen) schlage ich Ihnen Menschen mit "
        "gleichen Themen vor. Kontaktdaten werden nur ausgetauscht, wenn beide Seiten zustimmen. "
        "Mit /vernetzen_aus löschen Sie Profil und offene Anfragen jederzeit."
    ),
    "net_join": "✅ Mitmachen",
    "net_ask_org": "Für welche Kommune oder Organisation sind Sie hier?",
    "net_ask_role": "Und Ihre Rolle oder Funktion?",
    "net_choose_topics": "Welche Themen interessieren Sie? Tippen Sie an, dann „Fertig“.",
    "net_done_button": "✔️ Fertig",
    "net_need_topic": "Bitte wählen Sie mindestens ein Thema.",
    "net_matches_title": "🤝 <b>Menschen mit gleichen Themen</b>",
    "net_match_line": "• {name}, {role} ({organization}) – gemeinsam: {topics}",
    "net_no_matches": "Noch niemand mit gleichen Themen. Schauen Sie später wieder vorbei (/vernetzen).",
    "net_request_button": "🤝 Anfrage an {name}",
    "net_requested": "Anfrage gesendet. Sagt {name} zu, bekommen Sie beide die Kontaktdaten.",
    "net_request_exists": "Dazu gibt es schon eine Anfrage.",
    "net_request_received": "🤝 {name}, {role} ({organization}) möchte sich mit Ihnen vernetzen – gemeinsame Themen: {topics}. Kontaktdaten austauschen?",
    "net_accept": "✅ Ja, austauschen",
    "net_decline": "Nein, danke",
    "net_shared": "🤝 Kontakt: {name}, {role} ({organization}) – {contact}",
    "net_declined": "Ihre Vernetzungsanfrage wurde diesmal nicht angenommen.",
    "net_answer_recorded": "Danke, Ihre Antwort ist vermerkt.",
    "net_left": "Ihr Vernetzungsprofil und offene Anfragen sind gelöscht.",
    "net_left_none": "Sie haben kein Vernetzungsprofil, es gibt nichts zu löschen. /vernetzen legt eines an.",
    "net_topic_other": "Weitere Themen",
    "admin_only": "Diese Funktion ist dem Organisationsteam vorbehalten.",
    "admin_attendees_title": "👥 <b>Anmeldungen</b>",
    "admin_attendees_line": "{title} · <code>{id}</code>: {confirmed}/{capacity} bestätigt, {waiting} auf der Warteliste",
    "admin_attendees_session": "👥 <b>{title}</b> · <code>{id}</code> – {confirmed}/{capacity} bestätigt, {waiting} auf der Warteliste",
    "admin_attendees_confirmed": "<b>Bestätigt:</b>",
    "admin_attendees_waiting": "<b>Warteliste:</b>",
    "admin_attendees_empty": "Noch keine Anmeldungen.",
    "admin_attendees_guest": "{name}{organization} – Telegram: {telegram}",
    "admin_export_caption": "📄 Alle Anmeldungen ({count} {count:Zeile|Zeilen}), Stand {time} Uhr.",
    "admin_reload_ok": "🔄 Programm neu geladen: {sessions} {sessions:Programmpunkt|Programmpunkte}.",
    "admin_reload_failed": "⚠️ Das neue Programm hat Fehler und wurde <b>nicht</b> übernommen:\n{problems}",
    "admin_reload_overbooked": "⚠️ Überbucht: „{title}“ hat {confirmed} {confirmed:Anmeldung|Anmeldungen} bei nur {capacity} {capacity:Platz|Plätzen}. Niemand wurde abgemeldet.",
    "admin_reload_promoted": "⬆️ {count} {count:Person ist|Personen sind} von der Warteliste nachgerückt und {count:wurde|wurden} benachrichtigt.",
}

COMMANDS = [
    ("start", "Begrüßung und Menü"),
    ("programm", "Das ganze Programm"),
    ("jetzt", "Was gerade läuft"),
    ("danach", "Was als Nächstes kommt"),
    ("ort", "Veranstaltungsort"),
    ("anmelden", "Für einen Programmpunkt anmelden"),
    ("abmelden", "Anmeldung zurückgeben"),
    ("meine", "Meine Anmeldungen"),
    ("merken", "Gemerkte Programmpunkte"),
    ("erinnerung", "Erinnerungen einstellen"),
    ("meinplan", "Mein Tag, auch als Kalenderdatei"),
    ("aussteller", "Aussteller und Stände"),
    ("frage", "Frage an die Vortragenden"),
    ("vernetzen", "Vernetzen mit Zustimmung"),
    ("konferenz", "Konferenz der Reihe wählen"),
    ("bescheid", "Bescheid bei der nächsten Konferenz"),
    ("datenschutz", "Datenschutz und meine Daten"),
    ("sprache", "Sprache wechseln"),
    ("hilfe", "Hilfe"),
]

# Gespräche, Knöpfe und die Organisation per Knopf
TEXTS.update({
    "source_changed": "🔔 <b>Das verknüpfte Programm (pretalx/frab) hat eine neue Fassung.</b> Übernommen wird erst nach Ihrer Bestätigung.",
    "signup_parallel_workshop": "einen der {count} parallelen Workshops",
    "signup_each_workshop": "die {count} Workshops",
    "signup_slots_workshop": "die {count} Workshops (in {slots} Zeitfenstern je einen)",
    "signup_parallel_excursion": "eine der {count} parallelen Exkursionen",
    "signup_each_excursion": "die {count} Exkursionen",
    "signup_slots_excursion": "die {count} Exkursionen (in {slots} Zeitfenstern je eine)",
    "signup_the_excursion": "die Exkursion",
    "quoted": "„{text}“",
    "and_list": "{first} und {last}",
    "day_short": "{weekday} {day}.{month}.",
    "ics_destination": "Ziel: ",
    "stale_session": "Dieser Knopf ist nicht mehr gültig: den Programmpunkt gibt es nicht mehr. /programm zeigt das aktuelle Programm.",
    "conversation_dropped": "Abgebrochen: {what}. Was Sie noch nicht abgeschickt hatten, wurde verworfen.",
    "conversation_left": "ℹ️ Beendet, ohne abzuschicken: {what}.",
    "flow_question": "Ihre Frage an die Vortragenden",
    "flow_network": "Ihr Vernetzungsprofil",
    "flow_feedback": "Ihr Kommentar zur Bewertung",
    "flow_broadcast": "die neue Durchsage",
    "flow_correction": "die Korrektur der Durchsage",
    "flow_change": "die Programmänderung",
    "confirm_despite_warning": "⚠️ Trotzdem bestätigen",
    "file_agenda": "konferenztag.ics",
    "file_my_data": "meine-daten.json",
    "feedback_rated": "⭐ Ihre Bewertung für „{title}“: {stars}",
    "bc_edit_stale": "Durchsage #{id} wurde inzwischen anders korrigiert oder zurückgezogen. /durchsagen zeigt den Stand.",
    "orga_menu": (
        "🛠 <b>Organisation</b>\nAlles per Knopf – oder als Befehl, mit oder ohne Kennung:\n"
        "/teilnehmer – Anmeldungen je Programmpunkt, Namen und Wartelisten\n"
        "/export – alle Anmeldungen als CSV\n"
        "/durchsage – Durchsage an alle oder eine Gruppe; /durchsagen – Berichte, Korrektur, Zurückziehen\n"
        "/geplant – geplante Durchsagen\n"
        "/verschieben – Programmpunkt verschieben (+5, +10, +15, +30 Min. oder eigene Angabe)\n"
        "/raum – Raum ändern; /absagen – absagen; /wiederherstellen – Absage zurücknehmen\n"
        "/reload – program.yaml neu einlesen (mit Vorschau)\n"
        "/aenderungen – Änderungen aus dem Chat, die gelten; einzeln zurücknehmen\n"
        "/fragen – Fragen aus dem Publikum moderieren\n"
        "/feedback – Bewertungen je Programmpunkt\n"
        "🖥 Raumanzeigen – Links für die Bildschirme an den Räumen (nur per Knopf)\n"
        "/gaeste – Gästeliste laden, Einladungslinks, wer verbunden ist\n"
        "/abbrechen – laufende Eingabe abbrechen"
    ),
    "orga_attendees": "👥 Anmeldungen",
    "orga_export": "📄 Export (CSV)",
    "orga_broadcast": "📢 Durchsage",
    "orga_broadcasts": "📋 Durchsagen",
    "orga_scheduled": "⏰ Geplant",
    "orga_delay": "🕒 Verschieben",
    "orga_room": "📍 Raum ändern",
    "orga_cancel": "❌ Absagen",
    "orga_restore": "♻️ Wiederherstellen",
    "orga_reload": "🔄 Neu laden",
    "orga_changes": "🗂 Chat-Änderungen",
    "chat_changes_none": "Im Chat wurde nichts geändert: das Programm ist, wie die Programmdatei es sagt.",
    "chat_changes_title": "🗂 <b>Änderungen aus dem Chat, die gelten</b> (neben der Programmdatei). Ein Knopf nimmt eine zurück – mit Vorschau.",
    "chat_change_line": "• „{title}“: {changes}",
    "chat_change_time": "🕒 {chat} (Datei: {file})",
    "chat_change_room": "📍 {chat} (Datei: {file})",
    "chat_change_cancelled": "❌ abgesagt (Datei: findet statt)",
    "chat_change_restored": "✅ findet statt (Datei: abgesagt)",
    "orga_questions": "❓ Fragen",
    "orga_feedback": "⭐ Feedback",
    "orga_screens": "🖥 Raumanzeigen",
    "orga_screens_list": (
        "🖥 <b>Raumanzeigen</b> für den Bildschirm neben der Tür oder den Beamer in der Pause: was im Raum "
        "läuft und als Nächstes kommt, mit Verspätung, die Top-Fragen und ein QR-Code zum Anmelden und Fragen.\n"
        "Jeder Link zeigt nur seinen Raum und gilt bis {until}. Nur an die Technik weitergeben, nicht öffentlich "
        "teilen. Englisch: am Ende des Links <code>lang=en</code> statt <code>lang=de</code>."
    ),
    "orga_screens_none": "Die Raumanzeigen brauchen die Mini-App: BOT_WEB_LISTEN und BOT_WEB_URL setzen.",
    "orga_screens_no_rooms": "Im Programm steht kein Raum.",
    "orga_no_sessions": "Dafür gibt es im Programm keinen passenden Programmpunkt (mehr).",
    "admin_attendees_choose": "👥 Wessen Namen und Warteliste möchten Sie sehen?",
    "change_refused": "⛔ <b>Diese Änderung ist nicht möglich:</b>\n{problems}\n\nEs wurde nichts geändert.",
    "change_warnings": "⚠️ <b>Bitte prüfen:</b>\n{problems}",
    "change_stale": "🔄 Seit dieser Vorschau wurde das Programm geändert – übernommen wurde nichts. Hier ist die Vorschau auf dem aktuellen Stand:",
    "finding_outside_conference": "• „{title}“ läge (teilweise) außerhalb der Konferenzzeit.",
    "finding_end_before_start": "• Bei „{title}“ läge das Ende vor dem Beginn.",
    "finding_room_clash": "• „{title}“ und „{other}“ wären gleichzeitig in {room}.",
    "change_choose_delay": "🕒 <b>Welcher Programmpunkt verschiebt sich?</b>",
    "change_ask_minutes": "🕒 <b>{title}</b>\n{when} · {room}\n\nUm wie viele Minuten verschieben? (+ später, − früher)",
    "change_type_minutes": "✏️ Andere Angabe",
    "change_prompt_minutes": (
        "Um wie viele Minuten? Schreiben Sie z. B. 20 (später) oder -10 (früher); „20 folgende“ verschiebt "
        "auch alles danach im selben Raum. /abbrechen bricht ab."
    ),
    "change_ask_scope": "Im selben Raum ({room}) {count:folgt danach noch ein Programmpunkt|folgen danach noch {count} Programmpunkte}. {count:Soll er|Sollen sie} mitverschoben werden?",
    "change_scope_one": "Nur „{title}“",
    "change_scope_following": "Alles ab hier im selben Raum ({count})",
    "change_choose_room": "📍 <b>Für welchen Programmpunkt ändert sich der Raum?</b>",
    "change_ask_room": "📍 <b>{title}</b>\n{when} · jetzt: {room}\n\nIn welchen Raum? (⛔ = zur selben Zeit belegt)",
    "change_type_room": "✏️ Anderen Raum eingeben",
    "change_prompt_room": "Schreiben Sie den neuen Raum. /abbrechen bricht ab.",
    "change_room_too_long": "Dieser Raumname hat {length} Zeichen; höchstens {limit} passen in jede Programmzeile. Bitte kürzer.",
    "change_choose_cancel": "❌ <b>Welcher Programmpunkt fällt aus?</b>",
    "change_choose_restore": "♻️ <b>Welcher abgesagte Programmpunkt findet doch statt?</b>",
    "change_alternatives": "Zur selben Zeit gibt es noch freie Plätze – ein Tipp meldet Sie an:",
    "reload_file_warnings": "⚠️ Hinweise zur Datei:\n{warnings}",
    "problems_more": "… und {count} weitere",
    "reload_unchanged": "🔄 Die Datei ist unverändert – es gibt nichts zu übernehmen.",
    "reload_capacity": "• {title}: 🎟 {before} → {after} {after:Platz|Plätze}",
    "reload_would_overbook": "   ⚠️ dann überbucht: {confirmed} {confirmed:Anmeldung|Anmeldungen} bei {capacity} {capacity:Platz|Plätzen} – niemand wird abgemeldet",
    "reload_would_promote": "   ⬆️ von der Warteliste rücken nach: {count}",
    "reload_texts": "• geänderte Texte (Titel, Beschreibung, Vortragende) bei Programmpunkten: {count}",
    "reload_other": "• geänderte Durchsagen, Aussteller oder Angaben zur Konferenz",
    "reminder_excursion_button_off": "🚌 Aus",
    "reminder_settings_both": (
        "⏰ <b>Erinnerungen</b>\nProgrammpunkte: {current}.\n🚌 Bus zur Exkursion (mit Treffpunkt auf der Karte): {excursion}.\n\n"
        "Oben stellen Sie Ihre Programmpunkte ein, unten mit 🚌 den Bus – beides unabhängig voneinander."
    ),
    "reminder_excursion_current_default": "{minutes} {minutes:Minute|Minuten} vor Abfahrt",
    "reminder_excursion_current_minutes": "{minutes} {minutes:Minute|Minuten} vor Abfahrt",
    "reminder_excursion_current_off": "aus",
    "reminder_excursion_button_minutes": "🚌 {minutes} Min.",
    "reminder_excursion_set": "🚌 Ich erinnere Sie {minutes} {minutes:Minute|Minuten} vor Abfahrt des Busses.",
    "reminder_excursion_off": "🚌 Keine Erinnerung an den Bus.",
})

# Inline mode ("@bot podium" in any chat) and deep links into the bot
TEXTS.update({
    "inline_open": "📋 Im Konferenz-Bot öffnen",
    "inline_open_signup": "🎟 Details & Anmeldung im Bot",
    "inline_nothing_found": "🔎 Nichts gefunden – Programm im Bot öffnen",
    "inline_cancelled_title": "❌ Abgesagt: {title}",
    "unknown_session_link": "🤔 Den Programmpunkt „{session_id}“ aus diesem Link gibt es nicht (mehr).",
    "deeplink_invalid": "🤔 Mit diesem Link kann ich nichts anfangen – vielleicht ist er unvollständig.",
})

# The Mini App (bot/web): the page's own words; everything else it shows comes from the texts above.
TEXTS.update({
    "web_title": "Programm",
    "web_tab_program": "Programm",
    "web_tab_orga": "Orga",
    "web_days": "Tage",
    "web_views": "Ansichten",
    "web_loading": "Lädt …",
    "web_offline": "Stand: {time} – offline",
    "web_retrying": "Keine Verbindung – ich versuche es gleich noch einmal.",
    "web_error_auth": "Diese Seite öffnet sich nur aus dem Chat mit dem Bot. Bitte dort erneut öffnen.",
    "web_error": "Das hat nicht geklappt. Bitte noch einmal versuchen.",
    "web_close": "Schließen",
    "web_now": "Jetzt: {time}",
    "web_all_rooms": "alle Räume",
    "web_no_room": "ohne Raumangabe",
    "web_mark_confirmed": "✅ angemeldet",
    "web_mark_waiting": "⏳ Warteliste: Platz {position}",
    "web_mark_bookmarked": "⭐ gemerkt",
    "web_mark_free": "{free} frei",
    "web_mark_full": "ausgebucht",
    "web_mark_cancelled": "❌ abgesagt",
    "web_grid_label": "Programm am {date}: Räume in Spalten, Uhrzeiten in Zeilen",
    "web_orga_seats": "Plätze und Wartelisten",
    "web_orga_seats_line": "{confirmed} von {capacity} {capacity:Platz|Plätzen} belegt · Warteliste: {waiting}",
    "web_orga_broadcasts": "Durchsagen",
    "web_orga_report": "{state} · zugestellt {sent} · fehlgeschlagen {failed} · ausstehend {pending}",
    "web_orga_feedback": "Bewertungen (Durchschnitt, 1–5 Sterne)",
    "web_orga_rating": "Ø {average} aus {count} {count:Bewertung|Bewertungen}",
    "web_orga_none": "Noch nichts.",
    "web_heading_now": "Jetzt",
    "web_heading_next": "Als Nächstes · {time} Uhr",
    "web_heading_slot": "{time} Uhr",
    "web_heading_past": "Schon vorbei ({count})",
    "web_nothing_now": "Gerade läuft nichts.",
    "web_day_over": "Für heute ist das Programm vorbei.",
    "web_filter_mine": "⭐ Nur meine",
    "web_mine_empty": "Noch nichts gewählt: Merken Sie Programmpunkte (⭐) oder melden Sie sich an.",
    "web_jump_now": "Zu jetzt",
    "web_calendar_mine": "📅 Mein Tag in den Kalender",
    "web_home_screen": "📲 Auf den Startbildschirm",
    "web_calendar_started": "📅 Die Kalenderdatei wird geladen.",
    "web_offline_actions": "Offline: Änderungen sind erst wieder mit Verbindung möglich.",
    "web_details": "Details",
    "web_mark_running": "▶ läuft gerade",
    "web_mark_past": "vorbei",
    "mark_later": "⏱ {minutes} Min. später",
    "mark_earlier": "⏱ {minutes} Min. früher",
    "web_room_screen": "Raumanzeige",
    "web_room_now": "Jetzt",
    "web_room_next": "Danach",
    "web_room_nothing_now": "Gerade läuft hier nichts.",
    "web_room_day_over": "Hier kommt heute nichts mehr.",
    "web_room_questions": "Top-Fragen",
    "web_room_no_questions": "Noch keine Fragen – stellen Sie die erste!",
    "web_room_scan": "Mit dem Handy scannen: anmelden, merken, Frage stellen",
    "web_room_updated": "Stand {time} Uhr",
    "web_room_votes": "{votes} {votes:Stimme|Stimmen}",
    "web_room_invalid": "Dieser Link zur Raumanzeige ist ungültig oder abgelaufen. Bitte einen neuen über /orga holen.",
    "web_open_app": "🗓 Programm-App",
})

# Probleme und Hinweise der Programmdatei (domain.problems), für `check`, /reload und die Logs.
# Klartext: der Aufrufer escaped. Feldnamen stehen so da, wie sie in der Datei heißen.
TEXTS.update({
    "problem_at_line": " (Zeile {line})",
    "problem_where_session": "Programmpunkt {name}",
    "problem_where_announcement": "Ankündigung {name}",
    "problem_where_exhibitor": "Aussteller {name}",
    "problem_where_additions": "additions {name}",
    "problem_where_file": "Datei",
    "problem_where_yaml": "YAML-Syntax",
    "problem_where_speaker": ", Person {number}",
    "problem_entry_at_line": "{entry} (Zeile {line})",
    "problem_no_program_files": "keine Programmdatei (*.yaml) gefunden",
    "problem_reload_id_changed": ("'id' ist jetzt '{after}' statt '{before}': unter der id ist alles Persönliche "
                                  "gespeichert, sie bleibt; eine neue Konferenz ist eine neue Datei (und ein Neustart)"),
    "problem_series_id": ("'id' muss bei mehreren Konferenzen gesetzt sein: 1–24 Zeichen a-z, 0-9 und -, "
                          "stabil über die Zeit (gefunden: '{id}')"),
    "problem_series_id_twice": "'id' '{id}' hat schon {other}: jede Konferenz braucht ihre eigene",
    "problem_file_not_found": "Datei nicht gefunden",
    "problem_cannot_read_file": "Datei nicht lesbar: {reason}",
    "problem_source_is_url": "'{source}' ist eine URL; der Bot liest sie, wenn er läuft",
    "problem_cannot_read_schedule": "der Zeitplan '{source}' ist nicht lesbar: {reason}",
    "problem_additions_mapping": "muss Programmpunkt-IDs die hinzuzufügenden Felder zuordnen",
    "problem_additions_dormant": "Ergänzungen für „{session}“ ruhen: der Zeitplan hat diesen Programmpunkt gerade nicht (sie gelten wieder, sobald er zurück ist)",
    "problem_additions_fields": "darf nur {fields} hinzufügen",
    "problem_duplicate_key": "Feld '{field}' steht zweimal an einer Stelle (zuerst in Zeile {first}); nur das letzte würde gelten",
    "problem_yaml": "{reason}",
    "problem_nested_too_deeply": "das Dokument ist zu tief verschachtelt",
    "problem_field_mapping": "Feld '{field}' muss eine Zuordnung (Schlüssel: Wert) sein",
    "problem_field_missing": "Feld '{field}' fehlt",
    "problem_field_text": "Feld '{field}' muss ein Text sein",
    "problem_field_empty": "Feld '{field}' darf nicht leer sein",
    "problem_field_text_or_languages": "Feld '{field}' muss ein Text sein oder je Sprache einen Text angeben",
    "problem_unknown_language": "Feld '{field}': unbekannte Sprache '{language}' (erlaubt: {languages})",
    "problem_language_text_empty": "Feld '{field}' muss ein nicht leerer Text sein",
    "problem_field_no_text": "Feld '{field}' enthält keinen Text",
    "problem_field_number": "Feld '{field}' muss eine Zahl sein",
    "problem_number_range": "Feld '{field}' muss zwischen {low} und {high} liegen",
    "problem_field_moment": "Feld '{field}' muss Datum und Uhrzeit sein, z. B. \"2025-06-03 09:30\"",
    "problem_bad_moment": "Feld '{field}': '{value}' ist kein Datum mit Uhrzeit wie \"2025-06-03 09:30\"",
    "problem_time_skipped": ("Feld '{field}': {time} gibt es in {zone} nicht (die Uhren springen dann vor); derselbe "
                             "Zeitpunkt nach der Umstellung ist \"{suggestion}\" (oder schreiben Sie \"{offset}\")"),
    "problem_time_twice": ("Feld '{field}': {time} gibt es in {zone} zweimal (die Uhren werden zurückgestellt); gelesen "
                           "als die erste; \"{first}\" oder \"{second}\" wählt eindeutig"),
    "problem_program_mapping": "das Programm muss eine Zuordnung mit 'conference' und 'sessions' sein",
    "problem_unknown_top_level": "unbekanntes Feld '{field}' auf oberster Ebene",
    "problem_field_list": "Feld '{field}' muss eine Liste sein",
    "problem_exhibitor_mapping": "muss eine Zuordnung mit name, municipality, topic und stand sein",
    "problem_unknown_field": "unbekanntes Feld '{field}'",
    "problem_announcement_mapping": "muss eine Zuordnung mit id, at, audience und text sein",
    "problem_announcement_id": "Feld 'id' muss aus 1–24 Kleinbuchstaben, Ziffern, '-' oder '_' bestehen",
    "problem_duplicate_id": "Feld 'id': die ID '{ident}' gibt es doppelt",
    "problem_duplicate_id_at": "Feld 'id': die ID '{ident}' gibt es doppelt (zuerst in Zeile {first})",
    "problem_audience": "Feld 'audience' muss {forms} oder {last} sein",
    "problem_audience_unknown_session": "Feld 'audience': unbekannter Programmpunkt '{session}'",
    "problem_end_before_start": "Feld 'end' muss nach 'start' liegen",
    "problem_retention_days": "Feld 'retention_days' muss eine ganze Zahl von Tagen ≥ 0 sein",
    "problem_attendees": "Feld 'attendees' muss eine ganze Zahl ≥ 0 sein",
    "problem_unknown_zone": "Feld 'timezone': unbekannte Zeitzone '{name}' (IANA-Name wie Europe/Berlin verwenden)",
    "problem_conference_language": "Feld 'language' muss eine von {languages} sein",
    "problem_session_mapping": "muss eine Zuordnung mit id, kind, title, start und end sein",
    "problem_session_id": ("Feld 'id' muss aus 1–24 Kleinbuchstaben, Ziffern, '-' oder '_' bestehen und mit einem "
                           "Buchstaben oder einer Ziffer beginnen"),
    "problem_outside_conference": "Feld '{field}' liegt außerhalb der Konferenz ({first} – {last})",
    "problem_field_bool": "Feld '{field}' muss true oder false sein",
    "problem_organizers": "Feld 'organizers' muss eine Liste numerischer Telegram-Nutzer-IDs sein",
    "problem_moderators": "Feld 'moderators' muss eine Liste numerischer Telegram-Nutzer-IDs sein",
    "problem_keywords_list": "Feld 'keywords' muss eine Liste von Wörtern sein, z. B. [Mittagessen, lunch]",
    "problem_keyword_entry": "Feld 'keywords': Eintrag {number} muss ein Wort sein, nicht {item}",
    "problem_unknown_kind": "Feld 'kind': unbekannte Art '{kind}' (erlaubt: {kinds})",
    "problem_capacity_whole": "Feld 'capacity' muss eine ganze Zahl sein",
    "problem_capacity_positive": "Feld 'capacity' muss größer als 0 sein (ist {value})",
    "problem_departure_outside": "Feld 'departure' liegt außerhalb der Konferenz",
    "problem_speaker_entry": "Feld 'speakers': Eintrag {number} muss ein Name sein oder eine Zuordnung mit 'name'",
    "problem_room_clash": "Feld 'room': '{room}' ist zur selben Zeit auch mit {other} belegt ({span})",
    "problem_skipped": "übersprungen: {reason}",
    "problem_not_json": "kein gültiges JSON: {reason}",
    "problem_not_xml": "kein gültiges XML: {reason}",
    "problem_unknown_format": "weder eine schedule.json (pretalx, c3voc) noch eine schedule.xml (frab, pentabarf)",
    "problem_no_days": "kein schedule.conference.days – ist das eine schedule.json aus pretalx oder frab?",
    "problem_wrong_root": "das XML beginnt mit {tag}, nicht mit {expected} – ist das eine schedule.xml aus frab?",
    "problem_event_no_title": "Veranstaltung {event}: kein Titel",
    "problem_event_no_date": ("Veranstaltung {event} ({title}): kein Datum mit Uhrzeit (ein Datum wie "
                              "2025-10-25T09:00:00+02:00 oder ein Beginn wie 09:00 an einem Tag mit Datum)"),
    "problem_event_no_duration": "Veranstaltung {event} ({title}): keine Dauer",
    "problem_event_room_clash": ("Veranstaltung {event} ({title}): Raum {room} ist zur selben Zeit mit Veranstaltung "
                                 "{other} belegt"),
    "problem_no_events": "der Zeitplan enthält keine Veranstaltungen, die sich übernehmen lassen",
    "problem_no_events_skipped": ("der Zeitplan enthält keine Veranstaltungen, die sich übernehmen lassen ({count} "
                                  "übersprungen: {first})"),
    "problem_zone_unknown": "time_zone_name '{zone}' ist keine bekannte Zeitzone",
    "problem_zone_given_unknown": "unbekannte Zeitzone '{zone}' (IANA-Name wie Europe/Brussels verwenden)",
    "problem_zone_overridden": "der Export nennt time_zone_name {declared}; seine Zeiten gelten wie angegeben in {zone}",
    "problem_zone_given_contradicted": ("{count} Veranstaltung(en) tragen andere Abstände zu UTC als {zone} (z. B. "
                                        "{example}); ihr Datum gilt"),
    "problem_zone_contradicted": ("time_zone_name ist {zone}, aber {count} Veranstaltung(en) tragen andere Abstände zu "
                                  "UTC (z. B. {example}); ihr Datum gilt"),
    "problem_start_disagrees": ("Veranstaltung {event}: Beginn {start} passt in {zone} nicht zu ihrem Datum {date}; "
                                "das Datum gilt"),
    "problem_no_zone": ("der Export nennt keine Zeitzone, und seine Zeiten tragen keinen Abstand zu UTC: nennen Sie die "
                        "Zeitzone der Konferenz mit `--timezone Europe/Brussels` (bei `python -m bot import` wie bei `check`) oder setzen Sie "
                        "conference.timezone in der Programmdatei, die ihn verknüpft"),
    "problem_fixed_offset": ("als Zeitzone der Konferenz gilt der feste Abstand {zone}; setzen Sie conference.timezone "
                             "auf die echte (z. B. Europe/Berlin), damit die Sommerzeit stimmt"),
    "problem_no_venue": "der Export nennt keinen Veranstaltungsort: conference.venue (Name, Adresse, Koordinaten) in program.yaml setzen",
    "problem_zone_from_option": "Zeitzone: {zone} (aus --timezone)",
    "problem_zone_from_program": "Zeitzone: {zone} (conference.timezone der Programmdatei)",
    "problem_zone_from_export": "Zeitzone: {zone} (time_zone_name des Exports)",
    "problem_zone_from_offsets": "Zeitzone: {zone} (aus den UTC-Abständen der Veranstaltungen)",
    "problem_language_from_option": "Titel ohne Sprachangabe: {language} (aus --language)",
    "problem_language_from_program": "Titel ohne Sprachangabe: {language} (conference.language der Programmdatei)",
    "problem_language_from_events": "Titel ohne Sprachangabe: {language} (die Sprache der meisten Veranstaltungen)",
    "problem_language_default": ("Titel ohne Sprachangabe: {language} (Voreinstellung des Bots; conference.language "
                                 "setzen oder --language angeben)"),
})

# Gästeliste, Einladungen und „nur für Gäste“
TEXTS.update({
    "guests_only_refused": (
        "🎟 Sitzplätze, Fragen, Bewertungen und das Vernetzen sind bei „{conference}“ den angemeldeten Gästen "
        "vorbehalten.\n\nSie haben sich angemeldet? Dann öffnen Sie bitte den persönlichen Link aus Ihrer "
        "Einladung – daran erkenne ich Sie.{how}\n\nDas Programm können Sie jederzeit ansehen: /programm"
    ),
    "guests_only_how": "\n\nNoch nicht angemeldet? {registration}",
    "guests_only_how_contact": "\n\nNoch nicht angemeldet? Das Organisationsteam hilft gern weiter: {contact}",
    "guest_connected": (
        "✅ Willkommen, {name}! Ihr Telegram-Konto ist jetzt mit Ihrer Anmeldung zu „{conference}“ verbunden. "
        "Sie können sich für Programmpunkte anmelden, Fragen stellen, bewerten und sich vernetzen."
    ),
    "guest_already": "✅ {name}, Ihr Telegram-Konto ist bereits mit Ihrer Anmeldung zu „{conference}“ verbunden.",
    "guest_taken": (
        "⚠️ Diese Einladung wurde schon mit einem anderen Telegram-Konto geöffnet. Ist es Ihre Einladung? Dann "
        "schreiben Sie bitte dem Organisationsteam{contact} – es kann die Verbindung lösen."
    ),
    "guest_other": (
        "⚠️ Ihr Telegram-Konto ist bereits mit der Anmeldung von {name} verbunden. Eine Einladung gehört zu "
        "einer Person; bei Fragen hilft das Organisationsteam{contact}."
    ),
    "guest_unknown": (
        "🤔 Diese Einladung kenne ich nicht – vielleicht ist der Link unvollständig. Bitte öffnen Sie ihn direkt "
        "aus Ihrer Einladungs-E-Mail."
    ),
    "guest_limited": (
        "⏳ Zu viele ungültige Einladungslinks in kurzer Zeit. Bitte versuchen Sie es in einer Stunde noch einmal "
        "oder wenden Sie sich an das Organisationsteam."
    ),
    "guest_contact": ": {contact}",
    "orga_guests": "🎟 Gästeliste",
    "guests_title": (
        "🎟 <b>Gästeliste – {conference}</b>\n{total} {total:Gast|Gäste}, davon {connected} mit Telegram verbunden.\n"
        "{mode}"
    ),
    "guests_mode_only": "🔒 Nur verbundene Gäste nehmen Plätze, stellen Fragen, bewerten und vernetzen sich (guests_only).",
    "guests_mode_open": "🔓 Alle können teilnehmen; die Liste zeigt, wer angemeldet ist (guests_only ist aus).",
    "guests_load": "📄 Liste laden",
    "guests_links": "🔗 Einladungslinks (CSV)",
    "guests_connected_button": "✅ Wer ist verbunden?",
    "guests_unlink": "🔓 Verbindung lösen",
    "flow_guestlist": "das Laden der Gästeliste",
    "flow_guest_unlink": "die Suche nach einem Gast",
    "guests_send_file": (
        "📄 Senden Sie mir die Gästeliste als CSV-Datei (aus dem Anmeldeformular, pretix oder einer Tabelle): "
        "eine Spalte „Name“ (oder „Vorname“ und „Nachname“), dazu wahlweise „E-Mail“, „Organisation“ und "
        "„Code“ (die Anmeldenummer). Ich zeige erst eine Vorschau; geändert wird nichts ohne Ihre Bestätigung."
    ),
    "guests_file_too_big": "Die Datei ist zu groß (höchstens {megabytes} MB). Nichts wurde geändert.",
    "guests_not_loaded": "❌ <b>Die Gästeliste wurde nicht geladen</b> – nichts wurde geändert.\n{problem}\n\nSenden Sie eine korrigierte Datei oder /abbrechen.",
    "guests_unchanged": "✅ Die Datei enthält dieselben {total} {total:Gast|Gäste} wie die geladene Liste. Nichts zu ändern.",
    "guests_preview": "📄 <b>Gästeliste – Vorschau</b>\n{total} {total:Gast|Gäste} in der Datei.",
    "guests_preview_added": "➕ Neu: {count}",
    "guests_preview_changed": "✏️ Geändert: {count}",
    "guests_preview_renamed": "   • {before} → {after}",
    "guests_preview_fields": "   • {name}: {fields}",
    "guests_field_email": "E-Mail",
    "guests_field_organization": "Organisation",
    "guests_field_reference": "Code",
    "guests_preview_removed": "➖ <b>Entfernt: {count}</b> (ihre Einladungslinks gelten dann nicht mehr)",
    "guests_preview_removed_line": "   • {name}{connected}",
    "guests_preview_removed_connected": " – mit Telegram verbunden",
    "guests_preview_more": "   … und {count} weitere",
    "guests_preview_unchanged": "= Unverändert: {count}",
    "guests_preview_confirm": "Erst mit „Bestätigen“ wird etwas geändert.",
    "guests_loaded": (
        "✅ <b>Gästeliste geladen.</b> Neu: {added}, geändert: {changed}, entfernt: {removed}. Insgesamt "
        "{total} {total:Gast|Gäste}.\nDie persönlichen Links: „🔗 Einladungslinks“ in /gaeste oder "
        "<code>python -m bot invite</code>."
    ),
    "guests_stale": "🔄 Die Gästeliste wurde seit dieser Vorschau geändert – übernommen wurde nichts. Hier ist die Vorschau auf dem aktuellen Stand:",
    "guests_file_gone": "Die Datei dieser Vorschau ist nicht mehr lesbar – bitte senden Sie sie noch einmal. Nichts wurde geändert.",
    "guests_links_caption": "🔗 Einladungslinks für {count} {count:Gast|Gäste} (für den Serienbrief). Jeder Link gehört genau einer Person.",
    "guests_none": "Noch keine Gästeliste geladen. „📄 Liste laden“ in /gaeste.",
    "guests_connected_title": "✅ <b>Verbunden: {count}</b>",
    "guests_waiting_title": "▫️ <b>Noch nicht verbunden: {count}</b>",
    "guests_connected_many": "Für mehr als {limit} Gäste steht der Stand in der CSV-Datei (Spalte „connected“):",
    "guests_unlink_ask": "🔓 Wessen Verbindung möchten Sie lösen? Schreiben Sie einen Teil von Name, E-Mail, Organisation oder Code.",
    "guests_unlink_none": "Dazu finde ich keinen Gast. Bitte anders schreiben oder /abbrechen.",
    "guests_unlink_choose": "Welcher Gast? (🔗 = mit Telegram verbunden)",
    "guests_unlink_preview": (
        "🔓 Verbindung von <b>{name}</b> lösen?\nVerbunden ist das Telegram-Konto {account}. Danach gilt es nicht "
        "mehr als Gast, und der persönliche Link funktioniert wieder für das nächste Konto, das ihn öffnet."
    ),
    "guests_unlink_not_connected": "{name} ist mit keinem Telegram-Konto verbunden – der Link funktioniert schon.",
    "guests_unlinked": "🔓 Gelöst. Der persönliche Link von {name} funktioniert wieder für das nächste Konto, das ihn öffnet.",
    "guests_gone": "Diesen Gast gibt es nicht mehr auf der Liste.",
    "guests_problem_empty": "Die Datei ist leer.",
    "guests_problem_not_csv": "Das ist keine CSV-Datei, sondern eine Tabelle oder Binärdatei. Bitte im Tabellenprogramm „Speichern unter … CSV (UTF-8)“ wählen und diese Datei senden.",
    "guests_problem_too_big": "Die Datei ist größer als {megabytes} MB.",
    "guests_problem_broken_line": "Zeile {line}: ein Anführungszeichen ist nicht geschlossen oder steht mitten in einem Feld.",
    "guests_problem_no_name_column": (
        "Zeile {line}: keine Spalte für den Namen (gefunden: {found}). Nötig ist „Name“ oder „Vorname“ und „Nachname“."
    ),
    "guests_problem_no_guests": "Die Datei enthält keine Gäste (nur eine Kopfzeile oder gar nichts).",
    "guests_problem_field_count": (
        "Zeile {line}: {found} Felder statt {expected} wie in der Kopfzeile – steht ein Trennzeichen ungeschützt "
        "in einem Feld? Dann das Feld in Anführungszeichen setzen."
    ),
    "guests_problem_no_name": "Zeile {line}: kein Name.",
    "guests_problem_bad_email": "Zeile {line}: „{email}“ ist keine E-Mail-Adresse.",
    "guests_problem_twice": "Zeile {line}: {name} steht schon in Zeile {first}.",
})

# Die Konferenzreihe: wechseln, Archiv, Bescheid bei der nächsten
TEXTS.update({
    "conference_line": "<b>{name}</b>\n📅 {when}\n📍 {venue}",
    "conference_current": "🗂 Sie sind bei:\n{line}",
    "conference_choose": "Zu einer anderen Konferenz wechseln:",
    "conference_lapsed": "ℹ️ „{old}“ ist vorbei – ab jetzt geht es hier um „{new}“. Die vergangene bleibt unter /archiv lesbar.",
    "conference_only": "Eine andere Konferenz steht gerade nicht zur Wahl.",
    "conference_switch": "🔁 Andere Konferenz",
    "conference_over": (
        "📚 „{conference}“ ist vorbei. Programm und Ihre Bewertungen bleiben lesbar (/archiv); "
        "anmelden, fragen, bewerten und vernetzen geht dort nicht mehr."
    ),
    "archive_button": "📚 Archiv",
    "archive_show": "📚 Nachlesen",
    "archive_empty": "Noch ist keine Konferenz dieser Reihe vorbei.",
    "archive_title": "📚 <b>Vergangene Konferenzen</b> – zum Nachlesen:",
    "archive_conference": "📚 {line}\n",
    "archive_ratings": "<b>Ihre Bewertungen:</b>",
    "archive_rating": "{stars} {title}",
    "news_offer": (
        "🔔 <b>Bescheid bei der nächsten Konferenz?</b>\nDann schreibe ich Ihnen, sobald die Anmeldung für die nächste "
        "Konferenz dieser Reihe öffnet. Dafür speichere ich nur diesen Chat, Ihre Sprache und das Datum Ihrer "
        "Zustimmung – auch wenn alles andere nach der Konferenz gelöscht ist. Widerrufen können Sie jederzeit mit /bescheid."
    ),
    "news_on": "🔔 Sie bekommen Bescheid, wenn die nächste Konferenz öffnet. Widerrufen?",
    "news_yes": "🔔 Ja, Bescheid geben",
    "news_withdraw": "🔕 Zustimmung widerrufen",
    "news_given": "🔔 Danke! Ich sage Bescheid, wenn die nächste Konferenz öffnet. Widerruf jederzeit: /bescheid",
    "news_withdrawn": "🔕 Widerrufen: Ich schreibe Ihnen nicht wegen der nächsten Konferenz und habe die Zustimmung gelöscht.",
    "opening_text": (
        "🎉 <b>Die nächste Konferenz ist offen!</b>\n\n{line}\n{motto}\n\nProgramm, Anmeldung zu Workshops und "
        "Erinnerungen: hier im Bot. (Sie bekommen diese Nachricht, weil Sie um Bescheid gebeten haben; "
        "abbestellen mit /bescheid.)"
    ),
    "opening_open": "➡️ Zur Konferenz",
    "opening_nobody": "Niemand wartet (mehr) auf diese Nachricht: alle mit Zustimmung haben sie schon oder sind schon dabei.",
    "opening_report_button": "📊 Bericht",
    "opening_preview": (
        "📣 <b>Eröffnung ankündigen – Vorschau</b>\nAn {count} {count:Person|Personen}, die um Bescheid gebeten "
        "{count:hat|haben} (ohne die, die schon dabei sind):\n\n{preview}"
    ),
    "opening_sent": "📣 Wird an {count} {count:Person|Personen} gesendet.",
    "opening_report": "📊 Eröffnung: zugestellt {sent}, ausstehend {pending}, blockiert {blocked}, fehlgeschlagen {failed}.",
    "orga_conference_now": "🗂 Konferenz: <b>{conference}</b>",
    "orga_opening": "📣 Eröffnung ankündigen",
    "orga_conference": "🔁 Konferenz wechseln",
    "privacy_series": (
        "\n\n<b>Mehrere Konferenzen:</b> Was Sie bei einer Konferenz tun, gehört zu ihr und wird {retention} Tage nach "
        "ihrem Ende gelöscht; wer danach zu keiner Konferenz mehr gehört, wird ganz vergessen. /meinedaten und "
        "/loeschen umfassen alle Konferenzen. Mit /bescheid können Sie gesondert zustimmen, von der nächsten "
        "Konferenz zu hören: dann bleiben nur dieser Chat, Ihre Sprache und das Datum, bis Sie widerrufen."
    ),
    "privacy_news": (
        "\n\nMit /bescheid können Sie gesondert zustimmen, von der nächsten Konferenz zu hören: dann bleiben nach "
        "der Löschung nur dieser Chat, Ihre Sprache und das Datum, bis Sie widerrufen."
    ),
    "delete_all_conferences": "\nDas gilt für alle Konferenzen dieses Bots, auch Ihre Zustimmung zu /bescheid.",
})
