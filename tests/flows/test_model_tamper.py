"""A tampered topic model in the warehouse (issue 17, finding 4): with CIVIC_IDEAS_REFIT_HOURS set, the stored
model is checked against its HMAC (keyed by the salt) before it is unpickled; a bad one is discarded with a warning
and the ideas are clustered again, so a changed warehouse file cannot run code in the analysis."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import pickle
from pathlib import Path

import duckdb
import pytest
from test_placement_flow import sample_world

from models.placement import ModelIntegrityError, TopicModel

SALT = "tamper-test-salt-0123456789abcdef"


class _WritesMarker:
    """Unpickling this calls open(marker, "w"): the file appears if, and only if, the blob was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _q(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _unsigned(evil: bytes, good: bytes) -> bytes:
    return evil  # the old format: a bare pickle


def _signed_with_another_salt(evil: bytes, good: bytes) -> bytes:
    header = good[: good.index(b"\n") + 1]
    key = hmac.new(b"the attacker's guess", b"civic-ideas: topic model signing key", hashlib.sha256).digest()
    return header + hmac.new(key, evil, hashlib.sha256).digest() + evil


def _good_tag_evil_payload(evil: bytes, good: bytes) -> bytes:
    start = good.index(b"\n") + 1 + hashlib.sha256().digest_size
    return good[:start] + evil


@pytest.mark.parametrize("tamper", [_unsigned, _signed_with_another_salt, _good_tag_evil_payload])
def test_a_tampered_model_is_not_unpickled_and_the_topics_are_refitted(
    tamper, tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CIVIC_IDEAS_REFIT_HOURS", "24")
    monkeypatch.setenv("CIVIC_IDEAS_SALT", SALT)
    wh, comments, run = sample_world(tmp_path, sample_dir)
    run(comments[: len(comments) - 6], "r1")  # a full fit: the model is stored, signed
    (good, fitted_at), = _q(wh, "select model, fitted_at from core_topic_models")
    TopicModel.from_bytes(good, SALT.encode())  # the untouched blob verifies
    marker = tmp_path / "code-ran"
    evil = pickle.dumps(_WritesMarker(marker), protocol=5)
    con = duckdb.connect(str(wh))
    con.execute("update core_topic_models set model = ?", [tamper(evil, good)])
    con.close()

    with caplog.at_level(logging.WARNING, logger="flows.pipeline"):
        run(comments, "r2")  # six new comments: the stored model would place them

    assert not marker.exists(), "the tampered model was unpickled"
    assert any("clustered again" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    params = json.loads(_q(wh, "select params from core_topic_runs order by created_at desc limit 1")[0][0])
    assert params.get("mode") != "placement"  # refitted, not placed
    assert _q(wh, "select count(*) from topics where consultation = 'udviklingsstrategi'")[0][0] > 1
    (stored, refitted_at), = _q(wh, "select model, fitted_at from core_topic_models")
    assert refitted_at > fitted_at
    assert isinstance(TopicModel.from_bytes(stored, SALT.encode()), TopicModel)  # replaced by a signed refit


def test_an_untouched_model_is_still_used_for_placement(tmp_path: Path, sample_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVIC_IDEAS_REFIT_HOURS", "24")
    monkeypatch.setenv("CIVIC_IDEAS_SALT", SALT)
    wh, comments, run = sample_world(tmp_path, sample_dir)
    run(comments[: len(comments) - 6], "r1")
    run(comments, "r2")
    params = json.loads(_q(wh, "select params from core_topic_runs order by created_at desc limit 1")[0][0])
    assert params["mode"] == "placement"


def test_the_analysis_with_refit_hours_needs_the_salt(tmp_path: Path, sample_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.settings import ConfigError

    monkeypatch.setenv("CIVIC_IDEAS_REFIT_HOURS", "24")
    monkeypatch.delenv("CIVIC_IDEAS_SALT", raising=False)
    monkeypatch.setenv("CIVIC_IDEAS_SALT_FILE", str(tmp_path / "no-salt-file"))
    _, comments, run = sample_world(tmp_path, sample_dir)
    with pytest.raises(ConfigError, match="no pseudonym salt"):
        run(comments, "r1")


@pytest.mark.parametrize("blob", [b"", b"civic-ideas topic model v3\n", b"\x80\x05N."])
def test_a_blob_without_a_tag_is_refused_before_unpickling(blob: bytes) -> None:
    with pytest.raises(ModelIntegrityError):
        TopicModel.from_bytes(blob, SALT.encode())
