"""A real OpenAI-compatible HTTP server for tests: scripted replies, recorded requests.

Runs stdlib `http.server` in a thread on a free 127.0.0.1 port. The real `openai` SDK talks to it
over HTTP (no SDK mocking). Each POST to /v1/chat/completions takes the next scripted `Reply`;
streaming requests get SSE chunks, others one JSON body. Tests read `server.requests` to assert
what the client sent (e.g. that a repair carries the traceback).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: text (200), or an error status with a body and headers."""

    text: str = ""
    status: int = 200
    error_message: str = "scripted error"
    error_code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the response starts (timeouts)
    prompt_tokens: int = 11
    completion_tokens: int = 7
    finish_reason: str = "stop"
    stall_s: float = 0.0  # streaming: pause this long after the first half of the text
    # (token, log probability) pairs whose tokens join to `text`: sent when the request asks for
    # logprobs, one token per streamed chunk (as llama.cpp does)
    logprobs: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])


class FakeOpenAI:
    """Start with `with FakeOpenAI([Reply(...), ...]) as server:`; `server.base_url` ends in /v1."""

    def __init__(self, replies: list[Reply] | None = None) -> None:
        self.replies: list[Reply] = list(replies or [])
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def add(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if not self.replies:
                return Reply(status=500, error_message="fake server: no scripted reply left")
            return self.replies.pop(0)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) closes the socket: not a failure."""


def closed_port_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(
                    200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]}
                )
            else:
                self._json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            request = Request(
                self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(raw)
            )
            if not self.path.endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply = server.next_reply(request)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200:
                error = {"message": reply.error_message, "type": "fake", "code": reply.error_code}
                self._json(reply.status, {"error": error}, reply.headers)
            elif request.body.get("stream"):
                self._stream(reply, request.body)
            else:
                self._json(200, _completion(reply, request.body), reply.headers)

        def _json(
            self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("connection", "close")
            self.end_headers()
            model = body.get("model", "fake-model")
            pieces = [reply.text[i : i + 5] for i in range(0, len(reply.text), 5)]
            events = [_chunk(model, {"role": "assistant", "content": ""}, None)]
            if body.get("logprobs") and reply.logprobs:
                events += [
                    _chunk(model, {"content": t}, None, _logprobs(((t, lp),)))
                    for t, lp in reply.logprobs
                ]
            else:
                events += [_chunk(model, {"content": p}, None) for p in pieces]
            events.append(_chunk(model, {}, reply.finish_reason))
            if (body.get("stream_options") or {}).get("include_usage"):
                events.append({**_chunk(model, {}, None), "choices": [], "usage": _usage(reply)})
            for i, event in enumerate(events):
                if reply.stall_s and i == len(events) // 2:
                    time.sleep(reply.stall_s)
                self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


def _usage(reply: Reply) -> dict[str, int]:
    total = reply.prompt_tokens + reply.completion_tokens
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": total,
    }


def _chunk(
    model: str, delta: dict[str, Any], finish: str | None, logprobs: Any = None
) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": logprobs}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [choice],
    }


def _logprobs(tokens: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    content = [{"token": t, "logprob": lp, "bytes": None, "top_logprobs": []} for t, lp in tokens]
    return {"content": content}


def _completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
                "logprobs": _logprobs(reply.logprobs)
                if body.get("logprobs") and reply.logprobs
                else None,
            }
        ],
        "usage": _usage(reply),
    }
