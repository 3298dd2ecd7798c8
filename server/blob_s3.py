"""The S3-compatible blob store (``s3://bucket/prefix``): AWS S3, MinIO, Garage, Cloudflare R2, Ceph…

Blobs are objects ``PREFIX/blobs/ab/cd/<sha256>``. A PUT streams into a multipart upload at the
blob's own key, parts of :data:`PUT_PART_BYTES` held in memory one at a time, and the upload is
completed only when the running SHA-256 matches (an incomplete multipart upload is invisible), so
an object at a blob's key is always right.

A tus upload in progress lives entirely in the bucket, so any server process can continue it: a
multipart upload at ``PREFIX/uploads/<id>`` whose parts all have the upload's part size, plus the
bytes after the last full part in a small object ``PREFIX/uploads/<id>.tail-<parts>`` (named by
the number of parts it follows, so a tail left by a process that died after sending the next part
is recognisably stale). The offset is the parts' sizes plus that tail's. When the last byte is in,
the multipart upload is completed, the result is hashed, and copied to the blob's key. The hash is
the running one this process kept across the PATCHes (:mod:`gigbag.server.upload_hashes`) when the
parts' and tail's ETags are still those it sent, else the assembled object is read back.
Endpoint, region and credentials come from the standard AWS environment (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``, ``AWS_PROFILE``…) or
``--s3-endpoint-url``.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

from gigbag.schema.canonical import is_sha256_hex

from .blob_store import BlobStoreError
from .upload_hashes import RunningHash, RunningHashes

MIB = 1024 * 1024
CHUNK_SIZE = MIB
PUT_PART_BYTES = 8 * MIB
MIN_UPLOAD_PART_BYTES = 8 * MIB  # S3's minimum part is 5 MiB; its maximum part count 10 000
MAX_PARTS = 9_000
MISSING_CODES = {"404", "NoSuchBucket", "NoSuchKey", "NotFound"}
REFUSED_CODES = {
    "403",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidClientTokenId",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
}


def upload_part_bytes(length: int) -> int:
    """The part size of a tus upload of ``length`` bytes (the same in every process)."""
    return max(MIN_UPLOAD_PART_BYTES, math.ceil(length / MAX_PARTS / MIB) * MIB)


def _etag(answer: dict[str, Any]) -> str:
    """An S3 answer's ETag (of a part, an object), without its quotes."""
    return str(answer.get("ETag", "")).strip('"')


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    def __init__(self, bucket: str, prefix: str, *, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        session = boto3.session.Session()
        endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        style = os.environ.get("GIGBAG_S3_ADDRESSING_STYLE") or ("path" if endpoint else "auto")
        self.endpoint = endpoint or "AWS S3"
        self.description = f"s3://{bucket}/{prefix} on {self.endpoint}"
        self.client: Any = session.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=session.region_name or "us-east-1",
            config=Config(
                max_pool_connections=64,
                s3={"addressing_style": style},
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=10,
                read_timeout=120,
            ),
        )
        self._multipart_ids: dict[str, str] = {}
        self.hashes = RunningHashes()

    # --- keys -------------------------------------------------------------------------------
    def key(self, sha256: str) -> str:
        if not is_sha256_hex(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{self.prefix}blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def staging_key(self, upload_id: str) -> str:
        if not upload_id.isalnum():
            raise ValueError("bad upload id")
        return f"{self.prefix}uploads/{upload_id}"

    def tail_key(self, upload_id: str, parts: int) -> str:
        return f"{self.staging_key(upload_id)}.tail-{parts:05d}"

    # --- health -----------------------------------------------------------------------------
    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            raise BlobStoreError(
                f"no S3 credentials for {self.description}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or AWS_PROFILE)"
            ) from None
        except EndpointConnectionError as exc:
            raise BlobStoreError(f"cannot reach the S3 endpoint {self.endpoint}: {exc}") from None
        except ClientError as exc:
            code = _code(exc)
            if code in MISSING_CODES:
                raise BlobStoreError(
                    f"the bucket {self.bucket!r} does not exist on {self.endpoint}; create it first "
                    f"(for example: aws s3 mb s3://{self.bucket})"
                ) from None
            if code in REFUSED_CODES:
                raise BlobStoreError(
                    f"{self.endpoint} refused the credentials for the bucket {self.bucket!r} ({code}): check "
                    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the key's permissions"
                ) from None
            raise BlobStoreError(f"the S3 store {self.description} answered {code}: {exc}") from None
        except BotoCoreError as exc:
            raise BlobStoreError(f"the S3 store {self.description} cannot be used: {exc}") from None

    # --- blobs ------------------------------------------------------------------------------
    def _object_size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                return None
            raise

    def exists(self, sha256: str) -> bool:
        return self._object_size(self.key(sha256)) is not None

    def size(self, sha256: str) -> int | None:
        return self._object_size(self.key(sha256))

    def _read(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start is not None:
            args["Range"] = f"bytes={start}-{end}"
        body = self.client.get_object(**args)["Body"]
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        return self._read(self.key(sha256), start, end)

    def _hash(self, key: str) -> str:
        digest = hashlib.sha256()
        for chunk in self._read(key):
            digest.update(chunk)
        return digest.hexdigest()

    def sha256_of(self, sha256: str) -> str:
        return self._hash(self.key(sha256))

    def new_writer(self, sha256: str) -> S3BlobWriter:
        return S3BlobWriter(self, sha256)

    # --- tus uploads ------------------------------------------------------------------------
    def upload_begin(self, upload_id: str, length: int) -> None:
        self.hashes.forget(upload_id)
        answer = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.staging_key(upload_id))
        self._multipart_ids[upload_id] = answer["UploadId"]

    def _multipart_id(self, upload_id: str) -> str | None:
        known = self._multipart_ids.get(upload_id)
        if known is not None:
            return known
        key = self.staging_key(upload_id)
        answer = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=key)
        for upload in answer.get("Uploads", []):
            if upload["Key"] == key:
                self._multipart_ids[upload_id] = upload["UploadId"]
                return str(upload["UploadId"])
        return None

    def _parts(self, upload_id: str, multipart_id: str, length: int) -> list[dict[str, Any]]:
        """The run of parts 1, 2, 3… of the part size (the last may be shorter if it ends the upload)."""
        size = upload_part_bytes(length)
        found: dict[int, dict[str, Any]] = {}
        marker = 0
        while True:
            answer = self.client.list_parts(
                Bucket=self.bucket, Key=self.staging_key(upload_id), UploadId=multipart_id, PartNumberMarker=marker
            )
            for part in answer.get("Parts", []):
                found[int(part["PartNumber"])] = part
            if not answer.get("IsTruncated"):
                break
            marker = int(answer["NextPartNumberMarker"])
        run: list[dict[str, Any]] = []
        total = 0
        while (part := found.get(len(run) + 1)) is not None:
            part_size = int(part["Size"])
            if part_size != size and total + part_size != length:
                break
            run.append(part)
            total += part_size
            if total >= length:
                break
        return run

    def _live_parts(self, upload_id: str, length: int) -> tuple[str, list[dict[str, Any]]] | None:
        """The multipart upload and its parts; None once it is gone (assembled or discarded, maybe
        by another process since this one last saw it)."""
        for _attempt in range(2):
            multipart_id = self._multipart_id(upload_id)
            if multipart_id is None:
                return None
            try:
                return multipart_id, self._parts(upload_id, multipart_id, length)
            except ClientError as exc:
                if _code(exc) != "NoSuchUpload":
                    raise
                self._multipart_ids.pop(upload_id, None)
        return None

    def upload_offset(self, upload_id: str, length: int, recorded: int) -> int | None:
        live = self._live_parts(upload_id, length)
        if live is None:
            assembled = self._object_size(self.staging_key(upload_id))
            return length if assembled == length else None
        _multipart_id, parts = live
        total = sum(int(p["Size"]) for p in parts)
        if total >= length:
            return length
        return total + (self._object_size(self.tail_key(upload_id, len(parts))) or 0)

    def upload_append(self, upload_id: str, length: int, offset: int) -> S3UploadAppender:
        live = self._live_parts(upload_id, length)
        if live is None:
            raise BlobStoreError("the store holds no multipart upload for this upload")
        multipart_id, run = live
        parts = len(run)
        full = parts * upload_part_bytes(length)
        tail = b""
        tail_etag = None
        if offset > full:
            body = self.client.get_object(Bucket=self.bucket, Key=self.tail_key(upload_id, parts))
            tail_etag = _etag(body)
            try:
                tail = body["Body"].read()[: offset - full]
            finally:
                body["Body"].close()
        etags = tuple(_etag(p) for p in run)
        running = self.hashes.take(upload_id, offset, (etags, tail_etag))
        hasher = running.hasher if running is not None else hashlib.sha256() if offset == 0 else None
        return S3UploadAppender(self, upload_id, multipart_id, length, list(etags), tail, offset, hasher)

    def _remove_tails(self, upload_id: str, keep: str | None = None) -> None:
        prefix = self.staging_key(upload_id) + ".tail-"
        answer = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        for item in answer.get("Contents", []):
            if item["Key"] != keep:
                self.client.delete_object(Bucket=self.bucket, Key=item["Key"])

    def upload_assemble(self, upload_id: str, length: int) -> str:
        key = self.staging_key(upload_id)
        live = self._live_parts(upload_id, length)
        running = None
        if live is not None:  # else: assembled already (by a process that stopped before the next step)
            multipart_id, parts = live
            running = self.hashes.take(upload_id, length, (tuple(_etag(p) for p in parts), None))
            if length == 0:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=multipart_id)
            else:
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=multipart_id,
                    MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]},
                )
            self._multipart_ids.pop(upload_id, None)
            self._remove_tails(upload_id)
        stored = self._object_size(key)
        if stored != length:
            raise BlobStoreError(f"the assembled upload holds {stored} bytes, not {length}")
        return str(running.hasher.hexdigest()) if running is not None else self._hash(key)

    def upload_install(self, upload_id: str, sha256: str) -> None:
        self.hashes.forget(upload_id)
        source = self.staging_key(upload_id)
        if not self.exists(sha256):
            self.client.copy({"Bucket": self.bucket, "Key": source}, self.bucket, self.key(sha256))
        self.client.delete_object(Bucket=self.bucket, Key=source)

    def remove(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def upload_discard(self, upload_id: str) -> None:
        self.hashes.forget(upload_id)
        key = self.staging_key(upload_id)
        multipart_id = self._multipart_id(upload_id)
        if multipart_id is not None:
            try:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=multipart_id)
            except ClientError as exc:
                if _code(exc) not in MISSING_CODES | {"NoSuchUpload"}:
                    raise
        self._multipart_ids.pop(upload_id, None)
        self._remove_tails(upload_id)
        self.client.delete_object(Bucket=self.bucket, Key=key)


class S3BlobWriter:
    """A PUT's content as a multipart upload at the blob's key, completed only once verified."""

    def __init__(self, store: S3BlobStore, sha256: str) -> None:
        self.store = store
        self.expected = sha256
        self.size = 0
        self._hasher = hashlib.sha256()
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._key = store.key(sha256)
        self._multipart_id: str | None = None

    def write(self, data: bytes) -> None:
        self._hasher.update(data)
        self.size += len(data)
        self._buffer += data
        while len(self._buffer) >= PUT_PART_BYTES:
            self._send(bytes(self._buffer[:PUT_PART_BYTES]))
            del self._buffer[:PUT_PART_BYTES]

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()

    def _send(self, part: bytes) -> None:
        client = self.store.client
        if self._multipart_id is None:
            self._multipart_id = client.create_multipart_upload(Bucket=self.store.bucket, Key=self._key)["UploadId"]
        number = len(self._parts) + 1
        answer = client.upload_part(
            Bucket=self.store.bucket, Key=self._key, UploadId=self._multipart_id, PartNumber=number, Body=part
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def commit(self, sha256: str) -> None:
        if sha256 != self.expected or self._hasher.hexdigest() != sha256:
            raise ValueError("only content of the expected digest becomes a blob")
        store, client = self.store, self.store.client
        if self._multipart_id is None:
            client.put_object(Bucket=store.bucket, Key=self._key, Body=bytes(self._buffer))
            self._buffer.clear()
            return
        if self._buffer:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        client.complete_multipart_upload(
            Bucket=store.bucket, Key=self._key, UploadId=self._multipart_id, MultipartUpload={"Parts": self._parts}
        )
        self._multipart_id = None

    def abort(self) -> None:
        if self._multipart_id is not None:
            # if this fails, the bucket's lifecycle rule for incomplete uploads removes it
            with contextlib.suppress(ClientError):
                self.store.client.abort_multipart_upload(
                    Bucket=self.store.bucket, Key=self._key, UploadId=self._multipart_id
                )
            self._multipart_id = None
        self._buffer.clear()


class S3UploadAppender:
    """Appends to a tus upload: full parts go to the multipart upload, the rest to the tail object."""

    def __init__(
        self,
        store: S3BlobStore,
        upload_id: str,
        multipart_id: str,
        length: int,
        etags: list[str],
        tail: bytes,
        offset: int,
        hasher: Any,
    ) -> None:
        self.store = store
        self.upload_id = upload_id
        self.multipart_id = multipart_id
        self.length = length
        self.part_bytes = upload_part_bytes(length)
        self.etags = etags  # of the parts 1, 2, 3… as sent
        self.parts = len(etags)
        self.first_parts = self.parts
        self.buffer = bytearray(tail)
        self.size = offset
        self.durable = offset
        self.hasher = hasher  # None: no running hash (the final check reads the object back)

    def write(self, data: bytes) -> None:
        if self.hasher is not None:
            self.hasher.update(data)
        self.buffer += data
        self.size += len(data)
        while len(self.buffer) >= self.part_bytes:
            self._send(bytes(self.buffer[: self.part_bytes]))
            del self.buffer[: self.part_bytes]
        if self.size == self.length and self.buffer:
            self._send(bytes(self.buffer))
            self.buffer.clear()

    def _send(self, part: bytes) -> None:
        answer = self.store.client.upload_part(
            Bucket=self.store.bucket,
            Key=self.store.staging_key(self.upload_id),
            UploadId=self.multipart_id,
            PartNumber=self.parts + 1,
            Body=part,
        )
        self.etags.append(_etag(answer))
        self.parts += 1
        self.durable = min(self.parts * self.part_bytes, self.length)

    def checkpoint(self) -> int:
        return self.durable

    def close(self) -> int:
        store = self.store
        keep = None
        tail_etag = None
        if self.buffer:
            keep = store.tail_key(self.upload_id, self.parts)
            answer = store.client.put_object(Bucket=store.bucket, Key=keep, Body=bytes(self.buffer))
            tail_etag = _etag(answer)
            self.buffer.clear()
        if keep is not None or self.parts != self.first_parts:
            store._remove_tails(self.upload_id, keep=keep)
        self.durable = self.size
        if self.hasher is not None:
            stamp = (tuple(self.etags), tail_etag)
            store.hashes.keep(self.upload_id, RunningHash(self.hasher, self.size, stamp))
        return self.durable
