"""Each reading of the importer, tested from its rule on texts written for the test
(docs/domain.md §1): who is assigned, who supports, who is neither, by when, the header."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from directives.importer import ParsedNotice, ParsedTask, parse_notice, read_file

pytestmark = pytest.mark.django_db  # the parser reads the unit registry (empty here)


def only(text: str) -> ParsedTask:
    [task] = parse_notice(text).tasks
    return task


def leads(task: ParsedTask) -> list[str]:
    return [m.name for m in task.leads]


def supports(task: ParsedTask) -> list[str]:
    return [m.name for m in task.supports]


OPENING = (
    "Số: 15/UBND-VP\nThạch Hà, ngày 3 tháng 4 năm 2024\nỦy ban nhân dân huyện có ý kiến như sau:\n"
)


# --- the assignee ---------------------------------------------------------------------------


def test_giao_names_the_lead_and_phoi_hop_the_supports() -> None:
    task = only(
        OPENING + "Giao Sở Xây dựng chủ trì, phối hợp với Sở Giao thông vận tải và Công an tỉnh "
        "kiểm tra hiện trạng cầu treo, báo cáo UBND tỉnh."
    )
    assert leads(task) == ["Sở Xây dựng"]
    assert supports(task) == ["Sở Giao thông vận tải", "Công an tỉnh"]
    assert task.text.startswith("Giao Sở Xây dựng")


def test_the_subject_of_a_sentence_is_its_assignee() -> None:
    task = only(
        OPENING + "Trung tâm Y tế huyện chủ trì, phối hợp Phòng Giáo dục và Đào tạo tổ chức "
        "khám sức khỏe cho học sinh."
    )
    assert leads(task) == ["Trung tâm Y tế huyện"]
    assert supports(task) == ["Phòng Giáo dục và Đào tạo"]


@pytest.mark.parametrize("word", ["Đề nghị", "Yêu cầu"])
def test_de_nghi_and_yeu_cau_name_the_assignee(word: str) -> None:
    task = only(OPENING + f"{word} Ban Quản lý rừng phòng hộ rà soát diện tích rừng bị lấn chiếm.")
    assert leads(task) == ["Ban Quản lý rừng phòng hộ"]


def test_a_leader_directs_an_assignee_but_a_unit_that_directs_another_leads_itself() -> None:
    text = (
        "Chiều ngày 4/4/2024, Phó Chủ tịch UBND huyện làm việc tại xã.\n"
        "Phó Chủ tịch UBND huyện chỉ đạo Phòng Kinh tế và Hạ tầng khẩn trương sửa chữa tuyến "
        "đường liên xã.\n"
    )
    assert leads(only(text)) == ["Phòng Kinh tế và Hạ tầng"]
    task = only(
        OPENING + "Phòng Giáo dục và Đào tạo chủ trì, chỉ đạo các trường học tổ chức diễn tập."
    )
    assert leads(task) == ["Phòng Giáo dục và Đào tạo"]
    assert supports(task) == []  # the schools are directed: neither lead nor support


def test_a_numbered_item_naming_its_unit_before_a_colon() -> None:
    task = only(OPENING + "2. Phòng Lao động - Thương binh và Xã hội: Rà soát hộ cận nghèo.")
    assert leads(task) == ["Phòng Lao động - Thương binh và Xã hội"]
    assert task.text.startswith("Rà soát hộ cận nghèo")


def test_a_heading_naming_a_unit_gives_its_bullets_to_that_unit() -> None:
    notice = parse_notice(
        OPENING
        + "1. Hạt Kiểm lâm huyện\n- Tăng cường tuần tra rừng mùa khô.\n- Xử lý vi phạm.\n"
        + "2. Chỉ tiêu\n- Đài Truyền thanh huyện chủ trì tham mưu:\n- Phát 20 tin mỗi tháng.\n"
    )
    assert [(t.ref, leads(t)) for t in notice.tasks] == [
        ("1", ["Hạt Kiểm lâm huyện"]),
        ("1", ["Hạt Kiểm lâm huyện"]),
        ("2", ["Đài Truyền thanh huyện"]),
    ]


def test_office_holders_and_groups_are_kept_as_written() -> None:
    task = only(
        OPENING + "Yêu cầu Thủ trưởng các cơ quan, đơn vị và Chủ tịch UBND các xã, thị trấn "
        "bố trí lực lượng trực Tết."
    )
    names = leads(task)
    assert names[0].startswith("Thủ trưởng các cơ quan") and names[-1].startswith("Chủ tịch UBND")
    group = only(OPENING + "Giao UBND các xã, thị trấn lập danh sách hộ dân cần hỗ trợ.")
    assert leads(group) == ["UBND các xã, thị trấn"]


def test_lettered_items_take_their_item_number() -> None:
    notice = parse_notice(
        OPENING + "3. Các việc khác:\na) Phòng Nội vụ thẩm định hồ sơ.\nb) Phòng Tư pháp "
        "rà soát văn bản.\nđ) Phòng Y tế kiểm tra bếp ăn.\ng) Phòng Tài chính cấp kinh phí.\n"
    )
    assert [t.ref for t in notice.tasks] == ["3.a", "3.b", "3.đ", "3.g"]


def test_a_receiver_of_a_report_is_neither_lead_nor_support() -> None:
    task = only(
        OPENING + "Giao Phòng Nông nghiệp và Phát triển nông thôn tổng hợp thiệt hại, báo cáo "
        "UBND huyện (qua Văn phòng HĐND và UBND huyện); gửi báo cáo về Sở Nông nghiệp."
    )
    assert leads(task) == ["Phòng Nông nghiệp và Phát triển nông thôn"]
    assert supports(task) == []


def test_assessment_and_closing_formulas_are_not_tasks_and_groups_are_kept() -> None:
    notice = parse_notice(
        "Số: 9/TB-UBND\nCan Lộc, ngày 2 tháng 5 năm 2024\n"
        "Trong quý I, Phòng Văn hóa và Thông tin đã tổ chức tốt các hoạt động lễ hội.\n"
        "Chủ tịch UBND huyện kết luận như sau:\n"
        "1. Các phòng, ban tiếp tục nâng cao chất lượng tham mưu.\n"
        "2. Giao Phòng Văn hóa và Thông tin xây dựng kế hoạch lễ hội năm sau.\n"
        "Đề nghị các đơn vị quan tâm thực hiện./.\n"
    )
    # A direction to a group is kept with the group, for the office to fan out.
    assert [leads(t) for t in notice.tasks] == [["Các phòng, ban"], ["Phòng Văn hóa và Thông tin"]]


def test_several_directions_in_one_paragraph_split_at_their_assignees() -> None:
    notice = parse_notice(
        OPENING + "Phòng Tài chính - Kế hoạch bố trí kinh phí; Phòng Nội vụ bổ sung biên chế; "
        "Văn phòng HĐND và UBND huyện theo dõi, đôn đốc."
    )
    assert [leads(t) for t in notice.tasks] == [
        ["Phòng Tài chính - Kế hoạch"],
        ["Phòng Nội vụ"],
        ["Văn phòng HĐND và UBND huyện"],
    ]


# --- deadlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("hoàn thành chậm nhất đến ngày 20/4/2024", date(2024, 4, 20)),
        ("báo cáo trước 14 giờ, ngày 25/4/2024", date(2024, 4, 25)),
        ("xong trước ngày 15-7-2024", date(2024, 7, 15)),
        ("hoàn thành trước ngày 30/6", date(2024, 6, 30)),  # no year: the document's
        ("trong 15 ngày kể từ ngày ban hành", date(2024, 4, 18)),
        ("hoàn thành trong quý III năm 2024", date(2024, 9, 30)),
    ],
)
def test_deadlines_as_they_are_written(phrase: str, day: date) -> None:
    task = only(OPENING + f"Giao Phòng Nội vụ rà soát quy chế làm việc, {phrase}.")
    assert task.deadline is not None and task.deadline.day == day


def test_a_deadline_in_the_next_sentence_belongs_to_the_direction() -> None:
    task = only(
        OPENING + "Giao Phòng Giáo dục và Đào tạo tổng hợp số liệu. Yêu cầu gửi báo cáo về "
        "Văn phòng trước ngày 10/5/2024."
    )
    assert task.deadline is not None and task.deadline.day == date(2024, 5, 10)


def test_a_period_or_an_event_is_not_a_deadline() -> None:
    task = only(
        OPENING + "Giao Phòng Văn hóa và Thông tin tổ chức tuyên truyền từ ngày 01/5/2024 đến "
        "hết ngày 19/5/2024 nhân dịp kỷ niệm ngày 19/5."
    )
    assert task.deadline is None


# --- the header -------------------------------------------------------------------------------


def test_a_flattened_two_column_header_gives_the_documents_own_number_and_date() -> None:
    notice = parse_notice(
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "HUYỆN ĐỨC THỌ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 412/UBND-TNMT Đức Thọ, ngày 8 tháng 6 năm 2024\n"
        "V/v xử lý rác thải\n"
        "Thực hiện Công văn số 1201/STNMT-MT ngày 2/6/2024 của Sở Tài nguyên và Môi trường, "
        "UBND huyện có ý kiến như sau:\n"
        "Giao UBND xã Đức Lâm thu gom rác tồn đọng trước ngày 30/6/2024.\n"
    )
    assert (notice.number, notice.issued_on) == ("412/UBND-TNMT", date(2024, 6, 8))
    assert notice.title == "V/v xử lý rác thải" and notice.number_source == "header"
    assert notice.issuer.startswith("UBND")


def test_header_cells_and_a_portal_copys_source_line() -> None:
    cells = parse_notice(
        "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
        "Số: 77/UBND-KT | Hà Tĩnh, ngày 9 tháng 1 năm 2024 |\n"
    )
    assert (cells.number, cells.issued_on) == ("77/UBND-KT", date(2024, 1, 9))
    portal = parse_notice(
        "Khắc phục sạt lở bờ sông\nThực hiện Thông báo số 5/TB-VPCP ngày 3/1/2024, UBND tỉnh "
        "có ý kiến như sau:\nGiao Sở Nông nghiệp và Phát triển nông thôn kiểm tra hiện trường.\n"
        "(Theo Công văn số 222/UBND-NL1, ngày 12/01/2024)\n"
    )
    assert (portal.number, portal.issued_on) == ("222/UBND-NL1", date(2024, 1, 12))
    assert portal.number_source == "source"  # said in the preview


def test_a_text_without_number_or_tasks_is_opened_with_what_is_missing() -> None:
    notice = parse_notice("Biên bản làm việc\nHai bên trao đổi về kế hoạch năm.\n")
    assert notice.tasks == [] and len(notice.problems) == 3


# --- tables -----------------------------------------------------------------------------------


def tasks_of(notice: ParsedNotice) -> list[tuple[str, list[str], list[str], date | None]]:
    return [
        (t.text, leads(t), supports(t), t.deadline.day if t.deadline else None)
        for t in notice.tasks
    ]


def test_a_word_table_of_tasks_is_read_row_by_row_whatever_the_column_order() -> None:
    document = docx.Document()
    document.add_paragraph("Số: 31/KH-UBND")
    document.add_paragraph("Nghi Xuân, ngày 2 tháng 2 năm 2024")
    table = document.add_table(rows=3, cols=5)
    rows = [
        ["TT", "Thời gian hoàn thành", "Nội dung công việc", "Cơ quan phối hợp", "Đơn vị chủ trì"],
        ["1", "Tháng 3/2024", "Rà soát quy hoạch", "Phòng Tài chính - Kế hoạch", "Phòng Kinh tế"],
        ["2", "Thường xuyên", "Kiểm tra xây dựng", "", "Đội Quản lý trật tự đô thị"],
    ]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    notice = parse_notice(read_file("ke-hoach.docx", buffer.getvalue()))
    assert tasks_of(notice) == [
        ("Rà soát quy hoạch", ["Phòng Kinh tế"], ["Phòng Tài chính - Kế hoạch"], date(2024, 3, 31)),
        ("Kiểm tra xây dựng", ["Đội Quản lý trật tự đô thị"], [], None),
    ]
    assert [t.ref for t in notice.tasks] == ["1", "2"]


def test_a_text_table_with_bars() -> None:
    notice = parse_notice(
        "Số: 8/KH-UBND\nKỳ Anh, ngày 5 tháng 3 năm 2024\n"
        "| STT | Nhiệm vụ | Chủ trì | Phối hợp | Thời hạn |\n"
        "| 1 | Tổ chức hội nghị | Văn phòng HĐND và UBND | Phòng Nội vụ; Phòng Tư pháp "
        "| 30/3/2024 |\n"
    )
    assert tasks_of(notice) == [
        (
            "Tổ chức hội nghị",
            ["Văn phòng HĐND và UBND"],
            ["Phòng Nội vụ", "Phòng Tư pháp"],
            date(2024, 3, 30),
        )
    ]


def test_a_news_items_conclusion_lists_its_directions_after_the_assigning_word() -> None:
    notice = parse_notice(
        "Thạch Hà chuẩn bị mùa mưa bão\nCập nhật: 03/09/2024\n"
        "Chiều 2/9, UBND huyện Thạch Hà họp bàn công tác phòng chống thiên tai.\n"
        "Kết luận hội nghị, đồng chí Phó Chủ tịch UBND huyện yêu cầu Phòng Nông nghiệp và "
        "Phát triển nông thôn rà soát các hồ đập xung yếu trước ngày 15/9/2024; UBND các xã "
        "ven biển chủ động sơ tán dân; Trạm Khí tượng thủy văn cập nhật tin bão kịp thời.\n"
    )
    assert notice.issued_on == date(2024, 9, 2)  # the day the item reports, its year from it
    assert notice.title == "Thạch Hà chuẩn bị mùa mưa bão"
    assert [leads(t) for t in notice.tasks] == [
        ["Phòng Nông nghiệp và Phát triển nông thôn"],
        ["UBND các xã ven biển"],
        ["Trạm Khí tượng thủy văn"],
    ]
    assert notice.tasks[0].deadline is not None
    assert notice.tasks[0].deadline.day == date(2024, 9, 15)
