"""Evidence and output documents: what may be uploaded, checked by content, not only by name."""

from __future__ import annotations

from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

# The kinds an office exchanges: PDF, Word, Excel, OpenDocument and photos. The key is what the
# content is; the value lists the name endings accepted for that content.
ALLOWED: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "doc": ("doc",),
    "xlsx": ("xlsx",),
    "xls": ("xls",),
    "odt": ("odt",),
    "ods": ("ods",),
    "jpg": ("jpg", "jpeg"),
    "png": ("png",),
    "webp": ("webp",),
    "gif": ("gif",),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for exts in ALLOWED.values() for ext in exts)
MAX_FILES = 10


def max_upload_bytes() -> int:
    return int(settings.DONDOC_MAX_UPLOAD_BYTES)


def validate_upload(upload: UploadedFile) -> UploadedFile:
    """Refuse a file that is empty, too large, or whose content is not an allowed kind.

    On success the upload's `content_type` is replaced by the one read from its content.
    """
    name = PurePath(upload.name or "").name
    if not upload.size:
        raise ValidationError(f"Tệp “{name}” rỗng.", code="empty")
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            f"Tệp “{name}” ({filesizeformat(upload.size)}) vượt quá dung lượng cho phép "
            f"({filesizeformat(limit)}).",
            code="too_large",
        )
    suffix = PurePath(name).suffix.lower().lstrip(".")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    allowed_names = ALLOWED.get(kind.extension, ()) if kind else ()
    if suffix not in allowed_names:
        raise ValidationError(
            f"Tệp “{name}” không đúng định dạng cho phép (PDF, Word, Excel, ảnh) "
            "hoặc nội dung không khớp với đuôi tệp.",
            code="file_type",
        )
    assert kind is not None
    upload.content_type = kind.mime
    return upload


def validate_uploads(uploads: list[UploadedFile]) -> list[UploadedFile]:
    if len(uploads) > MAX_FILES:
        raise ValidationError(f"Chỉ được đính kèm tối đa {MAX_FILES} tệp mỗi lần.", code="too_many")
    errors = []
    for upload in uploads:
        try:
            validate_upload(upload)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return uploads
