#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on a free loopback port for the tests and benchmarks.
#   postgres-cluster.sh start DIR   -> writes the server's admin URL to DIR/url
#   postgres-cluster.sh stop DIR    -> stops the server, removes its files and DIR
#   postgres-cluster.sh halt DIR    -> stops the server (fast shutdown), keeping its files: an outage
#   postgres-cluster.sh resume DIR  -> starts a halted server again on the same port
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user. Its files live in a
# fresh folder under /tmp (DIR/cluster names it): `postgres` may not be able to reach DIR (say, under /root).
set -euo pipefail

action=${1:?usage: postgres-cluster.sh start|stop|halt|resume DIR}
dir=${2:?usage: postgres-cluster.sh start|stop|halt|resume DIR}
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$bindir/initdb" ] || { echo "postgres-cluster.sh: no PostgreSQL server found (install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
  "$0" stop "$dir"
  mkdir -p "$dir"
  cluster=$(mktemp -d /tmp/killmail-pg.XXXXXX)
  echo "$cluster" >"$dir/cluster"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$cluster"; fi
  as_owner "$bindir/initdb" -D "$cluster/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 \
    || { cat "$cluster/initdb.log" >&2; exit 1; }
  # In random order: a halted cluster keeps its port for its resume, and another cluster started meanwhile (tests
  # running side by side) should not take it. A port no one listens on may still be bound by a client's socket
  # (the range overlaps the ephemeral ports), so the next one is tried when the server cannot bind it.
  port=""
  for candidate in $(shuf -i 55432-56431 -n 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then continue; fi
    echo "$candidate" >"$dir/port"
    rm -f "$cluster/server.log"
    if "$0" resume "$dir" 2>"$cluster/resume.err"; then port=$candidate; break; fi
    grep -q "could not bind\|could not create any TCP/IP sockets" "$cluster/server.log" || { cat "$cluster/resume.err" >&2; exit 1; }
  done
  [ -n "$port" ] || { echo "postgres-cluster.sh: no free port in 55432-56431" >&2; exit 1; }
  echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running on port $port ($cluster)"
  ;;
halt)
  as_owner "$bindir/pg_ctl" -D "$(cat "$dir/cluster")/data" -m fast -w stop >/dev/null
  ;;
resume)
  cluster=$(cat "$dir/cluster")
  if as_owner "$bindir/pg_ctl" -D "$cluster/data" status >/dev/null 2>&1; then exit 0; fi # running already
  as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
    -o "-p $(cat "$dir/port") -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB -c max_wal_size=4GB" \
    start >/dev/null || { cat "$cluster/server.log" >&2; exit 1; }
  ;;
stop)
  if [ -f "$dir/cluster" ]; then
    cluster=$(cat "$dir/cluster")
    if [ -d "$cluster/data" ]; then as_owner "$bindir/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    case "$cluster" in /tmp/killmail-pg.*) rm -rf "$cluster" ;; esac
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: postgres-cluster.sh start|stop|halt|resume DIR" >&2
  exit 2
  ;;
esac
