"""The sync protocol's version, headers and page size, with nothing but the standard library.

:mod:`.wire` re-exports these with the messages; ``gigbag sync``'s quick no-op path
(:mod:`gigbag.app.quick_sync`) reads them here, so it sends the very request the engine sends
without loading pydantic.
"""

from __future__ import annotations

PROTOCOL_VERSION = 5
# Every push and pull carries the protocol the client speaks; the server answers with its own in the same
# header. A request without it, or with another version, is refused with ERR_PROTOCOL_OUTDATED.
PROTOCOL_HEADER = "Gigbag-Protocol"
# Protocol 5 raised this from 1000: each page costs both sides a request, a transaction's statements and the
# turns of the two client threads (about 5 ms a page); a 20,000-entity first download is 4 pages, not 20
# (docs/sync-protocol.md, "Version history"). A page also ends at MAX_PULL_PAGE_BYTES (wire.py).
MAX_PULL_LIMIT = 5000
PULL_PATH = "/v1/sync/pull"
# A pull whose Accept header names this media type is answered framed as lines (docs/sync-protocol.md,
# "Pull"): a header line, then each change's data JSON text on its own line, which the receiver hashes as it
# came. Any other Accept gets the JSON PullResponse.
PULL_LINES_MEDIA_TYPE = "application/vnd.gigbag.pull-lines"
PULL_ACCEPT = f"{PULL_LINES_MEDIA_TYPE}, application/json"  # the engine's pull (an error answer is JSON)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header's value, lower case, without its parameters ("" for none)."""
    return (content_type or "").partition(";")[0].strip().lower()


# Pull pages and GET /v1/account carry a short fingerprint of the account's tier and limits in force, so a
# sync learns that the operator changed them without asking GET /v1/account on every sync.
ACCOUNT_TERMS_HEADER = "Gigbag-Account-Terms"
