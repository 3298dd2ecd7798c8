"""Schemathesis hooks for the server's OpenAPI run (loaded through ``SCHEMATHESIS_HOOKS``).

tus PATCH bodies are ``application/offset+octet-stream``: raw bytes, sent like octet-stream.
"""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
