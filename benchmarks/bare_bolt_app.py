"""The baseline for ack_latency.py: a Bolt app that only acks /mentor, served like Mentorbot."""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)


@app.command("/mentor")
def only_ack(ack):  # type: ignore[no-untyped-def]
    ack()


wsgi = SlackRequestHandler(app)
