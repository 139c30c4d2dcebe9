/*
 * Differential trace of what libmosquitto leaves in errno.
 *
 * Usage: errno_trace HOST PORT AUTH_PORT DEAD_PORT
 *
 * PORT is an anonymous broker listener, AUTH_PORT one that refuses bad
 * credentials, DEAD_PORT a port nothing listens on. Before every library
 * call errno is set to a sentinel; after it the program prints one line:
 * the call, its return value and the errno it left ("-" when unchanged).
 * Bindings such as ctypes-mosquitto read errno after every call, so ours
 * must leave the same value as Debian's libmosquitto 2.0.11.
 *
 * Network waits poll the client's socket first and call the library only
 * once something is ready, so that the output does not depend on timing;
 * repeated identical lines of a wait are printed once. Callbacks only set
 * flags (printing from them could change errno). Prints "END" last; exits
 * non-zero on failure, and an alarm stops it after a hard timeout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 60
#define WAIT_MS 10000
#define SENTINEL 12345

static const char *host;
static int port, auth_port, dead_port;

/* Set by callbacks. */
static volatile int connected, connect_rc, disconnected, disconnect_rc;
static volatile int published, subscribed, unsubscribed, messages;

/* The last line a wait printed, to fold repeats. */
static char last_wait_line[160];

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL hard timeout\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(3);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "FAIL ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* errno as text: "-" for the untouched sentinel, else its symbolic name. */
static const char *errno_text(int e)
{
	static char buf[32];
	const char *name;
	if (e == SENTINEL) {
		return "-";
	}
	if (e == 0) {
		return "0";
	}
	name = strerrorname_np(e);
	if (name) {
		return name;
	}
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

static void step(const char *what, const char *result, int e)
{
	printf("%-44s %-8s errno=%s\n", what, result, errno_text(e));
	fflush(stdout);
}

/* Calls an int-returning function with errno preset; prints the line. */
#define CALL(what, expr)                                          \
	({                                                            \
		int rc_, e_;                                              \
		char r_[16];                                              \
		errno = SENTINEL;                                         \
		rc_ = (expr);                                             \
		e_ = errno;                                               \
		snprintf(r_, sizeof(r_), "rc=%d", rc_);                   \
		step(what, r_, e_);                                       \
		rc_;                                                      \
	})

/* Calls a function whose result is not a return code. */
#define VCALL(what, stmt)                                         \
	do {                                                          \
		int e_;                                                   \
		errno = SENTINEL;                                         \
		stmt;                                                     \
		e_ = errno;                                               \
		step(what, "", e_);                                       \
	} while (0)

static struct mosquitto *new_client(const char *what, const char *id)
{
	struct mosquitto *mosq;
	int e;
	errno = SENTINEL;
	mosq = mosquitto_new(id, true, NULL);
	e = errno;
	step(what, mosq ? "ok" : "NULL", e);
	return mosq;
}

static void on_connect(struct mosquitto *m, void *o, int rc)
{
	(void)m, (void)o;
	connect_rc = rc;
	connected = 1;
}

static void on_disconnect(struct mosquitto *m, void *o, int rc)
{
	(void)m, (void)o;
	disconnect_rc = rc;
	disconnected = 1;
}

static void on_publish(struct mosquitto *m, void *o, int mid)
{
	(void)m, (void)o, (void)mid;
	published++;
}

static void on_subscribe(struct mosquitto *m, void *o, int mid, int n, const int *q)
{
	(void)m, (void)o, (void)mid, (void)n, (void)q;
	subscribed++;
}

static void on_unsubscribe(struct mosquitto *m, void *o, int mid)
{
	(void)m, (void)o, (void)mid;
	unsubscribed++;
}

static void on_message(struct mosquitto *m, void *o, const struct mosquitto_message *msg)
{
	(void)m, (void)o, (void)msg;
	messages++;
}

static void disconnect_on_connect(struct mosquitto *m, void *o, int rc)
{
	(void)o, (void)rc;
	mosquitto_disconnect(m);
}

static void set_callbacks(struct mosquitto *mosq)
{
	connected = connect_rc = disconnected = disconnect_rc = 0;
	published = subscribed = unsubscribed = messages = 0;
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_unsubscribe_callback_set(mosq, on_unsubscribe);
	mosquitto_message_callback_set(mosq, on_message);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits until the socket is readable (or writable when the client has
 * something to write); 0 on timeout or without a socket. */
static int socket_ready(struct mosquitto *mosq, int timeout_ms)
{
	struct pollfd p;
	int saved = errno;
	p.fd = mosquitto_socket(mosq);
	if (p.fd < 0) {
		errno = saved;
		return 0;
	}
	p.events = POLLIN | (mosquitto_want_write(mosq) ? POLLOUT : 0);
	p.revents = 0;
	int n = poll(&p, 1, timeout_ms);
	errno = saved;
	return n > 0;
}

/* Drives the client with `how` (mosquitto_loop or mosquitto_loop_read)
 * until *flag >= want, printing each distinct result line once. */
static void wait_for(struct mosquitto *mosq, const char *how, volatile int *flag, int want,
		const char *what)
{
	long deadline = now_ms() + WAIT_MS;
	char line[160];
	last_wait_line[0] = '\0';
	while (*flag < want) {
		int rc, e;
		if (now_ms() > deadline) {
			fail("%s: timed out", what);
		}
		if (!socket_ready(mosq, 100)) {
			if (mosquitto_socket(mosq) < 0) {
				fail("%s: no connection", what);
			}
			continue;
		}
		errno = SENTINEL;
		if (!strcmp(how, "loop")) {
			rc = mosquitto_loop(mosq, 100, 1);
		} else if (mosquitto_want_write(mosq)) {
			rc = mosquitto_loop_write(mosq, 1);
		} else {
			rc = mosquitto_loop_read(mosq, 1);
		}
		e = errno;
		snprintf(line, sizeof(line), "%s (%s) rc=%d errno=%s", how, what, rc, errno_text(e));
		if (strcmp(line, last_wait_line)) {
			printf("  %s\n", line);
			fflush(stdout);
			strcpy(last_wait_line, line);
		}
		if (rc != MOSQ_ERR_SUCCESS) {
			return;
		}
	}
}

/* Calls that need no connection, on a client that never had one. */
static void disconnected_calls(void)
{
	struct mosquitto *mosq;
	int mid;

	printf("== without a connection\n");
	VCALL("lib_init", mosquitto_lib_init());
	errno = SENTINEL;
	mosq = mosquitto_new(NULL, false, NULL);
	step("new(NULL, clean=false)", mosq ? "ok" : "NULL", errno);
	errno = SENTINEL;
	mosq = mosquitto_new("", true, NULL);
	step("new(\"\")", mosq ? "ok" : "NULL", errno);
	mosq = new_client("new(id)", "errno-idle");
	if (!mosq) {
		fail("mosquitto_new");
	}
	CALL("publish q0", mosquitto_publish(mosq, &mid, "errno/t", 1, "x", 0, false));
	CALL("publish q1", mosquitto_publish(mosq, &mid, "errno/t", 1, "x", 1, false));
	CALL("subscribe", mosquitto_subscribe(mosq, &mid, "errno/#", 1));
	CALL("unsubscribe", mosquitto_unsubscribe(mosq, &mid, "errno/#"));
	CALL("disconnect", mosquitto_disconnect(mosq));
	CALL("loop", mosquitto_loop(mosq, 10, 1));
	CALL("loop_read", mosquitto_loop_read(mosq, 1));
	CALL("loop_write", mosquitto_loop_write(mosq, 1));
	CALL("loop_misc", mosquitto_loop_misc(mosq));
	CALL("socket", mosquitto_socket(mosq));
	VCALL("want_write", (void)mosquitto_want_write(mosq));
	CALL("reconnect", mosquitto_reconnect(mosq));
	CALL("connect(dead port)", mosquitto_connect(mosq, host, dead_port, 60));
	CALL("connect_async(dead port)", mosquitto_connect_async(mosq, host, dead_port, 60));
	CALL("loop after failed connect", mosquitto_loop(mosq, 10, 1));
	VCALL("destroy", mosquitto_destroy(mosq));
}

/* A whole session driven by mosquitto_loop or by loop_read/loop_write. */
static void session(const char *how, int protocol)
{
	struct mosquitto *mosq;
	int mid;
	char id[32];

	printf("== session driven by %s, protocol %d\n", how, protocol);
	snprintf(id, sizeof(id), "errno-%s-%d", how, protocol);
	mosq = new_client("new", id);
	if (!mosq) {
		fail("mosquitto_new");
	}
	set_callbacks(mosq);
	CALL("opts_set(protocol)", mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, protocol));
	CALL("connect", mosquitto_connect(mosq, host, port, 60));
	wait_for(mosq, how, &connected, 1, "CONNACK");
	CALL("subscribe q2", mosquitto_subscribe(mosq, &mid, "errno/s/#", 2));
	wait_for(mosq, how, &subscribed, 1, "SUBACK");
	for (int qos = 0; qos <= 2; qos++) {
		char what[32];
		int before = messages;
		snprintf(what, sizeof(what), "publish q%d", qos);
		CALL(what, mosquitto_publish(mosq, &mid, "errno/s/x", 3, "abc", qos, false));
		if (qos > 0) {
			wait_for(mosq, how, &published, qos, "acked");
		}
		wait_for(mosq, how, &messages, before + 1, "message");
	}
	CALL("unsubscribe", mosquitto_unsubscribe(mosq, &mid, "errno/s/#"));
	wait_for(mosq, how, &unsubscribed, 1, "UNSUBACK");
	CALL("loop_misc", mosquitto_loop_misc(mosq));
	VCALL("want_write", (void)mosquitto_want_write(mosq));
	CALL("disconnect", mosquitto_disconnect(mosq));
	if (!strcmp(how, "loop")) {
		CALL("loop after disconnect", mosquitto_loop(mosq, 10, 1));
	} else {
		CALL("loop_write after disconnect", mosquitto_loop_write(mosq, 1));
	}
	CALL("publish after disconnect", mosquitto_publish(mosq, &mid, "errno/s/x", 1, "a", 0, false));
	VCALL("destroy", mosquitto_destroy(mosq));
	VCALL("new after destroy", mosq = mosquitto_new(NULL, true, NULL));
	VCALL("destroy", mosquitto_destroy(mosq));
}

/* Bad credentials: CONNACK refuses, the loop reports it, then destroy. */
static void refused(int protocol)
{
	struct mosquitto *mosq;

	printf("== refused for bad credentials, protocol %d\n", protocol);
	mosq = new_client("new", "errno-refused");
	if (!mosq) {
		fail("mosquitto_new");
	}
	set_callbacks(mosq);
	CALL("opts_set(protocol)", mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, protocol));
	CALL("username_pw_set", mosquitto_username_pw_set(mosq, "nobody", "wrong"));
	CALL("connect", mosquitto_connect(mosq, host, auth_port, 60));
	wait_for(mosq, "loop", &connected, 1, "CONNACK");
	if (!disconnected) {
		wait_for(mosq, "loop", &disconnected, 1, "closed");
	}
	printf("  connect_rc=%d disconnect_rc=%d\n", connect_rc, disconnect_rc);
	CALL("loop after refusal", mosquitto_loop(mosq, 10, 1));
	CALL("publish after refusal", mosquitto_publish(mosq, NULL, "errno/r", 1, "a", 0, false));
	VCALL("destroy", mosquitto_destroy(mosq));
	VCALL("new after destroy", mosq = mosquitto_new("errno-next", true, NULL));
	CALL("loop_misc on new client", mosquitto_loop_misc(mosq));
	VCALL("destroy", mosquitto_destroy(mosq));
}

/* Bad credentials with a PUBLISH sent after the broker closed: the broker's
 * system answers it with a reset. */
static void refused_then_reset(int protocol)
{
	struct mosquitto *mosq;

	printf("== refused, then reset, protocol %d\n", protocol);
	mosq = new_client("new", "errno-reset");
	if (!mosq) {
		fail("mosquitto_new");
	}
	set_callbacks(mosq);
	CALL("opts_set(protocol)", mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, protocol));
	CALL("username_pw_set", mosquitto_username_pw_set(mosq, "nobody", "wrong"));
	CALL("connect", mosquitto_connect(mosq, host, auth_port, 60));
	if (!socket_ready(mosq, WAIT_MS)) {
		fail("no CONNACK");
	}
	/* The broker closes right after its CONNACK. */
	usleep(100000);
	CALL("publish q0 to the closed broker", mosquitto_publish(mosq, NULL, "errno/r", 1, "a", 0, false));
	usleep(100000);
	wait_for(mosq, "loop", &disconnected, 1, "closed");
	CALL("loop after reset", mosquitto_loop(mosq, 10, 1));
	VCALL("destroy", mosquitto_destroy(mosq));
	VCALL("new after destroy", mosq = mosquitto_new("errno-next", true, NULL));
	VCALL("destroy", mosquitto_destroy(mosq));
}

/* Another client takes over the id: the broker closes the first one. */
static void taken_over(void)
{
	struct mosquitto *first, *second;

	printf("== connection closed by the broker\n");
	first = new_client("new(first)", "errno-takeover");
	second = new_client("new(second)", "errno-takeover");
	if (!first || !second) {
		fail("mosquitto_new");
	}
	set_callbacks(first);
	CALL("connect(first)", mosquitto_connect(first, host, port, 60));
	wait_for(first, "loop", &connected, 1, "CONNACK");
	CALL("connect(second)", mosquitto_connect(second, host, port, 60));
	wait_for(first, "loop", &disconnected, 1, "closed");
	printf("  disconnect_rc=%d\n", disconnect_rc);
	CALL("loop(first) after close", mosquitto_loop(first, 10, 1));
	CALL("reconnect(first) to dead port", mosquitto_connect(first, host, dead_port, 60));
	VCALL("destroy(first)", mosquitto_destroy(first));
	VCALL("destroy(second)", mosquitto_destroy(second));
}

/* loop_start / loop_stop and loop_forever. */
static void threaded(void)
{
	struct mosquitto *mosq;
	long deadline;
	int mid;

	printf("== loop_start\n");
	mosq = new_client("new", "errno-threaded");
	if (!mosq) {
		fail("mosquitto_new");
	}
	set_callbacks(mosq);
	CALL("connect_async", mosquitto_connect_async(mosq, host, port, 60));
	CALL("loop_start", mosquitto_loop_start(mosq));
	deadline = now_ms() + WAIT_MS;
	while (!connected && now_ms() < deadline) {
		usleep(10000);
	}
	if (!connected) {
		fail("loop_start: no CONNACK");
	}
	CALL("publish q1", mosquitto_publish(mosq, &mid, "errno/t", 1, "a", 1, false));
	deadline = now_ms() + WAIT_MS;
	while (!published && now_ms() < deadline) {
		usleep(10000);
	}
	CALL("disconnect", mosquitto_disconnect(mosq));
	CALL("loop_stop", mosquitto_loop_stop(mosq, false));
	VCALL("destroy", mosquitto_destroy(mosq));

	printf("== loop_forever\n");
	mosq = new_client("new", "errno-forever");
	if (!mosq) {
		fail("mosquitto_new");
	}
	set_callbacks(mosq);
	CALL("connect", mosquitto_connect(mosq, host, port, 60));
	/* on_connect disconnects, which ends loop_forever. */
	mosquitto_connect_callback_set(mosq, disconnect_on_connect);
	CALL("loop_forever", mosquitto_loop_forever(mosq, 100, 1));
	VCALL("destroy", mosquitto_destroy(mosq));
	VCALL("lib_cleanup", mosquitto_lib_cleanup());
}

static void report_loaded_library(void)
{
	Dl_info info;
	if (dladdr((void *)&mosquitto_lib_version, &info) && info.dli_fname) {
		char *real = realpath(info.dli_fname, NULL);
		fprintf(stderr, "LOADED %s\n", real ? real : info.dli_fname);
		free(real);
	} else {
		fprintf(stderr, "LOADED ?\n");
	}
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: errno_trace HOST PORT AUTH_PORT DEAD_PORT\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(HARD_TIMEOUT_S);
	report_loaded_library();
	host = argv[1];
	port = atoi(argv[2]);
	auth_port = atoi(argv[3]);
	dead_port = atoi(argv[4]);

	disconnected_calls();
	session("loop", MQTT_PROTOCOL_V311);
	session("loop", MQTT_PROTOCOL_V5);
	session("loop_read", MQTT_PROTOCOL_V31);
	refused(MQTT_PROTOCOL_V311);
	refused(MQTT_PROTOCOL_V5);
	refused_then_reset(MQTT_PROTOCOL_V311);
	refused_then_reset(MQTT_PROTOCOL_V5);
	taken_over();
	threaded();
	printf("END\n");
	return 0;
}
