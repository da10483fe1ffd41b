"""YAML loading that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import MakeprintError, Problem, display_path

MAX_YAML_BYTES = 1024 * 1024  # organization, content and material files; locations have their own


class Mapping(dict):  # type: ignore[type-arg]
    """A dict from YAML that knows its own line and the line of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]
    failed: bool = False  # stands in for a file that could not be read

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list):  # type: ignore[type-arg]
    """A list from YAML that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates, times and sexagesimal numbers stay text: a "24/7" or "1:30" must not change type.
    return str(node.value)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


class _TextLoader(_Loader):
    """Every scalar stays the text that was written: a ZIP code 02134 must not become 1116."""


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str | None:
    return None if node.value in ("", "~", "null", "Null", "NULL") else str(node.value)


for _tag in ("int", "float", "bool", "null"):
    _TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct_text)


# LibYAML's parser (bundled with PyYAML's wheels) reads these files eight times faster than the
# pure-Python one, with the same nodes, marks and constructors. Its error messages say less
# ("found character that cannot start any token", where PyYAML names the tab), so a file it
# rejects is parsed again by PyYAML for the message. Without LibYAML, PyYAML does it all.
_FAST: dict[type[yaml.SafeLoader], type[Any]] = {}
if hasattr(yaml, "CSafeLoader"):
    for _pure in (_Loader, _TextLoader):
        _FAST[_pure] = type(f"_Fast{_pure.__name__}", (yaml.CSafeLoader,), {})
        _FAST[_pure].yaml_constructors = _pure.yaml_constructors


def parse_yaml(text: str, source: str, scalars_as_text: bool = False) -> Any:
    """Parse YAML text; a syntax error becomes a located :class:`MakeprintError`."""
    loader = _TextLoader if scalars_as_text else _Loader
    if loader in _FAST:
        try:
            return yaml.load(text, Loader=_FAST[loader])  # noqa: S506 - SafeLoader's constructors
        except yaml.YAMLError:
            pass  # the message comes from PyYAML's own parser, below
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - both derive from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise MakeprintError(
            Problem(
                f"invalid YAML: {what}",
                path=source,
                line=line,
                column=column,
                hint="check the indentation and quote values that contain ':' or '#'",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise MakeprintError(Problem(f"invalid YAML: {exc}", path=source)) from None


def load_yaml(
    path: Path,
    root: Path | None = None,
    scalars_as_text: bool = False,
    max_bytes: int = MAX_YAML_BYTES,
) -> Any:
    """Read and parse a UTF-8 YAML file, reporting problems against its path."""
    source = display_path(path, root)
    try:
        if path.stat().st_size > max_bytes:
            raise MakeprintError(
                Problem(
                    f"file is larger than {max_bytes // (1024 * 1024)} MB",
                    path=source,
                    hint="settings and content files are small; split it or remove what is unused",
                )
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise MakeprintError(Problem(f"cannot read file: {exc.strerror}", path=source)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MakeprintError(
            Problem(
                "file is not UTF-8 text",
                path=source,
                line=line,
                hint="save it with UTF-8 encoding",
            )
        ) from None
    return parse_yaml(text, source, scalars_as_text)
