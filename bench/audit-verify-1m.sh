#!/usr/bin/env bash
# `runbook audit verify` of a 1,000,000-record audit log: wall time and peak memory.
# The log (100,000 runs of ten records, shaped like a real dry run of scenario 2, with a valid
# chain) is generated once and kept in .sandbox/bench. Builds nothing: the binary is
# $BENCH_BIN or .build/release/runbook. Prints one line (median of 3 runs).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-.build/release/runbook}
[[ -x $BIN ]] || { echo "bench/audit-verify-1m.sh: no binary at $BIN (swift build -c release --product runbook)" >&2; exit 1; }
work=.sandbox/bench
log=$work/audit-1m.jsonl
mkdir -p "$work"
if [[ ! -s $log ]]; then
    python3 bench/audit-log-gen.py "$log.tmp" 100000
    mv "$log.tmp" "$log"
fi
if ! "$BIN" audit verify --audit-log "$log" >"$work/verify.out" 2>&1; then
    echo "bench/audit-verify-1m.sh: verify failed:" >&2; head -5 "$work/verify.out" >&2; exit 1
fi
for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/verify.time" "$BIN" audit verify --audit-log "$log" >/dev/null
    cat "$work/verify.time"
done > "$work/verify.times"
read -r secs kib < <(sort -n "$work/verify.times" | sed -n 2p)
awk -v s="$secs" -v k="$kib" 'BEGIN { printf "audit verify 1,000,000 records: %.2f s, peak %.1f MiB (target <= 3 s)\n", s, k / 1024 }'
