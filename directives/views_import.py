"""Importing a notice from its file or text: extract, preview beside the source, confirm."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import edxml, exchange, services
from .forms_notice import NoticeForm, TaskRowFormSet, fan_out_hint, kept_rows
from .importer import (
    MAX_IMPORT_BYTES,
    ImportProblem,
    ParsedNotice,
    keep_pending,
    normalise,
    parse_notice,
    pending_path,
    read_file,
)
from .models import ImportDraft
from .views_notices import (
    _reference,
    _require_office,
    _task_row,
    _unit_names,
    _with_extra_row,
)


class SourceForm(forms.Form):
    file = forms.FileField(
        label="Tệp thông báo",
        required=False,
        help_text=(
            "Tệp .docx, .pdf (có lớp chữ), .txt hoặc .md, tối đa 10 MB; hoặc gói tin edXML "
            "(.edxml, .xml) nhận từ hệ thống quản lý văn bản."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf,.txt,.md,.edxml,.xml"}),
    )
    text = forms.CharField(
        label="Hoặc dán nội dung văn bản",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=500_000,
    )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Hãy chọn tệp thông báo hoặc dán nội dung văn bản.")
        return data


def _preview(
    request: HttpRequest,
    *,
    form: NoticeForm,
    formset: Any,
    source_text: str,
    pending: str,
    file_name: str,
    status: int = 200,
    parsed: ParsedNotice | None = None,
    draft_id: int | None = None,
) -> HttpResponse:
    lines = normalise(source_text)
    for row in formset.forms:
        # A row given to several units or a group: say it becomes one task per unit.
        row.fan_out = fan_out_hint(str(row["lead_unit"].value() or ""))
    unmatched = sum(
        1 for f in formset.forms for name in ("lead_unit", "support_units") if f.errors.get(name)
    )
    return render(
        request,
        "directives/notice_import_preview.html",
        {
            "form": form,
            "formset": formset,
            "lines": list(enumerate(lines, start=1)),  # numbered as people count: from 1
            "problems": parsed.problems if parsed else [],
            "number_from_source": bool(parsed and parsed.number_source == "source"),
            "source_text": source_text,
            "pending": pending,
            "file_name": file_name,
            "unit_names": _unit_names(),
            "unmatched": unmatched,
            "draft_id": draft_id,
        },
        status=status,
    )


def _package_fields(draft: ImportDraft) -> dict[str, Any]:
    """The notice's fields a package's header gave (dates back from their ISO text)."""
    fields: dict[str, Any] = {}
    for name, value in draft.header.items():
        if name not in NoticeForm.base_fields:
            continue
        if name.endswith("_on") and isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                continue
        fields[name] = value
    return fields


def _fresh_preview(request: HttpRequest, draft: ImportDraft) -> HttpResponse:
    """The preview of what was read from a draft, as the importer first proposes it."""
    parsed = parse_notice(draft.source_text)
    # A package's header says what the document is; the text read says the rest.
    form = NoticeForm(initial={**parsed.header(), **_package_fields(draft)})
    parsed.problems = [*draft.problems, *parsed.problems]
    formset = TaskRowFormSet(
        initial=[task.as_form_row() for task in parsed.tasks],
        prefix="tasks",
        reference=parsed.issued_on,
    )
    formset.extra = 0 if parsed.tasks else 1  # nothing found: a row to fill in
    return _preview(
        request,
        form=form,
        formset=formset,
        source_text=draft.source_text,
        pending=draft.pending,
        file_name=draft.file_name,
        parsed=parsed,
        draft_id=draft.pk,
    )


@login_required
def notice_import(request: HttpRequest) -> HttpResponse:
    """Upload or paste a notice; its header and tasks come back for the office to check.
    A preview left unconfirmed is reopened from the inbox (`?ban-nhap=<id>`)."""
    user = _require_office(request)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request)
    if request.method == "GET" and "ban-nhap" in request.GET:
        draft = ImportDraft.objects.filter(pk=_int(request.GET["ban-nhap"])).first()
        if draft is None:
            raise Http404("Bản đọc này đã được nhập hoặc đã bỏ.")
        return _fresh_preview(request, draft)
    bound = request.method == "POST"
    source = SourceForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and source.is_valid():
        upload = source.cleaned_data.get("file")
        if upload is not None and exchange.is_package(upload.name or ""):
            try:
                draft = exchange.intake(
                    actor=user, content=upload.read(edxml.max_bytes() + 1), file_name=upload.name
                )
            except edxml.EdxmlError as error:
                source.add_error("file", str(error))
            else:
                return redirect(f"{reverse('notice_import')}?ban-nhap={draft.pk}")
            return render(request, "directives/notice_import.html", {"source": source}, status=400)
        try:
            if upload is not None:
                if upload.size > MAX_IMPORT_BYTES:
                    raise ImportProblem("Tệp quá lớn; thông báo kết luận thường dưới 10 MB.")
                content = upload.read()
                text = read_file(upload.name or "", content)
            else:
                content, text = b"", source.cleaned_data["text"]
            parsed = parse_notice(text)
        except ImportProblem as problem:
            source.add_error("file" if upload is not None else "text", str(problem))
        else:
            pending, file_name = "", ""
            if upload is not None:
                pending = keep_pending(upload.name or "", content)
                file_name = PurePath(pending).name
            # Kept until confirmed or set aside: the office's inbox lists it meanwhile.
            draft = ImportDraft.objects.create(
                created_by=user,
                file_name=file_name,
                pending=pending,
                source_text=text,
                number=parsed.number[:64],
                title=parsed.title[:500],
            )
            # Post/redirect/get: the preview is the draft's page, safe to reload or reopen.
            return redirect(f"{reverse('notice_import')}?ban-nhap={draft.pk}")
    return render(request, "directives/notice_import.html", {"source": source})


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 12 else 0


@login_required
@require_POST
def import_draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Set aside a preview nobody will confirm (its kept file goes with it)."""
    _require_office(request)
    draft = get_object_or_404(ImportDraft, pk=pk)
    if draft.pending and default_storage.exists(draft.pending):
        default_storage.delete(draft.pending)
    if draft.package and default_storage.exists(draft.package):
        default_storage.delete(draft.package)
    draft.delete()
    messages.success(request, f"Đã bỏ bản đọc “{draft}”.")
    return redirect("inbox")


def _confirm(request: HttpRequest) -> HttpResponse:
    user = _require_office(request)
    source_text = request.POST.get("source_text", "")[:2_000_000]
    # A forged path is ignored rather than touching another file.
    pending = pending_path(request.POST.get("pending", ""))
    file_name = PurePath(pending).name if pending else ""
    draft_id = _int(request.POST.get("draft", ""))
    form = NoticeForm(request.POST)
    formset = TaskRowFormSet(request.POST, prefix="tasks", reference=_reference(form))
    if "add_row" not in request.POST and form.is_valid() and formset.is_valid():
        content = None
        if pending and default_storage.exists(pending):
            with default_storage.open(pending, "rb") as handle:
                content = handle.read()
        try:
            with transaction.atomic():
                notice = services.enter_notice(
                    actor=user,
                    header={**form.cleaned_data, "source_text": source_text},
                    tasks=[_task_row(row) for row in kept_rows(formset)],
                    source_name=file_name,
                    source_content=content,
                )
                draft = ImportDraft.objects.filter(pk=draft_id).first()
                if draft is not None:
                    # The package it came in is kept with it (the sender's status goes back).
                    exchange.keep_incoming(notice, draft)
                    draft.delete()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if pending:
                default_storage.delete(pending)
            messages.success(
                request, f"Đã nhập Thông báo {notice.number} với {notice.tasks.count()} nhiệm vụ."
            )
            return redirect("notice_detail", pk=notice.pk)
    if "add_row" in request.POST:
        formset = _with_extra_row(request, _reference(form))
    return _preview(
        request,
        form=form,
        formset=formset,
        source_text=source_text,
        pending=pending,
        file_name=file_name,
        draft_id=draft_id or None,
    )
