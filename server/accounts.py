"""Accounts and sessions: ``POST /v1/accounts``, ``GET /v1/account``, ``GET /v1/signup``, ``POST /v1/sessions``,
``DELETE /v1/sessions/current``.

Sign-up follows the operator's mode (``--signup``): closed (the default: 403 ``signup_closed``; the
operator adds users with ``gigbag-server user add``), by invite (a one-time code, see
:mod:`gigbag.server.invites`) or open.

Passwords are hashed with Argon2id (OWASP's parameters). A session is a device: signing in makes a device with one
random token, stored only as its hash. A wrong email and a wrong password get the same 401 (the
unknown email is checked against a dummy hash, so it takes as long), and repeated failures for one
email are throttled by :mod:`gigbag.server.login_throttle`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from gigbag.schema.wire import (
    ACCOUNT_TERMS_HEADER,
    ERR_EMAIL_TAKEN,
    ERR_INVALID_CREDENTIALS,
    ERR_INVITE_INVALID,
    ERR_INVITE_REQUIRED,
    ERR_SIGNUP_CLOSED,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Account,
    AccountCreate,
    AccountInfo,
    SessionCreate,
    SessionCreated,
    SignupPolicy,
)

from . import invites, login_throttle
from .auth import Authenticated, account_disabled, new_token, token_hash
from .clock import utc_now
from .errors import ApiError, not_found, validation_error
from .quotas import storage_usage
from .responses import error_responses
from .state import server_state
from .tables import devices, user_counters, users
from .text_fields import clean_name
from .tiers import account_limits

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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise validation_error({"password": f"must be at least {MIN_PASSWORD_LENGTH} characters"})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise validation_error({"password": f"must be at most {MAX_PASSWORD_LENGTH} characters"})


@router.get("/signup", response_model=SignupPolicy, summary="Does this server take new accounts, and how?")
def signup_policy(request: Request) -> SignupPolicy:
    return SignupPolicy(signup=server_state(request).config.accounts.signup)


@router.post(
    "/accounts",
    status_code=201,
    response_model=Account,
    responses=error_responses(400, 403, 409, 413, 422),
    summary="Create an account (when the server's sign-up is open, or with an invite code)",
)
def create_account(body: AccountCreate, request: Request) -> Account:
    state = server_state(request)
    settings = state.config.accounts
    invite_code = (body.invite or "").strip()
    if settings.signup == "closed":
        raise ApiError(403, ERR_SIGNUP_CLOSED, "This server does not take new accounts; ask its operator.")
    if settings.signup == "invite" and not invite_code:
        raise ApiError(
            403,
            ERR_INVITE_REQUIRED,
            "This server takes new accounts by invitation only: enter the invite code its operator gave you.",
        )
    email = normalize_email(body.email)
    check_password(body.password)
    display_name = clean_name(body.display_name, "display_name")
    password_hash = _hasher.hash(body.password)
    user_id = str(uuid.uuid4())
    now = utc_now()
    try:
        with state.db.write() as conn:
            invite: tuple[str, str] | None = None
            if invite_code:
                invite = invites.usable(conn, invite_code, now)
                if invite is None:
                    raise _invite_invalid()
            tier = invite[1] if invite is not None else settings.signup_tier
            insert_user(conn, user_id, email, display_name, password_hash, tier, now)
            if invite is not None and not invites.use(conn, invite[0], user_id, now):
                raise _invite_invalid()
    except IntegrityError:  # a concurrent request created the same email first
        raise _email_taken() from None
    return Account(user_id=user_id, email=email, display_name=display_name, tier=tier)  # type: ignore[arg-type]


def insert_user(
    conn: Connection, user_id: str, email: str, display_name: str, password_hash: str, tier: str, now: dt.datetime
) -> None:
    """A new account and its sequence counter (raises 409 when the email is taken)."""
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
            tier=tier,
        )
    )
    conn.execute(insert(user_counters).values(user_id=user_id, last_seq=0))


def _email_taken() -> ApiError:
    return ApiError(409, ERR_EMAIL_TAKEN, "An account with this email already exists.")


def _invite_invalid() -> ApiError:
    return ApiError(
        403,
        ERR_INVITE_INVALID,
        "This invite code is not valid: it may be mistyped, used already, revoked or expired. "
        "Ask the server's operator for a new one.",
    )


@router.get(
    "/account",
    response_model=AccountInfo,
    responses=error_responses(401),
    summary="The signed-in account: tier, limits in force, storage used",
)
def account_info(request: Request, response: Response, auth: Authenticated) -> AccountInfo:
    state = server_state(request)
    now = utc_now()
    with state.db.read() as conn:
        row = conn.execute(select(users.c.email, users.c.display_name).where(users.c.id == auth.user_id)).first()
        if row is None:
            raise not_found("This account no longer exists")
        limits = account_limits(conn, state.config, auth.user_id)
        usage = storage_usage(conn, state.config, auth.user_id, now)
    response.headers[ACCOUNT_TERMS_HEADER] = limits.tag()
    return AccountInfo(
        user_id=auth.user_id,
        email=row.email,
        display_name=row.display_name,
        tier=limits.tier,  # type: ignore[arg-type]
        limits=limits.wire(),
        overridden=list(limits.overridden),
        storage=usage,
        token_idle_expiry_seconds=state.config.accounts.token_expiry_seconds,
    )


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
    responses=error_responses(400, 401, 403, 413, 422, 429),
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
            user = conn.execute(
                select(users.c.id, users.c.password_hash, users.c.disabled_at).where(users.c.email == email)
            ).first()
    ok = False
    if len(body.password) <= MAX_PASSWORD_LENGTH:
        try:
            ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, body.password) and user is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    now = utc_now()
    if not ok or user is None:
        with state.db.write() as conn:
            login_throttle.record_failure(conn, key, now, config.login_max_failures, config.login_lockout_seconds)
        raise _invalid_credentials()
    if user.disabled_at is not None:  # the right password: it may learn why it cannot sign in
        raise account_disabled(403)
    token = new_token()
    device_id = str(uuid.uuid4())
    with state.db.write() as conn:
        # A lock-out may have started while the password was checked.
        login_throttle.check_not_locked(conn, key, now)
        login_throttle.clear_failures(conn, key)
        conn.execute(
            insert(devices).values(
                id=device_id,
                user_id=user.id,
                name=device_name,
                token_hash=token_hash(token),
                created_at=now,
                last_used_at=now,
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
