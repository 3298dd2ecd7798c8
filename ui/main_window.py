"""The main window: sidebar of sections, toolbar, menus, status bar, shortcuts, theme and error handling.

The window owns what is shared by every section: the workspace's operation runner and undo stack,
the keyboard shortcuts (routed to the section on screen), the one place where an error nobody
handled is shown, and the window's memory (size, position, last section) kept in an INI file inside
the data folder, so two data folders on one computer behave as two independent devices. The
toolbar ends with an empty, reserved slot (:attr:`MainWindow.sync_slot`) for the sync button and
the account, which a later part of the app fills through :meth:`MainWindow.add_toolbar_widget`.

The window is built in two steps so the artist sees it at once: the frame (toolbar, menus, the sidebar
listing the sections, the remembered geometry, an "Opening your data…" page) needs only Qt and this
folder's INI file; :meth:`MainWindow.attach` then gives it the workspace, builds the section to show
first and the sync UI, and emits :attr:`MainWindow.ready`. The other sections are built when they are
first shown (or asked for by :meth:`MainWindow.find_section`); their modules are imported on a worker
thread once the window's own work is done, so that first visit costs only the widgets. This module
therefore imports nothing of the database or sync stack at import time (the second step imports it);
``MainWindow(workspace)`` does both steps.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..app.paths import DataPaths
from .context import DataEvents
from .log_folder import open_log_folder_action
from .operations import OperationRunner
from .section import Section
from .widgets.elided_label import ElidedLabel
from .widgets.empty_state import EmptyState
from .widgets.icons import icon
from .widgets.loading_state import LoadingState
from .widgets.shortcuts import Shortcut, ShortcutsDialog
from .widgets.theme import THEME_LABELS, THEMES, apply_theme, refresh_semantic_colors

if TYPE_CHECKING:  # imported by attach(), after the frame is on screen
    from ..app.workspace import Workspace
    from .backup_actions import BackupActions
    from .context import UiContext
    from .sync import SyncUi

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

SETTINGS_FILE = "window.ini"


@dataclass(frozen=True)
class SectionEntry:
    """A section as the frame lists it before its module is imported (a test keeps it equal to the class)."""

    module: str  # under gigbag.ui.sections
    class_name: str
    title: str
    icon_name: str


#: the sections in sidebar order
SECTIONS: tuple[SectionEntry, ...] = (
    SectionEntry("portfolio", "PortfolioSection", "Portfolio", "user-identity"),
    SectionEntry("tracks", "TracksSection", "Tracks", "audio-x-generic"),
    SectionEntry("files", "FilesSection", "Files", "folder"),
    SectionEntry("library", "LibrarySection", "Library", "media-playlist-audio"),
    SectionEntry("goals", "GoalsSection", "Goals", "goals"),
    SectionEntry("patterns", "PatternsSection", "Patterns", "patterns"),
    SectionEntry("timeline", "TimelineSection", "Timeline", "x-office-calendar"),
    SectionEntry("journal", "JournalSection", "Journal", "journal"),
    SectionEntry("contacts", "ContactsSection", "Contacts", "x-office-address-book"),
)

#: (module under gigbag.ui.sections, class name), in sidebar order
SECTION_CLASSES: tuple[tuple[str, str], ...] = tuple((e.module, e.class_name) for e in SECTIONS)


def section_module(entry: SectionEntry) -> str:
    return f"{__package__}.sections.{entry.module}"


def available_sections() -> tuple[list[SectionEntry], list[str]]:
    """The sections this build has, and the class names of those it lacks (found without importing them)."""
    found: list[SectionEntry] = []
    missing: list[SectionEntry] = []
    for entry in SECTIONS:
        (found if importlib.util.find_spec(section_module(entry)) is not None else missing).append(entry)
    if missing:
        log.warning("sections not available in this build: %s", ", ".join(e.class_name for e in missing))
    return found, [e.class_name for e in missing]


def section_class(entry: SectionEntry) -> type[Section]:
    return getattr(importlib.import_module(section_module(entry)), entry.class_name)  # type: ignore[no-any-return]


def import_section_modules(entries: Sequence[SectionEntry]) -> None:
    """Import the sections' modules (on a worker thread: no widget is made, only classes defined)."""
    for entry in entries:
        importlib.import_module(section_module(entry))


def window_settings(data_dir: Path) -> QSettings:
    """The window's settings for one data folder (INI file inside it)."""
    return QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


# ---- the sidebar's model ---------------------------------------------------------------------


class SidebarItem(Protocol):
    """What a sidebar row shows: a section's :class:`SectionEntry` (or the section itself)."""

    @property
    def title(self) -> str: ...

    @property
    def icon_name(self) -> str: ...


class SectionListModel(QAbstractListModel):
    """The sections as a list: name, icon and shortcut hint for the sidebar."""

    def __init__(self, sections: Sequence[SidebarItem], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sections: list[Any] = list(sections)

    def set_items(self, items: Sequence[SidebarItem]) -> None:
        """The rows become ``items`` (a reset only when the titles differ: a build without some sections)."""
        same = [s.title for s in items] == [s.title for s in self._sections]
        if not same:
            self.beginResetModel()
        self._sections = list(items)
        if same:
            self.dataChanged.emit(self.index(0), self.index(max(0, len(items) - 1)))
        else:
            self.endResetModel()

    def titles(self) -> list[str]:
        return [s.title for s in self._sections]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sections)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._sections):
            return None
        section = self._sections[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return section.title
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(section.icon_name or section.title.lower(), section.title)
        if role == Qt.ItemDataRole.ToolTipRole:
            n = index.row() + 1
            return f"{section.title} (Ctrl+{n})" if n <= 9 else section.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return section.title
        return None


class SidebarDelegate(QStyledItemDelegate):
    """Roomier sidebar rows (a style sheet would freeze the list's palette when the theme changes)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 12, max(size.height() + 14, 36))


# ---- the first-start page --------------------------------------------------------------------


class WelcomePage(EmptyState):
    """What a new artist sees first: what Gigbag is for and the first three steps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Welcome to Gigbag",
            "Your music career in one place: profile, tracks, files, goals and beats. Everything is "
            "kept on this computer and works offline.\n\nStart by adding your profile, a track or a goal.",
            "audio-x-generic",
            parent,
        )
        self.setObjectName("welcome-page")
        self.profile_button = self.add_button("Add your profile", self.profile_requested.emit, icon("user-identity"))
        self.track_button = self.add_button("Add a track", self.track_requested.emit, icon("audio-x-generic"))
        self.goal_button = self.add_button("Set a goal", self.goal_requested.emit, icon("goals", "goals"))

    profile_requested = Signal()
    track_requested = Signal()
    goal_requested = Signal()


class OpeningPage(LoadingState):
    """What the frame shows while the workspace opens: a word and a busy bar, nothing to click yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Opening your data…", parent)
        self.setObjectName("opening-page")
        self.busy.setObjectName("opening-busy")


# ---- the window ------------------------------------------------------------------------------


def error_text(exc: BaseException) -> tuple[str, str]:
    """(message, details) for an error shown to the artist: the service's own words first."""
    from ..app.errors import BlobStoreError, GigbagError, ValidationFailed

    if isinstance(exc, ValidationFailed | GigbagError | BlobStoreError):
        return str(exc), ""
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return f"{exc.strerror or exc}{where}", ""
    details = getattr(exc, "__traceback_text__", "") or "".join(traceback.format_exception(exc))
    return f"Something went wrong: {exc or type(exc).__name__}", details


class MainWindow(QMainWindow):
    #: emitted after the current section changed (its title)
    section_changed = Signal(str)
    #: emitted once, when the workspace is attached: the section on screen built, the window usable
    ready = Signal()
    #: emitted when a section is built (its first showing, or :meth:`find_section`), with the section
    section_built = Signal(object)

    workspace: Workspace
    ctx: UiContext
    backup_actions: BackupActions
    sync_ui: SyncUi

    def __init__(
        self, workspace: Workspace | None = None, parent: QWidget | None = None, *, paths: DataPaths | None = None
    ) -> None:
        """The window on ``workspace``; or, with only ``paths``, its frame until :meth:`attach` is called."""
        super().__init__(parent)
        if workspace is not None:
            paths = workspace.paths
        if paths is None:
            raise TypeError("MainWindow needs a workspace or the data folder's paths")
        self.paths = paths
        self.settings = window_settings(paths.data)
        self.ops = OperationRunner(self)
        self.undo_stack = QUndoStack(self)
        self.events = DataEvents(self)
        self.ops.unhandled_error.connect(self.show_error)
        self._error_box: QMessageBox | None = None
        self._closing = False
        self._ready = False
        self._theme_picked = False
        self.extra_shortcuts: list[tuple[str, str]] = []  # (keys, action) added by other parts, listed under Help

        self.setWindowTitle("Gigbag")
        self.setWindowIcon(icon("audio-x-generic"))
        self.setObjectName("main-window")
        self.setMinimumSize(QSize(720, 480))

        #: the sections this build offers, in sidebar order (known once attached; each built when first shown)
        self.sections: list[SectionEntry] = []
        self.missing_sections: list[str] = []
        self._built: dict[str, Section] = {}
        self._build_central()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.ops.running_changed.connect(lambda: self._busy_changed(self.ops.busy))  # the label follows what runs
        self._busy_changed(self.ops.busy)
        self._theme = self._remembered_theme()
        apply_theme(self._theme)
        self._theme_actions[self._theme].setChecked(True)
        self._restore_frame()
        self._set_usable(False)
        if workspace is not None:
            self.attach(workspace)

    @property
    def is_ready(self) -> bool:
        """True once :meth:`attach` built the sections (``ready`` was emitted)."""
        return self._ready

    @property
    def closing(self) -> bool:
        return self._closing

    def abandon(self) -> None:
        """The data could not be opened: hide the frame, keeping the remembered state as it was."""
        self._closing = True
        self.hide()

    def attach(self, workspace: Workspace) -> None:
        """The second step: the workspace, the first section, backup and sync; the window becomes usable."""
        if self._ready:
            raise RuntimeError("the main window already has its workspace")
        from .backup_actions import install_backup_actions
        from .context import UiContext
        from .sync import install_sync_ui

        self.workspace = workspace
        self.paths = workspace.paths
        self.ctx = UiContext(workspace=workspace, ops=self.ops, undo=self.undo_stack, events=self.events)
        self.sections, self.missing_sections = available_sections()
        pending = self._selected_title()
        self.sidebar_model.set_items(self.sections)
        present = {s.title for s in self.sections}
        for act in self.section_actions:
            act.setVisible(act.text() in present)
        self.welcome.goal_button.setVisible("Goals" in present)
        self.backup_actions = install_backup_actions(self, self._file_menu, before=self._file_menu_end)
        # The frame opened in the theme this folder's INI remembers; the artist's preference (perhaps
        # changed on another computer) is read off the UI thread and wins unless they pick one first.
        self._theme_picked = False
        self.ops.read(lambda _op: self._stored_theme()).success(self._stored_theme_read).run()
        self._set_usable(True)
        self.stack.removeWidget(self.opening)
        self.opening.deleteLater()
        self._open_first_section(pending)
        self.sync_ui = install_sync_ui(self)
        self._ready = True
        self.ready.emit()
        self._when_idle(self._import_the_other_sections)

    def _when_idle(self, then: Any) -> None:
        """Call ``then()`` once none of the window's operations runs (now, if none does)."""
        if not self.ops.busy:
            then()
            return

        def changed(busy: bool) -> None:
            if not busy:
                self.ops.busy_changed.disconnect(changed)
                then()

        self.ops.busy_changed.connect(changed)

    def _import_the_other_sections(self) -> None:
        if self._closing:
            return
        others = [e for e in self.sections if e.title not in self._built]
        if others:
            self.ops.background(lambda _op: import_section_modules(others))

    # ---- layout ------------------------------------------------------------------------------
    def _build_central(self) -> None:
        self.sidebar = QListView(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Sections")
        self.sidebar_model = SectionListModel(list(SECTIONS), self.sidebar)
        self.sidebar.setModel(self.sidebar_model)
        self.sidebar.setIconSize(QSize(22, 22))
        self.sidebar.setSpacing(2)
        self.sidebar.setUniformItemSizes(True)
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setMinimumWidth(170)
        self.sidebar.setMaximumWidth(260)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        # Selection, not the current index, picks the section: a list view that gets focus makes
        # its first row current without selecting it, which must not leave the welcome page.
        self.sidebar.selectionModel().selectionChanged.connect(self._sidebar_selection_changed)

        self.stack = QStackedWidget(self)
        self.stack.setObjectName("section-stack")
        self.opening = OpeningPage(self.stack)
        self.stack.addWidget(self.opening)
        self.welcome = WelcomePage(self.stack)
        self.stack.addWidget(self.welcome)
        self.stack.setCurrentWidget(self.opening)
        self.welcome.profile_requested.connect(lambda: self.show_section("Portfolio", new_item=False))
        self.welcome.track_requested.connect(lambda: self.show_section("Tracks", new_item=True))
        self.welcome.goal_requested.connect(lambda: self.show_section("Goals", new_item=True))

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("main-splitter")
        splitter.addWidget(self.sidebar)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, False)
        splitter.setSizes([190, 1000])
        self.splitter = splitter
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner_area = QVBoxLayout()  # strips above the sections (sync conflicts, sync progress)
        column.addLayout(self.banner_area)
        column.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def _action(
        self, text: str, icon_name: str, slot: Any, keys: list[QKeySequence] | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        tip = tip or text
        if keys:
            tip = f"{tip} ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence
        self.new_action = self._action("New", "list-add", self._new_item, [K(K.StandardKey.New)], "Add a new item")
        self.delete_action = self._action(
            "Delete", "edit-delete", self._delete, [K(Qt.Key.Key_Delete)], "Delete the selection"
        )
        self.rename_action = self._action(
            "Rename", "edit-rename", self._rename, [K(Qt.Key.Key_F2)], "Rename the selection"
        )
        self.find_action = self._action("Search", "edit-find", self._find, [K(K.StandardKey.Find)], "Search this list")
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setIcon(icon("edit-undo"))
        self.undo_action.setShortcuts([K(K.StandardKey.Undo)])
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setIcon(icon("edit-redo"))
        self.redo_action.setShortcuts([K("Ctrl+Shift+Z"), K("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
        self.undo_stack.undoTextChanged.connect(self._undo_text_changed)
        self.undo_stack.redoTextChanged.connect(self._redo_text_changed)
        self.undo_action.setToolTip("Nothing to undo")
        self.redo_action.setToolTip("Nothing to redo")
        self.shortcuts_action = self._action(
            "Keyboard shortcuts", "input-keyboard", self.show_shortcuts, [K(K.StandardKey.HelpContents)]
        )
        self.about_action = self._action("About Gigbag", "help-about", self._about)
        self.log_folder_action = open_log_folder_action(self, self.paths.logs)
        self.quit_action = self._action("Quit", "", self.close, [K(K.StandardKey.Quit)])
        self.quit_action.setIcon(QIcon())
        self.section_actions: list[QAction] = []
        for i, entry in enumerate(SECTIONS):
            keys = [K(f"Ctrl+{i + 1}")] if i < 9 else None
            act = self._action(
                entry.title,
                entry.icon_name or entry.title.lower(),
                lambda title=entry.title: self.show_section(title),
                keys,
            )
            act.setIcon(icon(entry.icon_name or entry.title.lower(), entry.title))
            self.section_actions.append(act)
        self.theme_group = QActionGroup(self)
        self.theme_group.setExclusive(True)
        self._theme_actions: dict[str, QAction] = {}
        for theme in THEMES:
            act = QAction(THEME_LABELS[theme], self.theme_group)
            act.setCheckable(True)
            act.triggered.connect(lambda _c=False, t=theme: self.set_theme(t))
            self._theme_actions[theme] = act

    def _undo_text_changed(self, text: str) -> None:
        if shiboken6.isValid(self.undo_action):  # the stack outlives the action while the window closes
            self.undo_action.setToolTip(f"Undo {text} (Ctrl+Z)" if text else "Nothing to undo")

    def _redo_text_changed(self, text: str) -> None:
        if shiboken6.isValid(self.redo_action):
            self.redo_action.setToolTip(f"Redo {text} (Ctrl+Shift+Z)" if text else "Nothing to redo")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_action)
        self._file_menu = file_menu
        self._file_menu_end = file_menu.addSeparator()  # the backup actions go above it (attach)
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        edit.addAction(self.rename_action)
        edit.addAction(self.delete_action)
        edit.addSeparator()
        edit.addAction(self.find_action)
        view = bar.addMenu("&View")
        for act in self.section_actions:
            view.addAction(act)
        view.addSeparator()
        theme_menu = view.addMenu("Theme")
        for act in self._theme_actions.values():
            theme_menu.addAction(act)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.log_folder_action)
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(20, 20))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (self.new_action, self.delete_action):
            bar.addAction(act)
        bar.addSeparator()
        for act in (self.undo_action, self.redo_action):
            bar.addAction(act)
        bar.addSeparator()
        bar.addAction(self.find_action)
        for act in bar.actions():
            button = bar.widgetForAction(act)
            if button is not None and act.text():
                button.setAccessibleName(act.text())
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        spacer.setAccessibleName("")
        bar.addWidget(spacer)
        # Reserved for the sync button and the account (filled by the sync UI, see add_toolbar_widget).
        self.sync_slot = QWidget(bar)
        self.sync_slot.setObjectName("sync-slot")
        self.sync_slot.setAccessibleName("Sync and account")
        slot_layout = QHBoxLayout(self.sync_slot)
        slot_layout.setContentsMargins(0, 0, 4, 0)
        slot_layout.setSpacing(6)
        bar.addWidget(self.sync_slot)
        extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
        if extension is not None:
            extension.setAccessibleName("More toolbar buttons")
        self.toolbar = bar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def add_toolbar_widget(self, widget: QWidget) -> None:
        """Put ``widget`` in the toolbar's reserved right-hand slot (sync button, account)."""
        layout = self.sync_slot.layout()
        assert layout is not None
        widget.setParent(self.sync_slot)
        layout.addWidget(widget)

    def add_banner(self, widget: QWidget) -> None:
        """Put ``widget`` in the strip above the sections (it shows and hides itself)."""
        widget.setParent(self.centralWidget())
        self.banner_area.addWidget(widget)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("status-bar")
        self.busy_label = QLabel(self)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(14)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.hide()
        self.place_label = ElidedLabel(f"Offline · {self.paths.data}", self, gap=16)  # yields to messages
        self.place_label.setToolTip(f"Where this computer keeps your Gigbag data: {self.paths.data}")
        status.addWidget(self.busy_bar)
        status.addWidget(self.busy_label)
        status.addPermanentWidget(self.place_label)

    # ---- sections ----------------------------------------------------------------------------
    def current_section(self) -> Section | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Section) else None

    def find_section(self, title: str) -> Section | None:
        """The section called ``title``, built now if it was not yet (None before :meth:`attach`, or unknown)."""
        built = self._built.get(title)
        if built is not None:
            return built
        entry = next((e for e in self.sections if e.title == title), None)
        if entry is None:
            return None
        section = section_class(entry)(self.ctx)
        self._built[title] = section
        self.stack.addWidget(section)
        section.message.connect(self.show_message)
        self.section_built.emit(section)
        return section

    def built_sections(self) -> list[Section]:
        """The sections built so far, in sidebar order."""
        return [self._built[e.title] for e in self.sections if e.title in self._built]

    def show_section(self, title: str, new_item: bool = False) -> Section | None:
        """Show the section called ``title``; before :meth:`attach`, select its row (shown once built)."""
        titles = self.sidebar_model.titles()
        if title not in titles:
            return None
        row = titles.index(title)
        self.sidebar.selectionModel().setCurrentIndex(
            self.sidebar_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._show_row(row)
        section = self.find_section(title)
        if section is not None and new_item:
            section.new_item()
        return section

    def _selected_title(self) -> str | None:
        rows = self.sidebar.selectionModel().selectedRows()
        return self.sidebar_model.titles()[rows[0].row()] if rows else None

    def _sidebar_selection_changed(self) -> None:
        rows = self.sidebar.selectionModel().selectedRows()
        if rows:
            self._show_row(rows[0].row())
        if not self._ready:  # the title follows the row picked while the data opens
            title = self._selected_title()
            self.setWindowTitle(f"{title} — Gigbag" if title else "Gigbag")

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.sections):
            return
        section = self.find_section(self.sections[row].title)
        if section is None or self.stack.currentWidget() is section:
            return
        self.stack.setCurrentWidget(section)
        self.setWindowTitle(f"{section.title} — Gigbag")
        section.activate()
        self.settings.setValue("last_section", section.title)
        self.section_changed.emit(section.title)

    def show_welcome(self) -> None:
        self.sidebar.selectionModel().clearSelection()
        self.sidebar.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self.stack.setCurrentWidget(self.welcome)
        self.setWindowTitle("Gigbag")

    def _new_item(self) -> None:
        section = self.current_section()
        if section is not None:
            section.new_item()
        else:
            self.show_section("Portfolio")

    def _delete(self) -> None:
        section = self.current_section()
        if section is not None:
            section.delete_selected()

    def _rename(self) -> None:
        section = self.current_section()
        if section is not None:
            section.rename_selected()

    def _find(self) -> None:
        section = self.current_section()
        if section is not None:
            section.focus_search()

    # ---- errors and messages -----------------------------------------------------------------
    def show_error(self, exc: object) -> None:
        """The one place where an error nobody handled is shown (with the service's words)."""
        if not isinstance(exc, BaseException):
            exc = RuntimeError(str(exc))
        message, details = error_text(exc)
        if details:
            log.error("unhandled error: %s\n%s", message, details)
        self.statusBar().showMessage(message, 10_000)
        if self._closing:
            return
        if self._error_box is not None and self._error_box.isVisible():
            self._error_box.setText(f"{self._error_box.text()}\n\n{message}")
            return
        box = QMessageBox(self)
        box.setObjectName("error-box")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Gigbag")
        box.setText(message)
        if details:
            box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: setattr(self, "_error_box", None))
        self._error_box = box
        box.open()

    def show_message(self, text: str, msecs: int = 5000) -> None:
        self.statusBar().showMessage(text, msecs)

    def _busy_changed(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        labels = [op.label for op, _s in self.ops._running.values() if op.label] if busy else []
        self.busy_label.setText(f"{labels[0]}…" if labels else "")

    # ---- theme -------------------------------------------------------------------------------
    def _remembered_theme(self) -> str:
        """The theme last applied on this data folder (kept in the INI file so the frame opens in it)."""
        theme = self.settings.value("theme")
        return theme if isinstance(theme, str) and theme in THEMES else "auto"

    def _stored_theme(self) -> str:
        try:
            theme = self.workspace.preferences.current().theme
        except Exception:  # noqa: BLE001 - a broken preferences row must not stop the window
            log.exception("could not read the theme preference")
            theme = "auto"
        return theme if theme in THEMES else "auto"

    def _stored_theme_read(self, stored: str) -> None:
        if self._theme_picked or self._closing:
            return
        if stored != self._theme:
            self._theme = stored
            apply_theme(stored)
            self._theme_actions[stored].setChecked(True)
        self.settings.setValue("theme", self._theme)

    @property
    def theme(self) -> str:
        return self._theme

    def set_theme(self, theme: str) -> None:
        """Switch theme now and remember it in the artist's preferences."""
        if theme not in THEMES:
            return
        self._theme_picked = True
        self._theme = theme
        apply_theme(theme)
        self._theme_actions[theme].setChecked(True)
        self.settings.setValue("theme", theme)
        prefs = self.workspace.preferences
        self.ops.write(lambda _op: prefs.save({"theme": theme})).with_label("Saving the theme").run()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            refresh_semantic_colors(self)
        super().changeEvent(event)

    # ---- dialogs -----------------------------------------------------------------------------
    def shortcut_list(self) -> list[Shortcut]:
        rows = [
            Shortcut("Ctrl+N", "New item in the current section"),
            Shortcut("Delete", "Delete the selection (asks once; can be undone)"),
            Shortcut("F2", "Rename the selection"),
            Shortcut("Ctrl+F", "Search the current list"),
            Shortcut("Escape", "Clear the search"),
            Shortcut("Ctrl+Z", "Undo"),
            Shortcut("Ctrl+Shift+Z / Ctrl+Y", "Redo"),
            Shortcut("Space", "Play or pause (Tracks)"),
        ]
        rows += [Shortcut(f"Ctrl+{i + 1}", f"Go to {s.title}") for i, s in enumerate(self.sections[:9])]
        rows += [Shortcut(keys, action) for keys, action in self.extra_shortcuts]
        rows += [Shortcut("F1", "This list of shortcuts"), Shortcut("Ctrl+Q", "Quit")]
        return rows

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.shortcut_list(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _about(self) -> None:
        from .. import __version__

        QMessageBox.about(
            self,
            "About Gigbag",
            f"<b>Gigbag</b> {__version__}<br>Your music career in one place, offline.<br><br>"
            f"Data folder: {self.paths.data}",
        )

    # ---- remembering the window ----------------------------------------------------------------
    def _restore_frame(self) -> None:
        """Size, position, toolbar, splitter and the last section's row, before the window is shown."""
        geometry = self.settings.value("geometry")
        restored = isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(QByteArray(geometry))
        if not restored:
            self.resize(1200, 780)
        state = self.settings.value("window_state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        splitter = self.settings.value("splitter")
        if isinstance(splitter, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(splitter))
        last = self.settings.value("last_section")
        if isinstance(last, str) and last in self.sidebar_model.titles():
            self.show_section(last)

    def _set_usable(self, usable: bool) -> None:
        """Before the sections exist, the actions that act on one are greyed (navigation stays)."""
        for act in (self.new_action, self.delete_action, self.rename_action, self.find_action):
            act.setEnabled(usable)
        self.theme_group.setEnabled(usable)  # the theme is saved in the workspace's preferences

    def _open_first_section(self, pending: str | None) -> None:
        """The section picked before the data opened (the last one used), else the welcome or Portfolio."""
        titles = [e.title for e in self.sections]
        if pending in titles:
            self._show_row(titles.index(pending))
            return
        self.show_welcome()

        def empty(_op: object) -> bool:
            ws = self.workspace
            return ws.profile.current() is None and ws.tracks.count() == 0 and ws.goals.count() == 0

        def decided(is_empty: bool) -> None:
            if not is_empty and self.stack.currentWidget() is self.welcome:
                self.show_section("Portfolio")

        self.ops.read(empty).success(decided).run()

    def save_state(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("splitter", self.splitter.saveState())
        section = self.current_section()
        if section is not None:
            self.settings.setValue("last_section", section.title)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        self.save_state()
        for section in self.built_sections():
            section.shutdown()
        self.ops.wait_for_done(60_000)
        QApplication.processEvents()
        super().closeEvent(event)
