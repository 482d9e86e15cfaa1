#!/usr/bin/env bash
# `runbook lint` of 1,000 ordinary runbooks: copies of scenario 2 (ids fixed to their file
# names), beside the project's checks/, templates/ and environments/. Builds nothing: the
# binary is $BENCH_BIN or .build/release/runbook. Prints one line (median of 5 runs).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-.build/release/runbook}
[[ -x $BIN ]] || { echo "bench/lint-1000.sh: no binary at $BIN (swift build -c release --product runbook)" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/runbooks"
cp -r checks templates environments "$work/"
awk -v dir="$work/runbooks" '
    { lines[NR] = $0 }
    END {
        for (i = 1; i <= 1000; i++) {
            id = sprintf("bench-%04d", i); file = dir "/" id ".yaml"
            for (n = 1; n <= NR; n++) print (lines[n] ~ /^runbook:/ ? "runbook: " id : lines[n]) > file
            close(file)
        }
    }' runbooks/scenario-2-high-error-rate.yaml
cd "$work"
if ! "$BIN" lint --dir "$work" >/dev/null 2>"$work/lint.err"; then
    echo "bench/lint-1000.sh: lint failed:" >&2; head -5 "$work/lint.err" >&2; exit 1
fi
times=()
for _ in 1 2 3 4 5; do
    start=$(date +%s.%N)
    "$BIN" lint --dir "$work" >/dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
printf 'lint 1000 runbooks: %.2f s (target <= 0.5 s)\n' "$median"
