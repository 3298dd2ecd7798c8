"""The Portfolio section: the artist's profile as a form, with the completion meter and what is missing.

The form follows Umbrella's ``artists`` row in sections (identity, story, creative profile, rates
and availability, the six yes/no questions, links); the server-owned metrics are shown read-only.
Avatar and banner are image files imported into the file store and referenced as "blob:<sha256>".
Saving sends only the fields that changed, through the writer thread, as one undoable step; a
refused value is explained under its field and nothing is saved. The completion meter follows the
form as the artist types (Umbrella's formula: 7 required fields weigh 70 %, 6 optional ones 30 %).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...app.entity_service import DeletedSnapshot
from ...app.errors import ValidationFailed
from ...app.formatting import format_bytes
from ...app.profile import COMPLETE_AT, REQUIRED_FIELDS, completion
from ...app.records import Artist
from ...schema.entities import ARTIST_ID
from ..context import UiContext
from ..operations import OpContext
from ..section import Section
from ..widgets.field_errors import FieldErrorLabel, FieldErrors
from ..widgets.icons import icon
from ..widgets.images import IMAGE_FILTER, AvatarView, BannerView, blob_ref, load_blob_image
from ..widgets.loading_state import LoadingState
from ..widgets.theme import set_semantic_foreground
from ..widgets.undo_commands import ServiceCommand, execute

# ---- the form's fields -----------------------------------------------------------------------
from .portfolio_fields import DEFAULTS, FIELDS, GROUPS, IMAGE_FIELDS, LABELS, METRICS, FieldSpec, parse_int, split_list

# ---- the profile's undoable save ---------------------------------------------------------------


class SaveProfileCommand(ServiceCommand):
    """Save changed fields of the profile; undo puts the old values back (or removes a new profile)."""

    def __init__(self, ctx: UiContext, changes: dict[str, Any], text: str = "Edit profile") -> None:
        super().__init__(ctx, text, {"artists"})
        self.changes = dict(changes)
        self.before: dict[str, Any] | None = None
        self.created = False
        self.snapshot: DeletedSnapshot | None = None

    def forward(self, op: OpContext) -> Any:
        profile = self.ctx.workspace.profile
        if self.snapshot is not None:  # redo of a creation
            profile.restore(self.snapshot)
            self.snapshot = None
            return profile.get(ARTIST_ID)
        if self.before is None and not self.created:
            current = profile.current()
            if current is None:
                self.created = True
            else:
                self.before = {k: getattr(current, k) for k in self.changes}
        return profile.save(self.changes)

    def backward(self, op: OpContext) -> Any:
        profile = self.ctx.workspace.profile
        if self.created:
            self.snapshot = profile.delete(ARTIST_ID)
            return None
        assert self.before is not None
        return profile.update(ARTIST_ID, self.before)


# ---- the section -------------------------------------------------------------------------------


class PortfolioSection(Section):
    title = "Portfolio"
    icon_name = "user-identity"

    #: the profile was read (or read again) into the form
    loaded = Signal()
    #: a save finished (True) or was refused (False)
    saved = Signal(bool)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.profile: Artist | None = None
        self.values: dict[str, Any] = {}  # what is stored (or the defaults before the first save)
        self.baseline: dict[str, Any] = {}  # the form's values right after loading
        self.image_values: dict[str, str | None] = {"avatar_url": None, "banner_url": None}
        self.widgets: dict[str, QWidget] = {}
        self._loading = False
        self._active = False
        self._stale = True
        self.missing_fields: tuple[str, ...] = ()
        self._build()
        self._fill(None)
        ctx.events.changed.connect(self._data_changed)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Save),
            self,
            self.save,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setObjectName("portfolio-scroll")
        page = QWidget(scroll)
        page.setObjectName("portfolio-page")
        scroll.setWidget(page)
        self.scroll_area = scroll
        centre = QHBoxLayout(page)
        centre.setContentsMargins(0, 0, 0, 0)
        content = QWidget(page)
        content.setMaximumWidth(1040)  # long lines of form fields are hard to read on a wide window
        centre.addStretch(1)
        centre.addWidget(content, 20)
        centre.addStretch(1)
        page = content
        column = QVBoxLayout(page)
        column.setContentsMargins(24, 20, 24, 24)
        column.setSpacing(16)

        self.general_error = FieldErrorLabel(page)
        self.errors = FieldErrors(self.general_error)

        column.addWidget(self._build_header(page))
        column.addWidget(self._build_completion(page))
        column.addWidget(self.general_error)
        self.form_labels: list[QLabel] = []
        for title, specs in GROUPS:
            column.addWidget(self._build_group(page, title, specs))
        # one label column for every group, as wide as the longest label (no wrapped, clipped labels)
        widest = max(label.sizeHint().width() for label in self.form_labels)
        for label in self.form_labels:
            label.setMinimumWidth(widest)
        column.addWidget(self._build_metrics(page))
        column.addStretch(1)
        # until the first read answers, the form is not shown: empty, it would say there is no profile yet
        self.content_stack = QStackedWidget(self)
        self.content_stack.addWidget(scroll)
        self.loading = LoadingState("Reading your profile…", self.content_stack)
        self.content_stack.addWidget(self.loading)
        self.content_stack.setCurrentWidget(self.loading)
        outer.addWidget(self.content_stack, 1)
        self.save_bar = self._build_save_bar()
        self.save_bar.hide()
        outer.addWidget(self.save_bar)
        self._wire_dirty_tracking()

    def _build_header(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        self.banner = BannerView(box)
        self.banner.setAccessibleName("Banner image")
        grid.addWidget(self.banner, 0, 0, 1, 3)
        self.avatar = AvatarView(112, box)
        self.avatar.setAccessibleName("Avatar image")
        grid.addWidget(self.avatar, 1, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        self.name_label = QLabel(box)
        self.name_label.setObjectName("portfolio-name")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setWordWrap(True)
        self.tagline_label = QLabel(box)
        self.tagline_label.setWordWrap(True)
        self.tagline_label.setObjectName("portfolio-tagline")
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name_label)
        names.addWidget(self.tagline_label)
        names.addStretch(1)
        grid.addLayout(names, 1, 1, 2, 1)
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        self.avatar_button = QPushButton(icon("image-x-generic"), "Choose avatar…", box)
        self.avatar_button.clicked.connect(lambda: self.choose_image("avatar_url"))
        self.banner_button = QPushButton(icon("image-x-generic"), "Choose banner…", box)
        self.banner_button.clicked.connect(lambda: self.choose_image("banner_url"))
        self.remove_avatar_button = QPushButton("Remove avatar", box)
        self.remove_avatar_button.clicked.connect(lambda: self.set_image_ref("avatar_url", None))
        self.remove_banner_button = QPushButton("Remove banner", box)
        self.remove_banner_button.clicked.connect(lambda: self.set_image_ref("banner_url", None))
        for b in (self.avatar_button, self.banner_button, self.remove_avatar_button, self.remove_banner_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        grid.addLayout(buttons, 1, 2, 2, 1)
        self.avatar_error = self.errors.add("avatar_url", self.avatar_button, FieldErrorLabel(box))
        self.banner_error = self.errors.add("banner_url", self.banner_button, FieldErrorLabel(box))
        grid.addWidget(self.avatar_error, 3, 0, 1, 3)
        grid.addWidget(self.banner_error, 4, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        return box

    def _build_completion(self, parent: QWidget) -> QWidget:
        box = QGroupBox("Profile completion", parent)
        box.setObjectName("completion-box")
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.completion_bar = QProgressBar(box)
        self.completion_bar.setRange(0, 100)
        self.completion_bar.setAccessibleName("Profile completion")
        self.completion_bar.setFormat("%p%")
        self.completion_label = QLabel(box)
        self.completion_label.setWordWrap(True)
        row.addWidget(self.completion_bar, 2)
        row.addWidget(self.completion_label, 3)
        layout.addLayout(row)
        self.missing_label = QLabel(box)
        self.missing_label.setObjectName("missing-fields")
        self.missing_label.setWordWrap(True)
        self.missing_label.setTextFormat(Qt.TextFormat.RichText)
        self.missing_label.linkActivated.connect(self.focus_field)
        layout.addWidget(self.missing_label)
        return box

    def _field_widget(self, spec: FieldSpec, parent: QWidget) -> QWidget:
        widget: QWidget
        if spec.kind == "long":
            edit = QPlainTextEdit(parent)
            edit.setPlaceholderText(spec.placeholder)
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(72)
            edit.setMaximumHeight(130)
            widget = edit
        elif spec.kind == "bool":
            widget = QCheckBox(spec.label, parent)
        elif spec.kind == "yesno":
            combo = QComboBox(parent)
            combo.addItem("Not answered", None)
            combo.addItem("Yes", True)
            combo.addItem("No", False)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            combo.setMinimumWidth(170)
            widget = combo
        else:
            line = QLineEdit(parent)
            line.setPlaceholderText(spec.placeholder)
            if spec.kind == "int":
                line.setMaximumWidth(160)
                line.setAlignment(Qt.AlignmentFlag.AlignRight)
            widget = line
        widget.setAccessibleName(spec.label)
        widget.setObjectName(f"field-{spec.name}")
        return widget

    def _build_group(self, parent: QWidget, title: str, specs: tuple[FieldSpec, ...]) -> QWidget:
        box = QGroupBox(title, parent)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for spec in specs:
            widget = self._field_widget(spec, box)
            self.widgets[spec.name] = widget
            cell = QWidget(box)
            v = QVBoxLayout(cell)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(2)
            v.addWidget(widget)
            title = spec.label.replace(" ($)", "").replace(" (%)", "")
            error = self.errors.add(spec.name, widget, FieldErrorLabel(cell), title)
            v.addWidget(error)
            if spec.kind == "bool":
                form.addRow("", cell)
            else:
                required = " *" if spec.name in REQUIRED_FIELDS else ""
                label = QLabel(f"{spec.label}{required}", box)
                label.setBuddy(widget)
                self.form_labels.append(label)
                form.addRow(label, cell)
        if title == "Identity":
            note = QLabel("* needed for a complete profile", box)
            set_semantic_foreground(note, "muted")
            form.addRow("", note)
        return box

    def _build_metrics(self, parent: QWidget) -> QWidget:
        box = QGroupBox("On Gigbag (kept by the server, read-only)", parent)
        box.setObjectName("metrics-box")
        grid = QGridLayout(box)
        self.metric_labels: dict[str, QLabel] = {}
        for i, (name, label) in enumerate(METRICS):
            title = QLabel(label, box)
            value = QLabel("—", box)
            value.setObjectName(f"metric-{name}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            value.setAccessibleName(label)
            self.metric_labels[name] = value
            grid.addWidget(title, 0, i)
            grid.addWidget(value, 1, i)
        return box

    def _build_save_bar(self) -> QWidget:
        bar = QFrame(self)
        bar.setObjectName("save-bar")
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 8, 16, 8)
        self.state_label = QLabel(bar)
        self.state_label.setObjectName("save-state")
        row.addWidget(self.state_label, 1)
        self.revert_button = QPushButton("Discard changes", bar)
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save profile", bar)
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save profile (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return bar

    def _wire_dirty_tracking(self) -> None:
        for widget in self.widgets.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.textChanged.connect(self._form_changed)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(self._form_changed)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._form_changed)

    # ---- reading the form --------------------------------------------------------------------
    def widget_for(self, name: str) -> QWidget:
        return self.widgets[name]

    def form_value(self, name: str) -> Any:
        spec = FIELDS[name]
        widget = self.widgets[name]
        if isinstance(widget, QPlainTextEdit):
            text = widget.toPlainText().strip()
            return text or None
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        assert isinstance(widget, QLineEdit)
        text = widget.text().strip()
        if spec.kind in ("list", "dates"):
            return split_list(text)
        if spec.kind == "int":
            return parse_int(text)
        return text or None

    def form_values(self) -> dict[str, Any]:
        out = {name: self.form_value(name) for name in FIELDS}
        out.update(self.image_values)
        return out

    def changes(self) -> dict[str, Any]:
        """The fields whose form value differs from what the form showed after loading."""
        return {k: v for k, v in self.form_values().items() if v != self.baseline.get(k)}

    def is_dirty(self) -> bool:
        return bool(self.changes())

    # ---- filling the form --------------------------------------------------------------------
    def _set_widget(self, name: str, value: Any) -> None:
        spec = FIELDS[name]
        widget = self.widgets[name]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value or "")
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex({None: 0, True: 1, False: 2}.get(value, 0))
        elif isinstance(widget, QLineEdit):
            if spec.kind in ("list", "dates"):
                widget.setText(", ".join(value or []))
            else:
                widget.setText("" if value is None else str(value))
            widget.setCursorPosition(0)  # show a long link from its start

    def _fill(self, profile: Artist | None) -> None:
        self._loading = True
        try:
            self.profile = profile
            if profile is None:
                self.values = dict(DEFAULTS)
            else:
                self.values = {name: getattr(profile, name) for name in (*FIELDS, *IMAGE_FIELDS)}
            for name in FIELDS:
                self._set_widget(name, self.values.get(name, DEFAULTS.get(name)))
            self.image_values = {k: self.values.get(k) for k in IMAGE_FIELDS}
            for name, _label in METRICS:
                self.metric_labels[name].setText(self._metric_text(name, profile))
        finally:
            self._loading = False
        self.baseline = self.form_values()
        self.errors.clear()
        self._load_images()
        self._form_changed()

    @staticmethod
    def _metric_text(name: str, profile: Artist | None) -> str:
        if profile is None:
            return "—"
        value = getattr(profile, name)
        if name == "verified":
            return "Yes" if value else "Not yet"
        if name == "avg_rating":
            return f"{value:.1f} / 5" if value is not None else "No ratings yet"
        if name == "total_earnings":
            return f"${value:,}"
        return f"{value:,}"

    def _load_images(self) -> None:
        ws = self.ctx.workspace
        refs = dict(self.image_values)

        def read(_op: OpContext) -> tuple[QImage, QImage]:
            return (
                load_blob_image(ws, refs.get("avatar_url"), QSize(320, 320)),
                load_blob_image(ws, refs.get("banner_url"), QSize(1600, 480)),
            )

        def show(images: tuple[QImage, QImage]) -> None:
            if refs != self.image_values:
                return  # another image was chosen meanwhile
            avatar, banner = images
            self.avatar.set_image(avatar)
            self.banner.set_image(banner)
            self.avatar.set_empty_text("No photo" if not refs.get("avatar_url") else "Image not on this computer")
            self.banner.set_empty_text("No banner yet" if not refs.get("banner_url") else "Banner not on this computer")

        self.ctx.ops.read(read).success(show).run()

    def _form_changed(self) -> None:
        if self._loading:
            return
        values = self.form_values()
        self._update_completion(values)
        name = values.get("stage_name") or "Your stage name"
        self.name_label.setText(name)
        location = ", ".join(v for v in (values.get("location_city"), values.get("location_state")) if v)
        tagline = values.get("tagline") or ""
        self.tagline_label.setText(
            " · ".join(p for p in (tagline, location, values.get("primary_genre") or "") if p)
            or "Add a tagline, your city and your genre"
        )
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if dirty:
            self.state_label.setText("Unsaved changes")
        elif self.profile is None:
            self.state_label.setText("Start with your stage name, then save.")
        else:
            self.state_label.setText("All changes saved")
        self.remove_avatar_button.setEnabled(bool(self.image_values.get("avatar_url")))
        self.remove_banner_button.setEnabled(bool(self.image_values.get("banner_url")))

    def _update_completion(self, values: dict[str, Any]) -> None:
        result = completion(values)
        self.completion_bar.setValue(result.score)
        if result.complete:
            self.completion_label.setText(f"{result.score}% — your profile counts as complete (from {COMPLETE_AT}%).")
        else:
            self.completion_label.setText(f"{result.score}% — reach {COMPLETE_AT}% for a complete profile.")

        def links(names: tuple[str, ...]) -> str:
            return ", ".join(f'<a href="{n}">{LABELS[n]}</a>' for n in names)

        parts = []
        if result.missing_required:
            parts.append(f"<b>Needed:</b> {links(result.missing_required)}")
        if result.missing_optional:
            parts.append(f"<b>Nice to have:</b> {links(result.missing_optional)}")
        self.missing_label.setText("<br>".join(parts) if parts else "Nothing missing. Well done!")
        self.missing_fields = (*result.missing_required, *result.missing_optional)

    # ---- actions -----------------------------------------------------------------------------
    def focus_field(self, name: str) -> None:
        if name == "avatar_url":
            widget: QWidget = self.avatar_button
        elif name == "banner_url":
            widget = self.banner_button
        else:
            widget = self.widgets[name]
        self.scroll_area.ensureWidgetVisible(widget, 40, 80)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def activate(self) -> None:
        self._active = True
        if self._stale:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        profile_service = self.ctx.workspace.profile
        self.ctx.ops.read(lambda _op: profile_service.current()).success(self._loaded).failure(self._load_failed).run()

    def _loaded(self, profile: Artist | None) -> None:
        self._fill(profile)
        self.content_stack.setCurrentWidget(self.scroll_area)
        self.save_bar.show()
        self.loaded.emit()

    def _load_failed(self, exc: BaseException) -> bool:
        if self.content_stack.currentWidget() is self.loading:
            self.loading.show_failure("Your profile could not be read", str(exc) or type(exc).__name__)
        return False  # the window's error handler shows it too

    def _data_changed(self, types: set[str]) -> None:
        if types and "artists" not in types:
            return
        if self._active or self.isVisible():
            self.reload()
        else:
            self._stale = True

    def revert(self) -> None:
        self._fill(self.profile)

    def save(self) -> None:
        changes = self.changes()
        self.errors.clear()
        if not changes:
            self.message.emit("No changes to save")
            return
        if self.profile is None and not changes.get("stage_name"):
            self.errors.show({"stage_name": "stage name is needed before anything else can be saved"})
            self.saved.emit(False)
            return
        self.save_button.setEnabled(False)
        self.state_label.setText("Saving…")
        names = [LABELS.get(k, k) for k in changes]
        text = f"Edit {names[0].lower()}" if len(names) == 1 else "Edit profile"

        def done(_row: Artist) -> None:
            self.message.emit("Profile saved")
            self.saved.emit(True)

        def refused(exc: BaseException) -> bool:
            self._form_changed()
            if isinstance(exc, ValidationFailed):
                self.errors.show(exc.errors)
                self.state_label.setText("Not saved: please check the marked fields.")
                self.saved.emit(False)
                return True
            self.saved.emit(False)
            return False

        execute(self.ctx, SaveProfileCommand(self.ctx, changes, text), on_success=done, on_failure=refused)

    # ---- images ------------------------------------------------------------------------------
    def choose_image(self, field: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Choose {IMAGE_FIELDS[field].lower()} image", "", IMAGE_FILTER)
        if path:
            self.set_image_from_file(field, Path(path))

    def set_image_from_file(self, field: str, path: Path) -> None:
        """Import ``path`` into the file store and put it in the form (saved with the profile)."""
        files = self.ctx.workspace.files
        label = IMAGE_FIELDS[field].lower()

        def work(op: OpContext) -> tuple[str, int]:
            stored = files.import_file(
                path,
                category="press_photo",
                progress=lambda n: op.progress(n, path.stat().st_size, f"Importing {path.name}"),
            )
            if not stored.mime_type.startswith("image/"):
                files.delete(stored.id)
                raise ValidationFailed({field: f"{path.name} is not an image"})
            return stored.blob_sha256, stored.file_size_bytes

        def done(result: tuple[str, int]) -> None:
            sha, size = result
            self.ctx.events.emit_changed("files")
            self.set_image_ref(field, blob_ref(sha))
            self.message.emit(f"{IMAGE_FIELDS[field]} ready ({format_bytes(size)}); save the profile to keep it")

        def refused(exc: BaseException) -> bool:
            if isinstance(exc, ValidationFailed):
                self.errors.show(exc.errors)
                return True
            return False

        self.ctx.ops.write(work).with_label(f"Importing the {label}").success(done).failure(refused).run()

    def set_image_ref(self, field: str, ref: str | None) -> None:
        self.image_values[field] = ref
        self.errors.label(field).set_error(None)  # type: ignore[union-attr]
        self._load_images()
        self._form_changed()

    # ---- Section shortcuts -------------------------------------------------------------------
    def new_item(self) -> None:
        """Ctrl+N: go to the next thing the profile still needs."""
        self.focus_field(self.missing_fields[0] if self.missing_fields else "stage_name")

    def rename_selected(self) -> None:
        self.focus_field("stage_name")

    def focus_search(self) -> None:
        self.focus_field("stage_name")
