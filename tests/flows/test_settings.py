"""consultations.toml parsing and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.settings import ConfigError, load_consultations, load_themes

GOOD = """
[facebook]
page_id = "123456789012345"

[[consultations]]
slug = "motorvejsoverdaekning"
title = "Idéer til overdækningen af motorvejen"
post_ids = ["123456789012345_987654321098765"]
closes = 2014-06-15

[[consultations.themes]]
label = "Cykler og stier"
seeds = ["cykelsti", "sti"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "consultations.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_parses(tmp_path: Path) -> None:
    config = load_consultations(_write(tmp_path, GOOD))
    (c,) = config.consultations
    assert c.slug == "motorvejsoverdaekning" and c.language == "da"
    assert c.themes[0].seeds == ["cykelsti", "sti"]
    assert str(c.closes) == "2014-06-15"
    assert c.backend is None and c.embeddings_model_path is None  # the default: flows.settings.resolve_backend


def test_bundled_sample_config_parses(sample_dir: Path) -> None:
    config = load_consultations(sample_dir / "consultations.toml")
    assert {c.slug for c in config.consultations} == {"udviklingsstrategi", "motorvejsoverdaekning"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[facebook\npage_id=1", "not valid TOML"),
        ('[facebook]\npage_id = "abc"\n[[consultations]]\nslug="a"\ntitle="t"\npost_ids=["1_2"]', "page_id"),
        ('[facebook]\npage_id = "1"\n', "consultations"),
        ('[facebook]\npage_id = "1"\n[[consultations]]\nslug="a"\ntitle="t"\npost_ids=[]', "post_ids"),
        ('[facebook]\npage_id = "1"\n[[consultations]]\nslug="a"\ntitle="t"\npost_ids=["1"]\nlanguage="de"',
         "language"),
        ('[facebook]\npage_id = "1"\n[[consultations]]\nslug="a"\ntitle="t"\npost_ids=["1"]\ncolor="red"', "color"),
        ('[facebook]\npage_id = "1"\n[[consultations]]\nslug="a"\ntitle="t"\npost_ids=["1"]\nbackend="bert"',
         "backend"),
    ],
)
def test_bad_files_give_one_line_naming_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_consultations(_write(tmp_path, text))
    message = str(info.value)
    assert expected in message and "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found: pass --config"):
        load_consultations(tmp_path / "nope.toml")


def test_unknown_slug_lists_the_known_ones(tmp_path: Path) -> None:
    config = load_consultations(_write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="unknown consultation nope: choose one of motorvejsoverdaekning"):
        config.select(["nope"])


def test_closed_consultation_stops_being_polled_after_grace(tmp_path: Path) -> None:
    import datetime as dt

    (c,) = load_consultations(_write(tmp_path, GOOD)).consultations
    assert c.is_open(dt.date(2014, 6, 20), grace_days=14)
    assert not c.is_open(dt.date(2014, 7, 1), grace_days=14)


def test_themes_file(tmp_path: Path) -> None:
    path = tmp_path / "themes.toml"
    path.write_text('[[themes]]\nlabel = "Grønne områder"\nseeds = ["park", "træer"]\n', encoding="utf-8")
    assert load_themes(path)[0].label == "Grønne områder"
    path.write_text('[[themes]]\nlabel = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="seeds"):
        load_themes(path)


def test_the_demo_ignores_secret_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import settings

    calls: list[str] = []
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("CIVIC_IDEAS_SECRETS_FROM_ENV", "1")
    monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", "demo-token")
    monkeypatch.setattr("prefect.blocks.system.Secret.load", lambda name: calls.append(name))
    assert settings.access_token(settings.Settings()) == "demo-token"
    assert calls == []


def test_a_consultation_named_twice_runs_once(tmp_path: Path) -> None:
    config = load_consultations(_write(tmp_path, GOOD))
    assert [c.slug for c in config.select(["motorvejsoverdaekning", "motorvejsoverdaekning"])] == [
        "motorvejsoverdaekning"
    ]
