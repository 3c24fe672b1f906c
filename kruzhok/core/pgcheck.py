"""`python -m kruzhok.core.pgcheck URL`: exit 0 when PostgreSQL at URL answers, 1 otherwise."""

import sys

import psycopg


def reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error as error:
        print(f"PostgreSQL unreachable: {error}", file=sys.stderr)
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
