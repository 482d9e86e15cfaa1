#!/usr/bin/env bash
# What the web console (runbook serve) answers under load, on this machine: the run list over
# 100,000 runs (first page, a filtered page, a page 2,000 runs deep, as JSON and as HTML;
# median of 20 requests each; target < 200 ms), and 50 browsers following one live run by
# server-sent events (latency from each record's time to its rendering reaching every browser;
# target: within 1 s). Uses the running sandbox's PostgreSQL (scripts/sandbox up) and a
# throw-away database console_bench. Figures, not assertions. The binary: $BENCH_BIN or
# .build/release/runbook (falls back to .build/debug/runbook).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-.build/release/runbook}
[[ -x $BIN ]] || BIN=.build/debug/runbook
BIN=$(realpath "$BIN")
[[ -x $BIN ]] || { echo "bench/console.sh: no runbook binary (swift build)" >&2; exit 1; }
[[ -s .sandbox/env ]] || { echo "bench/console.sh: the sandbox is not up (scripts/sandbox up)" >&2; exit 1; }
# shellcheck disable=SC1091
source .sandbox/env
CLIENTS=${BENCH_CONSOLE_CLIENTS:-50}
work=$PWD/.sandbox/bench/console
rm -rf "$work" && mkdir -p "$work/home/runbooks" "$work/home/environments"
url=${ETL_DATABASE_URL%%\?*}
url=${url%/*}/console_bench?sslmode=disable
psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS console_bench WITH (FORCE)" -c "CREATE DATABASE console_bench"
cat > "$work/home/environments/bench.yaml" <<YAML
environment: bench
ledger: {url: "\${CONSOLE_BENCH_URL}"}
secrets: [CONSOLE_BENCH_URL]
YAML
{
    echo "runbook: live-slow"
    echo "title: Twenty slow checks"
    echo "steps:"
    for i in $(seq 1 20); do printf '  - check: c%02d\n    shell: [bash, -c, "sleep 0.25; echo %d"]\n' "$i" "$i"; done
} > "$work/home/runbooks/live-slow.yaml"
export CONSOLE_BENCH_URL=$url RUNBOOK_AUDIT_LOG=$work/audit.jsonl
"$BIN" ledger init --env bench --dir "$work/home" >/dev/null

echo "seeding 100,000 runs (runbook.runs) ..."
psql "$url" -X -q -c "
INSERT INTO runbook.runs (run_id, source_id, runbook, environment, mode, operator, host, started_at, ended_at, status, exit_code, duration_ms)
SELECT format('2026%s-%s', to_char(i, 'FM0000000'), substr(md5(i::text), 1, 6)), 'bench',
       (ARRAY['scenario-1-pipeline-stopped','scenario-2-high-error-rate','scenario-3-dlq-full','daily-health-check','weekly-maintenance'])[1 + i % 5],
       (ARRAY['production','staging'])[1 + i % 2], (ARRAY['dry-run','live'])[1 + i % 2],
       (ARRAY['ana','bruno','carla','diego','ci'])[1 + (i / 7) % 5], 'bench',
       now() - make_interval(secs => i * 30), now() - make_interval(secs => i * 30 - 2),
       (ARRAY['green','green','green','yellow','red','error'])[1 + i % 6], 0, 1000 + i % 5000
  FROM generate_series(1, 100000) i;
ANALYZE runbook.runs;"

token=$("$BIN" serve token bench --file "$work/tokens")
"$BIN" serve --env bench --dir "$work/home" --listen 127.0.0.1:0 --tokens "$work/tokens" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS console_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do grep -q "http://" "$work/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log")

median_ms() {  # path: the median time_total of 20 requests, in ms
    local path=$1 times=()
    for _ in $(seq 1 20); do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$base$path")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] * 1000}'
}
deep=$(psql "$url" -X -A -t -c "SELECT (extract(epoch FROM coalesce(started_at, ended_at)) * 1000000)::bigint || '~' || run_id FROM runbook.runs ORDER BY coalesce(started_at, ended_at) DESC, run_id DESC OFFSET 1999 LIMIT 1")
echo
echo "run list over $(psql "$url" -X -A -t -c 'SELECT count(*) FROM runbook.runs') runs (median of 20; target < 200 ms):"
printf '  %-52s %8s ms\n' "GET /api/runs (newest 50)" "$(median_ms /api/runs)"
printf '  %-52s %8s ms\n' "GET / (HTML, newest 50)" "$(median_ms /)"
printf '  %-52s %8s ms\n' "GET /api/runs?runbook=scenario-3-dlq-full&status=red" "$(median_ms '/api/runs?runbook=scenario-3-dlq-full&status=red')"
printf '  %-52s %8s ms\n' "GET /api/runs?operator=carla" "$(median_ms '/api/runs?operator=carla')"
printf '  %-52s %8s ms\n' "GET /api/runs?after=(2,000 runs deep)" "$(median_ms "/api/runs?after=$deep")"

echo
echo "$CLIENTS browsers following one live run (server-sent events, /api/events?run=ID):"
python3 - "$BIN" "$base" "$token" "$CLIENTS" "$work" "$url" <<'PY'
import json, os, statistics, subprocess, sys, threading, time, urllib.request
binary, base, token, clients, work, url = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
env = dict(os.environ)
run = subprocess.Popen([binary, "run", "live-slow", "--env", "bench", "--dir", f"{work}/home", "--operator", "bench"],
                       env=env, cwd=f"{work}/home", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
run_id = None
deadline = time.time() + 30
while run_id is None and time.time() < deadline:
    req = urllib.request.Request(f"{base}/api/runs?runbook=live-slow&limit=1", headers={"Authorization": f"Bearer {token}"})
    runs = json.load(urllib.request.urlopen(req))["runs"]
    run_id = runs[0]["run_id"] if runs else None
    time.sleep(0.05)
assert run_id, "the live run never reached the ledger"
received = []  # (client, seq, time)
lock = threading.Lock()
ended = set()
def follow(n):
    req = urllib.request.Request(f"{base}/api/events?run={run_id}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        event = None
        for raw in resp:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "run":
                d = json.loads(line[6:])
                with lock:
                    received.append((n, d["seq"], time.time()))
                if d["status"] not in ("running", "unfinished"):
                    with lock:
                        ended.add(n)
                    return
threads = [threading.Thread(target=follow, args=(n,), daemon=True) for n in range(clients)]
for t in threads: t.start()
run.wait(timeout=120)
for t in threads: t.join(timeout=30)
rows = subprocess.run(["psql", url, "-X", "-A", "-t", "-F", " ", "-c",
                       f"SELECT seq, extract(epoch FROM ts) FROM runbook.records WHERE run_id = '{run_id}' ORDER BY seq"],
                      capture_output=True, text=True, check=True).stdout.split("\n")
ts = {int(s): float(t) for s, t in (r.split() for r in rows if r.strip())}
start = min(t for _, _, t in received) if received else 0
lat = []
for seq, t0 in ts.items():
    if t0 < start:
        continue  # written before the browsers were following
    for n in range(clients):
        got = [t for c, s, t in received if c == n and s >= seq]
        if got:
            lat.append(min(got) - t0)
lat.sort()
finished = len(ended)
if lat:
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print(f"  {len(ts)} records, {len(lat)} record-browser deliveries; {finished}/{clients} browsers saw the end")
    print(f"  latency record -> browser: median {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {lat[-1]*1000:.0f} ms (target: within 1000 ms)")
else:
    print("  no event measured")
PY
