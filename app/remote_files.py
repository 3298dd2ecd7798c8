"""The files whose content is not on this computer: arriving with a sync, or kept on the server only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..local_db.database import read_session
from ..local_db.models import File
from ..local_db.sync_tables import CloudOnlyFile
from .workspace import Workspace


@dataclass(frozen=True)
class RemoteFile:
    file_id: str
    filename: str
    size: int
    sha256: str
    cloud_only: bool  # kept on the server on purpose (the artist chose it)


def files_not_here(workspace: Workspace, limit: int = 5000) -> list[RemoteFile]:
    """Files whose content is not on this computer (arriving with a sync, or kept on the server only)."""
    files = File.__table__.c  # type: ignore[attr-defined]
    cloud = CloudOnlyFile.__table__.c  # type: ignore[attr-defined]
    out: list[RemoteFile] = []
    with read_session(workspace.engine) as s:
        cloud_only = set(s.scalars(select(cloud.file_id)))
        query = select(files.id, files.filename, files.file_size_bytes, files.blob_sha256).order_by(files.filename)
        rows = s.execute(query)
        for file_id, filename, size, sha in rows:
            if workspace.blobs.has(sha):
                continue
            out.append(RemoteFile(file_id, filename, int(size or 0), sha, file_id in cloud_only))
            if len(out) >= limit:
                break
    return out
