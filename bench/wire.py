"""A small HTTP/1.1 client on asyncio streams for the exam-day load generator.

Why not httpx: the generator shares this machine's two cores with gunicorn and the database,
and httpx spent ~3 ms of CPU per request (measured, bench/README.md), as much as the app spends on
an autosave. This client does only what the bench needs: one request per connection
(``Connection: close``, as nginx speaks to gunicorn), a cookie jar per learner, form and JSON
bodies, Content-Length, chunked (nginx in front: bench/multi_host.py) or read-to-close bodies.
Plain HTTP to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit


class WireError(Exception):
    """The request did not get a whole HTTP response (refused, reset, timed out, malformed)."""


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Client:
    """One learner's browser: its own cookies; one request at a time."""

    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)

    async def request(
        self,
        method: str,
        url: str,
        *,
        data: dict | None = None,
        json: object | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        try:
            return await asyncio.wait_for(self._exchange(method, url, data, json, headers), self.timeout)
        except TimeoutError:
            raise WireError("timeout") from None
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            raise WireError(type(exc).__name__) from None

    async def _exchange(self, method, url, data, json, headers) -> Response:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = b""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
        if data is not None:
            body = urlencode(data).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        elif json is not None:
            body = jsonlib.dumps(json).encode()
            lines.append("Content-Type: application/json")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status, response_headers = self._parse_head(head)
            length = response_headers.get("content-length")
            if "chunked" in response_headers.get("transfer-encoding", "").lower():
                payload = await self._read_chunked(reader)
            elif length is not None:
                payload = await reader.readexactly(int(length))
            else:
                payload = await reader.read()
        finally:
            writer.close()
        return Response(status, response_headers, payload)

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers, then the end
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)

    def _parse_head(self, head: bytes) -> tuple[int, dict[str, str]]:
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._take_cookie(value)
            headers[name] = value
        return status, headers

    def _take_cookie(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, cookie = pair.strip().partition("=")
        expired = any(a.strip().lower() == "max-age=0" for a in attributes)  # delete_cookie sends it
        if expired or cookie == "":
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie
