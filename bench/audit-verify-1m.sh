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
    python3 - "$log.tmp" <<'PY'
import hashlib, json, sys
out = open(sys.argv[1], "wb")
prev, seq = "0" * 64, 0
def emit(record):
    global prev, seq
    seq += 1
    record = {"seq": seq, **record, "prev": prev}
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
    out.write(line + b"\n")
    prev = hashlib.sha256(line).hexdigest()
steps = [
    ("api-health", {"driver": "http", "method": "GET", "url": "http://127.0.0.1:18080/health"}, "HTTP 200 OK\n{\"status\":\"ok\"}"),
    ("error-rate", {"driver": "sql", "sql": "SELECT round(100.0 * count(*) FILTER (WHERE status = 'error') / NULLIF(count(*), 0), 2) AS error_rate FROM etl_file WHERE updated_at > now() - make_interval(hours => :window_hours)", "read_only": True, "params": {"window_hours": 4}}, "error_rate=2.5"),
    ("error-types", {"driver": "sql", "sql": "SELECT error_type, error_message, count(*) AS count FROM etl_file WHERE status = 'error' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20", "read_only": True, "params": {"window_hours": 4}}, "error_type=connection  error_message=connection refused  count=3"),
    ("error-log", {"driver": "shell", "argv": ["grep", "-c", "-E", "ERROR|FATAL", ".sandbox/logs/etl-service.log"], "cwd": "/srv/runbooks"}, "11765"),
]
for run in range(100_000):
    run_id = "20261129T%02d%02d%02dZ-%06x" % (run // 3600 % 24, run // 60 % 60, run % 60, run)
    ts = "2026-11-29T10:%02d:%02d.%03d+0000" % (run // 60 % 60, run % 60, run % 1000)
    emit({"ts": ts, "event": "run.started", "run_id": run_id, "runbook": "scenario-2-high-error-rate",
          "runbook_sha256": hashlib.sha256(b"%d" % (run % 7)).hexdigest(), "environment": "sandbox", "mode": "dry-run",
          "operator": "ana.souza", "host": "oncall-laptop", "inputs": {"window_hours": 4}})
    for step, command, excerpt in steps:
        emit({"ts": ts, "event": "step.started", "run_id": run_id, "step": step, "kind": "check", "command": command})
        emit({"ts": ts, "event": "step.ended", "run_id": run_id, "step": step, "status": "green", "duration_ms": 7,
              "output_sha256": hashlib.sha256(excerpt.encode()).hexdigest(), "excerpt": excerpt})
    emit({"ts": ts, "event": "run.ended", "run_id": run_id, "status": "green", "duration_ms": 41})
out.close()
PY
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
