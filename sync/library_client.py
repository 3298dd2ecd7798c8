"""The desktop's client of the shared library routes (``/v1/library``), built on :class:`SyncClient`.

It reuses the sync client's connection, token and retry loop (composition: the library is another
set of routes of the same server, not another connection) and adds one method per route: a page of
changes after a cursor, the account's tier, and streamed downloads of a preview or a full file from
a byte offset. A refusal arrives as the sync client's errors, with the server's sentence and code
(``pro_only`` for a pro-only file and a free tier).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from ..schema.wire import AccountInfo, LibraryPage
from .client import SyncClient
from .http_import import httpx

Download = Literal["preview", "file"]


class LibraryClient:
    """The library routes of one signed-in connection (the ``SyncClient`` stays the caller's to close)."""

    def __init__(self, client: SyncClient) -> None:
        self.client = client

    def page(self, since: int, limit: int | None = None) -> LibraryPage:
        doing = "reading the shared library"
        params: dict[str, int] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        response = self.client._send("GET", "/v1/library", doing, params=params)
        return LibraryPage.model_validate(self.client._json(response, doing))

    def pages(self, since: int) -> Iterator[LibraryPage]:
        """Every page after ``since`` until the server says there is no more."""
        while True:
            page = self.page(since)
            yield page
            if not page.has_more or page.cursor <= since:
                return
            since = page.cursor

    def account(self) -> AccountInfo:
        doing = "reading the account"
        response = self.client._send("GET", "/v1/account", doing)
        return AccountInfo.model_validate(self.client._json(response, doing))

    @contextmanager
    def download(self, track_id: str, what: Download, offset: int = 0) -> Iterator[httpx.Response]:
        """A streaming GET of a track's preview or full file from ``offset`` (status 200 or 206)."""
        doing = "downloading a library preview" if what == "preview" else "downloading a library track"
        headers = {"Range": f"bytes={offset}-"} if offset else None
        response = self.client._send(
            "GET", f"/v1/library/{track_id}/{what}", doing, ok=(200, 206), headers=headers, stream=True
        )
        try:
            yield response
        finally:
            response.close()
