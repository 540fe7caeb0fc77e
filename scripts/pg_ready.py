"""Exit 0 when the PostgreSQL server in the URL accepts connections, 1 otherwise."""

import sys

import psycopg

url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:  # any failure means "not reachable" here
    print(f"PostgreSQL check: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
