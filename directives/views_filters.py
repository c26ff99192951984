"""Saved task-list filters: a person keeps the list they look at often under a name."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.text import printable

from .filters import TaskFilter
from .models import SavedFilter, Task

# A person keeps at most this many (the list shows them all as chips).
MAX_SAVED = 30


@login_required
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    """Keep the list's current filters under a name (the same name replaces the old ones)."""
    query = QueryDict(request.POST.get("query", "")[:2000], mutable=True)
    query.pop("page", None)
    back = f"{reverse('task_list')}?{query.urlencode()}"
    name = printable(request.POST.get("name", "")).strip()[:80]
    if not name:
        messages.error(request, "Hãy đặt tên cho bộ lọc cần lưu.")
        return redirect(back)
    checked = TaskFilter(query or None, queryset=Task.objects.none(), request=request)
    if checked.is_bound and not checked.form.is_valid():
        messages.error(request, "Bộ lọc của danh sách không hợp lệ nên chưa được lưu.")
        return redirect(back)
    # Only the list's own parameters are kept, and they must fit the stored link.
    known = set(checked.filters) | {"timeliness"}
    for key in list(query):
        if key not in known:
            query.pop(key)
    kept = query.urlencode()
    if len(kept) > SavedFilter._meta.get_field("query").max_length:  # type: ignore[operator]
        messages.error(request, "Bộ lọc quá dài để lưu; hãy bớt điều kiện lọc.")
        return redirect(back)
    mine = SavedFilter.objects.filter(owner=request.user)  # type: ignore[misc]
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED:
        messages.error(request, f"Mỗi người lưu tối đa {MAX_SAVED} bộ lọc; hãy xóa bớt bộ lọc cũ.")
        return redirect(back)
    SavedFilter.objects.update_or_create(owner=request.user, name=name, defaults={"query": kept})
    messages.success(
        request,
        f"Đã lưu bộ lọc “{name}”. Gửi đường dẫn của trang này để người khác cùng xem "
        "(mỗi người thấy nhiệm vụ trong phạm vi của mình).",
    )
    return redirect(back)


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, f"Đã xóa bộ lọc “{saved.name}”.")
    return redirect("task_list")
