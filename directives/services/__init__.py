"""Every change to a notice or a task goes through one function here (docs/domain.md).

Each function takes keyword arguments and a required `actor`, checks the action against the
transition table (`directives.models.TRANSITIONS`) and the person's rights, and writes the
change with its timeline row in one transaction (`base.record`). By topic:

- `notices`: entering a notice with its tasks (typed or imported), correcting its header;
- `tasks`: the office's part in a task's terms (assign, correct, hand over to a successor);
- `groups`: one direction for several units, fanned out to one task per unit;
- `work`: the lead and support units' actions;
- `receipt`: a new task acknowledged or returned as not the unit's, and the office's answer;
- `periods`: recurring duties, their periods and period reports;
- `people`: work inside the lead unit (the person responsible, the head's review);
- `decisions`: the office's and the leadership's decisions and comments.
"""

from .base import (
    MAX_NOTE_LENGTH,
    StaleTaskError,
    TransitionError,
    mark_notifications_read,
)
from .decisions import (
    accept_completion,
    add_comment,
    approve_extension,
    cancel_task,
    mark_objective_cause,
    note_reminded,
    pause_task,
    refuse_extension,
    resume_task,
    return_completion,
)
from .groups import assign_group_task, edit_group_task
from .notices import (
    NOTICE_FIELDS,
    add_section,
    add_task_row,
    check_not_duplicate,
    create_notice,
    enter_notice,
    task_row,
    update_notice,
)
from .people import assign_person, forward_completion, return_to_person
from .periods import ensure_periods, report_period
from .receipt import hand_back, insist_on_lead, reassign_lead
from .tasks import assign_task, close_unit_tasks, edit_task, transfer_open_tasks
from .work import (
    add_contribution,
    ask_support,
    report_completion,
    report_progress,
    request_extension,
    start_task,
)

__all__ = [
    "MAX_NOTE_LENGTH",
    "NOTICE_FIELDS",
    "StaleTaskError",
    "TransitionError",
    "accept_completion",
    "add_comment",
    "mark_objective_cause",
    "note_reminded",
    "add_contribution",
    "add_section",
    "add_task_row",
    "approve_extension",
    "ask_support",
    "assign_group_task",
    "assign_person",
    "assign_task",
    "cancel_task",
    "check_not_duplicate",
    "close_unit_tasks",
    "create_notice",
    "edit_group_task",
    "edit_task",
    "ensure_periods",
    "enter_notice",
    "forward_completion",
    "hand_back",
    "insist_on_lead",
    "mark_notifications_read",
    "pause_task",
    "reassign_lead",
    "refuse_extension",
    "report_completion",
    "report_period",
    "report_progress",
    "request_extension",
    "resume_task",
    "return_completion",
    "return_to_person",
    "start_task",
    "task_row",
    "transfer_open_tasks",
    "update_notice",
]
