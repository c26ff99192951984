"""A backup restores every task, timeline row and file (docs/operations.md)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from core.backup import stored_files
from directives import services
from directives.models import Attachment, Notice, Task, TaskEvent
from tests.conftest import MakeTask
from units.models import User

# pg_dump and pg_restore work on committed data, from another process.
pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def empty_storage() -> None:
    """The test storage lives in memory for the whole process: start from no files."""
    for name in list(stored_files(default_storage)):
        default_storage.delete(name)


@pytest.fixture
def work(make_task: MakeTask, staff_a: User, office: User) -> list[Task]:
    tasks = [make_task(text=f"Nhiệm vụ số {i}", ref=f"3.{i}") for i in range(1, 4)]
    for i, task in enumerate(tasks):
        services.report_progress(
            actor=staff_a,
            task=task,
            note=f"Đã triển khai bước {i}",
            progress=30 + i,
            files=[SimpleUploadedFile(f"bien-ban-{i}.pdf", PDF + bytes([i]), "application/pdf")],
        )
    services.add_comment(actor=office, task=tasks[0], note="Đề nghị đẩy nhanh tiến độ.")
    return tasks


def snapshot() -> dict[str, object]:
    return {
        "tasks": sorted(Task.objects.values_list("pk", "text", "status", "progress", "version")),
        "events": sorted(TaskEvent.objects.values_list("pk", "task_id", "kind", "note")),
        "attachments": sorted(Attachment.objects.values_list("pk", "name", "sha256")),
    }


def test_restore_brings_back_every_task_timeline_row_and_file(
    work: list[Task], tmp_path: Path, notice: Notice
) -> None:
    before = snapshot()
    assert len(before["attachments"]) == 3  # type: ignore[arg-type]
    folder = tmp_path / "sao-luu"
    call_command("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["directives.Task"] == 3
    assert len(manifest["files"]) == 3

    # Disaster: the tasks and their files are gone, and someone kept working afterwards.
    for attachment in Attachment.objects.all():
        default_storage.delete(attachment.file.name)
    Task.objects.all().delete()
    Notice.objects.create(number="99/TB-UBND", issued_on=notice.issued_on, title="Sau sao lưu")

    from directives import caching

    kept = [caching._version(key) for key in (caching.FOLLOWED, caching.LISTS, caching.UNITS)]
    call_command("restore", str(folder), "--yes")
    # What the cache kept about the data before is never found again (core.seams.data_replaced).
    moved = [caching._version(key) for key in (caching.FOLLOWED, caching.LISTS, caching.UNITS)]
    assert all(old != new for old, new in zip(kept, moved, strict=True))

    assert snapshot() == before
    assert not Notice.objects.filter(number="99/TB-UBND").exists()  # back to the backup's state
    for attachment in Attachment.objects.all():
        with default_storage.open(attachment.file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == attachment.sha256


def test_a_damaged_backup_is_reported_not_trusted(work: list[Task], tmp_path: Path) -> None:
    folder = tmp_path / "sao-luu"
    call_command("backup", str(folder))
    damaged = next((folder / "media").rglob("*.pdf"))
    damaged.write_bytes(b"not the evidence")
    with pytest.raises(CommandError, match="Khôi phục chưa đầy đủ: 1 sai lệch"):
        call_command("restore", str(folder), "--yes")


def test_restore_asks_for_confirmation_and_refuses_a_foreign_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="ghi đè dữ liệu hiện có: chạy lại với --yes"):
        call_command("restore", str(tmp_path))
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(tmp_path), "--yes")


def test_a_backup_never_writes_into_a_used_folder(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("giữ nguyên")
    with pytest.raises(CommandError, match="không trống"):
        call_command("backup", str(tmp_path))
    assert (tmp_path / "old.txt").read_text() == "giữ nguyên"


def test_a_backup_taken_while_people_work_restores_and_passes_its_own_check(
    work: list[Task], tmp_path: Path, staff_a: User
) -> None:
    """Writers keep adding timeline rows while the backup runs; the manifest counts exactly
    what the dump holds (one snapshot), so the restore finds every row it promises."""
    import threading
    import time

    from django.db import connection

    stop = threading.Event()
    written = [0]

    def keep_working() -> None:
        try:
            while not stop.is_set():
                task = work[written[0] % len(work)]
                services.report_progress(
                    actor=staff_a, task=task, note=f"Cập nhật {written[0]}", progress=50
                )
                written[0] += 1
        finally:
            connection.close()

    writers = [threading.Thread(target=keep_working) for _ in range(2)]
    for writer in writers:
        writer.start()
    try:
        time.sleep(0.2)
        folder = tmp_path / "sao-luu"
        call_command("backup", str(folder))
        time.sleep(0.2)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
    assert written[0] > 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert TaskEvent.objects.count() > manifest["rows"]["directives.TaskEvent"]  # kept working
    call_command("restore", str(folder), "--yes")  # raises on any difference with the manifest
    assert TaskEvent.objects.count() == manifest["rows"]["directives.TaskEvent"]
