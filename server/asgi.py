"""The importable ASGI application, configured from the environment: ``gigbag.server.asgi:app``.

For ``uvicorn gigbag.server.asgi:app --workers 4``, gunicorn with uvicorn workers (``gunicorn -k
uvicorn_worker.UvicornWorker gigbag.server.asgi:app``, with uvicorn-worker installed), or N processes
behind a proxy. Settings are the environment variables of ``gigbag-server --help`` (``GIGBAG_SERVER_DATA_DIR``,
``GIGBAG_DATABASE_URL``, ``GIGBAG_BLOB_STORE``…); ``gigbag-server --workers N`` also hands its
command-line options to its workers through ``GIGBAG_SERVER_ARGV``. Set ``PROMETHEUS_MULTIPROC_DIR``
to an empty folder when running several workers, so ``/metrics`` adds all of them up.
"""

from __future__ import annotations

import json
import logging
import os

from .cli import ARGV_ENV, parse_serve_args

_args, _config = parse_serve_args(json.loads(os.environ.get(ARGV_ENV, "[]")))

from .app import create_app  # noqa: E402 - after the configuration is known
from .blob_store import BlobStoreError  # noqa: E402
from .logs import configure_logging  # noqa: E402

configure_logging(_args.log_level, _args.log_format)
try:
    app = create_app(_config)
except BlobStoreError as exc:
    logging.getLogger("gigbag.server").error("cannot use the blob store: %s", exc)
    raise SystemExit(2) from None
