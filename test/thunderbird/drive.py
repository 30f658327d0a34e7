#!/usr/bin/env python3
"""test/thunderbird/drive.py: ask a running Thunderbird, over Marionette,
what its own account-setup modules conclude for e-mail addresses.

    drive.py PORT CASES TIMEOUT PID

PORT is Thunderbird's Marionette port on 127.0.0.1 and PID its process:
drive.py waits TIMEOUT seconds at most for it to accept, less if it dies.
CASES is a file of lines "NAME LOOKUP ADDRESS" (blank lines and '#'
comments skipped), where LOOKUP is one of

    isp       FetchConfig.fromISP: https/http autoconfig.DOMAIN and
              DOMAIN/.well-known/autoconfig, with ?emailaddress=
    db        FetchConfig.fromDB: the ISP database URL of the pref
              mailnews.auto_config_url
    exchange  fetchConfigFromExchange: Exchange Autodiscover (POX) POSTs
    hub       FindConfig.parallelAutoDiscovery: all of them at once, as the
              account hub runs them (the local isp/ directory, ISP, ISP
              database, MX, Exchange), and the hub's choice

For each case the config Thunderbird found goes through what the account
hub does next, FindConfig.ewsifyConfig (an Exchange server gains a native
EWS alternative) and AccountConfig.replaceVariables (placeholders filled
in), and is printed one field a line:

    NAME FIELD VALUE

FIELD is "source", "incoming", "outgoing" (number of servers), or
"inN.KEY" / "outN.KEY" for the N-th incoming or outgoing server (0 is the
one Thunderbird would use, then its alternatives in order), KEY one of
type, hostname, port, socket, auth, username; where they are not
Thunderbird's defaults, POP3's leave, days, biff (leave messages on the
server, for how many days, download on biff) and global (use the global
preferred server); and url, ewsurl (Thunderbird's exchangeURL: the EWS
URL, or Graph's), owaurl for the servers that have them.  A lookup that fails prints "NAME error MESSAGE".  Only the Python
standard library is used; Thunderbird's code is called, never copied.
"""

import json
import os
import socket
import sys
import time

# Runs in Thunderbird's chrome context; arguments: lookup, address, and
# Marionette's callback.  Thunderbird's own DNS module (SRV and MX look-ups
# through the system resolver) is replaced by one that finds nothing, so no
# query leaves the machine; HTTP goes through the proxy set in user.js.
SCRIPT = r"""
const [lookup, address, resolve] = arguments;
const { DNS } = ChromeUtils.importESModule("resource:///modules/DNS.sys.mjs");
DNS.lookup = async () => [];
const { FetchConfig } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/FetchConfig.sys.mjs");
const { FindConfig } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/FindConfig.sys.mjs");
const { fetchConfigFromExchange } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/ExchangeAutoDiscover.sys.mjs");
const { AccountConfig } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/AccountConfig.sys.mjs");

function constName(iface, value) {
  for (const k in iface) {
    if (iface[k] === value) return k;
  }
  return String(value);
}
function server(s) {
  const o = {
    type: s.type,
    hostname: s.hostname,
    port: s.port,
    socket: constName(Ci.nsMsgSocketType, s.socketType),
    auth: constName(Ci.nsMsgAuthMethod, s.auth),
    username: s.username,
  };
  // POP3's options and the global preferred server, where they are not
  // Thunderbird's defaults
  const d = new AccountConfig().createNewIncoming();
  if (s.type == "pop3" &&
      (s.leaveMessagesOnServer !== d.leaveMessagesOnServer ||
       s.daysToLeaveMessagesOnServer !== d.daysToLeaveMessagesOnServer ||
       s.downloadOnBiff !== d.downloadOnBiff)) {
    o.leave = s.leaveMessagesOnServer;
    o.days = s.daysToLeaveMessagesOnServer;
    o.biff = s.downloadOnBiff;
  }
  if (s.useGlobalPreferredServer) o.global = true;
  if (s.url) o.url = s.url;
  if (s.exchangeURL) o.ewsurl = s.exchangeURL;
  if (s.owaURL) o.owaurl = s.owaURL;
  return o;
}

(async () => {
  const domain = address.split("@").pop();
  const signal = new AbortController().signal;
  let config;
  if (lookup == "isp") {
    config = await FetchConfig.fromISP(domain, address, signal);
  } else if (lookup == "db") {
    config = await FetchConfig.fromDB(domain, signal);
  } else if (lookup == "exchange") {
    config = await fetchConfigFromExchange(domain, address, signal, null,
      "not-a-password", async () => { throw new Error("redirect refused"); });
  } else if (lookup == "hub") {
    const step = await FindConfig.parallelAutoDiscovery(domain, address,
      signal, "not-a-password").next();
    if (!step.value || step.value.isRedirect) {
      throw new Error("no config: " + JSON.stringify(step.value));
    }
    config = step.value;
  } else {
    throw new Error("unknown lookup " + lookup);
  }
  FindConfig.ewsifyConfig(config);
  AccountConfig.replaceVariables(config, "Test User", address, "");
  const out = { source: config.subSource, incoming: [], outgoing: [] };
  for (const s of [config.incoming, ...config.incomingAlternatives]) {
    out.incoming.push(server(s));
  }
  for (const s of [config.outgoing, ...config.outgoingAlternatives]) {
    if (s.hostname) out.outgoing.push(server(s));
  }
  return out;
})().then(r => resolve({ ok: r }),
          e => resolve({ error: String(e && (e.message || e)) +
                         (e && e.cause ? " (" + e.cause + ")" : "") }));
"""


class Marionette:
    """The Marionette protocol: "LENGTH:JSON" frames over TCP."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""
        self.msgid = 0
        hello = self.recv()
        if hello.get("marionetteProtocol") != 3:
            raise RuntimeError("unexpected hello %r" % hello)

    def recv(self):
        while b":" not in self.buf:
            self.fill()
        n, rest = self.buf.split(b":", 1)
        n = int(n)
        while len(rest) < n:
            self.buf = rest
            self.fill()
            rest = self.buf
        self.buf = rest[n:]
        return json.loads(rest[:n])

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise RuntimeError("Marionette closed the connection")
        self.buf += data

    def call(self, name, params):
        self.msgid += 1
        msg = json.dumps([0, self.msgid, name, params]).encode()
        self.sock.sendall(b"%d:%s" % (len(msg), msg))
        while True:
            r = self.recv()
            if r[0] == 1 and r[1] == self.msgid:
                break
        if r[2]:
            raise RuntimeError("%s: %s: %s" % (name, r[2].get("error"),
                                               r[2].get("message")))
        return r[3]


def connect(port, timeout, pid):
    """Retry until Thunderbird's Marionette server accepts, TIMEOUT s at
    most, and as long as process PID lives."""
    end = time.monotonic() + timeout
    while True:
        try:
            return Marionette(port, 30)
        except (OSError, RuntimeError) as e:
            try:
                os.kill(pid, 0)
            except OSError:
                sys.exit("Thunderbird (pid %d) exited before Marionette "
                         "answered: %s" % (pid, e))
            if time.monotonic() > end:
                sys.exit("no Marionette on port %d after %d s: %s"
                         % (port, timeout, e))
            time.sleep(0.5)


def show(v):
    """A value as one word or more, never nothing."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v) if str(v) != "" else "(empty)"


def flat(name, r):
    if "error" in r:
        return ["%s error %s" % (name, r["error"].replace("\n", " "))]
    c = r["ok"]
    lines = ["%s source %s" % (name, c["source"])]
    for kind, short in (("incoming", "in"), ("outgoing", "out")):
        lines.append("%s %s %d" % (name, kind, len(c[kind])))
        for i, s in enumerate(c[kind]):
            for k, v in s.items():
                lines.append("%s %s%d.%s %s" % (name, short, i, k, show(v)))
    return lines


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: drive.py PORT CASES TIMEOUT PID")
    port, cases = int(sys.argv[1]), sys.argv[2]
    m = connect(port, int(sys.argv[3]), int(sys.argv[4]))
    m.call("WebDriver:NewSession", {"capabilities": {}})
    m.call("Marionette:SetContext", {"value": "chrome"})
    m.call("WebDriver:SetTimeouts", {"script": 60000})
    with open(cases) as f:
        for line in f:
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            name, lookup, address = words
            r = m.call("WebDriver:ExecuteAsyncScript",
                       {"script": SCRIPT, "args": [lookup, address]})
            for out in flat(name, r["value"]):
                print(out, flush=True)
    try:
        m.call("Marionette:Quit", {"flags": ["eForceQuit"]})
    except (OSError, RuntimeError):
        pass


if __name__ == "__main__":
    main()
