"""Typed readers for settings taken from the environment.

Each reader rejects junk with an ImproperlyConfigured error that names the
variable and says what it accepts, so a typo fails at start-up instead of
silently falling back to a default. A variable named ``NAME_FILE`` is read
from that file, for secrets kept out of the environment.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def read_raw(name: str) -> str | None:
    """Return the variable's text, from NAME or the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_name!r} cannot be read ({error.strerror}); "
                "point it at a readable file or unset it."
            ) from error
    return os.environ.get(name)


def env_str(name: str, default: str) -> str:
    value = read_raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = read_raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = read_raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is below the minimum of {minimum}.")
    return number


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    value = read_raw(name)
    if value is None or value == "":
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is below the minimum of {minimum}.")
    return number


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = read_raw(name)
    if value is None or value.strip() == "":
        return default
    if value.strip() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value.strip()


def env_list(name: str, default: list[str]) -> list[str]:
    value = read_raw(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
