"""Refresh people's Slack time zones (users.info) into their rows; see storage/time_zones.py."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError, SlackClientError

from scheduler.context import JobContext
from scheduler.rate_limits import rate_limit_key, retry_after_seconds
from storage.db import session_scope
from storage.time_zones import people_needing_time_zone, record_time_zone

log = logging.getLogger(__name__)
BATCH = 50  # users.info is Tier 4 (100+ a minute); an hourly run of 50 keeps well inside it


def refresh_time_zones(ctx: JobContext, *, batch: int = BATCH) -> int:
    """Look up to `batch` people up; Slack calls happen outside any transaction. Returns how many."""
    now = ctx.clock()
    with session_scope(ctx.session_factory) as session:
        people = people_needing_time_zone(session, now=now, limit=batch)
    refreshed = 0
    resting: set[str] = set()  # workspaces Slack asked to wait, or that cannot be reached now
    for person_id, user_id, team_id in people:
        gated = rate_limit_key("users.info", team_id)
        if team_id in resting or ctx.rate_limits.blocked_until(gated, now):
            continue
        slack = ctx.slack_for(team_id)
        if slack is None:
            resting.add(team_id)  # uninstalled: nobody there to look up
            continue
        try:
            user = slack.users_info(user=user_id)["user"]
            zone = user.get("tz") or None
        except SlackApiError as error:
            if error.response.status_code == 429:
                wait = timedelta(seconds=retry_after_seconds(error.response.headers))
                ctx.rate_limits.block(gated, now + wait)
                resting.add(team_id)
                continue
            if error.response.status_code >= 500:
                log.info("users.info unavailable (%s); time zones will be refreshed on a later run", error.response.status_code)
                resting.add(team_id)
                continue
            zone = None  # user_not_found and the like: keep the program's zone, look again next week
        except (SlackClientError, OSError):
            resting.add(team_id)
            continue
        with session_scope(ctx.session_factory) as session:
            record_time_zone(session, person_id=person_id, time_zone=zone, now=now)
        refreshed += 1
    return refreshed
