"""Issuing a report: compute it once, store its figures and files, never touch them again."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from units.access import require_office
from units.models import User

from .exports import Scope, Signing, compute, file_name, write_docx, write_pdf, write_xlsx
from .models import IssuedReport


def scope_key(scope: Scope) -> str:
    return "|".join(
        [
            f"n{scope.notice.pk}" if scope.notice else "n-",
            f"u{scope.unit.pk}" if scope.unit else "u-",
            scope.date_from.isoformat() if scope.date_from else "-",
            scope.date_to.isoformat() if scope.date_to else "-",
        ]
    )


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """Every read inside sees the database as of its first one (PostgreSQL: REPEATABLE READ),
    so a report's rows read past the narrative's limit agree with its figures. Inside an
    outer transaction (a test), that transaction's own isolation holds."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def issue_report(*, actor: User, scope: Scope, signing: Signing | None = None) -> IssuedReport:
    """Freeze the report of `scope` as of now: figures and the three files, a new version;
    what the office set (number, proposals, signer) is kept with it."""
    require_office(actor, "Chỉ Văn phòng được ban hành báo cáo.")
    files = {}
    with _one_snapshot():
        # Computed once; the three files are written from the same figures and rows.
        report = compute(scope, signing)
        for fmt, writer in (("xlsx", write_xlsx), ("docx", write_docx), ("pdf", write_pdf)):
            buffer = io.BytesIO()
            writer(report, buffer)
            files[fmt] = buffer.getvalue()
    figures = report.summary
    stored_figures = {
        "total": asdict(figures.total),
        "units": [
            {"unit_id": row.unit_id, "name": row.name, **asdict(row.counts)}
            for row in figures.units
        ],
        "overdue": [
            {"text": row.text, "lead_unit": row.lead_unit, "situation": row.situation}
            for row in report.overdue
        ],
        "description": scope.description,
        "proposals": report.proposals,
        "signing": report.signing.as_dict(),
    }
    key = scope_key(scope)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = IssuedReport.objects.filter(scope_key=key).aggregate(v=Max("version"))["v"]
                issued = IssuedReport.objects.create(
                    title=report.title,
                    notice=scope.notice,
                    unit=scope.unit,
                    date_from=scope.date_from,
                    date_to=scope.date_to,
                    as_of=scope.as_of,
                    scope_key=key,
                    version=(latest or 0) + 1,
                    issued_by=actor,
                    issued_at=timezone.now(),
                    figures=stored_figures,
                )
                for kind, content in files.items():
                    name = file_name(scope, kind, issued.version)
                    getattr(issued, kind).save(name, ContentFile(content), save=False)
                issued.save(update_fields=["xlsx", "docx", "pdf"])
                return issued
        except IntegrityError:
            continue  # someone issued the same scope at the same moment: take the next version
    raise IntegrityError("Could not allocate a version for the issued report.")
