"""docs/interfaces.md stays true: every dotted name it lists imports, every module of the five packages is on the
map, and its command list is the CLI's."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import click
import pytest

from flows.cli import main

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "interfaces.md").read_text(encoding="utf-8")
PACKAGES = ("flows", "sources", "transforms", "models", "warehouse")
NAMES = sorted(set(re.findall(rf"`((?:{'|'.join(PACKAGES)})(?:\.\w+)+)`", DOC)))


def resolve(dotted: str) -> tuple[str, object]:
    """The longest importable module of ``dotted`` and the object the rest of it names in that module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: object = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise  # the module exists but one of its own imports is missing
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                raise AssertionError(f"docs/interfaces.md names {dotted}, but {module_name} has no {attr!r}")
            obj = getattr(obj, attr)
        return module_name, obj
    raise AssertionError(f"docs/interfaces.md names {dotted}, which is no module")


def test_the_doc_lists_names_from_every_package() -> None:
    assert len(NAMES) > 80
    assert {name.split(".")[0] for name in NAMES} == set(PACKAGES)


@pytest.mark.parametrize("dotted", NAMES)
def test_every_listed_name_imports(dotted: str) -> None:
    module_name, obj = resolve(dotted)
    assert obj is not None
    if module_name != dotted:  # a function, class or constant: one that the code defines, not a stray attribute
        assert not isinstance(obj, type(importlib)), f"{dotted} is a module imported by {module_name}"


def _in_package(path: Path) -> bool:
    """A module of a regular package (scripts such as transforms/data/build_places.py sit in plain folders)."""
    return all((folder / "__init__.py").is_file() for folder in path.parents if REPO in folder.parents)


def test_every_module_is_on_the_map() -> None:
    listed = {resolve(name)[0] for name in NAMES}
    modules = {
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in PACKAGES for path in (REPO / package).rglob("*.py")
        if path.name != "__init__.py" and _in_package(path)
    }
    assert modules - listed == set(), "modules missing from docs/interfaces.md"


def _commands(group: click.Group) -> set[str]:
    names = set()
    for name, command in group.commands.items():
        names.add(name)
        if isinstance(command, click.Group):
            names |= {f"{name} {sub}" for sub in command.commands}
    return names


def test_the_command_list_is_the_cli() -> None:
    line = " ".join(DOC.split("## Commands", 1)[1].split("\n\n")[1].split())
    assert line.startswith("`civic-ideas`: ")
    documented = set()
    for name, subs in re.findall(r"([\w-]+)(?: \(([^)]*)\))?", line.removeprefix("`civic-ideas`: ")):
        documented.add(name)
        documented |= {f"{name} {sub.strip()}" for sub in subs.split(",") if sub.strip()}
    assert documented == _commands(main)


def test_a_name_that_is_gone_fails() -> None:
    with pytest.raises(AssertionError, match="has no 'no_such_function'"):
        resolve("warehouse.load.no_such_function")
    with pytest.raises(AssertionError, match="which is no module"):
        resolve("nowhere.at_all")
