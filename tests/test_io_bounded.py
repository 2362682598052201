"""Tests for kl_core.io.bounded: reading in worker processes with memory and time caps."""

from __future__ import annotations

import os
import signal

import pytest

from kl_core.errors import DataError
from kl_core.io import read_table, read_table_bounded
from kl_core.io import bounded

SMALL_CAP = 64 * 2**20
# 5 million rows of a seven-digit number: 40 MB of text, several times that as a table.
HUNGRY_CSV = b"x\n" + b"1234567\n" * 5_000_000


def test_a_normal_read_gives_what_read_table_gives() -> None:
    data = b"teeth;weight\n12;3,5\n14;4,25\n"
    assert read_table_bounded(data, "dogs.csv").equals(read_table(data, "dogs.csv"))


def test_options_reach_read_table() -> None:
    with pytest.raises(DataError, match=r"The file has 3 rows; the limit is 2"):
        read_table_bounded(b"x\n1\n2\n3\n", "x.csv", max_rows=2)


def test_a_data_error_passes_through_with_its_message() -> None:
    with pytest.raises(DataError, match=r"is a PNG image"):
        read_table_bounded(b"\x89PNG\r\n\x1a\n" + bytes(64), "picture.csv")


def test_a_read_over_the_memory_cap_is_a_plain_data_error_and_the_pool_carries_on() -> None:
    with pytest.raises(DataError, match=r"This file expands to more than 64\.0 MB in memory when read \('hungry\.csv' is 38\.1 MB"):
        read_table_bounded(HUNGRY_CSV, "hungry.csv", memory_limit=SMALL_CAP)
    assert read_table_bounded(b"x\n1\n2\n", "small.csv", memory_limit=SMALL_CAP)["x"].tolist() == [1, 2]


def test_the_same_read_passes_under_the_default_cap() -> None:
    assert len(read_table_bounded(HUNGRY_CSV, "hungry.csv")) == 5_000_000


def test_a_read_over_the_time_cap_is_stopped_and_the_worker_replaced() -> None:
    # A zero-second cap: no worker can parse 40 MB before the reply is first looked for.
    before = set(bounded._pool(bounded.DEFAULT_MEMORY_LIMIT).workers())
    with pytest.raises(DataError, match=r"Reading 'slow\.csv' took longer than 0 seconds, so it was stopped"):
        read_table_bounded(HUNGRY_CSV, "slow.csv", time_limit=0)
    after = set(bounded._pool(bounded.DEFAULT_MEMORY_LIMIT).workers())
    assert len(after) == bounded.DEFAULT_WORKERS and after != before
    assert read_table_bounded(b"x\n1\n", "next.csv")["x"].tolist() == [1]


def test_an_idle_worker_killed_from_outside_is_replaced_without_failing_the_read() -> None:
    pool = bounded._pool(bounded.DEFAULT_MEMORY_LIMIT)
    read_table_bounded(b"x\n1\n", "warm.csv")
    for pid in pool.workers():
        os.kill(pid, signal.SIGKILL)
    assert read_table_bounded(b"x\n5\n6\n", "after.csv")["x"].tolist() == [5, 6]


def test_workers_cap_their_address_space() -> None:
    read_table_bounded(b"x\n1\n", "warm.csv", memory_limit=SMALL_CAP)
    for pid in bounded._pool(SMALL_CAP).workers():
        limits = open(f"/proc/{pid}/limits").read()
        line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
        soft = int(line.split()[3])
        assert soft < 4 * 2**30  # baseline (a few hundred MB of imports) + 64 MB, never unlimited


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bounded.MEMORY_LIMIT_ENV, "1.5G")
    monkeypatch.setenv(bounded.TIME_LIMIT_ENV, "12")
    assert bounded.memory_limit_from_env() == int(1.5 * 2**30)
    assert bounded.time_limit_from_env() == 12.0
    monkeypatch.setenv(bounded.MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(ValueError, match="KL_READ_MEMORY_LIMIT"):
        bounded.memory_limit_from_env()


def test_a_worker_that_dies_during_a_read_is_a_plain_data_error_and_the_pool_carries_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-read (the kernel's OOM killer, a crash in C code): one retry on a fresh
    worker, then a DataError; the pool replaces both and the next read works."""
    pool = bounded._pool(bounded.DEFAULT_MEMORY_LIMIT)
    read_table_bounded(b"x\n1\n", "warm.csv")
    killed: list[int] = []
    checked_out: list[bounded._Worker] = []
    delivered, checkout = bounded.send, pool._checkout

    def remembering_checkout() -> bounded._Worker:
        checked_out.append(checkout())
        return checked_out[-1]

    def send_then_die(pipe, message, block=None) -> None:
        worker = next(worker for worker in checked_out if worker.process.stdin is pipe)
        os.kill(worker.process.pid, signal.SIGSTOP)  # stopped first, so it cannot answer before it dies (a loaded machine)
        delivered(pipe, message, block)
        os.kill(worker.process.pid, signal.SIGKILL)
        killed.append(worker.process.pid)

    monkeypatch.setattr(bounded, "send", send_then_die)
    monkeypatch.setattr(pool, "_checkout", remembering_checkout)
    with pytest.raises(DataError, match=r"This file expands to more than 2\.0 GB in memory when read \('dies\.csv' is"):
        read_table_bounded(b"x\n1\n2\n", "dies.csv")
    assert len(killed) == 2  # the read was tried once more on a fresh worker
    monkeypatch.undo()
    assert not set(killed) & set(pool.workers())
    assert len(pool.workers()) == bounded.DEFAULT_WORKERS
    assert read_table_bounded(b"x\n7\n", "next.csv")["x"].tolist() == [7]
