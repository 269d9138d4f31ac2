"""The YAML dialect of the exchange format: how the text of a file becomes data, and data becomes that text.

A safe loader without YAML 1.1's surprises (a problem gives its line and column), and a writer that keeps long
French texts readable. What the data must hold is the schema's job (`schema.py`).
"""

import re
from pathlib import Path

import yaml

FORMAT = "rabatkb-meeting"
VERSION = 1


class ExchangeError(Exception):
    """A file that cannot be imported, with every problem found in it."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# Reading ---------------------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader without three YAML 1.1 traps: `NO` (Norway) and `yes`/`on`/`off` stay text (only
    true/false are booleans), dates stay text (the schema checks them, with their place), and a key given
    twice in a mapping is an error instead of silently keeping the last value."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(content):
    """The data of a YAML text; invalid YAML raises an ExchangeError giving the line."""
    try:
        return yaml.load(content, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ExchangeError([f"invalid YAML at {where}{problem}"]) from None


def read_yaml(path):
    """The data of a YAML file; a missing, unreadable or invalid file raises an ExchangeError."""
    try:
        content = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ExchangeError(["the file is not UTF-8 text"]) from None
    except OSError as error:
        raise ExchangeError([f"cannot read the file: {error.strerror}"]) from None
    return parse_yaml(content)


# Writing ---------------------------------------------------------------------------------------------------------

# Long texts are written as block scalars (folded at the line width), short lists and pairs on one line.
_LONG = 80


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent lists under their key, as docs/exchange-format.md


def _is_short(value):
    return value is None or isinstance(value, int | float) or (isinstance(value, str) and len(value) <= 40)


def _represent_str(dumper, value):
    lines = value.split("\n")
    if len(lines) > 1 and all(len(line) <= _LONG for line in lines):
        style = "|"  # short lines: kept as they are
    elif len(value) > _LONG or len(lines) > 1:
        style = ">"  # long lines: folded at the width of the file
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


def _represent_list(dumper, value):
    flow = all(_is_short(item) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _represent_dict(dumper, value):
    flow = len(value) <= 2 and all(_is_short(item) for item in value.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_multi_representer(str, _represent_str)  # the choices of the models are str subclasses
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def to_yaml(data):
    """The YAML text of a file's data, readable for long French texts."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
