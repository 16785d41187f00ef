"""cluster-file's second core (issue 20): `transforms.ideas.in_processes` forks a second process for half of a
large input's texts (idea detection, the texts outside the fit sample). The results are the same as in one process,
in the same order; a child's error reaches the caller; no child is left behind on an error or Ctrl-C."""

from __future__ import annotations

import filecmp
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import transforms.ideas as placement
from flows.clusterfile import cluster_file, detect_text_kinds
from models.cluster import TopicClusterer
from transforms.ideas import detect_kinds


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _pid_of_child(path: Path) -> int:
    for _ in range(200):
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the child never started")


def test_chunks_in_order_and_the_first_in_another_process() -> None:
    items = list(range(1001))

    def work(chunk: list[int]) -> tuple[int, list[int]]:
        return os.getpid(), [i * i for i in chunk]

    parts = placement.in_processes(work, items, min_items=10, n=2)
    assert [x for _, squares in parts for x in squares] == [i * i for i in items]
    assert parts[1][0] == os.getpid() != parts[0][0]  # the last chunk here, the first in a child
    assert len(parts[0][1]) in (500, 501)


def test_small_input_or_one_process_stays_here() -> None:
    calls: list[int] = []

    def work(chunk: list[int]) -> int:
        calls.append(os.getpid())
        return sum(chunk)

    assert placement.in_processes(work, list(range(50)), min_items=100, n=2) == [sum(range(50))]
    assert placement.in_processes(work, list(range(500)), min_items=10, n=1) == [sum(range(500))]
    assert calls == [os.getpid(), os.getpid()]


def test_an_error_in_the_child_is_raised_here() -> None:
    def work(chunk: list[int]) -> int:
        if 0 in chunk:  # the first chunk: the child's
            raise ValueError("bad chunk starting at 0")
        return len(chunk)

    with pytest.raises(ValueError, match="bad chunk starting at 0"):
        placement.in_processes(work, list(range(100)), min_items=10, n=2)


def test_the_child_is_killed_and_reaped_when_this_process_fails(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"

    def work(chunk: list[int]) -> int:
        if 0 in chunk:  # the child: says who it is, then would work for a minute
            pid_file.write_text(str(os.getpid()))
            time.sleep(60)
            return 0
        _pid_of_child(pid_file)
        raise KeyboardInterrupt  # as Ctrl-C in this process, while the child still works

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        placement.in_processes(work, list(range(100)), min_items=10, n=2)
    assert time.monotonic() - start < 30
    assert _gone(int(pid_file.read_text()))  # killed and reaped: no zombie left either


def test_a_child_that_dies_is_neither_a_hang_nor_a_lost_share(caplog: pytest.LogCaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A child killed before it sends (the OOM killer) leaves its share to this process: same result, one warning."""
    import logging

    # as after an earlier in-process CLI test: the CLI's basicConfig leaves the root logger at ERROR
    monkeypatch.setattr(logging.getLogger(), "level", logging.ERROR)
    caplog.set_level(logging.WARNING, logger=placement.__name__)
    parent = os.getpid()

    def work(chunk: list[int]) -> int:
        if os.getpid() != parent:
            os._exit(3)  # dies without a word (as when killed)
        return sum(chunk)

    assert placement.in_processes(work, list(range(100)), min_items=10, n=2) == [sum(range(50)), sum(range(50, 100))]
    assert "ended without its result" in caplog.text


def test_detect_text_kinds_in_two_processes_is_detect_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    base = ["Der burde være flere cykelstier ved skolen", "Tak for et godt møde!", "Hvornår åbner svømmehallen?",
            "Enig!!", "", "@Camilla Nielsen se her", "Typisk kommunen, spild af penge",
            "Lav en hundeskov i parken", "Bussen kørte forbi i morges uden at stoppe", "LYS PÅ STIERNE"]
    texts = [f"{t} {i % 7}" if i % 3 else t for i, t in enumerate(base * 40)]  # repeats, and variants
    monkeypatch.setattr(placement, "processes", lambda: 2)
    monkeypatch.setattr(placement, "PARALLEL_FROM", 10)
    expected = detect_kinds(pd.DataFrame({"message": texts, "is_page_reply": False, "is_reply": False,
                                          "tag_count": 0}))["kind"].tolist()
    assert detect_text_kinds(texts) == expected
    assert {"idea", "thanks", "question", "complaint"} <= set(expected)


def test_texts_outside_the_fit_sample_placed_in_two_processes_as_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import synth

    texts = synth.texts(800, 3)[0]
    one = TopicClusterer(k=6, max_fit_samples=200, random_state=0)
    monkeypatch.setattr(placement, "processes", lambda: 1)
    one.fit(texts)
    monkeypatch.setattr(placement, "processes", lambda: 2)
    monkeypatch.setattr(placement, "PARALLEL_FROM", 100)
    calls: list[int] = []
    real = placement.in_processes

    def counted(fn, items, **kw):
        parts = real(fn, items, **kw)
        calls.append(len(parts))
        return parts

    monkeypatch.setattr(placement, "in_processes", counted)
    two = TopicClusterer(k=6, max_fit_samples=200, random_state=0).fit(texts)
    assert calls == [2]  # the 600 texts outside the fit sample went in two halves
    assert np.array_equal(one.labels_, two.labels_)
    assert np.array_equal(one.similarity_, two.similarity_)
    assert np.array_equal(one.cluster_centers_, two.cluster_centers_)


def test_cluster_file_writes_the_same_bytes_in_two_processes(sample_dir: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    source = sample_dir / "borgermoede-2014-05-12.csv"
    monkeypatch.setattr(placement, "processes", lambda: 1)
    cluster_file(source, tmp_path / "one.csv", text_column="note", id_column="nr", backend="tfidf")
    monkeypatch.setattr(placement, "processes", lambda: 2)
    monkeypatch.setattr(placement, "PARALLEL_FROM", 2)  # the sample's 21 rows judged in two processes
    cluster_file(source, tmp_path / "two.csv", text_column="note", id_column="nr", backend="tfidf")
    for name in ("{}.csv", "{}_topics.csv"):
        assert filecmp.cmp(tmp_path / name.format("one"), tmp_path / name.format("two"), shallow=False)
    assert (tmp_path / "two.csv").read_text(encoding="utf-8").count("\n") == 22  # header + 21 rows


def test_cluster_file_of_a_csv_does_not_import_openpyxl(sample_dir: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom flows.clusterfile import cluster_file\n"
            f"cluster_file({str(sample_dir / 'borgermoede-2014-05-12.csv')!r}, {str(tmp_path / 'out.csv')!r}, "
            "text_column='note', id_column='nr', backend='tfidf')\n"
            "print(sorted(m for m in ('openpyxl', 'flows.clusterfile') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "['flows.clusterfile']"  # an .xlsx input still loads it: see test_files_import
    assert (tmp_path / "out.csv").exists()


def test_the_child_ends_with_its_parent_even_when_the_parent_is_killed(tmp_path: Path) -> None:
    import subprocess
    import sys

    pid_file = tmp_path / "child.pid"
    code = ("import os, time\nimport transforms.ideas as ti\n"
            "def work(chunk):\n"
            f"    if 0 in chunk:\n        open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
            "    time.sleep(60)\n    return 0\n"
            "ti.in_processes(work, list(range(100)), min_items=10, n=2)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2])
    try:
        child = _pid_of_child(pid_file)
        parent.kill()  # SIGKILL: no finally, no atexit in the parent
        parent.wait(timeout=30)
        for _ in range(100):
            if _gone(child):
                break
            time.sleep(0.1)
        assert _gone(child)
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_busy_machine_gets_no_second_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.9, 0.5, 0.2))
    assert placement.processes() == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 2.5, 2.0))  # the other core is taken
    assert placement.processes() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert placement.processes() == 1


def test_a_semantic_backend_encodes_every_text_in_this_process_so_the_flow_stores_each_vector(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review finding: texts outside the fit sample encoded in a forked child never reached the flow's vector memory
    (never stored, so encoded again at the next run). With a sentence encoder they are encoded here."""
    from benchmarks import synth
    from models.embeddings import remembered_vectors, vector_model_id

    texts = list(dict.fromkeys(synth.texts(400, 3)[0]))
    monkeypatch.setattr(placement, "processes", lambda: 2)
    monkeypatch.setattr(placement, "PARALLEL_FROM", 20)
    with remembered_vectors(vector_model_id("multilingual"), {}) as memory:
        TopicClusterer(k=4, max_fit_samples=60, random_state=0, backend="multilingual").fit(texts)
    assert len(memory.new) == len(texts) == memory.n_encoded
