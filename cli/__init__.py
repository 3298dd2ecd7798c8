"""The entry points, on top of the house: the ``gigbag`` command line and its self-test.

They sit above ``ui/`` so that ``app/`` never imports the desktop: ``gigbag`` with no command opens
the window (``ui.main``), its headless commands call ``app/``. Both start fast: arguments are parsed
before anything heavy (Qt, SQLAlchemy, Alembic, the workspace) is imported.
"""
