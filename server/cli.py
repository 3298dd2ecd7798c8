"""``gigbag-server``: run the sync server (uvicorn), or one of its maintenance commands.

``gigbag-server [OPTIONS]`` serves (one process, or ``--workers N``); ``gigbag-server COMMAND
[OPTIONS] …`` runs a command of :data:`COMMANDS` (``backup``, ``check``…) on the same settings;
``gigbag-server user …`` and ``gigbag-server invite …`` are the operator's account commands
(:mod:`gigbag.server.admin_commands`). Every
option also reads an environment variable, so :mod:`gigbag.server.asgi` builds the same
configuration for ``uvicorn``/``gunicorn`` workers. Only the standard library is imported before
the arguments are parsed, so ``--help`` is quick and never touches Qt, the desktop app or the
database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .account_options import account_settings_from_args, add_account_options
from .config import (
    DEFAULT_LOGIN_LOCKOUT_SECONDS,
    DEFAULT_LOGIN_MAX_FAILURES,
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_STORAGE_QUOTA_BYTES,
    ServerConfig,
    parse_size,
)

log = logging.getLogger("gigbag.server")

_NOT_GIVEN: object = object()  # --daily-upload-limit absent: each tier's own default

# The serving options given to ``gigbag-server --workers N``, handed to its worker processes.
ARGV_ENV = "GIGBAG_SERVER_ARGV"
ASGI_APP = "gigbag.server.asgi:app"
# Commands: name -> (module, one-line help). Each module has ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "backup": ("gigbag.server.maintenance", "write a consistent snapshot of the database and a manifest of the blobs"),
    "check": ("gigbag.server.maintenance", "verify that every blob the database references is stored intact"),
}


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _optional_size(text: str) -> int | None:
    if text.strip().lower() in ("", "0", "off", "none"):
        return None
    return _size(text)


def _commands_epilog() -> str:
    lines = [f"  {name:<8} {text}" for name, (_module, text) in COMMANDS.items()]
    return "commands (gigbag-server COMMAND --help):\n" + "\n".join(lines)


def build_parser(*, add_help: bool = True) -> argparse.ArgumentParser:
    env = os.environ.get
    p = argparse.ArgumentParser(
        prog="gigbag-server",
        add_help=add_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The Gigbag sync server: accounts, push/pull of entities, content-addressed files "
        "(with resumable tus uploads). SQLite (WAL) in the data folder by default, PostgreSQL with "
        "--database-url; files in a folder or an S3-compatible bucket (--blob-store). Several processes "
        "may share one PostgreSQL database and blob store (--workers N, or gigbag.server.asgi:app).",
        epilog="Sizes accept units: 1048576, 100MB, 50GB, 2GiB. Every option also reads the environment "
        "variable shown in its help. Accounts: 'gigbag-server user --help', 'gigbag-server invite --help'. "
        "Shared library: 'gigbag-server library --help'.\n\n" + _commands_epilog(),
    )
    p.add_argument(
        "--host",
        default=env("GIGBAG_SERVER_HOST", "127.0.0.1"),
        help="address to listen on (GIGBAG_SERVER_HOST; default 127.0.0.1)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=int(env("GIGBAG_SERVER_PORT", "8765")),
        help="port to listen on; 0 picks a free one (GIGBAG_SERVER_PORT; default 8765)",
    )
    p.add_argument(
        "--port-file",
        type=Path,
        default=None,
        help="write the port actually listened on to this file (useful with --port 0)",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=env("GIGBAG_SERVER_DATA_DIR"),
        help="folder for the SQLite database and the blobs (GIGBAG_SERVER_DATA_DIR; required)",
    )
    p.add_argument(
        "--database-url",
        default=env("GIGBAG_DATABASE_URL"),
        help="postgresql://user:password@host:port/db to use PostgreSQL instead of SQLite (GIGBAG_DATABASE_URL)",
    )
    p.add_argument(
        "--blob-dir",
        type=Path,
        default=env("GIGBAG_BLOB_DIR"),
        help="folder of the blobs and partial uploads; share it between processes "
        "(GIGBAG_BLOB_DIR; default DATA_DIR/blobs; same as --blob-store file:///PATH)",
    )
    p.add_argument(
        "--blob-store",
        default=env("GIGBAG_BLOB_STORE"),
        metavar="URL",
        help="where files live: file:///path/to/folder, or s3://bucket/prefix on any S3-compatible "
        "service, with credentials and region from the standard AWS environment variables "
        "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE…) (GIGBAG_BLOB_STORE; "
        "default file://DATA_DIR/blobs)",
    )
    p.add_argument(
        "--s3-endpoint-url",
        default=env("GIGBAG_S3_ENDPOINT_URL"),
        metavar="URL",
        help="the S3 API of MinIO, Garage, Cloudflare R2, Ceph… e.g. http://127.0.0.1:9000 "
        "(GIGBAG_S3_ENDPOINT_URL, or AWS_ENDPOINT_URL; default AWS S3)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=int(env("GIGBAG_WORKERS", "1")),
        help="server processes sharing the port, the database and the blob store; more than 1 needs "
        "PostgreSQL or SQLite on a local disk (GIGBAG_WORKERS; default 1)",
    )
    p.add_argument(
        "--storage-quota",
        type=_size,
        default=_size(env("GIGBAG_STORAGE_QUOTA", str(DEFAULT_STORAGE_QUOTA_BYTES))),
        help="file storage per user (GIGBAG_STORAGE_QUOTA; default 50GiB = 53687091200 bytes)",
    )
    p.add_argument(
        "--daily-upload-limit",
        type=_optional_size,
        default=_optional_size(env("GIGBAG_DAILY_UPLOAD_LIMIT", ""))
        if env("GIGBAG_DAILY_UPLOAD_LIMIT")
        else _NOT_GIVEN,
        help="bytes a user may upload per UTC day, e.g. 100MB; 'off' for no limit; for every tier "
        "without its own --tier-limit (GIGBAG_DAILY_UPLOAD_LIMIT; default: 100MB for the free tier, "
        "none for pro and enterprise)",
    )
    p.add_argument(
        "--max-upload-size",
        type=_size,
        default=_size(env("GIGBAG_MAX_UPLOAD_SIZE", str(DEFAULT_MAX_UPLOAD_BYTES))),
        help="largest single file (GIGBAG_MAX_UPLOAD_SIZE; default 50GiB)",
    )
    p.add_argument(
        "--login-max-failures",
        type=int,
        default=int(env("GIGBAG_LOGIN_MAX_FAILURES", str(DEFAULT_LOGIN_MAX_FAILURES))),
        help="failed sign-ins in a row before an account is locked for a while "
        f"(GIGBAG_LOGIN_MAX_FAILURES; default {DEFAULT_LOGIN_MAX_FAILURES})",
    )
    p.add_argument(
        "--login-lockout-seconds",
        type=int,
        default=int(env("GIGBAG_LOGIN_LOCKOUT_SECONDS", str(DEFAULT_LOGIN_LOCKOUT_SECONDS))),
        help="first lock-out; it doubles with each further failure, up to 15 minutes "
        f"(GIGBAG_LOGIN_LOCKOUT_SECONDS; default {DEFAULT_LOGIN_LOCKOUT_SECONDS})",
    )
    p.add_argument(
        "--log-level",
        default=env("GIGBAG_LOG_LEVEL", "info"),
        choices=["debug", "info", "warning", "error"],
        help="(GIGBAG_LOG_LEVEL; default info)",
    )
    p.add_argument(
        "--log-format",
        default=env("GIGBAG_LOG_FORMAT", "text"),
        choices=["text", "json"],
        help="one readable line per request, or one JSON object per line for log collectors "
        "(GIGBAG_LOG_FORMAT; default text)",
    )
    add_account_options(p)
    return p


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    daily_given = args.daily_upload_limit is not _NOT_GIVEN
    return ServerConfig(
        data_dir=Path(args.data_dir).expanduser().resolve(),
        database_url=args.database_url or None,
        blob_dir=Path(args.blob_dir).expanduser().resolve() if args.blob_dir else None,
        storage_quota_bytes=args.storage_quota,
        daily_upload_limit_bytes=args.daily_upload_limit if daily_given else None,
        max_upload_bytes=args.max_upload_size,
        login_max_failures=max(1, args.login_max_failures),
        login_lockout_seconds=max(1, args.login_lockout_seconds),
        blob_store=args.blob_store or None,
        s3_endpoint_url=args.s3_endpoint_url or None,
        accounts=account_settings_from_args(args, daily_limit_given=daily_given),
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Answers go out as written (the connections accepted inherit it): without it, an answer's body waits
    # for the client's delayed ACK of its headers, 40 ms on every request after a connection's first.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.data_dir is None:
        parser.error("--data-dir is required (or set GIGBAG_SERVER_DATA_DIR)")
    if args.blob_store:
        from .blob_store import parse_blob_store_url

        try:
            parse_blob_store_url(args.blob_store)
        except ValueError as exc:
            parser.error(str(exc))
        if args.blob_dir:
            parser.error("give --blob-store or --blob-dir, not both")
    if args.workers < 1:
        parser.error("--workers must be 1 or more")


def parse_serve_args(argv: list[str]) -> tuple[argparse.Namespace, ServerConfig]:
    """The serving options (command line first, then the environment) as a checked configuration."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    try:
        return args, config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))


def _run_command(name: str, argv: list[str]) -> int:
    module_name, text = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(
        prog=f"gigbag-server {name}", description=text, parents=[build_parser(add_help=False)]
    )
    add_arguments: Callable[[str, argparse.ArgumentParser], None] = module.add_arguments
    add_arguments(name, parser)
    args = parser.parse_args(argv)
    _check_args(parser, args)
    from .logs import configure_logging

    configure_logging(args.log_level if args.log_level != "info" else "warning", args.log_format)
    run: Callable[[str, argparse.Namespace, ServerConfig], int] = module.run
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    return run(name, args, config)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("user", "invite"):
        from .admin_commands import main as admin_main

        return admin_main(argv)
    if argv and argv[0] == "library":
        from .library_commands import main as library_main

        return library_main(argv[1:])
    if argv and argv[0] in COMMANDS:
        return _run_command(argv[0], argv[1:])
    args, config = parse_serve_args(argv)
    from .logs import configure_logging

    configure_logging(args.log_level, args.log_format)
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Before prometheus_client is first imported (by the app): every worker writes its metrics here.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gigbag-metrics-")
    import uvicorn

    from .app import create_app
    from .blob_store import BlobStoreError
    from .uvicorn_choice import uvicorn_settings

    try:
        app = create_app(config)  # migrates and checks the blob store once, before any worker starts
    except BlobStoreError as exc:
        log.error("cannot use the blob store: %s", exc)
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc)
        return 2
    port = sock.getsockname()[1]
    if args.port_file is not None:
        tmp = args.port_file.with_name(args.port_file.name + ".tmp")
        tmp.write_text(str(port))
        os.replace(tmp, args.port_file)
    database = "SQLite in " + str(config.data_dir) if config.is_sqlite else "PostgreSQL"
    log.info(
        "Gigbag server on http://%s:%s (%d process%s; database: %s; blobs: %s; quota %d bytes per user; "
        "daily limit %s)",
        args.host,
        port,
        args.workers,
        "" if args.workers == 1 else "es",
        database,
        app.state.gigbag.files.description,
        config.storage_quota_bytes,
        config.daily_upload_limit_bytes or "per tier",
    )
    log.info(
        "sign-up: %s; unused tokens expire after: %s",
        config.accounts.signup,
        f"{config.accounts.token_expiry_days} days" if config.accounts.token_expiry_days else "never",
    )
    common = dict(
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
        log_level=args.log_level,
        **uvicorn_settings(),
    )
    if args.workers == 1:
        uvicorn.Server(uvicorn.Config(app, **common)).run(sockets=[sock])  # type: ignore[arg-type]
        return 0
    app.state.gigbag.db.dispose()
    os.environ[ARGV_ENV] = json.dumps(argv)
    from uvicorn.supervisors import Multiprocess

    config_workers = uvicorn.Config(ASGI_APP, workers=args.workers, **common)  # type: ignore[arg-type]
    Multiprocess(config_workers, sockets=[sock]).run()
    return 0
