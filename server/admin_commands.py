"""``gigbag-server user …`` and ``gigbag-server invite …``: the operator's accounts, from a shell.

They open the database the server uses, found the way ``gigbag-server`` finds it (``--data-dir`` /
``--database-url`` or their environment variables), and work while the server runs. Give them the
same tier options (or environment) as the server, so the limits they show are the ones in force.
A secret they make (a password, an invite code) is printed alone on standard output, and the
sentence about it on standard error, so ``CODE=$(gigbag-server invite create)`` works.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from gigbag.schema.tiers import DEFAULT_TIER, TIERS

from .account_options import account_settings_from_args, add_account_options
from .config import DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_STORAGE_QUOTA_BYTES, ServerConfig, parse_size

USAGE_ERROR = 2


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _size_or_tier(text: str) -> int | None:
    """A per-account limit: a size, or ``tier`` (None) to go back to the tier's."""
    return None if text.strip().lower() in ("tier", "default") else _size(text)


def _where(p: argparse.ArgumentParser) -> None:
    env = os.environ.get
    g = p.add_argument_group("the server's database (as for gigbag-server)")
    g.add_argument(
        "--data-dir",
        type=Path,
        default=env("GIGBAG_SERVER_DATA_DIR"),
        help="the server's data folder (GIGBAG_SERVER_DATA_DIR)",
    )
    g.add_argument(
        "--database-url",
        default=env("GIGBAG_DATABASE_URL"),
        help="postgresql://… when the server uses PostgreSQL (GIGBAG_DATABASE_URL)",
    )
    g.add_argument(
        "--blob-dir",
        type=Path,
        default=env("GIGBAG_BLOB_DIR"),
        help="the server's blob folder (GIGBAG_BLOB_DIR; default DATA_DIR/blobs)",
    )
    g.add_argument(
        "--storage-quota",
        type=_size,
        default=_size(env("GIGBAG_STORAGE_QUOTA", str(DEFAULT_STORAGE_QUOTA_BYTES))),
        help="as for gigbag-server (GIGBAG_STORAGE_QUOTA)",
    )
    g.add_argument(
        "--daily-upload-limit",
        default=env("GIGBAG_DAILY_UPLOAD_LIMIT"),
        help="as for gigbag-server (GIGBAG_DAILY_UPLOAD_LIMIT)",
    )
    g.add_argument(
        "--max-upload-size",
        type=_size,
        default=_size(env("GIGBAG_MAX_UPLOAD_SIZE", str(DEFAULT_MAX_UPLOAD_BYTES))),
        help="as for gigbag-server (GIGBAG_MAX_UPLOAD_SIZE)",
    )
    add_account_options(p, signup=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gigbag-server", description="The operator's accounts and invites.")
    groups = parser.add_subparsers(dest="group", required=True)

    user = groups.add_parser("user", help="add, list, disable, limit or delete accounts")
    users = user.add_subparsers(dest="command", required=True)

    def cmd(name: str, help_text: str, *, email: bool = True) -> argparse.ArgumentParser:
        p = users.add_parser(name, help=help_text, description=help_text)
        if email:
            p.add_argument("email")
        _where(p)
        return p

    p = cmd("add", "create an account (prints a new password unless --password-stdin)")
    p.add_argument("--display-name", help="the name shown to the artist (default: the email's local part)")
    p.add_argument("--tier", choices=TIERS, default=DEFAULT_TIER, help=f"(default {DEFAULT_TIER})")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p = cmd("list", "every account: tier, storage used and limit, devices, last sync", email=False)
    p.add_argument("--json", action="store_true", help="one JSON array, for scripts")
    cmd("disable", "refuse the account's tokens and sign-ins (401/403 account_disabled); data is kept")
    cmd("enable", "let a disabled account sync again")
    p = cmd("reset-password", "set a new password (prints one unless --password-stdin); signs every device out")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p = cmd("set-tier", "move the account to another tier")
    p.add_argument("tier", choices=TIERS)
    p = cmd("set-quota", "the account's own limits, which win over its tier's ('tier': back to the tier's)")
    p.add_argument("size", type=_size_or_tier, help="storage quota, e.g. 20GB, or 'tier'")
    p.add_argument(
        "--daily", type=_size_or_tier, default=argparse.SUPPRESS, help="daily upload limit, e.g. 500MB, or 'tier'"
    )
    p.add_argument(
        "--max-file", type=_size_or_tier, default=argparse.SUPPRESS, help="largest single file, e.g. 4GB, or 'tier'"
    )
    p = cmd("sessions", "the account's devices (signed-in tokens): active, expired or revoked")
    p.add_argument("--json", action="store_true")
    p = cmd("revoke", "sign out every device of the account, or one")
    p.add_argument("--device", help="the device id (from 'user sessions')")
    p = cmd("delete", "delete the account, its entities and tokens, and the files no other account has")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    invite = groups.add_parser("invite", help="one-time sign-up codes (with --signup invite)")
    invites_ = invite.add_subparsers(dest="command", required=True)
    p = invites_.add_parser("create", help="make a one-time code and print it")
    p.add_argument(
        "--tier", choices=TIERS, default=DEFAULT_TIER, help=f"the new account's tier (default {DEFAULT_TIER})"
    )
    p.add_argument("--days", type=int, default=30, help="the code stops working after this many days (0: never)")
    p.add_argument("--note", help="a note shown by 'invite list' (e.g. who it is for)")
    _where(p)
    p = invites_.add_parser("list", help="every invite: usable, used (by whom), revoked or expired")
    p.add_argument("--json", action="store_true")
    _where(p)
    p = invites_.add_parser("revoke", help="make an unused code unusable")
    p.add_argument("invite", help="the invite's id (from 'invite list') or its code")
    _where(p)
    return parser


def _config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ServerConfig:
    if args.data_dir is None and not args.database_url:
        parser.error("--data-dir is required (or set GIGBAG_SERVER_DATA_DIR), as for gigbag-server")
    daily_given = args.daily_upload_limit is not None
    daily: int | None = None
    try:
        if daily_given and args.daily_upload_limit.strip().lower() not in ("", "0", "off", "none"):
            daily = parse_size(args.daily_upload_limit)
        accounts = account_settings_from_args(args, daily_limit_given=daily_given)
    except ValueError as exc:
        parser.error(str(exc))
    data_dir = Path(args.data_dir or ".").expanduser().resolve()
    return ServerConfig(
        data_dir=data_dir,
        database_url=args.database_url or None,
        blob_dir=Path(args.blob_dir).expanduser().resolve() if args.blob_dir else None,
        storage_quota_bytes=args.storage_quota,
        daily_upload_limit_bytes=daily,
        max_upload_bytes=args.max_upload_size,
        accounts=accounts,
    )


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _human(n: int | None) -> str:
    from .quotas import human_size

    return "no limit" if n is None else human_size(n)


def _read_password() -> str:
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = _config(parser, args)
    from .account_admin import AdminError
    from .database import migrate, open_database

    db = open_database(config)
    try:
        migrate(db, config.data_dir if db.is_sqlite else None)
        if args.group == "invite":
            return _invite(args, db)
        return _user(args, db, config)
    except AdminError as exc:
        _say(f"gigbag-server: {exc}")
        return 1
    finally:
        db.dispose()


def _user(args: argparse.Namespace, db: Any, config: ServerConfig) -> int:
    from . import account_admin as admin
    from .blob_files import BlobFiles
    from .clock import utc_now

    now = utc_now()
    command = args.command
    if command == "add":
        password = _read_password() if args.password_stdin else secrets.token_urlsafe(12)
        admin.add_user(db, args.email, args.display_name, password, args.tier, now)
        _say(f"Created the account {args.email} (tier {args.tier}).")
        if not args.password_stdin:
            _say("Its password (shown once; hand it over safely):")
            print(password)
    elif command == "list":
        summaries = admin.list_users(db, config)
        if args.json:
            print(json.dumps([_user_json(s) for s in summaries], indent=2))
        elif not summaries:
            _say("No accounts yet: add one with 'gigbag-server user add EMAIL'.")
        else:
            rows = [["EMAIL", "TIER", "STORAGE", "DAILY", "DEVICES", "LAST SYNC", "STATE"]]
            for s in summaries:
                rows.append(
                    [
                        s.email,
                        s.tier,
                        f"{_human(s.used_bytes)} / {_human(s.limits.storage_quota_bytes)}",
                        _human(s.limits.daily_upload_limit_bytes),
                        str(s.devices),
                        _when(s.last_sync_at) or "never",
                        "disabled" if s.disabled else "active",
                    ]
                )
            _print_table(rows)
    elif command in ("disable", "enable"):
        admin.set_disabled(db, args.email, command == "disable", now)
        _say(f"{args.email} is {command}d.")
    elif command == "reset-password":
        password = _read_password() if args.password_stdin else secrets.token_urlsafe(12)
        revoked = admin.reset_password(db, args.email, password, now)
        _say(f"New password set for {args.email}; {revoked} device(s) signed out.")
        if not args.password_stdin:
            print(password)
    elif command == "set-tier":
        admin.set_tier(db, args.email, args.tier)
        _say(f"{args.email} is now on the {args.tier} tier.")
    elif command == "set-quota":
        limits: dict[str, Any] = {"storage_quota": args.size}
        if hasattr(args, "daily"):
            limits["daily_upload_limit"] = args.daily
        if hasattr(args, "max_file"):
            limits["max_file"] = args.max_file
        admin.set_limits(db, args.email, **limits)
        _say(
            f"Limits of {args.email} set: "
            + ", ".join(f"{k.replace('_', ' ')} {'(tier)' if v is None else _human(v)}" for k, v in limits.items())
        )
    elif command == "sessions":
        found = admin.sessions(db, config, args.email, now)
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "device_id": s.device_id,
                            "name": s.name,
                            "created_at": _when(s.created_at),
                            "last_used_at": _when(s.last_used_at),
                            "last_sync_at": _when(s.last_sync_at),
                            "state": s.state,
                        }
                        for s in found
                    ],
                    indent=2,
                )
            )
        elif not found:
            _say(f"{args.email} has never signed in.")
        else:
            rows = [["DEVICE", "NAME", "SIGNED IN", "LAST USED", "LAST SYNC", "STATE"]]
            rows += [
                [
                    s.device_id,
                    s.name,
                    _when(s.created_at) or "",
                    _when(s.last_used_at) or "-",
                    _when(s.last_sync_at) or "never",
                    s.state,
                ]
                for s in found
            ]
            _print_table(rows)
    elif command == "revoke":
        n = admin.revoke(db, args.email, now, args.device)
        _say(f"{n} device(s) of {args.email} signed out.")
    elif command == "delete":
        if not args.yes:
            if not sys.stdin.isatty():
                raise admin.AdminError("deleting an account cannot be undone: add --yes to confirm")
            answer = input(f"Delete {args.email} and all its data? Type the email to confirm: ")
            if answer.strip().lower() != args.email.strip().lower():
                _say("Nothing deleted.")
                return 1
        files = BlobFiles(config.blobs_path)
        done = admin.delete_user(
            db,
            args.email,
            remove_blob=lambda sha: files.path(sha).unlink(missing_ok=True),
            remove_partial=lambda upload_id: files.partial_path(upload_id).unlink(missing_ok=True),
        )
        _say(
            f"Deleted {args.email}: {done.entities} entities, {done.devices} device(s), "
            f"{len(done.blobs_removed)} file(s) removed, {done.blobs_kept} kept (other accounts have them)."
        )
    return 0


def _user_json(s: Any) -> dict[str, Any]:
    return {
        "email": s.email,
        "display_name": s.display_name,
        "tier": s.tier,
        "disabled": s.disabled,
        "created_at": _when(s.created_at),
        "storage_used_bytes": s.used_bytes,
        "storage_quota_bytes": s.limits.storage_quota_bytes,
        "daily_upload_limit_bytes": s.limits.daily_upload_limit_bytes,
        "max_file_bytes": s.limits.max_file_bytes,
        "overridden": list(s.limits.overridden),
        "devices": s.devices,
        "last_sync_at": _when(s.last_sync_at),
    }


def _invite(args: argparse.Namespace, db: Any) -> int:
    from . import invites
    from .account_admin import AdminError
    from .clock import utc_now

    now = utc_now()
    if args.command == "create":
        with db.write() as conn:
            invite_id, code = invites.create(conn, args.tier, now, valid_days=args.days or None, note=args.note)
        until = f"for {args.days} days" if args.days else "with no end date"
        _say(f"Invite {invite_id} (tier {args.tier}) made; usable once, {until}. The code:")
        print(code)
    elif args.command == "list":
        with db.read() as conn:
            found = invites.list_all(conn)
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "id": i.id,
                            "tier": i.tier,
                            "note": i.note,
                            "state": i.state(now),
                            "created_at": _when(i.created_at),
                            "expires_at": _when(i.expires_at),
                            "used_at": _when(i.used_at),
                            "used_by": i.used_by_email,
                        }
                        for i in found
                    ],
                    indent=2,
                )
            )
        elif not found:
            _say("No invites yet: make one with 'gigbag-server invite create'.")
        else:
            rows = [["ID", "TIER", "STATE", "CREATED", "EXPIRES", "USED BY", "NOTE"]]
            rows += [
                [
                    i.id,
                    i.tier,
                    i.state(now),
                    _when(i.created_at) or "",
                    _when(i.expires_at) or "never",
                    i.used_by_email or "",
                    i.note or "",
                ]
                for i in found
            ]
            _print_table(rows)
    elif args.command == "revoke":
        with db.write() as conn:
            if not invites.revoke(conn, args.invite, now):
                raise AdminError(f"no unused invite {args.invite!r} (see 'gigbag-server invite list')")
        _say(f"Invite {args.invite} revoked.")
    return 0
