"""One Gigbag window per data folder: a second start hands over to the first and exits.

The first instance listens on a local socket named after its data folder (QLocalServer). A second
start on the same folder connects to it, asks it to come to the front, and quits; a start on
another data folder finds no one listening and runs beside it. A socket left by a crashed instance
answers no one, so it is removed and taken over.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("gigbag.ui.single_instance")
RAISE = b"raise\n"


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:20]
    return f"gigbag-{digest}"


class SingleInstance(QObject):
    """``claim()`` is True for the first instance; ``activate_requested`` fires when another one starts."""

    activate_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._server: QLocalServer | None = None

    def _hand_over(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(1000):
            return False
        socket.write(RAISE)
        socket.flush()
        socket.waitForBytesWritten(1000)
        socket.disconnectFromServer()
        return True

    def claim(self) -> bool:
        if self._hand_over():
            log.info("Gigbag already runs on this data folder; brought its window to the front")
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            QLocalServer.removeServer(self.name)  # left by an instance that crashed
            if not server.listen(self.name):
                log.warning("cannot listen on %s: %s", self.name, server.errorString())
                return True
        server.newConnection.connect(self._connected)
        self._server = server
        return True

    def _connected(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            # The other start writes one short line and leaves: read it here, briefly, and let go.
            arrived = bool(socket.bytesAvailable()) or socket.waitForReadyRead(1000)
            if arrived and bytes(socket.readAll().data()).startswith(RAISE.strip()):
                self.activate_requested.emit()
            socket.abort()
            socket.deleteLater()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
