# Prometheus and Alertmanager for scripts/sandbox (docs/alerts.md). Sourced, not run.
#
# Prometheus scrapes etl-core every SANDBOX_SCRAPE_INTERVAL and evaluates alerts/*.rules.yaml
# with every `for:` shortened to SANDBOX_ALERT_FOR; Alertmanager groups by alert name with
# short waits and posts to the team's runner (`runbook runner --alerts-token-file`, on
# SANDBOX_RUNNER_PORT), which diagnoses and silences while it repairs. The console (`runbook
# serve`, on SANDBOX_RECEIVER_PORT) is what the channel's links open. All on loopback, data
# under .sandbox/. A missing binary or a taken port is a warning: the rest of the sandbox does
# not need them.

PROM_PORT=${SANDBOX_PROM_PORT:-19090}
AM_PORT=${SANDBOX_AM_PORT:-19093}
RECEIVER_PORT=${SANDBOX_RECEIVER_PORT:-18088}
PROM_DIR=$SANDBOX_DIR/prometheus
AM_DIR=$SANDBOX_DIR/alertmanager
ALERT_TOKEN_FILE=$SANDBOX_DIR/alert-token
RECEIVER_PID_FILE=$SANDBOX_DIR/receiver.pid

port_taken() { ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }
alerting_on() { [[ "${SANDBOX_ALERTING:-1}" != "0" ]] && command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null; }
# alert_token: the bearer token Alertmanager sends to the runner (made once).
alert_token() {
    mkdir -p "$SANDBOX_DIR"
    [[ -s "$ALERT_TOKEN_FILE" ]] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$ALERT_TOKEN_FILE")
}
# write_alerting_config: prometheus.yml, the rules with short `for:`, alertmanager.yml.
write_alerting_config() {
    mkdir -p "$PROM_DIR/rules" "$AM_DIR"
    alert_token
    local rules
    for rules in "$ROOT"/alerts/*.rules.yaml; do
        sed -E "s/^( *)for: .*/\\1for: ${SANDBOX_ALERT_FOR:-5s}/" "$rules" > "$PROM_DIR/rules/$(basename "$rules")"
    done
    cat > "$PROM_DIR/prometheus.yml" <<YAML
# written by scripts/sandbox up
global:
  scrape_interval: ${SANDBOX_SCRAPE_INTERVAL:-2s}
  evaluation_interval: ${SANDBOX_SCRAPE_INTERVAL:-2s}
rule_files: ["$PROM_DIR/rules/*.rules.yaml"]
alerting:
  alertmanagers:
    - static_configs: [{targets: ["127.0.0.1:$AM_PORT"]}]
scrape_configs:
  - job_name: etl-core
    static_configs: [{targets: ["127.0.0.1:$API_PORT"]}]
YAML
    cat > "$AM_DIR/alertmanager.yml" <<YAML
# written by scripts/sandbox up
route:
  receiver: runbook
  group_by: [alertname]
  group_wait: ${SANDBOX_GROUP_WAIT:-1s}
  group_interval: ${SANDBOX_GROUP_INTERVAL:-5s}
  repeat_interval: 1h
receivers:
  - name: runbook
    webhook_configs:
      - url: http://127.0.0.1:$RUNNER_PORT/api/alerts
        send_resolved: true
        http_config:
          authorization: {credentials_file: $ALERT_TOKEN_FILE}
YAML
}

# start_daemon NAME PIDFILE LOG ARGV...: start in the background in its own session.
start_daemon() {
    local name=$1 pidfile=$2 log=$3
    shift 3
    setsid "$@" </dev/null >>"$log" 2>&1 &
    echo $! > "$pidfile"
    say "$name started (pid $(cat "$pidfile"))"
}

stop_daemon() { stop_pidfile "$1" "$2"; }

alerting_up() {
    [[ "${SANDBOX_ALERTING:-1}" == "0" ]] && return 0
    if ! command -v prometheus >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
        say "warning: no prometheus or prometheus-alertmanager (apt-get install prometheus prometheus-alertmanager): alerting not started"
        return 0
    fi
    write_alerting_config
    if ! pid_running "$PROM_DIR/pid"; then
        if port_taken "$PROM_PORT"; then say "warning: port $PROM_PORT is taken (set SANDBOX_PROM_PORT): Prometheus not started"; else
            start_daemon prometheus "$PROM_DIR/pid" "$PROM_DIR/prometheus.log" prometheus \
                --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
                --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle
        fi
    fi
    if ! pid_running "$AM_DIR/pid"; then
        if port_taken "$AM_PORT"; then say "warning: port $AM_PORT is taken (set SANDBOX_AM_PORT): Alertmanager not started"; else
            start_daemon alertmanager "$AM_DIR/pid" "$AM_DIR/alertmanager.log" prometheus-alertmanager \
                --config.file="$AM_DIR/alertmanager.yml" --storage.path="$AM_DIR/data" \
                --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
        fi
    fi
    receiver_up
}

# The console (`runbook serve`) over the sandbox's ledger: the links the runner posts open it.
receiver_up() {
    local bin=${SANDBOX_RUNBOOK_BIN:-$ROOT/.build/debug/runbook}
    [[ -x "$bin" ]] || { say "console: no runbook binary yet (swift build): not started"; return 0; }
    pid_running "$RECEIVER_PID_FILE" && return 0
    if port_taken "$RECEIVER_PORT"; then say "warning: port $RECEIVER_PORT is taken (set SANDBOX_RECEIVER_PORT): console not started"; return 0; fi
    local tokens=$SANDBOX_DIR/console-tokens
    [[ -s "$tokens" ]] || "$bin" serve token sandbox@localhost --file "$tokens" > "$SANDBOX_DIR/console-token"
    (
        cd "$ROOT"
        # shellcheck disable=SC1091
        source "$SANDBOX_DIR/env"
        start_daemon console "$RECEIVER_PID_FILE" "$LOG_DIR/receiver.log" "$bin" serve --env sandbox \
            --listen "127.0.0.1:$RECEIVER_PORT" --tokens "$tokens"
    )
}

alerting_down() {
    stop_daemon console "$RECEIVER_PID_FILE"
    stop_daemon alertmanager "$AM_DIR/pid"
    stop_daemon prometheus "$PROM_DIR/pid"
}

alerting_status() {
    if pid_running "$PROM_DIR/pid"; then say "prometheus: running on http://127.0.0.1:$PROM_PORT"; else say "prometheus: stopped"; fi
    if pid_running "$AM_DIR/pid"; then say "alertmanager: running on http://127.0.0.1:$AM_PORT"; else say "alertmanager: stopped"; fi
    if pid_running "$RECEIVER_PID_FILE"; then say "console: running on http://127.0.0.1:$RECEIVER_PORT/"; else say "console: stopped"; fi
    if pid_running "$RUNNER_PID_FILE"; then say "alerts: Alertmanager posts to $RUNNER_URL/api/alerts"; fi
}
