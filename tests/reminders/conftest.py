import pytest

from reminders.ladder import ensure_default_ladder
from reminders.models import ReminderStep


@pytest.fixture(autouse=True)
def default_ladder(request: pytest.FixtureRequest) -> None:
    """The migration's ladder, again: a transactional test elsewhere may have flushed it."""
    if request.node.get_closest_marker("django_db") is None:
        return  # tests without the database (working days) need no ladder
    ensure_default_ladder(ReminderStep)
