"""pymosquitto 0.4.1 (PyPI), unchanged, on whichever libmosquitto.so.1 the
dynamic loader gives this process (see conftest.py).

pymosquitto finds the library with ctypes.util.find_library("mosquitto")
(the soname, "libmosquitto.so.1") and CDLL()s it, so LD_LIBRARY_PATH decides
which file is loaded. It reads struct mosquitto_message and walks
mosquitto_property nodes (the 48-byte internal struct) itself, and it treats
a non-zero errno after mosquitto_new() as a failure.
"""

import asyncio
import ctypes as C
import os
import threading

import pytest

from pymosquitto import bindings
from pymosquitto.bindings import MQTT5PropertyStruct, libmosq
from pymosquitto.client import (
    LIBMOSQ_VERSION,
    MosquittoError,
    MQTT5Property,
    Mosquitto,
    PropertyFactory,
)
from pymosquitto.constants import ConnackCode, ErrorCode, MQTT5PropertyID as P
from pymosquitto.helpers import topic_matches_sub

from mosqtest import TIMEOUT, Events, WillClient, loaded_libmosquitto


@pytest.fixture
def clients():
    """Makes clients; afterwards disconnects them and stops their threads."""
    made = []

    def make(**kwargs):
        client = Mosquitto(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.disconnect(strict=False)
        try:
            client.loop_stop(False)
        except MosquittoError as e:  # no thread was started
            assert e.code == ErrorCode.INVAL


def connected_client(make, broker, events=None, port=None, **kwargs):
    """A client connected (blocking connect, then loop_start) and past CONNACK."""
    events = events or Events()
    client = make(**kwargs)
    client.on_connect = events.callback("connect")
    client.on_subscribe = events.callback("subscribe")
    client.on_publish = events.callback("publish")
    client.on_message = events.callback("message")
    client.connect(broker["host"], port or broker["port"], 30)
    client.loop_start()
    (rc,) = events.get("connect")
    assert rc == ConnackCode.ACCEPTED
    return client, events


def test_loads_the_expected_library(expected_lib):
    assert loaded_libmosquitto() == {expected_lib}
    assert bindings.LIBMOSQ_PATH == "libmosquitto.so.1"
    assert LIBMOSQ_VERSION[0] == 2


def test_utility_functions():
    assert bindings.strerror(ErrorCode.NO_CONN) == "The client is not currently connected."
    assert bindings.connack_string(5) == "Connection Refused: not authorised."
    assert bindings.reason_string(0x87) == "Not authorized"
    assert topic_matches_sub("a/+/c", "a/b/c")
    assert topic_matches_sub("a/#", "a")
    assert not topic_matches_sub("a/+", "a/b/c")


def test_new_leaves_errno_clear():
    # pymosquitto calls mosquitto_new with errno cleared and raises OSError
    # if it is set afterwards.
    # (Mosquitto.__del__ calls mosquitto_destroy: never call destroy() too.)
    for client_id in (None, "pytest-errno"):
        client = Mosquitto(client_id=client_id)
        assert client.ptr
        del client


def test_errors_raise(clients, broker):
    client = clients()
    with pytest.raises(MosquittoError) as err:
        client.subscribe("a/b", 0)
    assert err.value.code == ErrorCode.NO_CONN
    with pytest.raises(MosquittoError) as err:
        client.publish("a/#", b"x", 0)
    assert err.value.code == ErrorCode.INVAL
    with pytest.raises(MosquittoError) as err:
        client.publish("a/b", b"x", 3)
    assert err.value.code == ErrorCode.INVAL


def test_publish_receive_every_qos_loop_start(clients, broker, topic):
    sub, sub_events = connected_client(clients, broker)
    mid = sub.subscribe(f"{topic}/#", 2)
    assert sub_events.get("subscribe") == (mid, 1, [2])

    pub, pub_events = connected_client(clients, broker)
    sent = {}
    for qos in (0, 1, 2):
        payload = bytes([qos, 0, 255]) + f"qos {qos}".encode()
        mid = pub.publish(f"{topic}/q{qos}", payload, qos)
        assert mid > 0
        sent[mid] = (f"{topic}/q{qos}", payload, qos)
    published = {pub_events.get("publish")[0] for _ in sent}
    assert published == set(sent)

    received = [sub_events.get("message")[0] for _ in sent]
    got = sorted((m.topic, m.payload, m.qos, m.retain) for m in received)
    assert got == sorted(v + (False,) for v in sent.values())
    sub_events.none("message")


def test_retained_message_and_qos_downgrade(clients, broker, topic):
    pub, pub_events = connected_client(clients, broker)
    pub.publish(f"{topic}/r", "kept", 2, True)
    pub_events.get("publish")

    sub, events = connected_client(clients, broker)
    sub.subscribe(f"{topic}/r", 1)
    (msg,) = events.get("message")
    assert (msg.topic, msg.payload, msg.qos, msg.retain) == (f"{topic}/r", b"kept", 1, True)
    # Clear it, so the broker does not keep it.
    pub.publish(f"{topic}/r", b"", 0, True)


def test_empty_and_large_payloads(clients, broker, topic):
    client, events = connected_client(clients, broker)
    client.subscribe(f"{topic}/#", 1)
    events.get("subscribe")
    big = os.urandom(300_000)
    client.publish(f"{topic}/empty", b"", 1)
    (msg,) = events.get("message")
    assert (msg.topic, msg.payload) == (f"{topic}/empty", b"")
    client.publish(f"{topic}/big", big, 1)
    (msg,) = events.get("message")
    assert (msg.topic, msg.payload) == (f"{topic}/big", big)


def test_loop_forever_round_trip(clients, broker, topic):
    client = clients()
    seen = []

    def on_connect(c, _ud, rc):
        seen.append(("connect", rc))
        c.subscribe(f"{topic}/self", 1)

    def on_subscribe(c, _ud, mid, count, granted):
        seen.append(("subscribe", granted))
        c.publish(f"{topic}/self", b"to myself", 1)

    def on_message(c, _ud, msg):
        seen.append(("message", msg.topic, msg.payload, msg.qos))
        c.disconnect()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.on_disconnect = lambda _c, _ud, rc: seen.append(("disconnect", rc))
    client.connect_async(broker["host"], broker["port"], 30)
    # A watchdog, so a broken loop fails the test instead of hanging it.
    watchdog = threading.Timer(TIMEOUT, lambda: client.disconnect(strict=False))
    watchdog.start()
    try:
        client.loop_forever()
    finally:
        watchdog.cancel()
    assert seen == [
        ("connect", 0),
        ("subscribe", [1]),
        ("message", f"{topic}/self", b"to myself", 1),
        ("disconnect", 0),
    ]


def test_will_of_a_killed_client(clients, broker, topic, expected_lib):
    sub, events = connected_client(clients, broker)
    sub.subscribe(f"{topic}/will", 1)
    events.get("subscribe")
    will = WillClient("pymosquitto", broker["host"], broker["port"],
                      f"{topic}/will", "gone away", qos=1)
    assert will.library == expected_lib
    events.none("message", wait=0.2)
    will.kill()
    (msg,) = events.get("message")
    assert (msg.topic, msg.payload, msg.qos, msg.retain) == (f"{topic}/will", b"gone away", 1, False)


def test_username_password_refused(clients, broker):
    for user, password in ((broker["user"], "wrong"), (None, None)):
        events = Events()
        client = clients()
        if user is not None:
            client.username_pw_set(user.encode(), password.encode())
        client.on_connect = events.callback("connect")
        client.connect(broker["host"], broker["auth_port"], 30)
        client.loop_start()
        (rc,) = events.get("connect")
        assert rc == ConnackCode.REFUSED_NOT_AUTHORIZED


def test_username_password_accepted(clients, broker):
    events = Events()
    client = clients()
    client.username_pw_set(broker["user"], broker["password"])
    client.on_connect = events.callback("connect")
    client.connect(broker["host"], broker["auth_port"], 30)
    client.loop_start()
    assert events.get("connect") == (ConnackCode.ACCEPTED,)


def _props(*adds):
    """A property list built with the library's mosquitto_property_add_*."""
    head = C.c_void_p(None)
    for func, *args in adds:
        assert func(C.byref(head), *args) == 0
    return head


def _walk(prop):
    """(identifier, value) of every node, reading the nodes' fields."""
    out = []
    while prop is not None:
        ident = P(prop.identifier)
        if ident == P.USER_PROPERTY:
            value = (prop.name, prop.value.s)
        elif ident in (P.CONTENT_TYPE, P.RESPONSE_TOPIC, P.ASSIGNED_CLIENT_IDENTIFIER):
            value = prop.value.s
        elif ident == P.CORRELATION_DATA:
            value = prop.value.bin
        elif ident in (P.PAYLOAD_FORMAT_INDICATOR,):
            value = prop.value.i8
        elif ident in (P.TOPIC_ALIAS, P.TOPIC_ALIAS_MAXIMUM, P.RECEIVE_MAXIMUM, P.SERVER_KEEP_ALIVE):
            value = prop.value.i16
        elif ident == P.SUBSCRIPTION_IDENTIFIER:
            value = prop.value.varint
        else:
            value = prop.value.i32
        out.append((ident, value, prop.client_generated))
        prop = prop.next
    return out


def test_v5_properties_built_by_the_library():
    head = _props(
        (libmosq.mosquitto_property_add_string_pair, P.USER_PROPERTY, b"k1", b"v1"),
        (libmosq.mosquitto_property_add_string, P.CONTENT_TYPE, b"text/plain"),
        (libmosq.mosquitto_property_add_byte, P.PAYLOAD_FORMAT_INDICATOR, 1),
        (libmosq.mosquitto_property_add_int16, P.TOPIC_ALIAS, 7),
        (libmosq.mosquitto_property_add_int32, P.MESSAGE_EXPIRY_INTERVAL, 0x01020304),
        (libmosq.mosquitto_property_add_varint, P.SUBSCRIPTION_IDENTIFIER, 200000),
        (libmosq.mosquitto_property_add_binary, P.CORRELATION_DATA, b"corr", 4),
    )
    try:
        assert C.sizeof(MQTT5PropertyStruct) == 48
        props = MQTT5Property.from_struct(C.cast(head, C.POINTER(MQTT5PropertyStruct)))
        assert _walk(props) == [
            (P.USER_PROPERTY, ("k1", "v1"), True),
            (P.CONTENT_TYPE, "text/plain", True),
            (P.PAYLOAD_FORMAT_INDICATOR, 1, True),
            (P.TOPIC_ALIAS, 7, True),
            (P.MESSAGE_EXPIRY_INTERVAL, 0x01020304, True),
            (P.SUBSCRIPTION_IDENTIFIER, 200000, True),
            (P.CORRELATION_DATA, b"corr", True),
        ]
        assert props.find(P.TOPIC_ALIAS).value.i16 == 7
        # A client may not send a subscription identifier in a PUBLISH.
        assert libmosq.mosquitto_property_check_all(3, head) == ErrorCode.PROTOCOL
        assert libmosq.mosquitto_property_check_all(8, head) == ErrorCode.PROTOCOL
    finally:
        libmosq.mosquitto_property_free_all(C.byref(head))
        assert head.value is None


def test_v5_publish_properties_received(clients, broker, topic):
    sub_events = Events()
    sub = clients(protocol=5)
    sub.on_connect_v5 = sub_events.callback("connect")
    sub.on_message_v5 = sub_events.callback("message")
    sub.on_subscribe = sub_events.callback("subscribe")
    sub.connect(broker["host"], broker["port"], 30)
    sub.loop_start()
    rc, _flags, connack = sub_events.get("connect")
    assert rc == 0
    connack_props = {p[0]: p[1] for p in _walk(connack)}
    assert connack_props[P.ASSIGNED_CLIENT_IDENTIFIER].startswith("auto-")
    assert connack_props[P.TOPIC_ALIAS_MAXIMUM] == 10
    assert all(not p[2] for p in _walk(connack))
    sub.subscribe(f"{topic}/v5", 2)
    sub_events.get("subscribe")

    pub, pub_events = connected_client(clients, broker, protocol=5)
    head = _props(
        (libmosq.mosquitto_property_add_string_pair, P.USER_PROPERTY, b"k1", b"v1"),
        (libmosq.mosquitto_property_add_string_pair, P.USER_PROPERTY, b"k2", b"v2"),
        (libmosq.mosquitto_property_add_string, P.CONTENT_TYPE, b"text/plain"),
        (libmosq.mosquitto_property_add_string, P.RESPONSE_TOPIC, f"{topic}/reply".encode()),
        (libmosq.mosquitto_property_add_binary, P.CORRELATION_DATA, b"id-42", 5),
        (libmosq.mosquitto_property_add_byte, P.PAYLOAD_FORMAT_INDICATOR, 1),
        (libmosq.mosquitto_property_add_int32, P.MESSAGE_EXPIRY_INTERVAL, 3600),
    )
    try:
        for qos in (0, 1, 2):
            pub.publish(f"{topic}/v5", f"with props {qos}", qos, False, head)
    finally:
        libmosq.mosquitto_property_free_all(C.byref(head))

    for qos in (0, 1, 2):
        msg, props = sub_events.get("message")
        assert (msg.topic, msg.payload, msg.qos) == (f"{topic}/v5", f"with props {qos}".encode(), qos)
        walked = _walk(props)
        assert all(not generated for _, _, generated in walked)
        users = [v for i, v, _ in walked if i == P.USER_PROPERTY]
        assert users == [("k1", "v1"), ("k2", "v2")]
        by_id = {i: v for i, v, _ in walked}
        assert by_id[P.CONTENT_TYPE] == "text/plain"
        assert by_id[P.RESPONSE_TOPIC] == f"{topic}/reply"
        assert by_id[P.CORRELATION_DATA] == b"id-42"
        assert by_id[P.PAYLOAD_FORMAT_INDICATOR] == 1
        assert 3590 <= by_id[P.MESSAGE_EXPIRY_INTERVAL] <= 3600
        assert props.find(P.CONTENT_TYPE).value.s == "text/plain"


def test_v5_single_property_factory(clients, broker, topic):
    sub_events = Events()
    sub = clients(protocol=5)
    sub.on_connect = sub_events.callback("connect")
    sub.on_subscribe = sub_events.callback("subscribe")
    sub.on_message_v5 = sub_events.callback("message")
    sub.connect(broker["host"], broker["port"], 30)
    sub.loop_start()
    sub_events.get("connect")
    sub.subscribe(f"{topic}/f", 1)
    sub_events.get("subscribe")
    prop = PropertyFactory.STRING_PAIR(P.USER_PROPERTY, b"origin", b"factory")
    sub.publish(f"{topic}/f", b"x", 1, False, prop)
    msg, props = sub_events.get("message")
    assert msg.payload == b"x"
    assert [(p[0], p[1]) for p in _walk(props)] == [(P.USER_PROPERTY, ("origin", "factory"))]
    libmosq.mosquitto_property_free_all(C.byref(prop))


@pytest.mark.parametrize("kind", ["AsyncMosquitto", "TrueAsyncMosquitto"])
def test_aio_clients(broker, topic, kind):
    """pymosquitto.aio: AsyncMosquitto runs loop_start's thread;
    TrueAsyncMosquitto drives mosquitto_socket, mosquitto_loop_read/_write/
    _misc and mosquitto_want_write from asyncio."""
    from pymosquitto import aio

    # (TrueAsyncMosquitto not at QoS 0: its on_publish can come from inside
    # mosquitto_publish, before the wrapper waits for it: a KeyError there.)
    qoses = (0, 1, 2) if kind == "AsyncMosquitto" else (1, 2)

    async def main():
        async with getattr(aio, kind)() as client:
            assert await client.connect(broker["host"], broker["port"], 30) == 0
            await client.subscribe(f"{topic}/aio", 2)
            for qos in qoses:
                await client.publish(f"{topic}/aio", f"aio {qos}", qos)
            got = []
            async for msg in client.read_messages():
                got.append((msg.topic, msg.payload, msg.qos))
                if len(got) == len(qoses):
                    break
            return got

    got = asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    assert sorted(got) == [(f"{topic}/aio", f"aio {q}".encode(), q) for q in qoses]
