"""Pictures from the file store (avatar, banner, cover art): decoded off the UI thread, drawn to fit.

A press photo can be a 6000-pixel JPEG; decoding it on the UI thread would freeze the window. The
loader decodes (already scaled down) on a reader thread into a QImage, which is safe there, and the
views turn it into a pixmap and paint it cropped to their shape, in palette colors when empty.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter, QPainterPath, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...app.workspace import Workspace
from ...schema.entities import BLOB_REF_PREFIX

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)"


def blob_ref(sha256: str) -> str:
    return f"{BLOB_REF_PREFIX}{sha256}"


def blob_sha(ref: str | None) -> str | None:
    """The SHA-256 in a "blob:<sha>" reference, else None (an http URL or nothing)."""
    if ref and ref.startswith(BLOB_REF_PREFIX):
        return ref[len(BLOB_REF_PREFIX) :]
    return None


def load_image(path: Path, max_size: QSize) -> QImage:
    """Decode ``path`` scaled to fit in ``max_size`` (worker-thread safe); a null image if unreadable."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > max_size.width() or size.height() > max_size.height()):
        reader.setScaledSize(size.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatioByExpanding))
    image = reader.read()
    return image if not image.isNull() else QImage()


def load_blob_image(workspace: Workspace, ref: str | None, max_size: QSize) -> QImage:
    """The image a "blob:<sha>" reference names, if its content is on this computer."""
    sha = blob_sha(ref)
    if sha is None or not workspace.blobs.has(sha):
        return QImage()
    return load_image(workspace.blobs.path(sha), max_size)


class PictureView(QWidget):
    """Paints an image cropped to fill the widget (rounded or round), or a hint on the mid color."""

    def __init__(
        self, empty_text: str, round_shape: bool = False, radius: float = 8.0, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._empty_text = empty_text
        self._round = round_shape
        self._radius = radius
        self.setAccessibleName(empty_text)

    def set_image(self, image: QImage | None) -> None:
        self._pixmap = QPixmap.fromImage(image) if image is not None and not image.isNull() else None
        self.update()

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def has_image(self) -> bool:
        return self._pixmap is not None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        clip = QPainterPath()
        if self._round:
            clip.addEllipse(rect)
        else:
            clip.addRoundedRect(rect, self._radius, self._radius)
        painter.setClipPath(clip)
        palette = self.palette()
        if self._pixmap is None:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                rect.adjusted(6, 6, -6, -6), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text
            )
        else:
            scaled = self._pixmap.scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
            )
            x = (self.width() - scaled.width()) / 2
            y = (self.height() - scaled.height()) / 2
            painter.drawPixmap(int(x), int(y), scaled)
        painter.setClipping(False)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(clip)
        painter.end()


class BannerView(PictureView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No banner yet", parent=parent)
        self.setMinimumHeight(150)
        self.setMaximumHeight(190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(800, 170)


class AvatarView(PictureView):
    def __init__(self, side: int = 112, parent: QWidget | None = None) -> None:
        super().__init__("No photo", round_shape=True, parent=parent)
        self.setFixedSize(side, side)
