"""Shared fixtures for the binding tests.

The Rust runner (tests/python_bindings.rs) starts a broker and passes, in the
environment:

  MQTT_HOST, MQTT_PORT          an anonymous listener
  MQTT_AUTH_PORT                a listener that needs MQTT_USER / MQTT_PASSWORD
  MOSQ_EXPECT_LIB               the libmosquitto.so.1 file this process must load
                                (ours through LD_LIBRARY_PATH, or Debian's)

Each test uses its own topic prefix, so tests never see each other's messages.
"""

import os
import uuid

import pytest

from mosqtest import loaded_libmosquitto


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through tests/python_bindings.rs")
    return value


@pytest.fixture(scope="session")
def broker():
    """Where the broker is."""
    return {
        "host": _env("MQTT_HOST"),
        "port": int(_env("MQTT_PORT")),
        "auth_port": int(_env("MQTT_AUTH_PORT")),
        "user": _env("MQTT_USER"),
        "password": _env("MQTT_PASSWORD"),
    }


@pytest.fixture(scope="session")
def expected_lib():
    """The real path of the library this process must have loaded."""
    return os.path.realpath(_env("MOSQ_EXPECT_LIB"))


@pytest.fixture
def topic():
    """A topic prefix unique to one test."""
    return f"pytest/{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _check_loaded_library(expected_lib):
    """After every test: exactly the expected libmosquitto is mapped."""
    yield
    loaded = loaded_libmosquitto()
    if loaded:
        assert loaded == {expected_lib}, f"loaded {loaded}, expected {expected_lib}"
