"""Asking before a sync deletes more than half of what is on this computer, showing what would go."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.sync_words import count_of, group_deletions
from .controller import DeleteConfirmation

MAX_SHOWN_PER_GROUP = 200


class BigDeleteDialog(QDialog):
    """Answers its :class:`DeleteConfirmation` when closed: only "Delete them" lets the sync go ahead."""

    def __init__(self, request: DeleteConfirmation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setObjectName("big-delete-dialog")
        self.setWindowTitle("Sync would delete most of your data")
        self.setMinimumSize(520, 420)
        layout = QVBoxLayout(self)
        headline = QLabel(
            f"<b>The server's changes would delete {count_of(request.deletions, 'item')} of the "
            f"{request.total} on this computer.</b>",
            self,
        )
        headline.setWordWrap(True)
        explain = QLabel(
            "This usually means they were deleted on another computer signed in to the same account. "
            "If that is what you want, delete them here too. If not, choose “Don't delete”: nothing is "
            "deleted, the sync stops, and the next sync asks again.",
            self,
        )
        explain.setWordWrap(True)
        layout.addWidget(headline)
        layout.addWidget(explain)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("deletion-list")
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("What would be deleted")
        groups = group_deletions(request.items)
        for title, labels in groups:
            parent_item = QTreeWidgetItem(self.tree, [title])
            for label in labels[:MAX_SHOWN_PER_GROUP]:
                QTreeWidgetItem(parent_item, [label])
            if len(labels) > MAX_SHOWN_PER_GROUP:
                QTreeWidgetItem(parent_item, [f"… and {len(labels) - MAX_SHOWN_PER_GROUP} more"])
        if len(groups) <= 3:
            self.tree.expandAll()
        if not groups:
            QTreeWidgetItem(self.tree, ["(The list could not be read; the counts above are exact.)"])
        layout.addWidget(QLabel("What would be deleted:", self))
        layout.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(self)
        self.keep_button = QPushButton("Don't delete — stop the sync", self)
        self.keep_button.setObjectName("keep-data")
        self.delete_button = QPushButton(f"Delete {count_of(request.deletions, 'item')}", self)
        self.delete_button.setObjectName("confirm-delete")
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self.reject)
        self.delete_button.clicked.connect(self.accept)
        layout.addWidget(buttons)
        self.finished.connect(lambda result: request.answer(int(result) == QDialog.DialogCode.Accepted.value))
