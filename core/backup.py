"""Back up and restore the database and the uploaded files (docs/operations.md).

A backup is a folder:

- `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite's online backup);
- `media/`: every file of the default storage (evidence, notices' sources, issued reports);
- `manifest.json`: when, which database engine, the row count of every table and the SHA-256 of
  every file, so a restore can prove it brought everything back.

`restore` loads the folder into the configured database and storage, then compares the result
with the manifest and lists anything missing or different.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.utils import timezone

from core import seams

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Vietnamese."""


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from stored_files(storage, f"{folder}/{directory}" if folder else directory)


def _sha256(handle: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _tables() -> dict[str, str]:
    return {
        model._meta.label: model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.using(connection.alias).count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def _sqlite_counts(path: Path) -> dict[str, int]:
    """The rows of every table in a SQLite backup file: what the copy holds, whatever was
    written to the live database since."""
    with sqlite3.connect(path) as copy:
        counts = {
            label: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for label, table in _tables().items()
        }
    copy.close()
    return counts


def _pg_env() -> tuple[list[str], dict[str, str]]:
    config = connection.settings_dict
    args = ["--dbname", config["NAME"]]
    if config.get("HOST"):
        args += ["--host", config["HOST"]]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", config["USER"]]
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(f"Không tìm thấy lệnh {command[0]} (cài postgresql-client).") from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} báo lỗi: {error.stderr.strip()[:500]}") from error


def _pg_dump(target: Path) -> dict[str, int]:
    """Dump the database and count its rows in one snapshot: a transaction exports its
    snapshot, counts in it, and pg_dump reads that same snapshot while it stays open, so
    writes made meanwhile are in neither."""
    if connection.in_atomic_block:
        raise BackupError("Không sao lưu được từ bên trong một giao dịch đang mở.")
    args, env = _pg_env()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        rows = row_counts()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
              *args, "--file", str(target)], env)  # fmt: skip
    return rows


def backup(destination: Path, *, storage: Storage = default_storage) -> dict[str, Any]:
    """Write a backup folder; returns its manifest."""
    destination.mkdir(parents=True, exist_ok=True)
    if any(destination.iterdir()):
        raise BackupError(f"Thư mục {destination} không trống: hãy chọn một thư mục mới.")
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        rows = _pg_dump(destination / PG_DUMP)
    elif connection.vendor == "sqlite":
        with sqlite3.connect(destination / SQLITE_COPY) as copy:
            connection.connection.backup(copy)
        copy.close()
        rows = _sqlite_counts(destination / SQLITE_COPY)
    else:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")

    files = {}
    for name in sorted(stored_files(storage)):
        target = destination / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        with open(target, "rb") as written:
            files[name] = _sha256(written)

    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "rows": rows,
        "files": files,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


@dataclass
class RestoreReport:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    problems: list[str] = field(default_factory=list)


def restore(source: Path, *, storage: Storage = default_storage) -> RestoreReport:
    """Load a backup folder into the configured database and storage, then check it."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            f"Không đọc được {source / MANIFEST}: đây không phải bản sao lưu."
        ) from error
    connection.ensure_connection()
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"Bản sao lưu của {manifest.get('vendor')}, cơ sở dữ liệu đang dùng là "
            f"{connection.vendor}."
        )
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
              "--single-transaction", *args, str(source / PG_DUMP)], env)  # fmt: skip
    else:
        with sqlite3.connect(source / SQLITE_COPY) as copy:
            copy.backup(connection.connection)
        copy.close()

    # Whatever the cache keeps about the data before is out of date (core/seams.py).
    seams.data_replaced.call()
    report = RestoreReport()
    for name, digest in manifest["files"].items():
        if storage.exists(name):
            storage.delete(name)
        with open(source / MEDIA / name, "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            report.problems.append(f"Tệp {name} được lưu thành {saved}.")
        with storage.open(saved, "rb") as handle:
            if _sha256(handle) != digest:
                report.problems.append(f"Tệp {name} khác bản sao lưu.")
        report.files += 1

    report.rows = row_counts()
    for label, count in manifest["rows"].items():
        if report.rows.get(label) != count:
            report.problems.append(
                f"Bảng {label}: sao lưu có {count} dòng, khôi phục được {report.rows.get(label)}."
            )
    return report
