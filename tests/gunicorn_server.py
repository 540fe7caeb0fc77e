"""The real app under the project's gunicorn.conf.py on 127.0.0.1, for the tests that need
a server process (the access log, the workers' sockets)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from config import TestingConfig

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(database_url: str, instance_dir: Path, log: Path, workers: int, **extra_env: str):
    """Start gunicorn on a free port with a clean environment (no WIJKSTEM_ or GUNICORN_
    settings of the caller: the project's defaults apply). Returns (process, port); the
    caller terminates it."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WIJKSTEM_", "GUNICORN_"))},
        "WIJKSTEM_CONFIG": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TestingConfig.SECRET_KEY,
        "WIJKSTEM_INSTANCE_DIR": str(instance_dir),
        "RATELIMIT_STORAGE_URI": "memory://",
        **extra_env,
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "wsgi:app"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, port
