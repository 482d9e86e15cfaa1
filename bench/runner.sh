#!/usr/bin/env bash
# What the team's runner costs (docs/runner.md), against the running sandbox (scripts/sandbox
# up): a runner of the measured binary on its own port, with the sandbox runner's home, key and
# credentials, over the sandbox's ledger.
#  1. Overhead: scenario 2's dry run, the same environment file (the runner's team.yaml) and
#     credentials, run locally (the binary, a child process) and through the runner (a signed
#     request: ssh-keygen -Y sign, POST /runs, the stream read to its exit), in alternating
#     rounds; medians and their difference. The runner executes a dry-run request as it would a
#     live one (identity, nonce, policy, ledger), only the actions are shown; `runbook run
#     --dry-run` itself stays local by design, so the client here is bench/runner-load.py.
#  2. Burst: 50 dry runs signed first, then submitted at once to the one runner (after one such
#     burst not measured, which opens the pools' connections); time from
#     each POST to the first step's line (p50, p95, max) and to the answer's status line (the
#     request admitted and its run started), and none lost: every request got an exit, and the
#     ledger has each nonce once with one run id, each run id in runs once. The signing is
#     done before the clock starts.
# Both against etl-core's release build, as production runs it (BENCH_ETL_BIN: the sandbox's
# etl-core is restarted with it for the benchmark, and with its own binary again at the end);
# without one, against the sandbox's debug etl-core, whose /health is 2-3 times slower under 50
# concurrent calls (the first step of every run).
# Figures, not assertions. BENCH_BIN (default: the static release build), BENCH_RUNNER_ROUNDS
# (default 21), BENCH_RUNNER_BURST (default 50), BENCH_RUNNER_PORT (default SANDBOX_RUNNER_PORT+1,
# else 18091).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$(realpath "${BENCH_BIN:-.build/static/release/runbook}")
[[ -x $BIN ]] || { echo "bench/runner.sh: no binary at $BIN" >&2; exit 1; }
[[ -s .sandbox/env && -d .sandbox/runner/home && -f .sandbox/team/alice ]] \
    || { echo "bench/runner.sh: the sandbox and its runner are not up (scripts/sandbox up)" >&2; exit 1; }
# shellcheck disable=SC1091
source .sandbox/env
ROUNDS=${BENCH_RUNNER_ROUNDS:-21}
BURST=${BENCH_RUNNER_BURST:-50}
PORT=${BENCH_RUNNER_PORT:-$(( ${SANDBOX_RUNNER_PORT:-18090} + 1 ))}
URL=http://127.0.0.1:$PORT
work=$ROOT/.sandbox/bench/runner
rm -rf "$work" && mkdir -p "$work/state"
home=$ROOT/.sandbox/runner/home

# The runner's environment, as scripts/lib/sandbox-runner.sh gives it (the write credentials).
export ETL_BACKUP_DIR=$ROOT/.sandbox/backup
ledger=$RUNBOOK_LEDGER_URL
runner_env=(env -u RUNBOOK_ALLOWED_SIGNERS -u RUNBOOK_SIGNING_KEY -u SSH_AUTH_SOCK -u RUNBOOK_HOME
            ETL_DATABASE_URL="$ETL_DATABASE_URL" ETL_API_URL="$ETL_API_URL" ETL_API_TOKEN="$ETL_API_TOKEN" ETL_LOG_DIR="$ETL_LOG_DIR"
            ETL_CONFIG_DIR="$ETL_CONFIG_DIR" ETL_BACKUP_DIR="$ETL_BACKUP_DIR" RUNBOOK_LEDGER_URL="$ledger"
            RUNBOOK_AUDIT_LOG="$work/local-audit.jsonl")
if ss -ltnH "sport = :$PORT" 2>/dev/null | grep -q .; then
    echo "bench/runner.sh: port $PORT is taken (set BENCH_RUNNER_PORT)" >&2; exit 1
fi
etl_bin=${BENCH_ETL_BIN:-}
[[ -z $etl_bin && -x .build/static/release/etl-core ]] && etl_bin=.build/static/release/etl-core
restore_etl() { :; }
if [[ -n $etl_bin ]]; then
    [[ -x $etl_bin ]] || { echo "bench/runner.sh: BENCH_ETL_BIN=$etl_bin is not executable" >&2; exit 1; }
    SANDBOX_ETL_BIN=$(realpath "$etl_bin") scripts/sandbox restart etl-core >/dev/null
    restore_etl() { env -u SANDBOX_ETL_BIN scripts/sandbox restart etl-core >/dev/null 2>&1 || echo "bench/runner.sh: could not restart the sandbox's etl-core (scripts/sandbox restart etl-core)" >&2; }
fi
trap restore_etl EXIT
(cd "$home" && exec "${runner_env[@]}" "$BIN" runner --dir "$home" --env team --listen "127.0.0.1:$PORT" \
    --key "$ROOT/.sandbox/runner/key" --state "$work/state" </dev/null >"$work/runner.out" 2>&1) &
runner_pid=$!
trap 'kill "$runner_pid" 2>/dev/null; wait "$runner_pid" 2>/dev/null || true; restore_etl' EXIT
for _ in $(seq 1 150); do
    kill -0 "$runner_pid" 2>/dev/null || { cat "$work/runner.out" >&2; echo "bench/runner.sh: the runner exited at start" >&2; exit 1; }
    curl -sf --max-time 2 "$URL/health" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -sf --max-time 2 "$URL/health" >/dev/null || { echo "bench/runner.sh: the runner does not answer on $URL" >&2; exit 1; }

# 1. Overhead: alternating rounds, from the runner's home (its environment's relative paths).
(cd "$home" && "${runner_env[@]}" python3 "$ROOT/bench/runner-load.py" overhead "$URL" "$ROOT/.sandbox/team/alice" team \
    scenario-2-high-error-rate "$ROUNDS" "$BIN" "$home") > "$work/overhead.txt"
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }
local_ms=$(cut -d' ' -f1 "$work/overhead.txt" | median)
runner_ms=$(cut -d' ' -f2 "$work/overhead.txt" | median)
awk -v l="$local_ms" -v r="$runner_ms" -v n="$ROUNDS" 'BEGIN {
    printf "runner, dry run of scenario 2: %.1f ms local, %.1f ms through the runner (signing included): %+.1f ms (target <= +15 ms); medians of %d rounds\n", l, r, r - l, n }'

# 2. Burst: BURST signed requests at once.
# One burst first, not measured: the pools of the runner and of etl-core (restarted above) open
# their connections as a long-running service has them open.
"${runner_env[@]}" python3 bench/runner-load.py burst "$URL" "$ROOT/.sandbox/team/alice" team scenario-2-high-error-rate "$BURST" > /dev/null
"${runner_env[@]}" python3 bench/runner-load.py burst "$URL" "$ROOT/.sandbox/team/alice" team scenario-2-high-error-rate "$BURST" > "$work/burst.txt"
answered=$(awk '$4 ~ /^[0-9]+$/' "$work/burst.txt" | wc -l)
firsts=$(awk '$2 != "-" { print $2 }' "$work/burst.txt" | sort -n)
pct() { awk -v p="$1" '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int(p * NR + 0.999999); if (i < 1) i = 1; printf "%.0f", a[i] }'; }
p50=$(pct 0.50 <<<"$firsts"); p95=$(pct 0.95 <<<"$firsts"); max=$(pct 1 <<<"$firsts")
accepts=$(awk '$4 ~ /^[0-9]+$/ && $5 != "-" { print $5 }' "$work/burst.txt" | sort -n)
nonces=$(awk '{ printf "%s'\''%s'\''", (NR > 1 ? "," : ""), $1 }' "$work/burst.txt")
read -r recorded with_run distinct_runs < <(psql "$ledger" -X -A -t -F ' ' -c \
    "SELECT count(*), count(run_id), count(DISTINCT run_id) FROM runbook.runner_requests WHERE nonce IN ($nonces)")
run_rows=$(psql "$ledger" -X -A -t -c "SELECT count(*) FROM runbook.runs WHERE run_id IN (SELECT run_id FROM runbook.runner_requests WHERE nonce IN ($nonces))")
echo "runner, $BURST dry runs submitted at once to one runner: time to first step p50 $p50 ms, p95 $p95 ms, max $max ms (target p95 < 250 ms); to the answer's status line (verified, nonce recorded, run started) p50 $(pct 0.50 <<<"$accepts") ms, p95 $(pct 0.95 <<<"$accepts") ms"
echo "runner, none lost: $answered of $BURST answered with an exit; ledger: $recorded requests, $with_run with a run id, $distinct_runs distinct run ids, $run_rows rows in runs (each expected $BURST)"
echo "binary: $BIN; etl-core: ${etl_bin:-debug build of the sandbox}; $(nproc) cores; client: bench/runner-load.py (Python, ssh-keygen -Y sign per request)"
