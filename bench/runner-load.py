#!/usr/bin/env python3
"""The runner's client side for bench/runner.sh: signed run requests (docs/runner.md, "The
request") sent to a runner, timed from this process. Two modes:

  runner-load.py overhead URL KEY ENV RUNBOOK ROUNDS BIN HOME
      alternating rounds of the same dry run: locally (BIN run RUNBOOK --dry-run --env ENV
      --dir HOME, a child process) and through the runner (ssh-keygen -Y sign, POST /runs,
      the stream read to its exit); prints one line per round: "local_ms runner_ms".
  runner-load.py burst URL KEY ENV RUNBOOK COUNT
      COUNT requests signed first, then POSTed at once (one thread each, released together);
      prints one line per request: "nonce first_step_ms total_ms exit accepted_ms", first_step_ms
      being the time from the POST to the first step's line in the stream, accepted_ms to the
      answer's status line (the runner answers it once the request is verified, its nonce
      recorded and its run started).

Figures, not assertions: bench/runner.sh summarises them.
"""
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse

# A step's line as a run prints it: two spaces, a symbol, its status.
STEP = re.compile(r"^  \S+ +(green|yellow|red|planned|skipped|succeeded|failed|awaiting-approval|error)\b", re.M)


def request_text(env, runbook, dry_run):
    run = {"approve": [], "dry_run": dry_run, "environment": env, "inputs": [], "json": False, "lock_wait": "30s",
           "runbook": runbook, "scheduled": False, "scheduled_day_only": False, "yes": False}
    body = {"junit": False, "nonce": secrets.token_hex(16), "run": run, "time": int(time.time()), "version": 1}
    return json.dumps(body, sort_keys=True, separators=(",", ":")), body["nonce"]


def sign(text, key):
    out = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "runbook-request", "-f", key],
                         input=text.encode(), capture_output=True, check=True)
    return out.stdout.decode()


def post(url, envelope):
    """POSTs the envelope; (ms to the first step line, ms to the end, exit code, ms to the status line)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    start = time.perf_counter()
    connection.request("POST", "/runs", body=json.dumps(envelope), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    accepted = (time.perf_counter() - start) * 1000
    first = None
    code = None
    for raw in response:
        event = json.loads(raw)
        if first is None and "out" in event and STEP.search(event["out"]):
            first = (time.perf_counter() - start) * 1000
        if "exit" in event:
            code = event["exit"]
    total = (time.perf_counter() - start) * 1000
    connection.close()
    return first, total, code, accepted


def through_runner(url, key, env, runbook):
    """One dry run through the runner, signing included: (total ms, exit)."""
    start = time.perf_counter()
    text, _ = request_text(env, runbook, True)
    _, _, code, _ = post(url, {"request": text, "signature": sign(text, key)})
    return (time.perf_counter() - start) * 1000, code


def overhead(url, key, env, runbook, rounds, binary, home):
    local_env = dict(os.environ, NO_COLOR="1")
    for _ in range(int(rounds) + 1):  # the first round warms up, not printed
        start = time.perf_counter()
        local = subprocess.run([binary, "run", runbook, "--dry-run", "--env", env, "--dir", home], env=local_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local_ms = (time.perf_counter() - start) * 1000
        remote_ms, code = through_runner(url, key, env, runbook)
        if code != local.returncode:
            sys.exit(f"runner-load.py: the dry run exited {local.returncode} locally and {code} through the runner")
        if _ > 0:
            print(f"{local_ms:.2f} {remote_ms:.2f}", flush=True)


def burst(url, key, env, runbook, count):
    signed = []
    for _ in range(int(count)):
        text, nonce = request_text(env, runbook, True)
        signed.append((nonce, {"request": text, "signature": sign(text, key)}))
    results = [None] * len(signed)
    gate = threading.Barrier(len(signed))

    def one(i):
        nonce, envelope = signed[i]
        gate.wait()
        try:
            results[i] = (nonce,) + post(url, envelope)
        except Exception as error:  # a lost request is a figure too
            results[i] = (nonce, None, None, f"lost: {error}", None)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(signed))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for nonce, first, total, code, accepted in results:
        print(f"{nonce} {'-' if first is None else f'{first:.2f}'} {'-' if total is None else f'{total:.2f}'} {code} "
              f"{'-' if accepted is None else f'{accepted:.2f}'}")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "overhead":
        overhead(*args)
    elif mode == "burst":
        burst(*args)
    else:
        sys.exit(__doc__)
