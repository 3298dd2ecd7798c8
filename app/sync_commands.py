"""The headless sync commands: login, logout, sync, status, conflicts, resolve (backups: backup_commands).

Each takes ``--data-dir DIR`` (the device's data folder) and ``--json`` (machine-readable output
instead of sentences). ``gigbag sync`` exits 0 when done, 2 when conflicts remain for the artist,
1 on failure with the reason, 3 when the sync ran but did not send or receive everything (each file and
item left, with why), 75 when another Gigbag is syncing the same data folder. No Qt is imported here.

Tokens: ``login`` keeps the device token in the system keyring. Where there is none (a headless
machine), it says so; ``--insecure-token-file PATH`` is the explicit fallback that keeps the token
in a file readable only by its owner (mode 0600) — anyone who can read that file can sync as this
device until ``gigbag logout``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the services are imported when a command runs: `gigbag` itself starts fast
    from ..sync.conflicts import ConflictView, Side
    from ..sync.progress import ProgressEvent
    from ..sync.pull import MassDeletion
    from ..sync.summary import SyncSummary
    from .sync_outcome import Incomplete
    from .sync_service import SyncService

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFLICTS = 2
EXIT_BUSY = 75  # sysexits' EX_TEMPFAIL: another Gigbag is syncing this data folder; try again later
EXIT_INCOMPLETE = 3  # the sync ran but did not send or receive everything (app.sync_outcome says what)


def common_options() -> argparse.ArgumentParser:
    """The options every headless command takes: the data folder and JSON output."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="data folder of this device")
    common.add_argument("--json", action="store_true", help="print JSON instead of sentences")
    return common


def register(sub: Any) -> None:
    common = common_options()
    p = sub.add_parser(
        "login",
        parents=[common],
        help="sign this computer in to a sync server",
        description="Sign this computer in to a sync server. The token goes to the system keyring.",
    )
    p.add_argument("--server", required=True, metavar="URL", help="the sync server, e.g. https://sync.example.org")
    p.add_argument("--email", required=True, metavar="EMAIL")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--create-account", action="store_true", help="create the account first")
    p.add_argument("--display-name", metavar="NAME", help="the new account's name (with --create-account)")
    p.add_argument(
        "--invite",
        metavar="CODE",
        help="the invite code from the server's operator (with --create-account, on a server that "
        "takes new accounts by invite)",
    )
    p.add_argument("--device-name", metavar="NAME", help="how this computer is listed on the server")
    p.add_argument(
        "--insecure-token-file",
        metavar="PATH",
        type=Path,
        help="only where no system keyring exists: keep the token in PATH (mode 0600) instead",
    )
    p.set_defaults(handler=run_login)

    p = sub.add_parser("logout", parents=[common], help="sign out: revoke and forget this computer's token")
    p.set_defaults(handler=run_logout)

    p = sub.add_parser(
        "sync",
        parents=[common],
        help="sync with the server now",
        description="Push local changes, pull the server's, merge, and transfer files. "
        "Exit 0: done; 2: conflicts remain (see `gigbag conflicts`); 3: incomplete (some files or changes "
        "were not sent or received; they are listed, with why); 1: failed; "
        "75: another Gigbag is syncing this data folder.",
    )
    p.add_argument("--yes", action="store_true", help="go ahead even if the server's changes delete most local data")
    p.set_defaults(handler=run_sync)

    p = sub.add_parser("status", parents=[common], help="signed-in server, pending changes, conflicts, last sync")
    p.set_defaults(handler=run_status)

    p = sub.add_parser("conflicts", parents=[common], help="list the conflicts waiting for your decision")
    p.set_defaults(handler=run_conflicts)

    p = sub.add_parser(
        "resolve",
        parents=[common],
        help="resolve a conflict: keep mine, take theirs, or choose per field",
        description="Resolve a conflict. --mine/--theirs choose for every conflicting field; "
        "--field NAME=mine|theirs chooses for one field (repeatable). The result syncs like any edit.",
    )
    p.add_argument("conflict_id", metavar="ID", help="the conflict's id (or a unique beginning of it)")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--mine", dest="side", action="store_const", const="mine", help="keep this computer's side")
    side.add_argument("--theirs", dest="side", action="store_const", const="theirs", help="take the server's side")
    p.add_argument("--field", action="append", default=[], metavar="NAME=SIDE", help="choose per field")
    p.set_defaults(handler=run_resolve)


# ---- output ------------------------------------------------------------------------------------
def _emit(args: argparse.Namespace, text: str, payload: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(text)


def _fail(args: argparse.Namespace, reason: str) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": reason}, ensure_ascii=False, indent=2))
    else:
        print(f"gigbag: {reason}", file=sys.stderr)
    return EXIT_FAILED


def _with_service(args: argparse.Namespace, action: Callable[[SyncService], int]) -> int:
    from ..sync.errors import QuotaExceeded, SyncError
    from .sync_service import SyncService
    from .sync_words import account_code_text, quota_text
    from .workspace import Workspace

    with Workspace.open(args.data_dir) as ws:
        try:
            return action(SyncService(ws))
        except QuotaExceeded as exc:
            return _fail(args, quota_text(exc))
        except SyncError as exc:
            return _fail(args, account_code_text(exc) or str(exc))


# ---- commands ----------------------------------------------------------------------------------
def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass("Password: ")


def run_login(args: argparse.Namespace) -> int:
    if args.invite and not args.create_account:
        return _fail(args, "--invite is for creating an account: add --create-account")

    def action(svc: SyncService) -> int:
        info = svc.sign_in(
            args.server,
            args.email,
            _password(args),
            create_account=args.create_account,
            display_name=args.display_name,
            device_name=args.device_name,
            token_file=args.insecure_token_file,
            invite=args.invite,
        )
        where = f" (token kept in {info.token_file})" if info.token_file else ""
        _emit(
            args,
            f"Signed in to {info.server_url} as {info.email}{where}. Run `gigbag sync` to sync.",
            {
                "ok": True,
                "server_url": info.server_url,
                "email": info.email,
                "user_id": info.user_id,
                "device_id": info.device_id,
                "token_file": info.token_file,
            },
        )
        return EXIT_OK

    return _with_service(args, action)


def run_logout(args: argparse.Namespace) -> int:
    def action(svc: SyncService) -> int:
        revoked = svc.sign_out()
        text = (
            "Signed out; the server revoked this computer's token."
            if revoked
            else "Signed out on this computer, but the server could not be told: the token stays valid there "
            "until this device is removed from the account."
        )
        _emit(args, text, {"ok": True, "revoked": revoked})
        return EXIT_OK

    return _with_service(args, action)


def _progress_printer(args: argparse.Namespace) -> Callable[[ProgressEvent], None] | None:
    if args.json or not sys.stderr.isatty():
        return None
    from .formatting import format_bytes

    def show(event: ProgressEvent) -> None:
        if event.bytes_total:
            of = f"{format_bytes(event.bytes_done)} of {format_bytes(event.bytes_total)}"
            line = f"{event.phase}: {event.name} {of}" if event.name else f"{event.phase}: {of}"
        elif event.total:
            line = f"{event.phase}: {event.done} of {event.total}"
        else:
            line = f"{event.phase}: {event.done}"
        print(f"\r{line:<60}", end="", file=sys.stderr, flush=True)
        if event.phase == "done":
            print(file=sys.stderr)

    return show


def _confirm(args: argparse.Namespace) -> Callable[[MassDeletion], bool]:
    from .sync_words import group_deletions

    def confirm(deletion: MassDeletion) -> bool:
        if args.yes:
            return True
        if args.json or not sys.stdin.isatty():
            return False
        for group, labels in group_deletions(deletion.items):
            shown = ", ".join(labels[:10]) + (", …" if len(labels) > 10 else "")
            print(f"  {group}: {shown}", file=sys.stderr)
        answer = input(
            f"The server's changes delete {deletion.deletions} of the {deletion.total} items on this computer. "
            "Go ahead? [y/N] "
        )
        return answer.strip().lower() in ("y", "yes")

    return confirm


# What a sync where nothing needed syncing says (app.sync_words.summary_text; a test pins the two together).
NOTHING_TO_SYNC = "Everything was already up to date"


def _report_sync(args: argparse.Namespace, summary: SyncSummary, counts: str, undone: Incomplete | None) -> int:
    """Print what a finished sync did (sentences or --json) and return its exit code."""
    from .formatting import format_bytes

    lines = [f"Sync {'done' if undone is None else 'incomplete'}: {counts[:1].lower()}{counts[1:]}."]
    if summary.uploaded_files:
        lines.append(f"Uploaded ({format_bytes(summary.bytes_up)}): {', '.join(summary.uploaded_files)}")
    if summary.downloaded_files:
        lines.append(f"Downloaded ({format_bytes(summary.bytes_down)}): {', '.join(summary.downloaded_files)}")
    if summary.reuploaded_files:
        lines.append(f"Sent again (the server had lost them): {', '.join(summary.reuploaded_files)}")
    if summary.orphans:
        lines.append(f"{len(summary.orphans)} item(s) whose parent was deleted elsewhere were moved out or removed.")
    if summary.missing_files:
        lines.append(f"{len(summary.missing_files)} file(s) are neither on this computer nor on the server.")
    if summary.open_conflicts:
        lines.append(
            f"{summary.open_conflicts} conflict(s) need your decision: see `gigbag conflicts`, "
            "then `gigbag resolve ID --mine|--theirs`."
        )
    else:
        lines.append("No conflicts.")
    if undone is not None:
        lines += [undone.headline, *(f"  {line}" for line in undone.lines), undone.advice]
    _emit(args, "\n".join(lines), {"ok": True, **summary.to_dict()})
    if undone is not None:
        return EXIT_INCOMPLETE
    return EXIT_CONFLICTS if summary.open_conflicts else EXIT_OK


def _interrupted(args: argparse.Namespace) -> int:
    return _fail(args, "interrupted; nothing was lost, the next sync continues where this one stopped")


def run_sync(args: argparse.Namespace) -> int:
    # A sync with nothing to do is proven and done without loading the engine (app.quick_sync);
    # whatever it cannot prove, the full sync below does.
    from .quick_sync import quick_noop_sync

    try:
        quick = quick_noop_sync(getattr(args, "data_dir", None), _progress_printer(args))
    except KeyboardInterrupt:
        return _interrupted(args)
    if quick is not None:
        return _report_sync(args, quick, NOTHING_TO_SYNC, None)
    return _full_sync(args)


def _full_sync(args: argparse.Namespace) -> int:
    from .sync_lock import SyncBusy
    from .sync_outcome import incomplete
    from .sync_words import summary_text

    def action(svc: SyncService) -> int:
        try:
            summary = svc.sync(progress=_progress_printer(args), confirm_mass_delete=_confirm(args))
        except KeyboardInterrupt:
            return _interrupted(args)
        except SyncBusy as exc:
            _fail(args, str(exc))
            return EXIT_BUSY
        return _report_sync(args, summary, summary_text(summary, summary.unsent), incomplete(summary))

    return _with_service(args, action)


def run_status(args: argparse.Namespace) -> int:
    from .account_terms import terms_text
    from .formatting import format_local_time

    def action(svc: SyncService) -> int:
        st = svc.status()
        if st.signed_in:
            head = f"Signed in to {st.server_url} as {st.email}."
        elif st.server_url:
            head = f"Not signed in (last used {st.server_url} as {st.email})."
        else:
            head = "Not signed in to a sync server."
        lines = [
            head,
            f"Pending local changes: {st.pending_changes}",
            f"Conflicts: {st.conflicts}",
            f"Last sync: {format_local_time(st.last_sync_at)}",
        ]
        terms = svc.account_terms()
        if terms is not None:
            lines.append(terms_text(terms))
        if st.unfinished_batches:
            lines.append(f"An interrupted push will be completed by the next sync ({st.unfinished_batches} batch).")
        if st.files_missing:
            lines.append(f"Files whose content is not on this computer yet: {st.files_missing}")
        if st.cloud_only_files:
            lines.append(f"Cloud-only files: {st.cloud_only_files}")
        _emit(args, "\n".join(lines), {"ok": True, **st.__dict__})
        return EXIT_OK

    return _with_service(args, action)


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 70 else text[:67] + "…"


def _conflict_dict(c: ConflictView) -> dict[str, Any]:
    return {
        "id": c.id,
        "entity_type": c.entity_type,
        "entity_id": c.entity_id,
        "kind": c.kind,
        "label": c.label,
        "created_at": c.created_at,
        "fields": [{"name": f.name, "mine": f.mine, "theirs": f.theirs, "base": f.base} for f in c.fields],
    }


def _surviving_lines(c: ConflictView, rows: list[tuple[str, str]]) -> list[str]:
    """A delete-vs-edit conflict's version that still exists, field by field (labels and values in words)."""
    if not rows:
        return []
    where = "on the other computer" if c.kind == "deleted_here" else "on this computer"
    lines = [f"    The version that still exists ({where}):"]
    for label, text in rows:
        one_line = " ".join(text.split())
        lines.append(f"      {label}: {one_line if len(one_line) <= 70 else one_line[:69] + '…'}")
    return lines


def run_conflicts(args: argparse.Namespace) -> int:
    def action(svc: SyncService) -> int:
        found = svc.conflicts()
        surviving = {d.view.id: d.surviving_rows() for d in svc.conflict_details()}
        lines = [f"{len(found)} conflict(s)." if found else "No conflicts."]
        for c in found:
            lines.append(f"{c.id}  {c.describe()}")
            for f in c.fields:
                lines.append(f"    {f.name}: mine {_value(f.mine)}  |  theirs {_value(f.theirs)}")
            lines.extend(_surviving_lines(c, surviving.get(c.id, [])))
        payload = [{**_conflict_dict(c), "surviving": dict(surviving.get(c.id, []))} for c in found]
        _emit(args, "\n".join(lines), {"ok": True, "conflicts": payload})
        return EXIT_OK

    return _with_service(args, action)


def run_resolve(args: argparse.Namespace) -> int:
    def action(svc: SyncService) -> int:
        fields: dict[str, Side] = {}
        for item in args.field:
            name, sep, side = item.partition("=")
            if not sep or side not in ("mine", "theirs"):
                return _fail(args, f"--field takes NAME=mine or NAME=theirs, not {item!r}")
            fields[name.strip()] = side  # type: ignore[assignment]
        if args.side is None and not fields:
            return _fail(args, "choose --mine, --theirs or --field NAME=mine|theirs")
        resolved = svc.resolve(args.conflict_id, args.side, fields)
        _emit(
            args,
            f"Resolved {resolved.entity_type.replace('_', ' ')} “{resolved.label}”; the next sync sends it.",
            {"ok": True, "resolved": _conflict_dict(resolved)},
        )
        return EXIT_OK

    return _with_service(args, action)
