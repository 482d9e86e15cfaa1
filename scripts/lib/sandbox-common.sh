# Helpers for scripts/sandbox. Sourced, not run. Expects ROOT to be set.

SANDBOX_DIR=${SANDBOX_DIR:-$ROOT/.sandbox}
PG_PORT=${SANDBOX_PG_PORT:-55432}
API_PORT=${SANDBOX_API_PORT:-18080}
PG_BIN=${SANDBOX_PG_BIN:-/usr/lib/postgresql/15/bin}
LOG_DIR=$SANDBOX_DIR/logs
API_URL="http://127.0.0.1:$API_PORT"
ETL_PID_FILE=$SANDBOX_DIR/etl-core.pid
TOKEN_FILE=$SANDBOX_DIR/token
LEDGER_PASSWORD_FILE=$SANDBOX_DIR/ledger-password
# Least privilege (issue 19): the operators' read-only credentials beside the writer's.
READ_TOKEN_FILE=$SANDBOX_DIR/read-token
READER_PASSWORD_FILE=$SANDBOX_DIR/reader-password
DATABASE_URL="postgres://etl:etl@127.0.0.1:$PG_PORT/etl?sslmode=disable"
SEED_DIR=$ROOT/scripts/lib/seed

say() { printf 'sandbox: %s\n' "$*"; }
die() { printf 'sandbox: error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a PostgreSQL server binary as the postgres OS user when we are root (initdb and the
# server refuse to run as root).
as_pg() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the cluster lives: .sandbox/pg when the postgres user can reach the checkout,
# else a folder under /tmp named after the checkout (a checkout under a mode-700 folder
# owned by root is not reachable).
pick_pg_dir() {
    mkdir -p "$SANDBOX_DIR"
    if ! is_root || runuser -u postgres -- test -x "$SANDBOX_DIR" 2>/dev/null; then
        echo "$SANDBOX_DIR/pg"
    else
        local sum
        sum=$(printf '%s' "$SANDBOX_DIR" | cksum | cut -d' ' -f1)
        echo "/tmp/etl-sandbox-$(basename "$ROOT")-$sum/pg"
    fi
}
PG_DIR=$(pick_pg_dir)

ensure_postgres_installed() {
    [[ -x "$PG_BIN/pg_ctl" ]] && command -v psql >/dev/null && return 0
    say "installing PostgreSQL from Debian's packages"
    is_root || die "PostgreSQL 15 is missing and installing it needs root (apt-get install postgresql)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    [[ -x "$PG_BIN/pg_ctl" ]] || die "no pg_ctl in $PG_BIN after installing postgresql (set SANDBOX_PG_BIN)"
}

pg_init_if_needed() {
    [[ -f "$PG_DIR/data/PG_VERSION" ]] && return 0
    say "initdb in $PG_DIR/data"
    mkdir -p "$PG_DIR/sock"
    printf 'postgres\n' > "$PG_DIR/pw"
    if is_root; then chown -R postgres: "$PG_DIR"; fi
    chmod 700 "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=scram-sha-256 --pwfile="$PG_DIR/pw" \
        -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    as_pg tee -a "$PG_DIR/data/postgresql.conf" >/dev/null <<CONF

# --- scripts/sandbox ---
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_duration_statement = 1000
log_line_prefix = '%m [%p] %u@%d '
CONF
}

pg_running() {
    [[ -f "$PG_DIR/data/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1
}

pg_start_if_needed() {
    pg_running && return 0
    [[ -f "$PG_DIR/data/PG_VERSION" ]] || die "no cluster in $PG_DIR (scripts/sandbox up)"
    if ss -ltnH "sport = :$PG_PORT" 2>/dev/null | grep -q .; then
        die "port $PG_PORT is taken by another program (set SANDBOX_PG_PORT)"
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 30 \
        -o "-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=127.0.0.1" start >/dev/null \
        || { tail -20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
    say "postgres started on 127.0.0.1:$PG_PORT"
}

pg_stop() {
    if pg_running; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
        say "postgres stopped"
    fi
}

psql_super() {
    PGOPTIONS='-c client_min_messages=warning' PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

psql_etl() {
    PGOPTIONS='-c client_min_messages=warning' PGPASSWORD=etl psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U etl -d etl "$@"
}

# Role etl (password etl, may create the tests' throw-away databases), database etl, and
# pg_stat_statements with a compatibility view so the seed runbook's `mean_time` works.
pg_bootstrap() {
    psql_super -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl') THEN
    CREATE ROLE etl LOGIN PASSWORD 'etl' CREATEDB;
  END IF;
END $$;
GRANT pg_read_all_stats TO etl;
SELECT 'CREATE DATABASE etl OWNER etl' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'etl')\gexec
SQL
    # The team's ledger (runbook ledger init creates its schema): its own role and database.
    ensure_ledger_password
    psql_super -d postgres -v password="$(cat "$LEDGER_PASSWORD_FILE")" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'runbook') THEN
    CREATE ROLE runbook LOGIN;
  END IF;
END $$;
ALTER ROLE runbook PASSWORD :'password';
SELECT 'CREATE DATABASE runbook OWNER runbook' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'runbook')\gexec
SQL
    # Read-only logins (issue 19): etl_reader may SELECT the ETL tables (grant_etl_reader), and
    # runbook_ledger_reader is a member of runbook_reader, the role `runbook ledger init` grants
    # SELECT on the ledger to (runbook_writer: what the runner writes with). Both NOLOGIN group
    # roles exist before any ledger is initialised, so an owner without CREATEROLE can grant.
    ensure_reader_password
    psql_super -d postgres -v password="$(cat "$READER_PASSWORD_FILE")" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'runbook_reader') THEN CREATE ROLE runbook_reader NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'runbook_writer') THEN CREATE ROLE runbook_writer NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'runbook_ledger_reader') THEN CREATE ROLE runbook_ledger_reader LOGIN IN ROLE runbook_reader; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_reader') THEN CREATE ROLE etl_reader LOGIN; END IF;
END $$;
ALTER ROLE runbook_ledger_reader PASSWORD :'password';
ALTER ROLE etl_reader PASSWORD :'password';
GRANT pg_read_all_stats TO etl_reader;
GRANT runbook_writer TO runbook;
SQL
    psql_super -d etl <<'SQL'
CREATE SCHEMA IF NOT EXISTS monitoring;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA monitoring;
GRANT USAGE ON SCHEMA monitoring TO PUBLIC;
-- PostgreSQL 13 renamed mean_time to mean_exec_time; the seed runbook uses the old names.
CREATE OR REPLACE VIEW public.pg_stat_statements AS
  SELECT s.*, s.mean_exec_time AS mean_time, s.total_exec_time AS total_time,
         s.min_exec_time AS min_time, s.max_exec_time AS max_time, s.stddev_exec_time AS stddev_time
    FROM monitoring.pg_stat_statements s;
GRANT SELECT ON public.pg_stat_statements TO PUBLIC;
-- The seed runbook's SLA query calls round(double precision, integer), which PostgreSQL
-- lacks; this shim lets it run verbatim in the sandbox (runbooks should cast to numeric).
CREATE OR REPLACE FUNCTION public.round(double precision, integer) RETURNS numeric
  LANGUAGE sql IMMUTABLE STRICT AS 'SELECT round($1::numeric, $2)';
SQL
}

etl_binary() {
    if [[ -n "${SANDBOX_ETL_BIN:-}" ]]; then echo "$SANDBOX_ETL_BIN"; return; fi
    local dir
    # shellcheck disable=SC2086
    dir=$(cd "$ROOT" && swift build --product etl-core ${SWIFT_BUILD_FLAGS:-} --show-bin-path 2>/dev/null) || dir="$ROOT/.build/debug"
    echo "$dir/etl-core"
}

build_etl_core() {
    ETL_BIN=$(etl_binary)
    if [[ -n "${SANDBOX_ETL_BIN:-}" ]]; then
        [[ -x "$ETL_BIN" ]] || die "SANDBOX_ETL_BIN=$ETL_BIN is not executable"
        return 0
    fi
    if [[ -x "$ETL_BIN" ]] && [[ -z $(find "$ROOT/Sources/ETLCore" "$ROOT/Sources/etl-core" "$ROOT/Package.swift" -newer "$ETL_BIN" -print -quit) ]]; then
        return 0
    fi
    say "building etl-core (swift build --product etl-core ${SWIFT_BUILD_FLAGS:-})"
    # shellcheck disable=SC2086
    (cd "$ROOT" && swift build --product etl-core ${SWIFT_BUILD_FLAGS:-}) >"$SANDBOX_DIR/build.log" 2>&1 \
        || { tail -30 "$SANDBOX_DIR/build.log" >&2; die "swift build failed (log: $SANDBOX_DIR/build.log)"; }
    # swift build does not relink when nothing the binary depends on changed; mark it current.
    touch "$ETL_BIN"
}

ensure_token() {
    if [[ ! -s "$TOKEN_FILE" ]]; then
        (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TOKEN_FILE")
    fi
    if [[ ! -s "$READ_TOKEN_FILE" ]]; then
        (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$READ_TOKEN_FILE")
    fi
}

ensure_reader_password() {
    if [[ ! -s "$READER_PASSWORD_FILE" ]]; then
        (umask 077; head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$READER_PASSWORD_FILE")
    fi
}

# SELECT on every ETL table (and on those the etl role creates later) for etl_reader; run after
# the migrations. The run lock's table is made here by the writer, as a DBA would in
# production: a live run with the reader's URL is then refused at the lock (permission
# denied, nothing run), whatever ran before it, instead of depending on whether a writer's run
# happened to create the table first.
grant_etl_reader() {
    # (error: the owner-less view pg_stat_statements is already PUBLIC; no warning about it)
    PGOPTIONS='-c client_min_messages=error' PGPASSWORD=etl psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U etl -d etl <<'SQL'
CREATE TABLE IF NOT EXISTS runbook_run_lock (
    key text PRIMARY KEY, holder text NOT NULL, since timestamptz NOT NULL DEFAULT now());
GRANT USAGE ON SCHEMA public TO etl_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO etl_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE etl IN SCHEMA public GRANT SELECT ON TABLES TO etl_reader;
SQL
}

etl_reader_url() {
    echo "postgres://etl_reader:$(cat "$READER_PASSWORD_FILE")@127.0.0.1:$PG_PORT/etl?sslmode=disable"
}

ledger_reader_url() {
    echo "postgres://runbook_ledger_reader:$(cat "$READER_PASSWORD_FILE")@127.0.0.1:$PG_PORT/runbook?sslmode=disable"
}

ensure_ledger_password() {
    if [[ ! -s "$LEDGER_PASSWORD_FILE" ]]; then
        (umask 077; head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$LEDGER_PASSWORD_FILE")
    fi
}

ledger_url() {
    echo "postgres://runbook:$(cat "$LEDGER_PASSWORD_FILE")@127.0.0.1:$PG_PORT/runbook?sslmode=disable"
}

# The ledger's schema, when the runbook binary is built (scripts/test and make demo build it
# first); otherwise `runbook ledger init --env sandbox` does it later.
ledger_init() {
    local bin=${SANDBOX_RUNBOOK_BIN:-$ROOT/.build/debug/runbook}
    [[ -x "$bin" ]] || { say "ledger: no runbook binary yet; run: runbook ledger init --env sandbox"; return 0; }
    (cd "$ROOT" && RUNBOOK_LEDGER_URL=$(ledger_url) "$bin" ledger init --env sandbox >/dev/null) \
        || die "runbook ledger init failed"
}

write_env() {
    local token
    token=$(cat "$TOKEN_FILE")
    (umask 077; cat > "$SANDBOX_DIR/env" <<ENV
# written by scripts/sandbox up; source it: . $SANDBOX_DIR/env
export ETL_DATABASE_URL='$DATABASE_URL'
export ETL_API_URL='$API_URL'
export ETL_API_TOKEN='$token'
export ETL_LOG_DIR='$LOG_DIR'
export ETL_CONFIG_DIR='$SANDBOX_DIR/etc/etl'
export ETL_TEST_DATABASE_URL='$DATABASE_URL'
export RUNBOOK_LEDGER_URL='$(ledger_url)'
# read-only credentials (issue 19): diagnosis works, a write is refused
export ETL_READER_DATABASE_URL='$(etl_reader_url)'
export RUNBOOK_LEDGER_READER_URL='$(ledger_reader_url)'
export ETL_API_READ_TOKEN='$(cat "$READ_TOKEN_FILE")'
export RUNBOOK_RUNNER_URL='http://127.0.0.1:${SANDBOX_RUNNER_PORT:-18090}'
# the names the seed runbook's snippets use
export API_URL='$API_URL'
export API_TOKEN='$token'
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=etl PGPASSWORD=etl PGDATABASE=etl
ENV
    )
}

# The sandbox's counterpart of production's /etc/etl (config_dir in environments/sandbox.yaml,
# what weekly-maintenance backs up): the settings etl-core is started with. etl-core reads them
# from its environment, not from this file; the token stays in $TOKEN_FILE.
write_config_dir() {
    local dir=$SANDBOX_DIR/etc/etl
    mkdir -p "$dir"
    (umask 077; cat > "$dir/config.json" <<JSON
{
  "service_name": "etl-service",
  "listen": "127.0.0.1:$API_PORT",
  "database": {"host": "127.0.0.1", "port": $PG_PORT, "name": "etl", "user": "etl", "sslmode": "disable"},
  "log_dir": "$LOG_DIR",
  "api_token_file": "$TOKEN_FILE",
  "alert_interval_ms": ${SANDBOX_ALERT_INTERVAL_MS:-10000},
  "heartbeat_timeout_ms": ${SANDBOX_HEARTBEAT_TIMEOUT_MS:-3000}
}
JSON
    )
}

etl_running() {
    [[ -f "$ETL_PID_FILE" ]] && kill -0 "$(cat "$ETL_PID_FILE")" 2>/dev/null
}

run_migrations() {
    ETL_DATABASE_URL=$DATABASE_URL ETL_API_TOKEN=migrate "$ETL_BIN" --migrate-only --log-level warning \
        >>"$LOG_DIR/etl-core.out" 2>&1 || { tail -5 "$LOG_DIR/etl-core.out" >&2; die "migrations failed"; }
}

# etl_start [FAULTS_JSON]: start etl-core in the background, wait until /health answers.
etl_start() {
    local faults=${1:-}
    etl_running && return 0
    if ss -ltnH "sport = :$API_PORT" 2>/dev/null | grep -q .; then
        die "port $API_PORT is taken by another program (set SANDBOX_API_PORT)"
    fi
    mkdir -p "$LOG_DIR"
    ETL_DATABASE_URL=$DATABASE_URL ETL_API_TOKEN=$(cat "$TOKEN_FILE") ETL_API_READ_TOKEN=$(cat "$READ_TOKEN_FILE") ETL_LISTEN="127.0.0.1:$API_PORT" \
    ETL_LOG_DIR=$LOG_DIR ETL_FAULTS=$faults ETL_ALERT_INTERVAL_MS=${SANDBOX_ALERT_INTERVAL_MS:-10000} \
    ETL_HEARTBEAT_TIMEOUT_MS=${SANDBOX_HEARTBEAT_TIMEOUT_MS:-3000} ETL_STORAGE_ADDRESS=${STORAGE_ADDRESS:-storage.conectaboi.internal:9000} \
        setsid "$ETL_BIN" --service-name etl-service </dev/null >>"$LOG_DIR/etl-core.out" 2>&1 &
    echo $! > "$ETL_PID_FILE"
    local i
    for i in $(seq 1 150); do
        if ! etl_running; then
            tail -20 "$LOG_DIR/etl-core.out" >&2
            die "etl-core exited at start (log: $LOG_DIR/etl-core.out)"
        fi
        if ss -ltnH "sport = :$API_PORT" 2>/dev/null | grep -q .; then
            say "etl-core started (pid $(cat "$ETL_PID_FILE")) on $API_URL"
            return 0
        fi
        sleep 0.2
    done
    die "etl-core did not listen on $API_URL within 30 s"
}

# pid_running PIDFILE: the process the file names is alive.
pid_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile NAME PIDFILE [quiet]: SIGTERM, up to 10 s to go, then SIGKILL; the file removed.
stop_pidfile() {
    local name=$1 pidfile=$2 quiet=${3:-}
    if pid_running "$pidfile"; then
        local pid i
        pid=$(cat "$pidfile")
        kill -TERM "$pid"
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        [[ -n "$quiet" ]] || say "$name stopped"
    fi
    rm -f "$pidfile"
}

etl_stop() { stop_pidfile etl-core "$ETL_PID_FILE" "${1:-}"; }

# Like `systemctl status etl-service`: exit 0 when running, 3 when not.
etl_status_systemctl_like() {
    if etl_running; then
        local pid
        pid=$(cat "$ETL_PID_FILE")
        echo "● etl-core - Conecta Boi ETL service (sandbox)"
        echo "     Active: active (running) since $(ps -o lstart= -p "$pid") ; pid $pid"
        echo "     Listen: $API_URL   Logs: $LOG_DIR"
        return 0
    fi
    echo "● etl-core - Conecta Boi ETL service (sandbox)"
    echo "     Active: inactive (dead)"
    return 3
}

admin_faults() {
    etl_running || die "etl-core is not running"
    curl -sS --max-time 5 -X POST -H "Authorization: Bearer $(cat "$TOKEN_FILE")" \
        -H 'Content-Type: application/json' -d "$1" "$API_URL/admin/faults"
    echo
}

value_of() {
    local spec=$1 default=$2
    if [[ "$spec" == *=* ]]; then echo "${spec#*=}"; else echo "$default"; fi
}
