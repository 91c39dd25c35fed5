"""Queue names. The worker listens to every queue in ALL_QUEUES, in this order."""

from __future__ import annotations

from typing import Final

# Notifications first: they are short, and only intake creates them, so intake cannot starve.
NOTIFICATIONS: Final = "saferforms-notifications"
INTAKE: Final = "saferforms-intake"

ALL_QUEUES: Final = (NOTIFICATIONS, INTAKE)
