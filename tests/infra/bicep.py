"""A small reader of Bicep files over tree-sitter-bicep, for the infra checks.

The Bicep CLI cannot be installed on these machines, so the templates are checked with the
tree-sitter grammar: a clean parse (no ERROR or MISSING nodes), and the declarations the checks
compare with the app (parameters, variables, modules, outputs, object keys, literal strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter
import tree_sitter_bicep

from tests.conftest import REPO_ROOT

INFRA = REPO_ROOT / "infra"


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


def parse(source: str) -> tree_sitter.Tree:
    return _parser().parse(source.encode("utf-8"))


def syntax_problems(source: str) -> list[str]:
    """Every ERROR or MISSING node of the parse, as `line:column: what`, in source order."""
    problems: list[str] = []

    def walk(node: tree_sitter.Node) -> None:
        line, column = node.start_point
        where = f"{line + 1}:{column + 1}"
        if node.is_missing:
            problems.append(f"{where}: missing {node.type!r}")
        elif node.type == "ERROR":
            text = _text(node).replace("\n", " ")[:60]
            problems.append(f"{where}: cannot parse {text!r}")
        for child in node.children:
            walk(child)

    walk(parse(source).root_node)
    return problems


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8")


def literal_string(node: tree_sitter.Node | None) -> str | None:
    """The value of a plain string literal; None for anything else (interpolations included)."""
    if node is None or node.type != "string":
        return None
    if any(child.type == "interpolation" for child in node.children):
        return None
    return "".join(_text(c) for c in node.children if c.type == "string_content")


def object_entries(node: tree_sitter.Node) -> dict[str, tree_sitter.Node]:
    """Key → value node of an object literal (quoted keys unquoted)."""
    assert node.type == "object", f"expected an object literal, got {node.type}"
    entries: dict[str, tree_sitter.Node] = {}
    for prop in node.named_children:
        if prop.type != "object_property":
            continue
        key_node, value_node = prop.named_children[0], prop.named_children[-1]
        key = literal_string(key_node) if key_node.type == "string" else _text(key_node)
        assert key is not None, f"computed object key at {key_node.start_point}"
        entries[key] = value_node
    return entries


def array_strings(node: tree_sitter.Node) -> list[str]:
    """The items of an array literal that holds only plain strings."""
    assert node.type == "array", f"expected an array literal, got {node.type}"
    items: list[str] = []
    for item in node.named_children:
        value = literal_string(item)
        assert value is not None, f"non-literal array item {_text(item)!r}"
        items.append(value)
    return items


def text_of(node: tree_sitter.Node) -> str:
    return _text(node)


@dataclass(frozen=True)
class Module:
    symbol: str
    path: str
    params: dict[str, tree_sitter.Node]


@dataclass(frozen=True)
class BicepFile:
    """One parsed Bicep file and its top-level declarations."""

    path: Path
    source: str

    @property
    def root(self) -> tree_sitter.Node:
        return parse(self.source).root_node

    def _declarations(self, kind: str) -> list[tree_sitter.Node]:
        return [n for n in self.root.named_children if n.type == kind]

    def params(self) -> dict[str, bool]:
        """Parameter name → whether it has a default value."""
        found: dict[str, bool] = {}
        for node in self._declarations("parameter_declaration"):
            name = node.named_children[0]
            found[_text(name)] = any(c.type == "=" for c in node.children)
        return found

    def variable(self, name: str) -> tree_sitter.Node:
        for node in self._declarations("variable_declaration"):
            if _text(node.named_children[0]) == name:
                return node.named_children[-1]
        raise KeyError(f"{self.path.name} declares no variable {name!r}")

    def outputs(self) -> list[str]:
        return [_text(n.named_children[0]) for n in self._declarations("output_declaration")]

    def modules(self) -> list[Module]:
        found: list[Module] = []
        for node in self._declarations("module_declaration"):
            symbol, path_node, body = (
                node.named_children[0],
                node.named_children[1],
                node.named_children[-1],
            )
            path = literal_string(path_node)
            assert path is not None, f"module {_text(symbol)} has a computed path"
            params_node = object_entries(body).get("params")
            params = object_entries(params_node) if params_node is not None else {}
            found.append(Module(_text(symbol), path, params))
        return found

    def resource_body(self, symbol: str) -> dict[str, tree_sitter.Node]:
        for node in self._declarations("resource_declaration"):
            if _text(node.named_children[0]) == symbol:
                return object_entries(node.named_children[-1])
        raise KeyError(f"{self.path.name} declares no resource {symbol!r}")


def load(relative: str) -> BicepFile:
    path = INFRA / relative
    return BicepFile(path, path.read_text(encoding="utf-8"))


def all_bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))
