/*
 * websockets.c - MQTT carried inside WebSocket frames (the transport web
 * browsers use, also handy through HTTP proxies), then a
 * publish/subscribe round trip.
 *
 *   usage: websockets HOST PORT [HTTP_PATH]
 *
 * PORT is the broker's WebSocket listener, e.g. in mosquitto.conf:
 *
 *   listener 8080
 *   protocol websockets
 *
 * HTTP_PATH is the path of the HTTP upgrade request ("/mqtt" by default,
 * which mosquitto accepts like any other path).
 *
 * MOSQ_OPT_TRANSPORT, MOSQ_T_WEBSOCKETS and MOSQ_OPT_HTTP_PATH are
 * libmosquitto 2.1 API: a 2.0 mosquitto.h does not declare them.
 *
 * Apart from choosing the transport before connecting, nothing differs
 * from a TCP client: the same calls, callbacks and loop. The client
 * subscribes to examples/websockets/<pid>, publishes one QoS 1 message
 * there and waits for it to come back.
 *
 * Exit status: 0 when the message came back, 1 on error (for instance
 * "This feature is not supported." from a library built without
 * WebSockets), 2 on timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

#define PAYLOAD "hello over WebSockets"

struct state {
	char topic[64];
	int echoed;
	int failed;
};

/* SIGALRM handler: only async-signal-safe calls here (write, _exit). */
static void on_timeout(int sig)
{
	static const char text[] = "error: timed out\n";

	(void)sig;
	if (write(STDERR_FILENO, text, sizeof(text) - 1) < 0) {
		/* nothing more we can do */
	}
	_exit(2);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct state *st = obj;

	if (rc != 0) {
		fprintf(stderr, "error: connection refused: %s\n", mosquitto_connack_string(rc));
		st->failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	printf("connected over WebSockets\n");
	if (mosquitto_subscribe(mosq, NULL, st->topic, 1) != MOSQ_ERR_SUCCESS) {
		st->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

/* Subscribed: publish the message we expect to get back. */
static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
			 const int *granted_qos)
{
	struct state *st = obj;

	(void)mid;
	if (qos_count != 1 || granted_qos[0] > 2
	    || mosquitto_publish(mosq, NULL, st->topic, (int)strlen(PAYLOAD), PAYLOAD, 1, false)
		       != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: subscribe or publish failed\n");
		st->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct state *st = obj;

	printf("received \"%.*s\" on %s\n", msg->payloadlen, (const char *)msg->payload,
	       msg->topic);
	st->echoed = msg->payloadlen == (int)strlen(PAYLOAD)
		     && memcmp(msg->payload, PAYLOAD, strlen(PAYLOAD)) == 0;
	mosquitto_disconnect(mosq);
}

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;
	struct state st;
	int port, rc;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s HOST PORT [HTTP_PATH]\n", argv[0]);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	port = atoi(argv[2]);
	snprintf(st.topic, sizeof(st.topic), "examples/websockets/%d", (int)getpid());

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();

	mosq = mosquitto_new(NULL, true, &st);
	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return 1;
	}
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_message_callback_set(mosq, on_message);

	/* Choose the transport before connecting (MOSQ_T_TCP is the default). */
	rc = mosquitto_int_option(mosq, MOSQ_OPT_TRANSPORT, MOSQ_T_WEBSOCKETS);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: MOSQ_OPT_TRANSPORT: %s\n", mosquitto_strerror(rc));
		goto fail;
	}
	if (argc == 4) {
		rc = mosquitto_string_option(mosq, MOSQ_OPT_HTTP_PATH, argv[3]);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: MOSQ_OPT_HTTP_PATH: %s\n", mosquitto_strerror(rc));
			goto fail;
		}
	}
	printf("transport: WebSockets\n");

	/* Opens TCP, performs the HTTP upgrade, then sends CONNECT. */
	rc = mosquitto_connect(mosq, argv[1], port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: connect to %s:%d: %s\n", argv[1], port, mosquitto_strerror(rc));
		goto fail;
	}
	rc = mosquitto_loop_forever(mosq, -1, 1);
	if (rc != MOSQ_ERR_SUCCESS && !st.failed) {
		fprintf(stderr, "error: network loop: %s\n", mosquitto_strerror(rc));
		goto fail;
	}
	if (!st.echoed || st.failed) {
		if (!st.failed) {
			fprintf(stderr, "error: the message did not come back intact\n");
		}
		goto fail;
	}
	printf("round trip over WebSockets complete, disconnected\n");
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return 0;

fail:
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return 1;
}
