from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from . import services
from .access import require_office
from .forms import AccountForm, CloseUnitForm, UnitForm, UnitGroupForm
from .models import AuditEntry, Unit, UnitGroup, User


def _office(request: HttpRequest) -> User:
    return require_office(request.user, "Chỉ Văn phòng được quản lý đơn vị và tài khoản.")


@login_required
@require_safe
def unit_list(request: HttpRequest) -> HttpResponse:
    """Every unit with its open tasks and accounts."""
    _office(request)
    units = (
        Unit.objects.select_related("successor")
        .annotate(
            open_tasks=Count(
                "led_tasks",
                filter=Q(led_tasks__status__in=["assigned", "in_progress", "awaiting", "paused"]),
                distinct=True,
            ),
            accounts=Count("members", distinct=True),
        )
        .order_by("-is_active", "order", "name")
    )
    return render(request, "units/unit_list.html", {"units": units})


@login_required
def unit_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a unit or change its names and short forms."""
    actor = _office(request)
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    form = UnitForm(request.POST if request.method == "POST" else None, instance=unit)
    if request.method == "POST" and form.is_valid():
        saved = services.save_unit(actor=actor, unit=unit, **form.values())
        messages.success(request, f"Đã lưu đơn vị {saved}.")
        return redirect("unit_list")
    history = (
        AuditEntry.objects.filter(object_type="unit", object_id=pk).select_related("actor")[:20]
        if pk
        else []
    )
    return render(request, "units/unit_form.html", {"form": form, "unit": unit, "history": history})


@login_required
@require_safe
def group_list(request: HttpRequest) -> HttpResponse:
    """The groups of units a task can be given to, with their members."""
    _office(request)
    groups = UnitGroup.objects.prefetch_related("members").order_by("order", "name")
    return render(request, "units/group_list.html", {"groups": groups})


@login_required
def group_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a group of units or change its name and members."""
    actor = _office(request)
    group = get_object_or_404(UnitGroup, pk=pk) if pk else None
    form = UnitGroupForm(request.POST if request.method == "POST" else None, group=group)
    if request.method == "POST" and form.is_valid():
        saved = services.save_group(actor=actor, group=group, **form.values())
        messages.success(request, f"Đã lưu nhóm {saved}.")
        return redirect("group_list")
    history = (
        AuditEntry.objects.filter(object_type="unitgroup", object_id=pk).select_related("actor")[
            :20
        ]
        if pk
        else []
    )
    return render(
        request,
        "units/group_form.html",
        {"form": form, "group": group, "history": history},
    )


@login_required
def unit_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a unit; its open tasks go to the successor with their history."""
    actor = _office(request)
    unit = get_object_or_404(Unit, pk=pk)
    form = CloseUnitForm(request.POST if request.method == "POST" else None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.close_unit(
                actor=actor,
                unit=unit,
                closed_on=form.cleaned_data["closed_on"],
                successor=form.cleaned_data["successor"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Đã ghi nhận {unit} ngừng hoạt động; chuyển giao {moved} nhiệm vụ."
            )
            return redirect("unit_list")
    return render(request, "units/unit_close.html", {"form": form, "unit": unit})


@login_required
@require_safe
def account_list(request: HttpRequest) -> HttpResponse:
    """Every account with its unit and role."""
    _office(request)
    accounts = User.objects.select_related("unit").order_by(
        "-is_active", "unit__order", "full_name", "username"
    )
    return render(request, "units/account_list.html", {"accounts": accounts})


@login_required
def account_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create an account or change its unit, role, contacts and status."""
    actor = _office(request)
    account = get_object_or_404(User, pk=pk) if pk else None
    if account is not None and account.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Văn phòng không được sửa tài khoản quản trị hệ thống.")
    form = AccountForm(request.POST if request.method == "POST" else None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_account(
                actor=actor,
                account=account,
                password=form.cleaned_data["password"] or None,
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Đã lưu tài khoản {saved.username}.")
            return redirect("account_list")
    history = (
        AuditEntry.objects.filter(object_type="user", object_id=pk).select_related("actor")[:20]
        if pk
        else []
    )
    return render(
        request, "units/account_form.html", {"form": form, "account": account, "history": history}
    )
