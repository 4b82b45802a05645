"""Exit 0 when the PostgreSQL URL given as the only argument accepts a connection."""

import sys

import psycopg

url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
with psycopg.connect(url, connect_timeout=3) as conn:
    conn.execute("SELECT 1")
