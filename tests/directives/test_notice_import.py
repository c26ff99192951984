"""Importing a notice in the browser (preview, correct, confirm) and from the command line."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from directives.demo.seed import seed_units
from directives.models import Notice, Task
from tests.directives.test_importer import INLINE, as_docx, notice_text
from units.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> dict[str, Unit]:
    return seed_units()


@pytest.fixture
def desk(client: Client, office: User, registry: dict[str, Unit]) -> Client:
    client.force_login(office)
    return client


def confirm_data(preview) -> dict[str, str]:
    """What the browser sends back from the preview page, as rendered."""
    data: dict[str, str] = {
        "step": "confirm",
        "pending": preview.context["pending"],
        "source_text": preview.context["source_text"],
    }
    form, formset = preview.context["form"], preview.context["formset"]
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, date):
            value = value.isoformat()
        data[name] = "" if value is None else str(value)
    management = formset.management_form
    data.update({management.add_prefix(k): str(v) for k, v in management.initial.items()})
    for row in formset.forms:
        for name in ("ref", "text", "lead_unit", "support_units", "deadline", "source_lines"):
            data[row.add_prefix(name)] = str(row.initial.get(name, ""))
    return data


def test_the_office_imports_notice_194_from_its_word_file(desk: Client) -> None:
    upload = SimpleUploadedFile("194-TB-UBND.docx", as_docx())
    preview = desk.post(reverse("notice_import"), {"file": upload}, follow=True)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Chưa có gì được lưu" in html and not Notice.objects.exists()
    assert preview.context["formset"].total_form_count() == 28
    assert 'id="L' in html and "dòng " in html  # each task linked to its source lines
    data = confirm_data(preview)
    assert data["number"] == "194/TB-UBND" and data["issued_on"] == "2023-09-13"
    response = desk.post(reverse("notice_import"), data)
    notice = Notice.objects.get(number="194/TB-UBND")
    assert response.status_code == 302
    assert notice.tasks.count() == 28 and notice.source_file.name.endswith(".docx")
    assert "Phan Tiến Hùng" in notice.source_text
    initiative = notice.tasks.get(ref="3.7")
    assert (initiative.deadline, initiative.lead_unit.name) == (
        date(2023, 10, 30),
        "Ủy ban nhân dân xã Sơn Tây",
    )
    supported = {
        t.ref: {u.name for u in t.support_units.all()}
        for t in notice.tasks.filter(support_units__isnull=False)
    }
    assert set(supported) == {"3.4", "3.5", "3.6"}


def test_an_unknown_unit_is_shown_and_corrected_in_the_preview(desk: Client) -> None:
    preview = desk.post(reverse("notice_import"), {"text": INLINE}, follow=True)
    data = confirm_data(preview)
    response = desk.post(reverse("notice_import"), data)
    assert response.status_code == 200  # "Phòng Y tế" and "Công an huyện" are not in the registry
    assert "Không tìm thấy đơn vị “Phòng Y tế”" in response.content.decode()
    # "Phòng Y tế", "Công an huyện", and the group "Các phòng, ban" (one direction to all).
    assert "Có 4 ô đơn vị chưa khớp với danh mục" in response.content.decode()
    assert not Notice.objects.exists()
    rows = {data[f"tasks-{i}-ref"]: i for i in range(int(data["tasks-TOTAL_FORMS"]))}
    assert len(rows) == 5  # refs 1, 2, 3.a, 3.b, 3.đ
    data[f"tasks-{rows['2']}-DELETE"] = "on"  # the office leaves the general direction out
    data[f"tasks-{rows['3.b']}-lead_unit"] = "Phòng Nội vụ"  # the office picks the right unit
    data["tasks-0-support_units"] = "Phòng Tư pháp"
    data[f"tasks-{rows['3.đ']}-support_units"] = ""  # not in the registry: left out
    response = desk.post(reverse("notice_import"), data)
    assert response.status_code == 302
    notice = Notice.objects.get(number="87/TB-UBND")
    assert notice.tasks.count() == 5
    assert notice.tasks.get(ref="3.b").lead_unit.name == "Phòng Nội vụ"
    assert notice.source_text.startswith("UBND HUYỆN ĐỨC THỌ") and not notice.source_file


def test_a_bad_file_is_explained_and_nothing_is_kept(desk: Client) -> None:
    response = desk.post(
        reverse("notice_import"), {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 \x00\x01")}
    )
    assert response.status_code == 200
    assert "Tệp PDF bị hỏng" in response.content.decode()
    empty = desk.post(reverse("notice_import"), {})
    assert "Hãy chọn tệp thông báo hoặc dán nội dung văn bản." in empty.content.decode()
    assert not Notice.objects.exists()


def test_a_forged_pending_path_is_ignored(desk: Client) -> None:
    preview = desk.post(
        reverse("notice_import"),
        {"file": SimpleUploadedFile("194.docx", as_docx())},
        follow=True,
    )
    data = confirm_data(preview)
    data["pending"] = "../../config/settings.py"
    assert desk.post(reverse("notice_import"), data).status_code == 302
    assert not Notice.objects.get().source_file


def test_only_the_office_imports(client: Client, staff_a: User, leader: User) -> None:
    for person in (staff_a, leader):
        client.force_login(person)
        assert client.get(reverse("notice_import")).status_code == 403
        assert client.post(reverse("notice_import"), {"text": INLINE}).status_code == 403


def test_the_command_prints_one_json_object(registry: dict[str, Unit], tmp_path: Path) -> None:
    path = tmp_path / "194.md"
    path.write_text(notice_text(), encoding="utf-8")
    out = StringIO()
    call_command("import_notice", str(path), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {
        "number",
        "issuer",
        "issued_on",
        "signer",
        "title",
        "tasks",
        "number_source",
        "problems",
    }
    assert data["number_source"] == "header" and data["problems"] == []
    assert (data["number"], data["issued_on"], data["signer"]) == (
        "194/TB-UBND",
        "2023-09-13",
        "Phan Tiến Hùng",
    )
    assert len(data["tasks"]) == 28
    assert set(data["tasks"][0]) == {
        "ref",
        "text",
        "lead_units",
        "support_units",
        "deadline",
        "recurring",
    }
    initiative = next(t for t in data["tasks"] if t["ref"] == "3.7")
    assert (initiative["deadline"], initiative["recurring"]) == ("2023-10-30", False)
    assert initiative["lead_units"] == ["Ủy ban nhân dân xã Sơn Tây"]
    assert not Notice.objects.exists()


def test_the_command_saves_as_the_confirmed_preview_would(
    registry: dict[str, Unit], office: User, tmp_path: Path
) -> None:
    path = tmp_path / "194.md"
    path.write_text(notice_text(), encoding="utf-8")
    call_command("import_notice", str(path), stdout=StringIO())
    notice = Notice.objects.get()
    assert notice.tasks.count() == 28 and notice.created_by == office
    assert Task.objects.filter(deadline__isnull=False).count() == 2
    with pytest.raises(CommandError, match="đã có trong hệ thống"):
        call_command("import_notice", str(path), stdout=StringIO())


def test_the_command_refuses_unknown_units_and_bad_files(
    registry: dict[str, Unit], office: User, tmp_path: Path
) -> None:
    path = tmp_path / "87.txt"
    path.write_text(INLINE, encoding="utf-8")
    with pytest.raises(CommandError, match="đơn vị chưa có trong danh mục: .*Phòng Y tế"):
        call_command("import_notice", str(path), stdout=StringIO())
    assert not Notice.objects.exists()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="Tệp rỗng"):
        call_command("import_notice", str(empty), "--dry-run")
    with pytest.raises(CommandError, match="Không mở được tệp"):
        call_command("import_notice", str(tmp_path / "missing.pdf"), "--dry-run")


def test_an_abandoned_preview_file_is_removed_after_a_day(desk: Client) -> None:
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from directives.tasks import clean_pending_imports

    upload = SimpleUploadedFile("194-TB-UBND.docx", as_docx())
    preview = desk.post(reverse("notice_import"), {"file": upload}, follow=True)
    pending = preview.context["pending"]
    assert default_storage.exists(pending)
    assert clean_pending_imports.apply().get() == 0  # the office may still be reading it
    assert default_storage.exists(pending)

    from directives.importer import pending as imports

    later = timezone.now() + imports.PENDING_LIFETIME + dt.timedelta(minutes=1)
    # While the preview waits in the office's inbox, its file stays …
    from directives.models import ImportDraft

    waiting = frozenset(ImportDraft.objects.values_list("pending", flat=True))
    imports.clean_pending(now=later, keep=waiting)
    assert default_storage.exists(pending)
    # … a preview left there a month goes, with its file.
    from directives.tasks import DRAFT_LIFETIME

    ImportDraft.objects.update(created_at=timezone.now() - DRAFT_LIFETIME - dt.timedelta(days=1))
    clean_pending_imports.apply().get()
    assert not ImportDraft.objects.exists() and not default_storage.exists(pending)
    # Confirming the old preview now still works from the text shown, without the file.
    response = desk.post(reverse("notice_import"), confirm_data(preview))
    assert response.status_code == 302
    notice = Notice.objects.get(number=preview.context["form"].initial["number"])
    assert not notice.source_file


def test_a_text_without_number_opens_the_preview_with_what_is_missing(desk: Client) -> None:
    text = (
        "Tăng cường phòng cháy rừng mùa khô\n"
        "UBND huyện có ý kiến như sau:\n"
        "Giao Hạt Kiểm lâm huyện tổ chức trực 24/24 giờ trong tháng 5/2024.\n"
        "(Theo Công văn số 318/UBND-NN, ngày 2/5/2024)\n"
    )
    preview = desk.post(reverse("notice_import"), {"text": text}, follow=True)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Xem trước: kiểm tra rồi xác nhận" in html
    assert "dòng ghi nguồn của bản đăng lại" in html  # where the number was read, said
    assert preview.context["form"].initial["number"] == "318/UBND-NN"
    assert 'id="L1"' in html and 'id="L0"' not in html  # source lines counted from 1
    nothing = desk.post(
        reverse("notice_import"), {"text": "Biên bản họp tổ.\nHọp bàn công việc."}, follow=True
    )
    page = nothing.content.decode()
    assert "Cần bổ sung trước khi lưu" in page and "Không thấy số, ký hiệu" in page
    assert nothing.context["formset"].total_form_count() == 1  # a row to fill in


FAN_OUT = """ỦY BAN NHÂN DÂN
HUYỆN HƯƠNG SƠN
Số: 200/TB-UBND
Hương Sơn, ngày 10 tháng 10 năm 2023
THÔNG BÁO
Kết luận của Chủ tịch UBND huyện tại cuộc họp giao ban tháng 10
1. Giao UBND các xã, thị trấn rà soát hộ nghèo, báo cáo trước ngày 30/10/2023.
2. Các phòng, ban, ngành tăng cường kỷ luật, kỷ cương hành chính.
3. Giao Phòng Tư pháp chủ trì hướng dẫn hòa giải ở cơ sở.
"""


def test_the_preview_offers_fan_out_for_a_group_and_saves_one_task_per_member(
    desk: Client, registry: dict[str, Unit]
) -> None:
    from units.models import UnitGroup

    communes = [
        registry["Ủy ban nhân dân xã Sơn Tây"],
        Unit.objects.create(name="Ủy ban nhân dân xã Sơn Kim 1", kind=Unit.Kind.COMMUNE),
        Unit.objects.create(name="Ủy ban nhân dân thị trấn Phố Châu", kind=Unit.Kind.COMMUNE),
    ]
    xa = UnitGroup.objects.create(name="UBND các xã, thị trấn")
    xa.members.set(communes)
    departments = [u for u in registry.values() if u.kind == Unit.Kind.DEPARTMENT]
    phong = UnitGroup.objects.create(
        name="Các phòng, ban chuyên môn", aliases=["các phòng, ban, ngành"]
    )
    phong.members.set(departments)

    preview = desk.post(reverse("notice_import"), {"text": FAN_OUT}, follow=True)
    assert preview.status_code == 200
    hints = [row.fan_out for row in preview.context["formset"].forms]
    assert (
        hints[0].startswith("Giao cho nhóm “UBND các xã, thị trấn”") and "(3 nhiệm vụ)" in hints[0]
    )
    assert hints[1].startswith("Giao cho nhóm “Các phòng, ban chuyên môn”")
    assert hints[2] == ""  # one unit, one task
    assert preview.content.decode().count("mỗi đơn vị một nhiệm vụ riêng (") == 2

    response = desk.post(reverse("notice_import"), confirm_data(preview))
    assert response.status_code == 302
    notice = Notice.objects.get(number="200/TB-UBND")
    first, second = notice.group_tasks.order_by("pk")
    assert first.group == xa and {c.lead_unit for c in first.children.all()} == set(communes)
    assert second.group == phong and second.children.count() == len(departments)
    assert notice.tasks.filter(group_task__isnull=True).get().lead_unit.name == "Phòng Tư pháp"
    assert notice.tasks.count() == 3 + len(departments) + 1


def test_a_group_missing_from_the_registry_says_how_to_add_it(desk: Client) -> None:
    preview = desk.post(reverse("notice_import"), {"text": FAN_OUT}, follow=True)
    response = desk.post(reverse("notice_import"), confirm_data(preview))
    html = response.content.decode()
    assert "“Các phòng, ban, ngành” là một nhóm đơn vị chưa có trong danh mục nhóm" in html
    assert not Notice.objects.exists()
