"""Starts the amqtt MQTT broker (MQTT 3.1.1 only) on 127.0.0.1:PORT, in
memory, with anonymous access, for tests/broker_matrix.rs.

amqtt keeps no messages for offline clients whose session is anonymous, and
its own AnonymousAuthPlugin marks every session anonymous. The plugin below
lets every client in too, but takes a client that gives a user name as that
user (no password check), so that persistent sessions can be tested.

    python broker.py PORT

Run with the interpreter of the virtual environment that
tests/brokers/install.sh made. Prints "listening PORT" once the broker has
started, then amqtt's own log (INFO) on stderr. Exits when its stdin
closes, so that a test process that dies cannot leave it running.
"""

import asyncio
import logging
import os
import sys
import threading
from dataclasses import dataclass

from amqtt.broker import Broker
from amqtt.plugins.base import BaseAuthPlugin
from amqtt.session import Session


class OpenAuthPlugin(BaseAuthPlugin):
    """Accepts every client; only those without a user name are anonymous."""

    @dataclass
    class Config:
        """No options."""

    async def authenticate(self, *, session: Session) -> bool:
        session.is_anonymous = not session.username
        return True


def config(port: int) -> dict:
    """The broker configuration: one TCP listener, anonymous clients."""
    return {
        "listeners": {
            "default": {"type": "tcp", "bind": f"127.0.0.1:{port}"},
        },
        "plugins": {
            "amqtt.plugins.logging_amqtt.EventLoggerPlugin": {},
            "__main__.OpenAuthPlugin": {},
        },
    }


def exit_when_stdin_closes() -> None:
    """Ends the process once stdin reaches its end (the test is gone)."""
    sys.stdin.buffer.read()
    os._exit(0)


async def main(port: int) -> None:
    broker = Broker(config(port))
    await broker.start()
    print(f"listening {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python broker.py PORT")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("transitions").setLevel(logging.WARNING)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    try:
        asyncio.run(main(int(sys.argv[1])))
    except KeyboardInterrupt:
        pass
