"""The office's progress reports (docs/domain.md): computed once (`data.compute`), written as
Annex I and II in XLSX and as the narrative report in DOCX and PDF."""

from .csv_writer import task_list_csv
from .data import (
    AUTHORITIES,
    NARRATIVE_ANNEX_LIMIT,
    AnnexRow,
    Report,
    Scope,
    Signing,
    Summary,
    annex_rows,
    as_report,
    compute,
    file_name,
    footer_text,
    summary,
)
from .docx_writer import write_docx
from .pdf_writer import write_pdf
from .xlsx import write_task_list, write_xlsx

__all__ = [
    "AUTHORITIES",
    "AnnexRow",
    "NARRATIVE_ANNEX_LIMIT",
    "Report",
    "Scope",
    "Signing",
    "Summary",
    "annex_rows",
    "as_report",
    "compute",
    "file_name",
    "footer_text",
    "summary",
    "task_list_csv",
    "write_docx",
    "write_pdf",
    "write_task_list",
    "write_xlsx",
]
