"""``gigbag-server``: run the sync server (uvicorn) on SQLite in a data folder or on PostgreSQL.

``gigbag-server user …`` and ``gigbag-server invite …`` are the operator's account commands
(:mod:`gigbag.server.admin_commands`).

Only the standard library is imported before the arguments are parsed, so ``--help`` is quick
and never touches Qt, the desktop app or the database.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
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


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _optional_size(text: str) -> int | None:
    if text.strip().lower() in ("", "0", "off", "none"):
        return None
    return _size(text)


def build_parser() -> argparse.ArgumentParser:
    env = os.environ.get
    p = argparse.ArgumentParser(
        prog="gigbag-server",
        description="The Gigbag sync server: accounts, push/pull of entities, content-addressed files "
        "(with resumable tus uploads). SQLite (WAL) in the data folder by default, PostgreSQL with "
        "--database-url. Several processes may share one PostgreSQL database and blob folder.",
        epilog="Sizes accept units: 1048576, 100MB, 50GB, 2GiB. Every option also reads the environment "
        "variable shown in its help. Accounts: 'gigbag-server user --help', 'gigbag-server invite --help'.",
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
        "(GIGBAG_BLOB_DIR; default DATA_DIR/blobs)",
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
        accounts=account_settings_from_args(args, daily_limit_given=daily_given),
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("user", "invite"):
        from .admin_commands import main as admin_main

        return admin_main(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir is None:
        parser.error("--data-dir is required (or set GIGBAG_SERVER_DATA_DIR)")
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    import uvicorn

    from .app import create_app

    app = create_app(config)
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
        "Gigbag server on http://%s:%s (database: %s; blobs: %s; quota %d bytes per user; daily limit %s)",
        args.host,
        port,
        database,
        config.blobs_path,
        config.storage_quota_bytes,
        config.daily_upload_limit_bytes or "off",
    )
    log.info(
        "sign-up: %s; unused tokens expire after: %s",
        config.accounts.signup,
        f"{config.accounts.token_expiry_days} days" if config.accounts.token_expiry_days else "never",
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=5,
            log_level=args.log_level,
        )
    )
    server.run(sockets=[sock])
    return 0
