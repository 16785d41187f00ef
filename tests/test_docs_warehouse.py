"""docs/warehouse.md describes the code as it is: the functions and `Warehouse` methods it names exist, and the
flows still take the warehouse as a string exactly where it says."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "warehouse.md").read_text(encoding="utf-8")


def _str_warehouse_params(path: Path) -> list[str]:
    """Functions of ``path`` with a parameter ``warehouse`` annotated exactly ``str``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for arg in node.args.args + node.args.kwonlyargs
            if arg.arg == "warehouse" and arg.annotation is not None and ast.unparse(arg.annotation) == "str"]


def test_the_named_functions_exist() -> None:
    names = set(re.findall(r"`(warehouse\.\w+\.\w+)`", DOC))
    assert {"warehouse.load.transaction", "warehouse.erase._in_transaction", "warehouse.db.migrate",
            "warehouse.db.transaction", "warehouse.store.Warehouse"} <= names
    for dotted in names:
        module, attr = dotted.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), attr), dotted
    for name in ("connect", "session", "writer_lock", "write_snapshot", "compact", "analyst_query", "_create"):
        assert f"`{name}`" in DOC or f"`{name}` →" in DOC or f"→ `{name}`" in DOC, name
        assert hasattr(importlib.import_module("warehouse.db"), name), name


def test_the_warehouse_methods_in_the_table_exist() -> None:
    from warehouse.store import Warehouse

    table = DOC.split("| method |", 1)[1].split("\n\n", 1)[0]
    methods = {m for row in table.splitlines()[2:] for m in re.findall(r"`(\w+)[(`]", row.split("|")[1])}
    assert {"session", "create", "analyst_query", "writer_lock", "transaction", "snapshot", "purge_erased",
            "exists"} <= methods
    for method in methods:
        assert hasattr(Warehouse, method), method


def test_the_path_still_travels_as_the_doc_counts() -> None:
    found = {path.name: names for path in sorted((REPO / "flows").glob("*.py"))
             if (names := _str_warehouse_params(path))}
    words = {"One": 1, "Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6, "Seven": 7, "Eight": 8, "Nine": 9}
    stated = re.search(r"(\w+) signatures\s+in `flows/` take\s+`warehouse: str`", DOC)[1]
    assert words.get(stated) == sum(len(v) for v in found.values()), (stated, found)
    bullets = re.split(r"\n- ", DOC.split("`warehouse: str`:", 1)[1].split("\n\n", 2)[1])
    listed = {b.lstrip("- ").split("`")[1] for b in bullets}
    assert listed == {f"flows/{file}" for file in found}, listed
    for file, functions in found.items():
        bullet = next((b for b in bullets if b.lstrip("- ").startswith(f"`flows/{file}` ({len(functions)}):")), None)
        assert bullet, f"docs/warehouse.md does not list flows/{file} with {len(functions)} functions"
        assert set(re.findall(r"`(\w+)`", bullet.split(":", 1)[1])) == set(functions), file
