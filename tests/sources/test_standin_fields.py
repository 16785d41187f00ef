"""The stand-in's `fields` parser: comma lists, modifiers, nested blocks, and errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources.standin.fields import FieldSpec, FieldsSyntaxError, format_fields, parse_fields


def test_parses_a_flat_list() -> None:
    assert [s.name for s in parse_fields("id, message,created_time")] == ["id", "message", "created_time"]


def test_parses_modifiers_and_nested_blocks() -> None:
    (spec,) = parse_fields("comments.limit(100).summary(true){message,from{id,name},parent{id}}")
    assert spec.name == "comments"
    assert spec.modifiers == {"limit": "100", "summary": "true"}
    assert [c.name for c in spec.children or ()] == ["message", "from", "parent"]
    assert spec.children and spec.children[1].children == (FieldSpec("id"), FieldSpec("name"))


def test_modifiers_may_follow_the_block() -> None:
    (spec,) = parse_fields("comments{message}.filter(stream).order(chronological)")
    assert spec.modifiers == {"filter": "stream", "order": "chronological"}
    assert spec.children == (FieldSpec("message"),)


def test_empty_value_means_default_fields() -> None:
    assert parse_fields("") == ()


@pytest.mark.parametrize("text", ["comments{message", "id,,message", "comments.limit(5", "a{b}}", "x.bogus(1)"])
def test_rejects_bad_syntax(text: str) -> None:
    with pytest.raises(FieldsSyntaxError):
        parse_fields(text)


_names = st.sampled_from(["id", "message", "from", "parent", "comments", "name", "like_count"])
_mods = st.dictionaries(st.sampled_from(["limit", "summary", "filter", "order"]),
                        st.sampled_from(["1", "true", "stream", "chronological"]), max_size=2)
_specs = st.recursive(
    st.builds(FieldSpec, _names, _mods),
    lambda inner: st.builds(FieldSpec, _names, _mods, st.lists(inner, min_size=1, max_size=3).map(tuple)),
    max_leaves=8,
)


@given(st.lists(_specs, min_size=1, max_size=4).map(tuple))
def test_format_then_parse_is_identity(specs: tuple[FieldSpec, ...]) -> None:
    assert parse_fields(format_fields(specs)) == specs
