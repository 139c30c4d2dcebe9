"""Helpers for the binding tests: which libmosquitto is mapped, waiting for
callbacks, and a will client in its own process (to be killed)."""

import os
import queue
import subprocess
import sys
import threading

#: How long any single expected event may take.
TIMEOUT = 10.0

HERE = os.path.dirname(os.path.abspath(__file__))


def loaded_libmosquitto(pid="self"):
    """The real paths of every libmosquitto file mapped into a process."""
    paths = set()
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and "libmosquitto" in os.path.basename(fields[5].strip()):
                paths.add(os.path.realpath(fields[5].strip()))
    return paths


class Events:
    """A thread-safe queue of (kind, data) tuples that callbacks push and a
    test pops in order, failing after TIMEOUT."""

    def __init__(self):
        self._q = queue.Queue()

    def put(self, kind, *data):
        self._q.put((kind,) + data)

    def callback(self, kind):
        """A callback that records its arguments after (client, userdata)."""
        return lambda _client, _userdata, *args: self.put(kind, *args)

    def get(self, kind, timeout=TIMEOUT):
        """The next event of `kind`; other kinds met on the way are kept."""
        skipped = []
        try:
            while True:
                try:
                    event = self._q.get(timeout=timeout)
                except queue.Empty:
                    raise AssertionError(f"no {kind!r} event within {timeout}s (saw {skipped})")
                if event[0] == kind:
                    return event[1:]
                skipped.append(event)
        finally:
            for e in skipped:
                self._q.put(e)

    def none(self, kind, wait=0.5):
        """Asserts that no `kind` event arrives within `wait` seconds."""
        try:
            data = self.get(kind, timeout=wait)
        except AssertionError:
            return
        raise AssertionError(f"unexpected {kind!r} event: {data}")


class WillClient:
    """will_client.py in a child process: connects with a will, reports
    which library it loaded, then waits to be killed."""

    def __init__(self, binding, host, port, topic, payload, qos=1, retain=False):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "will_client.py"), binding, host,
             str(port), topic, payload, str(qos), "1" if retain else "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        # Fails the test (rather than hanging) if the child never reports.
        timer = threading.Timer(TIMEOUT, self.proc.kill)
        timer.start()
        try:
            self.line = self.proc.stdout.readline().strip()
        finally:
            timer.cancel()
        assert self.line.startswith("connected "), f"will client said {self.line!r}"
        self.library = self.line[len("connected "):]

    def kill(self):
        """SIGKILL: the client cannot send DISCONNECT, so the broker sends the will."""
        self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
