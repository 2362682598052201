"""Reading untrusted bytes in a worker process with a memory cap and a time cap.

A few bytes can expand to gigabytes (a zip bomb in a workbook, a Parquet footer
promising 300 million rows) or take hours (a sheet padded to 16,384 columns).
The cheap checks in the readers refuse the known shapes of that; this module is
the backstop for the unknown ones: :func:`read_table_bounded` runs
:func:`kl_core.io.read_table` in a small pool of worker processes, each limited
with ``resource.setrlimit(RLIMIT_AS)``. A worker that runs out of memory, dies
or overruns the time cap becomes a :class:`~kl_core.errors.DataError` with a
plain message; the worker is replaced and the caller (the server, the other
sessions) carries on.

The pool is started on first use and reused, so a normal read costs no process
start-up; a worker that had to be stopped is replaced at once, so the next read
finds it ready. Workers are ``python -m kl_core.io.worker`` processes.

Limits come from the arguments, else from the environment, else the defaults:

* ``KL_READ_MEMORY_LIMIT``: bytes a read may add to a worker (``2G``, ``512M``
  or a number of bytes; default 2 GiB);
* ``KL_READ_TIME_LIMIT``: seconds a read may take (default 30);
* ``KL_READ_WORKERS``: processes in the pool (default 2).
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from kl_core.errors import DataError
from kl_core.io.frame import _human_size
from kl_core.io.worker import START_SECONDS, receive, send

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIME_LIMIT",
    "DEFAULT_WORKERS",
    "MEMORY_LIMIT_ENV",
    "TIME_LIMIT_ENV",
    "WORKERS_ENV",
    "memory_limit_from_env",
    "read_table_bounded",
    "shutdown_pools",
    "time_limit_from_env",
]

DEFAULT_MEMORY_LIMIT = 2 * 2**30
DEFAULT_TIME_LIMIT = 30.0
DEFAULT_WORKERS = 2
MEMORY_LIMIT_ENV = "KL_READ_MEMORY_LIMIT"
TIME_LIMIT_ENV = "KL_READ_TIME_LIMIT"
WORKERS_ENV = "KL_READ_WORKERS"
_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30}
_STOP_GRACE_SECONDS = 5.0


# ---------------------------------------------------------------------- limits
def memory_limit_from_env() -> int:
    """``KL_READ_MEMORY_LIMIT`` in bytes, or the default (2 GiB).

    Examples
    --------
    >>> os.environ[MEMORY_LIMIT_ENV] = "512M"
    >>> memory_limit_from_env()
    536870912
    >>> del os.environ[MEMORY_LIMIT_ENV]
    >>> memory_limit_from_env() == DEFAULT_MEMORY_LIMIT
    True
    """
    text = os.environ.get(MEMORY_LIMIT_ENV, "").strip().upper().removesuffix("B").removesuffix("I")
    if not text:
        return DEFAULT_MEMORY_LIMIT
    scale = _UNITS.get(text[-1], 1)
    number = text[:-1] if text[-1] in _UNITS else text
    try:
        return int(float(number) * scale)
    except ValueError:
        raise ValueError(f"{MEMORY_LIMIT_ENV}={os.environ[MEMORY_LIMIT_ENV]!r}: give bytes, or a number ending in K, M or G") from None


def time_limit_from_env() -> float:
    """``KL_READ_TIME_LIMIT`` in seconds, or the default (30).

    Examples
    --------
    >>> time_limit_from_env() == DEFAULT_TIME_LIMIT
    True
    """
    text = os.environ.get(TIME_LIMIT_ENV, "").strip()
    return float(text) if text else DEFAULT_TIME_LIMIT


def _workers_from_env() -> int:
    text = os.environ.get(WORKERS_ENV, "").strip()
    return max(1, int(text)) if text else DEFAULT_WORKERS


# ---------------------------------------------------------------------- the public call
def read_table_bounded(
    data: bytes,
    filename: str,
    *,
    memory_limit: int | None = None,
    time_limit: float | None = None,
    **options: Any,
) -> pd.DataFrame:
    """:func:`kl_core.io.read_table` in a worker process with memory and time caps.

    Parameters
    ----------
    data, filename
        As for :func:`~kl_core.io.read_table`.
    memory_limit
        Bytes the read may add to the worker's address space; default
        ``KL_READ_MEMORY_LIMIT`` or 2 GiB.
    time_limit
        Seconds the read may take; default ``KL_READ_TIME_LIMIT`` or 30.
    **options
        Passed on to :func:`~kl_core.io.read_table` (``max_rows``, ``sheet``...).

    Returns
    -------
    pandas.DataFrame
        What :func:`~kl_core.io.read_table` returns.

    Raises
    ------
    DataError
        What :func:`~kl_core.io.read_table` raises, and when the read needs
        more memory or time than allowed (the worker is then replaced).

    Examples
    --------
    >>> read_table_bounded(b"teeth\\n1\\n2\\n2\\n", "worms.csv")["teeth"].tolist()
    [1, 2, 2]
    >>> read_table_bounded(b"x\\n", "empty.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kl_core.errors.DataError: The file has a header row (x) but no rows of values. ...
    """
    memory = memory_limit_from_env() if memory_limit is None else int(memory_limit)
    seconds = time_limit_from_env() if time_limit is None else float(time_limit)
    reply = _pool(memory).run(data, filename, options, seconds)
    return _answer(reply, filename, len(data), memory, seconds)


def _answer(reply: tuple[str, Any], filename: str, size: int, memory: int, seconds: float) -> pd.DataFrame:
    kind, value = reply
    if kind == "table":
        return value
    if kind == "data_error":
        raise DataError(value)
    if kind == "failed":  # a bug in a reader, not the person's fault: keep it loud
        raise RuntimeError(f"reading {filename!r} failed in the worker: {value}")
    thing = "workbook" if PurePath(filename).suffix.lower() == ".xlsx" else "file"
    if kind == "overrun":
        raise DataError(
            f"Reading {filename!r} took longer than {seconds:g} seconds, so it was stopped. "
            f"Save the data as a plain CSV with only the columns you need, or upload a random sample."
        )
    raise DataError(
        f"This {thing} expands to more than {_human_size(memory)} in memory when read ({filename!r} is "
        f"{_human_size(size)} on disk), so reading it was stopped. Save only the table you need "
        "as CSV, or upload a random sample."
    )


# ---------------------------------------------------------------------- the pool
class _Worker:
    """One ``python -m kl_core.io.worker`` process and the pipes to it."""

    def __init__(self, memory_limit: int) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH", "")])),
            # pyarrow's allocator and glibc's per-thread arenas each reserve about a gigabyte of
            # address space they never touch; without them the cap measures what a read uses.
            "ARROW_DEFAULT_MEMORY_POOL": "system",
            "MALLOC_ARENA_MAX": "2",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kl_core.io.worker", str(memory_limit)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            bufsize=0, env=env, close_fds=True,
        )
        self.ready = False

    def read(self, data: bytes, filename: str, options: dict[str, Any], seconds: float) -> tuple[str, Any]:
        """Send one read; its reply, ("overrun", None) after ``seconds``, ("died", None) when the
        worker died while reading, or ("lost", None) when it was gone before the read reached it."""
        try:
            if not self.ready:
                self.ready = receive(self.process.stdout, START_SECONDS) == ("ready", None)
            if not self.ready or self.process.poll() is not None:
                return ("lost", None)
            send(self.process.stdin, (filename, options), data)
        except (EOFError, OSError, pickle.UnpicklingError):
            return ("lost", None)
        try:
            reply = receive(self.process.stdout, seconds)
        except (EOFError, OSError, pickle.UnpicklingError):  # killed by the kernel, or a crash in C code
            return ("died", None)
        return ("overrun", None) if reply is None else reply

    def stop(self) -> None:
        """End the process (it holds no state worth a graceful goodbye)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(_STOP_GRACE_SECONDS)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class _WorkerPool:
    """A fixed number of worker processes with one memory cap; a worker serves one read at a time."""

    def __init__(self, size: int, memory_limit: int) -> None:
        self.size = size
        self.memory_limit = memory_limit
        self._idle = [_Worker(memory_limit) for _ in range(size)]  # pre-started: reads pay no start-up
        self._running = size
        self._changed = threading.Condition()

    def run(self, data: bytes, filename: str, options: dict[str, Any], seconds: float) -> tuple[str, Any]:
        """One read on an idle worker; again on the next when the idle one had died unseen.

        A worker that dies during a read is retried once on a fresh one: it may have been
        killed from outside just before (its pipe still took the request).
        """
        deaths = 0
        for _ in range(self.size + 2):
            worker = self._checkout()
            reply: tuple[str, Any] = ("died", None)
            try:
                reply = worker.read(data, filename, options, seconds)
            finally:
                self._checkin(worker, healthy=reply[0] in ("table", "data_error", "failed"))
            deaths += reply[0] == "died"
            if reply[0] not in ("lost", "died") or deaths > 1:
                return reply
        return ("died", None)

    def _checkout(self) -> _Worker:
        with self._changed:
            while not self._idle and self._running >= self.size:
                self._changed.wait()
            if self._idle:
                return self._idle.pop()
            self._running += 1
        try:
            return _Worker(self.memory_limit)
        except BaseException:
            with self._changed:
                self._running -= 1
                self._changed.notify()
            raise

    def _checkin(self, worker: _Worker, healthy: bool) -> None:
        if healthy:
            with self._changed:
                self._idle.append(worker)
                self._changed.notify()
            return
        worker.stop()
        replacement = _Worker(self.memory_limit)  # starts now, so it is ready by the next read
        with self._changed:
            self._idle.append(replacement)
            self._changed.notify()

    def workers(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._changed:
            return [worker.process.pid for worker in self._idle]

    def close(self) -> None:
        with self._changed:
            idle, self._idle = self._idle, []
            self._running -= len(idle)
        for worker in idle:
            worker.stop()


_POOLS: dict[int, _WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(memory_limit: int) -> _WorkerPool:
    with _POOLS_LOCK:
        if memory_limit not in _POOLS:
            _POOLS[memory_limit] = _WorkerPool(_workers_from_env(), memory_limit)
        return _POOLS[memory_limit]


def shutdown_pools() -> None:
    """Stop every idle worker (they also stop with this process)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


atexit.register(shutdown_pools)
