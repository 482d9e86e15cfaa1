# Scenario 4's database causes for scripts/sandbox (sourced, not run): a bloated etl_file and
# a session holding a lock the worker needs, made the way production makes them. The third,
# the dropped index, is one statement (`fault drop-index`).

LOCK_HOLDER_PID_FILE=$SANDBOX_DIR/lock-holder.pid

# inject_bloat: etl_file with autovacuum off and several dead versions of every row, as a
# reprocessing storm with nothing vacuuming leaves it (seed/bloat.sql says how).
inject_bloat() {
    psql_etl -f "$SEED_DIR/bloat.sql" >/dev/null
    say "etl_file bloated: $(psql_etl -At -c "SELECT format('%s live rows, %s dead, autovacuum %s', n_live_tup, n_dead_tup,
        CASE WHEN 'autovacuum_enabled=false' = ANY(coalesce(c.reloptions, '{}')) THEN 'off' ELSE 'on' END)
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'etl_file'")"
}

# lock_hold: a psql session, as the service's own role, that began a transaction, built an
# index on cattle_lot without CONCURRENTLY (a SHARE lock until the transaction ends) and was
# left open: idle in transaction. Every INSERT and DELETE on cattle_lot, the worker's load of
# each file, waits for it. The session lives until `fault clear`, a reseed or `down` stops
# its process group, or pg_terminate_backend ends its backend (then psql just sits there).
lock_hold() {
    lock_release quiet
    mkdir -p "$LOG_DIR"
    # No parallel workers for the index build (they hold the SHARE lock too while it runs), and
    # the wait below is for the build's end (its session idle in transaction): a caller that reads
    # the holder right after this returns sees one session.
    PGPASSWORD=etl PGAPPNAME=psql PGOPTIONS='-c max_parallel_maintenance_workers=0' setsid bash -c '
        { printf "%s\n" "BEGIN;" "CREATE INDEX cattle_lot_farm_idx ON cattle_lot (farm);"; exec sleep 86400; } |
            psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U etl -d etl' lock-holder "$PG_PORT" \
        </dev/null >>"$LOG_DIR/lock-holder.out" 2>&1 &
    echo $! > "$LOCK_HOLDER_PID_FILE"
    local i
    for i in $(seq 1 600); do
        if [[ $(psql_etl -At -c "SELECT count(*) FILTER (WHERE a.state = 'idle in transaction') || ' ' || count(*)
                                  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a ON a.pid = l.pid
                                  WHERE c.relname = 'cattle_lot' AND l.mode = 'ShareLock' AND l.granted") == "1 1" ]]; then
            say "a psql session holds a SHARE lock on cattle_lot, idle in transaction (pid $(psql_etl -At -c \
                "SELECT pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'cattle_lot' AND l.mode = 'ShareLock' AND l.granted"))"
            return 0
        fi
        pid_running "$LOCK_HOLDER_PID_FILE" || break
        sleep 0.1
    done
    tail -5 "$LOG_DIR/lock-holder.out" >&2
    lock_release quiet
    die "the lock holder did not take its lock"
}

# lock_release [quiet]: stop the lock holder's whole process group (bash, sleep, psql): psql
# exits, its backend ends, the transaction rolls back and the lock is gone.
lock_release() {
    local quiet=${1:-}
    if pid_running "$LOCK_HOLDER_PID_FILE"; then
        local pid i
        pid=$(cat "$LOCK_HOLDER_PID_FILE")
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
        [[ -n "$quiet" ]] || say "lock holder stopped"
    fi
    rm -f "$LOCK_HOLDER_PID_FILE"
}

# db_faults_reset: before a reseed, no lock holder and autovacuum back on for etl_file.
db_faults_reset() {
    lock_release quiet
    psql_etl -c "ALTER TABLE etl_file RESET (autovacuum_enabled)" >/dev/null
}
