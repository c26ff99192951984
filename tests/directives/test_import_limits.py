"""Files built to exhaust the server are refused before they are inflated or rendered."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from directives.importer import ImportProblem, read_file
from directives.importer.reading import MAX_INFLATED_BYTES, MAX_TEXT_CHARS, MAX_ZIP_ENTRIES
from units.models import User


def bomb(inflated: int) -> bytes:
    """A small .docx whose document part inflates to `inflated` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


def many_entries(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(count):
            archive.writestr(f"word/media/{number}.xml", "")
    return buffer.getvalue()


def test_a_word_file_that_inflates_past_the_cap_is_refused_before_reading() -> None:
    content = bomb(MAX_INFLATED_BYTES + 8 * 1024 * 1024)
    assert len(content) < 1024 * 1024  # a small upload
    started = time.monotonic()
    with pytest.raises(ImportProblem, match="khi giải nén quá lớn"):
        read_file("bom.docx", content)
    assert time.monotonic() - started < 2  # the directory is read, not the content


def test_a_word_file_with_too_many_parts_is_refused() -> None:
    with pytest.raises(ImportProblem, match="quá nhiều thành phần"):
        read_file("nhieu.docx", many_entries(MAX_ZIP_ENTRIES + 1))


def test_a_text_longer_than_a_notice_could_be_is_refused() -> None:
    with pytest.raises(ImportProblem, match="Văn bản quá dài"):
        read_file("dai.txt", ("Giao Phòng Nội vụ chủ trì. " * (MAX_TEXT_CHARS // 20)).encode())


@pytest.mark.django_db
def test_the_import_page_answers_a_bomb_with_a_message(client: Client, office: User) -> None:
    client.force_login(office)
    desk = client
    upload = SimpleUploadedFile("bom.docx", bomb(MAX_INFLATED_BYTES + 8 * 1024 * 1024))
    response = desk.post(reverse("notice_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "khi giải nén quá lớn" in page
    assert len(page) < 200_000
