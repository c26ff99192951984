"""The reports as people print them: the DOCX and the XLSX converted to PDF by LibreOffice
(Debian's packages, headless) and read back with their text positions (poppler's pdftotext):
page counts, the header's lines in their columns, every task's text and deadline unbroken."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from directives.models import Notice
from tests.conftest import SOFFICE, MakeTask, on_day
from units.models import Unit, User

pytestmark = [pytest.mark.django_db, pytest.mark.libreoffice]

TODAY = date(2023, 11, 15)
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def export(folder: Path, fmt: str, *args: str) -> Path:
    output = folder / f"bao-cao-{fmt}.{fmt}"
    with on_day(TODAY):
        call_command(
            "export_report", *args, "--format", fmt, "--output", str(output), stdout=StringIO()
        )
    return output


def print_with_libreoffice(document: Path) -> Path:
    """What "Print to PDF" in LibreOffice makes of the file."""
    folder = document.parent
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{folder}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    printed = folder / f"{document.stem}.pdf"
    assert printed.exists(), f"LibreOffice did not print {document.name}"
    return printed


def pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def text(pdf: Path) -> str:
    out = subprocess.run(
        # In the content stream's order: LibreOffice draws a cell's lines together, so a
        # wrapped cell reads whole (the layout order would interleave neighbouring cells).
        [shutil.which("pdftotext") or "pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return " ".join(out.split())


def words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) in points from the page's top-left corner."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [
        (w.replace("&amp;", "&"), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, w in WORD.findall(out)
    ]


def first(found: list[tuple[str, float, float, float, float]], word: str) -> tuple[float, ...]:
    for w, *box in found:
        if w == word:
            return tuple(box)
    raise AssertionError(f"“{word}” is not on the page: {[w for w, *_ in found][:40]}")


def check_header(pdf: Path) -> None:
    """Issuer left, motto right, level at the top; Số under the issuer, the place and date
    under the motto."""
    found = words(pdf)
    issuer = first(found, "ỦY")
    motto = first(found, "CỘNG")
    motto_second = first(found, "Độc")
    number = first(found, "Số:")
    place = first(found, "Hương")  # "Hương Sơn, ngày …": the first words of the date line
    assert abs(issuer[1] - motto[1]) <= 4, (issuer, motto)  # level at the top
    assert issuer[2] < motto[0], "the issuer's column is left of the motto's"
    assert motto_second[1] > motto[1] and place[1] > motto_second[1]
    assert number[1] > issuer[1] and number[2] < motto[0]  # under the issuer, left column
    assert place[0] > number[2], "the date line is in the right column"


@pytest.fixture
def demo() -> Notice:
    with on_day(TODAY):
        call_command("seed_demo", stdout=StringIO())
    return Notice.objects.get(number="194/TB-UBND")


def test_notice_194_prints_in_libreoffice_as_its_pdf_does(demo: Notice, tmp_path: Path) -> None:
    pdf = export(tmp_path, "pdf", "--notice", "194/TB-UBND")
    word = print_with_libreoffice(export(tmp_path, "docx", "--notice", "194/TB-UBND"))
    # About as many pages (a narrative of one or two, the annexes), never a page a task.
    assert abs(pages(word) - pages(pdf)) <= 2, (pages(word), pages(pdf))
    assert pages(word) <= 9
    for printed in (pdf, word):
        check_header(printed)
        content = text(printed)
        assert "Kèm theo Báo cáo số" in content
        assert "(Văn phòng bổ sung" not in content  # never a placeholder
        assert re.search(r"\d,\d%", content) and not re.search(r"\d\.\d%", content)
        assert "Hồ Thái Sơn" in content  # the signer, by default the leader who chaired
        # The overdue task and the proposal urging it agree with each other.
        assert "Ủy ban nhân dân xã Sơn Tây khẩn trương hoàn thành" in content
        assert not re.search(r"\d{2}/\d{2}/\d{3} \d", content)  # no deadline broken


def test_a_thousand_tasks_print_whole_from_word_and_excel(
    make_task: MakeTask, office: User, unit_a: Unit, unit_b: Unit, tmp_path: Path
) -> None:
    texts = {}
    with on_day(date(2023, 9, 14)):
        for n in range(1000):
            text_ = (
                f"Nhiệm vụ số {n + 1}: rà soát, tổng hợp và báo cáo kết quả thực hiện các chỉ "
                f"tiêu kinh tế - xã hội của lĩnh vực được giao, đề xuất giải pháp tháo gỡ khó "
                f"khăn, vướng mắc trong quý IV năm 2023 (mã {n + 1:04d})."
            )
            deadline = date(2023, 10, 1) + timedelta(days=n % 90)
            make_task(
                text=text_,
                deadline=deadline,
                lead_unit=unit_a if n % 2 else unit_b,
                ref=f"{n // 100 + 1}.{n % 100 + 1}",
                order=n + 1,
            )
            texts[text_] = f"{deadline:%d/%m/%Y}"
    for fmt in ("docx", "xlsx"):
        printed = print_with_libreoffice(export(tmp_path, fmt, "--notice", "194/TB-UBND"))
        content = text(printed)
        missing = [t for t in texts if t not in content]
        assert not missing, f"{fmt}: {len(missing)} tasks not printed whole, e.g. {missing[0]}"
        assert not re.search(r"\d{2}/\d{2}/\d{3} \d", content), f"{fmt}: a deadline broken"
        assert all(day in content for day in set(texts.values())), fmt
        assert pages(printed) < 1000 / 3, f"{fmt}: {pages(printed)} pages for 1,000 tasks"
