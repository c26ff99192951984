"""Notices received from the e-office system as edXML packages, and the status packages
sent back to their sender as their tasks are received, worked on and finished.

- `intake` reads a package into an import preview (`ImportDraft`): the attached notice goes
  through the importer like an uploaded file, the header pre-fills the notice's fields, and
  the package waits with the draft; `keep_incoming` files it with the notice once confirmed.
- `emit_status` (called for every timeline row by `services.base.record`) writes the
  standard's status message once per notice and status: 03 "Đã tiếp nhận" when a unit first
  receives one of its tasks, 05 "Đang xử lý" at the first report, 06 "Hoàn thành" when the
  office has accepted the last of its tasks. The packages wait for the exchange gateway to
  collect them (`/api/edxml/trang-thai/`).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from units.models import User

from . import edxml
from .importer import ImportProblem, keep_pending, parse_notice, read_file
from .models import ImportDraft, Notice, Task, TaskEvent
from .models_exchange import ExchangePackage

PACKAGE_SUFFIXES = (".edxml", ".xml", ".eml", ".mime")


def is_package(name: str) -> bool:
    return PurePath(name or "").suffix.lower() in PACKAGE_SUFFIXES


def header_initial(header: edxml.Header) -> dict[str, Any]:
    """The notice's fields as the package's header gives them (only what it gives)."""
    values: dict[str, Any] = {
        "number": header.number,
        "issuer": header.sender.name,
        "place": header.place,
        "issued_on": header.promulgation_date.isoformat() if header.promulgation_date else None,
        "title": header.subject or header.content,
        "signer": header.signer_name,
        "signer_title": header.signer_position,
        "recipients": "\n".join(f"- {p.name or p.organ_id}" for p in header.recipients),
    }
    return {k: v for k, v in values.items() if v}


def _facts(header: edxml.Header) -> dict[str, Any]:
    return {
        "organ_id": header.sender.organ_id,
        "organ_name": header.sender.name,
        "code": header.number,
        "document_id": header.document_id,
        "due_date": header.due_date.isoformat() if header.due_date else None,
        "steering_type": header.steering_type,
        "recipient_ids": [p.organ_id for p in header.recipients],
        "recipient_names": [p.name for p in header.recipients],
    }


def intake(*, actor: User, content: bytes, file_name: str) -> ImportDraft:
    """A package read into an import preview waiting in the office's inbox. Raises
    `edxml.EdxmlError` for a package that cannot be read at all."""
    package = edxml.parse(content)
    problems = list(package.problems)
    document = package.notice_file()
    text, pending, shown_name = "", "", ""
    if document is not None:
        try:
            text = read_file(document.name, document.content)
        except ImportProblem as problem:
            problems.append(f"Tệp “{document.name}” trong gói tin: {problem}")
        else:
            pending = keep_pending(document.name, document.content)
            shown_name = PurePath(pending).name
    if not text:
        # Nothing to read the tasks from: the header's subject and content stand in.
        text = "\n".join(x for x in (package.header.subject, package.header.content) if x)
    parsed = parse_notice(text) if text.strip() else None
    header = header_initial(package.header)
    return ImportDraft.objects.create(
        created_by=actor,
        file_name=shown_name or PurePath(file_name or "goi-tin.edxml").name,
        pending=pending,
        package=keep_pending(file_name or "goi-tin.edxml", content),
        source_text=text or "(gói tin không kèm văn bản đọc được)",
        number=str(header.get("number") or (parsed.number if parsed else ""))[:64],
        title=str(header.get("title") or (parsed.title if parsed else ""))[:500],
        header={**header, "exchange": _facts(package.header)},
        problems=problems,
    )


def keep_incoming(notice: Notice, draft: ImportDraft) -> ExchangePackage | None:
    """File the draft's package with the notice it became."""
    if not draft.package or not default_storage.exists(draft.package):
        return None
    with default_storage.open(draft.package, "rb") as handle:
        content = handle.read()
    facts = draft.header.get("exchange", {})
    package = ExchangePackage(
        direction=ExchangePackage.Direction.INCOMING,
        notice=notice,
        organ_id=str(facts.get("organ_id", ""))[:64],
        organ_name=str(facts.get("organ_name", ""))[:255],
        code=str(facts.get("code", ""))[:100],
        document_id=str(facts.get("document_id", ""))[:255],
        description="Văn bản nhận qua trục liên thông",
    )
    package.file.save(PurePath(draft.package).name, ContentFile(content), save=False)
    package.save()
    transaction.on_commit(lambda: default_storage.delete(draft.package))
    return package


# --- status back ---------------------------------------------------------------------------

STATUS_FOR_KIND = {
    TaskEvent.Kind.STARTED: edxml.STATUS_RECEIVED,
    TaskEvent.Kind.PROGRESS: edxml.STATUS_IN_PROGRESS,
    TaskEvent.Kind.COMPLETION_REPORTED: edxml.STATUS_IN_PROGRESS,
    TaskEvent.Kind.ACCEPTED: edxml.STATUS_DONE,
}


def ours(incoming: ExchangePackage) -> edxml.Party:
    """This office as the status's sender: the settings, else the package's first addressee."""
    organ_id = getattr(settings, "DONDOC_ORGAN_ID", "")
    name = getattr(settings, "DONDOC_ORGAN_NAME", "")
    if not organ_id and incoming.file:
        try:
            with incoming.file.open("rb") as handle:
                recipients = edxml.parse(handle.read()).header.recipients
        except (edxml.EdxmlError, OSError):
            recipients = []
        if recipients:
            organ_id, name = recipients[0].organ_id, name or recipients[0].name
    return edxml.Party(organ_id=organ_id, name=name or incoming.notice.issuer)


def emit_status(task: Task, kind: str, actor: User) -> ExchangePackage | None:
    """The status package this timeline row calls for, if its notice came as a package."""
    code = STATUS_FOR_KIND.get(kind)  # type: ignore[call-overload]
    if code is None:
        return None
    incoming = (
        ExchangePackage.objects.filter(
            notice_id=task.notice_id, direction=ExchangePackage.Direction.INCOMING
        )
        .select_related("notice")
        .first()
    )
    if incoming is None:
        return None
    tasks = Task.objects.filter(notice_id=task.notice_id).exclude(status=Task.Status.CANCELLED)
    if code == edxml.STATUS_DONE and tasks.exclude(status=Task.Status.DONE).exists():
        return None  # the document is done when all its tasks are
    if ExchangePackage.objects.filter(
        notice_id=task.notice_id, direction=ExchangePackage.Direction.STATUS, status_code=code
    ).exists():
        return None
    notice = incoming.notice
    label = edxml.STATUS_LABELS[code]
    if code == edxml.STATUS_DONE:
        description = f"{label}: {tasks.count()} nhiệm vụ của văn bản đã được xác nhận hoàn thành."
    else:
        description = f"{label}: {task.lead_unit} — nhiệm vụ {task.ref or task.order}."
    status = edxml.Status(
        responding_to=edxml.Party(organ_id=incoming.organ_id, name=incoming.organ_name),
        code=incoming.code or notice.number,
        promulgation_date=notice.issued_on,
        document_id=incoming.document_id,
        sender=ours(incoming),
        status_code=code,
        description=description[:500],
        timestamp=timezone.localtime().replace(tzinfo=None),
        department=str(task.lead_unit),
        staff=actor.full_name or actor.username,
    )
    package = ExchangePackage(
        direction=ExchangePackage.Direction.STATUS,
        notice=notice,
        organ_id=incoming.organ_id,
        organ_name=incoming.organ_name,
        code=status.code[:100],
        document_id=incoming.document_id,
        status_code=code,
        description=description[:500],
    )
    package.file.save(
        f"trang-thai-{notice.pk}-{code}.xml", ContentFile(edxml.build_status(status)), save=False
    )
    try:
        with transaction.atomic():
            package.save()
    except IntegrityError:  # told by a concurrent change meanwhile
        package.file.delete(save=False)
        return None
    return package
