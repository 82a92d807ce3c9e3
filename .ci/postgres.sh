# shellcheck shell=bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the tests and exports
# PAYBRIDGE_TEST_POSTGRES_URL. Source it (". .ci/postgres.sh"); the server is stopped and its
# files removed when the sourcing shell exits.
#
# - Uses pg_ctl/initdb/createdb from PATH or /usr/lib/postgresql/*/bin (newest version); when neither
#   has them and the shell runs as root, installs Debian's "postgresql" package.
# - initdb refuses to run as root, so as root the server runs as the "postgres" user (created
#   by the Debian package) or, failing that, a "paybridge-pg" system user created here.
# - The cluster lives in a fresh temporary directory (data, unix socket, log), listens on
#   127.0.0.1 only, on a free port, with durability switched off for speed.
# - Sourcing it again in the same shell while its server still answers does nothing.

_pbpg_main() {
  local say="== postgres:"

  if [ -n "${_PBPG_DIR:-}" ] && [ -n "${PAYBRIDGE_TEST_POSTGRES_URL:-}" ] &&
    "$_PBPG_BIN/pg_isready" -q -h "$_PBPG_DIR/sock" -p "$_PBPG_PORT" 2>/dev/null; then
    echo "$say already running on 127.0.0.1:$_PBPG_PORT (data in $_PBPG_DIR)"
    return 0
  fi
  _pbpg_stop # a previous server from this shell that no longer answers

  # 1. Find (or install) the server binaries.
  local bin=""
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    # Follow symlinks: the client tools (createdb, pg_isready) sit next to the real pg_ctl.
    bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
  else
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/createdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "$say pg_ctl/initdb not found and not root, cannot install PostgreSQL" >&2
      return 1
    fi
    echo "$say installing Debian's postgresql package"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null || return 1
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      echo "$say postgresql installed but initdb not found under /usr/lib/postgresql" >&2
      return 1
    fi
  fi
  echo "$say using $("$bin/postgres" --version) from $bin"

  # 2. Pick the user the server runs as.
  local runas=""
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then
      runas=postgres
    else
      runas=paybridge-pg
      if ! id "$runas" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$runas" || return 1
        echo "$say created system user $runas"
      fi
    fi
    echo "$say running as root; the server runs as user $runas"
  fi
  _pbpg_as() { # run "$@" as the server user
    if [ -z "$runas" ]; then
      "$@"
    elif command -v runuser >/dev/null 2>&1; then
      runuser -u "$runas" -- "$@"
    else
      su -s /bin/sh "$runas" -c "$(printf '%q ' "$@")"
    fi
  }

  # 3. Create the cluster in a temporary directory.
  local dir pw
  dir=$(mktemp -d "${TMPDIR:-/tmp}/paybridge-pg.XXXXXX") || return 1
  mkdir -p "$dir/sock"
  pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$pw" >"$dir/pwfile"
  chmod 600 "$dir/pwfile"
  if [ -n "$runas" ]; then
    chown -R "$runas" "$dir"
  fi
  _PBPG_DIR=$dir
  _PBPG_BIN=$bin
  _PBPG_RUNAS=$runas
  # Stop the server and remove its files when the sourcing shell exits, after whatever exit
  # trap it already has.
  local prev
  prev=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
  # shellcheck disable=SC2064
  trap "_pbpg_stop; ${prev:-:}" EXIT

  if ! _pbpg_as "$bin/initdb" -D "$dir/data" -U paybridge --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
    echo "$say initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    return 1
  fi
  rm -f "$dir/pwfile"

  # 4. Start it on a free loopback port (retrying if another process takes the port first).
  local port="" try
  for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue # in use
    fi
    if _pbpg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null; then
      break
    fi
    echo "$say start on port $port failed (attempt $try):" >&2
    tail -n 5 "$dir/server.log" >&2 || true
    port=""
  done
  if [ -z "$port" ]; then
    echo "$say could not start the server" >&2
    return 1
  fi
  _PBPG_PORT=$port
  echo "$say server started on 127.0.0.1:$port (data, socket and log in $dir)"

  # 5. Create the test database.
  if ! _pbpg_as "$bin/createdb" -h "$dir/sock" -p "$port" -U paybridge paybridge_test; then
    echo "$say createdb failed" >&2
    return 1
  fi
  export PAYBRIDGE_TEST_POSTGRES_URL="postgres://paybridge:$pw@127.0.0.1:$port/paybridge_test?sslmode=disable"
  echo "$say database paybridge_test ready; exported PAYBRIDGE_TEST_POSTGRES_URL=postgres://paybridge:[password]@127.0.0.1:$port/paybridge_test?sslmode=disable"
}

_pbpg_stop() {
  if [ -n "${_PBPG_DIR:-}" ] && [ -d "$_PBPG_DIR" ]; then
    if [ -f "$_PBPG_DIR/data/postmaster.pid" ]; then
      if [ -n "${_PBPG_RUNAS:-}" ]; then
        runuser -u "$_PBPG_RUNAS" -- "$_PBPG_BIN/pg_ctl" -D "$_PBPG_DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
          su -s /bin/sh "$_PBPG_RUNAS" -c "'$_PBPG_BIN/pg_ctl' -D '$_PBPG_DIR/data' -m immediate -w stop" >/dev/null 2>&1 || true
      else
        "$_PBPG_BIN/pg_ctl" -D "$_PBPG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
      fi
    fi
    rm -rf "$_PBPG_DIR"
    echo "== postgres: server stopped, $_PBPG_DIR removed"
  fi
  _PBPG_DIR=""
}

_pbpg_main || {
  _pbpg_stop
  echo "== postgres: setup failed" >&2
  false
}
