#!/usr/bin/env bash
# What the team's ledger costs: a dry run of scenario 2 and a 20-step live run with and
# without a ledger (median of alternating rounds, difference in ms); the insert rate of one
# `audit sync` writer and of 8 at once; `audit verify --ledger` of 1,000,000 records. Uses the
# running sandbox's PostgreSQL (scripts/sandbox up) and a throw-away database ledger_bench.
# Figures, not assertions. The binary: $BENCH_BIN or .build/release/runbook. BENCH_LEDGER_ROUNDS
# (default 15), BENCH_LEDGER_RATES=0 (the run costs only).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${BENCH_BIN:-.build/release/runbook}")
[[ -x $BIN ]] || { echo "bench/ledger.sh: no binary at $BIN (swift build -c release --product runbook)" >&2; exit 1; }
[[ -s .sandbox/env ]] || { echo "bench/ledger.sh: the sandbox is not up (scripts/sandbox up)" >&2; exit 1; }
# shellcheck disable=SC1091
source .sandbox/env
ROUNDS=${BENCH_LEDGER_ROUNDS:-15}
work=$PWD/.sandbox/bench/ledger
rm -rf "$work" && mkdir -p "$work/home/runbooks" "$work/home/environments"
url=${ETL_DATABASE_URL%%\?*}
url=${url%/*}/ledger_bench?sslmode=disable
psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS ledger_bench WITH (FORCE)" -c "CREATE DATABASE ledger_bench"
export RUNBOOK_LEDGER_URL=$url
"$BIN" ledger init --env sandbox >/dev/null

# A dry run of scenario 2 and a live run of 20 steps (10 checks, 10 low-risk actions), with
# and without the ledger, in alternating rounds on the same data.
{
    echo "runbook: live-20"
    echo "title: Twenty steps"
    echo "steps:"
    for i in $(seq 1 10); do
        echo "  - check: c$i"
        echo "    shell: [echo, check-$i]"
        echo "  - action: a$i"
        echo "    risk: low"
        echo "    confirm: \"Run action $i?\""
        echo "    shell: [echo, action-$i]"
    done
} > "$work/home/runbooks/live-20.yaml"
printf 'environment: bench\nledger: {url: "${RUNBOOK_LEDGER_URL:-}"}\nsecrets: [RUNBOOK_LEDGER_URL]\n' > "$work/home/environments/bench.yaml"
# Times one command in microseconds; a command that fails stops the benchmark (a figure of
# a run that failed early would be a figure of nothing).
ms() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>"$work/last.err" || { echo "bench/ledger.sh: failed: $*" >&2; head -5 "$work/last.err" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
}
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'; }
: > "$work/dry-with"; : > "$work/dry-without"; : > "$work/live-with"; : > "$work/live-without"
for _ in $(seq 1 "$ROUNDS"); do
    RUNBOOK_AUDIT_LOG=$work/a1.jsonl ms "$BIN" run scenario-2-high-error-rate --dry-run >> "$work/dry-with"
    RUNBOOK_LEDGER_URL='' RUNBOOK_AUDIT_LOG=$work/a2.jsonl ms "$BIN" run scenario-2-high-error-rate --dry-run >> "$work/dry-without"
    RUNBOOK_AUDIT_LOG=$work/a3.jsonl ms "$BIN" run live-20 --env bench --yes --dir "$work/home" >> "$work/live-with"
    RUNBOOK_LEDGER_URL='' RUNBOOK_AUDIT_LOG=$work/a4.jsonl ms "$BIN" run live-20 --env bench --yes --dir "$work/home" >> "$work/live-without"
done
dw=$(median < "$work/dry-with"); dn=$(median < "$work/dry-without")
lw=$(median < "$work/live-with"); ln=$(median < "$work/live-without")
awk -v w="$dw" -v n="$dn" 'BEGIN { printf "ledger, dry run of scenario 2: %.1f ms with, %.1f ms without: %+.1f ms (target <= 10 ms)\n", w, n, w - n }'
awk -v w="$lw" -v n="$ln" 'BEGIN { printf "ledger, live run of 20 steps: %.1f ms with, %.1f ms without: %+.1f ms\n", w, n, w - n }'

# BENCH_LEDGER_RATES=0: the run costs only (the rates and verify below send 2,000,000 records).
if [[ ${BENCH_LEDGER_RATES:-1} == 0 ]]; then
    psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS ledger_bench WITH (FORCE)"
    exit 0
fi

# Insert rate: one writer sending a 1,000,000-record log, then 8 writers with 125,000 each.
python3 bench/audit-log-gen.py "$work/one.jsonl" 100000 one
for i in $(seq 1 8); do python3 bench/audit-log-gen.py "$work/w$i.jsonl" 12500 "writer-$i" & done
wait
t0=$(date +%s%N)
"$BIN" audit sync --env sandbox --audit-log "$work/one.jsonl" >/dev/null
t1=$(date +%s%N)
awk -v ns=$((t1 - t0)) 'BEGIN { printf "ledger, 1 writer: 1,000,000 records in %.1f s: %.0f records/s\n", ns / 1e9, 1e6 / (ns / 1e9) }'
t0=$(date +%s%N)
for i in $(seq 1 8); do "$BIN" audit sync --env sandbox --audit-log "$work/w$i.jsonl" >/dev/null & done
wait
t1=$(date +%s%N)
awk -v ns=$((t1 - t0)) 'BEGIN { printf "ledger, 8 writers at once: 1,000,000 records in %.1f s: %.0f records/s\n", ns / 1e9, 1e6 / (ns / 1e9) }'
# Verify: the 2,000,000 rows (every chain) against the 1,000,000-record local log.
for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/verify.time" "$BIN" audit verify --ledger --env sandbox --audit-log "$work/one.jsonl" >"$work/verify.out" || {
        echo "bench/ledger.sh: verify failed:" >&2; head -5 "$work/verify.out" >&2; exit 1; }
    cat "$work/verify.time"
done > "$work/verify.times"
read -r secs kib < <(sort -n "$work/verify.times" | sed -n 2p)
awk -v s="$secs" -v k="$kib" 'BEGIN { printf "ledger, audit verify --ledger of 2,000,000 rows (1,000,000 compared with the local log): %.2f s, peak %.1f MiB\n", s, k / 1024 }'
psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS ledger_bench WITH (FORCE)"
