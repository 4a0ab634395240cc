#!/usr/bin/env python3
"""Run `rssp-tool setup` on a pseudo-terminal as a person would: answer each
prompt when it appears, type the password, and report what the terminal
showed. Usage: pty_setup.py RSSP_TOOL PROVIDER_OR_EMPTY ACCOUNT PASSWORD LOG"""
import os
import pty
import select
import sys
import time

tool, provider, account, password, log = sys.argv[1:6]
answers = []
if provider:
    answers.append((b"Provider file from your organisation: ", provider))
answers.append((b"Account (your user name at the service): ", account))
answers.append((b"Password for " + account.encode() + b": ", password))

pid, fd = pty.fork()
if pid == 0:
    os.execv(tool, [tool, "setup"])
seen = b""
deadline = time.monotonic() + 120
while True:
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        sys.exit("pty_setup: no end after 120 s; the terminal showed:\n" + seen.decode(errors="replace"))
    if answers and answers[0][0] in seen:
        prompt, text = answers.pop(0)
        seen = seen.replace(prompt, b"<" + prompt.strip() + b">", 1)
        os.write(fd, text.encode() + b"\n")
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
_, status = os.waitpid(pid, 0)
with open(log, "wb") as f:
    f.write(seen)
if answers:
    sys.exit("pty_setup: never asked %r" % answers[0][0])
if password.encode() in seen:
    sys.exit("pty_setup: the password was echoed on the terminal")
sys.exit(os.waitstatus_to_exitcode(status))
