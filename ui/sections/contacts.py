"""The Contacts section: lists of fans and contacts, their members with opt-in flags, CSV in and out.

Contact lists sit on the left; the members of the chosen list on the right, with a form for one
member (name, email, phone, and whether they agreed to emails and to text messages). The opt-in
flags can also be switched right in the list. A CSV import is all or nothing, like the service: a
file with one bad row is refused with the rows and reasons, and nothing is added. An import is one
step on the undo stack (undo removes what it added).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...app.entity_service import ListQuery
from ...app.errors import ValidationFailed
from ...app.records import ContactList, ContactListMember
from ..context import UiContext
from ..operations import OpContext
from ..section import Section
from ..widgets.field_errors import FieldErrorLabel
from ..widgets.icons import icon
from ..widgets.paged_model import Column, PagedTableModel
from ..widgets.record_browser import RecordBrowser, stretch_columns
from ..widgets.record_form import RecordForm, heading_font
from ..widgets.undo_commands import CreateCommand, UpdateCommand, execute

Index = QModelIndex | QPersistentModelIndex
FLAG_COLUMNS = {"opted_in_email": "Emails", "opted_in_sms": "SMS"}
MAX_ROW_ERRORS = 6


def import_error_text(file_name: str, errors: dict[str, str]) -> str:
    """The words for a refused CSV: which rows, what is wrong with them, and that nothing was added."""
    items = list(errors.items())
    lines = [f"{key}: {message}" if key.startswith("row ") else message for key, message in items[:MAX_ROW_ERRORS]]
    more = len(items) - MAX_ROW_ERRORS
    if more > 0:
        lines.append(f"…and {more} more row{'s' if more != 1 else ''} with problems.")
    return f"The file {file_name} was not imported, nothing was added. " + " ".join(
        line if line.endswith(".") else line + "." for line in lines
    )


def _yes_no(key: str) -> Callable[[Any], str]:
    """How an opt-in flag reads in the list (beside its check box)."""
    return lambda member: "Yes" if getattr(member, key) else "No"


class ContactListsModel(PagedTableModel):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__(
            ctx, ctx.workspace.contact_lists, [Column("name", "Contact list", tooltip=lambda c: c.description or None)]
        )


class MembersModel(PagedTableModel):
    """A list's members; the opt-in columns are check boxes that save when switched."""

    def __init__(self, ctx: UiContext) -> None:
        columns = [
            Column("name", "Name", display=lambda m: m.name or ""),
            Column("email", "Email", display=lambda m: m.email or ""),
            Column("phone", "Phone", display=lambda m: m.phone or ""),
            *[Column(key, title, display=_yes_no(key)) for key, title in FLAG_COLUMNS.items()],
        ]
        super().__init__(ctx, ctx.workspace.contacts, columns)
        self.query = ListQuery(filters={"list_id": "-"})

    def extra_data(self, record: Any, column: Column, role: int) -> Any:
        if column.key in FLAG_COLUMNS:
            on = bool(getattr(record, column.key))
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ForegroundRole and not on:
                return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
            if role == Qt.ItemDataRole.ToolTipRole:
                what = "emails" if column.key == "opted_in_email" else "text messages"
                return f"Agreed to {what}" if on else f"Did not agree to {what}"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.AccessibleTextRole and index.isValid() and index.column() >= 3:
            record = self.record_for(index)
            if record is not None:
                column = self.columns[index.column()]
                return f"{column.title}: {'yes' if getattr(record, column.key) else 'no'}"
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() >= 3:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() < 3:
            return False
        record = self.record_for(index)
        if record is None:
            return False
        key = self.columns[index.column()].key
        state = value.value if isinstance(value, Qt.CheckState) else int(value)
        on = state == Qt.CheckState.Checked.value
        if bool(getattr(record, key)) == on:
            return True
        who = record.name or record.email or record.phone or "contact"
        what = "emails" if key == "opted_in_email" else "text messages"
        verb = "Opt in" if on else "Opt out"
        command = UpdateCommand(
            self.ctx,
            self.service,
            record.id,
            {key: on},
            text=f"{verb} “{who}” to {what}",
            entity_types={"contact_list_members"},
        )
        execute(self.ctx, command)
        return True


class ContactListForm(RecordForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("contact list", parent)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Fans in Oslo, Venue bookers")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText("Who is on this list and what you send them")
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.add_row("name", "Name", self.name_edit)
        self.add_row("description", "Description", self.description_edit)

    def fill(self, record: ContactList | None) -> None:
        self.name_edit.setText(record.name if record else "")
        self.description_edit.setPlainText((record.description or "") if record else "")

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        return {
            "name": self.name_edit.text().strip(),
            "description": self.description_edit.toPlainText().strip() or None,
        }, {}

    def title_widget(self) -> QWidget:
        return self.name_edit


class MemberForm(RecordForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("contact", parent)
        self.name_edit = QLineEdit(self)
        self.email_edit = QLineEdit(self)
        self.email_edit.setPlaceholderText("name@example.com")
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText("+47 912 34 567")
        self.email_check = QCheckBox("Agreed to receive emails", self)
        self.sms_check = QCheckBox("Agreed to receive text messages (SMS)", self)
        self.add_row("name", "Name", self.name_edit)
        self.add_row("email", "Email", self.email_edit)
        self.add_row("phone", "Phone", self.phone_edit)
        self.add_row("opted_in_email", "Emails", self.email_check)
        self.add_row("opted_in_sms", "SMS", self.sms_check)

    def describe(self, record: Any | None) -> str:
        if record is None:
            return "New contact"
        return str(record.name or record.email or record.phone or "Contact")

    def fill(self, record: ContactListMember | None) -> None:
        self.name_edit.setText((record.name or "") if record else "")
        self.email_edit.setText((record.email or "") if record else "")
        self.phone_edit.setText((record.phone or "") if record else "")
        self.email_check.setChecked(record.opted_in_email if record else True)
        self.sms_check.setChecked(record.opted_in_sms if record else True)

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        return {
            "name": self.name_edit.text().strip() or None,
            "email": self.email_edit.text().strip() or None,
            "phone": self.phone_edit.text().strip() or None,
            "opted_in_email": self.email_check.isChecked(),
            "opted_in_sms": self.sms_check.isChecked(),
        }, {}

    def title_widget(self) -> QWidget:
        return self.name_edit


class ImportResult:
    """What a CSV import added: the new members' ids (for undo) and their number."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.count = len(ids)


class ContactsSection(Section):
    title = "Contacts"
    icon_name = "x-office-address-book"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        ws = ctx.workspace
        self.list_id: str | None = None
        self._list_name = ""

        self.lists_model = ContactListsModel(ctx)
        self.list_form = ContactListForm()
        self.lists = RecordBrowser(
            ctx,
            ws.contact_lists,
            self.lists_model,
            self.list_form,
            noun="contact list",
            plural="contact lists",
            entity_types=("contact_lists", "contact_list_members"),
            empty_title="Keep in touch with your fans",
            empty_text="Make a list for your mailing list, your venue bookers or your street team, "
            "then add people or import them from a CSV file.",
            icon_name="x-office-address-book",
            orientation=Qt.Orientation.Vertical,
            search_placeholder="Search lists",
            parent=self,
        )
        self.lists.new_button.setText("New list")
        self.lists.view.setSelectionMode(self.lists.view.SelectionMode.SingleSelection)
        self.lists.delete_detail = self._list_delete_detail  # type: ignore[method-assign]

        self.members_model = MembersModel(ctx)
        self.member_form = MemberForm()
        self.members = RecordBrowser(
            ctx,
            ws.contacts,
            self.members_model,
            self.member_form,
            noun="contact",
            plural="contacts",
            entity_types=("contact_list_members",),
            empty_title="No one on this list yet",
            empty_text="Add people one by one, or import a CSV file with the columns "
            "name, email, phone, opted_in_email, opted_in_sms.",
            icon_name="contact-new",
            orientation=Qt.Orientation.Vertical,
            search_placeholder="Search name, email, phone",
            parent=self,
        )
        self.members.new_values = lambda: {"list_id": self.list_id}
        self.members.empty.add_button("Import CSV…", self.import_csv, icon("document-open"))
        stretch_columns(self.members.view, {0: 18, 1: 24, 2: 15, 3: 8, 4: 7}, 1)
        self.import_button = QPushButton(icon("document-open"), "Import CSV…", self)
        self.import_button.setToolTip("Add the people in a CSV file to this list (all or nothing)")
        self.import_button.clicked.connect(self.import_csv)
        self.export_button = QPushButton(icon("document-export"), "Export CSV…", self)
        self.export_button.setToolTip("Save this list's members as a CSV file")
        self.export_button.clicked.connect(self.export_csv)
        at = self.members.toolbar.indexOf(self.members.new_button)
        self.members.toolbar.insertWidget(at, self.import_button)
        self.members.toolbar.insertWidget(at + 1, self.export_button)

        self.members_heading = QLabel(self)
        self.members_heading.setFont(heading_font(self.font(), 1.15))
        self.members_heading.setTextFormat(Qt.TextFormat.PlainText)
        self.members_count = QLabel(self)
        self.io_error = FieldErrorLabel(self)
        self.io_error.setAccessibleName("Import and export")
        self.io_info = QLabel(self)
        self.io_info.setWordWrap(True)
        self.io_info.hide()
        members_panel = QWidget(self)
        members_box = QVBoxLayout(members_panel)
        members_box.setContentsMargins(0, 0, 0, 0)
        members_box.addWidget(self.members_heading)
        members_box.addWidget(self.members_count)
        members_box.addWidget(self.io_error)
        members_box.addWidget(self.io_info)
        members_box.addWidget(self.members, 1)
        self.no_list = QLabel("Choose a contact list on the left to see its members,\nor make one with New list.", self)
        self.no_list.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_list.setWordWrap(True)
        self.no_list.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.members_count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.right = QStackedWidget(self)
        self.right.addWidget(self.no_list)
        self.right.addWidget(members_panel)
        self.members_panel = members_panel

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.lists)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

        self.lists.remember_as("sections/Contacts/lists")
        self.members.remember_as("sections/Contacts/members")
        self.lists.notify.connect(self.message.emit)
        self.members.notify.connect(self.message.emit)
        self.lists.current_changed.connect(self._list_changed)
        self.members_model.reloaded.connect(self._members_counted)
        self._loaded = False

    # ---- loading -----------------------------------------------------------------------------
    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.lists.ensure_loaded()

    def activate(self) -> None:
        self._ensure_loaded()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._ensure_loaded()
        super().showEvent(event)

    def _list_changed(self, record: ContactList | None) -> None:
        new_id = record.id if record is not None else None
        if new_id == self.list_id:
            if record is not None:
                self._list_name = record.name
                self.members_heading.setText(f"Members of “{record.name}”")
            return
        self.members.reset_form()
        self.list_id = new_id
        self.io_error.set_error(None)
        self.io_info.hide()
        if record is None:
            self.right.setCurrentWidget(self.no_list)
            self.members.set_fixed_filters({"list_id": "-"})
            return
        self._list_name = record.name
        self.members_heading.setText(f"Members of “{record.name}”")
        self.members_count.setText("")
        self.right.setCurrentWidget(self.members_panel)
        self.members.set_fixed_filters({"list_id": record.id})

    def _members_counted(self, total: int) -> None:
        searching = bool(self.members_model.query.search)
        noun = "contact" if total == 1 else "contacts"
        self.members_count.setText(f"{total:,} {noun}" + (" match the search" if searching else ""))
        self.export_button.setEnabled(total > 0 or searching)

    def _list_delete_detail(self, ids: Sequence[str]) -> str:
        if self.list_id in ids:
            n = self.members_model.count()
            if n:
                return f"Its {n:,} contact{'s are' if n != 1 else ' is'} deleted with it."
        return "Its contacts are deleted with it."

    # ---- routing the window's shortcuts ---------------------------------------------------------
    def _focus_in(self, widget: QWidget) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and (focus is widget or widget.isAncestorOf(focus))

    def new_item(self) -> None:
        if self.list_id is not None and not self._focus_in(self.lists):
            self.members.new_item()
        else:
            self.lists.new_item()

    def delete_selected(self) -> None:
        if self._focus_in(self.lists) or not self.members.selected_ids():
            self.lists.delete_selected()
        else:
            self.members.delete_selected()

    def rename_selected(self) -> None:
        if self.list_id is not None and not self._focus_in(self.lists) and self.members.selected_ids():
            self.members.rename_selected()
        else:
            self.lists.rename_selected()

    def focus_search(self) -> None:
        if self.list_id is not None and not self._focus_in(self.lists):
            self.members.focus_search()
        else:
            self.lists.focus_search()

    # ---- CSV -----------------------------------------------------------------------------------
    def ask_import_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import contacts from a CSV file", "", "CSV files (*.csv);;All files (*)"
        )
        return path

    def ask_export_path(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export contacts to a CSV file", suggested, "CSV files (*.csv)")
        return path

    def import_csv(self) -> None:
        list_id = self.list_id
        if list_id is None:
            return
        path = self.ask_import_path()
        if not path:
            return
        name = Path(path).name
        contacts = self.ctx.workspace.contacts

        def member_ids() -> set[str]:
            return {m.id for m in contacts.list(ListQuery(filters={"list_id": list_id}))}

        def run(op: OpContext) -> ImportResult:
            try:
                text = Path(path).read_text("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationFailed({"file": "the file is not UTF-8 text (save it as CSV UTF-8)"}) from None
            except OSError as exc:
                raise ValidationFailed({"file": f"the file could not be read ({exc.strerror or exc})"}) from None
            before = member_ids()
            contacts.import_csv(list_id, text)
            return ImportResult(sorted(member_ids() - before))

        command = CreateCommand(
            self.ctx,
            f"Import {name} into “{self._list_name}”",
            {"contact_list_members"},
            create=run,
            created=lambda result: [(contacts, i) for i in result.ids],
        )

        def imported(result: ImportResult) -> None:
            self.io_error.set_error(None)
            self.io_info.setText(f"Added {result.count:,} contact{'s' if result.count != 1 else ''} from {name}.")
            self.io_info.show()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationFailed):
                self.io_info.hide()
                self.io_error.set_error(import_error_text(name, exc.errors))
                return True
            return False

        self.io_error.set_error(None)
        execute(self.ctx, command, on_success=imported, on_failure=failed)

    def export_csv(self) -> None:
        list_id = self.list_id
        if list_id is None:
            return
        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in self._list_name).strip() or "contacts"
        path = self.ask_export_path(f"{safe}.csv")
        if not path:
            return
        name = Path(path).name
        contacts = self.ctx.workspace.contacts

        def run(op: OpContext) -> int:
            text = contacts.export_csv(list_id)
            try:
                Path(path).write_text(text, "utf-8", newline="")
            except OSError as exc:
                raise ValidationFailed({"file": f"the file could not be written ({exc.strerror or exc})"}) from None
            return contacts.count(ListQuery(filters={"list_id": list_id}))

        def exported(count: int) -> None:
            self.io_error.set_error(None)
            self.io_info.setText(f"Exported {count:,} contact{'s' if count != 1 else ''} to {name}.")
            self.io_info.show()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationFailed):
                self.io_info.hide()
                self.io_error.set_error(f"The file {name} was not exported: {exc}")
                return True
            return False

        self.ctx.ops.read(run).success(exported).failure(failed).with_label(f"Exporting {name}").run()

    def shutdown(self) -> None:
        """The window closes: save forms that can be saved, remember the list that was open."""
        self.members.shutdown()
        self.lists.shutdown()
