"""edXML packages (QCVN 102:2016/BTTTT, amended 2022): the format in which document-management
systems (QLVB&ĐH) exchange documents over the LGSP / NDXP platforms.

Read: the message header (sender, number and notation, place and date of promulgation,
document type, subject, signer, due date, steering type, recipients) and the attachments,
from any of the shapes seen in the wild:

- the standard's own: an `edXML` root holding `edXMLEnvelope` (`edXMLHeader` with
  `MessageHeader`, `edXMLBody` with its manifest) and `AttachmentEncoded` (base64);
- SOAP: `Envelope/Header/MessageHeader`, the attachments as MIME parts of a
  `multipart/related` message (SOAP with attachments) or base64 elements.

Elements are found by their local name: implementations disagree on the namespace (the
standard's `http://www.mic.gov.vn/TBT/QCVN_102_2016`, SOAP's own URI reused for edXML, none)
and on whether children carry the `edXML:` prefix; the names themselves they agree on.

Parsed safely: defusedxml refuses DTDs, entity declarations and external references (no
billion laughs, no XXE), and the package's size is limited before anything is read.

Written: the status package the standard defines for the receiving organ to tell the
sender how its document is handled (`Status`: ResponseFor, From, StatusCode, Description,
Timestamp, StaffInfo), read back by `parse_status`.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

# The standard's status codes for a received document (what the sender's system shows).
STATUS_ARRIVED = "01"
STATUS_REFUSED = "02"
STATUS_RECEIVED = "03"
STATUS_ASSIGNED = "04"
STATUS_IN_PROGRESS = "05"
STATUS_DONE = "06"
STATUS_LABELS = {
    STATUS_ARRIVED: "Đã đến",
    STATUS_REFUSED: "Từ chối tiếp nhận",
    STATUS_RECEIVED: "Đã tiếp nhận",
    STATUS_ASSIGNED: "Phân công",
    STATUS_IN_PROGRESS: "Đang xử lý",
    STATUS_DONE: "Hoàn thành",
}

# Mã định danh điện tử (Quyết định 20/2020/QĐ-TTg): levels 4.3.2.1 from the right, e.g.
# 000.00.00.H42 (a province's UBND), 000.01.12.H28; level 1 is a letter and two digits.
ORGAN_ID = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")

DATE_FORMATS = ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y%m%d")


def max_bytes() -> int:
    return int(getattr(settings, "DONDOC_EDXML_MAX_BYTES", 30 * 1024 * 1024))


class EdxmlError(ValueError):
    """A package that cannot be read, with the reason in Vietnamese."""


@dataclass
class Party:
    organ_id: str = ""
    name: str = ""
    in_charge: str = ""


@dataclass
class Attachment:
    name: str
    content_type: str
    content: bytes
    content_id: str = ""
    description: str = ""


@dataclass
class Header:
    sender: Party = field(default_factory=Party)
    recipients: list[Party] = field(default_factory=list)
    code_number: str = ""
    code_notation: str = ""
    place: str = ""
    promulgation_date: date | None = None
    document_type: str = ""
    document_type_name: str = ""
    subject: str = ""
    content: str = ""
    signer_name: str = ""
    signer_position: str = ""
    signer_competence: str = ""
    due_date: date | None = None
    steering_type: str = ""
    document_id: str = ""
    priority: str = ""

    @property
    def number(self) -> str:
        """ "194/TB-UBND": the number and the notation as a document carries them."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


@dataclass
class Package:
    header: Header
    attachments: list[Attachment]
    # What could not be read, said to the office in the preview.
    problems: list[str] = field(default_factory=list)

    def notice_file(self) -> Attachment | None:
        """The attachment that is the document itself: the first DOCX or PDF (else any)."""
        for attachment in self.attachments:
            if attachment.name.lower().endswith((".docx", ".pdf", ".doc", ".txt", ".md")):
                return attachment
        return self.attachments[0] if self.attachments else None


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _find(parent: Element | None, name: str) -> Element | None:
    """The first descendant of `parent` with this local name, whatever its namespace."""
    if parent is None:
        return None
    for element in parent.iter():
        if element is not parent and _local(element.tag) == name:
            return element
    return None


def _children(parent: Element | None, name: str) -> list[Element]:
    if parent is None:
        return []
    return [child for child in parent if _local(child.tag) == name]


def _text(parent: Element | None, *path: str) -> str:
    node = parent
    for name in path:
        if node is None:
            return ""
        node = next(iter(_children(node, name)), None) or _find(node, name)
    if node is None:
        return ""
    return " ".join("".join(node.itertext()).split())


def _date(value: str, what: str, problems: list[str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    head = value.split()[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(head, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    problems.append(f"Không đọc được {what} “{value}”.")
    return None


def normalize_organ_id(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _party(element: Element | None, problems: list[str], what: str) -> Party:
    party = Party(
        organ_id=normalize_organ_id(_text(element, "OrganId")),
        name=_text(element, "OrganName"),
        in_charge=_text(element, "OrganizationInCharge"),
    )
    if element is not None and party.organ_id and not ORGAN_ID.match(party.organ_id):
        problems.append(
            f"Mã định danh {what} “{party.organ_id}” không theo cấu trúc của Quyết định "
            "20/2020/QĐ-TTg (ví dụ 000.00.00.H42); vẫn giữ như gói tin ghi."
        )
    return party


def _xml(data: bytes) -> Element:
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise EdxmlError(
            "Gói edXML có khai báo DTD hoặc thực thể (entity): không được phép vì lý do an "
            "toàn; không đọc gói này."
        ) from None
    except ParseError as error:
        line = getattr(error, "position", (0, 0))[0]
        raise EdxmlError(
            f"Gói edXML không phải XML hợp lệ (lỗi ở dòng {line}); không đọc được."
        ) from None


def _mime_parts(data: bytes) -> tuple[bytes, dict[str, Attachment]] | None:
    """SOAP with attachments: the XML part and the others by Content-ID."""
    head = data[:4096].lower()
    if data.lstrip()[:1] == b"<" or b"multipart/" not in head:
        return None
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.is_multipart():
        return None
    xml_part: bytes | None = None
    attachments: dict[str, Attachment] = {}
    for part in message.iter_parts():
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        content_type = part.get_content_type()
        if xml_part is None and content_type in (
            "text/xml",
            "application/xml",
            "application/soap+xml",
        ):
            xml_part = payload
            continue
        cid = str(part.get("Content-ID", "")).strip().strip("<>")
        name = part.get_filename() or cid or f"tep-{len(attachments) + 1}"
        attachments[cid] = Attachment(name, content_type, payload, cid)
    if xml_part is None:
        raise EdxmlError("Gói edXML dạng MIME không có phần XML (text/xml).")
    return xml_part, attachments


def _decode(value: str, name: str, problems: list[str]) -> bytes | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        problems.append(f"Tệp đính kèm “{name}” không giải mã được (base64 hỏng); bỏ qua tệp này.")
        return None


def parse(data: bytes) -> Package:
    """Read a package; raises `EdxmlError` (in Vietnamese) when it cannot be read at all."""
    if len(data) > max_bytes():
        raise EdxmlError(
            f"Gói edXML quá lớn ({len(data) / 1024 / 1024:.1f} MB; tối đa "
            f"{max_bytes() // 1024 // 1024} MB)."
        )
    if not data.strip():
        raise EdxmlError("Gói edXML trống.")
    mime = _mime_parts(data)
    mime_attachments: dict[str, Attachment] = {}
    if mime is not None:
        data, mime_attachments = mime
    root = _xml(data)
    header_element = _find(root, "MessageHeader") if _local(root.tag) != "MessageHeader" else root
    if header_element is None:
        raise EdxmlError(
            "Không thấy phần MessageHeader của gói edXML: đây không phải gói văn bản edXML."
        )
    problems: list[str] = []
    header = Header(
        sender=_party(next(iter(_children(header_element, "From")), None), problems, "nơi gửi"),
        recipients=[_party(to, problems, "nơi nhận") for to in _children(header_element, "To")],
        code_number=_text(header_element, "Code", "CodeNumber"),
        code_notation=_text(header_element, "Code", "CodeNotation"),
        place=_text(header_element, "PromulgationInfo", "Place"),
        promulgation_date=_date(
            _text(header_element, "PromulgationInfo", "PromulgationDate"),
            "ngày ban hành",
            problems,
        ),
        document_type=_text(header_element, "DocumentType", "Type"),
        document_type_name=_text(header_element, "DocumentType", "TypeName"),
        subject=_text(header_element, "Subject"),
        content=_text(header_element, "Content"),
        signer_name=_text(header_element, "SignerInfo", "FullName"),
        signer_position=_text(header_element, "SignerInfo", "Position"),
        signer_competence=_text(header_element, "SignerInfo", "Competence"),
        due_date=_date(_text(header_element, "DueDate"), "hạn xử lý", problems),
        steering_type=_text(header_element, "SteeringType"),
        document_id=_text(header_element, "DocumentId"),
        priority=_text(header_element, "OtherInfo", "Priority"),
    )
    if not header.sender.organ_id:
        problems.append("Gói tin không ghi mã định danh nơi gửi (From/OrganId).")
    if not header.number:
        problems.append("Gói tin không ghi số, ký hiệu văn bản (Code).")

    manifest = {
        _text(ref, "ContentId").removeprefix("cid:").strip("<>"): ref
        for ref in root.iter()
        if _local(ref.tag) == "Reference"
    }
    attachments: list[Attachment] = []
    for element in root.iter():
        if _local(element.tag) != "Attachment":
            continue
        cid = _text(element, "ContentId").removeprefix("cid:").strip("<>")
        reference = manifest.get(cid)
        name = (
            _text(element, "AttachmentName")
            or _text(reference, "AttachmentName")
            or (f"tep-{len(attachments) + 1}")
        )
        encoded = _text(element, "ContentTransferEncoded") or _text(element, "Content")
        content = _decode(encoded, name, problems) if encoded else None
        if content is None:
            if not encoded:
                problems.append(f"Tệp đính kèm “{name}” không có nội dung; bỏ qua tệp này.")
            continue
        attachments.append(
            Attachment(
                name=name,
                content_type=_text(element, "ContentType") or _text(reference, "ContentType"),
                content=content,
                content_id=cid,
                description=_text(element, "Description"),
            )
        )
    for cid, attachment in mime_attachments.items():
        reference = manifest.get(cid)
        if reference is not None and _text(reference, "AttachmentName"):
            attachment.name = _text(reference, "AttachmentName")
        attachments.append(attachment)
    if not attachments:
        problems.append("Gói tin không kèm tệp văn bản nào: chỉ đọc được phần thông tin.")
    return Package(header=header, attachments=attachments, problems=problems)


# --- the status package --------------------------------------------------------------------


@dataclass
class Status:
    """A status message about a received document (QCVN 102:2016, `Status`)."""

    responding_to: Party  # the organ that sent the document (ResponseFor/OrganId)
    code: str  # its number and notation, "194/TB-UBND"
    promulgation_date: date | None
    document_id: str
    sender: Party  # us
    status_code: str
    description: str
    timestamp: datetime
    department: str = ""
    staff: str = ""


def _sub(parent: Element, name: str, text: str = "") -> Element:
    element = SubElement(parent, f"{{{NS}}}{name}")
    element.text = text
    return element


def build_status(status: Status) -> bytes:
    """The status package, in the standard's namespace with the `edXML:` prefix on every
    element (strict gateways reject unprefixed children)."""
    from xml.etree import ElementTree

    ElementTree.register_namespace("edXML", NS)
    root = Element(f"{{{NS}}}Status")
    response = _sub(root, "ResponseFor")
    _sub(response, "OrganId", status.responding_to.organ_id)
    _sub(response, "Code", status.code)
    _sub(
        response,
        "PromulgationDate",
        status.promulgation_date.strftime("%Y/%m/%d") if status.promulgation_date else "",
    )
    _sub(response, "DocumentId", status.document_id)
    sender = _sub(root, "From")
    _sub(sender, "OrganId", status.sender.organ_id)
    _sub(sender, "OrganName", status.sender.name)
    _sub(sender, "OrganizationInCharge", status.sender.in_charge)
    _sub(root, "StatusCode", status.status_code)
    _sub(root, "Description", status.description)
    _sub(root, "Timestamp", status.timestamp.strftime("%Y/%m/%d %H:%M:%S"))
    staff = _sub(root, "StaffInfo")
    _sub(staff, "Department", status.department)
    _sub(staff, "Staff", status.staff)
    body = tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode()


def parse_status(data: bytes) -> Status:
    """Read a status package back (ours or another system's, SOAP-wrapped or not)."""
    if len(data) > max_bytes():
        raise EdxmlError("Gói trạng thái quá lớn.")
    root = _xml(data)
    element = root if _local(root.tag) == "Status" else _find(root, "Status")
    if element is None:
        raise EdxmlError("Không thấy phần Status: đây không phải gói trạng thái edXML.")
    problems: list[str] = []
    response = next(iter(_children(element, "ResponseFor")), None)
    stamp = _text(element, "Timestamp")
    moment: datetime | None = None
    for pattern in ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            moment = datetime.strptime(stamp, pattern)  # noqa: DTZ007 - as the package writes it
            break
        except ValueError:
            continue
    if moment is None:
        raise EdxmlError(f"Không đọc được thời điểm của gói trạng thái “{stamp}”.")
    return Status(
        responding_to=Party(organ_id=normalize_organ_id(_text(response, "OrganId"))),
        code=_text(response, "Code"),
        promulgation_date=_date(_text(response, "PromulgationDate"), "ngày ban hành", problems),
        document_id=_text(response, "DocumentId"),
        sender=_party(next(iter(_children(element, "From")), None), problems, "nơi gửi"),
        status_code=_text(element, "StatusCode"),
        description=_text(element, "Description"),
        timestamp=moment,
        department=_text(element, "StaffInfo", "Department"),
        staff=_text(element, "StaffInfo", "Staff"),
    )
