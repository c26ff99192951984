"""The evaluation page (Nghị định 335): task results per unit and per person for a month, a
quarter or a year; the heads' general criteria; the office closes a period; XLSX export."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from directives.evaluation import PARTS, Period, rules
from units.access import is_office, is_office_or_leader
from units.models import Unit, User

from . import evaluation
from .evaluation import Row
from .exports.xlsx import open_book

# The figures of a row that open the task list behind them.
LINKED = ("expected", "finished", "on_time", "late", "overdue", "first_pass", "returned_tasks")


def _period(request: HttpRequest) -> Period:
    key = request.GET.get("ky") or request.POST.get("ky") or ""
    period = Period.parse(key) if key else None
    if key and period is None:
        raise Http404("Kỳ đánh giá không hợp lệ (tháng 2026-11, quý 2026-Q4 hoặc năm 2026).")
    return period or Period.month_of(timezone.localdate())


def _links(row: Row, period: Period, user: User, base: str) -> dict[str, str]:
    """The task list behind each figure of a row (built without a lookup per figure: a
    province's page has hundreds of rows)."""
    if row.kind == "person":
        who = f"&holder={row.pk}"
    elif user.sees_all_units:
        who = f"&unit={row.pk}&role=lead"
    else:
        who = "&role=lead"
    key = period.key
    return {
        part: f"{base}?danh_gia={key}%3A{'returned' if part == 'returned_tasks' else part}{who}"
        for part in LINKED
    }


def _scope(request: HttpRequest, period: Period) -> dict[str, Any]:
    """What this person may see of the period: the units, one unit's people, or themselves."""
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    closed = evaluation.closing(period)
    wanted = request.GET.get("don_vi", "")
    unit: Unit | None = None
    if is_office_or_leader(user):
        if wanted.isdigit():
            unit = get_object_or_404(Unit, pk=int(wanted))
    elif user.is_unit_member and user.unit is not None:
        if wanted and wanted != str(user.unit_id):
            raise Http404("Không có đơn vị này trong phạm vi của bạn.")
        unit = user.unit
    else:
        raise PermissionDenied(
            "Trang đánh giá dành cho công chức các đơn vị, Văn phòng và lãnh đạo."
        )
    own_only = user.role == User.Role.STAFF
    if unit is None:
        units = list(Unit.objects.filter(is_active=True).order_by("order", "name"))
        rows = (
            evaluation.frozen_rows(closed, "units")
            if closed
            else evaluation.unit_rows(period, today, units, every=True)
        )
        heading_rows: list[Row] = []
    else:
        if closed:
            rows = evaluation.frozen_rows(closed, "people", unit.pk)
            heading_rows = [r for r in evaluation.frozen_rows(closed, "units") if r.pk == unit.pk]
        else:
            rows = evaluation.person_rows(period, today, unit)
            heading_rows = [] if own_only else evaluation.unit_rows(period, today, [unit])
        if own_only:
            rows = [r for r in rows if r.pk == user.pk]
    return {"unit": unit, "rows": rows, "unit_row": heading_rows, "closed": closed}


@login_required
@require_safe
def evaluation_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    period = _period(request)
    scope = _scope(request, period)
    today = timezone.localdate()
    persons = [r.pk for r in scope["rows"] if r.kind == "person"]
    people = {u.pk: u for u in User.objects.filter(pk__in=persons)} if persons else {}

    def can_score(row: Row) -> bool:
        person = people.get(row.pk) if row.kind == "person" else None
        return bool(person and not scope["closed"] and evaluation.may_score(user, person))

    base = reverse("task_list")
    lines = [(row, _links(row, period, user, base), can_score(row)) for row in scope["rows"]]
    return render(
        request,
        "reports/evaluation.html",
        {
            **scope,
            "period": period,
            "periods": period.choices(today),
            "lines": lines,
            "unit_lines": [(row, _links(row, period, user, base)) for row in scope["unit_row"]],
            "can_close": is_office(user) and not scope["closed"] and period.end < today,
            "rules": rules(),
            "parts": PARTS,
        },
    )


@login_required
@require_POST
def evaluation_score(request: HttpRequest) -> HttpResponse:
    """A head enters (or clears) a person's general criteria for the period."""
    period = _period(request)
    person_id = request.POST.get("person", "")
    person = get_object_or_404(User, pk=int(person_id) if person_id.isdigit() else 0)
    back = (
        f"{reverse('evaluation')}?{urlencode({'ky': period.key, 'don_vi': person.unit_id or ''})}"
    )
    try:
        evaluation.set_general(
            actor=request.user,  # type: ignore[arg-type]
            person=person,
            period=period,
            points=request.POST.get("points", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã lưu điểm tiêu chí chung của {person}.")
    return redirect(back)


@login_required
@require_POST
def evaluation_close(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    try:
        evaluation.close(
            actor=request.user,  # type: ignore[arg-type]
            period=period,
            today=timezone.localdate(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã chốt kỳ đánh giá {period.label}; số liệu không đổi nữa.")
    return redirect(f"{reverse('evaluation')}?ky={period.key}")


COLUMNS = (
    ("Đơn vị / công chức", 34),
    ("Chức danh", 20),
    ("Sản phẩm được giao", 10),
    ("Đã hoàn thành", 10),
    ("Đúng hạn", 9),
    ("Quá hạn (đã HT)", 9),
    ("Chưa HT, quá hạn", 9),
    ("Đạt lần đầu", 9),
    ("Lần trả lại", 9),
    ("Trả lại có nguyên nhân khách quan", 11),
    ("Kỳ báo cáo định kỳ (đúng/trễ/chưa nộp)", 14),
    ("Số lượng (%)", 9),
    ("Chất lượng (%)", 9),
    ("Tiến độ (%)", 9),
    ("Điểm kết quả (70)", 10),
    ("Tiêu chí chung (30)", 10),
    ("Tổng điểm", 9),
    ("Xếp loại", 24),
)


def _cells(row: Row) -> list[Any]:
    f = row.figures
    return [
        row.name,
        row.detail,
        f["expected"],
        f["finished"],
        f["on_time"],
        f["late"],
        f["overdue"],
        f["first_pass"],
        f["returns"],
        f["returns_objective"],
        f"{f['periods_on_time']}/{f['periods_late']}/{f['periods_missed']}",
        f["quantity"],
        f["quality"],
        f["timeliness"],
        f["score"],
        row.general,
        row.total,
        row.grade,
    ]


@login_required
@require_safe
def evaluation_export(request: HttpRequest) -> FileResponse:
    """The page as it is (the units, or a unit's people) as an XLSX."""
    period = _period(request)
    scope = _scope(request, period)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    book, formats = open_book(handle)
    cell, number, head, bold = (formats[k] for k in ("body", "decimal", "header", "bold"))
    sheet = book.add_worksheet("Đánh giá")
    for index, (_, width) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    title = "KẾT QUẢ THỰC HIỆN NHIỆM VỤ " + period.label.upper()
    sheet.write_string(0, 0, title, bold)
    where = scope["unit"].name if scope["unit"] else "các đơn vị"
    sheet.write_string(
        1,
        0,
        f"({where}; theo Nghị định 335/2025/NĐ-CP; tính đến ngày "
        f"{timezone.localdate():%d/%m/%Y}"
        f"{'; kỳ đã chốt' if scope['closed'] else ''})",
    )
    sheet.set_row(3, 45)
    for index, (name, _) in enumerate(COLUMNS):
        sheet.write_string(3, index, name, head)
    line = 4
    for row in [*scope["unit_row"], *scope["rows"]]:
        for column, value in enumerate(_cells(row)):
            if value is None:
                sheet.write_blank(line, column, None, cell)
            elif isinstance(value, int | float):
                sheet.write_number(
                    line, column, value, number if isinstance(value, float) else cell
                )
            else:
                sheet.write_string(line, column, str(value), cell)
        line += 1
    book.close()
    handle.seek(0)
    stem = f"danh-gia-{period.key}" + (f"-don-vi-{scope['unit'].pk}" if scope["unit"] else "")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
