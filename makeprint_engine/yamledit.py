"""Set strings in YAML text in place: every byte outside the values changed stays as it was."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

from .errors import MakeprintError, Problem

# A ruamel.yaml round trip re-emits every scalar of the file, not only those it changed: it
# wrote the Arabic pamphlet's "\u2066" escapes back as invisible raw characters. Editing the
# text at the marks PyYAML's composer reports keeps comments, key order, quoting, escapes and
# indentation of everything else exactly, and each edited file is parsed again to prove that
# only the strings meant to change did.

_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def key_parts(key: str) -> list[str | int]:
    """``medications.opioid[1].text`` → ``["medications", "opioid", 1, "text"]``."""
    parts: list[str | int] = []
    for match in _PART.finditer(key):
        parts.append(int(match.group(1)) if match.group(1) is not None else match.group(2))
    return parts


def quoted(text: str) -> str:
    """One double-quoted YAML line; invisible format characters (bidi isolates, joiners) are
    written as \\u escapes, as the sample translations write them, so an editor shows them."""
    dumped = yaml.dump(text, default_style='"', allow_unicode=True, width=1 << 30)
    line = dumped.removesuffix("\n").removesuffix("...").rstrip("\n")
    return "".join(
        f"\\u{ord(ch):04X}" if unicodedata.category(ch) == "Cf" and ord(ch) <= 0xFFFF else ch
        for ch in line
    )


class CannotEdit(Exception):
    """The file's shape leaves no safe place for the value (say why)."""


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(part, int):
        if isinstance(node, yaml.SequenceNode) and part < len(node.value):
            return node.value[part]
        return None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value
    return None


def _key_node(node: yaml.MappingNode, part: str) -> yaml.Node:
    return next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == part)


def _last_scalar(node: yaml.Node) -> yaml.Node:
    """The node written last inside ``node`` (its text ends where ``node``'s content ends)."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one ``index`` is on."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _replace(text: str, node: yaml.ScalarNode, key: yaml.Node | None, value: str) -> str:
    start, end = node.start_mark.index, node.end_mark.index
    if start == end:  # "key:" with nothing after it
        if key is None:
            raise CannotEdit("an empty list item")
        colon = text.index(":", key.end_mark.index)
        return text[: colon + 1] + " " + quoted(value) + text[colon + 1 :]
    span = text[start:end]
    tail = span[len(span.rstrip()):] if node.style in ("|", ">") else ""
    return text[:start] + quoted(value) + tail + text[end:]


def _add_key(text: str, mapping: yaml.MappingNode, key: str, value: str,
             order: list[str]) -> str:
    """Add ``key: "value"`` to a block mapping, after the key the English puts before it."""
    if mapping.flow_style or not mapping.value:
        raise CannotEdit("its section is written on one line or is empty")
    present = {k.value for k, _ in mapping.value if isinstance(k, yaml.ScalarNode)}
    before = [k for k in order[: order.index(key)] if k in present] if key in order else []
    column = mapping.value[0][0].start_mark.column
    line = " " * column + f"{_yaml_key(key)}: {quoted(value)}\n"
    if before:
        anchor = _child(mapping, before[-1])
        assert anchor is not None
        at = _after_line(text, _last_scalar(anchor).end_mark.index)
    else:  # first in the English: before the first key here, and the comments just above it
        at = text.rfind("\n", 0, mapping.value[0][0].start_mark.index) + 1
        while at > 0:
            previous = text.rfind("\n", 0, at - 1) + 1
            if not text[previous:at].strip().startswith("#"):
                break
            at = previous
    if at == len(text) and text and not text.endswith("\n"):
        line = "\n" + line
    return text[:at] + line + text[at:]


def _append_item(text: str, sequence: yaml.SequenceNode, value: str) -> str:
    if not sequence.value:
        raise CannotEdit("its list is empty")
    last = sequence.value[-1]
    if sequence.flow_style:
        at = last.end_mark.index
        return text[:at] + ", " + quoted(value) + text[at:]
    first = sequence.value[0].start_mark
    dash = text.rfind("-", 0, first.index)
    column = dash - (text.rfind("\n", 0, dash) + 1)
    at = _after_line(text, _last_scalar(last).end_mark.index)
    line = " " * column + "- " + quoted(value) + "\n"
    if at == len(text) and text and not text.endswith("\n"):
        line = "\n" + line
    return text[:at] + line + text[at:]


def _yaml_key(key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", key) and yaml.safe_load(f"{key}: x") == {key: "x"}:
        return key
    return quoted(key)


def set_string(text: str, key: str, value: str, english_order: dict[str, list[str]]) -> str:
    """``text`` with the string at ``key`` set to ``value``: replaced where it is, or added to
    the mapping or list that should hold it. ``english_order`` gives, by the key path of each
    mapping, the English order of its keys (where a new key goes)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise CannotEdit("the file is empty")
    parts = key_parts(key)
    node: yaml.Node = root
    for depth, part in enumerate(parts):
        child = _child(node, part)
        last = depth == len(parts) - 1
        if child is None:
            if not last:
                raise CannotEdit(f"it has no '{_path(parts[: depth + 1])}' to hold it")
            if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
                if part != len(node.value):
                    raise CannotEdit(f"its list has {len(node.value)} item(s), not {part}")
                return _append_item(text, node, value)
            if isinstance(part, str) and isinstance(node, yaml.MappingNode):
                return _add_key(text, node, part, value, english_order.get(_path(parts[:-1]), []))
            raise CannotEdit(f"'{_path(parts[:depth])}' is not the kind of value the English has")
        if last:
            if not isinstance(child, yaml.ScalarNode):
                raise CannotEdit("it holds a list or section here, not text")
            key_node = _key_node(node, part) if isinstance(part, str) else None
            return _replace(text, child, key_node, value)
        node = child
    raise CannotEdit("no key given")


def _path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def key_orders(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """The key order of every mapping in ``data``, by its key path (``""`` for the top)."""
    orders: dict[str, list[str]] = {}
    if isinstance(data, dict):
        orders[prefix] = [str(k) for k in data]
        for key, value in data.items():
            orders.update(key_orders(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            orders.update(key_orders(value, f"{prefix}[{index}]"))
    return orders


def set_strings(text: str, values: dict[str, str], english: Any, source: str) -> str:
    """``text`` with every key of ``values`` set, in order; a key the file's shape cannot take
    is a :class:`MakeprintError` naming it (``source`` is the file as shown to people)."""
    orders = key_orders(english)
    problems = []
    for key, value in values.items():
        try:
            text = set_string(text, key, value, orders)
        except CannotEdit as exc:
            problems.append(Problem(
                f"cannot add or change this string here: {exc}", path=source, field=key,
                hint="add it by hand as content/en/ has it (any text), then import again"))
        except yaml.YAMLError as exc:
            raise MakeprintError(Problem(f"invalid YAML: {exc}", path=source)) from None
    if problems:
        raise MakeprintError(problems)
    return text
