"""bench/wire.py, the exam-day load generator's HTTP client: what it sends and what it keeps.

A wrong client would make the benchmark measure nothing (a lost cookie is a learner who never
logs in; a misread body is a save counted that never happened), so it is tested against a real
socket server here.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.wire import Client, WireError


class Recorder:
    """A one-response-per-connection HTTP server on 127.0.0.1 that records what it received."""

    def __init__(self, responses: list[bytes], delay: float = 0.0):
        self.responses = responses
        self.delay = delay
        self.requests: list[tuple[bytes, bytes]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length)
        self.requests.append((head, body))
        await asyncio.sleep(self.delay)
        writer.write(self.responses[min(len(self.requests), len(self.responses)) - 1])
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()


def response(status: str, body: bytes = b"", headers: list[str] = (), length: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {status}", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run(coro):
    return asyncio.run(coro)


def test_cookies_are_kept_sent_back_and_deleted():
    server = Recorder(
        [
            response(
                "302 FOUND", headers=["Location: /home", "Set-Cookie: session=abc.def; HttpOnly; Path=/"]
            ),
            response("200 OK", "Xin chào".encode()),
            response(
                "200 OK", headers=["Set-Cookie: session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"]
            ),
            response("200 OK"),
        ]
    )

    async def scenario():
        async with server as base:
            client = Client(timeout=5)
            first = await client.request(
                "POST", base + "/login", data={"username": "hv", "password": "Mật khẩu"}
            )
            second = await client.request("GET", base + "/home?page=2")
            await client.request("GET", base + "/logout")
            await client.request("GET", base + "/after")
            return client, first, second

    client, first, second = run(scenario())
    assert first.status_code == 302 and first.headers["location"] == "/home"
    assert second.text == "Xin chào"
    heads = [head.decode("latin-1") for head, _ in server.requests]
    assert heads[0].startswith("POST /login HTTP/1.1\r\n")
    assert server.requests[0][1] == b"username=hv&password=M%E1%BA%ADt+kh%E1%BA%A9u"
    assert "Content-Type: application/x-www-form-urlencoded" in heads[0]
    assert heads[1].startswith("GET /home?page=2 HTTP/1.1\r\n") and "Cookie: session=abc.def\r\n" in heads[1]
    assert "Cookie:" not in heads[3]  # deleted by the server's expired Set-Cookie
    assert client.cookies == {}


def test_json_body_and_headers_are_sent_and_a_body_without_length_is_read_to_the_close():
    server = Recorder([response("200 OK", b'{"state": "open"}', length=False)])

    async def scenario():
        async with server as base:
            return await Client(timeout=5).request(
                "POST", base + "/save", json={"answers": {"3": {"seq": 7}}}, headers={"X-CSRFToken": "t"}
            )

    answer = run(scenario())
    assert json.loads(answer.text) == {"state": "open"}
    head, body = server.requests[0]
    assert json.loads(body) == {"answers": {"3": {"seq": 7}}}
    assert b"X-CSRFToken: t\r\n" in head and b"Content-Type: application/json" in head


def test_a_chunked_body_is_decoded_and_a_cut_one_is_an_error():
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked = head + b"4\r\nXin \r\n5;x=1\r\nch\xc3\xa0o\r\n0\r\n\r\n"
    cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nXin"

    async def scenario():
        async with Recorder([chunked, cut]) as base:
            client = Client(timeout=5)
            first = await client.request("GET", base + "/a")
            with pytest.raises(WireError):
                await client.request("GET", base + "/b")
            return first

    assert run(scenario()).text == "Xin chào"


def test_a_slow_server_a_refused_port_and_a_cut_response_are_errors_not_answers():
    async def slow():
        async with Recorder([response("200 OK")], delay=2) as base:
            await Client(timeout=0.2).request("GET", base + "/")

    with pytest.raises(WireError, match="timeout"):
        run(slow())

    async def refused():
        async with Recorder([]) as base:
            pass  # the server is closed: its port refuses
        await Client(timeout=2).request("GET", base + "/")

    with pytest.raises(WireError):
        run(refused())

    async def cut():
        async with Recorder([b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"]) as base:
            await Client(timeout=2).request("GET", base + "/")

    with pytest.raises(WireError):
        run(cut())
