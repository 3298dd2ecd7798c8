"""``python -m gigbag.server``: the same as the ``gigbag-server`` console script."""

from gigbag.server.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
