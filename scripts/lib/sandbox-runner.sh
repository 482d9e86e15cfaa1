# The team's runner of the sandbox (docs/runner.md): `runbook runner --env team` with its own
# home (.sandbox/runner/home: a copy of runbooks/, checks/, templates/, its own
# environments/team.yaml with the write credentials and allowed_signers), its own key, and
# operator keys for alice and bob (.sandbox/team/). Sourced by scripts/sandbox; expects ROOT
# and the variables of sandbox-common.sh.

RUNNER_PORT=${SANDBOX_RUNNER_PORT:-18090}
RUNNER_URL="http://127.0.0.1:$RUNNER_PORT"
RUNNER_DIR=$SANDBOX_DIR/runner
RUNNER_PID_FILE=$RUNNER_DIR/runner.pid
TEAM_DIR=$SANDBOX_DIR/team

runner_running() { [[ -f "$RUNNER_PID_FILE" ]] && kill -0 "$(cat "$RUNNER_PID_FILE")" 2>/dev/null; }

# Keys made once: alice and bob (operators), runner (the runner's own).
team_keys() {
    mkdir -p "$TEAM_DIR" "$RUNNER_DIR"
    local name
    for name in alice bob; do
        [[ -f "$TEAM_DIR/$name" ]] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$TEAM_DIR/$name"
    done
    [[ -f "$RUNNER_DIR/key" ]] || ssh-keygen -q -t ed25519 -N '' -C runner -f "$RUNNER_DIR/key"
    {
        printf 'alice %s\n' "$(cat "$TEAM_DIR/alice.pub")"
        printf 'bob %s\n' "$(cat "$TEAM_DIR/bob.pub")"
        printf 'runner %s\n' "$(cat "$RUNNER_DIR/key.pub")"
    } > "$TEAM_DIR/allowed_signers"
}

# The runner's own home, fresh at each start: what it runs is what it pinned.
runner_home() {
    local home=$RUNNER_DIR/home
    rm -rf "$home"
    mkdir -p "$home/environments"
    cp -R "$ROOT/runbooks" "$ROOT/checks" "$ROOT/templates" "$home/"
    [[ -f "$ROOT/escalation.yaml" ]] && cp "$ROOT/escalation.yaml" "$home/"
    ln -s "$ROOT/scripts" "$home/scripts"        # the environment's commands (scripts/sandbox ...)
    cp "$TEAM_DIR/allowed_signers" "$home/allowed_signers"
    cat > "$home/environments/team.yaml" <<'YAML'
# The runner's view of the sandbox (written by scripts/sandbox up): the write credentials, its
# own allowed_signers, the approvals policy it enforces.
environment: team
database: {url: "${ETL_DATABASE_URL}"}
api: {url: "${ETL_API_URL}", token: "${ETL_API_TOKEN}"}
logs: "${ETL_LOG_DIR}"
config_dir: "${ETL_CONFIG_DIR}"
backup_dir: "${ETL_BACKUP_DIR}"
commands:
  service_status: [scripts/sandbox, status, etl-core]
  service_restart: [scripts/sandbox, restart, etl-core]
  service_stop: [scripts/sandbox, stop, etl-core]
  service_start: [scripts/sandbox, start, etl-core]
ledger: {url: "${RUNBOOK_LEDGER_URL}"}
identity: {allowed_signers: allowed_signers}
approvals: {high: 1, medium: 0, approvers: [alice, bob], expires: 1h}
runner: {principal: runner}
alertmanager: {url: "${ALERTMANAGER_URL:-}", max_silence: 1h}
notify:
  log: "${ETL_LOG_DIR}/operational.log"
  channels:
    incident: {type: file, path: "${ETL_LOG_DIR}/incident-channel.log"}
    status: {type: stdout}
    reports: {type: file, path: "${ETL_LOG_DIR}/reports-channel.log"}
secrets: [ETL_API_TOKEN, ETL_DATABASE_URL, RUNBOOK_LEDGER_URL]
YAML
}

runner_start() {
    local bin=${SANDBOX_RUNBOOK_BIN:-$ROOT/.build/debug/runbook}
    [[ -x "$bin" ]] || { say "runner: no runbook binary yet; not started"; return 0; }
    runner_stop quiet
    if ss -ltnH "sport = :$RUNNER_PORT" 2>/dev/null | grep -q .; then
        die "port $RUNNER_PORT is taken by another program (set SANDBOX_RUNNER_PORT)"
    fi
    team_keys
    runner_home
    mkdir -p "$LOG_DIR" "$RUNNER_DIR/state" "$SANDBOX_DIR/backup"
    # Alertmanager's webhook (docs/alerts.md): the runner diagnoses what fires, and silences
    # the alert while a repair runs (alertmanager.url of its environment).
    local alerts=() alertmanager=""
    if alerting_on; then
        alert_token
        alertmanager="http://127.0.0.1:${SANDBOX_AM_PORT:-19093}"
        alerts=(--alerts-token-file "$ALERT_TOKEN_FILE" --console-url "http://127.0.0.1:${SANDBOX_RECEIVER_PORT:-18088}")
    fi
    (cd "$RUNNER_DIR/home" || exit 1
    env -u RUNBOOK_ALLOWED_SIGNERS -u RUNBOOK_SIGNING_KEY -u SSH_AUTH_SOCK -u RUNBOOK_HOME \
        ETL_DATABASE_URL="$DATABASE_URL" ETL_API_URL="$API_URL" ETL_API_TOKEN="$(cat "$TOKEN_FILE")" ETL_LOG_DIR="$LOG_DIR" \
        ETL_CONFIG_DIR="$SANDBOX_DIR/etc/etl" ETL_BACKUP_DIR="$SANDBOX_DIR/backup" RUNBOOK_LEDGER_URL="$(ledger_url)" \
        SANDBOX_DIR="$SANDBOX_DIR" SANDBOX_PG_PORT="$PG_PORT" SANDBOX_API_PORT="$API_PORT" SANDBOX_ETL_BIN="$ETL_BIN" \
        SANDBOX_RUNBOOK_BIN="$bin" ALERTMANAGER_URL="$alertmanager" RUNBOOK_AUDIT_LOG="$RUNNER_DIR/state/audit.jsonl" \
        setsid "$bin" runner --dir "$RUNNER_DIR/home" --env team --listen "127.0.0.1:$RUNNER_PORT" --key "$RUNNER_DIR/key" \
            --state "$RUNNER_DIR/state" "${alerts[@]}" </dev/null >>"$LOG_DIR/runner.out" 2>&1 &
        echo $! > "$RUNNER_PID_FILE")
    local i
    for i in $(seq 1 150); do
        runner_running || { tail -20 "$LOG_DIR/runner.out" >&2; die "the runner exited at start (log: $LOG_DIR/runner.out)"; }
        if curl -sf --max-time 2 "$RUNNER_URL/health" >/dev/null 2>&1; then
            say "runner started (pid $(cat "$RUNNER_PID_FILE")) on $RUNNER_URL: --env team, keys in $TEAM_DIR"
            return 0
        fi
        sleep 0.2
    done
    die "the runner did not answer on $RUNNER_URL within 30 s"
}

runner_stop() { stop_pidfile runner "$RUNNER_PID_FILE" "${1:-}"; }
