"""Tests of the Socket Mode stand-in: raw frames on a socket, then slack_sdk's own client."""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
from collections.abc import Iterator
from typing import BinaryIO

import pytest
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from sandbox.fake_slack import FakeSlack
from tests.support.fake_socket_mode import OP_PING, OP_PONG, OP_TEXT, FakeSocketMode, accept_key, encode_frame, read_frame


@pytest.fixture
def server() -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as fake:
        yield fake


def _port(server: FakeSocketMode) -> int:
    return int(server.url.split(":")[2].split("/")[0])


def _open(server: FakeSocketMode, key: str) -> tuple[socket.socket, BinaryIO, str, dict]:
    """Handshake by hand; returns the socket, its reader, the 101 response head and the hello."""
    port = _port(server)
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        (
            "GET /link/?ticket=fake-ticket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    rfile = sock.makefile("rb")
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += rfile.readline()
    fin, opcode, masked, payload = read_frame(rfile)
    assert (fin, opcode, masked) == (True, OP_TEXT, False)
    return sock, rfile, head.decode(), json.loads(payload)


def test_accept_key_matches_rfc_6455_example():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_handshake_hello_pong_envelope_and_ack_over_a_raw_socket(server):
    key = base64.b64encode(os.urandom(16)).decode()
    sock, rfile, head, hello = _open(server, key)
    with sock, rfile:
        assert head.startswith("HTTP/1.1 101 ")
        assert f"Sec-WebSocket-Accept: {accept_key(key)}\r\n" in head
        assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0001"}
        assert server.wait_for_connection(timeout=5) == "/link/?ticket=fake-ticket"

        sock.sendall(encode_frame(OP_PING, b"are you there", mask=os.urandom(4)))
        assert read_frame(rfile) == (True, OP_PONG, False, b"are you there")

        big = {"command": "/mentor", "text": "x" * 70_000}  # 64-bit length form
        envelope_id = server.send_envelope("slash_commands", big)
        _, opcode, _, payload = read_frame(rfile)
        assert opcode == OP_TEXT
        assert json.loads(payload) == {
            "envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload": True, "payload": big,
        }  # fmt: skip

        ack = json.dumps({"envelope_id": envelope_id, "payload": {"text": "y" * 300}}).encode()  # 16-bit form
        sock.sendall(encode_frame(OP_TEXT, ack, mask=os.urandom(4)))
        assert server.wait_for_ack(envelope_id, timeout=5) == json.loads(ack)
    assert server.violations == []


def test_unmasked_client_frames_and_bad_handshakes_are_violations(server):
    sock, rfile, _, _ = _open(server, base64.b64encode(os.urandom(16)).decode())
    with sock, rfile:
        sock.sendall(encode_frame(OP_TEXT, b'{"envelope_id": "e1"}'))  # no mask
        server.wait_for_ack("e1", timeout=5)
    assert server.violations == ["client frame (opcode 0x1) is not masked"]

    with pytest.raises(AssertionError, match=r"within 0\.01s"):
        server.wait_for_ack("never", timeout=0.01)
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as plain:
        plain.sendall(b"GET /link/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert plain.makefile("rb").readline().startswith(b"HTTP/1.1 400 ")
    assert "WebSocket handshake refused" in server.violations[-1]


def test_slack_sdk_socket_mode_client_connects_and_acks(server):
    received: queue.Queue[SocketModeRequest] = queue.Queue()

    def listener(client: SocketModeClient, request: SocketModeRequest) -> None:
        received.put(request)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id, payload={"ok": 1}))

    with FakeSlack() as slack:
        slack.socket_mode_url = server.url
        client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=slack.url))
        client.socket_mode_request_listeners.append(listener)
        try:
            client.connect()
            server.wait_for_connection(timeout=5)
            envelope_id = server.send_envelope(
                "events_api", {"event": {"type": "app_home_opened"}}, accepts_response_payload=False
            )
            assert server.wait_for_ack(envelope_id, timeout=5) == {"envelope_id": envelope_id, "payload": {"ok": 1}}
            request = received.get(timeout=5)
            assert (request.type, request.payload, request.accepts_response_payload) == (
                "events_api",
                {"event": {"type": "app_home_opened"}},
                False,
            )
            assert client.is_connected()
        finally:
            client.close()
        [call] = slack.calls_to("apps.connections.open")
        assert call.headers["Authorization"] == "Bearer xapp-test"
        assert slack.violations == []
    assert server.received == [{"envelope_id": envelope_id, "payload": {"ok": 1}}]  # the hello got no answer
    assert server.violations == []
