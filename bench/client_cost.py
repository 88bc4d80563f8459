"""CPU the load generator spends per request: bench/wire.py against httpx (see bench/README.md).

  .venv/bin/python bench/client_cost.py [--requests 2000]

A trivial HTTP server runs in a child process (so its work is not counted); this process sends the
requests one after another, a new connection each (as exam_day.py does), and reports its own CPU
time (time.process_time) per request for each client.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import ssl
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.wire import Client  # noqa: E402

BODY = b'{"state": "open", "saved": [3], "remaining": 3000}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: session=abc; HttpOnly; Path=/\r\n"
    + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)
    + BODY
)


def serve(port_queue) -> None:
    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (int(x.split(b":")[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length")), 0
        )
        await reader.readexactly(length)
        writer.write(RESPONSE)
        await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


async def cost(kind: str, base: str, count: int) -> float:
    body = {"answers": {"3": {"fields": {"q3": ["2"]}, "seq": 1}}}
    if kind == "wire":
        client = Client(timeout=10)
        send = client.request
    else:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
        client = httpx.AsyncClient(limits=limits, verify=ssl.create_default_context(), trust_env=False)
        send = client.request
    began = time.process_time()
    for _ in range(count):
        response = await send("POST", base + "/save", json=body, headers={"X-CSRFToken": "t"})
        assert response.status_code == 200
    spent = time.process_time() - began
    if kind == "httpx":
        await client.aclose()
    return spent * 1000 / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    ports = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    try:
        for kind in ("wire", "httpx"):
            ms = asyncio.run(cost(kind, base, args.requests))
            print(f"{kind:<6} {ms:.2f} ms of CPU per request ({args.requests} requests)")
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
