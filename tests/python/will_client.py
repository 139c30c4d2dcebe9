"""A client that sets a will, connects, prints "connected <library path>" and
then waits to be killed (see mosqtest.WillClient).

usage: will_client.py pymosquitto|ctypes_mosquitto HOST PORT TOPIC PAYLOAD QOS RETAIN
"""

import sys
import threading
import time

from mosqtest import loaded_libmosquitto

binding, host, port, topic, payload, qos, retain = sys.argv[1:8]
port, qos, retain = int(port), int(qos), retain == "1"
connected = threading.Event()

if binding == "pymosquitto":
    from pymosquitto.client import Mosquitto

    client = Mosquitto()
    client.will_set(topic.encode(), len(payload), payload.encode(), qos, retain)
    client.on_connect = lambda *_: connected.set()
    client.connect(host, port)
elif binding == "ctypes_mosquitto":
    from ctypes_mosquitto import Mosquitto

    client = Mosquitto()
    client.will_set(topic, len(payload), payload, qos, retain)
    client.connect_callback_set(lambda *_: connected.set())
    client.connect(host, port)
else:
    sys.exit(f"unknown binding {binding}")

client.loop_start()
if not connected.wait(10):
    sys.exit("no CONNACK")
print("connected", ",".join(sorted(loaded_libmosquitto())), flush=True)
while True:
    time.sleep(60)
