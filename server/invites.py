"""One-time sign-up codes: made by the operator (``gigbag-server invite create``), used once by a new account.

A code is 20 characters of an unambiguous alphabet (about 100 bits), shown in groups of five; only its
SHA-256 is stored. It is checked and used up in the transaction that creates the account, with its
row locked, so two sign-ups racing with one code (on any number of server processes) make one account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, or_, select, update

from .tables import invites, users

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 20
DEFAULT_VALID_DAYS = 30


@dataclass(frozen=True)
class Invite:
    id: str
    tier: str
    note: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    used_at: dt.datetime | None
    used_by_email: str | None
    revoked_at: dt.datetime | None

    def state(self, now: dt.datetime) -> str:
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "usable"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))


def code_hash(code: str) -> str:
    """The stored form of a code as typed: case, spaces and dashes do not matter."""
    normalized = "".join(ch for ch in code.upper() if ch not in " -\t")
    return hashlib.sha256(normalized.encode("utf-8", "surrogatepass")).hexdigest()


def create(
    conn: Connection, tier: str, now: dt.datetime, *, valid_days: int | None = DEFAULT_VALID_DAYS, note: str | None
) -> tuple[str, str]:
    """A new invite: (its id, the code to hand over; shown once, never stored)."""
    code = new_code()
    invite_id = secrets.token_hex(4)
    conn.execute(
        invites.insert().values(
            id=invite_id,
            code_hash=code_hash(code),
            tier=tier,
            note=note,
            created_at=now,
            expires_at=None if not valid_days else now + dt.timedelta(days=valid_days),
        )
    )
    return invite_id, code


def list_all(conn: Connection) -> list[Invite]:
    rows = conn.execute(
        select(invites, users.c.email)
        .select_from(invites.outerjoin(users, users.c.id == invites.c.used_by))
        .order_by(invites.c.created_at)
    ).all()
    return [
        Invite(
            id=r.id,
            tier=r.tier,
            note=r.note,
            created_at=r.created_at,
            expires_at=r.expires_at,
            used_at=r.used_at,
            used_by_email=r.email,
            revoked_at=r.revoked_at,
        )
        for r in rows
    ]


def revoke(conn: Connection, id_or_code: str, now: dt.datetime) -> bool:
    """Revoke an unused invite, named by its id or its code; False when there is no such unused invite."""
    result = conn.execute(
        update(invites)
        .where(
            or_(invites.c.id == id_or_code.strip().lower(), invites.c.code_hash == code_hash(id_or_code)),
            invites.c.used_at.is_(None),
            invites.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return result.rowcount > 0


def usable(conn: Connection, code: str, now: dt.datetime) -> tuple[str, str] | None:
    """(id, tier) of the usable invite with this code, its row locked until the transaction ends."""
    query = select(invites.c.id, invites.c.tier).where(
        invites.c.code_hash == code_hash(code),
        invites.c.used_at.is_(None),
        invites.c.revoked_at.is_(None),
        or_(invites.c.expires_at.is_(None), invites.c.expires_at > now),
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else (row.id, row.tier)


def use(conn: Connection, invite_id: str, user_id: str, now: dt.datetime) -> bool:
    """Mark the invite used by the new account; False when another sign-up used it first."""
    result = conn.execute(
        update(invites)
        .where(invites.c.id == invite_id, invites.c.used_at.is_(None), invites.c.revoked_at.is_(None))
        .values(used_at=now, used_by=user_id)
    )
    return result.rowcount == 1
