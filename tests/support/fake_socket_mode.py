"""A fake of Slack's Socket Mode endpoint: a minimal WebSocket server on loopback.

Point ``FakeSlack.socket_mode_url`` at ``server.url``; ``apps.connections.open`` then hands that
URL to the app, whose Socket Mode client connects here over plain TCP (slack_sdk's builtin
client uses TLS only on port 443). The server does what Slack does on the wire:

- answers the HTTP/1.1 Upgrade with 101 and the right ``Sec-WebSocket-Accept``;
- sends ``{"type": "hello", ...}`` first;
- answers every ping with a pong carrying the same payload;
- sends envelopes ``{"envelope_id", "type", "accepts_response_payload", "payload"}`` as
  unmasked text frames (``send_envelope``), each to one connection (the newest);
- records every text frame the app sends (acks are ``{"envelope_id": ..., "payload"?: ...}``).

Client frames must be masked, whole (no fragments) and JSON text; anything else is appended to
``violations``, which tests should assert stays empty. Stdlib only (RFC 6455, just enough).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import uuid
from typing import Any, BinaryIO

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def accept_key(sec_websocket_key: str) -> str:
    """The Sec-WebSocket-Accept answering a Sec-WebSocket-Key."""
    digest = hashlib.sha1((sec_websocket_key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def encode_frame(opcode: int, payload: bytes, *, mask: bytes | None = None) -> bytes:
    """One whole frame (FIN set). Servers send unmasked frames; clients pass a 4-byte ``mask``."""
    mask_bit = 0x80 if mask is not None else 0
    length = len(payload)
    if length <= 125:
        header = struct.pack("!BB", 0x80 | opcode, mask_bit | length)
    elif length <= 0xFFFF:
        header = struct.pack("!BBH", 0x80 | opcode, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, mask_bit | 127, length)
    if mask is None:
        return header + payload
    return header + mask + _unmask(payload, mask)


def read_frame(rfile: BinaryIO) -> tuple[bool, int, bool, bytes]:
    """Read one frame: (fin, opcode, masked, unmasked payload). EOFError when the peer left."""
    first, second = _read_exactly(rfile, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _read_exactly(rfile, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _read_exactly(rfile, 8))
    masked = bool(second & 0x80)
    mask = _read_exactly(rfile, 4) if masked else None
    payload = _read_exactly(rfile, length)
    return bool(first & 0x80), first & 0x0F, masked, _unmask(payload, mask) if mask else payload


def _read_exactly(rfile: BinaryIO, size: int) -> bytes:
    data = rfile.read(size) if size else b""
    if len(data) < size:
        raise EOFError("connection closed")
    return data


def _unmask(data: bytes, mask: bytes) -> bytes:
    return bytes(b ^ mask[i % 4] for i, b in enumerate(data))


class _Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.rfile = sock.makefile("rb")
        self._send_lock = threading.Lock()

    def send(self, opcode: int, payload: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(encode_frame(opcode, payload))

    def hang_up(self) -> None:
        """Wake the reader thread blocked in recv; it then closes the socket itself."""
        with contextlib.suppress(OSError):  # already gone
            self.sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.rfile.close()
        self.sock.close()


class FakeSocketMode:
    def __init__(self, *, app_id: str = "A0001") -> None:
        self.app_id = app_id
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closing = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []
        self._live: list[_Connection] = []  # every accepted connection not yet closed
        self._open: list[_Connection] = []  # those past the handshake, newest last
        self._handshakes: list[str] = []  # request paths, one per completed handshake
        self._received: list[dict[str, Any]] = []
        self._accept_thread = threading.Thread(target=self._accept_loop, daemon=True, name="FakeSocketMode")
        self._accept_thread.start()

    def __enter__(self) -> FakeSocketMode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """What ``apps.connections.open`` answers; shaped like Slack's wss://…/link/?ticket=…."""
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=fake-ticket&app_id={self.app_id}"

    # ----------------------------------------------------------------- what tests use

    def send_envelope(self, type: str, payload: dict[str, Any], *, accepts_response_payload: bool = True) -> str:
        """Send an envelope to the newest open connection; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
            "payload": payload,
        }
        with self._lock:
            if not self._open:
                raise AssertionError("no open Socket Mode connection to send an envelope to")
            connection = self._open[-1]
        connection.send(OP_TEXT, json.dumps(envelope).encode("utf-8"))
        return envelope_id

    def wait_for_connection(self, timeout: float = 5.0, *, count: int = 1) -> str:
        """Wait until ``count`` handshakes have completed; returns the last request path."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._handshakes) >= count, timeout):
                raise AssertionError(
                    f"expected {count} Socket Mode connection(s) within {timeout}s, got {len(self._handshakes)}; violations: {self.violations}"
                )
            return self._handshakes[count - 1]

    def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """Wait for the app's message naming ``envelope_id`` and return it."""

        def ack() -> dict[str, Any] | None:
            return next((m for m in self._received if m.get("envelope_id") == envelope_id), None)

        with self._changed:
            found = self._changed.wait_for(ack, timeout)  # the predicate's last value
            if found is None:
                raise AssertionError(
                    f"no ack for envelope {envelope_id} within {timeout}s; received {self._received}; violations: {self.violations}"
                )
            return found

    @property
    def received(self) -> list[dict[str, Any]]:
        """Every text frame the app sent, JSON-decoded, oldest first."""
        with self._lock:
            return list(self._received)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)

    def close(self) -> None:
        """Stop accepting, drop every connection (as a network failure would), join the threads."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            connections = list(self._live)
        # accept() is not woken by close() on every platform; a connection always wakes it
        with contextlib.suppress(OSError):
            socket.create_connection(self._listener.getsockname(), timeout=1).close()
        self._accept_thread.join(timeout=5)
        self._listener.close()
        for connection in connections:
            connection.hang_up()
        for thread in list(self._threads):
            thread.join(timeout=5)

    # ----------------------------------------------------------------- server side

    def _accept_loop(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closing:
                    sock.close()
                    return
                connection = _Connection(sock)
                self._live.append(connection)
                thread = threading.Thread(target=self._serve, args=(connection,), daemon=True, name="FakeSocketMode-conn")
                self._threads.append(thread)
            thread.start()

    def _violation(self, problem: str) -> None:
        with self._changed:
            self.violations.append(problem)
            self._changed.notify_all()

    def _serve(self, connection: _Connection) -> None:
        try:
            path = self._handshake(connection)
            if path is None:
                return
            with self._changed:
                if self._closing:
                    return
                self._open.append(connection)
                self._handshakes.append(path)
                self._changed.notify_all()
                hello = {
                    "type": "hello",
                    "num_connections": len(self._open),
                    "debug_info": {"host": "fake-socket-mode", "build_number": 1, "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.app_id},
                }
            connection.send(OP_TEXT, json.dumps(hello).encode("utf-8"))
            self._receive(connection)
        except (EOFError, OSError, ValueError):
            pass  # the app left, or close() dropped the connection
        finally:
            with self._changed:
                self._live.remove(connection)
                if connection in self._open:
                    self._open.remove(connection)
                self._changed.notify_all()
            connection.close()

    def _handshake(self, connection: _Connection) -> str | None:
        request_line = connection.rfile.readline(8192).decode("latin-1").strip()
        headers: dict[str, str] = {}
        while True:
            line = connection.rfile.readline(8192).decode("latin-1")
            if not line:
                raise EOFError("connection closed during the handshake")
            if not line.strip():
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        method, path, *_ = [*request_line.split(" "), "", ""]
        key = headers.get("sec-websocket-key", "")
        problems = [
            problem
            for problem, ok in (
                (
                    f"request line {request_line!r} is not GET ... HTTP/1.1",
                    method == "GET" and request_line.endswith(" HTTP/1.1"),
                ),
                ("no 'Upgrade: websocket' header", headers.get("upgrade", "").lower() == "websocket"),
                ("no 'Connection: Upgrade' header", "upgrade" in headers.get("connection", "").lower()),
                ("Sec-WebSocket-Version is not 13", headers.get("sec-websocket-version") == "13"),
                ("Sec-WebSocket-Key is not 16 bytes in base64", _is_websocket_key(key)),
            )
            if not ok
        ]
        if problems:
            self._violation("WebSocket handshake refused: " + "; ".join(problems))
            connection.sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None
        connection.sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
            ).encode("ascii")
        )
        return path

    def _receive(self, connection: _Connection) -> None:
        while True:
            fin, opcode, masked, payload = read_frame(connection.rfile)
            if not masked:
                self._violation(f"client frame (opcode {opcode:#x}) is not masked")
            if not fin or opcode in (OP_CONTINUATION, OP_BINARY):
                self._violation(f"unexpected frame: fin={fin} opcode={opcode:#x}")
            if opcode == OP_PING:
                connection.send(OP_PONG, payload)
            elif opcode == OP_CLOSE:
                connection.send(OP_CLOSE, payload[:2])  # echo the status code, then hang up
                return
            elif opcode == OP_TEXT:
                self._record(payload)

    def _record(self, payload: bytes) -> None:
        try:
            message = json.loads(payload.decode("utf-8"))
        except ValueError:
            self._violation(f"text frame is not JSON: {payload[:200]!r}")
            return
        if not isinstance(message, dict):
            self._violation(f"text frame is not a JSON object: {message!r}")
            return
        with self._changed:
            self._received.append(message)
            self._changed.notify_all()


def _is_websocket_key(key: str) -> bool:
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False
