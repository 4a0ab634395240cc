#!/usr/bin/env python3
"""Run a program on a pseudo-terminal (as in a person's terminal window) and
save everything it showed. Usage: pty_run.py LOG PROGRAM [ARGS...]; exits
with the program's status."""
import os
import pty
import sys

log, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b""
while True:
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
sys.exit(os.waitstatus_to_exitcode(status))
