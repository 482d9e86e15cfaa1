#!/usr/bin/env bash
# What the web console (runbook serve) answers under load, on this machine: the run list over
# 100,000 runs (first page, a filtered page, a page 2,000 runs deep, as JSON and as HTML;
# median of BENCH_CONSOLE_N requests each, default 20; target < 200 ms), and 50 browsers following
# one live run by server-sent events (latency from each record's time to its rendering reaching
# every browser; target: within 1 s), and the approvals page with 100 open signed requests
# (median and p95; target < 50 ms).
# Uses the running sandbox's PostgreSQL (scripts/sandbox up) and a throw-away database
# console_bench. Figures, not assertions. The binary: $BENCH_BIN or .build/release/runbook (falls
# back to .build/debug/runbook). BENCH_CONSOLE_PARTS: which of "runs events approvals" (default
# all three).
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
PARTS=" ${BENCH_CONSOLE_PARTS:-runs events approvals} "
part() { [[ $PARTS == *" $1 "* ]]; }
echo "console bench: $BIN"
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

if part runs; then
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
fi

token=$("$BIN" serve token bench --file "$work/tokens")
"$BIN" serve --env bench --dir "$work/home" --listen 127.0.0.1:0 --tokens "$work/tokens" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS console_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do grep -q "http://" "$work/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log")

N=${BENCH_CONSOLE_N:-20}
times_ms() {  # path: the median and the 95th percentile of the time_total of $N requests, in ms ("M P")
    local path=$1 times=()
    for _ in $(seq 1 "$N"); do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$base$path")")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95+0.999); if (i>NR) i=NR; printf "%.1f %.1f\n", a[int((NR+1)/2)] * 1000, a[i] * 1000}'
}
median_ms() { local t; t=$(times_ms "$1"); echo "${t%% *}"; }
if part runs; then
deep=$(psql "$url" -X -A -t -c "SELECT (extract(epoch FROM coalesce(started_at, ended_at)) * 1000000)::bigint || '~' || run_id FROM runbook.runs ORDER BY coalesce(started_at, ended_at) DESC, run_id DESC OFFSET 1999 LIMIT 1")
echo
echo "run list over $(psql "$url" -X -A -t -c 'SELECT count(*) FROM runbook.runs') runs (median of $N; target < 200 ms):"
printf '  %-52s %8s ms\n' "GET /api/runs (newest 50)" "$(median_ms /api/runs)"
printf '  %-52s %8s ms\n' "GET / (HTML, newest 50)" "$(median_ms /)"
printf '  %-52s %8s ms\n' "GET /api/runs?runbook=scenario-3-dlq-full&status=red" "$(median_ms '/api/runs?runbook=scenario-3-dlq-full&status=red')"
printf '  %-52s %8s ms\n' "GET /api/runs?operator=carla" "$(median_ms '/api/runs?operator=carla')"
printf '  %-52s %8s ms\n' "GET /api/runs?after=(2,000 runs deep)" "$(median_ms "/api/runs?after=$deep")"
fi

if part events; then
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
fi

part approvals || exit 0
echo
echo "the approvals page with 100 open requests (signed, scenario-2 plans with rows; median and p95 of $N; target < 50 ms):"
desk=$work/desk
mkdir -p "$desk/environments" "$desk/runbooks"
signers=""
for n in alice bob console; do
    ssh-keygen -q -t ed25519 -N "" -C "$n" -f "$desk/$n"
    signers+="$n@example.com $(cat "$desk/$n.pub")"$'\n'
done
printf '%s' "$signers" > "$desk/environments/desk.allowed_signers"
cat > "$desk/environments/desk.yaml" <<YAML
environment: desk
ledger: {url: "\${CONSOLE_BENCH_URL}"}
secrets: [CONSOLE_BENCH_URL]
identity: {allowed_signers: environments/desk.allowed_signers}
approvals: {medium: 1, approvers: [alice@example.com, bob@example.com], console: console@example.com}
YAML
python3 - "$desk" "$url" <<'PY'
import json, subprocess, sys, time
desk, url = sys.argv[1], sys.argv[2]
excerpt_rate = '{"error_rate":15.38,"errors":20,"finished":130,"pending":0,"note":null}\n(SELECT 1)'
excerpt_types = "\n".join(json.dumps({"error_type": t, "error_message": m, "count": c, "last_occurrence": "2026-12-07T02:45:08.310243+00:00"},
                                     separators=(",", ":")) for t, m, c in [
    ("connection", "connection refused: upstream storage unavailable (storage.conectaboi.internal:9000)", 17),
    ("validation", "invalid header 'fazenda;lote;cabecas;peso;preco': expected farm,lot,head_count,weight_kg,price", 2),
    ("resource", "file too large", 1)]) + "\n(SELECT 3)"
now = int(time.time())
sql = ["BEGIN;"]
for i in range(100):
    rid = f"apr-{i:010x}"
    digest = "sha256:" + f"{i:064x}"
    plan = {"version": 1, "runbook": "scenario-2-high-error-rate", "runbook_sha256": "0" * 64, "environment": "desk", "environment_sha256": "",
            "inputs": {"window_hours": 4}, "action": "reprocess-transient-failures", "risk": "medium", "required": 1,
            "command": {"method": "POST", "url": "http://127.0.0.1:18080/files/reprocess?error=connection&since_hours=4"},
            "already_done": [], "display": "POST http://127.0.0.1:18080/files/reprocess?error=connection&since_hours=4",
            "question": "Reprocessar os arquivos com erro de conexão das últimas 4h?",
            "findings": [{"step": "error-rate", "status": "red", "values": []},
                         {"step": "error-types", "status": "green", "values": [{"path": "steps.error-types.result.rows", "value": []}]}],
            "details": [{"step": "error-rate", "title": "Taxa de erro na janela", "excerpt": excerpt_rate,
                         "evidence": [{"path": "steps.error-rate.result.rows[0].error_rate", "value": 15.38}]},
                        {"step": "error-types", "title": "Tipos de erro mais comuns (seed)", "excerpt": excerpt_types, "evidence": []}]}
    fields = [("id", rid), ("run", f"bench-{i}"), ("runbook", plan["runbook"]), ("environment", "desk"), ("action", plan["action"]),
              ("risk", "medium"), ("requester", "alice@example.com"), ("required", "1"), ("digest", digest), ("created", str(now)),
              ("expires", str(now + 3600))]
    text = "runbook approval request v1\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields)
    sig = subprocess.run(["ssh-keygen", "-Y", "sign", "-P", "", "-f", f"{desk}/alice", "-n", "runbook"], input=text.encode(),
                         capture_output=True, check=True).stdout.decode()
    q = lambda s: "'" + s.replace("'", "''") + "'"
    sql.append(f"INSERT INTO runbook.approval_requests (id, run_id, runbook, environment, action, risk, requester, digest, plan, required, "
               f"created_at, expires_at, signature) VALUES ({q(rid)}, {q(f'bench-{i}')}, {q(plan['runbook'])}, 'desk', {q(plan['action'])}, "
               f"'medium', 'alice@example.com', {q(digest)}, {q(json.dumps(plan, ensure_ascii=False))}::jsonb, 1, to_timestamp({now}), "
               f"to_timestamp({now + 3600}), {q(sig)});")
sql.append("COMMIT;")
subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1"], input="\n".join(sql), text=True, check=True)
PY
desk_token=$("$BIN" serve token bob@example.com --file "$desk/tokens")
"$BIN" serve --env desk --dir "$desk" --listen 127.0.0.1:0 --tokens "$desk/tokens" --key "$desk/console" > "$desk/serve.log" 2>&1 &
desk_server=$!
trap 'kill $server $desk_server 2>/dev/null || true; wait $server $desk_server 2>/dev/null || true; psql "$ETL_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS console_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do grep -q "http://" "$desk/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' "$desk/serve.log")
token=$desk_token
# The first page verifies every signature once (then remembered); not counted in the figures below.
first=$(curl -s -o "$desk/first.html" -w '%{time_total}' -H "Authorization: Bearer $token" "$base/approvals" | awk '{printf "%.1f", $1 * 1000}')
shown=$(grep -c '<article class="request"' "$desk/first.html" || true)
printf '  %-44s %s ms\n' "first GET /approvals (verifies 100 signatures)" "$first"
read -r m p < <(times_ms /approvals)
printf '  %-44s median %7s ms, p95 %7s ms (%s requests shown)\n' "GET /approvals (HTML, 100 open requests)" "$m" "$p" "$shown"
read -r m p < <(times_ms /api/approvals)
printf '  %-44s median %7s ms, p95 %7s ms\n' "GET /api/approvals" "$m" "$p"
if [[ -n ${BENCH_CONSOLE_HOLD:-} ]]; then   # keep the approvals console up (for a profiler) until it is stopped
    echo "  holding: $base (Authorization: Bearer $token), serve pid $desk_server"
    wait "$desk_server" || true
fi
