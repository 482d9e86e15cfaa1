/// The console's Mustache templates (swift-mustache: `{{x}}` is HTML-escaped; no template here
/// uses `{{{x}}}` for anything but ``ConsoleViews``' own rendered fragments). Kept in the
/// binary, so `runbook serve` needs no file beside it.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "runs": runs, "run": run, "run-live": runLive, "approvals": approvals,
        "incidents": incidents, "audit": audit, "message": message, "login": login, "result-table": resultTable,
        "approval-head": approvalHead, "approval-plan": approvalPlan,
        "before-after": beforeAfter,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · runbook</title>
        <link rel="stylesheet" href="/style.css">
        <script src="/live.js" defer></script>
        </head>
        <body data-page="{{page}}"{{#runID}} data-run="{{runID}}"{{/runID}}>
        <header class="top">
          <a class="brand" href="/">runbook</a>
          <nav>
            <a href="/"{{#onRuns}} aria-current="page"{{/onRuns}}>Runs</a>
            <a href="/approvals"{{#onApprovals}} aria-current="page"{{/onApprovals}}>Approvals</a>
            <a href="/incidents"{{#onIncidents}} aria-current="page"{{/onIncidents}}>Incidents</a>
            <a href="/audit"{{#onAudit}} aria-current="page"{{/onAudit}}>Audit</a>
          </nav>
          <span class="who">{{#user}}{{user}} · {{/user}}{{environment}} <span id="live" class="live off" title="live updates">offline</span></span>
        </header>
        <main>
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let runs = """
        <h1>Runs</h1>
        <form class="filters" method="get" action="/">
          <label>Runbook <input name="runbook" value="{{filter_runbook}}" size="18"></label>
          <label>Environment <input name="environment" value="{{filter_environment}}" size="10"></label>
          <label>Operator <input name="operator" value="{{filter_operator}}" size="14"></label>
          <label>Status <select name="status">
            {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}
          </select></label>
          <button type="submit">Filter</button>
        </form>
        <div id="refresh">
        {{#hasRuns}}
        <div class="scroll"><table class="runs">
          <thead><tr><th>Status</th><th>Run</th><th>Runbook</th><th class="wide">Env</th><th>Mode</th><th class="wide">Operator</th><th class="wide">Started (UTC)</th><th>Duration</th></tr></thead>
          <tbody>
          {{#runs}}
          <tr><td><span class="badge {{tone}}"><span aria-hidden="true">{{glyph}}</span> {{status}}</span></td>
              <td><a href="/runs/{{idPath}}">{{id}}</a></td><td>{{runbook}}</td><td class="wide">{{environment}}</td><td>{{mode}}</td>
              <td class="wide">{{operator}}</td><td class="wide">{{started}}</td><td>{{duration}}</td></tr>
          {{/runs}}
          </tbody>
        </table></div>
        {{/hasRuns}}
        {{^runs}}<p class="empty">No runs match.</p>{{/runs}}
        <p class="pager">{{#newest}}<a href="{{newest}}">« newest</a>{{/newest}} {{#older}}<a rel="next" href="{{older}}">older »</a>{{/older}}</p>
        </div>
        """

    static let run = """
        <p class="crumbs"><a href="/">Runs</a> › {{runID}}</p>
        {{#missing}}<p class="empty">The ledger has no run {{runID}} yet; this page follows it when it starts.</p>{{/missing}}
        <div id="run-live">{{{live}}}</div>
        """

    static let runLive = """
        <section class="run-head">
          <h1><span class="badge {{tone}}"><span aria-hidden="true">{{glyph}}</span> {{status}}</span> {{runbook}}</h1>
          <dl class="facts">
            <dt>Environment</dt><dd>{{environment}}</dd><dt>Mode</dt><dd>{{mode}}</dd>
            <dt>Operator</dt><dd>{{operator}}{{#host}} on {{host}}{{/host}}</dd>
            <dt>Started</dt><dd>{{started}}</dd><dt>Duration</dt><dd>{{duration}}</dd>
            {{#exitCode}}<dt>Exit</dt><dd>{{exitCode}}</dd>{{/exitCode}}
            {{#runLock}}<dt>Run lock</dt><dd>{{runLock}}</dd>{{/runLock}}
            {{#hasInputs}}<dt>Inputs</dt><dd>{{#inputs}}<code>{{key}}={{value}}</code> {{/inputs}}</dd>{{/hasInputs}}
          </dl>
          {{#message}}<p class="note">{{message}}</p>{{/message}}
          {{#hasPending}}<p class="note yellow">Waiting for approval: {{#pending}}<a href="/approvals#{{id}}">{{id}}</a> {{/pending}}</p>{{/hasPending}}
        </section>
        <ol class="steps">
        {{#steps}}
          <li class="step {{tone}}" id="step-{{id}}">
            <details{{#open}} open{{/open}}>
            <summary class="step-head"><span class="badge {{tone}}"><span aria-hidden="true">{{glyph}}</span> {{status}}</span> <strong>{{id}}</strong> <span class="dim">{{kind}}{{#duration}} · {{duration}}{{/duration}}{{#attempts}} · {{attempts}} attempts{{/attempts}}</span>{{#verdict}} <span class="verdict">{{verdict}}</span>{{/verdict}}</summary>
            {{#command}}<pre class="cmd"><span class="dim">{{verb}}</span> {{command}}</pre>{{/command}}
            {{#skipped}}<p class="dim">skipped: {{skipped}}</p>{{/skipped}}
            {{#gates}}<p class="gate">gate ({{risk}}): <span class="badge {{tone}}">{{decision}}</span> by {{by}} via {{how}}{{#question}} — asked: {{question}}{{/question}}{{#approvers}}; approved by {{approvers}}{{/approvers}}{{#requestID}} (<a href="/approvals#{{requestID}}">{{requestID}}</a>){{/requestID}}</p>{{/gates}}
            {{#stale}}<p>The approval is void: the plan changed since it was approved.</p>{{> before-after}}{{/stale}}
            {{#message}}<p class="msg">{{message}}</p>{{/message}}
            {{#table}}{{> result-table}}{{/table}}
            {{#excerpt}}<pre class="excerpt">{{excerpt}}</pre>{{/excerpt}}
            </details>
          </li>
        {{/steps}}
        </ol>
        {{#ended}}<p class="ended">ended {{ended}}: <span class="badge {{tone}}">{{status}}</span></p>{{/ended}}
        {{^ended}}<p class="ended dim">{{stillRunning}}</p>{{/ended}}
        """

    static let approvals = """
        <h1>Approvals</h1>
        {{#notice}}<p class="note {{tone}}">{{notice}}</p>{{/notice}}
        <div id="refresh">
        {{^requests}}<p class="empty">No approval request is waiting in {{environment}}.</p>{{/requests}}
        {{#requests}}
        <article class="request" id="{{id}}">
          {{{headHTML}}}
          {{#canDecide}}
          <div class="actions">
            <form method="post" action="/approvals/{{id}}/approve">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label>Comment <input name="comment" maxlength="500" autocomplete="off"></label>
              <button class="approve" type="submit">Approve</button>
            </form>
            <form method="post" action="/approvals/{{id}}/deny">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label>Reason <input name="reason" required maxlength="500" autocomplete="off"></label>
              <button class="deny" type="submit">Deny</button>
            </form>
          </div>
          {{/canDecide}}
          {{#why}}<p class="dim">{{why}}</p>{{/why}}
        </article>
        {{/requests}}
        </div>
        """

    /// An approvals card but its buttons (what the request and its decisions say, the same for
    /// every viewer), rendered once per request and its standing (``RunbookLedger/KeptByRequest``)
    /// and put into the card as it is (its values escaped here).
    static let approvalHead = """
        <h2><span class="badge {{tone}}"><span aria-hidden="true">{{glyph}}</span> {{status}}</span> {{action}} <span class="dim">of {{runbook}} · {{risk}} risk · {{have}}/{{required}}</span></h2>
          {{{planHTML}}}
          <p class="digest"><span class="dim">Asked in run</span> <a href="/runs/{{runPath}}">{{runID}}</a> <span class="dim">· expires {{expires}} · digest</span> <code>{{digest}}</code></p>
          {{#hasDecisions}}<ul class="decisions">{{#decisions}}<li><span class="badge {{tone}}">{{verdict}}</span> by {{approver}}{{#console}} via console{{/console}} at {{at}}{{#comment}}: {{comment}}{{/comment}}{{^verified}} <strong class="red">signature does not verify</strong>{{/verified}}</li>{{/decisions}}</ul>{{/hasDecisions}}
        """

    /// The plan part of an approvals card (``ConsoleViews/plan(_:)``), rendered once per request
    /// by ``RunbookLedger/KeptByRequest`` and put into the card as it is (its values escaped here).
    static let approvalPlan = """
        <p class="lead">{{sentence}}</p>
          {{#command}}<pre class="cmd" aria-label="the command it will run"><span class="dim">will run</span> {{command}}</pre>{{/command}}
          {{#question}}<p><span class="dim">Question:</span> {{question}}</p>{{/question}}
          {{#inputs}}<p><span class="dim">Inputs:</span> {{#items}}<code>{{key}}={{value}}</code> {{/items}}</p>{{/inputs}}
          {{#alreadyDone}}<p><span class="dim">Already done before this request:</span> {{alreadyDone}}</p>{{/alreadyDone}}
          {{#findings}}
          <section class="finding" aria-label="finding {{step}}">
            <h3><span class="badge {{tone}}"><span aria-hidden="true">{{glyph}}</span> {{status}}</span> {{step}}{{#title}} <span class="dim">— {{title}}</span>{{/title}}</h3>
            {{#hasValues}}<ul class="reads">{{#values}}<li><span class="dim">{{read}}</span> <code>{{path}}</code>{{#rows}}: the rows below{{/rows}}{{^rows}} = <mark>{{value}}</mark>{{/rows}}</li>{{/values}}</ul>{{/hasValues}}
            {{#table}}{{> result-table}}{{/table}}
            {{#excerpt}}<pre class="excerpt">{{excerpt}}</pre>{{/excerpt}}
          </section>
          {{/findings}}
          {{#noFindings}}<p class="dim">Findings: none (the action reads no earlier step).</p>{{/noFindings}}
          {{#unreadable}}<p class="dim">The stored plan cannot be read by this console.</p>{{/unreadable}}
        """

    /// A ``RunbookCore/ResultTable`` (``ConsoleViews/table(_:)``): columns in the query's
    /// order, numbers right-aligned, the value an action read marked, "and N more".
    static let resultTable = """
        <div class="scroll" tabindex="0" role="region" aria-label="{{label}}"><table class="result">
          <thead><tr>{{#columns}}<th scope="col"{{#numeric}} class="num"{{/numeric}}>{{name}}</th>{{/columns}}</tr></thead>
          <tbody>{{#rows}}<tr>{{#cells}}<td{{#numeric}} class="num"{{/numeric}}>{{#highlighted}}<mark>{{text}}</mark>{{/highlighted}}{{^highlighted}}{{text}}{{/highlighted}}</td>{{/cells}}</tr>{{/rows}}</tbody>
        </table></div>
        <p class="dim more">{{#more}}and {{more}} more · {{/more}}{{summary}}</p>
        """

    /// What changed since an approval, as a small before/after table.
    static let beforeAfter = """
        <div class="scroll" tabindex="0" role="region" aria-label="what changed since the approval"><table class="diff">
          <thead><tr><th scope="col">changed</th><th scope="col">approved</th><th scope="col">now</th></tr></thead>
          <tbody>{{#changes}}<tr><th scope="row">{{what}}</th><td>{{before}}</td><td>{{after}}</td></tr>{{/changes}}</tbody>
        </table></div>
        """

    static let incidents = """
        <h1>Incidents</h1>
        {{^incidents}}<p class="empty">No incidents in the ledger.</p>{{/incidents}}
        {{#incidents}}
        <article class="incident {{tone}}" id="{{id}}">
          <h2><span class="badge {{tone}}">{{status}}</span> {{severity}} · {{title}}</h2>
          <p class="dim">{{id}} · {{environment}} · opened by {{openedBy}} at {{started}}{{#resolved}} · resolved {{resolved}} ({{lasted}}){{/resolved}} · escalation level {{escalation}}</p>
          {{#rootCause}}<p>Root cause: {{rootCause}}</p>{{/rootCause}}
          {{#resolution}}<p>Resolution: {{resolution}}</p>{{/resolution}}
          <ol class="timeline">{{#events}}
            <li class="event {{tone}}"><span class="when">{{at}}</span> <span class="badge {{tone}}"><span aria-hidden="true">{{glyph}}</span> {{kind}}</span> <span class="dim">by</span> {{author}}
              {{#message}}<p>{{message}}</p>{{/message}}
              {{#runID}}<p><a href="/runs/{{runPath}}">{{runID}}</a>{{#runStatus}} <span class="badge {{runTone}}"><span aria-hidden="true">{{runGlyph}}</span> {{runStatus}}</span>{{/runStatus}}</p>{{/runID}}</li>
          {{/events}}</ol>
        </article>
        {{/incidents}}
        """

    static let audit = """
        <h1>Audit</h1>
        <p><span class="badge {{tone}}">{{glyph}} {{verdict}}</span> <span class="dim">audit verify --ledger at {{at}} ({{took}})</span></p>
        <form method="post" action="/audit/refresh">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <button type="submit"{{#refreshing}} disabled{{/refreshing}}>{{#refreshing}}Verifying…{{/refreshing}}{{^refreshing}}Verify again{{/refreshing}}</button>
        </form>
        <ul class="verify">{{#lines}}<li class="{{tone}}">{{text}}</li>{{/lines}}</ul>
        <h2>Checkpoints</h2>
        {{^checkpoints}}<p class="empty">No signed checkpoint in the ledger yet.</p>{{/checkpoints}}
        {{#hasCheckpoints}}
        <div class="scroll"><table>
          <thead><tr><th>Signed by</th><th>Seq</th><th class="wide">Source</th><th>Run</th><th>Time</th><th class="wide">Hash</th></tr></thead>
          <tbody>{{#checkpoints}}<tr><td>{{principal}}</td><td>{{seq}}</td><td class="wide"><code>{{source}}</code></td><td>{{#runID}}<a href="/runs/{{runPath}}">{{runID}}</a>{{/runID}}{{^runID}}-{{/runID}}</td><td>{{time}}</td><td class="wide"><code>{{hash}}</code></td></tr>{{/checkpoints}}</tbody>
        </table></div>
        {{/hasCheckpoints}}
        """

    static let message = """
        <h1>{{heading}}</h1>
        <p class="note {{tone}}">{{message}}</p>
        {{#back}}<p><a href="{{back}}">Back</a></p>{{/back}}
        """

    static let login = """
        <h1>Sign in</h1>
        {{#message}}<p class="note red">{{message}}</p>{{/message}}
        <p>Behind the company's sign-on proxy you are signed in already. Otherwise give your console token (made with <code>runbook serve token USER --file FILE</code>).</p>
        <form method="post" action="/login" class="login">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Token <input name="token" type="password" autocomplete="current-password" required></label>
          <button type="submit">Sign in</button>
        </form>
        """
}
