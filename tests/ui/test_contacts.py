"""The Contacts section driven through its widgets: lists, members, opt-in flags, CSV in and out, undo."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gigbag.app.workspace import Workspace
from gigbag.ui.context import UiContext
from gigbag.ui.sections.contacts import ContactsSection
from tests.ui.widget_actions import click, type_into

CSV_GOOD = (
    "name,email,phone,opted_in_email,opted_in_sms\n"
    "Ana Rodríguez,ana@example.com,+47 912 34 567,yes,no\n"
    "Bjørn Hansen,bjorn@example.no,,yes,yes\n"
    "David Olsen,,+47 930 11 222,,no\n"
)
CSV_BAD = (
    "name,email,phone,opted_in_email,opted_in_sms\n"
    "Ana,ana@example.com,,yes,no\n"
    "Broken,not-an-email,,yes,yes\n"
    "Carla,carla@example.com,,maybe,no\n"
)


@pytest.fixture
def section(qtbot, ctx: UiContext, idle: Callable[..., None]) -> ContactsSection:  # type: ignore[no-untyped-def]
    s = ContactsSection(ctx)
    qtbot.addWidget(s)
    s.resize(1300, 850)
    s.show()
    idle()
    return s


def member_names(section: ContactsSection) -> list[str]:
    return [section.members_model.index(r, 0).data() for r in range(section.members_model.rowCount())]


def open_list(
    section: ContactsSection, ctx: UiContext, idle: Callable[..., None], name: str = "Fans in Oslo", csv_text: str = ""
) -> str:
    ws = ctx.workspace
    contact_list = ws.contact_lists.create({"name": name})
    if csv_text:
        ws.contacts.import_csv(contact_list.id, csv_text)
    ctx.events.emit_changed("contact_lists", "contact_list_members")
    idle()
    row = [i for i, c in enumerate(section.lists_model.records()) if c.name == name][0]
    section.lists.view.selectRow(row)
    idle()
    return contact_list.id


def test_make_a_list_then_add_a_member_through_the_forms_and_undo(
    qtbot, section: ContactsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    assert section.right.currentWidget() is section.no_list
    assert section.lists.list_stack.currentWidget() is section.lists.empty
    section.new_item()  # no list yet: Ctrl+N makes a list
    assert section.list_form.is_new
    type_into(qtbot, section.list_form.name_edit, "Fans in Oslo")
    click(qtbot, section.list_form.save_button)
    idle()
    [contact_list] = workspace.contact_lists.list()
    assert contact_list.name == "Fans in Oslo"
    assert section.list_id == contact_list.id
    assert section.right.currentWidget() is section.members_panel
    assert section.members_heading.text() == "Members of “Fans in Oslo”"

    section.members.search.setFocus()
    section.new_item()  # a list is open and the focus is on its side: Ctrl+N adds a contact to it
    form = section.member_form
    assert form.is_new and form.name_edit.hasFocus()
    type_into(qtbot, form.name_edit, "Ana")
    type_into(qtbot, form.email_edit, "ana@example.com")
    form.sms_check.setChecked(False)
    click(qtbot, form.save_button)
    idle()
    [member] = workspace.contacts.members(contact_list.id)
    assert (member.name, member.email, member.opted_in_email, member.opted_in_sms) == (
        "Ana",
        "ana@example.com",
        True,
        False,
    )
    assert member_names(section) == ["Ana"]
    assert section.members_count.text() == "1 contact"

    ctx.undo.undo()
    idle()
    assert workspace.contacts.count() == 0
    ctx.undo.undo()
    idle()
    assert workspace.contact_lists.count() == 0


def test_a_member_needs_a_real_email_and_at_least_one_way_to_reach_them(
    qtbot, section: ContactsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    open_list(section, ctx, idle)
    section.members.new_item()
    form = section.member_form
    click(qtbot, form.save_button)
    idle()
    assert not form.general_error.isHidden()
    assert "at least a name, an email or a phone number" in form.general_error.text()
    type_into(qtbot, form.email_edit, "not-an-email")
    click(qtbot, form.save_button)
    idle()
    label = form.errors.label("email")
    assert label is not None and not label.isHidden() and "is not an email address" in label.text()
    assert workspace.contacts.count() == 0
    assert ctx.undo.count() == 0


def test_switch_an_opt_in_flag_in_the_list_and_undo(
    qtbot, section: ContactsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    list_id = open_list(section, ctx, idle, csv_text=CSV_GOOD)
    model = section.members_model
    ana_row = member_names(section).index("Ana Rodríguez")
    sms = model.index(ana_row, 4)
    assert sms.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.flags(sms) & Qt.ItemFlag.ItemIsUserCheckable
    assert model.setData(sms, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    idle()
    ana = next(m for m in workspace.contacts.members(list_id) if m.name == "Ana Rodríguez")
    assert ana.opted_in_sms is True
    assert model.index(ana_row, 4).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    ctx.undo.undo()
    idle()
    ana = next(m for m in workspace.contacts.members(list_id) if m.name == "Ana Rodríguez")
    assert ana.opted_in_sms is False


def test_import_csv_adds_everyone_and_undo_removes_them(
    qtbot,
    section: ContactsSection,
    ctx: UiContext,
    workspace: Workspace,
    idle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    list_id = open_list(section, ctx, idle)
    workspace.contacts.create({"list_id": list_id, "name": "Already here", "email": "here@example.com"})
    ctx.events.emit_changed("contact_list_members")
    idle()
    source = tmp_path / "fans.csv"
    source.write_text(CSV_GOOD, "utf-8")
    monkeypatch.setattr(section, "ask_import_path", lambda: str(source))
    click(qtbot, section.import_button)
    idle()
    assert section.io_error.isHidden()
    assert section.io_info.text() == "Added 3 contacts from fans.csv."
    assert sorted(member_names(section)) == ["Already here", "Ana Rodríguez", "Bjørn Hansen", "David Olsen"]
    assert section.members_count.text() == "4 contacts"
    ctx.undo.undo()
    idle()
    assert [m.name for m in workspace.contacts.members(list_id)] == ["Already here"]
    ctx.undo.redo()
    idle()
    assert workspace.contacts.count() == 4


def test_a_bad_csv_is_refused_with_its_rows_and_nothing_is_added(
    qtbot,
    section: ContactsSection,
    ctx: UiContext,
    workspace: Workspace,
    idle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_list(section, ctx, idle)
    source = tmp_path / "messy.csv"
    source.write_text(CSV_BAD, "utf-8")
    monkeypatch.setattr(section, "ask_import_path", lambda: str(source))
    click(qtbot, section.import_button)
    idle()
    text = section.io_error.text()
    assert not section.io_error.isHidden()
    assert "messy.csv was not imported, nothing was added" in text
    assert "row 3" in text and "not an email address" in text
    assert "row 4" in text and "must be yes or no" in text
    assert workspace.contacts.count() == 0
    assert ctx.undo.count() == 0

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("first,last\nAna,R\n", "utf-8")
    monkeypatch.setattr(section, "ask_import_path", lambda: str(wrong))
    click(qtbot, section.import_button)
    idle()
    assert "needs a header row" in section.io_error.text()
    assert workspace.contacts.count() == 0


def test_export_csv_writes_the_members(
    qtbot, section: ContactsSection, ctx: UiContext, idle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_list(section, ctx, idle, csv_text=CSV_GOOD)
    target = tmp_path / "out.csv"
    suggested: list[str] = []
    monkeypatch.setattr(section, "ask_export_path", lambda name: suggested.append(name) or str(target))
    click(qtbot, section.export_button)
    idle()
    assert suggested == ["Fans in Oslo.csv"]
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert {r["name"]: (r["email"], r["opted_in_email"], r["opted_in_sms"]) for r in rows} == {
        "Ana Rodríguez": ("ana@example.com", "yes", "no"),
        "Bjørn Hansen": ("bjorn@example.no", "yes", "yes"),
        "David Olsen": ("", "yes", "no"),
    }
    assert section.io_info.text() == "Exported 3 contacts to out.csv."


def test_delete_a_member_then_the_list_with_its_members_and_undo(
    qtbot, section: ContactsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    list_id = open_list(section, ctx, idle, csv_text=CSV_GOOD)
    section.members.view.selectRow(0)
    section.members.view.setFocus()
    section.delete_selected()
    idle()
    assert workspace.contacts.count() == 2
    section.lists.view.setFocus()
    assert section._list_delete_detail([list_id]) == "Its 2 contacts are deleted with it."
    section.delete_selected()
    idle()
    assert workspace.contact_lists.count() == 0 and workspace.contacts.count() == 0
    assert section.right.currentWidget() is section.no_list
    ctx.undo.undo()
    idle()
    assert workspace.contact_lists.count() == 1 and workspace.contacts.count() == 2
    ctx.undo.undo()
    idle()
    assert workspace.contacts.count() == 3


def test_search_members_and_rename_a_list(
    qtbot, section: ContactsSection, ctx: UiContext, workspace: Workspace, idle
) -> None:
    list_id = open_list(section, ctx, idle, csv_text=CSV_GOOD)
    section.members.view.setFocus()
    section.focus_search()
    assert section.members.search.hasFocus()
    qtbot.keyClicks(section.members.search, "930")
    section.members.search.flush()
    idle()
    assert member_names(section) == ["David Olsen"]
    assert section.members_count.text() == "1 contact match the search"
    section.lists.view.setFocus()
    section.rename_selected()
    assert section.list_form.name_edit.hasFocus()
    type_into(qtbot, section.list_form.name_edit, "Oslo fans")
    qtbot.keyClick(section.list_form.name_edit, Qt.Key.Key_Return)
    idle()
    assert workspace.contact_lists.get(list_id).name == "Oslo fans"
    assert section.members_heading.text() == "Members of “Oslo fans”"


def test_models_pass_the_model_tester(qtmodeltester, section: ContactsSection, ctx: UiContext, idle) -> None:
    open_list(section, ctx, idle, csv_text=CSV_GOOD)
    qtmodeltester.check(section.lists_model)
    qtmodeltester.check(section.members_model)


def test_a_restart_opens_the_same_list(qtbot, section: ContactsSection, ctx: UiContext, idle) -> None:
    open_list(section, ctx, idle, "Venue bookers")
    list_id = open_list(section, ctx, idle, "Fans in Oslo", csv_text=CSV_GOOD)
    section.shutdown()
    section.close()
    again = ContactsSection(ctx)
    qtbot.addWidget(again)
    again.show()
    idle()
    assert again.list_id == list_id
    assert again.right.currentWidget() is again.members_panel
    assert sorted(member_names(again)) == ["Ana Rodríguez", "Bjørn Hansen", "David Olsen"]
