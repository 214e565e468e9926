"""Parsing YAML that people and agents write, strictly, with problems naming the document.

Documents come from people and agents, so the parser refuses what YAML allows but no environment,
blueprint, policy bundle, price table or configuration file needs, before any work is done: a mapping
that names the same key twice (the last one would win silently), aliases that expand far past the
document's own size (a "billion laughs"), nesting past a depth limit, and more than one document in a
text. Reading files (sizes, encodings) is the callers' part; this module only parses text.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from infraplane.errors import InputError, Problem

__all__ = ["MAX_DEPTH", "MAX_NODES", "load_yaml_text"]

# With aliases expanded: an environment file has tens of nodes, a large catalog entry a few thousand.
MAX_NODES = 100_000
MAX_DEPTH = 64


class _Refused(Exception):
    def __init__(self, reason: str, node: Node | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node


# libyaml's parser when PyYAML has it: the pure-Python one takes seconds for a megabyte.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _reader_reason(exc: yaml.reader.ReaderError) -> str:
    return f"not valid YAML: character #x{exc.character:04x} at position {exc.position} is not allowed"


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses duplicate keys in a mapping (merge keys `<<` may still override)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                first = seen[key].start_mark.line + 1
                raise _Refused(f"duplicate key {_excerpt(key)!s} (first given at line {first})", key_node)
            if isinstance(key, Hashable):
                seen[key] = key_node
        mapping: dict[Hashable, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_bounded_int(self, node: ScalarNode) -> int:
        try:
            value: int = self.construct_yaml_int(node)
        except ValueError:  # past Python's 4300 digits for converting text to int
            raise _Refused(
                f"a number of {len(str(node.value)):,} digits is not a value any document needs", node
            ) from None
        return value


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_bounded_int)


def _excerpt(value: Any, limit: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _check_shape(root: Node, max_nodes: int, max_depth: int) -> None:
    """Count nodes with aliases expanded (memoized per node, so the count itself stays cheap)."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node: Node, depth: int) -> int:
        if depth > max_depth:
            raise _Refused(f"nested more than {max_depth} levels deep", node)
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise _Refused("an alias refers to a node that contains it (a recursive document)", node)
        visiting.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        visiting.discard(key)
        if total > max_nodes:
            raise _Refused(f"expands to more than {max_nodes} values (aliases repeat content too often)", node)
        sizes[key] = total
        return total

    if not isinstance(root, ScalarNode):
        size(root, 1)


def load_yaml_text(text: str, name: str, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse one YAML document strictly; raise InputError naming `name`, the line and the reason."""
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        raise InputError.from_problems([Problem(name, "", _reader_reason(exc))]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_shape(node, max_nodes, max_depth)
        return loader.construct_document(node)
    except _Refused as refused:
        where = f" at line {refused.node.start_mark.line + 1}" if refused.node is not None else ""
        raise InputError.from_problems([Problem(name, "", f"refused{where}: {refused.reason}")]) from None
    except RecursionError:
        raise InputError.from_problems(
            [Problem(name, "", f"refused: nested more than {max_depth} levels deep")]
        ) from None
    except yaml.reader.ReaderError as exc:  # libyaml reads lazily: a bad character surfaces while parsing
        raise InputError.from_problems([Problem(name, "", _reader_reason(exc))]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        if "nesting depth" in problem:  # libyaml's own limit, past ours
            raise InputError.from_problems(
                [Problem(name, "", f"refused: nested more than {max_depth} levels deep")]
            ) from None
        raise InputError.from_problems([Problem(name, "", f"not valid YAML{where}: {problem}")]) from None
    finally:
        loader.dispose()
