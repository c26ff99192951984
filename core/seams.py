"""The seams: the only ways a lower layer lets a higher one take part in its work.

Imports go one way (core ← units ← directives ← reports ← reminders ← config; the
import-linter contract in pyproject.toml checks it). Where a lower layer must let a higher one
act on something it does, it calls one of the seams below, and the higher app registers with
it in its `AppConfig.ready()`. Nothing else crosses the layers upwards, and every seam is here:

- `task_write`: context managers entered around every save of a task (its creation or a change),
  inside the change's transaction and after the row is locked. Called by
  `directives.services` (`_record`); `reports.tally` registers, to move today's dashboard tally
  by the task's difference.
- `tasks_bulk_write`: context managers entered around an update of many tasks at once
  (`(queryset)`: the tasks it updates), inside its transaction; the update moves no task to
  another unit. Called by `directives.services.periods` (the duties' report cut-offs);
  `reports.tally` registers, to move today's tally by the tasks' difference.
- `task_counts`: functions that may answer the timeliness counts of a filtered task list
  `(user, task_filter, today) -> dict | None`. Called by the task list (`directives.views`);
  `reports.tally` registers, answering from today's tally; when every function answers None the
  list counts live.
- `task_page_prefetches`: functions returning `Prefetch` objects for the task page, so a higher
  app's rows about the task come in the page's own queries. `reminders` registers the reminders
  sent about the task (`task.sent_reminders`).
- `task_event`: functions called with every new timeline row (`TaskEvent`) of a task, inside
  the change's transaction, after the row is written. Called by `directives.services`
  (`record`); `api.webhooks` registers, to queue the row for the connected systems' webhooks
  in the same transaction (an outbox: a change rolled back sends nothing).
- `data_replaced`: functions called after the database's contents were replaced wholesale,
  without the models' signals (a restore: `core.backup.restore`; the benchmark's load).
  `directives` registers, to move the versions of everything kept in the cache
  (`directives.caching.everything_changed`).
- `unit_closing`: functions called in the transaction that closes a unit,
  `(actor, unit, successor) -> int` (how many tasks were handed over); raising ValidationError
  stops the closing. Called by `units.services.close_unit`; `directives` registers, to hand the
  unit's open tasks to the successor (or refuse when there is none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any


class Seam:
    """A named list of functions a higher layer registers; the lower layer calls them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.functions: list[Callable[..., Any]] = []

    def register(self, function: Callable[..., Any]) -> Callable[..., Any]:
        if function not in self.functions:
            self.functions.append(function)
        return function

    def call(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Every registered function's answer, in the order they registered."""
        return [function(*args, **kwargs) for function in self.functions]

    def first(self, *args: Any, **kwargs: Any) -> Any:
        """The first answer that is not None (later functions are not asked), else None."""
        for function in self.functions:
            answer = function(*args, **kwargs)
            if answer is not None:
                return answer
        return None

    def __repr__(self) -> str:
        return f"<Seam {self.name}: {len(self.functions)} registered>"


class ContextSeam(Seam):
    """A seam whose functions are context managers, all entered around the lower layer's work."""

    @contextmanager
    def around(self, *args: Any, **kwargs: Any) -> Iterator[None]:
        with ExitStack() as stack:
            for function in self.functions:
                manager: AbstractContextManager[Any] = function(*args, **kwargs)
                stack.enter_context(manager)
            yield


task_write = ContextSeam("task_write")
tasks_bulk_write = ContextSeam("tasks_bulk_write")
task_counts = Seam("task_counts")
task_page_prefetches = Seam("task_page_prefetches")
task_event = Seam("task_event")
unit_closing = Seam("unit_closing")
data_replaced = Seam("data_replaced")
