"""Which process of which host holds something, and whether it is gone.

Several processes on several machines share the outbox folders and the
ledger. What one of them leaves behind (a temporary file, a lease on a flow)
names its host and process, so that another can tell a holder that crashed
from one that still works: a process of this host that no longer exists is
gone at once; one of another host is never known to be gone here (its lease
runs out, its host sweeps its files).
"""

from __future__ import annotations

import os
import secrets
import socket


def holder() -> str:
    """A holder name for this process: host, pid, and a random part, so that a
    later process given the same pid is not taken for this one."""
    return f"{socket.gethostname()}~{os.getpid()}~{secrets.token_hex(4)}"


def holder_gone(name: str) -> bool:
    """Whether the process a `holder()` name designates is known to be gone."""
    parts = name.rsplit("~", 2)
    return len(parts) == 3 and parts[1].isdigit() and gone(parts[0], int(parts[1]))


def gone(host: str, pid: int) -> bool:
    """Whether the process `pid` of `host` is known to be gone: only a process
    of this host can be checked."""
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    return False
