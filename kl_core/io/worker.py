"""The reading worker process behind :func:`kl_core.io.bounded.read_table_bounded`.

Run as ``python -m kl_core.io.worker MEMORY_LIMIT``: it caps its own address space
at what it holds after importing the readers plus ``MEMORY_LIMIT`` bytes
(``resource.setrlimit(RLIMIT_AS)``), says it is ready, then serves reads one at a
time over its stdin/stdout. Each message is a length-prefixed pickle; a read's
bytes follow their request as a raw length-prefixed block, so they are never
pickled. Replies are ``("table", frame)``, ``("data_error", message)``,
``("memory", size)`` (the worker then exits) or ``("failed", description)``.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import struct
import sys
from typing import Any, BinaryIO

__all__ = ["START_SECONDS", "receive", "send", "serve"]

START_SECONDS = 120.0  # importing pandas and pyarrow on a busy machine
_LENGTH = struct.Struct("!Q")


def send(pipe: BinaryIO, message: Any, block: bytes | None = None) -> None:
    """Write a pickled message, and optionally a raw block of bytes after it.

    Examples
    --------
    >>> import io
    >>> pipe = io.BytesIO()
    >>> send(pipe, ("x.csv", {}), b"x\\n1\\n")
    >>> _ = pipe.seek(0)
    >>> receive(pipe, None), _read_frame(pipe)
    (('x.csv', {}), b'x\\n1\\n')
    """
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_LENGTH.pack(len(body)) + body)
    if block is not None:
        pipe.write(_LENGTH.pack(len(block)))
        pipe.write(block)
    pipe.flush()


def receive(pipe: BinaryIO, seconds: float | None) -> Any:
    """The next pickled message, or None when none starts within ``seconds`` (None: wait).

    Raises EOFError when the other end has closed.
    """
    if seconds is not None:
        ready, _, _ = select.select([pipe], [], [], max(seconds, 0.0))
        if not ready:
            return None
    return pickle.loads(_read_frame(pipe))


def _read_frame(pipe: BinaryIO) -> bytes:
    (length,) = _LENGTH.unpack(_read_exactly(pipe, _LENGTH.size))
    return _read_exactly(pipe, length)


def _read_exactly(pipe: BinaryIO, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = pipe.read(size - len(chunks))
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks += chunk
    return bytes(chunks)


def serve(memory_limit: int, requests: BinaryIO, replies: BinaryIO) -> None:
    """Cap memory, say ready, then answer reads until the requests pipe closes."""
    from kl_core.errors import DataError
    from kl_core.io import read_table

    _cap_address_space(memory_limit)
    send(replies, ("ready", None))
    while True:
        try:
            filename, options = pickle.loads(_read_frame(requests))
        except EOFError:
            return
        size = 0
        try:
            data = _read_frame(requests)
            size = len(data)
            reply: tuple[str, Any] = ("table", read_table(data, filename, **options))
        except DataError as error:
            reply = ("data_error", str(error))
        except MemoryError:
            reply = ("memory", size)
        except Exception as error:  # noqa: BLE001 -- a reader's bug: the caller raises it
            reply = ("failed", f"{type(error).__name__}: {error}")
        data = b""
        try:
            send(replies, reply)
        except MemoryError:  # pickling a big table can run out too
            reply = ("memory", size)
            send(replies, reply)
        if reply[0] == "memory":
            return  # state after a MemoryError is suspect: the pool starts a fresh worker


def _cap_address_space(memory_limit: int) -> None:
    with open("/proc/self/statm") as handle:
        now = int(handle.read().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = now + memory_limit
    soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def main(argv: list[str]) -> None:
    # The protocol owns stdout; anything a library prints goes to /dev/null instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    requests = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    serve(int(argv[0]), requests, replies)


if __name__ == "__main__":
    main(sys.argv[1:])
