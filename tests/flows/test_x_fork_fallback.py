"""`transforms.ideas.in_processes` when the kernel refuses the second process (fork: ENOMEM on a machine short of
memory, EAGAIN at the process limit): the work is done in this process, with the same result, instead of failing a
cluster-file that one process can finish."""

from __future__ import annotations

import errno
import os

import pytest

import transforms.ideas as ideas
from flows.clusterfile import detect_text_kinds


def _refuse(code: int):
    def fork() -> int:
        raise OSError(code, os.strerror(code))

    return fork


@pytest.mark.parametrize("code", [errno.ENOMEM, errno.EAGAIN])
def test_a_refused_fork_is_done_here_with_the_same_result(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    items = list(range(1001))
    expected = ideas.in_processes(lambda chunk: [i * 3 for i in chunk], items, min_items=10, n=2)
    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(ideas.os, "fork", _refuse(code))
    pids: list[int] = []

    def work(chunk: list[int]) -> list[int]:
        pids.append(os.getpid())
        return [i * 3 for i in chunk]

    parts = ideas.in_processes(work, items, min_items=10, n=2)
    assert [x for part in parts for x in part] == [x for part in expected for x in part] == [i * 3 for i in items]
    assert pids == [os.getpid(), os.getpid()]  # both chunks here
    assert set(os.listdir("/proc/self/fd")) == before  # the pipe of the refused child is closed


def test_cluster_file_kinds_without_a_second_process(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"Vi ønsker en ny legeplads ved skole nummer {i}" if i % 3 else "Tak!" for i in range(60)]
    expected = detect_text_kinds(texts)
    monkeypatch.setattr(ideas, "PARALLEL_FROM", 10)
    monkeypatch.setattr(ideas, "processes", lambda: 2)
    monkeypatch.setattr(ideas.os, "fork", _refuse(errno.ENOMEM))
    assert detect_text_kinds(texts) == expected
