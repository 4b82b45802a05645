"""The published document's object shapes, written out once for the tests (on purpose
not derived from the code under test)."""

SESSION_KEYS = frozenset(
    {
        "id", "title", "description", "session_type", "location", "scheduled_start", "scheduled_end",
        "actual_start", "actual_end", "status", "exercises_performed", "notes", "client_feedback",
        "trainer_notes", "google_event_id", "outlook_event_id", "created_at", "updated_at", "trainer_id",
        "client_id", "timezone", "scheduled_start_utc", "scheduled_end_utc",
    }
)
CLIENT_KEYS = frozenset({"id", "name", "email", "phone", "status"})
TRAINER_KEYS = frozenset({"id", "username", "email", "full_name"})
