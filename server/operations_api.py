"""The operator's routes: ``/v1/health`` (the process answers), ``/v1/ready`` (it can serve), ``/metrics``.

A load balancer or an orchestrator sends traffic to a process only while ``/v1/ready`` answers 200:
the database answers a query and the blob store answers (the bucket exists and the credentials
are accepted, or the folder is writable). Otherwise it answers 503 with the reason of each part.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text

from gigbag.schema.wire import PROTOCOL_VERSION, Health

from .responses import SafeJSONResponse
from .state import server_state

router = APIRouter()


class Readiness(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["ready", "unavailable"]
    database: str  # "ok" or the reason it does not answer
    blob_store: str


@router.get("/v1/health", response_model=Health, tags=["service"], summary="Is the server process up?")
def health() -> Health:
    return Health(status="ok", protocol=PROTOCOL_VERSION)


def _reason(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300] or type(exc).__name__


@router.get(
    "/v1/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "The database or the blob store does not answer"}},
    tags=["service"],
    summary="Can this process serve requests (database and blob store answer)?",
)
def ready(request: Request) -> Response:
    state = server_state(request)
    database = blob_store = "ok"
    try:
        with state.db.read() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
    except Exception as exc:
        database = _reason(exc)
    try:
        state.files.check()
    except Exception as exc:
        blob_store = _reason(exc)
    ok = database == "ok" and blob_store == "ok"
    body = Readiness(status="ready" if ok else "unavailable", database=database, blob_store=blob_store)
    return SafeJSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get("/metrics", include_in_schema=False)
def metrics_page(request: Request) -> Response:
    content, media_type = server_state(request).metrics.render()
    return Response(content=content, media_type=media_type)
