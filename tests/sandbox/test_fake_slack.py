"""Tests of the Slack stand-in itself, driven by a real WebClient over real HTTP."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from sandbox import slack_requests as sr
from sandbox.fake_slack import FakeSlack

TOKEN = "xoxb-test"
SECRET = "signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="ada", email="ada@example.org", tz="Europe/London")
        server.add_user("U2", name="bob", email="bob@example.org")
        server.add_user("U3", name="cy")
        server.add_user("UGONE", name="gone", deleted=True)
        yield server
        assert server.violations == []


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.url)


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as info:
        call()  # type: ignore[operator]
    return str(info.value.response["error"])


def test_auth_test_answers_like_slack(fake: FakeSlack, client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T0001", "UBOT", "B0001")
    assert fake.calls_to("auth.test")[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_missing_token_is_refused_and_recorded_as_violation(fake: FakeSlack) -> None:
    assert error_of(lambda: WebClient(base_url=fake.url).auth_test()) == "not_authed"
    assert len(fake.violations) == 1
    fake.violations.clear()


def test_users_info_and_lookup_by_email(fake: FakeSlack, client: WebClient) -> None:
    ada = client.users_info(user="U1")["user"]
    assert (ada["tz"], ada["tz_offset"] in (0, 3600)) == ("Europe/London", True)
    assert client.users_lookupByEmail(email="BOB@example.org")["user"]["id"] == "U2"
    assert error_of(lambda: client.users_info(user="UNOPE")) == "user_not_found"
    assert error_of(lambda: client.users_lookupByEmail(email="x@y.z")) == "users_not_found"


def test_conversations_open_is_stable_per_set_of_users(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    group = client.conversations_open(users="U1,U2,U3")["channel"]["id"]
    assert dm.startswith("D") and group.startswith("G")
    assert client.conversations_open(users=["U1"])["channel"]["id"] == dm
    assert client.conversations_open(users="U3,U1,U2")["channel"]["id"] == group
    assert error_of(lambda: client.conversations_open(users="U1,UNOPE")) == "user_not_found"
    assert error_of(lambda: client.conversations_open(users="UGONE")) == "user_disabled"


def test_post_message_then_history_with_metadata(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    metadata = {"event_type": "match_announced", "event_payload": {"match_id": 7}}
    first = client.chat_postMessage(channel=dm, text="hello", metadata=metadata)
    second = client.chat_postMessage(channel="U1", text="again")  # a user id posts to their DM
    assert second["channel"] == dm and first["ts"] < second["ts"]

    plain = client.conversations_history(channel=dm)["messages"]
    assert [m["text"] for m in plain] == ["again", "hello"]  # newest first
    assert all("metadata" not in m for m in plain)
    full = client.conversations_history(channel=dm, include_all_metadata=True, oldest=first["ts"], inclusive=True)
    assert full["messages"][1]["metadata"] == metadata
    assert [m["text"] for m in fake.messages(dm)] == ["hello", "again"]


def test_channel_states_are_refused_with_slack_errors(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C1", name="general")
    fake.add_channel("C2", name="outside", is_member=False)
    fake.add_channel("C3", name="old", is_archived=True)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert error_of(lambda: client.chat_postMessage(channel="C2", text="hi")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="C3", text="hi")) == "is_archived"
    assert error_of(lambda: client.chat_postMessage(channel="C404", text="hi")) == "channel_not_found"


def test_form_encoded_arguments_arrive_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    fake.add_channel("C1", name="general")
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "hi", "blocks": json.dumps(blocks)})
    assert fake.messages("C1")[0]["blocks"] == blocks
    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == blocks


def test_update_and_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C1", name="general")
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    client.chat_update(channel="C1", ts=ts, text="v2")
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert [m["text"] for m in fake.messages("C1")] == ["v2"]
    assert fake.ephemerals("C1")[0]["ephemeral_to"] == "U1"
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.2", text="x")) == "message_not_found"


def test_bad_requests_are_refused_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C1", name="general")
    blocks = [{"type": "divider"}] * 51
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", blocks=blocks)) == "invalid_blocks"
    assert error_of(lambda: client.api_call("chat.postMessage", json={"channel": "C1"})) == "no_text"
    assert error_of(lambda: client.api_call("users.info", params={})) == "user_not_found"
    assert fake.messages("C1") == []
    assert len(fake.violations) == 3 and "51 blocks" in fake.violations[0]
    fake.violations.clear()


def test_over_long_modal_title_is_refused(fake: FakeSlack, client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}  # fmt: skip
    assert error_of(lambda: client.views_open(trigger_id="t", view=view)) == "invalid_arguments"
    assert "title" in fake.violations[0]
    fake.violations.clear()


def test_views_open_update_and_publish(fake: FakeSlack, client: WebClient) -> None:
    modal = {"type": "modal", "callback_id": "signup", "title": {"type": "plain_text", "text": "Sign up"},
             "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}  # fmt: skip
    opened = client.views_open(trigger_id="t", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "signup"
    client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    stale = lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)  # noqa: E731
    assert error_of(stale) == "hash_conflict"

    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Home"}}]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert fake.home_view("U1") == published and published["blocks"] == home["blocks"]


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    answer = client.files_upload_v2(channel=dm, content=b"png-bytes", filename="chart.png", title="Chart",
                                    initial_comment="Your chart")  # fmt: skip
    [upload] = fake.uploaded_files
    assert answer["file"]["id"] == upload.file_id
    assert (upload.filename, upload.title, upload.channel_id) == ("chart.png", "Chart", dm)
    assert upload.content == b"png-bytes"
    assert fake.messages(dm)[-1]["text"] == "Your chart"
    assert [c.method for c in fake.calls][-3:] == [
        "files.getUploadURLExternal", "file_upload", "files.completeUploadExternal",
    ]  # fmt: skip


def test_rate_limit_retry_after_is_honoured(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    fake.fail_next("auth.test", status=429, retry_after=1)
    started = time.monotonic()
    assert client.auth_test()["ok"]
    assert time.monotonic() - started >= 1.0
    first, second = fake.calls_to("auth.test")
    assert (first.status, first.response["error"], second.status) == (429, "ratelimited", 200)


def test_server_error_is_retried(fake: FakeSlack) -> None:
    retry = ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    client = WebClient(token=TOKEN, base_url=fake.url, retry_handlers=[retry])
    fake.fail_next("users.info", status=500)
    assert client.users_info(user="U1")["user"]["id"] == "U1"
    assert [c.status for c in fake.calls_to("users.info")] == [500, 200]


def test_error_injection_answers_ok_false(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("*", error="fatal_error")
    assert error_of(lambda: client.users_info(user="U1")) == "fatal_error"
    assert client.users_info(user="U1")["ok"]


def test_process_first_stores_the_message_although_the_client_saw_an_error(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U2")["channel"]["id"]
    fake.fail_next("chat.postMessage", status=500, process_first=True)
    assert error_of(lambda: client.chat_postMessage(channel=dm, text="sent once?")) == "internal_error"
    assert [m["text"] for m in fake.messages(dm)] == ["sent once?"]
    assert fake.calls_to("chat.postMessage")[0].applied


def test_slow_answer_times_the_client_out_after_processing(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.url, timeout=0.2)  # type: ignore[arg-type]
    fake.add_channel("C1", name="general")
    fake.fail_next("chat.postMessage", status=200, delay=2.0, process_first=True)
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="hi")
    assert len(fake.messages("C1")) == 1


def test_failure_rate_is_reproducible(fake: FakeSlack, client: WebClient) -> None:
    def run() -> list[int]:
        fake.reset_calls()
        fake.set_failure_rate(0.5, seed=42, kinds=("429", "500"))
        for _ in range(20):
            with contextlib.suppress(SlackApiError):
                client.users_info(user="U1")
        return [c.status for c in fake.calls_to("users.info")]

    first = run()
    assert first == run()
    assert {200, 429, 500} <= set(first)
    assert client.auth_test()["ok"]  # exempt by default


def test_wait_for_explains_what_happened(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    assert len(fake.wait_for("auth.test")) == 1
    with pytest.raises(AssertionError, match=r"(?s)chat\.postMessage.*auth\.test -> 200"):
        fake.wait_for("chat.postMessage", timeout=0.1)


def test_response_url_records_posts(fake: FakeSlack) -> None:
    assert WebhookClient(fake.response_url("r7")).send(text="done", response_type="ephemeral").status_code == 200
    assert fake.responses("r7") == [{"text": "done", "response_type": "ephemeral"}]
    assert fake.wait_for("response_url")[0].path == "/response/r7"


def test_signature_helpers_produce_valid_signatures() -> None:
    body, content_type = sr.slash_command("help", user_id="U1", response_url="http://x/r")
    headers = sr.sign(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert content_type == sr.FORM
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not verifier.is_valid(body + "x", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    stale = sr.sign(SECRET, body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid(body, stale["X-Slack-Request-Timestamp"], stale["X-Slack-Signature"])


def test_signed_requests_drive_a_real_bolt_app(fake: FakeSlack, client: WebClient) -> None:
    app = App(client=client, signing_secret=SECRET, process_before_response=True)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"},
             "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}  # fmt: skip

    @app.command("/mentor")
    def on_command(ack, respond, command):  # type: ignore[no-untyped-def]
        ack()
        respond(f"you said {command['text']}")

    @app.action("open")
    def on_action(ack, body, client):  # type: ignore[no-untyped-def]
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    @app.view("signup")
    def on_submit(ack, view):  # type: ignore[no-untyped-def]
        ack(response_action="errors", errors={"b": view["state"]["values"]["b"]["a"]["value"]})

    @app.event("app_home_opened")
    def on_home(event, client):  # type: ignore[no-untyped-def]
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": modal["blocks"]})

    command = sr.signed(SECRET, sr.slash_command("hi", user_id="U1", response_url=fake.response_url()))
    assert app.dispatch(command.to_bolt_request()).status == 200
    assert fake.responses() == [{"text": "you said hi"}]

    assert (
        app.dispatch(sr.signed(SECRET, sr.block_actions("open", user_id="U1", trigger_id="trig-1")).to_bolt_request()).status
        == 200
    )
    assert fake.calls_to("views.open")[0].args["trigger_id"] == "trig-1"

    submit = sr.view_submission("signup", user_id="U1", values={"b": {"a": "too short"}})
    answer = app.dispatch(sr.signed(SECRET, submit).to_bolt_request())
    assert json.loads(answer.body) == {"response_action": "errors", "errors": {"b": "too short"}}

    assert app.dispatch(sr.signed(SECRET, sr.app_home_opened("U2")).to_bolt_request()).status == 200
    assert fake.home_view("U2") is not None

    forged = sr.SignedRequest(command.body, {**command.headers, "X-Slack-Signature": "v0=bad"})
    assert app.dispatch(forged.to_bolt_request()).status == 401


def test_signed_request_posts_over_real_http(fake: FakeSlack) -> None:
    request = sr.signed(SECRET, (json.dumps({"text": "over http"}), sr.JSON))
    status, body, _ = request.post(fake.response_url("r2"))
    assert (status, json.loads(body)) == (200, {"ok": True})
    assert fake.calls_to("response_url")[0].headers["X-Slack-Signature"].startswith("v0=")
