#!/usr/bin/env bash
# From the alert to the findings (docs/alerts.md), on this machine, with the sandbox's own
# Prometheus, Alertmanager and runner (scripts/sandbox up; their settings: scrape 2 s, `for:`
# SANDBOX_ALERT_FOR, group wait 1 s):
#   1. fault injected (storage refuses every file, 10 uploads) to the findings in the incident
#      channel (target < 60 s);
#   2. webhook received to findings posted, on production-size data (scripts/sandbox up
#      --scenario production-size; BENCH_ALERTS_SCALE sets SANDBOX_SCALE, default 1: a busy
#      year, 5 M files; a sandbox already seeded at that scale is reused, since the seed takes
#      minutes), BENCH_ALERTS_N (20) notifications of new groups posted to the runner one after
#      the other: p50 and p95 (target p95 < 3 s);
#   3. the storm: 100 alerts in 10 groups posted at once, on the same data: the time until the
#      100 findings are posted (the runner's --diagnoses bounds them).
# 2 and 3 run first (on the production-size seed), then 1 (which reseeds `healthy`).
# Figures, not assertions. The binary: $BENCH_BIN (as the sandbox's runner) or .build/debug/runbook.
# SANDBOX_DIR and the SANDBOX_*_PORT variables choose the sandbox, as for scripts/sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-.build/debug/runbook}
[[ -x $BIN ]] || { echo "bench/alerts.sh: no runbook binary (swift build)" >&2; exit 1; }
export SANDBOX_RUNBOOK_BIN=$(realpath "$BIN")
command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null \
    || { echo "bench/alerts.sh: needs Debian's prometheus and prometheus-alertmanager" >&2; exit 1; }
export SANDBOX_ALERTING=1
sandbox=${SANDBOX_DIR:-.sandbox}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# wait_for FILE TEXT SECONDS: until FILE holds TEXT (0), or the time is up (1).
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# post BODYFILE: POSTs an Alertmanager notification to the runner; its HTTP status.
post() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary "@$1" "$runner/api/alerts"; }
# notification FILE GROUP N: a version-4 payload of group GROUP with N EtlDeadLetterQueueFull alerts.
notification() {
    local alerts="" i
    for i in $(seq 1 "$3"); do
        alerts+="${alerts:+,}{\"status\":\"firing\",\"labels\":{\"alertname\":\"EtlDeadLetterQueueFull\",\"severity\":\"warning\",\"dlq_threshold\":\"100\",\"shard\":\"$2-$i\"},\"annotations\":{\"summary\":\"bench\"},\"startsAt\":\"$(date -u +%FT%TZ)\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"\",\"fingerprint\":\"$(printf '%s' "$2-$i" | sha1sum | cut -c1-16)\"}"
    done
    printf '{"version":"4","groupKey":"{}:{bench=\\"%s\\"}","truncatedAlerts":0,"status":"firing","receiver":"runbook","groupLabels":{"bench":"%s"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://bench","alerts":[%s]}' \
        "$2" "$2" "$alerts" > "$1"
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== 2. webhook received to findings posted, production-size data (SANDBOX_SCALE=${BENCH_ALERTS_SCALE:-1})"
scale=${BENCH_ALERTS_SCALE:-1}
# Down first: a runner started without alerting (SANDBOX_ALERTING=0), or with another binary,
# is started again with this one. The data stays: a sandbox seeded at this scale is reused.
scripts/sandbox down >/dev/null 2>&1 || true
if [[ $(cat "$sandbox/scenario" 2>/dev/null) == production-size && $(cat "$sandbox/production-size-scale" 2>/dev/null) == "$scale" ]]; then
    echo "   (reusing $sandbox's production-size seed at SANDBOX_SCALE=$scale)"
    scripts/sandbox up >/dev/null
else
    echo "   (seeding production-size at SANDBOX_SCALE=$scale: minutes)"
    SANDBOX_SCALE=$scale scripts/sandbox up --scenario production-size >/dev/null
fi
# shellcheck disable=SC1091
source "$sandbox/env"
channel=$ETL_LOG_DIR/incident-channel.log
token=$(cat "$sandbox/alert-token")
runner=http://127.0.0.1:${SANDBOX_RUNNER_PORT:-18090}
fresh() { tail -n +"$((lines + 1))" "$channel" 2>/dev/null; }
echo "   $(psql "$ETL_DATABASE_URL" -X -At -c "SELECT format('%s files, %s DLQ entries', (SELECT count(*) FROM etl_file), (SELECT count(*) FROM etl_dead_letter_queue))")"
N=${BENCH_ALERTS_N:-20}
: > "$work/times"
for i in $(seq 1 "$N"); do
    group="p95-$RANDOM-$i"
    notification "$work/body" "$group" 1
    lines=$(wc -l 2>/dev/null < "$channel" || echo 0)
    t0=$(now)
    status=$(post "$work/body")
    [[ $status == 202 ]] || { echo "   notification $i answered $status"; continue; }
    deadline=$((SECONDS + 120))
    until fresh | grep -qF '🔔 ALERT EtlDeadLetterQueueFull firing'; do
        ((SECONDS < deadline)) || break
        sleep 0.05
    done
    fresh | grep -qF '🔔 ALERT EtlDeadLetterQueueFull firing' && elapsed "$t0" "$(now)" >> "$work/times" && echo >> "$work/times"
done
sort -n "$work/times" | awk -v n="$N" 'NF { t[++k] = $1 } END {
    if (k == 0) { print "   no findings posted"; exit }
    p50 = t[int((k + 1) * 0.5)]; i95 = int(k * 0.95 + 0.999); if (i95 > k) i95 = k
    printf "webhook to findings posted:      p50 %5.1f s  p95 %5.1f s  (%d of %d; target p95 < 3 s)\n", p50, t[i95], k, n }'

echo
echo "== 3. the storm: 100 alerts in 10 groups at once"
lines=$(wc -l 2>/dev/null < "$channel" || echo 0)
storm=storm-$RANDOM
for g in $(seq 1 10); do notification "$work/storm-$g" "$storm-$g" 10; done
t0=$(now)
for g in $(seq 1 10); do post "$work/storm-$g" > "$work/status-$g" & done
wait
deadline=$((SECONDS + 600))
until (( $(fresh | grep -cF '🔔 ALERT EtlDeadLetterQueueFull firing') >= 100 )); do
    ((SECONDS < deadline)) || break
    sleep 0.2
done
posted=$(fresh | grep -cF '🔔 ALERT EtlDeadLetterQueueFull firing' || true)
printf 'storm, 100 alerts to %3d findings posted: %6s s   (10 groups, the runner'"'"'s --diagnoses bounds them)\n' "$posted" "$(elapsed "$t0" "$(now)")"

echo
echo "== 1. fault injected to findings posted (scenario-2-high-error-rate's burst, sandbox settings)"
scripts/sandbox up --scenario healthy >/dev/null
# shellcheck disable=SC1091
source "$sandbox/env"
channel=$ETL_LOG_DIR/incident-channel.log
api() { curl -s -X "$1" -H "Authorization: Bearer $ETL_API_TOKEN" -H 'Content-Type: application/json' --data-binary "$3" "$ETL_API_URL$2" >/dev/null; }
lines=$(wc -l 2>/dev/null < "$channel" || echo 0)
t0=$(now)
api POST /admin/faults '{"connection_error_rate": 1}'
for i in $(seq 1 10); do
    api POST /files "{\"filename\": \"bench-alert-$i.csv\", \"content\": \"farm,lot,head_count,weight_kg,price\\nf,L$i,10,400.5,10000.25\\n\"}"
done
deadline=$((SECONDS + 180))
until fresh | grep -qF '🔔 ALERT EtlHighErrorRate firing'; do
    ((SECONDS < deadline)) || { echo "   nothing posted within 180 s (see .sandbox/logs/runner.out)"; break; }
    sleep 0.2
done
fresh | grep -qF '🔔 ALERT EtlHighErrorRate firing' \
    && printf 'fault injected to findings posted: %6s s   (target < 60 s; scrape 2 s, for: %s, group wait 1 s)\n' "$(elapsed "$t0" "$(now)")" "${SANDBOX_ALERT_FOR:-5s}"
api DELETE /admin/faults ''
