"""The Mini App's initData: signed and checked exactly as Telegram documents it."""

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.initdata import InitDataError, sign, verify

TOKEN = "123456:TEST-token"
NOW = 1_748_940_000
USER = {"id": 4242, "first_name": "Alex", "language_code": "en", "username": "alex"}


def test_a_signed_init_data_gives_its_user():
    user = verify(sign(TOKEN, USER, NOW - 60, query_id="AAH"), TOKEN, NOW, 86400)
    assert (user.user_id, user.first_name, user.language_code, user.username, user.auth_date) == \
        (4242, "Alex", "en", "alex", NOW - 60)


def test_the_hash_follows_telegrams_documented_recipe_with_signature_in_the_check_string():
    fields = {"auth_date": str(NOW), "query_id": "AAH", "signature": "c2lnbmF0dXJl", "user": '{"id":7}'}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    raw = urlencode({**fields, "hash": hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()})
    assert verify(raw, TOKEN, NOW, 60).user_id == 7
    tampered = raw.replace("signature=c2ln", "signature=d2ln")  # the signature is covered by the hash
    with pytest.raises(InitDataError, match="not signed"):
        verify(tampered, TOKEN, NOW, 60)


@pytest.mark.parametrize("change", [
    lambda f: {**f, "user": f["user"].replace("4242", "4243")},  # someone else's id
    lambda f: {**f, "auth_date": str(NOW)},  # made younger
    lambda f: {**f, "hash": "0" * 64},
    lambda f: {**f, "extra": "1"},  # a field added after signing
])
def test_tampered_init_data_is_refused(change):
    fields = dict(parse_qsl(sign(TOKEN, USER, NOW - 60)))
    with pytest.raises(InitDataError, match="not signed"):
        verify(urlencode(change(fields)), TOKEN, NOW, 86400)


def test_another_bots_init_data_is_refused():
    with pytest.raises(InitDataError, match="not signed"):
        verify(sign("999:OTHER", USER, NOW), TOKEN, NOW, 86400)


def test_expired_init_data_is_refused_and_the_limit_is_configurable():
    raw = sign(TOKEN, USER, NOW - 3601)
    with pytest.raises(InitDataError, match="expired"):
        verify(raw, TOKEN, NOW, 3600)
    assert verify(raw, TOKEN, NOW, 7200).user_id == 4242


def test_init_data_from_the_future_is_refused():
    with pytest.raises(InitDataError, match="future"):
        verify(sign(TOKEN, USER, NOW + 3600), TOKEN, NOW, 86400)


@pytest.mark.parametrize("raw, reason", [
    ("", "missing"),
    ("auth_date=1&user=%7B%7D", "no hash"),
    ("a" * 9000, "too long"),
    ("hash=1&hash=2", "twice"),
    ("%%%", "not a query string"),
])
def test_malformed_init_data_gets_a_clear_reason(raw, reason):
    with pytest.raises(InitDataError, match=reason):
        verify(raw, TOKEN, NOW, 86400)


@pytest.mark.parametrize("user", [{"first_name": "no id"}, {"id": "4242"}, {"id": -5}, {"id": True}])
def test_a_signed_init_data_without_a_valid_user_is_refused(user):
    with pytest.raises(InitDataError, match="user"):
        verify(sign(TOKEN, user, NOW), TOKEN, NOW, 86400)


def test_a_missing_auth_date_is_refused_even_when_signed():
    fields = dict(parse_qsl(sign(TOKEN, USER, NOW)))
    del fields["auth_date"], fields["hash"]
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    with pytest.raises(InitDataError, match="auth_date"):
        verify(urlencode(fields), TOKEN, NOW, 86400)
