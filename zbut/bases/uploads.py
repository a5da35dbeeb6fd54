"""Receiving a base file: streamed to disk, refused past the size limit without reading it all.

The handler replaces Django's default upload handlers for the upload view only, so the file
goes straight from the request body to ``IMPORT_UPLOAD_DIR/<uuid><suffix>`` in chunks. A body
that announces more than the limit is refused before a byte of the file is written; one that
lies about its length is cut off as soon as the bytes written pass the limit. Either way the
rest of the body is drained and discarded (``StopUpload(connection_reset=False)``), so the
browser gets our page with a message rather than a reset connection.

Under ASGI (uvicorn) Django spools the request body to a temporary file before the view runs
(``ASGIRequest``): memory stays flat, but the bytes do cross the network first.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _

ALLOWED_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xls"})
# Room for the multipart framing and the other form fields around the file itself.
MULTIPART_SLACK_BYTES = 64 * 1024

MSG_TOO_LARGE = _("Файл більший за %(limit)s МБ: розділіть базу на кілька файлів.")
MSG_NO_FILE = _("Виберіть файл бази (CSV, XLSX або XLS).")
MSG_WRONG_SUFFIX = _("Підтримуються файли CSV, XLSX і XLS.")


def max_upload_bytes() -> int:
    return int(settings.BASE_IMPORT_MAX_MB) * 1024 * 1024


class StoredUpload(UploadedFile):
    """An uploaded file already written to its final place; ``path`` is where."""

    def __init__(self, *, path: Path, name: str, size: int, content_type: str | None) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.path = path

    def close(self) -> None:  # nothing is held open
        return None


class BaseFileUploadHandler(FileUploadHandler):
    """Writes the one uploaded file to IMPORT_UPLOAD_DIR, counting bytes against the limit."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.too_large = False
        self.wrong_suffix = False
        self.path: Path | None = None
        self._handle: Any = None
        self._written = 0
        self._content_length = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self._content_length = content_length or 0

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if self._content_length > self.limit + MULTIPART_SLACK_BYTES:
            self._refuse()
        suffix = Path(file_name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            self.wrong_suffix = True
            raise StopUpload(connection_reset=False)
        directory = Path(settings.IMPORT_UPLOAD_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{uuid.uuid4().hex}{suffix}"
        self._handle = self.path.open("wb")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._written += len(raw_data)
        if self._written > self.limit:
            self._refuse()
        self._handle.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self._handle is None or self.path is None:
            return None
        self._handle.close()
        self._handle = None
        return StoredUpload(
            path=self.path, name=self.file_name, size=file_size, content_type=self.content_type
        )

    def upload_interrupted(self) -> None:
        self._discard()

    def _refuse(self) -> None:
        self.too_large = True
        self._discard()
        raise StopUpload(connection_reset=False)

    def _discard(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


def discard_upload(upload: UploadedFile | None) -> None:
    """Remove a stored upload that will not be imported (the file could not be read)."""
    path = getattr(upload, "path", None)
    if path is not None:
        Path(path).unlink(missing_ok=True)
