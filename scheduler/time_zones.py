"""Refresh people's Slack time zones (users.info) into their rows; see storage/time_zones.py."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError, SlackClientError

from scheduler.context import JobContext
from scheduler.rate_limits import retry_after_seconds
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
    for person_id, user_id in people:
        if ctx.rate_limits.blocked_until("users.info", now):
            break
        try:
            user = ctx.slack.users_info(user=user_id)["user"]
            zone = user.get("tz") or None
        except SlackApiError as error:
            if error.response.status_code == 429:
                wait = timedelta(seconds=retry_after_seconds(error.response.headers))
                ctx.rate_limits.block("users.info", now + wait)
                break
            if error.response.status_code >= 500:
                log.info("users.info unavailable (%s); time zones will be refreshed on a later run", error.response.status_code)
                break
            zone = None  # user_not_found and the like: keep the program's zone, look again next week
        except (SlackClientError, OSError):
            break
        with session_scope(ctx.session_factory) as session:
            record_time_zone(session, person_id=person_id, time_zone=zone, now=now)
        refreshed += 1
    return refreshed
