"""The desktop's log: a rotating file in the platform's log folder, for a maintainer or a bug report.

:func:`start_file_log` is called once when the desktop starts. Every module logs through its own
``logging.getLogger(__name__)``; this only decides where the lines go: ``gigbag.log`` in the log
folder (a few files of bounded size, the oldest dropped) and warnings on standard error. What is
logged never holds a token, a password or file content; as a second guard, a filter blanks
anything that looks like a bearer token or a password field before a line is written.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "gigbag.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 4
HANDLER_PREFIX = "gigbag-"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"

_SECRETS = re.compile(
    r"(?i)(bearer\s+|authorization[\"']?\s*[:=]\s*[\"']?|\b(?:token|password)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"
)


class RedactSecrets(logging.Filter):
    """Blanks bearer tokens and ``token=…`` / ``password: …`` values in a log line (message and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _SECRETS.sub(r"\1[hidden]", message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _SECRETS.sub(r"\1[hidden]", record.exc_text)
        return True


def log_file(log_folder: Path) -> Path:
    return log_folder / LOG_FILE_NAME


def stop_file_log() -> None:
    """Take away the handlers :func:`start_file_log` added (closing the file)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if (handler.get_name() or "").startswith(HANDLER_PREFIX):
            root.removeHandler(handler)
            handler.close()


def start_file_log(log_folder: Path, level: int = logging.INFO, *, warnings_to_stderr: bool = True) -> Path:
    """Send the app's log lines to ``log_folder/gigbag.log`` (rotating) and warnings to stderr; the file's path.

    The command line passes ``warnings_to_stderr=False``: it says every outcome in its own sentence, so a
    warning line beside it would say the same thing twice. Calling it again (a second window in tests)
    replaces the handlers it added before.
    """
    log_folder.mkdir(parents=True, exist_ok=True)
    stop_file_log()
    root = logging.getLogger()
    path = log_file(log_folder)
    file_handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    file_handler.setLevel(level)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    handlers: list[tuple[str, logging.Handler]] = [("file", file_handler)]
    if warnings_to_stderr:
        handlers.append(("stderr", stderr))
    for name, handler in handlers:
        handler.set_name(HANDLER_PREFIX + name)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    root.setLevel(min(level, root.level) if root.level != logging.NOTSET else level)
    # One line per HTTP request is noise next to the sync's own lines (and URLs are the engine's to log).
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
