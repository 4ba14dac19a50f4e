#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and benchmarks.
#   tools/pg.sh start   -> prints the connection string on stdout (installs PostgreSQL with apt if missing)
#   tools/pg.sh stop
# The data directory lives under /tmp so the postgres user can reach it; initdb refuses to run as root.
set -euo pipefail
PORT="${RX_PG_PORT:-55432}"
STATE=/tmp/rx-pg-"$PORT".dir

find_pgbin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
}

case "${1:-}" in
  start)
    PGBIN="$(find_pgbin || true)"
    if [ -z "$PGBIN" ]; then
      echo "PostgreSQL not found; installing it with apt" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      PGBIN="$(find_pgbin)"
    fi
    if [ -f "$STATE" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$(cat "$STATE")" status >/dev/null 2>&1; then
      echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
      exit 0
    fi
    PGDATA=$(mktemp -d /tmp/rx-pg.XXXXXX)
    chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    OPTS="-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300"
    # Tests create and drop many databases; durability buys them nothing. Benchmarks set RX_PG_DURABLE=1.
    [ "${RX_PG_DURABLE:-0}" = 1 ] || OPTS="$OPTS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o "$OPTS" start >/dev/null
    echo "$PGDATA" > "$STATE"
    echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
    ;;
  stop)
    PGBIN="$(find_pgbin || true)"
    if [ -n "$PGBIN" ] && [ -f "$STATE" ]; then
      PGDATA="$(cat "$STATE")"
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
      rm -rf "$PGDATA" "$STATE"
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
