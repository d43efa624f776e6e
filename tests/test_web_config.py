"""The Mini App's settings: BOT_WEB_LISTEN, BOT_WEB_URL, BOT_WEB_MAX_AGE."""

import pytest

from bot.config import ConfigError, Settings


def test_the_mini_app_is_off_unless_configured():
    settings = Settings.from_env({})
    assert (settings.web_listen, settings.web_url, settings.web_max_age) == (None, None, 86400)


def test_listen_url_and_age_are_read():
    settings = Settings.from_env({"BOT_WEB_LISTEN": "127.0.0.1:8080", "BOT_WEB_URL": "https://bot.example.org/app/",
                                  "BOT_WEB_MAX_AGE": "3600"})
    assert settings.web_listen == ("127.0.0.1", 8080)
    assert settings.web_url == "https://bot.example.org/app/" and settings.web_max_age == 3600
    assert Settings.from_env({"BOT_WEB_LISTEN": "[::1]:9000"}).web_listen == ("::1", 9000)


@pytest.mark.parametrize("env, message", [
    ({"BOT_WEB_LISTEN": "8080"}, "BOT_WEB_LISTEN must be host:port"),
    ({"BOT_WEB_LISTEN": "localhost:http"}, "BOT_WEB_LISTEN must be host:port"),
    ({"BOT_WEB_LISTEN": "127.0.0.1:70000"}, "BOT_WEB_LISTEN must be host:port"),
    ({"BOT_WEB_URL": "bot.example.org/app/"}, "BOT_WEB_URL must be the page's http(s) URL"),
    ({"BOT_WEB_URL": "ftp://bot.example.org/app/"}, "BOT_WEB_URL must be the page's http(s) URL"),
    ({"BOT_WEB_URL": "https://bot.example.org/app/#x"}, "BOT_WEB_URL must be the page's http(s) URL"),
    ({"BOT_WEB_MAX_AGE": "0"}, "BOT_WEB_MAX_AGE must be a whole number"),
])
def test_bad_values_get_one_clear_message(env, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(env)
