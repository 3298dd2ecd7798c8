"""The TLS settings of every sync connection of a process (standard library only, certifi when asked).

Kept apart from :mod:`.client` so that ``gigbag sync``'s quick no-op path (:mod:`gigbag.app.quick_sync`)
verifies a server exactly as the engine's client does, without loading httpx.
"""

from __future__ import annotations

import functools
import os
import ssl


@functools.cache
def tls_context(verified: bool = True) -> ssl.SSLContext:
    """The TLS settings of every client of this process, built once (loading the CA bundle is slow).

    ``verified=False`` is for a plain-http server: a context with no trusted certificate at all, so
    that an https URL reached from such a client fails its handshake rather than going unverified.
    """
    if not verified:
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"), capath=os.environ.get("SSL_CERT_DIR"))
    import certifi

    return ssl.create_default_context(cafile=certifi.where())
