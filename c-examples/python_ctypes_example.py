"""Publishes one message through libmosquitto.so.1 with nothing but ctypes.
usage: python3 python_ctypes_example.py [HOST [PORT [TOPIC]]]"""
import ctypes as C, sys
host, port, topic = sys.argv[1:4] + ["localhost", "1883", "hello/world"][len(sys.argv[1:4]):]
lib = C.CDLL("libmosquitto.so.1")  # our library when LD_LIBRARY_PATH points at it
lib.mosquitto_new.restype = C.c_void_p
major, minor, rev = C.c_int(), C.c_int(), C.c_int()
lib.mosquitto_lib_version(C.byref(major), C.byref(minor), C.byref(rev))
print(f"libmosquitto {major.value}.{minor.value}.{rev.value}")
lib.mosquitto_lib_init()
mosq = C.c_void_p(lib.mosquitto_new(None, C.c_bool(True), None))
assert lib.mosquitto_connect(mosq, host.encode(), int(port), 60) == 0, "connect failed"
msg = b"hello from ctypes"
assert lib.mosquitto_publish(mosq, None, topic.encode(), len(msg), msg, 1, C.c_bool(False)) == 0
lib.mosquitto_loop(mosq, 1000, 1)  # send the PUBLISH, read the PUBACK
lib.mosquitto_disconnect(mosq)
lib.mosquitto_destroy(mosq)
lib.mosquitto_lib_cleanup()
