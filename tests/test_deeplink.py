"""Deep-link start parameters: every session id travels, whatever comes back is parsed safely."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from bot.domain import deeplink
from bot.domain.deeplink import Invalid, ShowSession, SignUp, Welcome

TELEGRAM_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@pytest.mark.parametrize("session_id", ["podium", "ws-zwilling", "x" * 24, "a_b-c"])
def test_program_ids_travel_as_they_are(session_id):
    assert deeplink.session_parameter(session_id) == session_id
    assert deeplink.parse(session_id) == ShowSession(session_id)


@pytest.mark.parametrize("session_id", ["Vortrag 3", "kaffee&kuchen", "signup-ws", "B64_x", "Menu", "ü-saal", "y" * 30 + " "])
def test_other_ids_are_encoded_and_come_back(session_id):
    parameter = deeplink.session_parameter(session_id)
    assert parameter is not None and parameter.startswith("B64_")
    assert TELEGRAM_PARAMETER.match(parameter)
    assert deeplink.parse(parameter) == ShowSession(session_id)


def test_an_id_too_long_even_encoded_has_no_link():
    assert deeplink.session_parameter("z" * 60 + " ") is None
    assert deeplink.session_link("KonfBot", "z" * 60 + " ") is None
    assert deeplink.session_parameter("") is None and deeplink.session_parameter("a\nb") is None


def test_link_shape():
    assert deeplink.session_link("KonfBot", "podium") == "https://t.me/KonfBot?start=podium"


@pytest.mark.parametrize("parameter, expected", [
    ("", Welcome()),
    ("Menu", Welcome()),
    ("signup-ws-zwilling", SignUp("ws-zwilling")),
    ("signup-", Invalid()),
    ("B64_", Invalid()),
    ("B64_!!!", Invalid()),
    ("B64_cG9kaXVt", Invalid()),  # "podium" encoded: only the plain spelling counts
    ("B64_AAEC", Invalid()),  # control characters
    ("B64_gA", Invalid()),  # not UTF-8
    ("../../etc/passwd", Invalid()),
    ("<b>x</b>", Invalid()),
    ("x" * 65, Invalid()),
    ("a b", Invalid()),
])
def test_parsing_refuses_what_no_link_carries(parameter, expected):
    assert deeplink.parse(parameter) == expected


@given(st.text(max_size=80))
def test_any_session_id_round_trips_or_has_no_link(session_id):
    parameter = deeplink.session_parameter(session_id)
    if parameter is None:
        return
    assert TELEGRAM_PARAMETER.match(parameter)
    assert deeplink.parse(parameter) == ShowSession(session_id)


@given(st.text(max_size=100))
def test_parsing_anything_never_raises(parameter):
    assert isinstance(deeplink.parse(parameter), (ShowSession, SignUp, Welcome, Invalid))
