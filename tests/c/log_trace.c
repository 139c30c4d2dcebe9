/*
 * Differential trace of the lines libmosquitto gives the log callback.
 *
 * Usage: log_trace broker VERSION HOST PORT AUTH_PORT
 *        log_trace fake VERSION HOST PORT
 *
 * VERSION is 3 (MQTT 3.1), 4 (3.1.1) or 5. "broker" runs the common flows
 * against a real broker: connect, CONNACK, SUBSCRIBE/SUBACK, PUBLISH out
 * and in at QoS 0, 1 and 2 with their acknowledgements, UNSUBSCRIBE,
 * PINGREQ/PINGRESP (keepalive 5 s), DISCONNECT, a refusal for bad
 * credentials on AUTH_PORT, and a client without an id. "fake" connects to
 * the test's scripted broker and runs until it disconnects us (see
 * tests/log_diff.rs for the script).
 *
 * Every line the log callback receives is printed as "LOG <level> <text>";
 * "== ..." lines mark the steps. The client is driven by mosquitto_loop()
 * on this thread only, so the order is the library's. Prints "END" last;
 * exits non-zero on failure, and an alarm stops it after a hard timeout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#define HARD_TIMEOUT_S 60
#define WAIT_MS 10000
#define KEEPALIVE 5

static const char *host;
static int port, auth_port, version;

/* Set by callbacks. */
static int connected, disconnected, published, subscribed, unsubscribed, messages, pingresp;

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

static const char *level_name(int level)
{
	switch (level) {
	case MOSQ_LOG_INFO: return "INFO";
	case MOSQ_LOG_NOTICE: return "NOTICE";
	case MOSQ_LOG_WARNING: return "WARNING";
	case MOSQ_LOG_ERR: return "ERR";
	case MOSQ_LOG_DEBUG: return "DEBUG";
	case MOSQ_LOG_SUBSCRIBE: return "SUBSCRIBE";
	case MOSQ_LOG_UNSUBSCRIBE: return "UNSUBSCRIBE";
	case MOSQ_LOG_WEBSOCKETS: return "WEBSOCKETS";
	default: return "?";
	}
}

static void on_log(struct mosquitto *m, void *o, int level, const char *text)
{
	(void)m, (void)o;
	printf("LOG %s %s\n", level_name(level), text);
	if (strstr(text, "received PINGRESP")) {
		pingresp = 1;
	}
}

static void on_connect(struct mosquitto *m, void *o, int rc)
{
	(void)m, (void)o;
	printf("  on_connect %d\n", rc);
	connected = 1;
}

static void on_disconnect(struct mosquitto *m, void *o, int rc)
{
	(void)m, (void)o;
	printf("  on_disconnect %d\n", rc);
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

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Runs mosquitto_loop until *flag >= want (or the client is disconnected,
 * when `until_closed`); fails after `ms`, unless `soft`. */
static void wait_for(struct mosquitto *mosq, int *flag, int want, int ms, int soft, const char *what)
{
	long deadline = now_ms() + ms;
	while (*flag < want) {
		if (now_ms() > deadline) {
			if (soft) {
				printf("  (no %s)\n", what);
				return;
			}
			fail("%s: timed out", what);
		}
		int rc = mosquitto_loop(mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS && flag != &disconnected) {
			fail("%s: mosquitto_loop returned %d", what, rc);
		}
		if (rc == MOSQ_ERR_NO_CONN) {
			return;
		}
	}
}

static struct mosquitto *new_client(const char *id)
{
	struct mosquitto *mosq = mosquitto_new(id, true, NULL);
	if (!mosq) {
		fail("mosquitto_new");
	}
	connected = disconnected = published = subscribed = unsubscribed = messages = pingresp = 0;
	mosquitto_log_callback_set(mosq, on_log);
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_unsubscribe_callback_set(mosq, on_unsubscribe);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, version);
	return mosq;
}

static void check(int rc, const char *what)
{
	if (rc != MOSQ_ERR_SUCCESS) {
		fail("%s returned %d", what, rc);
	}
}

static void step(const char *what)
{
	printf("== %s\n", what);
}

static void broker_flows(void)
{
	struct mosquitto *mosq;
	char id[32], filter[32], topic[32], retained[32], a[32], b[32];
	char *pair[2] = {a, b};

	snprintf(id, sizeof(id), "log-v%d", version);
	snprintf(filter, sizeof(filter), "log/%d/#", version);
	snprintf(topic, sizeof(topic), "log/%d/x", version);
	snprintf(retained, sizeof(retained), "log/%d/r", version);
	/* Not under `filter`: every message matches one subscription only. */
	snprintf(a, sizeof(a), "logm/%d/a", version);
	snprintf(b, sizeof(b), "logm/%d/b", version);

	step("connect");
	mosq = new_client(id);
	check(mosquitto_connect(mosq, host, port, KEEPALIVE), "connect");
	wait_for(mosq, &connected, 1, WAIT_MS, 0, "CONNACK");

	step("subscribe");
	check(mosquitto_subscribe(mosq, NULL, filter, 2), "subscribe");
	wait_for(mosq, &subscribed, 1, WAIT_MS, 0, "SUBACK");
	check(mosquitto_subscribe_multiple(mosq, NULL, 2, pair, 1, 0, NULL), "subscribe_multiple");
	wait_for(mosq, &subscribed, 2, WAIT_MS, 0, "SUBACK");
	if (version == MQTT_PROTOCOL_V5) {
		check(mosquitto_subscribe_v5(mosq, NULL, a, 1, MQTT_SUB_OPT_NO_LOCAL | MQTT_SUB_OPT_RETAIN_AS_PUBLISHED, NULL),
				"subscribe_v5");
		wait_for(mosq, &subscribed, 3, WAIT_MS, 0, "SUBACK");
	}

	for (int qos = 0; qos <= 2; qos++) {
		char what[32];
		int before = messages, acked = published;
		snprintf(what, sizeof(what), "publish q%d", qos);
		step(what);
		check(mosquitto_publish(mosq, NULL, topic, 5, "hello", qos, false), "publish");
		wait_for(mosq, &published, acked + 1, WAIT_MS, 0, "acknowledgement");
		wait_for(mosq, &messages, before + 1, WAIT_MS, 0, "message");
	}

	step("publish retained, empty");
	int before = messages, acked = published;
	check(mosquitto_publish(mosq, NULL, retained, 0, NULL, 1, true), "publish");
	wait_for(mosq, &published, acked + 1, WAIT_MS, 0, "acknowledgement");
	wait_for(mosq, &messages, before + 1, WAIT_MS, 0, "message");

	step("unsubscribe");
	check(mosquitto_unsubscribe(mosq, NULL, filter), "unsubscribe");
	wait_for(mosq, &unsubscribed, 1, WAIT_MS, 0, "UNSUBACK");
	check(mosquitto_unsubscribe_multiple(mosq, NULL, 2, pair, NULL), "unsubscribe_multiple");
	wait_for(mosq, &unsubscribed, 2, WAIT_MS, 0, "UNSUBACK");

	step("keepalive");
	wait_for(mosq, &pingresp, 1, (KEEPALIVE + 3) * 1000, 1, "PINGRESP");

	step("disconnect");
	check(mosquitto_disconnect(mosq), "disconnect");
	wait_for(mosq, &disconnected, 1, WAIT_MS, 0, "disconnect");
	mosquitto_destroy(mosq);

	step("refused");
	snprintf(id, sizeof(id), "log-v%d-bad", version);
	mosq = new_client(id);
	check(mosquitto_username_pw_set(mosq, "nobody", "wrong"), "username_pw_set");
	check(mosquitto_connect(mosq, host, auth_port, 60), "connect");
	wait_for(mosq, &disconnected, 1, WAIT_MS, 0, "refusal");
	mosquitto_destroy(mosq);

	step("no client id");
	mosq = new_client(NULL);
	int rc = mosquitto_connect(mosq, host, port, 60);
	printf("  connect %d\n", rc);
	if (rc == MOSQ_ERR_SUCCESS) {
		wait_for(mosq, &connected, 1, WAIT_MS, 0, "CONNACK");
		check(mosquitto_publish(mosq, NULL, topic, 1, "n", 1, false), "publish");
		wait_for(mosq, &published, 1, WAIT_MS, 0, "acknowledgement");
		check(mosquitto_disconnect(mosq), "disconnect");
		wait_for(mosq, &disconnected, 1, WAIT_MS, 0, "disconnect");
	}
	mosquitto_destroy(mosq);
}

/* The scripted broker drives everything; we just run until it lets go. */
static void fake_flow(void)
{
	struct mosquitto *mosq;
	char id[32];

	step("fake broker");
	snprintf(id, sizeof(id), "log-fake-v%d", version);
	mosq = new_client(version == MQTT_PROTOCOL_V5 ? NULL : id);
	check(mosquitto_connect(mosq, host, port, 60), "connect");
	wait_for(mosq, &connected, 1, WAIT_MS, 0, "CONNACK");
	check(mosquitto_publish(mosq, NULL, "fake/out", 3, "out", 1, false), "publish");
	wait_for(mosq, &disconnected, 1, WAIT_MS, 0, "disconnect");
	mosquitto_destroy(mosq);
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
	int fake;
	if (argc < 5 || (strcmp(argv[1], "broker") && strcmp(argv[1], "fake"))
			|| (!strcmp(argv[1], "broker") && argc != 6)) {
		fprintf(stderr, "usage: log_trace broker VERSION HOST PORT AUTH_PORT\n"
				"       log_trace fake VERSION HOST PORT\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(HARD_TIMEOUT_S);
	setvbuf(stdout, NULL, _IOLBF, 0);
	report_loaded_library();
	fake = !strcmp(argv[1], "fake");
	version = atoi(argv[2]);
	host = argv[3];
	port = atoi(argv[4]);
	auth_port = fake ? 0 : atoi(argv[5]);

	mosquitto_lib_init();
	if (fake) {
		fake_flow();
	} else {
		broker_flows();
	}
	mosquitto_lib_cleanup();
	printf("END\n");
	return 0;
}
