"""A small load generator for the enrollment rush: HTTP/1.1 over asyncio streams, standard library only.

``concurrency`` connections each send requests one after another (keep-alive when the server allows it, a new
connection when it answers ``Connection: close``), so at most ``concurrency`` requests are in flight. Each
result records the latency from writing the request to reading the whole body, the status and the body.
Only loopback addresses are accepted: this is a benchmark of our own server, not a load tool for others.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    tag: object = None  # whatever the caller wants back with the result


@dataclass
class Result:
    request: Request
    status: int  # 0: the connection failed or the request timed out
    latency_s: float
    sent_at: float
    body: bytes = b""
    error: str = ""

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


def json_request(method: str, path: str, payload: dict, headers: dict[str, str], tag: object = None) -> Request:
    return Request(method, path, {"Content-Type": "application/json", **headers}, json.dumps(payload).encode(), tag)


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, request: Request) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Content-Length: {len(request.body)}"]
        head += [f"{name}: {value}" for name, value in request.headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before the answer")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body


async def _worker(host: str, port: int, queue: asyncio.Queue, results: list[Result], deadline: float,
                  timeout_s: float) -> None:
    connection = _Connection(host, port)
    try:
        while True:
            try:
                request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            if started > deadline:
                results.append(Result(request, 0, 0.0, started, error="not sent: time limit"))
                continue
            try:
                status, body = await asyncio.wait_for(connection.send(request), timeout_s)
                results.append(Result(request, status, time.perf_counter() - started, started, body))
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                connection.close()
                results.append(Result(request, 0, time.perf_counter() - started, started,
                                      error=f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


async def _run(host: str, port: int, requests: list[Request], concurrency: int, time_limit_s: float,
               timeout_s: float) -> list[Result]:
    queue: asyncio.Queue = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    results: list[Result] = []
    deadline = time.perf_counter() + time_limit_s
    await asyncio.gather(*(_worker(host, port, queue, results, deadline, timeout_s)
                           for _ in range(min(concurrency, len(requests)))))
    return results


def run(host: str, port: int, requests: list[Request], *, concurrency: int = 64, time_limit_s: float = 120.0,
        timeout_s: float = 30.0) -> tuple[list[Result], float]:
    """Send ``requests`` with at most ``concurrency`` in flight; returns the results and the wall time."""
    if host not in LOOPBACK:
        raise ValueError(f"the rush client only talks to this machine, not {host}")
    started = time.perf_counter()
    results = asyncio.run(_run(host, port, requests, concurrency, time_limit_s, timeout_s))
    return results, time.perf_counter() - started
