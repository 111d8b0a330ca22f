#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the optimizer's storage tests and exports
# its JDBC URL in PROMPTUNE_TEST_PG_URL. Idempotent: a second call reuses the running server.
#
#   source scripts/ci-postgres.sh          # installs (Debian) if needed, starts, exports the URL
#   scripts/ci-postgres.sh stop            # stops the server and removes its data directory
#
# Needs root (or the postgres user) to install and to run the server as the postgres user.
_pt_pg_main() {
  local dir="${PROMPTUNE_PG_DIR:-/tmp/promptune-pg}" db=promptune_test pgbin port
  if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; } || {
      echo "ci-postgres: could not install the Debian package 'postgresql'" >&2; return 1; }
  fi
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  local as_pg=()
  [[ "$(id -un)" != postgres ]] && as_pg=(runuser -u postgres --)
  if [[ "${1:-}" == stop ]]; then
    [[ -d "$dir/data" ]] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1
    rm -rf "$dir"
    unset PROMPTUNE_TEST_PG_URL
    return 0
  fi
  if [[ -f "$dir/port" ]] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port="$(cat "$dir/port")"
  else
    rm -rf "$dir"
    mkdir -p "$dir" && chown postgres: "$dir" 2>/dev/null
    # a free port: ask the kernel for one
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null)"
    [[ -z "$port" ]] && port=$(( 20000 + RANDOM % 20000 ))
    "${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || {
      echo "ci-postgres: initdb failed, see $dir/initdb.log" >&2; return 1; }
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null || {
      echo "ci-postgres: the server did not start, see $dir/server.log" >&2; return 1; }
    echo "$port" > "$dir/port"
  fi
  "${as_pg[@]}" "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
    "${as_pg[@]}" "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $db" >/dev/null || return 1
  export PROMPTUNE_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/$db?user=postgres"
  echo "PROMPTUNE_TEST_PG_URL=$PROMPTUNE_TEST_PG_URL"
}
_pt_pg_main "$@"
_pt_pg_rc=$?
unset -f _pt_pg_main
# Sourced: return the status; executed: exit with it.
(return 0 2>/dev/null) && return $_pt_pg_rc || exit $_pt_pg_rc
