/*
 * Differential trace of the libmosquitto client API.
 *
 * Usage: client_trace HOST PORT [--refuse-port PORT] [--unix PATH]
 *
 * Runs one fixed scenario per protocol version (MQTT 3.1.1, 3.1 and 5.0)
 * against a live broker and prints every return code and every callback,
 * in the order they happen, as deterministic lines. The same binary runs on
 * Debian's libmosquitto and on ours; both outputs must be identical.
 *
 * --refuse-port names a listener that refuses anonymous clients (CONNACK
 * "not authorised"); --unix names a broker unix socket. Both are optional.
 *
 * Values that are not deterministic (broker-assigned message ids of
 * received messages, assigned client ids, elapsed times) are not printed.
 * Exits 0 after printing "END", non-zero with a message on any failure;
 * an alarm stops it after a hard timeout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#define HARD_TIMEOUT_S 60
#define WAIT_MS 10000

static const char *host;
static int port;
static int refuse_port = -1;
static const char *unix_path;

/* Prefix of every output line: the protocol under test. */
static char prefix[16] = "init";

/* Event counters, updated by callbacks (possibly on the loop thread). */
enum ev {
	EV_CONNECT,
	EV_CONNECT_FLAGS,
	EV_CONNECT_V5,
	EV_DISCONNECT,
	EV_DISCONNECT_V5,
	EV_PUBLISH,
	EV_PUBLISH_V5,
	EV_MESSAGE,
	EV_MESSAGE_V5,
	EV_SUBSCRIBE,
	EV_SUBSCRIBE_V5,
	EV_UNSUBSCRIBE,
	EV_UNSUBSCRIBE_V5,
	EV_COUNT
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int counts[EV_COUNT];
/* When set, on_message calls mosquitto_disconnect (loop_forever phase). */
static int disconnect_on_message;

static void out(const char *fmt, ...)
{
	va_list ap;
	flockfile(stdout);
	printf("%s ", prefix);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	funlockfile(stdout);
}

static void fail(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "FAIL [%s] ", prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	printf("FAIL\n");
	fflush(stdout);
	exit(1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL hard timeout\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(3);
}

static void bump(enum ev e)
{
	pthread_mutex_lock(&lock);
	counts[e]++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static int count(enum ev e)
{
	int v;
	pthread_mutex_lock(&lock);
	v = counts[e];
	pthread_mutex_unlock(&lock);
	return v;
}

static void reset_counts(void)
{
	pthread_mutex_lock(&lock);
	memset(counts, 0, sizeof(counts));
	pthread_mutex_unlock(&lock);
}

/* Formats a payload: printable ASCII as is, anything else as \xHH. */
static void fmt_bytes(char *buf, size_t size, const void *data, int len)
{
	const unsigned char *p = data;
	size_t used = 0;
	for (int i = 0; i < len && used + 5 < size; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			buf[used++] = (char)p[i];
		} else {
			used += (size_t)snprintf(buf + used, size - used, "\\x%02x", p[i]);
		}
	}
	buf[used] = '\0';
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EPROTO: return "EPROTO";
	case ENOENT: return "ENOENT";
	case EAGAIN: return "EAGAIN";
	default: {
		static char buf[32];
		snprintf(buf, sizeof(buf), "errno-%d", e);
		return buf;
	}
	}
}

/* Prints every property of a list, in list order, one line each. */
static void print_props(const char *what, const mosquitto_property *props)
{
	const mosquitto_property *p;
	int n = 0;
	for (p = props; p; p = mosquitto_property_next(p)) {
		int id = mosquitto_property_identifier(p);
		const char *name = mosquitto_property_identifier_to_string(id);
		int id2 = 0, type = 0;
		char buf[512];
		n++;
		if (!name || mosquitto_string_to_property_info(name, &id2, &type) != MOSQ_ERR_SUCCESS) {
			out("  %s prop id=%d (unknown)", what, id);
			continue;
		}
		switch (type) {
		case MQTT_PROP_TYPE_BYTE: {
			uint8_t v = 0;
			mosquitto_property_read_byte(p, id, &v, false);
			out("  %s prop %s=%u", what, name, v);
			break;
		}
		case MQTT_PROP_TYPE_INT16: {
			uint16_t v = 0;
			mosquitto_property_read_int16(p, id, &v, false);
			out("  %s prop %s=%u", what, name, v);
			break;
		}
		case MQTT_PROP_TYPE_INT32: {
			uint32_t v = 0;
			mosquitto_property_read_int32(p, id, &v, false);
			if (id == MQTT_PROP_MESSAGE_EXPIRY_INTERVAL) {
				/* The broker sends the remaining time: may tick. */
				out("  %s prop %s=%s", what, name,
				    (v >= 3590 && v <= 3600) ? "about-3600" : "unexpected");
			} else {
				out("  %s prop %s=%u", what, name, v);
			}
			break;
		}
		case MQTT_PROP_TYPE_VARINT: {
			uint32_t v = 0;
			mosquitto_property_read_varint(p, id, &v, false);
			out("  %s prop %s=%u", what, name, v);
			break;
		}
		case MQTT_PROP_TYPE_BINARY: {
			void *v = NULL;
			uint16_t len = 0;
			mosquitto_property_read_binary(p, id, &v, &len, false);
			fmt_bytes(buf, sizeof(buf), v, len);
			out("  %s prop %s=[%u]%s", what, name, len, buf);
			free(v);
			break;
		}
		case MQTT_PROP_TYPE_STRING: {
			char *v = NULL;
			mosquitto_property_read_string(p, id, &v, false);
			if (id == MQTT_PROP_ASSIGNED_CLIENT_IDENTIFIER) {
				out("  %s prop %s=<assigned:%s>", what, name,
				    v && strlen(v) > 0 ? "non-empty" : "empty");
			} else {
				out("  %s prop %s=%s", what, name, v ? v : "(null)");
			}
			free(v);
			break;
		}
		case MQTT_PROP_TYPE_STRING_PAIR: {
			char *k = NULL, *v = NULL;
			mosquitto_property_read_string_pair(p, id, &k, &v, false);
			out("  %s prop %s=%s:%s", what, name, k ? k : "(null)", v ? v : "(null)");
			free(k);
			free(v);
			break;
		}
		default:
			out("  %s prop %s type=%d", what, name, type);
		}
	}
	(void)n;
}

/* Prints the libmosquitto file actually loaded, for the test harness. */
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

/* ---- callbacks ---------------------------------------------------------- */

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	out("on_connect rc=%d obj=%s", rc, (const char *)obj);
	bump(EV_CONNECT);
}

static void on_connect_flags(struct mosquitto *m, void *obj, int rc, int flags)
{
	(void)m;
	(void)obj;
	out("on_connect_with_flags rc=%d flags=%d", rc, flags);
	bump(EV_CONNECT_FLAGS);
}

static void on_connect_v5(struct mosquitto *m, void *obj, int rc, int flags,
			  const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	out("on_connect_v5 rc=%d flags=%d props=%s", rc, flags, props ? "yes" : "no");
	print_props("connack", props);
	bump(EV_CONNECT_V5);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	out("on_disconnect rc=%d", rc);
	bump(EV_DISCONNECT);
}

static void on_disconnect_v5(struct mosquitto *m, void *obj, int rc,
			     const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	out("on_disconnect_v5 rc=%d props=%s", rc, props ? "yes" : "no");
	print_props("disconnect", props);
	bump(EV_DISCONNECT_V5);
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	out("on_publish mid=%d", mid);
	bump(EV_PUBLISH);
}

static void on_publish_v5(struct mosquitto *m, void *obj, int mid, int reason,
			  const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	out("on_publish_v5 mid=%d reason=%d props=%s", mid, reason, props ? "yes" : "no");
	print_props("puback", props);
	bump(EV_PUBLISH_V5);
}

static void describe_message(const char *cb, const struct mosquitto_message *msg)
{
	char buf[512];
	fmt_bytes(buf, sizeof(buf), msg->payload, msg->payloadlen);
	if (msg->qos == 0) {
		out("%s topic=%s payload=[%d]%s qos=%d retain=%d mid=%d", cb, msg->topic,
		    msg->payloadlen, buf, msg->qos, msg->retain, msg->mid);
	} else {
		out("%s topic=%s payload=[%d]%s qos=%d retain=%d", cb, msg->topic,
		    msg->payloadlen, buf, msg->qos, msg->retain);
	}
	if (msg->payloadlen >= 0 && msg->payload && ((const char *)msg->payload)[msg->payloadlen] != '\0') {
		out("%s payload not NUL-terminated", cb);
	}
}

static void maybe_disconnect(struct mosquitto *m)
{
	if (disconnect_on_message) {
		int rc;
		disconnect_on_message = 0;
		rc = mosquitto_disconnect(m);
		out("disconnect from on_message rc=%d", rc);
	}
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)obj;
	describe_message("on_message", msg);
	bump(EV_MESSAGE);
	maybe_disconnect(m);
}

static void on_message_v5(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
			  const mosquitto_property *props)
{
	(void)obj;
	describe_message("on_message_v5", msg);
	print_props("publish", props);
	bump(EV_MESSAGE_V5);
	maybe_disconnect(m);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	char buf[128] = "";
	size_t used = 0;
	(void)m;
	(void)obj;
	for (int i = 0; i < n && used < sizeof(buf) - 8; i++) {
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%d", i ? "," : "", granted[i]);
	}
	out("on_subscribe mid=%d count=%d granted=%s", mid, n, buf);
	bump(EV_SUBSCRIBE);
}

static void on_subscribe_v5(struct mosquitto *m, void *obj, int mid, int n, const int *granted,
			    const mosquitto_property *props)
{
	char buf[128] = "";
	size_t used = 0;
	(void)m;
	(void)obj;
	for (int i = 0; i < n && used < sizeof(buf) - 8; i++) {
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%d", i ? "," : "", granted[i]);
	}
	out("on_subscribe_v5 mid=%d count=%d granted=%s props=%s", mid, n, buf, props ? "yes" : "no");
	print_props("suback", props);
	bump(EV_SUBSCRIBE_V5);
}

static void on_unsubscribe(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	out("on_unsubscribe mid=%d", mid);
	bump(EV_UNSUBSCRIBE);
}

static void on_unsubscribe_v5(struct mosquitto *m, void *obj, int mid,
			      const mosquitto_property *props)
{
	(void)m;
	(void)obj;
	out("on_unsubscribe_v5 mid=%d props=%s", mid, props ? "yes" : "no");
	print_props("unsuback", props);
	bump(EV_UNSUBSCRIBE_V5);
}

static void set_callbacks(struct mosquitto *m)
{
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_connect_with_flags_callback_set(m, on_connect_flags);
	mosquitto_connect_v5_callback_set(m, on_connect_v5);
	mosquitto_disconnect_callback_set(m, on_disconnect);
	mosquitto_disconnect_v5_callback_set(m, on_disconnect_v5);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_publish_v5_callback_set(m, on_publish_v5);
	mosquitto_message_callback_set(m, on_message);
	mosquitto_message_v5_callback_set(m, on_message_v5);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_subscribe_v5_callback_set(m, on_subscribe_v5);
	mosquitto_unsubscribe_callback_set(m, on_unsubscribe);
	mosquitto_unsubscribe_v5_callback_set(m, on_unsubscribe_v5);
}

/* ---- waiting ------------------------------------------------------------ */

/* Drives mosquitto_loop until counts[e] >= target. Prints a loop error. */
static void loop_until(struct mosquitto *m, enum ev e, int target, const char *what)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (count(e) < target) {
		int rc = mosquitto_loop(m, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			out("loop rc=%d while waiting for %s", rc, what);
			if (count(e) >= target) {
				return;
			}
			fail("loop failed (rc=%d) before %s", rc, what);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > WAIT_MS) {
			fail("timeout waiting for %s", what);
		}
	}
}

/* Waits (on the condition variable) until counts[e] >= target. */
static void wait_until(enum ev e, int target, const char *what)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&lock);
	while (counts[e] < target) {
		if (pthread_cond_timedwait(&cond, &lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&lock);
			fail("timeout waiting for %s", what);
		}
	}
	pthread_mutex_unlock(&lock);
}

/* ---- helpers ------------------------------------------------------------ */

#define RC(label, call) out("%s rc=%d", label, (call))
#define RCMID(label, call)                                          \
	do {                                                        \
		int mid_ = -7;                                      \
		int rc_;                                            \
		(void)mid_;                                         \
		rc_ = call;                                         \
		out("%s rc=%d mid=%d", label, rc_, mid_);           \
	} while (0)

/* Publishes and returns the mid (the call must succeed). */
static int publish_ok(struct mosquitto *m, const char *topic, const char *payload, int qos,
		      bool retain, const mosquitto_property *props)
{
	int mid = -7;
	int rc = mosquitto_publish_v5(m, &mid, topic, (int)strlen(payload), payload, qos, retain, props);
	out("publish topic=%s qos=%d retain=%d rc=%d mid=%d", topic, qos, retain, rc, mid);
	if (rc != MOSQ_ERR_SUCCESS) {
		fail("publish to %s failed: %d", topic, rc);
	}
	return mid;
}

static const char *proto_name(int proto)
{
	switch (proto) {
	case MQTT_PROTOCOL_V31: return "v31";
	case MQTT_PROTOCOL_V311: return "v311";
	default: return "v5";
	}
}

/* ---- scenario parts ------------------------------------------------------- */

static void new_variants(void)
{
	struct mosquitto *m;
	char longid[70000];
	const char bad_utf8[] = "id-\xc3\x28";

	strcpy(prefix, "new");
	errno = 0;
	m = mosquitto_new(NULL, false, NULL);
	out("new(NULL, clean=false) %s errno=%s", m ? "client" : "NULL", errno_name(errno));
	if (m) mosquitto_destroy(m);

	errno = 0;
	m = mosquitto_new(NULL, true, NULL);
	out("new(NULL, clean=true) %s", m ? "client" : "NULL");
	if (m) mosquitto_destroy(m);

	errno = 0;
	m = mosquitto_new("", true, NULL);
	out("new(\"\", clean=true) %s errno=%s", m ? "client" : "NULL", m ? "-" : errno_name(errno));
	if (m) mosquitto_destroy(m);

	errno = 0;
	m = mosquitto_new("", false, NULL);
	out("new(\"\", clean=false) %s errno=%s", m ? "client" : "NULL", m ? "-" : errno_name(errno));
	if (m) mosquitto_destroy(m);

	errno = 0;
	/* errno is not printed for the next two: the reference leaves an
	 * incidental value there (EBADF from its internal cleanup). */
	m = mosquitto_new(bad_utf8, true, NULL);
	out("new(invalid utf8) %s", m ? "client" : "NULL");
	if (m) mosquitto_destroy(m);

	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	errno = 0;
	m = mosquitto_new(longid, true, NULL);
	out("new(70000-byte id) %s", m ? "client" : "NULL");
	if (m) mosquitto_destroy(m);

	m = mosquitto_new("reinit", true, NULL);
	if (!m) fail("mosquitto_new(reinit)");
	RC("reinitialise(NULL, clean=false)", mosquitto_reinitialise(m, NULL, false, NULL));
	RC("reinitialise(invalid utf8)", mosquitto_reinitialise(m, bad_utf8, true, NULL));
	RC("reinitialise(\"x\", clean=false)", mosquitto_reinitialise(m, "x", false, NULL));
	RC("reinitialise(NULL mosq)", mosquitto_reinitialise(NULL, "x", true, NULL));
	mosquitto_destroy(m);
	mosquitto_destroy(NULL);
	out("destroy(NULL) ok");
}

/* Argument errors and calls on a client that never connected. */
static void unconnected_calls(int proto)
{
	struct mosquitto *m;
	char id[32];
	char big_topic[70000];
	char *subs[2] = {"a/b", "c/#"};
	char *bad_subs[2] = {"a/b", "c/#/d"};
	mosquitto_property *props = NULL;
	mosquitto_property *bad_props = NULL;
	int v;

	snprintf(id, sizeof(id), "pre-%s", proto_name(proto));
	m = mosquitto_new(id, true, NULL);
	if (!m) fail("mosquitto_new(%s)", id);
	set_callbacks(m);
	RC("int_option(protocol, 6)", mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, 6));
	RC("int_option(protocol, 2)", mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, 2));
	v = proto;
	RC("opts_set(protocol)", mosquitto_opts_set(m, MOSQ_OPT_PROTOCOL_VERSION, &v));
	RC("opts_set(protocol, NULL value)", mosquitto_opts_set(m, MOSQ_OPT_PROTOCOL_VERSION, NULL));
	RC("int_option(receive max, 0)", mosquitto_int_option(m, MOSQ_OPT_RECEIVE_MAXIMUM, 0));
	RC("int_option(receive max, 65536)", mosquitto_int_option(m, MOSQ_OPT_RECEIVE_MAXIMUM, 65536));
	RC("int_option(send max, 0)", mosquitto_int_option(m, MOSQ_OPT_SEND_MAXIMUM, 0));
	RC("int_option(tcp nodelay, 1)", mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1));
	RC("int_option(unknown 999)", mosquitto_int_option(m, (enum mosq_opt_t)999, 1));
	RC("string_option(bind address, 127.0.0.1)", mosquitto_string_option(m, MOSQ_OPT_BIND_ADDRESS, "127.0.0.1"));
	/* Resetting the bind address to NULL makes the reference free it twice
	 * (at destroy): not called. */
	RC("reconnect_delay_set(1, 0, false)", mosquitto_reconnect_delay_set(m, 1, 0, false));
	RC("reconnect_delay_set(0, 10, true)", mosquitto_reconnect_delay_set(m, 0, 10, true));
	RC("reconnect_delay_set(1, 10, false)", mosquitto_reconnect_delay_set(m, 1, 10, false));
	RC("max_inflight_messages_set(0)", mosquitto_max_inflight_messages_set(m, 0));
	RC("max_inflight_messages_set(20)", mosquitto_max_inflight_messages_set(m, 20));
	RC("threaded_set(false)", mosquitto_threaded_set(m, false));

	RC("username_pw_set(NULL, NULL)", mosquitto_username_pw_set(m, NULL, NULL));
	RC("username_pw_set(NULL, pw)", mosquitto_username_pw_set(m, NULL, "pw"));
	RC("username_pw_set(invalid utf8)", mosquitto_username_pw_set(m, "u\xff", NULL));
	RC("username_pw_set(user, pw)", mosquitto_username_pw_set(m, "user", "pw"));
	RC("username_pw_set(NULL, NULL) again", mosquitto_username_pw_set(m, NULL, NULL));

	RC("will_set(NULL topic)", mosquitto_will_set(m, NULL, 1, "x", 0, false));
	RC("will_set(qos 3)", mosquitto_will_set(m, "w", 1, "x", 3, false));
	RC("will_set(qos -1)", mosquitto_will_set(m, "w", 1, "x", -1, false));
	RC("will_set(payloadlen -1)", mosquitto_will_set(m, "w", -1, "x", 0, false));
	RC("will_set(payloadlen too big)", mosquitto_will_set(m, "w", 268435456, "x", 0, false));
	RC("will_set(wildcard topic)", mosquitto_will_set(m, "w/#", 1, "x", 0, false));
	RC("will_set(+ topic)", mosquitto_will_set(m, "w/+/x", 1, "x", 0, false));
	RC("will_set(empty topic)", mosquitto_will_set(m, "", 1, "x", 0, false));
	RC("will_set(invalid utf8 topic)", mosquitto_will_set(m, "w\xff", 1, "x", 0, false));
	RC("will_set(len>0, NULL payload)", mosquitto_will_set(m, "w", 3, NULL, 0, false));
	RC("will_set(ok)", mosquitto_will_set(m, "w", 1, "x", 1, true));
	mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE, "text/plain");
	mosquitto_property_add_int32(&bad_props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 10);
	v = mosquitto_will_set_v5(m, "w", 1, "x", 1, true, props);
	out("will_set_v5(content type) rc=%d", v);
	if (v == MOSQ_ERR_SUCCESS) {
		props = NULL; /* the library owns the list on success only */
	}
	RC("will_set_v5(session expiry property)", mosquitto_will_set_v5(m, "w", 1, "x", 1, true, bad_props));
	RC("will_clear", mosquitto_will_clear(m));
	RC("will_clear again", mosquitto_will_clear(m));

	RC("connect(NULL host)", mosquitto_connect(m, NULL, port, 60));
	RC("connect(port -1)", mosquitto_connect(m, host, -1, 60));
	RC("connect(port 65536)", mosquitto_connect(m, host, 65536, 60));
	RC("connect(keepalive 4)", mosquitto_connect(m, host, port, 4));
	RC("connect(keepalive -1)", mosquitto_connect(m, host, port, -1));
	RC("connect(keepalive 65536)", mosquitto_connect(m, host, port, 65536));
	/* connect(NULL mosq, ...) crashes the reference: not called. */
	RC("connect_async(NULL host)", mosquitto_connect_async(m, NULL, port, 60));
	RC("connect_async(keepalive 2)", mosquitto_connect_async(m, host, port, 2));
	RC("connect_bind(keepalive 3)", mosquitto_connect_bind(m, host, port, 3, NULL));
	RC("connect_bind_async(port -5)", mosquitto_connect_bind_async(m, host, -5, 60, NULL));
	RC("reconnect (never connected)", mosquitto_reconnect(m));
	RC("reconnect_async (never connected)", mosquitto_reconnect_async(m));

	RCMID("publish(NULL mosq)", mosquitto_publish(NULL, &mid_, "t", 1, "x", 0, false));
	RCMID("publish(NULL topic)", mosquitto_publish(m, &mid_, NULL, 1, "x", 0, false));
	RCMID("publish(qos 3)", mosquitto_publish(m, &mid_, "t", 1, "x", 3, false));
	RCMID("publish(qos -1)", mosquitto_publish(m, &mid_, "t", 1, "x", -1, false));
	RCMID("publish(payloadlen -1)", mosquitto_publish(m, &mid_, "t", -1, "x", 0, false));
	RCMID("publish(payloadlen too big)", mosquitto_publish(m, &mid_, "t", 268435456, "x", 0, false));
	RCMID("publish(len>0, NULL payload)", mosquitto_publish(m, &mid_, "t", 5, NULL, 0, false));
	RCMID("publish(# topic)", mosquitto_publish(m, &mid_, "t/#", 1, "x", 0, false));
	RCMID("publish(+ topic)", mosquitto_publish(m, &mid_, "t/+", 1, "x", 0, false));
	RCMID("publish(empty topic)", mosquitto_publish(m, &mid_, "", 1, "x", 0, false));
	RCMID("publish(invalid utf8 topic)", mosquitto_publish(m, &mid_, "t\xc3\x28", 1, "x", 0, false));
	memset(big_topic, 'x', sizeof(big_topic) - 1);
	big_topic[sizeof(big_topic) - 1] = '\0';
	RCMID("publish(70000-byte topic)", mosquitto_publish(m, &mid_, big_topic, 1, "x", 0, false));
	RCMID("publish(NULL mid, qos 0, unconnected)", mosquitto_publish(m, NULL, "t", 1, "x", 0, false));
	RCMID("publish(qos 0, unconnected)", mosquitto_publish(m, &mid_, "t", 1, "x", 0, false));
	RCMID("publish(zero-length payload, unconnected)", mosquitto_publish(m, &mid_, "t", 0, NULL, 0, false));
	RCMID("publish_v5(bad property, unconnected)", mosquitto_publish_v5(m, &mid_, "t", 1, "x", 0, false, bad_props));

	RCMID("subscribe(NULL mosq)", mosquitto_subscribe(NULL, &mid_, "a", 0));
	RCMID("subscribe(NULL sub)", mosquitto_subscribe(m, &mid_, NULL, 0));
	RCMID("subscribe(qos 3)", mosquitto_subscribe(m, &mid_, "a", 3));
	RCMID("subscribe(qos -1)", mosquitto_subscribe(m, &mid_, "a", -1));
	RCMID("subscribe(a/#/b)", mosquitto_subscribe(m, &mid_, "a/#/b", 0));
	RCMID("subscribe(a+)", mosquitto_subscribe(m, &mid_, "a+", 0));
	RCMID("subscribe(a/b#)", mosquitto_subscribe(m, &mid_, "a/b#", 0));
	RCMID("subscribe(empty)", mosquitto_subscribe(m, &mid_, "", 0));
	RCMID("subscribe(invalid utf8)", mosquitto_subscribe(m, &mid_, "a\xff", 0));
	RCMID("subscribe(valid, unconnected)", mosquitto_subscribe(m, &mid_, "a/+/c", 1));
	RCMID("subscribe_v5(no-local, unconnected)", mosquitto_subscribe_v5(m, &mid_, "a", 1, MQTT_SUB_OPT_NO_LOCAL, NULL));
	RCMID("subscribe_v5(options 0x30)", mosquitto_subscribe_v5(m, &mid_, "a", 1, 0x30, NULL));
	RCMID("subscribe_v5(options 0x40)", mosquitto_subscribe_v5(m, &mid_, "a", 1, 0x40, NULL));
	RCMID("subscribe_v5(bad property)", mosquitto_subscribe_v5(m, &mid_, "a", 1, 0, bad_props));
	RCMID("subscribe_multiple(count 0)", mosquitto_subscribe_multiple(m, &mid_, 0, subs, 1, 0, NULL));
	RCMID("subscribe_multiple(count -1)", mosquitto_subscribe_multiple(m, &mid_, -1, subs, 1, 0, NULL));
	RCMID("subscribe_multiple(NULL list)", mosquitto_subscribe_multiple(m, &mid_, 2, NULL, 1, 0, NULL));
	RCMID("subscribe_multiple(bad filter)", mosquitto_subscribe_multiple(m, &mid_, 2, bad_subs, 1, 0, NULL));
	RCMID("subscribe_multiple(qos 5)", mosquitto_subscribe_multiple(m, &mid_, 2, subs, 5, 0, NULL));
	RCMID("subscribe_multiple(valid, unconnected)", mosquitto_subscribe_multiple(m, &mid_, 2, subs, 1, 0, NULL));

	RCMID("unsubscribe(NULL sub)", mosquitto_unsubscribe(m, &mid_, NULL));
	RCMID("unsubscribe(a/#/b)", mosquitto_unsubscribe(m, &mid_, "a/#/b"));
	RCMID("unsubscribe(empty)", mosquitto_unsubscribe(m, &mid_, ""));
	RCMID("unsubscribe(invalid utf8)", mosquitto_unsubscribe(m, &mid_, "a\xff"));
	RCMID("unsubscribe(valid, unconnected)", mosquitto_unsubscribe(m, &mid_, "a/#"));
	RCMID("unsubscribe_v5(bad property)", mosquitto_unsubscribe_v5(m, &mid_, "a", bad_props));
	RCMID("unsubscribe_multiple(count 0)", mosquitto_unsubscribe_multiple(m, &mid_, 0, subs, NULL));
	RCMID("unsubscribe_multiple(bad filter)", mosquitto_unsubscribe_multiple(m, &mid_, 2, bad_subs, NULL));
	RCMID("unsubscribe_multiple(valid, unconnected)", mosquitto_unsubscribe_multiple(m, &mid_, 2, subs, NULL));

	RC("disconnect (unconnected)", mosquitto_disconnect(m));
	RC("disconnect_v5(reason 4, unconnected)", mosquitto_disconnect_v5(m, 4, NULL));
	RC("disconnect(NULL)", mosquitto_disconnect(NULL));
	RC("loop (unconnected)", mosquitto_loop(m, 10, 1));
	RC("loop(NULL)", mosquitto_loop(NULL, 10, 1));
	RC("loop_read (unconnected)", mosquitto_loop_read(m, 1));
	RC("loop_write (unconnected)", mosquitto_loop_write(m, 1));
	RC("loop_misc (unconnected)", mosquitto_loop_misc(m));
	RC("loop_stop (not started)", mosquitto_loop_stop(m, false));
	RC("socket (unconnected)", mosquitto_socket(m));
	out("want_write (unconnected) = %d", mosquitto_want_write(m));
	out("callbacks fired: connect=%d publish=%d message=%d disconnect=%d", count(EV_CONNECT),
	    count(EV_PUBLISH), count(EV_MESSAGE), count(EV_DISCONNECT));

	mosquitto_property_free_all(&props);
	mosquitto_property_free_all(&bad_props);
	mosquitto_destroy(m);
	reset_counts();
}

/* Connects, refused by a listener that wants a password. */
static void refused_by_broker(int proto)
{
	struct mosquitto *m;
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "refused-%s", proto_name(proto));
	m = mosquitto_new(id, true, "refused");
	if (!m) fail("mosquitto_new(%s)", id);
	set_callbacks(m);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, proto);
	RC("connect (auth listener)", mosquitto_connect(m, host, refuse_port, 60));
	loop_until(m, EV_CONNECT, 1, "refused connack");
	rc = mosquitto_loop(m, 100, 1);
	out("loop after refusal rc=%d", rc);
	out("disconnect callbacks so far=%d", count(EV_DISCONNECT));
	mosquitto_destroy(m);
	reset_counts();
}

/* A TCP connect that the peer refuses (bound socket, not listening). */
static void connection_refused(int proto)
{
	struct mosquitto *m;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int s, rc, e, dead_port;

	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0
	    || getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
		fail("cannot reserve a port");
	}
	dead_port = ntohs(sa.sin_port);

	m = mosquitto_new("dead", true, NULL);
	if (!m) fail("mosquitto_new(dead)");
	set_callbacks(m);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, proto);
	errno = 0;
	rc = mosquitto_connect(m, "127.0.0.1", dead_port, 60);
	e = errno;
	out("connect (nothing listening) rc=%d errno=%s", rc, errno_name(e));
	RC("loop after refused connect", mosquitto_loop(m, 10, 1));
	RC("reconnect after refused connect", mosquitto_reconnect(m));
	errno = 0;
	rc = mosquitto_connect_async(m, "127.0.0.1", dead_port, 60);
	e = errno;
	out("connect_async (nothing listening) rc=%d errno=%s", rc, rc ? errno_name(e) : "-");
	out("callbacks fired: connect=%d disconnect=%d", count(EV_CONNECT), count(EV_DISCONNECT));
	mosquitto_destroy(m);
	close(s);
	reset_counts();
}

/* v5 CONNECT property errors. */
static void connect_property_errors(int proto)
{
	struct mosquitto *m;
	mosquitto_property *ok = NULL, *bad = NULL;

	m = mosquitto_new("cprops", true, NULL);
	if (!m) fail("mosquitto_new(cprops)");
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, proto);
	mosquitto_property_add_int32(&ok, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 0);
	mosquitto_property_add_byte(&bad, MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, 1);
	RC("connect_bind_v5(publish-only property)",
	   mosquitto_connect_bind_v5(m, host, port, 60, NULL, bad));
	if (proto != MQTT_PROTOCOL_V5) {
		RC("connect_bind_v5(valid property, not v5)",
		   mosquitto_connect_bind_v5(m, host, port, 60, NULL, ok));
	}
	mosquitto_property_free_all(&ok);
	mosquitto_property_free_all(&bad);
	mosquitto_destroy(m);
}

static void unix_socket(int proto)
{
	struct mosquitto *m;
	int mid;

	m = mosquitto_new("unix", true, "unix");
	if (!m) fail("mosquitto_new(unix)");
	set_callbacks(m);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, proto);
	RC("connect (unix socket)", mosquitto_connect(m, unix_path, 0, 60));
	loop_until(m, EV_CONNECT, 1, "unix connack");
	RCMID("subscribe unix/t", mosquitto_subscribe(m, &mid_, "unix/t", 1));
	loop_until(m, EV_SUBSCRIBE, 1, "unix suback");
	mid = publish_ok(m, "unix/t", "over-unix", 1, false, NULL);
	(void)mid;
	loop_until(m, EV_PUBLISH, 1, "unix puback");
	loop_until(m, EV_MESSAGE, 1, "unix message");
	RC("disconnect (unix)", mosquitto_disconnect(m));
	loop_until(m, EV_DISCONNECT, 1, "unix disconnect");
	mosquitto_destroy(m);
	reset_counts();
}

/* The main connected scenario. */
static void session(int proto)
{
	struct mosquitto *m;
	char id[32], t_a[64], t_b[64], t_c[64], t_cx[64], t_r[64], t_p[64], t_lf[64];
	char *multi[2];
	char *unsub_multi[2];
	mosquitto_property *props = NULL;
	int mid, v5 = proto == MQTT_PROTOCOL_V5;
	int n;

	snprintf(id, sizeof(id), "trace-%s", proto_name(proto));
	snprintf(t_a, sizeof(t_a), "trace/%s/a", proto_name(proto));
	snprintf(t_b, sizeof(t_b), "trace/%s/b", proto_name(proto));
	snprintf(t_c, sizeof(t_c), "trace/%s/c/+", proto_name(proto));
	snprintf(t_cx, sizeof(t_cx), "trace/%s/c/x", proto_name(proto));
	snprintf(t_r, sizeof(t_r), "trace/%s/r", proto_name(proto));
	snprintf(t_p, sizeof(t_p), "trace/%s/props", proto_name(proto));
	snprintf(t_lf, sizeof(t_lf), "trace/%s/lf", proto_name(proto));
	multi[0] = t_b;
	multi[1] = t_c;
	unsub_multi[0] = t_b;
	unsub_multi[1] = t_c;

	m = mosquitto_new(id, true, "session");
	if (!m) fail("mosquitto_new(%s)", id);
	set_callbacks(m);
	if (proto == MQTT_PROTOCOL_V31) {
		int v = MQTT_PROTOCOL_V31;
		RC("opts_set(protocol v31)", mosquitto_opts_set(m, MOSQ_OPT_PROTOCOL_VERSION, &v));
	} else {
		RC("int_option(protocol)", mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, proto));
	}

	/* Connect (blocking) and wait for CONNACK. */
	RC("connect", mosquitto_connect(m, host, port, 60));
	out("socket valid=%d", mosquitto_socket(m) >= 0);
	loop_until(m, EV_CONNECT, 1, "connack");

	/* Subscriptions. */
	RCMID("subscribe a qos2", mosquitto_subscribe(m, &mid_, t_a, 2));
	loop_until(m, EV_SUBSCRIBE, 1, "suback a");
	RCMID("subscribe_multiple b,c/+ qos1", mosquitto_subscribe_multiple(m, &mid_, 2, multi, 1, 0, NULL));
	loop_until(m, EV_SUBSCRIBE, 2, "suback multiple");
	if (v5) {
		mosquitto_property *sp = NULL;
		char t_nl[64], t_rap[64];
		snprintf(t_nl, sizeof(t_nl), "trace/%s/nl", proto_name(proto));
		snprintf(t_rap, sizeof(t_rap), "trace/%s/rap", proto_name(proto));
		mosquitto_property_add_varint(&sp, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, 7);
		RCMID("subscribe_v5 nl no-local qos1", mosquitto_subscribe_v5(m, &mid_, t_nl, 1, MQTT_SUB_OPT_NO_LOCAL, NULL));
		loop_until(m, EV_SUBSCRIBE, 3, "suback nl");
		RCMID("subscribe_v5 rap retain-as-published+subid qos1",
		      mosquitto_subscribe_v5(m, &mid_, t_rap, 1, MQTT_SUB_OPT_RETAIN_AS_PUBLISHED, sp));
		loop_until(m, EV_SUBSCRIBE, 4, "suback rap");
		mosquitto_property_free_all(&sp);

		/* no-local: our own message must not come back; the next one does. */
		n = count(EV_MESSAGE);
		mid = publish_ok(m, t_nl, "not-back", 1, false, NULL);
		loop_until(m, EV_PUBLISH, 1, "puback nl");
		mid = publish_ok(m, t_rap, "rap", 1, true, NULL);
		loop_until(m, EV_PUBLISH, 2, "puback rap");
		loop_until(m, EV_MESSAGE, n + 1, "message rap");
		out("messages after no-local+rap: %d", count(EV_MESSAGE) - n);
		mid = publish_ok(m, t_rap, "", 1, true, NULL);
		loop_until(m, EV_PUBLISH, 3, "puback rap clear");
		loop_until(m, EV_MESSAGE, n + 2, "message rap clear");
		reset_counts();
		(void)mid;
	}

	/* QoS 0, 1 and 2 to a subscribed topic. */
	reset_counts();
	mid = publish_ok(m, t_a, "qos0", 0, false, NULL);
	loop_until(m, EV_MESSAGE, 1, "qos0 message");
	mid = publish_ok(m, t_a, "qos1", 1, false, NULL);
	loop_until(m, EV_PUBLISH, 2, "qos1 puback");
	loop_until(m, EV_MESSAGE, 2, "qos1 message");
	mid = publish_ok(m, t_a, "qos2", 2, false, NULL);
	loop_until(m, EV_PUBLISH, 3, "qos2 pubcomp");
	loop_until(m, EV_MESSAGE, 3, "qos2 message");
	/* Matching through the + filter, downgraded to QoS 1. */
	mid = publish_ok(m, t_cx, "via-plus", 2, false, NULL);
	loop_until(m, EV_PUBLISH, 4, "qos2 pubcomp c/x");
	loop_until(m, EV_MESSAGE, 4, "message c/x");
	/* Binary payload with a NUL byte, zero-length payload. */
	{
		static const unsigned char bin[] = {0x00, 0x01, 0xff, 'z'};
		int rc = mosquitto_publish(m, &mid, t_b, (int)sizeof(bin), bin, 1, false);
		out("publish binary rc=%d mid=%d", rc, mid);
		loop_until(m, EV_MESSAGE, 5, "binary message");
		loop_until(m, EV_PUBLISH, 5, "binary puback");
		rc = mosquitto_publish(m, &mid, t_b, 0, NULL, 1, false);
		out("publish empty rc=%d mid=%d", rc, mid);
		loop_until(m, EV_MESSAGE, 6, "empty message");
		loop_until(m, EV_PUBLISH, 6, "empty puback");
	}

	/* Retained message: published first, then delivered on subscribe. */
	reset_counts();
	mid = publish_ok(m, t_r, "kept", 1, true, NULL);
	loop_until(m, EV_PUBLISH, 1, "retained puback");
	RCMID("subscribe r qos2", mosquitto_subscribe(m, &mid_, t_r, 2));
	loop_until(m, EV_SUBSCRIBE, 1, "suback r");
	loop_until(m, EV_MESSAGE, 1, "retained message");
	mid = publish_ok(m, t_r, "", 1, true, NULL);
	loop_until(m, EV_PUBLISH, 2, "retained clear puback");
	loop_until(m, EV_MESSAGE, 2, "retained clear message");

	/* Publish properties (v5 only; refused on v3). */
	reset_counts();
	mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, "k1", "v1");
	mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE, "text/plain");
	mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, "k2", "v2");
	mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, "reply/here");
	mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, "\x01\x02\x03", 3);
	mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, 3600);
	mosquitto_property_add_byte(&props, MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, 1);
	if (v5) {
		mosquitto_property *bad = NULL;
		mosquitto_property_add_int32(&bad, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 5);
		RCMID("publish_v5(session expiry property)",
		      mosquitto_publish_v5(m, &mid_, t_p, 1, "x", 1, false, bad));
		mosquitto_property_free_all(&bad);
		RCMID("subscribe props qos1", mosquitto_subscribe(m, &mid_, t_p, 1));
		loop_until(m, EV_SUBSCRIBE, 1, "suback props");
		mid = publish_ok(m, t_p, "with-props", 1, false, props);
		loop_until(m, EV_PUBLISH, 1, "props puback");
		loop_until(m, EV_MESSAGE, 1, "props message");
	} else {
		RCMID("publish_v5(properties on v3)",
		      mosquitto_publish_v5(m, &mid_, t_p, 1, "x", 1, false, props));
		RCMID("subscribe_v5(properties on v3)",
		      mosquitto_subscribe_v5(m, &mid_, t_p, 1, 0, props));
		RCMID("unsubscribe_v5(properties on v3)",
		      mosquitto_unsubscribe_v5(m, &mid_, t_p, props));
		RC("disconnect_v5(properties on v3)", mosquitto_disconnect_v5(m, 0, props));
	}
	mosquitto_property_free_all(&props);

	/* Argument errors with a connected client. */
	RCMID("publish(qos 3, connected)", mosquitto_publish(m, &mid_, t_a, 1, "x", 3, false));
	RCMID("publish(# topic, connected)", mosquitto_publish(m, &mid_, "x/#", 1, "x", 0, false));
	RCMID("subscribe(bad filter, connected)", mosquitto_subscribe(m, &mid_, "x/#/y", 0));
	RCMID("unsubscribe(bad filter, connected)", mosquitto_unsubscribe(m, &mid_, "x/+y"));
	RC("loop_stop (not started, connected)", mosquitto_loop_stop(m, false));

	/* Unsubscribe. */
	reset_counts();
	RCMID("unsubscribe a", mosquitto_unsubscribe(m, &mid_, t_a));
	loop_until(m, EV_UNSUBSCRIBE, 1, "unsuback a");
	RCMID("unsubscribe_multiple b,c/+", mosquitto_unsubscribe_multiple(m, &mid_, 2, unsub_multi, NULL));
	loop_until(m, EV_UNSUBSCRIBE, 2, "unsuback multiple");
	RCMID("unsubscribe never-subscribed", mosquitto_unsubscribe(m, &mid_, "trace/none"));
	loop_until(m, EV_UNSUBSCRIBE, 3, "unsuback none");
	/* Nothing is delivered any more on a. */
	mid = publish_ok(m, t_a, "unheard", 1, false, NULL);
	loop_until(m, EV_PUBLISH, 1, "puback unheard");
	RCMID("subscribe lf qos1", mosquitto_subscribe(m, &mid_, t_lf, 1));
	loop_until(m, EV_SUBSCRIBE, 1, "suback lf");
	mid = publish_ok(m, t_lf, "marker", 1, false, NULL);
	loop_until(m, EV_MESSAGE, 1, "marker message");
	loop_until(m, EV_PUBLISH, 2, "marker puback");
	out("messages after unsubscribe: %d", count(EV_MESSAGE));

	/* Disconnect and on_disconnect. */
	reset_counts();
	if (v5) {
		RC("disconnect_v5(reason 0)", mosquitto_disconnect_v5(m, 0, NULL));
	} else {
		RC("disconnect", mosquitto_disconnect(m));
	}
	loop_until(m, EV_DISCONNECT, 1, "on_disconnect");
	RC("loop after disconnect", mosquitto_loop(m, 10, 1));
	RC("disconnect again", mosquitto_disconnect(m));
	RCMID("publish qos0 after disconnect", mosquitto_publish(m, &mid_, t_lf, 1, "x", 0, false));
	out("socket after disconnect valid=%d", mosquitto_socket(m) >= 0);

	/* Reconnect: a clean session, so the subscription is gone. */
	reset_counts();
	RC("reconnect", mosquitto_reconnect(m));
	loop_until(m, EV_CONNECT, 1, "reconnect connack");
	RCMID("subscribe lf again qos1", mosquitto_subscribe(m, &mid_, t_lf, 1));
	loop_until(m, EV_SUBSCRIBE, 1, "suback lf again");

	/* loop_forever, ended by mosquitto_disconnect from on_message. */
	reset_counts();
	disconnect_on_message = 1;
	mid = publish_ok(m, t_lf, "stop-loop", 0, false, NULL);
	RC("loop_forever", mosquitto_loop_forever(m, 100, 1));
	out("after loop_forever: message=%d disconnect=%d", count(EV_MESSAGE), count(EV_DISCONNECT));

	/* loop_start / loop_stop: callbacks on the library's thread. */
	reset_counts();
	{
		int rc_connect, rc_start, rc_start2, rc_pub, rc_sub, rc_disc, rc_stop, rc_stop2;
		int pmid = -7, smid = -7;
		rc_connect = mosquitto_connect_async(m, host, port, 60);
		rc_start = mosquitto_loop_start(m);
		rc_start2 = mosquitto_loop_start(m);
		wait_until(EV_CONNECT, 1, "threaded connack");
		rc_sub = mosquitto_subscribe(m, &smid, t_lf, 2);
		wait_until(EV_SUBSCRIBE, 1, "threaded suback");
		rc_pub = mosquitto_publish(m, &pmid, t_lf, 8, "threaded", 2, false);
		wait_until(EV_PUBLISH, 1, "threaded pubcomp");
		wait_until(EV_MESSAGE, 1, "threaded message");
		rc_disc = mosquitto_disconnect(m);
		wait_until(EV_DISCONNECT, 1, "threaded on_disconnect");
		rc_stop = mosquitto_loop_stop(m, false);
		rc_stop2 = mosquitto_loop_stop(m, false);
		out("threaded: connect_async rc=%d loop_start rc=%d loop_start again rc=%d", rc_connect,
		    rc_start, rc_start2);
		out("threaded: subscribe rc=%d mid=%d publish rc=%d mid=%d disconnect rc=%d", rc_sub, smid,
		    rc_pub, pmid, rc_disc);
		out("threaded: loop_stop rc=%d loop_stop again rc=%d", rc_stop, rc_stop2);
	}
	(void)mid;
	mosquitto_destroy(m);
	reset_counts();
}

static void usage(void)
{
	fprintf(stderr, "usage: client_trace HOST PORT [--refuse-port PORT] [--unix PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const int protos[] = {MQTT_PROTOCOL_V311, MQTT_PROTOCOL_V31, MQTT_PROTOCOL_V5};
	int major, minor, rev;

	if (argc < 3) usage();
	host = argv[1];
	port = atoi(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--refuse-port") && i + 1 < argc) {
			refuse_port = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--unix") && i + 1 < argc) {
			unix_path = argv[++i];
		} else {
			usage();
		}
	}
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(HARD_TIMEOUT_S);

	report_loaded_library();
	/* Only the major version: ours reports 2.1 on purpose (docs/differences.md). */
	mosquitto_lib_version(&major, &minor, &rev);
	(void)minor;
	(void)rev;
	printf("lib version major=%d\n", major);
	printf("lib_init rc=%d\n", mosquitto_lib_init());
	new_variants();
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		snprintf(prefix, sizeof(prefix), "%s", proto_name(protos[i]));
		unconnected_calls(protos[i]);
		connect_property_errors(protos[i]);
		connection_refused(protos[i]);
		if (refuse_port > 0) refused_by_broker(protos[i]);
		if (unix_path) unix_socket(protos[i]);
		session(protos[i]);
	}
	strcpy(prefix, "done");
	out("lib_cleanup rc=%d", mosquitto_lib_cleanup());
	printf("END\n");
	return 0;
}
