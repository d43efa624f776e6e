"""How often the organizer's progress message is edited while an announcement goes out."""

from bot.announcement_service import track_interval


def test_progress_edits_thin_out_for_long_announcements():
    assert track_interval(0) == track_interval(200) == 2.0  # short: every 2 s
    assert track_interval(1_000) == 2.0
    assert 2.0 < track_interval(4_500) == 5.0 < 10.0  # about 30 edits over the 150 s it takes
    assert track_interval(10_000) == track_interval(100_000) == 10.0  # never less often than every 10 s
