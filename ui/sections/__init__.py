"""The sidebar's sections (Portfolio, Tracks, Files, Goals, Patterns, Timeline, Journal, Contacts).

Each module holds one :class:`gigbag.ui.section.Section` subclass; the main window imports them by
name and shows them in a stacked widget.
"""
