"""The published document's object shapes, values and messages, written out once for the
tests (on purpose not derived from the code under test)."""

import re

SESSION_KEYS = frozenset(
    {
        "id", "title", "description", "session_type", "location", "scheduled_start", "scheduled_end",
        "actual_start", "actual_end", "status", "exercises_performed", "notes", "client_feedback",
        "trainer_notes", "google_event_id", "outlook_event_id", "created_at", "updated_at", "trainer_id",
        "client_id", "series_id", "timezone", "scheduled_start_utc", "scheduled_end_utc",
    }
)
CLIENT_KEYS = frozenset({"id", "name", "email", "phone", "status"})
TRAINER_KEYS = frozenset({"id", "username", "email", "full_name"})

STATUSES = ("scheduled", "completed", "cancelled", "no-show")
SESSION_TYPES = ("personal", "group", "online", "assessment", "consultation")
OPTIONAL_TEXT = ("description", "notes", "trainer_notes", "exercises_performed", "client_feedback")
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")

END_AFTER_START = "Scheduled end time must be after start time"
NOT_FOUND = {"success": False, "error": "Session not found"}
AUTH_REQUIRED = {"success": False, "error": "Authentication required"}
CLIENT_NOT_FOUND = {"client_id": "Client not found"}
