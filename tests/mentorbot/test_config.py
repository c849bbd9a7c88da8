from __future__ import annotations

import logging

import pytest

from mentorbot.config import BOT_SCOPES, DEFAULT_DATABASE_URL, DEFAULT_SLACK_API_URL, ConfigError, load_log_level, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"}


def test_defaults():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.time_zone == "America/New_York"
    assert settings.coordinator_channel_id is None


def test_slack_api_url_gets_a_trailing_slash():
    settings = load_settings({**GOOD, "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize(
    ("env", "variable", "hint"),
    [
        ({}, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN", "must start with xoxb-"),
        ({**GOOD, "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN", "connections:write"),
        ({**GOOD, "SLACK_API_URL": "slack.com"}, "SLACK_API_URL", "http(s) URL"),
        ({**GOOD, "DATABASE_URL": "mysql://x"}, "DATABASE_URL", "postgresql://"),
        ({**GOOD, "MENTORBOT_TIME_ZONE": "Mars/Olympus"}, "MENTORBOT_TIME_ZONE", "IANA"),
        ({**GOOD, "MENTORBOT_COORDINATOR_CHANNEL": "#mentoring"}, "MENTORBOT_COORDINATOR_CHANNEL", "copy the ID"),
    ],
)
def test_bad_configuration_names_the_variable_and_where_to_get_it(env, variable, hint):
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    assert error.value.variable == variable
    assert str(error.value).startswith(variable)
    assert hint in str(error.value)
    assert "\n" not in str(error.value)


def test_mode_specific_requirements():
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}, need_signing_secret=True)
    with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN .*--http"):
        load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}, need_app_token=True)


@pytest.mark.parametrize(("value", "level"), [(None, logging.INFO), ("warning", logging.WARNING), ("DEBUG", logging.DEBUG)])
def test_log_level(value, level):
    assert load_log_level({} if value is None else {"MENTORBOT_LOG_LEVEL": value}) == level


def test_an_unknown_log_level_names_the_choices():
    with pytest.raises(ConfigError, match=r"MENTORBOT_LOG_LEVEL .*DEBUG, INFO, WARNING, ERROR"):
        load_log_level({"MENTORBOT_LOG_LEVEL": "loud"})


def test_meeting_guides_and_the_check_in_minimum(tmp_path):
    guides = tmp_path / "guides.txt"
    guides.write_text("[default] A good meeting\n- What is on your mind?\n", encoding="utf-8")
    settings = load_settings({**GOOD, "MENTORBOT_MEETING_GUIDES": str(guides), "MENTORBOT_CHECK_IN_MINIMUM": "7"})
    assert (settings.meeting_guides, settings.check_in_minimum) == (guides, 7)
    assert load_settings(GOOD).check_in_minimum is None


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("MENTORBOT_CHECK_IN_MINIMUM", "2", "at least 3"),
        ("MENTORBOT_CHECK_IN_MINIMUM", "five", "at least 3"),
        ("MENTORBOT_MEETING_GUIDES", "/nonexistent/guides.txt", "cannot be read"),
    ],
)
def test_bad_check_in_settings_are_refused(variable, value, hint):
    with pytest.raises(ConfigError) as error:
        load_settings({**GOOD, variable: value})
    assert error.value.variable == variable and hint in str(error.value)


def test_a_broken_guides_file_names_its_line(tmp_path):
    guides = tmp_path / "guides.txt"
    guides.write_text("[PGY-1] Interns\n- a point\n[PGY-1] Again\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings({**GOOD, "MENTORBOT_MEETING_GUIDES": str(guides)})
    assert "line 3: a second guide for [PGY-1]" in str(error.value)


OAUTH = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "secret", "SLACK_SIGNING_SECRET": "s"}


def test_several_workspaces_need_the_client_id_and_secret_and_no_bot_token():
    settings = load_settings(OAUTH, need_signing_secret=True)
    assert settings.bot_token is None and settings.several_workspaces
    assert settings.oauth is not None and settings.oauth.client_id == "1111.2222"
    assert settings.oauth.scopes == BOT_SCOPES
    assert load_settings({**OAUTH, "SLACK_SCOPES": ",".join(BOT_SCOPES) + ",reactions:read"}).oauth.scopes[-1] == "reactions:read"
    assert not load_settings(GOOD).several_workspaces


@pytest.mark.parametrize(
    ("env", "need_app_token", "variable", "hint"),
    [
        ({}, False, "SLACK_BOT_TOKEN", "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": "1111.2222"}, False, "SLACK_CLIENT_SECRET", "Basic Information"),
        ({"SLACK_CLIENT_SECRET": "secret"}, False, "SLACK_CLIENT_ID", "Basic Information"),
        ({**OAUTH, "SLACK_CLIENT_ID": "my-app"}, False, "SLACK_CLIENT_ID", "digits.digits"),
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}, False, "SLACK_BOT_TOKEN", "unset SLACK_BOT_TOKEN"),
        ({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"}, True, "SLACK_CLIENT_ID", "--http"),
        ({**OAUTH, "SLACK_SCOPES": "commands,chat:write"}, False, "SLACK_SCOPES", "users:read"),
        ({**OAUTH, "SLACK_REDIRECT_URI": "example.org/x"}, False, "SLACK_REDIRECT_URI", "/slack/oauth_redirect"),
    ],
)
def test_either_one_token_or_the_oauth_client_and_one_line_saying_which(env, need_app_token, variable, hint):
    with pytest.raises(ConfigError) as error:
        load_settings(env, need_app_token=need_app_token)
    assert error.value.variable == variable
    assert hint in str(error.value)
    assert "\n" not in str(error.value)
