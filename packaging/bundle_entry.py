"""The bundle's executable: the ``gigbag`` command of the installed package, frozen by PyInstaller."""

import sys

from gigbag.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
