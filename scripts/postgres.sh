#!/usr/bin/env bash
# A throwaway PostgreSQL for Muster's tests, on 127.0.0.1 and a free port.
#
#   eval "$(scripts/postgres.sh)"     # start (or reuse) it; exports MUSTER_TEST_PG
#   scripts/postgres.sh stop          # stop it and delete its files
#   scripts/postgres.sh restart       # pg_ctl restart -m fast (outage tests; keeps the data)
#   scripts/postgres.sh down | up     # stop it keeping the data / start it again on the same port
#
# Installs PostgreSQL from apt when it is missing. The cluster lives in $MUSTER_PG_DIR
# (default: $TMPDIR/muster-pg), runs as the postgres user when started by root, trusts local
# connections and keeps nothing worth keeping (fsync off). Only the export line goes to stdout.
set -euo pipefail

dir="${MUSTER_PG_DIR:-${TMPDIR:-/tmp}/muster-pg}"
database="muster_test"
log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/pg_ctl" ]] && { echo "$candidate"; return 0; }
  done
  return 1
}

bin="$(find_bin || true)"
if [[ -z "$bin" && "${1:-start}" != "stop" ]]; then
  log "PostgreSQL is missing; installing it from apt"
  if [[ $(id -u) -ne 0 ]]; then log "run as root (apt-get install needs it), or install postgresql first"; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin="$(find_bin)"
fi

# Run a PostgreSQL tool as the cluster's owner: the postgres user when we are root (initdb refuses root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [[ -f "$dir/env" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

free_port() {
  # Below the kernel's ephemeral range: a port from it could be taken by any outgoing connection on the machine while the
  # server is down (`down`, a restart), and `up` would then fail to bind it again.
  local port low
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  for port in $(shuf -i 10000-$((low > 12000 ? low - 1 : 32767)) -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  log "no free port found"; return 1
}

case "${1:-start}" in
  start)
    if running; then
      log "already running"
      cat "$dir/env"
      exit 0
    fi
    [[ -d "$dir/data" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    port="$(free_port)"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >"$dir/options"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$(cat "$dir/options")" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
    echo "export MUSTER_TEST_PG='Host=127.0.0.1;Port=$port;Username=postgres;Database=$database'" >"$dir/env"
    log "running on 127.0.0.1:$port (data in $dir)"
    cat "$dir/env"
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -m fast restart >&2
    ;;
  down)
    as_owner "$bin/pg_ctl" -D "$dir/data" -w -m fast stop >&2
    ;;
  up)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$(cat "$dir/options")" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [[ -n "$bin" && -d "$dir/data" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" stop -m fast >&2 || true
    fi
    rm -rf "$dir"
    log "stopped"
    ;;
  *)
    echo "usage: $0 [start|stop|restart|down|up]" >&2
    exit 2
    ;;
esac
