"""ctypes-mosquitto 0.2.0 (PyPI), unchanged, on whichever libmosquitto.so.1
the dynamic loader gives this process (see conftest.py).

ctypes-mosquitto loads find_library("mosquitto") (the soname) with
use_errno=True, reads struct mosquitto_message and mosquitto_property nodes
itself, turns MOSQ_ERR_ERRNO into OSError(errno), and checks errno after
mosquitto_new() and mosquitto_socket().
"""

import asyncio
import ctypes as C
import threading

import pytest

from ctypes_mosquitto import Mosquitto
from ctypes_mosquitto.aio import AIO
from ctypes_mosquitto.bindings import (
    MosquittoError,
    Struct,
    connack_string,
    lib,
    reason_string,
    strerror,
)
from ctypes_mosquitto.bindings import Function
from ctypes_mosquitto.client import MOSQ_VERSION, PROPERTY_TYPE_MAP, Message, Property
from ctypes_mosquitto.constants import (
    ConnackCode,
    ErrorCode,
    Option,
    PropertyId as P,
    PropertyType,
)
from ctypes_mosquitto.core import LibraryError
from ctypes_mosquitto.helpers import topic_matches_sub

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
    client.connect_callback_set(events.callback("connect"))
    client.subscribe_callback_set(events.callback("subscribe"))
    client.publish_callback_set(events.callback("publish"))
    client.message_callback_set(events.callback("message"))
    client.connect(broker["host"], port or broker["port"], 30)
    client.loop_start()
    (rc,) = events.get("connect")
    assert rc == ConnackCode.ACCEPTED
    return client, events


def test_loads_the_expected_library(expected_lib):
    assert loaded_libmosquitto() == {expected_lib}
    assert lib._name == "libmosquitto.so.1"
    assert MOSQ_VERSION[0] == 2


def test_utility_functions():
    assert strerror(ErrorCode.INVAL) == "Invalid function arguments provided."
    assert connack_string(4) == "Connection Refused: bad user name or password."
    assert reason_string(0x10) == "No matching subscribers"
    assert topic_matches_sub("+/+/#", "a/b/c/d")
    assert not topic_matches_sub("a/b", "a/b/c")


def test_errors_raise(clients, broker):
    client = clients()
    with pytest.raises(MosquittoError) as err:
        client.publish("a/b", b"x", 1)
    assert err.value.code == ErrorCode.NO_CONN
    with pytest.raises(MosquittoError) as err:
        client.subscribe("a/#/b", 0)
    assert err.value.code == ErrorCode.NO_CONN  # checked before the filter
    with pytest.raises(MosquittoError) as err:
        client.publish("a/#", b"x", 0)
    assert err.value.code == ErrorCode.INVAL
    # mosquitto_connect returns MOSQ_ERR_ERRNO; the binding raises
    # OSError(errno), so errno must say why.
    with pytest.raises(ConnectionRefusedError):
        client.connect(broker["host"], _closed_port(), 30)


def _closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_publish_receive_every_qos_loop_start(clients, broker, topic):
    sub, sub_events = connected_client(clients, broker)
    mid = sub.subscribe(f"{topic}/#", 2)
    assert sub_events.get("subscribe") == (mid, 1, [2])

    pub, pub_events = connected_client(clients, broker)
    sent = {}
    for qos in (0, 1, 2):
        payload = b"\x00\x01" + f"payload at qos {qos}".encode()
        sent[pub.publish(f"{topic}/{qos}", payload, qos)] = (f"{topic}/{qos}", payload, qos)
    assert {pub_events.get("publish")[0] for _ in sent} == set(sent)

    got = sorted(
        (m.topic, m.payload, m.qos, m.retain)
        for m in (sub_events.get("message")[0] for _ in sent)
    )
    assert got == sorted(v + (False,) for v in sent.values())
    sub_events.none("message")


def test_retained_message(clients, broker, topic):
    pub, pub_events = connected_client(clients, broker)
    pub.publish(f"{topic}/r", b"retained", 1, True)
    pub_events.get("publish")
    sub, events = connected_client(clients, broker)
    sub.subscribe(f"{topic}/+", 2)
    (msg,) = events.get("message")
    assert (msg.topic, msg.payload, msg.qos, msg.retain) == (f"{topic}/r", b"retained", 1, True)
    pub.publish(f"{topic}/r", b"", 0, True)


def test_loop_forever_round_trip(clients, broker, topic):
    client = clients()
    seen = []

    def on_connect(c, _ud, rc):
        seen.append(("connect", rc))
        c.subscribe(f"{topic}/self", 2)

    def on_subscribe(c, _ud, mid, count, granted):
        seen.append(("subscribe", granted))
        c.publish(f"{topic}/self", b"round trip", 2)

    def on_message(c, _ud, msg):
        seen.append(("message", msg.topic, msg.payload, msg.qos))
        c.disconnect()

    client.connect_callback_set(on_connect)
    client.subscribe_callback_set(on_subscribe)
    client.message_callback_set(on_message)
    client.disconnect_callback_set(lambda _c, _ud, rc: seen.append(("disconnect", rc)))
    client.connect_async(broker["host"], broker["port"], 30)
    watchdog = threading.Timer(TIMEOUT, lambda: client.disconnect(strict=False))
    watchdog.start()
    try:
        client.loop_forever()
    finally:
        watchdog.cancel()
    assert seen == [
        ("connect", 0),
        ("subscribe", [2]),
        ("message", f"{topic}/self", b"round trip", 2),
        ("disconnect", 0),
    ]


def test_will_of_a_killed_client(clients, broker, topic, expected_lib):
    sub, events = connected_client(clients, broker)
    sub.subscribe(f"{topic}/will", 2)
    events.get("subscribe")
    will = WillClient("ctypes_mosquitto", broker["host"], broker["port"],
                      f"{topic}/will", "client died", qos=2)
    assert will.library == expected_lib
    events.none("message", wait=0.2)
    will.kill()
    (msg,) = events.get("message")
    assert (msg.topic, msg.payload, msg.qos) == (f"{topic}/will", b"client died", 2)


@pytest.mark.parametrize("protocol", [4, 5])
def test_username_password(clients, broker, protocol):
    # v3.1.1 refuses with CONNACK 5, v5 with reason 0x87 Not authorized
    # (which the binding's own wrapper cannot turn into a ConnackCode).
    refused = {4: ConnackCode.REFUSED_NOT_AUTHORIZED, 5: 0x87}[protocol]
    for password, expected in ((broker["password"], 0), ("wrong", refused), (None, refused)):
        events = Events()
        client = clients(protocol=protocol)
        if password is not None:
            client.username_pw_set(broker["user"], password)
        raw_callback(client, "_connect_callback_set", Function.ON_CONNECT,
                     lambda _m, _ud, rc: events.put("connect", rc))
        client.connect(broker["host"], broker["auth_port"], 30)
        client.loop_start()
        assert events.get("connect") == (expected,)


def _walk(props):
    """(identifier, value, client_generated) of every node of a property
    list, read through the binding's Struct.Property (ctypes-mosquitto's own
    Property class cannot read user properties: it raises "unknown property
    type: 7")."""
    out = []
    node = props
    while node:
        n = node.contents
        kind = PROPERTY_TYPE_MAP[n.identifier]
        if kind == PropertyType.STRING_PAIR:
            value = (C.string_at(n.name.v, n.name.len).decode(),
                     C.string_at(n.value.s.v, n.value.s.len).decode())
        elif kind == PropertyType.STRING:
            value = C.string_at(n.value.s.v, n.value.s.len).decode()
        elif kind == PropertyType.BINARY:
            value = C.string_at(n.value.bin.v, n.value.bin.len)
        else:
            value = {
                PropertyType.BYTE: n.value.i8,
                PropertyType.INT16: n.value.i16,
                PropertyType.INT32: n.value.i32,
                PropertyType.VARINT: n.value.varint,
            }[kind]
        out.append((P(n.identifier), value, n.client_generated))
        node = n.next
    return out


def raw_callback(client, setter, ftype, func):
    """Sets a callback with the binding's CFUNCTYPE but without its wrapper
    (whose conversions fail on user properties and v5 reason codes)."""
    cfunc = ftype(func)
    client.__dict__.setdefault("_raw_callbacks", []).append(cfunc)
    getattr(client, setter)(cfunc)


def test_v5_property_list_built_by_the_library():
    head = None
    head = Property.add(head, P.USER_PROPERTY, b"a", b"1")
    head = Property.add(head, P.CORRELATION_DATA, b"\x00\xffbin", 5)
    head = Property.add(head, P.MESSAGE_EXPIRY_INTERVAL, 0x7FFFFFFF)
    head = Property.add(head, P.TOPIC_ALIAS, 0xFFFF)
    head = Property.add(head, P.PAYLOAD_FORMAT_INDICATOR, 1)
    head = Property.add(head, P.SUBSCRIPTION_IDENTIFIER, 268435455)
    head = Property.add(head, P.RESPONSE_TOPIC, b"reply/here")
    try:
        assert C.sizeof(Struct.Property) == 48
        assert _walk(head) == [
            (P.USER_PROPERTY, ("a", "1"), True),
            (P.CORRELATION_DATA, b"\x00\xffbin", True),
            (P.MESSAGE_EXPIRY_INTERVAL, 0x7FFFFFFF, True),
            (P.TOPIC_ALIAS, 0xFFFF, True),
            (P.PAYLOAD_FORMAT_INDICATOR, 1, True),
            (P.SUBSCRIPTION_IDENTIFIER, 268435455, True),
            (P.RESPONSE_TOPIC, "reply/here", True),
        ]
        # The library's own readers agree with the nodes.
        name, value = C.c_char_p(), C.c_char_p()
        found = lib.mosquitto_property_read_string_pair(
            head, P.USER_PROPERTY, C.byref(name), C.byref(value), False
        )
        assert C.addressof(found.contents) == C.addressof(head.contents)
        assert (name.value, value.value) == (b"a", b"1")
        alias = C.c_int16()
        found = lib.mosquitto_property_read_int16(head, P.TOPIC_ALIAS, C.byref(alias), False)
        assert found and alias.value == -1  # the binding declares int16_t*
        copy = C.POINTER(Struct.Property)()
        assert lib.mosquitto_property_copy_all(C.byref(copy), head) == 0
        # The copies are not marked client_generated (as 2.0.11 does).
        assert _walk(copy) == [(i, v, False) for i, v, _ in _walk(head)]
        # The binding's Property class reads the other kinds of node (from
        # the second on: it cannot read the user property).
        second = Property(head.contents.next.contents)
        assert (second.identifier, second.value) == (P.CORRELATION_DATA, b"\x00\xffbin")
        assert second.find(P.SUBSCRIPTION_IDENTIFIER).value == 268435455
        assert second.find(P.TOPIC_ALIAS).value == 0xFFFF
        lib.mosquitto_property_free_all(C.byref(copy))
        assert not copy
    finally:
        lib.mosquitto_property_free_all(C.byref(head))
    assert not head


def test_v5_properties_received(clients, broker, topic):
    events = Events()
    sub = clients(protocol=5)
    raw_callback(sub, "_connect_v5_callback_set", Function.ON_CONNECT_V5,
                 lambda _m, _ud, rc, flags, props: events.put("connect", rc, flags, _walk(props)))
    sub.subscribe_v5_callback_set(events.callback("subscribe"))
    raw_callback(sub, "_message_v5_callback_set", Function.ON_MESSAGE_V5,
                 lambda _m, _ud, msg, props: events.put(
                     "message", Message(msg.contents), _walk(props)))
    sub.connect(broker["host"], broker["port"], 30)
    sub.loop_start()
    rc, _flags, connack = events.get("connect")
    assert rc == 0
    connack_props = dict((i, v) for i, v, _ in connack)
    assert connack_props[P.ASSIGNED_CLIENT_IDENTIFIER].startswith("auto-")
    assert connack_props[P.TOPIC_ALIAS_MAXIMUM] == 10
    assert not any(generated for _, _, generated in connack)

    # A subscription identifier comes back on every matching message.
    sub_props = Property.add(None, P.SUBSCRIPTION_IDENTIFIER, 4242)
    mid = C.c_int()
    sub.subscribe_v5(C.byref(mid), f"{topic}/#", 2, 0, sub_props)
    lib.mosquitto_property_free_all(C.byref(sub_props))
    sub_mid, count, granted, _props = events.get("subscribe")
    assert (sub_mid, count, granted) == (mid.value, 1, [2])

    pub, _ = connected_client(clients, broker, protocol=5)
    head = None
    head = Property.add(head, P.USER_PROPERTY, b"colour", b"blue")
    head = Property.add(head, P.USER_PROPERTY, b"colour", b"red")
    head = Property.add(head, P.CONTENT_TYPE, b"application/json")
    head = Property.add(head, P.CORRELATION_DATA, b"\x01\x02\x00\x03", 4)
    head = Property.add(head, P.PAYLOAD_FORMAT_INDICATOR, 0)
    head = Property.add(head, P.MESSAGE_EXPIRY_INTERVAL, 120)
    for qos in (0, 1, 2):
        pub.publish(f"{topic}/v5", b'{"n": %d}' % qos, qos, False, head)
    lib.mosquitto_property_free_all(C.byref(head))

    for qos in (0, 1, 2):
        msg, walked = events.get("message")
        assert (msg.topic, msg.payload, msg.qos) == (f"{topic}/v5", b'{"n": %d}' % qos, qos)
        assert not any(generated for _, _, generated in walked)
        assert [v for i, v, _ in walked if i == P.USER_PROPERTY] == [
            ("colour", "blue"),
            ("colour", "red"),
        ]
        by_id = {i: v for i, v, _ in walked}
        assert by_id[P.CONTENT_TYPE] == "application/json"
        assert by_id[P.CORRELATION_DATA] == b"\x01\x02\x00\x03"
        assert by_id[P.PAYLOAD_FORMAT_INDICATOR] == 0
        assert 110 <= by_id[P.MESSAGE_EXPIRY_INTERVAL] <= 120
        assert by_id[P.SUBSCRIPTION_IDENTIFIER] == 4242


def test_v5_will_with_properties(clients, broker, topic):
    sub, events = connected_client(clients, broker, protocol=5)
    raw_callback(sub, "_message_v5_callback_set", Function.ON_MESSAGE_V5,
                 lambda _m, _ud, msg, props: events.put(
                     "message5", Message(msg.contents), _walk(props)))
    sub.subscribe(f"{topic}/will", 1)
    events.get("subscribe")

    dying = clients(protocol=5)
    will_props = Property.add(None, P.USER_PROPERTY, b"why", b"disconnect with will")
    dying.will_set_v5(f"{topic}/will", 4, b"bye!", 1, False, will_props)  # takes the list
    dying_events = Events()
    dying.connect_callback_set(dying_events.callback("connect"))
    dying.connect(broker["host"], broker["port"], 30)
    dying.loop_start()
    assert dying_events.get("connect") == (0,)
    # Reason 0x04: disconnect, but the broker still sends the will.
    dying.disconnect_v5(4, None)
    msg, props = events.get("message5")
    assert (msg.topic, msg.payload, msg.qos) == (f"{topic}/will", b"bye!", 1)
    assert [(i, v) for i, v, _ in props] == [
        (P.USER_PROPERTY, ("why", "disconnect with will"))
    ]


def test_aio_wrapper_uses_loop_read_write_misc(broker, topic):
    """The AIO wrapper drives the client from asyncio with mosquitto_socket,
    mosquitto_loop_read/_write/_misc and mosquitto_want_write."""

    async def main():
        client = Mosquitto()
        client.int_option(Option.PROTOCOL_VERSION, 4)
        async with AIO(client) as aio:
            assert await aio.connect(broker["host"], broker["port"], 30) == 0
            await aio.subscribe(f"{topic}/aio", 2)
            # (Not QoS 0: its on_publish can come from inside
            # mosquitto_publish, before AIO waits for it, a KeyError in AIO.)
            for qos in (1, 2):
                await aio.publish(f"{topic}/aio", f"aio {qos}", qos)
            got = []
            async for msg in aio.read_messages():
                got.append((msg.topic, msg.payload, msg.qos))
                if len(got) == 2:
                    break
            return got

    got = asyncio.run(asyncio.wait_for(main(), TIMEOUT))
    assert sorted(got) == [(f"{topic}/aio", f"aio {q}".encode(), q) for q in (1, 2)]


def test_errno_clear_after_successful_io(broker, topic):
    """ctypes-mosquitto checks errno after every call whose result is not an
    int (want_write, the *_callback_set functions...) and raises OSError if
    it is set. The reference library leaves errno 0 after a successful
    mosquitto_loop_read/_loop/_publish, so those calls work after them."""
    import select

    client = Mosquitto()
    client.connect(broker["host"], broker["port"], 30)
    fd = client.socket()
    assert select.select([fd], [], [], TIMEOUT)[0], "no CONNACK"
    assert client.loop_read(1) == 0  # reads the CONNACK
    assert client.want_write() is False
    client.message_callback_set(lambda *_: None)
    client.publish(f"{topic}/errno", b"x", 1)
    assert client.want_write() is False
    assert select.select([fd], [], [], TIMEOUT)[0], "no PUBACK"
    assert client.loop(100, 1) == 0  # reads the PUBACK
    assert client.want_write() is False
    client.disconnect()


def test_aio_keepalive_task_survives(broker):
    """AIO's _misc_loop (mosquitto_loop_misc: keepalive PINGREQs) calls
    want_write() right after connecting; it must not die of a stale errno."""

    async def main():
        async with AIO(Mosquitto()) as aio:
            await aio.connect(broker["host"], broker["port"], 30)
            await asyncio.sleep(0.2)
            task = aio._misc_task
            return task.done() and task.exception()

    assert asyncio.run(asyncio.wait_for(main(), TIMEOUT)) is False
