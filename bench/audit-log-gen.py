"""A valid audit log of RUNS dry runs of scenario 2 (ten records each) with its own chain:
bench/audit-log-gen.py PATH [RUNS [NAME]]; NAME makes the first record (the log's identity
in a ledger) differ between logs."""
import hashlib, json, sys
out = open(sys.argv[1], "wb")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
name = sys.argv[3] if len(sys.argv) > 3 else "oncall-laptop"
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
for run in range(runs):
    run_id = "20261129T%02d%02d%02dZ-%06x" % (run // 3600 % 24, run // 60 % 60, run % 60, run)
    ts = "2026-11-29T10:%02d:%02d.%03d+0000" % (run // 60 % 60, run % 60, run % 1000)
    emit({"ts": ts, "event": "run.started", "run_id": run_id, "runbook": "scenario-2-high-error-rate",
          "runbook_sha256": hashlib.sha256(b"%d" % (run % 7)).hexdigest(), "environment": "sandbox", "mode": "dry-run",
          "operator": "ana.souza", "host": name, "inputs": {"window_hours": 4}})
    for step, command, excerpt in steps:
        emit({"ts": ts, "event": "step.started", "run_id": run_id, "step": step, "kind": "check", "command": command})
        emit({"ts": ts, "event": "step.ended", "run_id": run_id, "step": step, "status": "green", "duration_ms": 7,
              "output_sha256": hashlib.sha256(excerpt.encode()).hexdigest(), "excerpt": excerpt})
    emit({"ts": ts, "event": "run.ended", "run_id": run_id, "status": "green", "duration_ms": 41})
out.close()
