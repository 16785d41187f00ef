"""Progress (issue 19 #2): long commands print stage lines on stderr as they go, the first one at once; a retry says
how long it waits; no line holds the access token; --quiet prints none."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sources.standin import GraphStandIn, load_dataset

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).parent / "civic-ideas")
TOKEN = "tok-progress-secret-4711"


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_"))}
    env.update(CIVIC_IDEAS_SALT_FILE=str(tmp / "salt"), **extra)
    return env


def _run_timed(tmp: Path, env: dict[str, str], *args: str) -> tuple[list[tuple[float, str]], float, str, int]:
    """Run the CLI and read its stderr as it comes: (seconds since start, line) for each line, the seconds until it
    ended, its stdout and its exit status."""
    command = [CLI, "--warehouse", str(tmp / "wh.duckdb"), "--export-dir", str(tmp / "exports"), *args]
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in proc.stderr:
            lines.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        out = proc.stdout.read()
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    ended = time.monotonic() - started
    reader.join(timeout=10)
    return lines, ended, out, proc.returncode


def test_demo_prints_stage_lines_as_it_goes(tmp_path: Path) -> None:
    lines, ended, out, status = _run_timed(tmp_path, _env(tmp_path), "demo")
    text = [line for _, line in lines]
    assert status == 0, "\n".join(text)
    first_at, first = lines[0]
    assert first.startswith("civic-ideas: ") and first_at < 3.0, lines[:3]  # before Prefect, pandas or the data
    exporting = [at for at, line in lines if "exporting motorvejsoverdaekning" in line]
    assert exporting and first_at < exporting[0] <= ended, "the first line came only with the last stage"
    for stage in ("importing borgermoede-2014-05-12.csv", "reading post 1/2", "read post 1/1",
                  "motorvejsoverdaekning: detecting ideas: 201 comments",
                  "detecting ideas: 21 items from channel borgermoede-2014-05-12",
                  "motorvejsoverdaekning: clustering", "exporting udviklingsstrategi"):
        assert any(stage in line for line in text), (stage, text)
    assert all(line.startswith("civic-ideas: ") and "error" not in line for line in text)
    assert not any(line.startswith("civic-ideas: ") for line in out.splitlines())  # progress is not on stdout


def _config(tmp: Path, sample_dir: Path) -> Path:
    config = tmp / "consultations.toml"
    config.write_text((sample_dir / "consultations.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return config


def test_ingest_says_how_long_a_retry_waits_and_never_shows_the_token(tmp_path: Path, sample_dir: Path) -> None:
    dataset = load_dataset(sample_dir / "facebook.json")
    with GraphStandIn(dataset, tokens={TOKEN: "page"}) as standin:
        standin.inject(3, "html502")  # after /me and the first post: its first page of comments
        env = _env(tmp_path, FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=TOKEN,
                   CIVIC_IDEAS_SALT="s" * 32, CIVIC_IDEAS_FETCH_THREADS="1")
        lines, _, out, status = _run_timed(tmp_path, env, "ingest", "--config", str(_config(tmp_path, sample_dir)))
        quiet = subprocess.run(
            [CLI, "--warehouse", str(tmp_path / "wh.duckdb"), "--quiet", "ingest", "--config",
             str(tmp_path / "consultations.toml")], capture_output=True, text=True, env=env, timeout=300, check=False)
    text = [line for _, line in lines]
    assert status == 0, "\n".join(text)
    assert text[0] == f"civic-ideas: ingest: 2 consultations from {tmp_path / 'consultations.toml'}", text
    assert text[1] == "civic-ideas: udviklingsstrategi: reading 2 posts from the Graph API", text
    waits = [line for line in text if "retry 1 of" in line]
    assert len(waits) == 1 and waits[0].startswith("civic-ideas: Graph API ") and waits[0].endswith(" s"), text
    assert any("read post 1/2 (169211373112345_10152287416912346): 2 pages, 164 comments" in line for line in text)
    assert TOKEN not in "\n".join(text) + out
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and TOKEN not in quiet.stdout


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_stage_command_says_what_it_starts_within_a_second_of_its_own_cpu(tmp_path: Path,
                                                                           sample_dir: Path) -> None:
    """The first line comes once the config is read, before the pipeline's imports: measured as the CPU the process
    has used when the line arrives (the process is stopped meanwhile), which a machine busy with other work does not
    inflate as it does wall time."""
    config = _config(tmp_path, sample_dir)
    with GraphStandIn(load_dataset(sample_dir / "facebook.json"), tokens={TOKEN: "page"}) as standin:
        env = _env(tmp_path, FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=TOKEN, CIVIC_IDEAS_SALT="s" * 32)
        proc = subprocess.Popen([CLI, "--warehouse", str(tmp_path / "wh.duckdb"), "ingest", "--config", str(config),
                                 "--consultation", "motorvejsoverdaekning"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            first = proc.stderr.readline().rstrip("\n")
            os.kill(proc.pid, signal.SIGSTOP)
            cpu_at_first = _cpu_seconds(proc.pid)
            os.kill(proc.pid, signal.SIGCONT)
            rest = proc.communicate(timeout=300)[1]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, rest
    assert first == f"civic-ideas: ingest: 1 consultation from {config}", (first, rest)
    assert rest.splitlines()[0] == "civic-ideas: motorvejsoverdaekning: reading 1 post from the Graph API", rest
    assert cpu_at_first < 1.0, f"the first line came after {cpu_at_first:.2f} CPU s"


def _ingest_env(tmp: Path, standin: GraphStandIn, **extra: str) -> dict[str, str]:
    # pages of 5 comments: the sample's posts of 164 and 201 comments take 33 and 41 pages
    return _env(tmp, FACEBOOK_GRAPH_URL=standin.url, FACEBOOK_ACCESS_TOKEN=TOKEN, CIVIC_IDEAS_SALT="s" * 32,
                CIVIC_IDEAS_PAGE_LIMIT="5", **extra)


def test_a_long_post_says_how_far_it_got_in_plain_lines(tmp_path: Path, sample_dir: Path) -> None:
    with GraphStandIn(load_dataset(sample_dir / "facebook.json"), tokens={TOKEN: "page"}) as standin:
        lines, _, _, status = _run_timed(tmp_path, _ingest_env(tmp_path, standin), "ingest", "--config",
                                         str(_config(tmp_path, sample_dir)))
    text = [line for _, line in lines]
    assert status == 0, text
    # every 20 pages of a post: how many pages and comments so far (201 comments: lines at 20 and 40 pages)
    assert "civic-ideas: post 1/1: 20 pages, 100 comments so far" in text, text
    assert "civic-ideas: post 1/1: 40 pages, 200 comments so far" in text, text
    assert any(line.startswith("civic-ideas: post 1/2: 20 pages, ") for line in text), text
    assert any("read post 1/1 (169211373112345_10152398154407346): 41 pages, 201 comments" in line for line in text)
    # not a terminal: plain lines only, no bar, no carriage return or terminal control
    assert not any("\r" in line or "\x1b" in line or "[#" in line or "[." in line for line in text), text


def _screen(raw: str) -> list[str]:
    """What a terminal shows after `raw`: each line as its last redraw left it (text after the last carriage
    return, with the erase-line sequence)."""
    shown = []
    for line in raw.replace("\r\n", "\n").split("\n"):
        shown.append(line.rsplit("\r", 1)[-1].replace("\x1b[K", ""))
    return shown


def test_a_terminal_gets_a_bar_redrawn_in_place_and_the_last_line_stays(tmp_path: Path, sample_dir: Path) -> None:
    import pty

    with GraphStandIn(load_dataset(sample_dir / "facebook.json"), tokens={TOKEN: "page"}) as standin:
        master, terminal = pty.openpty()
        command = [CLI, "--warehouse", str(tmp_path / "wh.duckdb"), "ingest", "--config",
                   str(_config(tmp_path, sample_dir))]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal, text=True,
                                env=_ingest_env(tmp_path, standin, TERM="xterm"))
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed, the process has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        out = proc.stdout.read()
        assert proc.wait(timeout=300) == 0
    raw = b"".join(chunks).decode("utf-8")
    assert "\r\x1b[Kcivic-ideas: [....................] 0/1 post 1/1: 20 pages, 100 comments so far" in raw, raw
    assert "[##########..........] 1/2 read post 1/2 " in raw, raw  # the bar of posts read, half way
    shown = [line for line in _screen(raw) if line]
    # the redrawn lines are gone from the screen; the last post's line of each consultation stays, whole
    assert not any("so far" in line or "reading post" in line for line in shown), shown
    assert shown[-2] == ("civic-ideas: [####################] 1/1 read post 1/1 (169211373112345_10152398154407346): "
                         "41 pages, 201 comments and replies"), shown
    assert shown[-1].startswith("civic-ideas: read Instagram media 1/1 "), shown  # the consultation's Instagram
    assert any(line.startswith("civic-ideas: [####################] 2/2 read post 2/2 ") for line in shown), shown
    assert raw.endswith("\r\n")  # the shell's prompt comes on a line of its own
    assert TOKEN not in raw + out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_error_after_a_redrawn_line_starts_a_line_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import cli

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    handler = cli._ProgressLines()
    record = logging.LogRecord("civic_ideas.progress", logging.INFO, __file__, 1, "post %d/%d: %d pages", (2, 3, 40),
                               None)
    record.transient, record.bar = True, (1, 3)
    handler.emit(record)
    assert terminal.getvalue() == "\r\x1b[Kcivic-ideas: [######..............] 1/3 post 2/3: 40 pages"
    with pytest.raises(SystemExit):
        cli._fail(cli.Context(Path("w.duckdb"), Path("e"), debug=False), ValueError("boom"))
    assert terminal.getvalue().endswith(" 40 pages\ncivic-ideas: error: unexpected error (ValueError): boom "
                                        "(run with --debug for details)\n")


def test_cluster_file_says_what_it_does_as_it_goes(tmp_path: Path) -> None:
    ideas = ["Flere cykelstier langs åen", "Bedre belysning på stien", "Byg en legeplads i parken",
             "Plant flere træer på torvet", "Lav en hundeskov ved skolen", "Flere bænke i parken"]
    src = tmp_path / "ideer.csv"
    src.write_text("nr;tekst\n" + "".join(f"{i};{ideas[i % len(ideas)]} {i}\n" for i in range(60)), encoding="utf-8")
    lines, ended, out, status = _run_timed(tmp_path, _env(tmp_path), "cluster-file", str(src), "--text-column",
                                           "tekst", "--backend", "tfidf", "--out", str(tmp_path / "ud.csv"))
    text = [line for _, line in lines]
    assert status == 0, text
    assert text[0] == "civic-ideas: ideer.csv: 60 rows read; detecting ideas", text
    clustering = [line for line in text if line.startswith("civic-ideas: clustering ")]
    assert len(clustering) == 1 and clustering[0].endswith(" ideas (tfidf backend)"), text
    assert text[-1] == f"civic-ideas: writing {tmp_path / 'ud.csv'} and {tmp_path / 'ud_topics.csv'}", text
    assert lines[0][0] < ended  # the first line comes before the end, not with it
    assert "60 rows" in out  # the summary stays on stdout
