"""The sidebar's sections (Portfolio, Tracks, Files, Goals, Patterns, Timeline, Journal, Contacts).

The sections are screens: each module holds one :class:`gigbag.ui.section.Section` subclass (and
``portfolio_fields`` the Portfolio form's list of fields); the main window imports them by name and
shows them in a stacked widget. The models, players and editors they are built from live in
``ui/widgets/``; what they do with data is asked of ``app/``.
"""
