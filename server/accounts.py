"""Accounts and sessions: ``POST /v1/accounts``, ``POST /v1/sessions``, ``DELETE /v1/sessions/current``.

Passwords are hashed with Argon2id (OWASP's parameters). A session is a device: signing in makes a device with one
random token, stored only as its hash. A wrong email and a wrong password get the same 401 (the
unknown email is checked against a dummy hash, so it takes as long), and repeated failures for one
email are throttled by :mod:`gigbag.server.login_throttle`.
"""

from __future__ import annotations

import hashlib
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Request, Response
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from gigbag.schema.wire import (
    ERR_EMAIL_TAKEN,
    ERR_INVALID_CREDENTIALS,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Account,
    AccountCreate,
    SessionCreate,
    SessionCreated,
)

from . import login_throttle
from .auth import Authenticated, new_token, token_hash
from .clock import utc_now
from .errors import ApiError, validation_error
from .responses import error_responses
from .state import server_state
from .tables import devices, user_counters, users
from .text_fields import clean_name

router = APIRouter(prefix="/v1", tags=["accounts"])

# OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane): about 30 ms a hash, and memory per
# concurrent sign-in stays small. Hashes record their parameters, so raising them later is safe.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("gigbag: a password nobody has")


def normalize_email(raw: str) -> str:
    """The account's email as stored: validated syntax, lowercased; raises a 422 when malformed."""
    if len(raw) > 320:
        raise validation_error({"email": "is too long"})
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise validation_error({"email": f"is not a valid email address ({exc})"}) from None
    return info.normalized.lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise validation_error({"password": f"must be at least {MIN_PASSWORD_LENGTH} characters"})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise validation_error({"password": f"must be at most {MAX_PASSWORD_LENGTH} characters"})


@router.post(
    "/accounts",
    status_code=201,
    response_model=Account,
    responses=error_responses(400, 409, 413, 422),
    summary="Create an account",
)
def create_account(body: AccountCreate, request: Request) -> Account:
    state = server_state(request)
    email = normalize_email(body.email)
    _check_password(body.password)
    display_name = clean_name(body.display_name, "display_name")
    password_hash = _hasher.hash(body.password)
    user_id = str(uuid.uuid4())
    now = utc_now()
    try:
        with state.db.write() as conn:
            taken = conn.execute(select(users.c.id).where(users.c.email == email)).first()
            if taken is not None:
                raise _email_taken()
            conn.execute(
                insert(users).values(
                    id=user_id,
                    email=email,
                    display_name=display_name,
                    password_hash=password_hash,
                    created_at=now,
                )
            )
            conn.execute(insert(user_counters).values(user_id=user_id, last_seq=0))
    except IntegrityError:  # a concurrent request created the same email first
        raise _email_taken() from None
    return Account(user_id=user_id, email=email, display_name=display_name)


def _email_taken() -> ApiError:
    return ApiError(409, ERR_EMAIL_TAKEN, "An account with this email already exists.")


def _invalid_credentials() -> ApiError:
    return ApiError(401, ERR_INVALID_CREDENTIALS, "The email or the password is wrong.")


def _throttle_key(raw_email: str) -> tuple[str, str | None]:
    """The key failed sign-ins are counted under, and the normalized email (None when malformed).

    The key is the SHA-256 of the email as typed (normalized when it can be), so malformed input
    (even NUL characters) is counted like any other, and the table keeps no list of addresses.
    """
    try:
        email: str | None = normalize_email(raw_email)
    except ApiError:
        email = None
    basis = email if email is not None else raw_email.strip().lower()
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest(), email


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionCreated,
    responses=error_responses(400, 401, 413, 422, 429),
    summary="Sign in a device",
)
def create_session(body: SessionCreate, request: Request) -> SessionCreated:
    state = server_state(request)
    config = state.config
    device_name = clean_name(body.device_name, "device_name")
    key, email = _throttle_key(body.email)
    now = utc_now()
    with state.db.read() as conn:
        login_throttle.check_not_locked(conn, key, now)
        user = None
        if email is not None:
            user = conn.execute(select(users.c.id, users.c.password_hash).where(users.c.email == email)).first()
    ok = False
    if len(body.password) <= MAX_PASSWORD_LENGTH:
        try:
            ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, body.password) and user is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    now = utc_now()
    if not ok or user is None:
        with state.db.write() as conn:
            login_throttle.record_failure(
                conn, key, now, config.login_max_failures, config.login_lockout_seconds
            )
        raise _invalid_credentials()
    token = new_token()
    device_id = str(uuid.uuid4())
    with state.db.write() as conn:
        # A lock-out may have started while the password was checked.
        login_throttle.check_not_locked(conn, key, now)
        login_throttle.clear_failures(conn, key)
        conn.execute(
            insert(devices).values(
                id=device_id, user_id=user.id, name=device_name, token_hash=token_hash(token), created_at=now
            )
        )
    request.state.user_id = user.id
    return SessionCreated(token=token, user_id=user.id, device_id=device_id)


@router.delete(
    "/sessions/current",
    status_code=204,
    response_class=Response,
    responses=error_responses(401),
    summary="Sign out: revoke the token in hand",
)
def revoke_session(request: Request, auth: Authenticated) -> Response:
    state = server_state(request)
    with state.db.write() as conn:
        conn.execute(
            update(devices)
            .where(devices.c.id == auth.device_id, devices.c.user_id == auth.user_id)
            .values(token_hash=None, revoked_at=utc_now())
        )
    return Response(status_code=204)
