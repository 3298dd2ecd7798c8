"""Sync in the desktop app: the Sync button, progress, conflicts, sign-in and sign-out (issue 6)."""

from .sync_ui import SyncUi, install_sync_ui

__all__ = ["SyncUi", "install_sync_ui"]
