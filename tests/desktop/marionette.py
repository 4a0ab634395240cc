"""A minimal Marionette client (Firefox's remote protocol), standard library only.

Marionette speaks JSON over TCP. Every message is framed as
"<byte length>:<json>". The server greets with
{"applicationType": "gecko", "marionetteProtocol": 3}; a command is
[0, id, name, params] and its answer [1, id, error, result].
"""

import json
import socket
import time


class MarionetteError(Exception):
    pass


class Marionette:
    def __init__(self, port, host="127.0.0.1", timeout=60.0):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                self.sock = socket.create_connection((host, port), timeout=timeout)
                break
            except OSError as e:
                last = e
                if time.monotonic() > deadline:
                    raise MarionetteError("cannot connect to Marionette on port %d: %s" % (port, last))
                time.sleep(0.1)
        self.buf = b""
        self.next_id = 0
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise MarionetteError("unexpected Marionette greeting: %r" % hello)

    def _read(self):
        while b":" not in self.buf:
            self._fill()
        head, rest = self.buf.split(b":", 1)
        n = int(head)
        self.buf = rest
        while len(self.buf) < n:
            self._fill()
        msg, self.buf = self.buf[:n], self.buf[n:]
        return json.loads(msg)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise MarionetteError("Marionette closed the connection")
        self.buf += chunk

    def command(self, name, params=None):
        self.next_id += 1
        data = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            msg = self._read()
            if msg[0] == 1 and msg[1] == self.next_id:
                break
        if msg[2]:
            err = msg[2]
            raise MarionetteError("%s: %s: %s" % (name, err.get("error"), err.get("message")))
        return msg[3]

    def new_session(self, **caps):
        # Marionette takes the capabilities as the parameters themselves.
        return self.command("WebDriver:NewSession", caps)

    def set_context(self, ctx):
        self.command("Marionette:SetContext", {"value": ctx})

    def execute(self, script, args=None, sandbox=None):
        params = {"script": script, "args": args or []}
        if sandbox:
            params["sandbox"] = sandbox
        return self.command("WebDriver:ExecuteScript", params).get("value")

    def quit(self):
        try:
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
        except (MarionetteError, OSError):
            pass  # the browser went away while answering: that is a quit
        self.sock.close()
