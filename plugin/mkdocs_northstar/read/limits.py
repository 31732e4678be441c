"""Limits that keep hostile YAML from exhausting the stack, memory or time: for plan
front matter (read/front_matter.py) and for mkdocs.yml and the files it INHERITs (settings.py)."""

from __future__ import annotations

import yaml

MAX_DEPTH = 200
MAX_EXPANDED_NODES = 100_000


class TooBig(ValueError):
    """YAML beyond a limit; `line` is 1-based within the text that was read, as YAML
    counts lines; `mark` is YAML's mark of the place, for callers that count otherwise."""

    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark = mark
        self.line = mark.line + 1
        self.message = message


def check_depth(text: str, loader: type) -> None:
    """Refuse nesting deeper than MAX_DEPTH. libyaml's composer recurses in C and crashes
    the interpreter on very deep nesting; its event parser does not, so measure with it."""
    # libyaml 0.2.6 and later stop at 1,000 levels themselves, in the scanner that reads
    # ahead of the events: the same problem, worded the same way, whichever layer refuses.
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooBig(event.start_mark, f"nests deeper than {MAX_DEPTH} levels")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is not None and "nesting depth" in (error.problem or ""):
            raise TooBig(mark, f"nests deeper than {MAX_DEPTH} levels") from None
        raise


def check_expansion(root: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """The number of values the document holds once its aliases are expanded; refuse
    more than `limit` ("billion laughs"). Aliases share nodes, so building the document
    stays cheap, but anything that later walks or merges the values expands them.
    Nesting must be checked first (check_depth): the count recurses."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int = 0) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = 1  # a self-referencing node counts once
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        if total > limit:
            raise TooBig(node.start_mark, f"anchors and aliases expand to more than {MAX_EXPANDED_NODES:,} values")
        sizes[key] = total
        return total

    return size(root)
