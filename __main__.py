"""``python -m gigbag`` is the ``gigbag`` command."""

import sys

from gigbag.cli.main import main

sys.exit(main())
