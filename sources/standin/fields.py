"""The Graph API `fields` syntax, for the local stand-in.

`fields` is a comma list; each item is a name, optional modifiers (`.limit(5)`, `.summary(true)`,
`.filter(stream)`, `.order(chronological)`) and an optional `{...}` block of sub-fields, nested to any depth,
e.g. `comments.limit(100).summary(true){message,from{id,name},parent{id}}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODIFIERS = {"limit", "summary", "filter", "order", "since", "until", "live_filter", "type", "as"}


class FieldsSyntaxError(ValueError):
    """The `fields` value cannot be parsed."""


@dataclass(frozen=True)
class FieldSpec:
    """One requested field: its name, modifiers and sub-fields (None when no `{...}` block was given)."""

    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    children: tuple[FieldSpec, ...] | None = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise FieldsSyntaxError(f"Syntax error \"Expected \"{char}\".\" at character {self.pos}: {self.text}")
        self.pos += 1

    def skip_spaces(self) -> None:
        while self.peek().isspace():
            self.pos += 1

    def name(self) -> str:
        self.skip_spaces()
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise FieldsSyntaxError(f"Syntax error \"Field name expected.\" at character {self.pos}: {self.text}")
        self.pos = match.end()
        return match.group()

    def argument(self) -> str:
        self.expect("(")
        end = self.text.find(")", self.pos)
        if end < 0:
            raise FieldsSyntaxError(f"Syntax error \"Expected \")\".\" at character {self.pos}: {self.text}")
        value, self.pos = self.text[self.pos : end].strip(), end + 1
        return value

    def item(self) -> FieldSpec:
        name = self.name()
        modifiers: dict[str, str] = {}
        children: tuple[FieldSpec, ...] | None = None
        while True:
            self.skip_spaces()
            if self.peek() == ".":
                self.pos += 1
                modifier = self.name()
                if modifier not in _MODIFIERS:
                    raise FieldsSyntaxError(f"Unknown field modifier ({modifier}) on field ({name})")
                modifiers[modifier] = self.argument()
            elif self.peek() == "{" and children is None:
                self.pos += 1
                children = self.items(closing="}")
                self.expect("}")
            else:
                return FieldSpec(name, modifiers, children)

    def items(self, closing: str = "") -> tuple[FieldSpec, ...]:
        specs = [self.item()]
        self.skip_spaces()
        while self.peek() == ",":
            self.pos += 1
            specs.append(self.item())
            self.skip_spaces()
        if self.peek() != closing:
            raise FieldsSyntaxError(f"Syntax error \"Unexpected {self.peek()!r}.\" at character {self.pos}")
        return tuple(specs)


def parse_fields(text: str) -> tuple[FieldSpec, ...]:
    """Parse an already percent-decoded `fields` value into field specs."""
    if not text.strip():
        return ()
    return _Parser(text).items()


def format_fields(specs: tuple[FieldSpec, ...] | None) -> str:
    """Serialise field specs back into the `fields` syntax (the inverse of `parse_fields`)."""
    parts = []
    for spec in specs or ():
        text = spec.name + "".join(f".{key}({value})" for key, value in spec.modifiers.items())
        if spec.children is not None:
            text += "{" + format_fields(spec.children) + "}"
        parts.append(text)
    return ",".join(parts)
