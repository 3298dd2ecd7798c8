"""Widgets and helpers every section shares: icons, search box, paged models, undo commands, field errors.

They live apart from the sections so that each section looks and behaves the same (one confirm
dialog, one way of showing a field's error, one way of paging a large table) and so that a section
written by someone else can reuse them without importing another section.
"""
