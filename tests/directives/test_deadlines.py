"""Deadline phrases as the office writes them (docs/domain.md §4)."""

from __future__ import annotations

from datetime import date

import pytest

from directives.deadlines import DeadlineError, find_deadline, parse_deadline

NOTICE = date(2023, 9, 13)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("30/10/2023", date(2023, 10, 30), "date"),
        ("30-10-2023", date(2023, 10, 30), "date"),
        ("30.10.2023", date(2023, 10, 30), "date"),
        ("trước ngày 30-10-2023", date(2023, 10, 30), "date"),
        ("Hoàn thành trước ngày 30/10/2023.", date(2023, 10, 30), "date"),
        ("ngày 30 tháng 10 năm 2023", date(2023, 10, 30), "date"),
        ("chậm nhất ngày 5/1/24", date(2024, 1, 5), "date"),
        ("30/10", date(2023, 10, 30), "date"),  # no year: the notice's year
        ("15/02", date(2024, 2, 15), "date"),  # no year, already past: the next one
        ("trong tháng 9/2023", date(2023, 9, 30), "month"),
        ("tháng 2 năm 2024", date(2024, 2, 29), "month"),
        ("trong tháng 12", date(2023, 12, 31), "month"),
        ("quý IV/2023", date(2023, 12, 31), "quarter"),
        ("Trong quý I năm 2024", date(2024, 3, 31), "quarter"),
        ("quý 2/2024", date(2024, 6, 30), "quarter"),
        ("năm 2023", date(2023, 12, 31), "year"),
        ("trong năm 2024", date(2024, 12, 31), "year"),
        ("6 tháng đầu năm 2024", date(2024, 6, 30), "month"),
        ("15 ngày làm việc", date(2023, 10, 4), "working_days"),
        ("trong 10 ngày", date(2023, 9, 23), "date"),
        ("thường xuyên", None, "ongoing"),
        ("Tiếp tục thực hiện", None, "ongoing"),
        ("", None, "ongoing"),
    ],
)
def test_the_phrases_people_write(text: str, expected: date | None, kind: str) -> None:
    deadline = parse_deadline(text, reference=NOTICE)
    assert (deadline.day, deadline.kind) == (expected, kind)


def test_working_days_skip_weekends_and_tet() -> None:
    # A notice of Thursday 1/2/2024: Tết Giáp Thìn (8–14/2) does not count.
    deadline = parse_deadline("15 ngày làm việc", reference=date(2024, 2, 1))
    assert deadline.day == date(2024, 2, 29)
    # Across 2/9/2023 (Friday 1/9 and Monday 4/9 off as well).
    assert parse_deadline("3 ngày làm việc", reference=date(2023, 8, 31)).day == date(2023, 9, 7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sớm", "Không hiểu thời hạn “sớm”"),
        ("31/02/2024", "không phải là một ngày có thật"),
        ("tháng 13/2023", "Tháng 13 không có thật"),
        ("asap!!", "Hãy nhập ngày"),
    ],
)
def test_unreadable_phrases_explain_themselves(text: str, message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        parse_deadline(text, reference=NOTICE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tập trung hoàn thiện sáng kiến; tổ chức lễ ra mắt trong tháng 9/2023 và báo cáo kết "
            "quả bước đầu về UBND huyện trước ngày 30/10/2023.",
            date(2023, 10, 30),
        ),
        (
            "Tiếp tục đôn đốc, hướng dẫn xã Sơn Tây tổ chức ra mắt mô hình trong tháng 9/2023.",
            date(2023, 9, 30),
        ),
        ("Giao Phòng Tư pháp chủ trì, hoàn thành trong quý IV/2023.", date(2023, 12, 31)),
        ("Báo cáo UBND huyện chậm nhất ngày 15 tháng 11 năm 2023.", date(2023, 11, 15)),
        ("Thẩm định hồ sơ trong thời hạn 10 ngày làm việc.", date(2023, 9, 27)),
        ("Tham mưu đánh giá chỉ số cải cách hành chính năm 2023.", None),
        ("Triển khai theo Nghị định số 30/2020/NĐ-CP.", None),
        ("Tiếp tục tham mưu thực hiện việc luân chuyển.", None),
    ],
)
def test_deadlines_found_in_a_tasks_own_words(text: str, expected: date | None) -> None:
    found = find_deadline(text, reference=NOTICE)
    assert (found.day if found else None) == expected


def test_the_found_phrase_keeps_the_original_words() -> None:
    found = find_deadline("Báo cáo trước ngày 30/10/2023 về Phòng Nội vụ.", reference=NOTICE)
    assert found is not None and found.text == "trước ngày 30/10/2023"


def test_hoan_thanh_introduces_a_deadline_too() -> None:
    found = find_deadline(
        "Kiểm tra an toàn thực phẩm, hoàn thành ngày 15 tháng 5 năm 2024.", reference=NOTICE
    )
    assert found is not None and found.day == date(2024, 5, 15)
    found = find_deadline("Hoàn thành trong tháng 12/2023.", reference=NOTICE)
    assert found is not None and found.day == date(2023, 12, 31)
