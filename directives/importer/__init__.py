"""Reading a conclusion notice: header, sections, tasks, units and deadlines (docs/domain.md).

`reading.read_file` turns an uploaded .txt/.md/.docx/.pdf into text; `parsing.parse_notice`
reads that text; `pending` keeps the uploaded file while the office checks the preview.
Neither raises anything but `ImportProblem`, whose message tells the office in Vietnamese what
was wrong. The parser follows the rules of how notices are written, not one notice's wording:

- a numbered heading that names a unit ("3.1. Đối với Phòng Nội vụ") opens that unit's section;
  each bullet, lettered item or paragraph under it is one of its tasks;
- anywhere, "Giao X chủ trì, phối hợp với Y …" assigns a task inline, several per paragraph;
- the lead is the unit the section names, unless the task says "Z chủ trì";
- support units are the units named after "phối hợp (với)", "cùng", "làm việc với"; a unit that
  is only directed ("chỉ đạo", "hướng dẫn") or that receives a report ("báo cáo … (qua X)") is
  neither lead nor support;
- a task's deadline is the latest "by when" phrase in its words, else its section's.
"""

from .parsing import ParsedNotice, ParsedTask, UnitIndex, UnitMention, normalise, parse_notice
from .pending import PENDING_LIFETIME, PENDING_ROOT, clean_pending, keep_pending, pending_path
from .reading import MAX_IMPORT_BYTES, ImportProblem, decode_text, read_file

__all__ = [
    "MAX_IMPORT_BYTES",
    "PENDING_LIFETIME",
    "PENDING_ROOT",
    "ImportProblem",
    "ParsedNotice",
    "ParsedTask",
    "UnitIndex",
    "UnitMention",
    "clean_pending",
    "decode_text",
    "keep_pending",
    "normalise",
    "parse_notice",
    "pending_path",
    "read_file",
]
