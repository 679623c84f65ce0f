#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol through Overdue's dashboard.

    python3 scripts/browser-check.py --base http://127.0.0.1:PORT --email E --password P --out DIR

Signs in through the real form (typing into the fields and pressing the button), opens each page,
checks its key content and that no script error happened, saves a screenshot per page (desktop
1280×900 and one phone-sized view), and prints one JSON line per page:
{"page", "ok", "title", "missing": [...], "errors": [...], "screenshot"}. Exit 1 if any page fails.
Needs Debian's `chromium` and PyPI `websocket-client`.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

PAGES = [
    # (name, path, texts that must be on the page)
    ("overview", "/app", ["Overview", "Overdue", "Aging", "Promises due this week", "DSO trend", "What works"]),
    ("worklist", "/app/cases", ["Worklist", "most urgent first", "Why here"]),
    ("case", "/app/cases/S001", ["Timeline", "Contacts", "Invoices", "Why"]),
    ("inbox", "/app/inbox", ["Inbox", "a person"]),
    ("account", "/app/account", ["Your account", "Password", "Second factor"]),
    ("settings", "/app/settings", ["Settings", "Contact rules", "window.holidays", "Managers and admins can change settings"]),
]

# Every signed-in page, checked again on a phone's width: nothing may be wider than the screen
# (wide tables scroll inside their card).
PHONE_PAGES = [path for _, path, _ in PAGES] + [
    "/app/templates", "/app/templates/email/reminder_1", "/app/cadence", "/app/import", "/app/audit",
    "/app/settings/users", "/app/settings/keys", "/app/settings/webhooks",
]


def check_phone(b, args):
    """Each page at 390 px: the document is no wider than the screen. A page that overflows is
    named with the widest element that sticks out, so the failure says what to fix."""
    ok = True
    b.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
    for path in PHONE_PAGES:
        b.navigate(args.base + path)
        overflow = b.eval("document.documentElement.scrollWidth > window.innerWidth + 1")
        culprit = ""
        if overflow:
            culprit = b.eval("""(() => {
                let worst = null, right = window.innerWidth;
                for (const e of document.querySelectorAll('body *')) {
                    const r = e.getBoundingClientRect();
                    if (r.right > right + 1) { right = r.right; worst = e; }
                }
                return worst ? worst.tagName.toLowerCase() + (worst.className ? '.' + String(worst.className).split(' ').join('.') : '') + ' reaches ' + Math.round(right) + ' px' : '';
            })()""") or ""
        name = "phone" + path.replace("/", "-")
        b.screenshot(os.path.join(args.out, name + ".png"), 390, 844, mobile=True)
        print(json.dumps({"page": name, "ok": not overflow, "title": b.eval("document.title"),
                          "missing": [f"fits the phone's width ({culprit})"] if overflow else [], "errors": [], "screenshot": name + ".png"}))
        ok &= not overflow
    b.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Browser:
    def __init__(self, binary):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="overdue-chromium-")
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--disable-extensions", f"--user-data-dir={self.profile}", f"--remote-debugging-port={self.port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
        deadline = time.time() + 30
        while True:
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                if time.time() > deadline:
                    raise RuntimeError("chromium did not start")
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events = []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_load(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("method") == "Page.loadEventFired" for e in self.events):
                self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
                return
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        raise RuntimeError("page did not load")

    def navigate(self, url):
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_load()

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def errors(self):
        out = []
        for e in self.events:
            if e.get("method") == "Runtime.exceptionThrown":
                out.append(e["params"]["exceptionDetails"].get("text", "exception"))
            elif e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error":
                out.append(e["params"]["entry"].get("text", "error"))
        return out

    def screenshot(self, path, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


def wait_for(b, expression, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = b.eval(expression)
        if value:
            return value
        time.sleep(0.2)
    return None


def upload(b, args, text):
    path = os.path.join(args.out, "upload.csv")
    with open(path, "w") as f:
        f.write(text)
    b.navigate(args.base + "/app/import")
    doc = b.call("DOM.getDocument")
    node = b.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector="#file")["nodeId"]
    b.call("DOM.setFileInputFiles", files=[path], nodeId=node)
    b.eval("document.getElementById('kind').value = 'invoices'")
    b.eval("document.querySelector('#import button[type=submit]').click()")
    return wait_for(b, "document.getElementById('result').innerText")


def check_import(b, args):
    header = "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\n"
    bad = upload(b, args, header + "BR-1,BRW1,Browser Freight,1250.00,USD,2026-10-01,2026-10-31\nBR-2,BRW1,Browser Freight,abc,USD,2026-10-01,2026-10-31\n") or ""
    b.screenshot(os.path.join(args.out, "import.png"), 1280, 900)
    good = upload(b, args, header + "BR-1,BRW1,Browser Freight,1250.00,USD,2026-10-01,2026-10-31\n") or ""
    missing = []
    if "line 3, column amount" not in bad or "Nothing was written" not in bad:
        missing.append(f"bad row named: {bad[:200]!r}")
    if "Imported 1 of 1 rows" not in good:
        missing.append(f"good file imported: {good[:200]!r}")
    errors = b.errors()
    ok = not missing and not errors
    print(json.dumps({"page": "import", "ok": ok, "title": b.eval("document.title"), "missing": missing, "errors": errors, "screenshot": "import.png"}))
    return ok


def check_template(b, args):
    """The template editor previews the template with the SMS segment count; for someone who may not
    change templates (the check signs in as a collector) the text is read-only and the preview stays
    the template in force (previewing a draft needs `manage`)."""
    b.navigate(args.base + "/app/templates/sms/reminder.friendly")
    first = wait_for(b, "document.getElementById('preview-meta').innerText.includes('segment') && document.getElementById('preview-body').innerText")
    readonly = b.eval("document.getElementById('body').readOnly")
    b.eval("var t = document.getElementById('body'); t.value = 'Hi {{debtor}}, {{total}} is past due (browser check).'; t.dispatchEvent(new Event('input'))")
    time.sleep(1)
    after = b.eval("document.getElementById('preview-body').innerText")
    b.screenshot(os.path.join(args.out, "template.png"), 1280, 900)
    missing = []
    if not first:
        missing.append("a first preview")
    if readonly is not True:
        missing.append("a read-only text for a collector")
    if not after or "(browser check)" in after or after != first:
        missing.append(f"the preview still of the template in force: {after!r}")
    errors = b.errors()
    ok = not missing and not errors
    print(json.dumps({"page": "template", "ok": ok, "title": b.eval("document.title"), "missing": missing, "errors": errors, "screenshot": "template.png"}))
    return ok


def unlabelled(b):
    """How many visible fields have no label (keyboard and screen-reader users need one)."""
    return b.eval("[...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length")


def check_case_actions(b, args):
    """A promise heard on the phone, recorded from the case page: the page says so and the
    timeline shows it; a date in the past is refused, said on the page, nothing recorded."""
    b.navigate(args.base + "/app/cases/S001")
    b.eval("document.getElementById('p-date').value = '2020-01-02'; document.getElementById('p-date').removeAttribute('min')")
    b.eval("document.getElementById('p-date').form.querySelector('button[type=submit]').click()")
    b.wait_load()
    refused = b.eval("(document.querySelector('.error') || {}).innerText || ''") or ""
    future = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 6 * 86400))
    b.eval(f"document.getElementById('p-date').value = {json.dumps(future)}; document.getElementById('p-amount').value = '150.00'")
    b.eval("document.getElementById('p-date').form.querySelector('button[type=submit]').click()")
    b.wait_load()
    notice = b.eval("(document.querySelector('.notice') || {}).innerText || ''") or ""
    timeline = b.eval("document.querySelector('.timeline').innerText") or ""
    b.screenshot(os.path.join(args.out, "case-actions.png"), 1280, 900)
    missing = []
    if "is in the past" not in refused:
        missing.append(f"the past date refused: {refused[:160]!r}")
    if "Promise recorded" not in notice:
        missing.append(f"the promise confirmed: {notice[:160]!r}")
    if f"by {future}" not in timeline:
        missing.append("the promise in the timeline")
    errors = b.errors()
    ok = not missing and not errors
    print(json.dumps({"page": "case-actions", "ok": ok, "title": b.eval("document.title"), "missing": missing, "errors": errors, "screenshot": "case-actions.png"}))
    return ok


def check_cadence(b, args):
    """The cadence editor previews an unsaved ladder: two SMS a day apart, then email."""
    b.navigate(args.base + "/app/cadence")
    before = b.eval("document.querySelectorAll('svg.cadence circle').length") or 0
    b.eval("document.getElementById('s0c').value = 'sms'; document.getElementById('s0a').value = '2'; document.getElementById('s0d').value = '1'")
    b.eval("document.getElementById('s1c').value = 'email'; document.getElementById('s1a').value = '1'; document.getElementById('s2c').value = ''")
    b.eval("document.querySelector('button[value=preview]').click()")
    b.wait_load()
    text = b.eval("document.body.innerText") or ""
    after = b.eval("document.querySelectorAll('svg.cadence circle').length") or 0
    b.screenshot(os.path.join(args.out, "cadence.png"), 1280, 900)
    missing = []
    if "Preview (not saved)" not in text:
        missing.append("the unsaved preview")
    if before != 9 or after != 3:
        missing.append(f"attempts on the chart: {before} then {after} (want 9 then 3)")
    bare = unlabelled(b)
    if bare:
        missing.append(f"{bare} unlabelled field(s)")
    errors = b.errors()
    ok = not missing and not errors
    print(json.dumps({"page": "cadence", "ok": ok, "title": b.eval("document.title"), "missing": missing, "errors": errors, "screenshot": "cadence.png"}))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--email", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    b = Browser(args.chromium)
    failed = False
    try:
        b.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        # Sign in the way a person does: the form, typed into, submitted with the button.
        b.navigate(args.base + "/app")
        on_login = b.eval("location.pathname") == "/login"
        b.screenshot(os.path.join(args.out, "login.png"), 1280, 900)
        b.eval(f"document.getElementById('email').value = {json.dumps(args.email)}")
        b.eval(f"document.getElementById('password').value = {json.dumps(args.password)}")
        b.events = []
        b.eval("document.querySelector('form button[type=submit]').click()")
        b.wait_load()
        signed_in = b.eval("location.pathname") == "/app" and b.eval("!!document.querySelector('form.signout')")
        print(json.dumps({"page": "login", "ok": bool(on_login and signed_in), "title": b.eval("document.title"), "missing": [] if signed_in else ["signed in"],
                          "errors": [], "screenshot": "login.png"}))
        failed |= not (on_login and signed_in)
        for name, path, texts in PAGES:
            b.navigate(args.base + path)
            text = b.eval("document.body.innerText") or ""
            missing = [t for t in texts if t not in text]
            # Keyboard: every link and button is reachable and labelled.
            bare = unlabelled(b)
            if bare:
                missing.append(f"{bare} unlabelled field(s)")
            shot = f"{name}.png"
            b.screenshot(os.path.join(args.out, shot), 1280, 900)
            errors = b.errors()
            ok = not missing and not errors
            failed |= not ok
            print(json.dumps({"page": name, "ok": ok, "title": b.eval("document.title"), "missing": missing, "errors": errors, "screenshot": shot}))
        # A CSV upload through the import page: a bad row is named by line and column, nothing is
        # written; the fixed file is imported.
        failed |= not check_import(b, args)
        failed |= not check_template(b, args)
        failed |= not check_case_actions(b, args)
        failed |= not check_cadence(b, args)
        # Every page on a phone.
        failed |= not check_phone(b, args)
    finally:
        b.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
