"""Bearer tokens: made at sign-in, stored only as SHA-256, resolved to (user, device) per request.

Every route but health, schema, account creation and sign-in depends on :func:`require_device`;
an unknown, revoked or malformed token gets the same 401.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from gigbag.schema.wire import ERR_UNAUTHORIZED

from .errors import ApiError
from .state import server_state
from .tables import devices

bearer_scheme = HTTPBearer(auto_error=False, description="The token returned by POST /v1/sessions")

MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class DeviceAuth:
    user_id: str
    device_id: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unauthorized() -> ApiError:
    return ApiError(
        401,
        ERR_UNAUTHORIZED,
        "Sign in first: this request needs a valid token (Authorization: Bearer <token>).",
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_device(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> DeviceAuth:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    token = credentials.credentials.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise unauthorized()
    state = server_state(request)
    with state.db.read() as conn:
        row = conn.execute(
            select(devices.c.id, devices.c.user_id).where(
                devices.c.token_hash == token_hash(token), devices.c.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        raise unauthorized()
    request.state.user_id = row.user_id
    return DeviceAuth(user_id=row.user_id, device_id=row.id)


# The parameter type of every route that needs a signed-in device.
Authenticated = Annotated[DeviceAuth, Depends(require_device)]
