"""What a reading gives: the units it met, the tasks and the notice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from core.text import fold, name_key
from units.models import Unit

from ..deadlines import ONGOING_WORDS, Deadline
from . import clauses


@dataclass(frozen=True)
class UnitMention:
    text: str
    unit: Unit | None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else self.text


class UnitIndex:
    """The registry's names as keys, to find the unit a phrase starts with."""

    def __init__(self, units: list[Unit]) -> None:
        self.keys: list[tuple[str, Unit]] = sorted(
            ((key, unit) for unit in units for key in unit.name_keys() if key),
            key=lambda item: -len(item[0]),
        )
        self.names = {key for key, _ in self.keys}

    def prefix_length(self, text: str) -> int:
        """How many characters of `text` a registered name takes at its start (0: none)."""
        words = list(re.finditer(r"[^\s\-–—_.,;:/()&]+", text[:240]))
        for count in range(min(len(words), 16), 0, -1):
            key = name_key(" ".join(w.group(0) for w in words[:count]))
            if key in self.names:
                return words[count - 1].end()
        return 0

    def exactly(self, phrase: str) -> Unit | None:
        key = name_key(phrase)
        return next((unit for candidate, unit in self.keys if key == candidate), None)

    def starting(self, phrase: str) -> Unit | None:
        key = name_key(phrase)
        for candidate, unit in self.keys:
            if key == candidate or key.startswith(candidate + " "):
                return unit
        return None


@dataclass
class ParsedTask:
    ref: str
    text: str
    leads: list[UnitMention]  # one, or several co-leads / a group (fanned out by the office)
    supports: list[UnitMention]
    deadline: Deadline | None
    first_line: int
    last_line: int

    @property
    def lead(self) -> UnitMention | None:
        return self.leads[0] if self.leads else None

    @property
    def recurring(self) -> bool:
        """No deadline: followed as an ongoing task (Task.DeadlineKind.ONGOING)."""
        return self.deadline is None

    @property
    def said_ongoing(self) -> bool:
        """No deadline, and the text says so ("thường xuyên", "tiếp tục", "định kỳ", …)."""
        return self.deadline is None and any(word in fold(self.text) for word in ONGOING_WORDS)

    def as_form_row(self) -> dict[str, str]:
        """The task as a row of the preview's form: names and phrases as the office reads them."""
        deadline = ""
        if self.deadline and self.deadline.day:
            deadline = self.deadline.text or f"{self.deadline.day:%d/%m/%Y}"
        return {
            "ref": self.ref,
            "text": self.text,
            "lead_unit": "; ".join(m.name for m in self.leads),
            # A group ("các đơn vị liên quan") stays in the text: it is no unit to pick.
            "support_units": "; ".join(
                m.name for m in self.supports if m.unit or not clauses.GROUP.match(m.text)
            ),
            "deadline": deadline,
            "source_lines": f"{self.first_line + 1}-{self.last_line + 1}",  # lines from 1
        }


@dataclass
class ParsedNotice:
    lines: list[str]
    number: str = ""
    issuer: str = ""
    place: str = ""
    issued_on: date | None = None
    title: str = ""
    meeting_on: date | None = None
    chair: str = ""
    chair_title: str = ""
    signer: str = ""
    signer_title: str = ""
    recipients: str = ""
    tasks: list[ParsedTask] = field(default_factory=list)
    # Where the number was read: "header" (the document's own "Số:"), or the portal copy's
    # mention of its source ("(Theo Công văn số …)"), said in the preview.
    number_source: str = ""
    title_line: int = -1  # a news item's headline: the title, not a direction
    # What could not be read, for the preview to say (never a refusal).
    problems: list[str] = field(default_factory=list)

    def header(self) -> dict[str, object]:
        """The notice's header as the fields of `services.NOTICE_FIELDS`."""
        return {
            "number": self.number,
            "issuer": self.issuer,
            "place": self.place,
            "issued_on": self.issued_on,
            "title": self.title,
            "meeting_on": self.meeting_on,
            "chair": self.chair,
            "chair_title": self.chair_title,
            "signer": self.signer,
            "signer_title": self.signer_title,
            "recipients": self.recipients,
        }

    def as_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "signer": self.signer,
            "title": self.title,
            "number_source": self.number_source,
            "problems": self.problems,
            "tasks": [
                {
                    "ref": task.ref,
                    "text": task.text,
                    "lead_units": [m.name for m in task.leads],
                    "support_units": [m.name for m in task.supports],
                    "deadline": task.deadline.day.isoformat()
                    if task.deadline and task.deadline.day
                    else None,
                    "recurring": task.said_ongoing,
                }
                for task in self.tasks
            ],
        }
