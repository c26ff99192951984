"""Notices received as edXML packages (QCVN 102:2016): packages built here from the
standard's structure, in the shapes real systems send (the standard's own, SOAP with MIME
attachments, a wrong namespace), imported end to end; malformed, entity-bomb and oversized
packages refused with nothing kept; the status package for the sender written as the tasks
are received, reported and accepted, and read back by the same code."""

from __future__ import annotations

import base64
import functools
from datetime import date
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from directives import edxml, services
from directives.demo.seed import seed_units
from directives.models import ExchangePackage, ImportDraft, Notice, Task
from tests.directives.test_importer import as_docx
from tests.directives.test_notice_import import confirm_data
from units.models import Unit, User

pytestmark = pytest.mark.django_db

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
SENDER = "000.00.00.H42"
US = "000.00.35.H42"

HEADER = f"""
<edXML:MessageHeader>
  <edXML:From>
    <edXML:OrganId>{SENDER}</edXML:OrganId>
    <edXML:OrganizationInCharge>Ủy ban nhân dân tỉnh Hà Tĩnh</edXML:OrganizationInCharge>
    <edXML:OrganName>Ủy ban nhân dân huyện Hương Sơn</edXML:OrganName>
  </edXML:From>
  <edXML:To>
    <edXML:OrganId>{US}</edXML:OrganId>
    <edXML:OrganName>Văn phòng HĐND và UBND huyện</edXML:OrganName>
  </edXML:To>
  <edXML:To>
    <edXML:OrganId>000.12.35.H42</edXML:OrganId>
    <edXML:OrganName>Phòng Nội vụ</edXML:OrganName>
  </edXML:To>
  <edXML:Code>
    <edXML:CodeNumber>194</edXML:CodeNumber>
    <edXML:CodeNotation>TB-UBND</edXML:CodeNotation>
  </edXML:Code>
  <edXML:PromulgationInfo>
    <edXML:Place>Hương Sơn</edXML:Place>
    <edXML:PromulgationDate>2023/09/13</edXML:PromulgationDate>
  </edXML:PromulgationInfo>
  <edXML:DocumentType>
    <edXML:Type>7</edXML:Type><edXML:TypeName>Thông báo</edXML:TypeName>
  </edXML:DocumentType>
  <edXML:Subject>Kết luận của đồng chí Chủ tịch UBND huyện tại cuộc họp giao ban</edXML:Subject>
  <edXML:Content>Kết luận giao ban tháng 9/2023</edXML:Content>
  <edXML:SignerInfo>
    <edXML:Competence>TL. Chủ tịch</edXML:Competence>
    <edXML:Position>Chánh Văn phòng</edXML:Position>
    <edXML:FullName>Phan Tiến Hùng</edXML:FullName>
  </edXML:SignerInfo>
  <edXML:DueDate>2023/10/30</edXML:DueDate>
  <edXML:SteeringType>1</edXML:SteeringType>
  <edXML:DocumentId>{SENDER},2023/09/13,194/TB-UBND</edXML:DocumentId>
</edXML:MessageHeader>"""


@functools.cache
def notice_docx() -> bytes:
    """The notice 194 as DOCX, built once: a DOCX built in another second differs in its
    zip entries' times."""
    return as_docx()


def package(name: str = "194-TB-UBND.docx", content: bytes | None = None) -> bytes:
    """The standard's shape: edXML root, the envelope's children prefixed, the attachments
    outside the envelope in the default namespace."""
    content = notice_docx() if content is None else content
    encoded = base64.encodebytes(content).decode()
    return f"""<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns="{NS}">
  <edXML:edXMLEnvelope xmlns:edXML="{NS}">
    <edXML:edXMLHeader>{HEADER}
      <edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>{SENDER}</edXML:OrganId>
      <edXML:Timestamp>2023/09/13 16:00:00</edXML:Timestamp>
      </edXML:TraceHeader></edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody><edXML:edXMLManifest version="1.0">
      <edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:a1">
        <edXML:AttachmentName>{escape(name)}</edXML:AttachmentName>
        <edXML:ContentType>application/octet-stream</edXML:ContentType>
        <edXML:ContentId>cid:a1</edXML:ContentId>
      </edXML:Reference>
    </edXML:edXMLManifest></edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded><Attachment>
    <ContentType>application/octet-stream</ContentType><ContentId>a1</ContentId>
    <ContentTransferEncoded>{encoded}</ContentTransferEncoded>
    <AttachmentName>{escape(name)}</AttachmentName>
  </Attachment></AttachmentEncoded>
</edXML>""".encode()


def soap_with_attachments() -> bytes:
    """SOAP with the header under soap-env:Header, edXML bound to SOAP's own URI (as one
    deployed system does), the notice as a MIME part referenced by its Content-ID."""
    soap = f"""<?xml version="1.0" encoding="utf-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:edXML="http://schemas.xmlsoap.org/soap/envelope/">
  <soap-env:Header>{HEADER}</soap-env:Header>
  <soap-env:Body><edXML:Manifest><edXML:Reference>
    <edXML:ContentId>cid:notice</edXML:ContentId>
    <edXML:AttachmentName>194-TB-UBND.docx</edXML:AttachmentName>
  </edXML:Reference></edXML:Manifest></soap-env:Body>
</soap-env:Envelope>"""
    message = MIMEMultipart("related", type="text/xml")
    message.attach(MIMEText(soap, "xml", "utf-8"))
    part = MIMEApplication(notice_docx(), "octet-stream")
    part.add_header("Content-ID", "<notice>")
    message.attach(part)
    return message.as_bytes()


@pytest.fixture
def desk(client: Client, office: User) -> Client:
    seed_units()
    client.force_login(office)
    return client


def upload(desk: Client, content: bytes, name: str = "194-TB-UBND.edxml") -> Any:
    return desk.post(
        reverse("notice_import"), {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_the_standards_header_and_attachment_are_read() -> None:
    read = edxml.parse(package())
    header = read.header
    assert (header.number, header.sender.organ_id, header.sender.name) == (
        "194/TB-UBND",
        SENDER,
        "Ủy ban nhân dân huyện Hương Sơn",
    )
    assert header.promulgation_date == date(2023, 9, 13) and header.due_date == date(2023, 10, 30)
    assert (header.place, header.signer_name, header.signer_position) == (
        "Hương Sơn",
        "Phan Tiến Hùng",
        "Chánh Văn phòng",
    )
    assert [p.organ_id for p in header.recipients] == [US, "000.12.35.H42"]
    assert header.document_type_name == "Thông báo" and header.steering_type == "1"
    assert header.document_id == f"{SENDER},2023/09/13,194/TB-UBND"
    assert [(a.name, a.content) for a in read.attachments] == [("194-TB-UBND.docx", notice_docx())]
    assert read.problems == []


def test_soap_with_mime_attachments_and_a_wrong_namespace_read_the_same() -> None:
    soap = edxml.parse(soap_with_attachments())
    standard = edxml.parse(package())
    assert soap.header == standard.header
    assert [(a.name, a.content) for a in soap.attachments] == [("194-TB-UBND.docx", notice_docx())]


def test_an_organ_id_off_the_format_is_kept_and_said() -> None:
    odd = package().replace(SENDER.encode(), b" h42.00.00 ")
    read = edxml.parse(odd)
    assert read.header.sender.organ_id == "H42.00.00"
    assert any("Quyết định 20/2020/QĐ-TTg" in p for p in read.problems)


def test_a_package_is_imported_end_to_end_and_kept_with_its_notice(desk: Client) -> None:
    preview = upload(desk, package())
    assert preview.status_code == 200
    form = preview.context["form"]
    assert form.initial["number"] == "194/TB-UBND"
    assert form.initial["issuer"] == "Ủy ban nhân dân huyện Hương Sơn"
    assert form.initial["issued_on"] == date(2023, 9, 13)  # shown dd/mm/yyyy like any date
    assert form.initial["signer"] == "Phan Tiến Hùng"
    assert preview.context["formset"].total_form_count() == 28  # the attachment's tasks
    assert not Notice.objects.exists()
    data = confirm_data(preview) | {"draft": str(preview.context["draft_id"])}
    response = desk.post(reverse("notice_import"), data)
    assert response.status_code == 302
    notice = Notice.objects.get(number="194/TB-UBND")
    assert notice.tasks.count() == 28 and notice.source_file.name.endswith(".docx")
    kept = notice.packages.get(direction=ExchangePackage.Direction.INCOMING)
    assert (kept.organ_id, kept.code) == (SENDER, "194/TB-UBND")
    with kept.file.open("rb") as handle:
        assert edxml.parse(handle.read()).header.number == "194/TB-UBND"
    assert not ImportDraft.objects.exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"<edXML><edXML:MessageHeader>", "không phải XML hợp lệ"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b"<edXML><MessageHeader><Subject>&lol3;</Subject></MessageHeader></edXML>",
            "DTD hoặc thực thể",
        ),
        (b"<Invoice><Total>1</Total></Invoice>", "không phải gói văn bản edXML"),
    ],
    ids=["malformed", "billion-laughs", "not-edxml"],
)
def test_a_bad_package_is_refused_and_nothing_is_kept(
    desk: Client, content: bytes, said: str
) -> None:
    response = upload(desk, content)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not ImportDraft.objects.exists() and not Notice.objects.exists()


def test_an_oversized_package_is_refused(desk: Client, settings: Any) -> None:
    settings.DONDOC_EDXML_MAX_BYTES = 50_000
    response = upload(desk, package(content=b"x" * 60_000, name="to.txt"))
    assert response.status_code == 400
    assert "quá lớn" in response.content.decode()
    assert not ImportDraft.objects.exists()


def test_a_broken_attachment_is_said_in_the_preview(desk: Client) -> None:
    broken = package().replace(b"<ContentTransferEncoded>", b"<ContentTransferEncoded>!!")
    preview = upload(desk, broken)
    assert preview.status_code == 200
    assert "base64" in preview.content.decode()
    assert preview.context["form"].initial["number"] == "194/TB-UBND"  # the header still


def test_the_sender_is_told_received_in_progress_and_done(
    desk: Client, office: User, settings: Any
) -> None:
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    settings.DONDOC_ORGAN_ID = US
    settings.DONDOC_ORGAN_NAME = "Văn phòng HĐND và UBND huyện"
    text = (
        "UBND HUYỆN HƯƠNG SƠN\nSố: 194/TB-UBND\nHương Sơn, ngày 13 tháng 9 năm 2023\n"
        "THÔNG BÁO\nKết luận giao ban\n"
        "1. Giao Phòng Nội vụ rà soát biên chế, hoàn thành trước ngày 30/10/2023.\n"
        "2. Giao Phòng Tư pháp thẩm định văn bản, hoàn thành trước ngày 30/11/2023.\n"
    ).encode()
    preview = upload(desk, package(name="194.txt", content=text))
    data = confirm_data(preview) | {"draft": str(preview.context["draft_id"])}
    assert desk.post(reverse("notice_import"), data).status_code == 302
    notice = Notice.objects.get(number="194/TB-UBND")
    first, second = notice.tasks.order_by("order")

    def statuses() -> list[str]:
        return list(
            notice.packages.filter(direction=ExchangePackage.Direction.STATUS).values_list(
                "status_code", flat=True
            )
        )

    def person(task: Task) -> User:
        unit: Unit = task.lead_unit
        return User.objects.create_user(
            username=f"cv-{unit.pk}", role=User.Role.STAFF, unit=unit, full_name="Lê Văn Nam"
        )

    for task in (first, second):
        staff = person(task)
        services.start_task(actor=staff, task=Task.objects.get(pk=task.pk))
        services.report_progress(
            actor=staff, task=Task.objects.get(pk=task.pk), note="Đang làm", progress=50
        )
        services.report_completion(actor=staff, task=Task.objects.get(pk=task.pk), note="Xong")
    assert statuses() == ["03", "05"]  # once each for the document, however many tasks
    services.accept_completion(actor=office, task=Task.objects.get(pk=first.pk))
    assert statuses() == ["03", "05"]  # one task still open
    services.accept_completion(actor=office, task=Task.objects.get(pk=second.pk))
    assert statuses() == ["03", "05", "06"]

    done = notice.packages.get(status_code="06")
    with done.file.open("rb") as handle:
        raw = handle.read()
    assert raw.count(b"<edXML:") > 10 and f'xmlns:edXML="{NS}"'.encode() in raw
    read = edxml.parse_status(raw)
    assert (read.responding_to.organ_id, read.code, read.document_id) == (
        SENDER,
        "194/TB-UBND",
        f"{SENDER},2023/09/13,194/TB-UBND",
    )
    assert (read.sender.organ_id, read.status_code, read.staff) == (
        US,
        "06",
        office.full_name or office.username,
    )
    assert read.promulgation_date == date(2023, 9, 13)
    assert "2 nhiệm vụ" in read.description


def test_a_notice_entered_by_hand_sends_no_status(
    make_task: Any, staff_a: User, settings: Any
) -> None:
    settings.DONDOC_RECEIVE_WORKING_DAYS = 1000
    task = make_task(text="Việc nhập tay", deadline=date(2023, 10, 30))
    services.start_task(actor=staff_a, task=task)
    assert Task.objects.get(pk=task.pk).status == Task.Status.IN_PROGRESS
    assert not ExchangePackage.objects.exists()
