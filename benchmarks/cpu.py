"""CPU time of local processes, read from /proc, for benchmarks that report CPU per unit of work."""

from __future__ import annotations

import os
from pathlib import Path


def process_cpu_seconds(pid: int | str) -> float:
    """CPU seconds (user and system) a local process has used so far; 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
