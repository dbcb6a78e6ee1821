"""Walk a loaded configuration document and collect every problem with its path.

Paths use the file's own keys and list indexes counted from 0, such as
``teams[0].rota.handover.weekday``, so a reader can find the line to fix.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from oohdesk.configuration.values import describe_type, show

REQUIRED = object()


class ConfigError(Exception):
    """An invalid configuration; ``problems`` lists every error, each starting with its path."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Problems:
    """The errors found so far, each prefixed with its path. The path "" is the top level of the document."""

    def __init__(self):
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path or 'top level'}: {message}")

    def parse(self, path: str, parser: Callable, value):
        """Return ``parser(value)``, or record its ValueError at ``path`` and return None."""
        try:
            return parser(value)
        except ValueError as error:
            self.add(path, str(error))
            return None

    def raise_if_any(self) -> None:
        if self.messages:
            raise ConfigError(self.messages)


@dataclass
class Section:
    """One mapping of the document, already checked for unknown and missing keys."""

    path: str
    data: dict
    problems: Problems

    def value(self, key: str, parser: Callable, default=REQUIRED):
        """Parse the value at ``key``, giving ``default`` when an optional key is missing and None on any problem."""
        if key not in self.data:
            return None if default is REQUIRED else default
        return self.problems.parse(join(self.path, key), parser, self.data[key])

    def section(self, key: str, required: tuple = (), optional: tuple = ()) -> "Section | None":
        """Open the mapping at ``key``, or return None when the key is missing or its value is not a mapping."""
        if key not in self.data:
            return None
        return open_section(self.data[key], join(self.path, key), self.problems, required, optional)

    def items(self, key: str) -> list[tuple[str, object]]:
        """Return (path, entry) for each entry of the list at ``key``, or nothing when it is missing or not a list."""
        if key not in self.data:
            return []
        path = join(self.path, key)
        entries = self.data[key]
        if not isinstance(entries, list):
            self.problems.add(path, f"{describe_type(entries)} is not a list; write a YAML list, or [] for none")
            return []
        return [(f"{path}[{index}]", entry) for index, entry in enumerate(entries)]


def open_section(value, path: str, problems: Problems, required: tuple, optional: tuple = ()) -> Section | None:
    """Check that ``value`` is a mapping with every required key and no unknown key."""
    allowed = (*required, *optional)
    if not isinstance(value, dict):
        problems.add(path, f"{describe_type(value)} is not a mapping; write the keys {', '.join(allowed)}")
        return None
    for key in value:
        if key not in allowed:
            problems.add(path, unknown_key_message(key, allowed))
    for key in required:
        if key not in value:
            problems.add(path, f'missing key "{key}"; add it')
    return Section(path, value, problems)


def unknown_key_message(key, allowed: tuple) -> str:
    suggestion = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f' (did you mean "{suggestion[0]}"?)' if suggestion else ""
    return f"unknown key {show(key)}{hint}; the keys allowed here are {', '.join(allowed)}"


def check_unique(problems: Problems, entries: list[tuple[str, object]], advice: str) -> None:
    """Record each (path, key) whose key repeats an earlier entry's, skipping None keys because their error is already recorded."""
    first_path: dict = {}
    for path, key in entries:
        if key is None:
            continue
        if key in first_path:
            problems.add(path, f"{show(key)} repeats {first_path[key]}; {advice}")
        else:
            first_path[key] = path
