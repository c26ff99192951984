"""Reading a text that assigns tasks: header, directions, units and deadlines (docs/domain.md §8).

- `reading`: an uploaded .txt/.md/.docx/.pdf to text (bounded; Word tables as rows);
- `lines`: the text as lines (Markdown, page numbers and wrapped lines undone);
- `header`: the document's own number, date, issuer, title and signature;
- `clauses`: who is assigned what in one sentence, and who supports;
- `parsing`: sections, items, tables and paragraphs into tasks (`parse_notice`), never refusing
  a text: what is missing is listed in `ParsedNotice.problems` for the preview;
- `model`: what a reading gives; `pending`: the uploaded file while the office checks.

Nothing raises but `ImportProblem`, whose message tells the office in Vietnamese what was wrong.
"""

from .lines import normalise
from .model import ParsedNotice, ParsedTask, UnitIndex, UnitMention
from .parsing import parse_notice
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
