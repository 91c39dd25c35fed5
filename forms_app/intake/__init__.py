"""Intake: turning sealed submissions into cases (run by workers, never by the web process)."""
