"""Reading notices: the real 194/TB-UBND in three formats, and the rules on other notices."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives.demo.seed import seed_units
from directives.importer import ImportProblem, parse_notice, read_file
from tests.directives.test_seed_demo import LEADS, REPO_NOTICE, section_items
from units.models import Unit

pytestmark = pytest.mark.django_db

SUPPORTS = {
    "3.4": {
        "Phòng Nông nghiệp và Phát triển nông thôn",
        "Phòng Kinh tế và Hạ tầng",
        "Văn phòng Điều phối nông thôn mới",
        "Ban Quản lý các dự án Đầu tư và Xây dựng huyện",
    },
    "3.5": {"Sở Thông tin và Truyền thông"},
    "3.6": {
        "Trung tâm Hành chính công huyện",
        "Chi nhánh Văn phòng Đăng ký đất đai Hương Sơn - Đức Thọ",
        "Chi cục Thuế khu vực Hương Sơn - Đức Thọ",
    },
}


@pytest.fixture
def registry() -> dict[str, Unit]:
    return seed_units()


def notice_text() -> str:
    shared = Path(__file__).resolve().parents[3] / "shared" / "notices" / "194-TB-UBND.md"
    return (shared if shared.exists() else REPO_NOTICE).read_text(encoding="utf-8")


def plain_lines() -> list[str]:
    """The notice as a clerk would type it in Word: no Markdown."""
    lines = []
    for raw in notice_text().splitlines():
        line = re.sub(r"^#+\s*", "", raw).replace("**", "").replace("*", "").strip()
        lines.append(line)
    return lines


def as_docx() -> bytes:
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nHUYỆN HƯƠNG SƠN"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    for line in plain_lines():
        if line:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from reports.exports.pdf_writer import register_fonts

    register_fonts()
    style = ParagraphStyle("n", fontName="Tinos", fontSize=12, leading=15)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(
        [
            Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), style)
            for line in plain_lines()
            if line
        ]
    )
    return buffer.getvalue()


def check_notice_194(text: str) -> None:
    notice = parse_notice(text)
    assert notice.number == "194/TB-UBND"
    assert notice.issued_on == date(2023, 9, 13)
    assert notice.meeting_on == date(2023, 9, 11)
    assert notice.chair == "Hồ Thái Sơn"
    assert notice.signer == "Phan Tiến Hùng"
    assert notice.title.startswith("Kết luận họp đánh giá kết quả thực hiện cải cách hành chính")
    expected = section_items(REPO_NOTICE.read_text(encoding="utf-8"))
    by_ref: dict[str, list] = {}
    for task in notice.tasks:
        by_ref.setdefault(task.ref, []).append(task)
    assert sorted(by_ref) == sorted(expected)  # nothing outside 3.1–3.7: no assessment paragraph
    for ref, texts in expected.items():
        tasks = by_ref[ref]
        assert [" ".join(t.text.split()) for t in tasks] == [" ".join(x.split()) for x in texts], (
            ref
        )
        assert {t.lead.unit.name for t in tasks if t.lead and t.lead.unit} == {LEADS[ref]}, ref
        supports = {s.unit.name for t in tasks for s in t.supports if s.unit}
        assert supports == SUPPORTS.get(ref, set()), ref
    deadlines = {(t.ref, t.deadline.day) for t in notice.tasks if t.deadline}
    assert deadlines == {("3.1", date(2023, 9, 30)), ("3.7", date(2023, 10, 30))}
    assert sum(t.recurring for t in notice.tasks) == 26


def test_notice_194_from_its_markdown_text(registry: dict[str, Unit]) -> None:
    check_notice_194(notice_text())


def test_notice_194_from_a_word_file(registry: dict[str, Unit]) -> None:
    text = read_file("194.docx", as_docx())
    check_notice_194(text)
    assert parse_notice(text).issuer == "UBND Huyện Hương Sơn"


def test_notice_194_from_a_pdf_file(registry: dict[str, Unit]) -> None:
    check_notice_194(read_file("194.pdf", as_pdf()))


def test_tasks_link_to_the_lines_they_came_from(registry: dict[str, Unit]) -> None:
    notice = parse_notice(notice_text())
    for task in notice.tasks:
        source = " ".join(notice.lines[task.first_line : task.last_line + 1])
        assert task.text[:40] in source


INLINE = """\
UBND HUYỆN ĐỨC THỌ
Số: 87/TB-UBND
Đức Thọ, ngày 5 tháng 3 năm 2024
THÔNG BÁO
Kết luận của Chủ tịch UBND huyện tại buổi làm việc về công tác đất đai
Năm 2023, công tác quản lý đất đai có nhiều chuyển biến; tuy vậy, còn chậm giải quyết hồ sơ.
Chủ tịch UBND huyện kết luận như sau:
1. Giao Phòng Tài nguyên và Môi trường chủ trì, phối hợp với Phòng Tư pháp, Công an huyện rà soát các hồ sơ tồn đọng, hoàn thành trước ngày 30-04-2024. Giao Phòng Nội vụ tham mưu kiện toàn tổ công tác trong tháng 3/2024.
2. Các phòng, ban tiếp tục thực hiện nghiêm kỷ luật, kỷ cương hành chính.
3. Các nhiệm vụ khác:
a) Giao Phòng Tư pháp chủ trì thẩm định văn bản trong 10 ngày làm việc; báo cáo kết quả về UBND huyện (qua Văn phòng HĐND-UBND huyện).
b) Giao Phòng Y tế chủ trì kiểm tra an toàn thực phẩm, hoàn thành ngày 15 tháng 5 năm 2024.
đ) Giao Phòng TN-MT phối hợp với Sở Tài nguyên và Môi trường hoàn thiện quy hoạch trong quý II/2024.
Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


def test_inline_assignments_lettered_items_and_each_date_form(registry: dict[str, Unit]) -> None:
    notice = parse_notice(INLINE)
    assert (notice.number, notice.issued_on, notice.signer) == (
        "87/TB-UBND",
        date(2024, 3, 5),
        "Nguyễn Văn An",
    )
    rows = [
        (
            t.ref,
            t.lead.name if t.lead else None,
            [s.name for s in t.supports],
            t.deadline.day if t.deadline else None,
        )
        for t in notice.tasks
    ]
    assert rows == [
        (
            "1",
            "Phòng Tài nguyên và Môi trường",
            ["Phòng Tư pháp", "Công an huyện"],
            date(2024, 4, 30),
        ),
        ("1", "Phòng Nội vụ", [], date(2024, 3, 31)),
        # A direction to a group is kept with the group as written, for the office to fan out.
        ("2", "Các phòng, ban", [], None),
        # A lettered item's ref names its numbered item (docs/domain.md §1).
        ("3.a", "Phòng Tư pháp", [], date(2024, 3, 19)),  # 10 working days from 5/3/2024
        ("3.b", "Phòng Y tế", [], date(2024, 5, 15)),
        (
            "3.đ",
            "Phòng Tài nguyên và Môi trường",
            ["Sở Tài nguyên và Môi trường"],
            date(2024, 6, 30),
        ),
    ]
    # A unit the registry lacks is kept with the text's words, for the office to create or pick.
    assert notice.tasks[4].lead is not None and notice.tasks[4].lead.unit is None
    assert notice.tasks[0].supports[1].unit is None
    # The report's receiver is neither lead nor support.
    assert all(
        "Văn phòng HĐND-UBND huyện" not in [s.name for s in t.supports] for t in notice.tasks
    )
    # The assessment is not a task.
    assert not any("chuyển biến" in t.text for t in notice.tasks)


def test_a_section_deadline_applies_to_its_tasks(registry: dict[str, Unit]) -> None:
    text = (
        "Số: 12/TB-UBND\nHương Sơn, ngày 2 tháng 1 năm 2024\nTHÔNG BÁO\nKết luận giao ban\n"
        "2. Đối với Phòng Tư pháp (hoàn thành trong quý I/2024):\n"
        "- Rà soát văn bản quy phạm pháp luật.\n"
        "- Hướng dẫn cấp xã, báo cáo trước ngày 15/02/2024.\n"
        "3. Đối với UBND xã Sơn Tây\n"
        "Tiếp tục duy trì mô hình; định kỳ báo cáo về Phòng Nội vụ.\n"
    )
    tasks = parse_notice(text).tasks
    assert [(t.ref, t.deadline.day if t.deadline else None) for t in tasks] == [
        ("2", date(2024, 3, 31)),
        ("2", date(2024, 2, 15)),
        ("3", None),
    ]
    assert tasks[2].lead is not None and tasks[2].lead.name == "Ủy ban nhân dân xã Sơn Tây"
    assert tasks[2].supports == []  # "báo cáo về Phòng Nội vụ" is a receiver


def test_text_copied_from_a_pdf_with_broken_lines_and_page_numbers(
    registry: dict[str, Unit],
) -> None:
    text = (
        "Số: 5/TB-UBND\nHương Sơn, ngày 2 tháng 1 năm 2024\nTHÔNG BÁO\nKết luận\n"
        "1. Giao Phòng Tài chính - Kế hoạch chủ trì, phối hợp với\nPhòng Nội vụ tham mưu phân bổ\n"
        "kinh phí, hoàn thành trước\n\n2\n\nngày 31/01/2024.\n"
    )
    [task] = parse_notice(text).tasks
    assert task.lead is not None and task.lead.name == "Phòng Tài chính - Kế hoạch"
    assert [s.name for s in task.supports] == ["Phòng Nội vụ"]
    assert task.deadline is not None and task.deadline.day == date(2024, 1, 31)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("trong.txt", b"", "Tệp rỗng"),
        ("trang.txt", b"   \n\n  ", "Văn bản rỗng"),
        ("lon.pdf", b"%PDF" + b"0" * (11 * 1024 * 1024), "Tệp quá lớn"),
        ("hong.txt", bytes(range(128, 256)) * 4, "Không đọc được bảng mã"),
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Tệp .doc"),
        ("hong.docx", b"PK\x03\x04not really a zip", "Tệp Word bị hỏng"),
        ("hong.pdf", b"%PDF-1.4 garbage", "Tệp PDF bị hỏng"),
    ],
)
def test_bad_files_get_a_clear_message(
    registry: dict[str, Unit], name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ImportProblem, match=message):
        parse_notice(read_file(name, content))


def test_a_scanned_pdf_without_text_is_explained(registry: dict[str, Unit]) -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(50, 50, 400, 600, fill=1)
    page.save()
    with pytest.raises(ImportProblem, match="không có lớp chữ"):
        read_file("scan.pdf", buffer.getvalue())


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Word writes it: â ê ô ă ơ ư đ precomposed, tone marks combining."""
    import unicodedata

    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        kept = "".join(m for m in marks if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in marks if m not in "\u0302\u0306\u031b")
        out.append(unicodedata.normalize("NFC", base + kept) + tones)
    return "".join(out).encode("cp1258")


def test_windows_vietnamese_encoding_is_read(registry: dict[str, Unit]) -> None:
    text = "Số: 9/TB-UBND\nTHÔNG BÁO\n1. Giao Phòng Nội vụ chủ trì kiểm tra công vụ."
    decoded = read_file("cp1258.txt", to_cp1258(text))
    assert parse_notice(decoded).tasks[0].lead.name == "Phòng Nội vụ"  # type: ignore[union-attr]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("Số:/TB-UBND.,;()\n -+*#abcđĐ123ăơưGiaoPhòngchủtrìphốihợpvớitrướcngày")
        )
        | st.characters(),
        max_size=600,
    )
)
def test_the_parser_never_fails_unexpectedly(registry: dict[str, Unit], text: str) -> None:
    try:
        notice = parse_notice(text)
    except ImportProblem:
        assert not text.strip()  # only an empty text is refused
        return
    # Never a refusal: what was found, or a list of what is missing, for the preview.
    assert (notice.number and notice.issued_on and notice.tasks) or notice.problems


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400), st.sampled_from(["a.txt", "a.md", "a.docx", "a.pdf", "a"]))
def test_reading_any_bytes_never_fails_unexpectedly(
    registry: dict[str, Unit], content: bytes, name: str
) -> None:
    with contextlib.suppress(ImportProblem):
        parse_notice(read_file(name, content))


def test_a_heading_naming_an_unknown_unit_is_not_guessed(registry: dict[str, Unit]) -> None:
    text = (
        "Số: 3/TB-UBND\nHương Sơn, ngày 2 tháng 1 năm 2024\nTHÔNG BÁO\nKết luận\n"
        "1. Đối với Phòng Văn hóa, Thông tin và Du lịch\n- Tổ chức lễ hội mùa xuân.\n"
    )
    [task] = parse_notice(text).tasks
    assert task.lead is not None and task.lead.unit is None
    assert task.lead.text == "Phòng Văn hóa"  # shown as written, for the office to pick


def test_a_text_that_assigns_nothing_is_opened_with_what_is_missing(
    registry: dict[str, Unit],
) -> None:
    notice = parse_notice(
        read_file("tho.txt", "Hôm nay trời đẹp. Chúng tôi đi chơi công viên.".encode())
    )
    assert notice.tasks == []
    assert any("số, ký hiệu" in problem for problem in notice.problems)
    assert any("Không thấy nhiệm vụ nào" in problem for problem in notice.problems)
