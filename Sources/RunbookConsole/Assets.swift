/// The console's one stylesheet and its few lines of JavaScript (live updates only: every page
/// works without it). Served from the binary: no external asset, no build chain.
enum Assets {
    static let stylesheet = """
        :root { --green: #1a7f37; --yellow: #9a6700; --red: #cf222e; --magenta: #8250df; --cyan: #0969da; --dim: #57606a;
                --bg: #ffffff; --fg: #1f2328; --line: #d0d7de; --soft: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .6rem 1rem; background: #24292f; color: #fff; }
        header.top a { color: #fff; text-decoration: none; }
        header.top .brand { font-weight: 700; }
        header.top nav { display: flex; gap: .9rem; flex-wrap: wrap; }
        header.top nav a[aria-current] { text-decoration: underline; }
        header.top .who { margin-left: auto; font-size: .85rem; opacity: .9; }
        main { padding: 1rem; max-width: 1100px; margin: 0 auto; }
        h1 { font-size: 1.35rem; margin: .3rem 0 .8rem; } h2 { font-size: 1.1rem; margin: .2rem 0 .5rem; }
        a { color: var(--cyan); }
        .dim { color: var(--dim); }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .85rem; font-weight: 600; white-space: nowrap;
                 border: 1px solid currentColor; }
        .green { color: var(--green); } .yellow { color: var(--yellow); } .red { color: var(--red); }
        .magenta { color: var(--magenta); } .cyan { color: var(--cyan); } .dim.badge, .badge.dim { color: var(--dim); }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: .8rem; text-transform: uppercase; color: var(--dim); }
        .filters { display: flex; flex-wrap: wrap; gap: .5rem .8rem; align-items: end; margin-bottom: 1rem; }
        .filters label, .actions label, .login label { display: flex; flex-direction: column; font-size: .8rem; color: var(--dim); }
        input, select, button { font: inherit; padding: .3rem .45rem; border: 1px solid var(--line); border-radius: 6px; }
        button { background: var(--soft); cursor: pointer; }
        button.approve { background: var(--green); color: #fff; border-color: var(--green); }
        button.deny { background: var(--red); color: #fff; border-color: var(--red); }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
              padding: .5rem .6rem; margin: .35rem 0; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--fg); }
        .steps { list-style: none; padding: 0; margin: 0; }
        .step { border: 1px solid var(--line); border-left: 6px solid var(--dim); border-radius: 6px; padding: .5rem .7rem; margin: .5rem 0; color: var(--fg); }
        .step.green { border-left-color: var(--green); } .step.yellow { border-left-color: var(--yellow); } .step.red { border-left-color: var(--red); }
        .step.magenta { border-left-color: var(--magenta); } .step.cyan { border-left-color: var(--cyan); }
        .step p { margin: .25rem 0; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: 0 0 .6rem; }
        .facts dt { color: var(--dim); } .facts dd { margin: 0; }
        .note { padding: .45rem .6rem; border-radius: 6px; background: var(--soft); border: 1px solid var(--line); }
        .request, .incident { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .8rem; margin: .8rem 0; color: var(--fg); }
        .actions { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: .6rem; }
        .actions form { display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; }
        .verify li { margin: .2rem 0; } .empty { color: var(--dim); }
        .live { padding: 0 .4rem; border-radius: 1rem; font-size: .75rem; }
        .live.on { background: var(--green); color: #fff; } .live.off { background: #57606a; color: #fff; }
        .lead { font-size: 1.02rem; margin: .3rem 0 .5rem; }
        .finding { margin: .7rem 0; } .finding h3 { font-size: 1rem; margin: .2rem 0; }
        .reads { margin: .2rem 0; padding-left: 1.1rem; overflow-wrap: anywhere; }
        mark { background: #fff3b0; color: var(--fg); padding: 0 .15rem; border-radius: 3px; font-weight: 600; outline: 1px solid var(--yellow); }
        table.result, table.diff { width: auto; min-width: 50%; font-size: .9rem; }
        table.result td, table.diff td { max-width: 24rem; overflow-wrap: anywhere; }
        table.result th, table.diff th { text-transform: none; font-size: .8rem; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        p.more { margin: .15rem 0 .4rem; font-size: .85rem; }
        .digest code { overflow-wrap: anywhere; font-size: .8rem; }
        .step details > summary { cursor: pointer; list-style-position: outside; margin-left: 1rem; }
        .step .verdict { color: var(--fg); }
        .scroll:focus-visible, summary:focus-visible, a:focus-visible, button:focus-visible, input:focus-visible { outline: 2px solid var(--cyan); outline-offset: 2px; }
        .timeline { list-style: none; margin: .6rem 0 0; padding: 0 0 0 1rem; border-left: 2px solid var(--line); }
        .timeline .event { position: relative; margin: 0 0 .7rem; padding-left: .6rem; overflow-wrap: anywhere; }
        .timeline .event::before { content: ""; position: absolute; left: -1.45rem; top: .45rem; width: .7rem; height: .7rem;
                                   border-radius: 50%; background: var(--bg); border: 2px solid currentColor; }
        .timeline .event { color: var(--dim); } .timeline .event > * { color: var(--fg); }
        .timeline .event.green { color: var(--green); } .timeline .event.red { color: var(--red); } .timeline .event.yellow { color: var(--yellow); }
        .timeline .event.magenta { color: var(--magenta); } .timeline .event.cyan { color: var(--cyan); }
        .timeline .event .badge.green { color: var(--green); } .timeline .event .badge.red { color: var(--red); }
        .timeline .event .badge.yellow { color: var(--yellow); } .timeline .event .badge.magenta { color: var(--magenta); }
        .timeline .event .badge.cyan { color: var(--cyan); } .timeline .event .badge.dim, .timeline .event .dim { color: var(--dim); }
        .timeline .when { font-variant-numeric: tabular-nums; font-size: .85rem; }
        .timeline p { margin: .15rem 0; }
        @media (max-width: 640px) { .wide { display: none; } main { padding: .6rem; } body { font-size: 14px; } }
        """

    static let liveScript = """
        // Live updates: the server-sent events of /api/events, fed by the ledger's LISTEN/NOTIFY.
        // Every page works without this script; it only keeps the page current.
        (function () {
          if (!window.EventSource) return;
          var body = document.body, run = body.getAttribute('data-run'), page = body.getAttribute('data-page');
          var dot = document.getElementById('live');
          var es = new EventSource('/api/events' + (run ? '?run=' + encodeURIComponent(run) : ''));
          es.addEventListener('hello', function () { if (dot) { dot.textContent = 'live'; dot.className = 'live on'; } });
          es.onerror = function () { if (dot) { dot.textContent = 'reconnecting'; dot.className = 'live off'; } };
          if (run) {
            // A step the reader opened or closed stays so when the steps are rendered again.
            var toggled = {};
            document.addEventListener('toggle', function (e) {
              var li = e.target.parentElement;
              if (li && li.id && li.id.indexOf('step-') === 0) toggled[li.id] = e.target.open;
            }, true);
            es.addEventListener('run', function (e) {
              var d = JSON.parse(e.data), el = document.getElementById('run-live');
              if (el && typeof d.html === 'string') {
                el.innerHTML = d.html;
                Object.keys(toggled).forEach(function (id) {
                  var li = document.getElementById(id), det = li && li.querySelector('details');
                  if (det) det.open = toggled[id];
                });
              }
            });
            return;
          }
          var timer = null;
          function refresh() {
            if (timer) return;
            timer = setTimeout(function () {
              timer = null;
              var a = document.activeElement;
              if (a && (a.tagName === 'INPUT' || a.tagName === 'SELECT') && a.closest('#refresh')) return;
              fetch(location.href, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : null; }).then(function (t) {
                if (!t) return;
                var fresh = new DOMParser().parseFromString(t, 'text/html').getElementById('refresh');
                var old = document.getElementById('refresh');
                if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
              });
            }, 250);
          }
          es.addEventListener('record', function (e) {
            var d = JSON.parse(e.data);
            if (page === 'runs' || page === 'approvals') { refresh(); }
          });
          es.addEventListener('approval', function () { if (page === 'approvals') refresh(); });
        })();
        """
}
