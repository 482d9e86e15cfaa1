#!/usr/bin/env python3
"""The web console in a real headless browser (issue 13): Debian's chromium driven by
Playwright (never a downloaded browser), against the sandbox with the scenario-2 fault and a
ledger database of its own. A person's path: the run list, a live scenario-2 run followed as
its steps turn colour, a second person approving its request from the approvals page and the
run resuming, then 401, 403, CSRF and escaping; what the approver reads (findings as tables, the
value the action read marked, a run at a glance); axe-core on every page at 390 and 1280 px (no
serious or critical violation) and an approval made with the keyboard alone. Screenshots go to
.build/console-screenshots/ (approvals-390/1280, run-390/1280 among them) with axe-summary.txt.

Run by scripts/test (after scripts/browser-deps); alone: source .sandbox/env, then
python3 Tests/Browser/console_test.py. Prints 'N passed, M failed' and the axe summary (page,
width, violations by impact with their rules); exit 1 on any failure.

--before TREE: the console as another checkout built it (TREE/.build/debug/runbook with TREE's
runbooks, checks and environments, against this sandbox), for before/after screenshots: the run
list, a scenario-2 run at its gate and the approvals page, screenshots run-390/1280 and
approvals-390/1280 in .build/console-screenshots/before/ with their axe summary; only the steps
any console can do are checked (axe is recorded there, not asserted)."""
import json, os, re, shutil, subprocess, sys, tempfile, time, traceback, urllib.parse, uuid
from pathlib import Path
from playwright.sync_api import sync_playwright, expect
from axe_playwright_python.sync_playwright import Axe

ROOT = Path(__file__).resolve().parents[2]
BEFORE = Path(sys.argv[2]).resolve() if len(sys.argv) == 3 and sys.argv[1] == "--before" else None
TREE = BEFORE or ROOT  # the runbook binary, runbooks, checks and environments shown
BIN = str(TREE / ".build/debug/runbook")
SHOTS = ROOT / ".build/console-screenshots" / ("before" if BEFORE else "")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium")
RUNBOOK = "scenario-2-high-error-rate"
WIDTHS = (390, 1280)
results = []
axe_summary = {}  # "page @ width" -> {impact: [rule ids]}


def accessible(page, name):
    """axe-core on the page as it is: records the violations by impact under NAME @ WIDTH and
    fails on a serious or critical one; also fails when the page scrolls sideways. With
    --before it only records."""
    width = page.viewport_size["width"]
    found = Axe().run(page).response.get("violations", [])
    rules = {}
    for v in found:
        rules.setdefault(v.get("impact") or "none", []).append(v["id"])
    axe_summary[f"{name} @ {width}"] = rules
    if BEFORE:
        return
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
           for v in found if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name} at {width} px: " + "; ".join(bad)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} at {width} px scrolls sideways by {overflow} px"


def at_widths(page, name, shot=None):
    """A screenshot SHOT-WIDTH.png at each width of WIDTHS when SHOT (all of them first, so a
    failing width does not lose the others), then accessible() at each."""
    original = page.viewport_size
    try:
        if shot:
            for w in WIDTHS:
                page.set_viewport_size({"width": w, "height": 900})
                page.screenshot(path=str(SHOTS / f"{shot}-{w}.png"), full_page=True)
        for w in WIDTHS:
            page.set_viewport_size({"width": w, "height": 900})
            accessible(page, name)
    finally:
        page.set_viewport_size(original)


SEVERITY = ("critical", "serious", "moderate", "minor")


def axe_lines():
    """The axe summary: one line per page and width, the violations by impact with their rules."""
    lines = [f"{'page':<12} {'width':>5}  " + "  ".join(f"{i:>8}" for i in SEVERITY) + "  rules"]
    for key, rules in axe_summary.items():
        name, width = key.split(" @ ")
        named = "; ".join(f"{i}: {', '.join(rules[i])}" for i in SEVERITY + ("none",) if rules.get(i)) or "no violation"
        lines.append(f"{name:<12} {width:>5}  " + "  ".join(f"{len(rules.get(i, [])):>8}" for i in SEVERITY) + f"  {named}")
    return lines


def check(name, fn, before=False):
    """Runs one step of the path; with --before only the steps marked BEFORE."""
    if BEFORE and not before:
        return
    try:
        fn()
        results.append((name, None))
        print(f"  ok    {name}", flush=True)
    except Exception as e:  # noqa: BLE001 - a test report
        results.append((name, e))
        print(f"  FAIL  {name}: {e}", flush=True)
        traceback.print_exc()


def sh(*args, env=None, check=True, cwd=None):
    p = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def main():
    db_url = os.environ["ETL_DATABASE_URL"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):  # (the before/ folder's are kept by a run without --before)
        old.unlink()
    print("== reseed the sandbox with scenario 2 (error rate red)", flush=True)
    sh(str(ROOT / "scripts/sandbox"), "up", "--scenario", RUNBOOK)
    database = f"browser_{uuid.uuid4().hex[:8]}"
    sh("psql", db_url, "-X", "-q", "-c", f"CREATE DATABASE {database}")
    u = urllib.parse.urlsplit(db_url)
    ledger_url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + database, u.query, ""))
    home = Path(tempfile.mkdtemp(prefix="console-browser-"))
    server = run = None
    try:
        for d in ["runbooks", "checks", "templates", "scripts"]:
            (home / d).symlink_to(TREE / d)
        (home / ".sandbox").symlink_to(ROOT / ".sandbox")
        (home / "environments").mkdir()
        signers = ""
        for name in ["alice", "bob", "carol", "console"]:
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(home / name))
            signers += f"{name}@example.com " + (home / f"{name}.pub").read_text()
        (home / "environments/team.allowed_signers").write_text(signers)
        sandbox_env = (TREE / "environments/sandbox.yaml").read_text()
        team = re.sub(r"^environment: sandbox$", "environment: team", sandbox_env, flags=re.M)
        team = re.sub(r"^ledger: .*$", 'ledger: {url: "${BROWSER_LEDGER_URL}"}', team, flags=re.M)
        team = team.replace("secrets: [", "secrets: [BROWSER_LEDGER_URL, ")
        team += ("identity: {allowed_signers: environments/team.allowed_signers}\n"
                 "approvals: {medium: 1, high: 1, approvers: [alice@example.com, bob@example.com], console: console@example.com}\n")
        (home / "environments/team.yaml").write_text(team)
        (home / "runbooks-hostile").mkdir()
        env = dict(os.environ, BROWSER_LEDGER_URL=ledger_url, SSH_AUTH_SOCK="", RUNBOOK_SIGNING_KEY="", NO_COLOR="1",
                   RUNBOOK_AUDIT_LOG=str(home / "audit.jsonl"))
        sh(BIN, "ledger", "init", "--env", "team", "--dir", str(home), env=env, cwd=home)
        tokens = home / "tokens"
        tok = {n: sh(BIN, "serve", "token", f"{n}@example.com", "--file", str(tokens)).stdout.strip() for n in ["alice", "bob", "carol"]}
        server = subprocess.Popen([BIN, "serve", "--env", "team", "--listen", "127.0.0.1:0", "--tokens", str(tokens),
                                   "--key", str(home / "console"), "--dir", str(home)], env=env, cwd=home,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = server.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        assert m, f"serve printed: {line!r}"
        base = m.group(1)
        print(f"== console at {base}", flush=True)

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            lead = browser.new_context(viewport={"width": 1200, "height": 900},
                                       extra_http_headers={"Authorization": f"Bearer {tok['alice']}"})
            page = lead.new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            def run_list():
                r = page.goto(base + "/")
                assert r.status == 200, r.status
                expect(page.locator("h1")).to_have_text("Runs")
                expect(page.locator("#live")).to_have_text("live", timeout=10000)
                page.screenshot(path=str(SHOTS / "01-runs-empty.png"), full_page=True)
            check("the run list opens, live", run_list, before=True)

            # A live scenario-2 run by alice; it waits at the four-eyes gate for an approver.
            run = subprocess.Popen([BIN, "run", RUNBOOK, "--env", "team", "--key", str(home / "alice"), "--wait-approval", "5m",
                                    "--incident-age", "20m", "--dir", str(home)], env=env, cwd=home,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            state = {}

            def run_appears_live():
                row = page.locator("table.runs tbody tr").first
                expect(row).to_contain_text(RUNBOOK, timeout=30000)
                state["run"] = row.locator("a").first.inner_text()
                page.screenshot(path=str(SHOTS / "02-runs-live-row.png"), full_page=True)
            check("the new run appears in the list without a reload", run_appears_live, before=True)

            def follow_run():
                page.goto(base + "/runs/" + state["run"])
                expect(page.locator("#live")).to_have_text("live", timeout=10000)
                expect(page.locator("#step-error-rate .step-head .badge")).to_have_class(re.compile(r"\bred\b"), timeout=30000)
                expect(page.locator("#step-api-health .step-head .badge")).to_have_class(re.compile(r"\bgreen\b"))
                expect(page.locator("#step-error-log .step-head .badge")).to_have_class(re.compile(r"\b(green|yellow|red)\b"), timeout=30000)
                page.screenshot(path=str(SHOTS / "03-run-live-at-gate.png"), full_page=True)
            check("the run page follows scenario 2 as its steps turn colour", follow_run, before=True)

            def run_at_a_glance():
                # At its gate: red and yellow steps open, green ones show their verdict line
                # only; rows as tables; no glyph that Debian's fonts lack.
                expect(page.locator("#step-error-rate > details")).to_have_attribute("open", "")
                assert page.locator("#step-api-health > details[open]").count() == 0, "a green step is open"
                table = page.locator("#step-error-types table.result")
                expect(table.locator("thead th")).to_have_text(["error_type", "error_message", "count", "last_occurrence"])
                assert table.locator("td.num").first.evaluate("e => getComputedStyle(e).textAlign") == "right"
                main = page.locator("main").inner_text()
                assert "⏸" not in main, "a glyph Debian's default fonts lack"
                at_widths(page, "run", shot="run")
            check("a run at a glance: verdict lines, tables, accessible", run_at_a_glance)

            def before_shots():
                # The console as it was: the approvals page as an approver reads it once the run
                # asks, then the run waiting at its gate, at both widths (axe recorded, not asserted).
                bob = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                          extra_http_headers={"Authorization": f"Bearer {tok['bob']}"})
                approver = bob.new_page()
                for _ in range(60):
                    approver.goto(base + "/approvals")
                    if approver.locator("article.request", has_text="reprocess-transient-failures").count():
                        break
                    approver.wait_for_timeout(1000)
                expect(approver.locator("article.request").first).to_contain_text("reprocess-transient-failures")
                at_widths(approver, "approvals", shot="approvals")
                page.goto(base + "/runs/" + state["run"])
                at_widths(page, "run", shot="run")
            if BEFORE:
                check("before: the approvals page and the run at its gate at 390 and 1280 px", before_shots, before=True)

            second = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone = second.new_page()

            def sign_in_and_approve():
                r = phone.goto(base + "/login")
                phone.fill("input[name=token]", tok["bob"])
                phone.click("button[type=submit]")
                expect(phone.locator("h1")).to_have_text("Runs")
                phone.goto(base + "/approvals")
                req = phone.locator("article.request").first
                expect(req).to_contain_text("reprocess-transient-failures", timeout=30000)
                # The plan in ten seconds: one sentence, the command, the findings as tables
                # (the value the when read marked), the digest.
                expect(req.locator("p.lead")).to_contain_text(
                    re.compile(r"alice@example\.com asks to run reprocess-transient-failures \(medium risk\) .*because error-rate is RED \(error_rate = [0-9.]+\)"))
                expect(req.locator("pre.cmd")).to_contain_text("POST ")
                rate = req.locator("section.finding", has_text="error-rate").locator("table.result")
                expect(rate.locator("mark")).to_have_count(1)
                expect(rate.locator("td.num mark")).to_have_text(re.compile(r"^[0-9.]+$"))
                types = req.locator("section.finding", has_text="error-types").locator("table.result")
                expect(types.locator("thead th")).to_have_text(["error_type", "error_message", "count", "last_occurrence"])
                assert "{\"error_type\"" not in req.inner_text(), "rows shown as JSON"
                order = req.evaluate("a => ['p.lead', 'pre.cmd', 'table.result', 'p.digest'].map(s => a.querySelector(s)).map(e => e ? [...a.querySelectorAll('*')].indexOf(e) : -1)")
                assert -1 not in order and order == sorted(order), f"sentence, command, tables, digest: {order}"
                phone.screenshot(path=str(SHOTS / "04-approvals-phone.png"), full_page=True)
                at_widths(phone, "approvals", shot="approvals")
                state["request"] = req.get_attribute("id")
                # The keyboard alone: from the run list to the approvals page, the comment, Approve.
                phone.goto(base + "/")
                def tab_to(selector, limit):
                    for _ in range(limit):
                        phone.keyboard.press("Tab")
                        if phone.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
                            return
                    raise AssertionError(f"{selector} not reached with Tab")
                tab_to('nav a[href="/approvals"]', 20)
                phone.keyboard.press("Enter")
                expect(phone.locator("h1")).to_have_text("Approvals")
                tab_to(f'article[id="{state["request"]}"] input[name=comment]', 200)
                phone.keyboard.type("<b>ok</b> from my phone")
                phone.keyboard.press("Tab")
                assert phone.evaluate("document.activeElement.matches('button.approve')"), "Tab after the comment is not Approve"
                phone.keyboard.press("Enter")
                expect(phone.locator("p.note")).to_contain_text("approved", timeout=15000)
                phone.screenshot(path=str(SHOTS / "05-approved-phone.png"), full_page=True)
            check("a second person reads the plan and approves on a phone, keyboard only (via console)", sign_in_and_approve)

            def run_resumes():
                # The waiting run ends at its gate; once approved, the same process runs again
                # (resuming the request): a new run in the list, followed live to its end.
                expect(page.locator("#step-reprocess-transient-failures .step-head .badge")).to_have_text(re.compile("awaiting-approval"), timeout=30000)
                page.goto(base + "/?runbook=" + RUNBOOK)
                row = page.locator("table.runs tbody tr").first
                expect(row.locator("a").first).not_to_have_text(state["run"], timeout=60000)
                page.goto(base + "/runs/" + row.locator("a").first.inner_text())
                expect(page.locator("#step-reprocess-transient-failures .step-head .badge")).to_have_class(re.compile(r"\bgreen\b"), timeout=90000)
                expect(page.locator("p.ended")).to_contain_text("ended", timeout=120000)
                expect(page.locator(".gate", has_text="via console")).to_have_count(1)
                page.screenshot(path=str(SHOTS / "06-run-resumed.png"), full_page=True)
                out, _ = run.communicate(timeout=120)
                assert run.returncode in (0, 1), f"run exit {run.returncode}:\n{out}"
            check("the run resumes after the approval, live", run_resumes)

            def stop_reason_once():
                # The first run ended at its gate: why is said once, in its head.
                page.goto(base + "/runs/" + state["run"])
                expect(page.locator("p.ended")).to_contain_text("ended")
                stop = page.locator(".run-head p.note").first.inner_text()
                main = page.locator("main").inner_text()
                assert main.count(stop) == 1, f"the stop reason {stop!r} is said {main.count(stop)} times:\n{main}"
                page.screenshot(path=str(SHOTS / "run-stopped-at-gate-1280.png"), full_page=True)
            check("a run stopped at its gate says why once", stop_reason_once)

            def unauthorized():
                anon = browser.new_context()
                p = anon.new_page()
                r = p.goto(base + "/")
                assert r.status == 401, r.status
                expect(p.locator("h1")).to_have_text("Sign in")
                p.screenshot(path=str(SHOTS / "07-401-sign-in.png"), full_page=True)
                r = p.goto(base + "/api/runs")
                assert r.status == 401, r.status
                spoof = browser.new_context(extra_http_headers={"X-Forwarded-User": "bob@example.com"})
                assert spoof.new_page().goto(base + "/").status == 401, "a user header from an untrusted address must be ignored"
            check("401 without a known user, a user header from an untrusted address ignored", unauthorized)

            hostile_home = home / "hostile"
            hostile_home.mkdir()
            (hostile_home / "runbooks").mkdir()
            (hostile_home / "environments").symlink_to(home / "environments")
            for k in ["alice", "alice.pub"]:
                (hostile_home / k).symlink_to(home / k)
            (hostile_home / "runbooks/hostile.yaml").write_text(
                "runbook: hostile\ntitle: hostile\ninputs:\n  note: {type: string, default: x}\nsteps:\n"
                "  - check: echo-note\n    shell: [echo, \"${{ inputs.note }}\"]\n"
                "  - check: script-output\n    shell: [bash, -c, \"echo '<script>document.title=\\\"pwned\\\"</script>'; echo '<img src=x onerror=alert(1)>'\"]\n")
            (hostile_home / "runbooks/fix-gauge.yaml").write_text(
                "runbook: fix-gauge\ntitle: fix\nsteps:\n  - check: red\n    shell: [bash, -c, 'exit 1']\n"
                "  - action: repair\n    when: steps.red.status == \"red\"\n    risk: high\n    confirm: Repair?\n    shell: [echo, repaired]\n")
            def forbidden_and_csrf():
                # A new request, then carol (no approver) and alice (the requester) try, and a
                # cross-site form without the token.
                r = sh(BIN, "run", "fix-gauge", "--env", "team", "--key", str(home / "alice"), "--dir", str(hostile_home), env=env,
                       cwd=hostile_home, check=False)
                rid = re.search(r"apr-[0-9a-f]{10}", r.stdout)
                assert rid, r.stdout + r.stderr
                rid = rid.group(0)
                c = browser.new_context()
                cp = c.new_page()
                cp.goto(base + "/login")
                cp.fill("input[name=token]", tok["carol"])
                cp.click("button[type=submit]")
                cp.goto(base + "/approvals")
                art = cp.locator(f"article#{rid}")
                expect(art).to_contain_text("not an approver")
                assert art.locator("button.approve").count() == 0
                cp.screenshot(path=str(SHOTS / "08-approvals-not-an-approver.png"), full_page=True)
                csrf = cp.locator("input[name=csrf]").first.get_attribute("value") if cp.locator("input[name=csrf]").count() else ""
                cookies = {k["name"]: k["value"] for k in c.cookies()}
                resp = cp.request.post(base + f"/approvals/{rid}/approve", form={"csrf": cookies.get("runbook_csrf", csrf)})
                assert resp.status == 403, f"carol: {resp.status}"
                resp = phone.request.post(base + f"/approvals/{rid}/approve", form={"comment": "no token"})
                assert resp.status == 403, f"no csrf: {resp.status}"
                bob_cookies = {k["name"]: k["value"] for k in second.cookies()}
                resp = phone.request.post(base + f"/approvals/{rid}/approve", form={"csrf": bob_cookies["runbook_csrf"]},
                                          headers={"Origin": "http://evil.example"})
                assert resp.status == 403, f"cross-site origin: {resp.status}"
                phone.goto(base + f"/approvals")
                expect(phone.locator(f"article#{rid}")).to_contain_text("0/1")
            check("403 for a non-approver, CSRF refused", forbidden_and_csrf)

            def escaping():
                title = page.title()
                r = sh(BIN, "run", "hostile", "--env", "team", "--dry-run", "--input", 'note=<script>alert("in")</script>',
                       "--dir", str(hostile_home), env=env, cwd=hostile_home, check=False)
                assert r.returncode == 0, r.stdout + r.stderr
                api = json.loads(page.request.get(base + "/api/runs?runbook=hostile").text())
                rid = api["runs"][0]["run_id"]
                page.goto(base + "/runs/" + rid)
                expect(page.locator("#step-script-output pre.excerpt")).to_contain_text('<script>document.title="pwned"</script>')
                expect(page.locator("#step-echo-note pre.excerpt")).to_contain_text('<script>alert("in")</script>')
                page.wait_for_timeout(500)
                assert not dialogs, f"a script ran: {dialogs}"
                assert "pwned" not in page.title(), page.title()
                assert page.locator("main script, main img").count() == 0
                page.screenshot(path=str(SHOTS / "09-hostile-escaped.png"), full_page=True)
            check("hostile inputs and output are shown, never run", escaping)
            def other_pages():
                for path, shot in [("/incidents", "10-incidents.png"), ("/audit", "11-audit.png"), ("/approvals", "12-approvals.png")]:
                    r = page.goto(base + path)
                    assert r.status == 200, f"{path}: {r.status}"
                    page.screenshot(path=str(SHOTS / shot), full_page=True)
                page.goto(base + "/incidents")
                if page.locator("article.incident").count():
                    expect(page.locator("article.incident ol.timeline li.event").first).to_be_visible()
                    page.set_viewport_size({"width": 390, "height": 844})
                    page.screenshot(path=str(SHOTS / "incidents-390.png"), full_page=True)
                    page.set_viewport_size({"width": 1200, "height": 900})
                page.goto(base + "/audit")
                expect(page.locator("main")).to_contain_text("intact")
                page.set_viewport_size({"width": 390, "height": 844})
                page.goto(base + "/runs/" + state["run"])
                page.screenshot(path=str(SHOTS / "13-run-phone.png"), full_page=True)
                page.goto(base + "/")
                page.screenshot(path=str(SHOTS / "14-runs-phone.png"), full_page=True)
            check("incidents, audit and the phone views render", other_pages)

            def every_page_accessible():
                pages = [("runs", "/"), ("run", "/runs/" + state["run"]), ("approvals", "/approvals"),
                         ("incidents", "/incidents"), ("audit", "/audit")]
                for name, path in pages:
                    page.goto(base + path)
                    at_widths(page, name)
                anon = browser.new_context().new_page()
                anon.goto(base + "/login")
                at_widths(anon, "login")
            check("axe-core: no serious or critical violation on any page at 390 and 1280 px", every_page_accessible)
            browser.close()
    finally:
        if run and run.poll() is None:
            run.terminate()
        if server:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        sh("psql", db_url, "-X", "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", check=False)
        shutil.rmtree(home, ignore_errors=True)
    failed = sum(1 for _, e in results if e)
    print(f"console browser test: {len(results) - failed} passed, {failed} failed")
    print(f"screenshots: {SHOTS}")
    if axe_summary:
        summary = axe_lines()
        (SHOTS / "axe-summary.txt").write_text("\n".join(summary) + "\n")
        print("axe-core violations by impact (the last check of each page and width):")
        for line in summary:
            print("  " + line)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
