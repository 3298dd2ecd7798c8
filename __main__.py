"""``python -m gigbag`` is the ``gigbag`` command."""

import sys

from gigbag.app.cli import main

sys.exit(main())
