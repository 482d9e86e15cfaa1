# Scenarios of scripts/sandbox: names are the ids of the runbooks they are for.

SCENARIOS=(
    "healthy|8 weeks of history, success rate > 98%, no active alert (default)"
    "scenario-1-pipeline-stopped|etl-core stopped; nothing processed for 45 min; files pending > 30 min"
    "scenario-2-high-error-rate|~15% of the last 4 h failed with connection errors (burst over: reprocessing fixes it)"
    "scenario-3-dlq-full|180 unresolved DLQ entries, mostly connection/resource, some validation/data"
    "scenario-4-performance-degradation|slow_ms fault, processing 4x slower for 2 h, SLOW_QUERY lines, index dropped"
    "scenario-4-dropped-index|processing 4x slower for 2 h; only cause: the index on etl_file (status, updated_at) dropped"
    "scenario-4-bloat|processing 4x slower for 2 h; only cause: etl_file bloated (autovacuum off, 4 dead versions of every row)"
    "scenario-4-lock-contention|processing 4x slower for 2 h; only cause: a psql session idle in transaction holds a SHARE lock on cattle_lot"
    "pending-files|8 files stuck in processing for 2-5 h (a worker crashed mid-file)"
    "worker-stopped|etl-core runs but its worker is stopped: /health degraded, files pile up"
    "stalled|etl-core runs but every API request hangs"
    "daily-yellow|24 h success rate ~93% (same as success-rate-93)"
    "daily-red|24 h success rate ~85% (same as success-rate-85)"
    "success-rate-NN|24 h success rate ~NN% (NN from 50 to 99)"
    "weekly-maintenance|120 days of history: rows older than 90 days, rotated logs older than 30 days"
    "busy-backlog|etl-core healthy but busy (slow_ms 1500): 100 files uploaded 35-55 min ago wait while others keep finishing"
    "production-size|a busy year: 5 M files, 2 M DLQ entries, 100 k alerts, ~2 GB of logs (SANDBOX_SCALE=0.1 for a tenth)"
    "empty|no history at all: empty tables, empty log files (no data must not read as green)"
    "silent-day|8 weeks of history that ends 26 h ago: nothing uploaded or processed since"
    "error-burst-last-hour|connection failures on every third file of the last 50 min: the 1 h alert pages, 4 h dilutes it"
    "outage-3-days|etl-core stopped 3 days ago: no file since, every probe of /health failed since"
)

list_scenarios() {
    local entry
    for entry in "${SCENARIOS[@]}"; do
        printf '  %-36s %s\n' "${entry%%|*}" "${entry#*|}"
    done
}

scenario_known() {
    local name=$1 entry
    if [[ "$name" =~ ^success-rate-([0-9]{2})$ ]]; then return 0; fi
    for entry in "${SCENARIOS[@]}"; do
        [[ "${entry%%|*}" == "$name" ]] && return 0
    done
    return 1
}

# seed_scenario NAME: truncate the ETL tables, write a history for NAME, and write the log
# files (current and rotated) from it.
seed_scenario() {
    local name=$1 days=56 end_offset=0 success="" down=0
    db_faults_reset
    rm -f "$SANDBOX_DIR/production-size-scale"
    if [[ "$name" == "production-size" ]]; then
        seed_production_size
        seed_probes 365 0
        return
    fi
    local files=("$SEED_DIR/functions.sql" "$SEED_DIR/base.sql") seed=$name
    case "$name" in
        # Scenario 4's history with one cause each (applied after the seed, below).
        scenario-4-*) seed=scenario-4-performance-degradation ;;
    esac
    case "$name" in
        scenario-1-pipeline-stopped) end_offset=45; down=45 ;;
        outage-3-days) end_offset=4320; down=4320 ;;
        weekly-maintenance) days=120 ;;
        empty) days=0 ;;
        silent-day) end_offset=1560 ;;
        daily-yellow) success=93 ;;
        daily-red) success=85 ;;
        success-rate-*) success=${name#success-rate-} ;;
    esac
    if [[ -n "$success" ]]; then
        files+=("$SEED_DIR/success-rate.sql")
    elif [[ -f "$SEED_DIR/$seed.sql" ]]; then
        files+=("$SEED_DIR/$seed.sql")
    fi
    files+=("$SEED_DIR/logs.sql")
    local args=() f
    for f in "${files[@]}"; do args+=(-f "$f"); done
    say "seeding scenario $name ($days days of history)"
    mkdir -p "$LOG_DIR"
    rm -f "$LOG_DIR"/*.log
    local tsv="$SANDBOX_DIR/seed-logs.tsv"
    psql_etl -At -F $'\t' -v days="$days" -v end_offset="$end_offset" -v target_success="${success:-98}" -v storage="$STORAGE_ADDRESS" \
        "${args[@]}" > "$tsv"
    awk -F'\t' -v dir="$LOG_DIR" '{ print $2 > (dir "/" $1) }' "$tsv"
    rm -f "$tsv"
    # Rotated files carry the date their week ended, so `find -mtime +30` sees their age.
    local rotated stamp
    for rotated in "$LOG_DIR"/*.20[0-9][0-9]-[0-9][0-9]-[0-9][0-9].log; do
        [[ -e "$rotated" ]] || continue
        stamp=${rotated%.log}
        stamp=${stamp##*.}
        touch -d "$stamp + 7 days" "$rotated"
    done
    touch "$LOG_DIR/etl-service.log" "$LOG_DIR/errors.log" "$LOG_DIR/metrics.log" "$LOG_DIR/audit.log"
    # The bloat is the history's (production's reprocessing), not this moment's statements.
    if [[ "$name" == "scenario-4-bloat" ]]; then inject_bloat; fi
    # Fresh statistics, without the seeding's own statements.
    psql_super -d etl -c "SELECT monitoring.pg_stat_statements_reset()" >/dev/null
    case "$name" in
        scenario-4-performance-degradation|scenario-4-dropped-index)
            psql_etl -q -c "DROP INDEX IF EXISTS etl_file_status_updated_at_idx"
            # The queries a dashboard runs, now without the index.
            psql_etl -f "$SEED_DIR/slow-queries.sql" >/dev/null
            ;;
    esac
    seed_probes "$days" "$down"
}

# seed_probes DAYS DOWN: the ledger's minute-by-minute probes of /health for the sandbox
# environment (what `runbook probe` run every minute writes), up but for the last DOWN minutes.
# Skipped, and said, when the ledger has no probes table yet (no runbook binary built).
seed_probes() {
    local days=$1 down=$2 url
    url=$(ledger_url)
    if [[ $(psql "$url" -X -At -c "SELECT to_regclass('runbook.probes') IS NOT NULL" 2>/dev/null) != "t" ]]; then
        say "ledger: no runbook.probes yet (runbook ledger init); availability has no probe history"
        return 0
    fi
    PGOPTIONS='-c client_min_messages=warning' psql "$url" -X -q -v ON_ERROR_STOP=1 -v env_name=sandbox -v days="$days" \
        -v down_minutes="$down" -f "$SEED_DIR/probes.sql" >/dev/null
}

# seed_production_size: the history of a busy year, in minutes. The database through
# generate_series with the secondary indexes dropped during the load and FK triggers off
# (production-size.sql, as the superuser); the log files written by awk from the same
# formulas (production-logs.awk), not read back from the database. SANDBOX_SCALE scales the
# row counts (1 = 5 M files, 2 M DLQ entries, 100 k alerts).
seed_production_size() {
    local scale=${SANDBOX_SCALE:-1} days=365 end_epoch files dlq alerts started=$SECONDS
    files=$(awk -v s="$scale" 'BEGIN { printf "%d", 5000000 * s }')
    dlq=$(awk -v s="$scale" 'BEGIN { printf "%d", 2000000 * s }')
    alerts=$(awk -v s="$scale" 'BEGIN { printf "%d", 100000 * s }')
    (( files >= 1000 )) || die "SANDBOX_SCALE=$scale gives too few files ($files)"
    # The last upload 2 minutes ago, so every file of the history has finished by now.
    end_epoch=$(( $(date +%s) - 120 ))
    say "seeding production-size: $files files, $dlq DLQ entries, $alerts alerts over $days days"
    psql_super -d etl -v files="$files" -v dlq="$dlq" -v alerts="$alerts" -v days="$days" -v end_epoch="$end_epoch" \
        -f "$SEED_DIR/functions.sql" -f "$SEED_DIR/production-size.sql" | sed 's/^/sandbox:   /'
    say "database seeded in $((SECONDS - started))s; writing the log files"
    mkdir -p "$LOG_DIR"
    rm -f "$LOG_DIR"/*.log
    awk -v files="$files" -v days="$days" -v end_epoch="$end_epoch" -v alerts="$alerts" -v dir="$LOG_DIR" \
        -f "$SEED_DIR/production-logs.awk"
    local rotated stamp
    for rotated in "$LOG_DIR"/*.20[0-9][0-9]-[0-9][0-9]-[0-9][0-9].log; do
        [[ -e "$rotated" ]] || continue
        stamp=${rotated%.log}
        stamp=${stamp##*.}
        touch -d "$stamp + 7 days" "$rotated"
    done
    touch "$LOG_DIR/etl-service.log" "$LOG_DIR/errors.log" "$LOG_DIR/metrics.log" "$LOG_DIR/audit.log"
    psql_super -d etl -c "SELECT monitoring.pg_stat_statements_reset()" >/dev/null
    # What bench/alerts.sh reads to reuse this seed rather than spend minutes on it again.
    echo "$scale" > "$SANDBOX_DIR/production-size-scale"
    say "production-size seeded in $((SECONDS - started))s: $(du -sh "$LOG_DIR" | cut -f1) of logs, database $(psql_etl -At -c "SELECT pg_size_pretty(pg_database_size('etl'))")"
}

# apply_scenario_runtime NAME: start etl-core (or not) with the scenario's faults.
apply_scenario_runtime() {
    local name=$1
    case "$name" in
        scenario-1-pipeline-stopped) say "etl-core left stopped (scenario-1: the pipeline is down)" ;;
        outage-3-days) say "etl-core left stopped (outage-3-days: down for 3 days)" ;;
        scenario-2-high-error-rate)
            if [[ -n "${SANDBOX_ERROR_RATE:-}" ]]; then
                etl_start "{\"connection_error_rate\": $SANDBOX_ERROR_RATE}"
            else
                etl_start
            fi
            ;;
        scenario-4-performance-degradation) etl_start "{\"slow_ms\": ${SANDBOX_SLOW_MS:-1500}}" ;;
        # The lock is taken before the service starts: its first load (of the files waiting in
        # the queue) waits for it, whatever the machine's speed.
        scenario-4-lock-contention) lock_hold; etl_start ;;
        worker-stopped) etl_start '{"worker_stopped": true}' ;;
        busy-backlog) etl_start "{\"slow_ms\": ${SANDBOX_SLOW_MS:-1500}}" ;;
        stalled) etl_start '{"stalled": true}' ;;
        *) etl_start ;;
    esac
    if etl_running && [[ "$name" != "stalled" ]]; then
        wait_health
    fi
}

wait_health() {
    local i code
    for i in $(seq 1 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$API_URL/health" || true)
        if [[ "$code" == "200" || "$code" == "503" ]]; then
            return 0
        fi
        sleep 0.2
    done
    die "etl-core /health did not answer within 20 s"
}
