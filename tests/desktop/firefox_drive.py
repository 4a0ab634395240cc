#!/usr/bin/env python3
"""Drive a running Firefox through Marionette as a person would: open pages,
answer the client-certificate chooser and the token PIN dialog from
chrome-privileged script, and count every dialog.

  firefox_drive.py --port-file PROFILE/MarionetteActivePort visit URL \
      [--choose SHA256-FINGERPRINT] [--pin PIN ...] [--timeout S]
  firefox_drive.py --port-file ... modules

`visit` prints one JSON object: the page's state and text, the PIN prompts
(their text and what was answered), the chooser dialogs (the certificates
offered and the one chosen). Several `visit` words may follow each other
(`visit A ... visit B ...`) to run them in the same browser session. PINs
are given in order, one per prompt; a prompt with no PIN left is cancelled
and still counted. `modules` prints the PKCS#11 modules and their tokens, `policies` the
enterprise policies in force.
`quit` ends Firefox through Marionette.
"""

import argparse
import json
import os
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from marionette import Marionette, MarionetteError  # noqa: E402

# Chrome-privileged, run once per visit in the persistent sandbox "rssp":
# observers that answer the PIN prompt ("common-dialog-loaded") and the
# client-certificate chooser ("cert-dialog-loaded") the moment they open, and
# log each. They must live inside Firefox: while the PIN prompt is up, NSS
# holds the socket thread that also carries Marionette's connection, so no
# command from here could reach the dialog. The answer is dispatched after
# the observer returns, as a person's click would be.
# arguments: [pins (list), SHA-256 fingerprint (AB:CD:…) of the certificate
# to choose, or null].
INSTALL_ANSWERS = r"""
const [pins, fingerprint] = arguments;
if (!globalThis.rssp) {
  const st = {events: [], pins: [], fingerprint: null};
  globalThis.rssp = st;
  const later = f => Services.tm.dispatchToMainThread(f);
  st.onPrompt = {observe(subject) {
    const w = subject.document ? subject : subject.ownerGlobal;
    const doc = w.document;
    const dlg = doc.getElementById("commonDialog");
    const pass = doc.getElementById("password1Textbox");
    const text = (doc.getElementById("infoBody") || {}).textContent || "";
    if (!dlg || !pass || pass.hidden) {
      st.events.push({kind: "other-dialog", text: text});
      if (dlg) later(() => dlg.cancelDialog());
      return;
    }
    if (!st.pins.length) {
      st.events.push({kind: "pin", text: text, pin: null});
      later(() => dlg.cancelDialog());
      return;
    }
    const pin = st.pins.shift();
    st.events.push({kind: "pin", text: text, pin: pin});
    pass.value = pin;
    later(() => dlg.acceptDialog());
  }};
  st.onChooser = {observe(ask) {
    const doc = ask.ownerDocument;
    const list = doc.getElementById("nicknames");
    const certs = doc.defaultView.certArray;
    const offered = [];
    let chosen = null;
    for (let i = 0; i < list.itemCount; i++) {
      const item = list.getItemAtIndex(i);
      const cert = certs[parseInt(item.getAttribute("value"))];
      offered.push({label: item.getAttribute("label"), token: cert.tokenName});
      if (st.fingerprint && chosen === null && cert.sha256Fingerprint === st.fingerprint) {
        list.selectedItem = item;
        chosen = offered[offered.length - 1];
      }
    }
    st.events.push({kind: "chooser", offered: offered, chosen: chosen});
    if (chosen === null) {
      later(() => ask.cancelDialog());
      return;
    }
    // "Remember this decision" for the session, as the dialog offers.
    doc.getElementById("rememberSetting").value = "2";
    later(() => ask.acceptDialog());
  }};
  Services.obs.addObserver(st.onPrompt, "common-dialog-loaded");
  Services.obs.addObserver(st.onChooser, "cert-dialog-loaded");
}
globalThis.rssp.pins = pins.slice();
globalThis.rssp.fingerprint = fingerprint;
globalThis.rssp.events = [];
"""

TAKE_EVENTS = r"""
const st = globalThis.rssp;
const ev = st.events;
st.events = [];
return ev;
"""

LOAD_URL = r"""
const win = Services.wm.getMostRecentWindow("navigator:browser");
win.gBrowser.selectedBrowser.fixupAndLoadURIString(arguments[0], {
  triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal(),
});
"""

PAGE_STATE = r"""
return [document.readyState, document.documentURI,
        document.body ? document.body.innerText.slice(0, 4000) : ""];
"""

LIST_MODULES = r"""
const db = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
return (async () => {
  const out = [];
  for (const m of await db.listModules()) {
    const slots = [];
    for (const s of m.slots) {
      let token = null;
      try { token = s.getToken().tokenName; } catch (e) { token = null; }
      slots.push({slot: s.name, token: token});
    }
    out.push({name: m.name, library: m.libName, slots: slots});
  }
  return out;
})();
"""

# Enterprise policies as about:policies shows them: the engine's status
# (Ci.nsIEnterprisePolicies: 0 inactive, 1 active, 2 failed) and the names
# of the active policies.
POLICIES = r"""
return {status: Services.policies.status,
        active: Object.keys(Services.policies.getActivePolicies() || {})};
"""


def visit(m, url, pins, fingerprint, timeout):
    t0 = time.monotonic()
    result = {"url": url, "pin_prompts": [], "choosers": [], "other_dialogs": [],
              "state": None, "uri": None, "text": ""}
    m.set_context("chrome")
    m.execute(INSTALL_ANSWERS, [pins, fingerprint], sandbox="rssp")
    # Load from chrome: WebDriver:Navigate would wait on the dialogs the
    # load opens.
    m.execute(LOAD_URL, [url])
    deadline = t0 + timeout
    while True:
        if time.monotonic() > deadline:
            result["error"] = "timeout after %.0f s" % timeout
            break
        m.set_context("content")
        try:
            # None or an error while the page is changing under the script.
            state, uri, text = m.execute(PAGE_STATE) or (None, "", "")
        except MarionetteError:
            state, uri, text = None, "", ""
        # Done when the page (or Firefox's error page for it) has loaded;
        # every visit names its own URL, so an earlier page never counts.
        if state == "complete" and (uri == url or (uri.startswith("about:") and quote(url, safe="") in uri)):
            result.update(state=state, uri=uri, text=text)
            break
        time.sleep(0.1)
    m.set_context("chrome")
    for ev in m.execute(TAKE_EVENTS, sandbox="rssp"):
        key = {"pin": "pin_prompts", "chooser": "choosers"}.get(ev["kind"], "other_dialogs")
        result[key].append(ev)
    result["seconds"] = round(time.monotonic() - t0, 2)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--start-timeout", type=float, default=90)
    ap.add_argument("words", nargs=argparse.REMAINDER)
    a = ap.parse_args()

    deadline = time.monotonic() + a.start_timeout
    while True:
        try:
            port = int(open(a.port_file).read().strip())
            break
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                sys.exit("no Marionette port in %s after %.0f s" % (a.port_file, a.start_timeout))
            time.sleep(0.1)
    m = Marionette(port)
    m.new_session(pageLoadStrategy="none", acceptInsecureCerts=False)

    words = a.words
    while words:
        cmd, words = words[0], words[1:]
        if cmd == "visit":
            vp = argparse.ArgumentParser(prog="visit")
            vp.add_argument("url")
            vp.add_argument("--choose")
            vp.add_argument("--pin", action="append", default=[])
            vp.add_argument("--timeout", type=float, default=60)
            end = words.index("visit") if "visit" in words else len(words)
            for stop in ("modules", "policies", "quit"):
                if stop in words[:end]:
                    end = words.index(stop)
            v = vp.parse_args(words[:end])
            words = words[end:]
            print(json.dumps(visit(m, v.url, v.pin, v.choose, v.timeout)), flush=True)
        elif cmd == "policies":
            m.set_context("chrome")
            print(json.dumps(m.execute(POLICIES)), flush=True)
        elif cmd == "modules":
            m.set_context("chrome")
            print(json.dumps(m.execute(LIST_MODULES)), flush=True)
        elif cmd == "quit":
            m.quit()
            return
        else:
            sys.exit("unknown word %r" % cmd)


if __name__ == "__main__":
    main()
