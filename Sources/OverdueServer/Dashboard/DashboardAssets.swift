/// The dashboard's static files, compiled in (no CDN, no build step).
enum DashboardAssets {
    /// One stylesheet: readable type, high contrast (text ≥ 7:1 on white), visible focus, and a
    /// single column on a phone.
    static let css = """
        :root { --ink: #16202b; --muted: #4a5868; --line: #d5dce4; --bg: #f5f7fa; --card: #fff; --brand: #1f3a5f; --accent: #0b5cad;
                --ok: #1d6b35; --warn: #8a5300; --bad: #a4161a; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
        .top { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: center; padding: .6rem 1rem; background: var(--brand); color: #fff; }
        .top a { color: #fff; text-decoration: none; }
        .top nav a { padding: .25rem .5rem; border-radius: 4px; }
        .top nav a[aria-current="page"] { background: rgba(255,255,255,.18); font-weight: 600; }
        .brand { font-weight: 700; letter-spacing: .02em; }
        .signout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
        .who { font-size: .85rem; opacity: .9; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
        .narrow { max-width: 26rem; margin: 3rem auto; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; margin-bottom: 1rem; }
        .tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; display: flex; flex-direction: column; }
        .tile .k { color: var(--muted); font-size: .85rem; }
        .tile .v { font-size: 1.35rem; font-weight: 650; }
        .tile .s { color: var(--muted); font-size: .85rem; }
        .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
        table { width: 100%; border-collapse: collapse; }
        th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        thead th { font-size: .85rem; color: var(--muted); font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: var(--muted); }
        .small { font-size: .85rem; }
        .error { color: var(--bad); font-weight: 600; }
        .status { display: inline-block; padding: .05rem .45rem; border-radius: 999px; font-size: .8rem; border: 1px solid currentColor; }
        .status.active { color: var(--accent); } .status.handoff { color: var(--bad); } .status.paused { color: var(--warn); } .status.resolved { color: var(--ok); }
        form label { display: block; font-size: .9rem; margin: .5rem 0 .2rem; }
        input, select, textarea { font: inherit; padding: .45rem .55rem; border: 1px solid #8391a2; border-radius: 6px; width: 100%; background: #fff; color: var(--ink); }
        button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--brand); background: var(--brand); color: #fff; cursor: pointer; margin-top: .6rem; }
        .signout button { margin: 0; background: transparent; border-color: #fff; }
        .filters { display: grid; grid-template-columns: 2fr 1fr auto; gap: .25rem .75rem; align-items: end; margin-bottom: .5rem; }
        .filters label { grid-row: 1; } .filters input, .filters select, .filters button { grid-row: 2; margin: 0; }
        .bars { width: 100%; max-width: 720px; height: auto; display: block; }
        .actions { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem 1.5rem; align-items: start; }
        .bars rect { fill: var(--accent); } .bars .label { font-size: 13px; fill: var(--ink); } .bars .value { font-size: 12px; fill: var(--muted); }
        .counts { list-style: none; padding: 0; margin: 0; } .counts li { display: flex; justify-content: space-between; padding: .3rem 0; border-bottom: 1px solid var(--line); }
        .timeline { list-style: none; padding: 0; margin: 0; }
        .ev { display: grid; grid-template-columns: 11rem 1fr; gap: .75rem; padding: .6rem 0; border-bottom: 1px solid var(--line); }
        .ev time { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; }
        .ev.in blockquote { border-left-color: var(--accent); }
        blockquote { margin: .35rem 0; padding: .35rem .75rem; border-left: 3px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
        .inbox { list-style: none; padding: 0; }
        .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; } .row form { display: flex; gap: .5rem; align-items: end; } .row button { margin: 0; }
        button.secondary { background: #fff; color: var(--brand); }
        .cadence { width: 100%; max-width: 720px; height: auto; display: block; margin-bottom: .75rem; }
        .cadence .grid { stroke: var(--line, #d0d7de); stroke-width: 1; } .cadence .tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
        .cadence .label { font-size: 13px; fill: var(--ink); } .cadence .value { font-size: 12px; fill: var(--bad); }
        .cadence .dot { fill: var(--accent); } .cadence .dot.sms { fill: #7a4fb5; } .cadence .dot.voice { fill: #b5651d; }
        .stages input { width: 4.5rem; } .stages caption { text-align: left; font-weight: 600; padding: .5rem 0; }
        .actions h3 { margin: 0 0 .25rem; font-size: 1rem; }
        .tabs { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0 0 1rem; border-bottom: 1px solid var(--line); padding-bottom: .5rem; }
        .tabs a[aria-current] { font-weight: 700; text-decoration: none; border-bottom: 3px solid var(--accent); }
        fieldset.card { min-width: 0; } fieldset.card legend { font-weight: 700; font-size: 1.1rem; padding: 0 .25rem; }
        .setting { margin-bottom: .75rem; } .setting .hint { margin: .15rem 0 0; } .setting.invalid input, .setting.invalid select { border-color: var(--bad); }
        .checks { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .25rem 1rem; }
        .dso { width: 100%; max-width: 720px; height: auto; display: block; } .dso rect { fill: var(--accent); }
        .dso .grid { stroke: var(--line); } .dso .tick, .dso .value { font-size: 12px; text-anchor: middle; fill: var(--muted); } .dso .value { fill: var(--ink); }
        .pager { display: flex; gap: 1rem; align-items: center; justify-content: center; margin: 1rem 0; }
        .notice { background: #e8f3ec; border: 1px solid #9cc9ab; padding: .5rem .75rem; border-radius: 6px; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        label.inline { display: flex; gap: .5rem; align-items: center; } label.inline input { width: auto; }
        progress { width: 100%; height: 1rem; margin-top: .75rem; }
        code.key { font-size: 1.1rem; letter-spacing: .08em; overflow-wrap: anywhere; }
        .hint { color: var(--muted); font-size: .85rem; }
        @media (max-width: 640px) {
          .filters { grid-template-columns: 1fr; } .filters label, .filters input, .filters select, .filters button { grid-row: auto; }
          .ev { grid-template-columns: 1fr; } table.list thead { display: none; } table.list td { display: block; border: 0; padding: .15rem 0; }
          table.list tr { display: block; border-bottom: 1px solid var(--line); padding: .5rem 0; }
        }
        """

    /// The little script the dashboard uses: the CSV upload (progress bar, row-level errors). Pages
    /// work without it; the API it calls checks the session's CSRF token.
    /// Shows every `<time data-local>` in the browser's own zone (the page is rendered in the
    /// tenant's, which stays when scripts are off).
    static let timeScript = """
        document.querySelectorAll('time[data-local]').forEach(function (t) {
          var d = new Date(t.getAttribute('datetime'));
          if (isNaN(d.getTime())) return;
          t.title = t.textContent;
          t.textContent = d.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
                                                        hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
        });
        """

    static let script = """
        (function () {
          var form = document.getElementById('import');
          if (!form) return;
          form.addEventListener('submit', function (event) {
            event.preventDefault();
            var file = document.getElementById('file').files[0];
            if (!file) return;
            var kind = document.getElementById('kind').value;
            var skip = document.getElementById('skip').checked ? '?skip_invalid=true' : '';
            var progress = document.getElementById('progress');
            var result = document.getElementById('result');
            result.textContent = '';
            progress.hidden = false;
            progress.value = 0;
            var xhr = new XMLHttpRequest();
            xhr.open('POST', '/api/v1/imports/' + encodeURIComponent(kind) + skip);
            xhr.setRequestHeader('Content-Type', 'text/csv');
            xhr.setRequestHeader('X-CSRF-Token', form.dataset.csrf);
            xhr.upload.onprogress = function (e) { if (e.lengthComputable) progress.value = Math.round(e.loaded * 100 / e.total); };
            xhr.onload = function () {
              progress.value = 100;
              var body = {};
              try { body = JSON.parse(xhr.responseText); } catch (e) {}
              var p = document.createElement('p');
              var rows = (body.errors || body.skipped || []);
              if (xhr.status === 200) {
                p.textContent = 'Imported ' + body.rows_written + ' of ' + body.rows_read + ' rows; ' + body.debtors_replanned + ' debtor(s) re-planned.';
                p.className = 'notice';
              } else {
                p.textContent = rows.length ? (rows.length + ' problem(s) in the file. Nothing was written.') : (body.detail || ('The upload failed (HTTP ' + xhr.status + ').'));
                p.className = 'error';
              }
              result.appendChild(p);
              if (rows.length) {
                var table = document.createElement('table');
                var head = table.createTHead().insertRow();
                ['Where', 'Problem'].forEach(function (t) { var th = document.createElement('th'); th.scope = 'col'; th.textContent = t; head.appendChild(th); });
                var tbody = table.createTBody();
                rows.forEach(function (r) {
                  var tr = tbody.insertRow();
                  tr.insertCell().textContent = r.pointer.replace('#/line/', 'line ').replace('/', ', column ');
                  tr.insertCell().textContent = r.detail;
                });
                result.appendChild(table);
              }
            };
            xhr.onerror = function () { result.textContent = 'The upload did not reach the server.'; };
            xhr.send(file);
          });
        })();
        """

    /// The template editor: a live preview as you type (debounced), save and reset through the API.
    /// For someone who may not change templates the text is read-only and the preview is of the
    /// template in force (previewing a draft needs `manage`).
    static let templateScript = """
        (function () {
          var form = document.getElementById('template');
          if (!form) return;
          var name = form.dataset.name, channel = form.dataset.channel, csrf = form.dataset.csrf;
          var field = function (id) { var e = document.getElementById(id); return e ? e.value : null; };
          function call(method, url, body) {
            return fetch(url, { method: method, credentials: 'same-origin',
              headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body ? JSON.stringify(body) : undefined })
              .then(function (r) { return r.text().then(function (t) { var j = {}; try { j = JSON.parse(t); } catch (e) {} return { status: r.status, body: j }; }); });
          }
          var timer = null;
          var editable = !document.getElementById('body').readOnly;
          function preview() {
            var body = { name: name, channel: channel };
            if (editable) body.body = field('body');
            if (editable && field('subject') !== null && field('subject') !== '') body.subject = field('subject');
            if (field('debtor')) body.debtor_id = field('debtor');
            call('POST', '/api/v1/templates/preview', body).then(function (r) {
              var meta = document.getElementById('preview-meta');
              if (r.status !== 200) {
                document.getElementById('preview-body').textContent = '';
                meta.textContent = (r.body.errors || []).map(function (e) { return e.detail; }).join(' · ') || r.body.detail || ('HTTP ' + r.status);
                meta.className = 'error';
                return;
              }
              document.getElementById('preview-subject').textContent = r.body.subject || '';
              document.getElementById('preview-body').textContent = r.body.body;
              var parts = [];
              if (r.body.sms) parts.push(r.body.sms.characters + ' ' + r.body.sms.encoding + ' characters, ' + r.body.sms.segments + ' segment(s)');
              (r.body.warnings || []).forEach(function (w) { parts.push(w); });
              meta.textContent = parts.join(' · ');
              meta.className = 'muted small';
            });
          }
          function schedule() { clearTimeout(timer); timer = setTimeout(preview, 250); }
          ['body', 'subject', 'debtor'].forEach(function (id) { var e = document.getElementById(id); if (e) e.addEventListener('input', schedule); });
          form.addEventListener('submit', function (event) {
            event.preventDefault();
            var body = { body: field('body') };
            if (field('subject') !== null && field('subject') !== '') body.subject = field('subject');
            call('PUT', '/api/v1/templates/' + channel + '/' + name, body).then(function (r) {
              var saved = document.getElementById('saved');
              saved.textContent = r.status === 200 ? 'Saved: your company now uses this template.' : ((r.body.errors || []).map(function (e) { return e.detail; }).join(' · ') || r.body.detail);
              saved.className = r.status === 200 ? 'notice' : 'error';
            });
          });
          var reset = document.getElementById('reset');
          if (reset) reset.addEventListener('click', function () {
            call('DELETE', '/api/v1/templates/' + channel + '/' + name).then(function () { location.reload(); });
          });
          preview();
        })();
        """

    /// The web app manifest: installable on a phone's home screen.
    static let manifest = """
        {"name":"Overdue","short_name":"Overdue","start_url":"/app","scope":"/","display":"standalone","background_color":"#f5f7fa","theme_color":"#1f3a5f",
         "icons":[{"src":"/app/icon.svg","sizes":"any","type":"image/svg+xml","purpose":"any maskable"}]}
        """

    /// The app icon.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1f3a5f"/><path d="M18 34a14 14 0 1 0 14-14" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round"/><path d="M32 14v8l6-4z" fill="#ffbf47"/></svg>
        """
}
