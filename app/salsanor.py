"""SalsaNor's configuration files: a pattern's instruments read from and written to SalsaNor's JSON.

A file that is not text, not JSON, or does not fit the pattern's flavor (checked against the beat
catalog) is refused with :class:`ConfigurationFileError`, whose message says what is wrong in words
(and which flavor the file does fit, when it fits another); nothing is changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..schema.beat_catalog import catalog, check_configuration


class ConfigurationFileError(ValueError):
    """A SalsaNor configuration file could not be read, parsed, fitted to its flavor, or written."""


def parse_configuration(text: str, flavor: str) -> dict[str, Any]:
    """SalsaNor configuration JSON checked against ``flavor``."""
    try:
        configuration = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationFileError(
            f"the file is not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        ) from None
    try:
        check_configuration(flavor, configuration)
    except ValueError as exc:
        fits = [other for other in catalog() if other != flavor and _fits(other, configuration)]
        hint = f" It is a {fits[0]} configuration: switch the flavor to {fits[0]} first." if fits else ""
        raise ConfigurationFileError(f"it does not fit a {flavor} pattern: {exc}.{hint}") from None
    return configuration


def _fits(flavor: str, configuration: Any) -> bool:
    try:
        check_configuration(flavor, configuration)
    except ValueError:
        return False
    return True


def read_configuration(path: Path, flavor: str) -> dict[str, Any]:
    """The configuration in the file at ``path``, checked against ``flavor``."""
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise ConfigurationFileError("the file is not text (a SalsaNor configuration is JSON)") from None
    except OSError as exc:
        raise ConfigurationFileError(f"the file could not be read ({exc.strerror or exc})") from None
    return parse_configuration(text, flavor)


def configuration_text(configuration: dict[str, Any]) -> str:
    """The configuration as SalsaNor's JSON file holds it."""
    return json.dumps(configuration, indent=2) + "\n"


def write_configuration(path: Path, text: str) -> None:
    """Write a configuration's JSON (from :func:`configuration_text`) to ``path``."""
    try:
        path.write_text(text, "utf-8")
    except OSError as exc:
        raise ConfigurationFileError(f"the file could not be written ({exc.strerror or exc})") from None
