"""Framing between supervisor, zygote and child: a JSON header plus raw byte blobs.

Frame = 4-byte big-endian header length, the header (JSON object with "blobs": [sizes]), then
the blobs. Data only, never pickle (issue #3): the app must not run anything the child sends.
A run's reply is a `RunReply`: its JSON is the header, a result table's Arrow bytes the blob.
What the run made besides (issue 14: saved tables as Arrow, written files) follows in a second
frame, after an 8-byte length of the first, so the zygote keeps the first for `results` without
reading any JSON and without holding the files.
"""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from engine.results import Payload
from engine.types import ErrorInfo

MAX_HEADER_BYTES: Final = 64 * 1024 * 1024  # figures travel in the header JSON


class ProtocolError(Exception):
    """The other side sent something that is not a frame, or closed the channel."""


class FrameTooLarge(ProtocolError):
    """A frame exceeded the caller's byte budget."""


class DeadlineExceeded(ProtocolError):
    """No complete frame arrived before the deadline."""


def encode_frame(header: dict[str, Any], blobs: Sequence[bytes] = ()) -> list[bytes | memoryview]:
    head = json.dumps({**header, "blobs": [len(b) for b in blobs]}).encode()
    return [struct.pack(">I", len(head)), head, *(memoryview(b) for b in blobs)]


def write_frame(fd: int, header: dict[str, Any], blobs: Sequence[bytes] = ()) -> None:
    for part in encode_frame(header, blobs):
        view = memoryview(part)
        while view:
            n = os.write(fd, view)
            view = view[n:]


def read_exact(fd: int, size: int, deadline: float | None = None) -> bytes:
    """Read `size` bytes; raise ProtocolError on EOF, DeadlineExceeded after `deadline`."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise DeadlineExceeded("no data before the deadline")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ProtocolError("channel closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(
    fd: int, *, deadline: float | None = None, max_bytes: int = 1 << 40
) -> tuple[dict[str, Any], list[bytes]]:
    """One frame; FrameTooLarge when header plus blobs exceed `max_bytes`."""
    (size,) = struct.unpack(">I", read_exact(fd, 4, deadline))
    if size > MAX_HEADER_BYTES or size > max_bytes:
        raise FrameTooLarge(f"header of {size} bytes")
    try:
        header = json.loads(read_exact(fd, size, deadline))
    except ValueError as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise ProtocolError("malformed frame header")
    if size + sum(sizes) > max_bytes:
        raise FrameTooLarge(f"frame of {size + sum(sizes)} bytes")
    return header, [read_exact(fd, n, deadline) for n in sizes]


def read_all(fd: int, max_bytes: int) -> tuple[bytes, bool]:
    """Everything until EOF, at most `max_bytes`; (data, overflowed)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        total += len(chunk)
        if total > max_bytes:
            return b"", True
        chunks.append(chunk)


def decode_frame(data: bytes, max_bytes: int = 1 << 40) -> tuple[dict[str, Any], list[bytes]]:
    """A frame held in memory (the child's whole reply, as relayed by the zygote)."""
    if len(data) < 4:
        raise ProtocolError("truncated frame")
    (size,) = struct.unpack(">I", data[:4])
    if size > MAX_HEADER_BYTES or 4 + size > len(data):
        raise ProtocolError("truncated or oversized header")
    try:
        header = json.loads(data[4 : 4 + size])
    except ValueError as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(n, int) and n >= 0 for n in sizes):
        raise ProtocolError("malformed frame header")
    if 4 + size + sum(sizes) != len(data) or len(data) > max_bytes:
        raise ProtocolError("frame length does not match its header")
    blobs, pos = [], 4 + size
    for n in sizes:
        blobs.append(data[pos : pos + n])
        pos += n
    return header, blobs


def split_reply(data: bytes) -> tuple[bytes, bytes]:
    """(the reply's first frame, the rest): what `RunReply.send` wrote, split by its length."""
    if len(data) < 8:
        raise ProtocolError("truncated reply")
    (size,) = struct.unpack(">Q", data[:8])
    if 8 + size > len(data):
        raise ProtocolError("truncated reply")
    return data[8 : 8 + size], data[8 + size :]


def kill_group(pid: int) -> None:
    """SIGKILL a process's group (a run's child and anything it started), then the process."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@dataclass(frozen=True)
class RunReply:
    """What a run's child sends back: the payload, or the error; what it printed; the sandbox's
    notes (e.g. "pd.read_csv('sales.csv') returned the loaded table")."""

    payload: Payload | None = None
    error: ErrorInfo | None = None
    stdout: str = ""
    notes: tuple[str, ...] = ()
    tables: tuple[tuple[str, bool, bytes], ...] = ()  # save_table(): name, replace, Arrow
    files: tuple[tuple[str, bytes], ...] = ()  # files written into the run's folder

    def to_json(self) -> dict[str, Any]:
        """The frame's header: everything but the table's Arrow bytes."""
        return {
            "ok": self.error is None,
            "payload": self.payload.to_json() if self.payload is not None else None,
            "error": self.error.to_json() if self.error is not None else None,
            "stdout": self.stdout,
            "notes": list(self.notes),
        }

    def write(self, fd: int) -> None:
        """Send it as one frame, the table's Arrow bytes as its blob."""
        arrow = self.payload.arrow if self.payload is not None else b""
        write_frame(fd, self.to_json(), [arrow] if arrow else [])

    def send(self, fd: int) -> None:
        """The whole reply: the length of the first frame, the frame (`write`), then the
        tables and files as a second frame."""
        first = encode_frame(
            self.to_json(), [self.payload.arrow] if self.payload and self.payload.arrow else []
        )
        header = {
            "tables": [{"name": name, "replace": swap} for name, swap, _ in self.tables],
            "files": [{"name": name} for name, _ in self.files],
        }
        blobs = [arrow for _, _, arrow in self.tables] + [data for _, data in self.files]
        size = sum(len(part) for part in first)
        for part in [struct.pack(">Q", size), *first, *encode_frame(header, blobs)]:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view) :]

    @classmethod
    def from_reply(cls, data: bytes) -> RunReply:
        """A reply as `send` wrote it, from an untrusted child; ProtocolError when it is not."""
        first, rest = split_reply(data)
        reply = cls.from_frame(first)
        if not rest:
            return reply
        header, blobs = decode_frame(rest)
        tables, files = header.get("tables"), header.get("files")
        if not isinstance(tables, list) or not isinstance(files, list):
            raise ProtocolError("malformed outputs frame")
        if len(blobs) != len(tables) + len(files):
            raise ProtocolError("the outputs frame's blobs do not match its header")
        try:
            made = tuple(
                (str(t["name"]), t.get("replace") is True, blob)
                for t, blob in zip(tables, blobs, strict=False)
            )
            written = tuple(
                (str(f["name"]), blob) for f, blob in zip(files, blobs[len(tables) :], strict=True)
            )
        except (TypeError, KeyError, AttributeError) as exc:
            raise ProtocolError(f"malformed outputs frame: {exc}") from None
        return replace(reply, tables=made, files=written)

    @classmethod
    def from_frame(cls, data: bytes) -> RunReply:
        """The reply in an untrusted frame; ProtocolError when it is not one."""
        header, blobs = decode_frame(data)
        stdout = str(header.get("stdout", ""))
        notes = header.get("notes")
        notes = tuple(str(n) for n in notes) if isinstance(notes, list) else ()
        if header.get("ok") is not True:
            error = header.get("error")
            error = error if isinstance(error, dict) else {}
            info = ErrorInfo(
                kind=str(error.get("kind", "runtime")),
                message=str(error.get("message", "The code failed.")),
                detail=str(error.get("detail", "")),
            )
            return cls(error=info, stdout=stdout, notes=notes)
        try:
            payload = Payload.from_json(header.get("payload"), blobs[0] if blobs else b"")
        except ValueError as exc:
            raise ProtocolError(str(exc)) from None
        return cls(payload=payload, stdout=stdout, notes=notes)
