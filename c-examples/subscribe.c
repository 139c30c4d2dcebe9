/*
 * subscribe.c - subscribe to a topic filter, print COUNT messages, exit.
 *
 *   usage: subscribe HOST PORT TOPIC_FILTER COUNT [QOS]
 *
 * Prints "subscribed (granted QoS N)" once the broker has acknowledged the
 * subscription - messages published after that line are guaranteed to
 * reach us - then one line per message:
 *
 *   message TOPIC qos=Q retain=R PAYLOAD
 *
 * The subscription is made from the on_connect callback, so it would be
 * made again after an automatic reconnection.
 *
 * Exit status: 0 after COUNT messages, 1 on error, 2 on timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

struct state {
	const char *filter;
	int qos;
	int wanted;   /* how many messages to print before leaving */
	int received; /* how many we printed so far */
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
	int err;

	if (rc != 0) {
		fprintf(stderr, "error: connection refused: %s\n", mosquitto_connack_string(rc));
		st->failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	printf("connected\n");
	err = mosquitto_subscribe(mosq, NULL, st->filter, st->qos);
	if (err != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: subscribe: %s\n", mosquitto_strerror(err));
		st->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

/* The SUBACK: one granted QoS per topic filter we asked for. 128 (0x80)
 * means the broker refused that filter. */
static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
			 const int *granted_qos)
{
	struct state *st = obj;

	(void)mid;
	if (qos_count != 1 || granted_qos[0] > 2) {
		fprintf(stderr, "error: subscription refused\n");
		st->failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	printf("subscribed (granted QoS %d)\n", granted_qos[0]);
	/* A test or script waiting for this line must see it now, not when
	 * the stdout buffer happens to fill up. */
	fflush(stdout);
}

/* msg and everything it points to belong to the library: copy what you
 * want to keep. The payload is not NUL-terminated. */
static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct state *st = obj;

	printf("message %s qos=%d retain=%d %.*s\n", msg->topic, msg->qos, msg->retain,
	       msg->payloadlen, (const char *)msg->payload);
	fflush(stdout);
	st->received++;
	if (st->received == st->wanted) {
		mosquitto_disconnect(mosq);
	}
}

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;
	struct state st;
	int port, rc;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: %s HOST PORT TOPIC_FILTER COUNT [QOS]\n", argv[0]);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	port = atoi(argv[2]);
	st.filter = argv[3];
	st.wanted = atoi(argv[4]);
	st.qos = argc == 6 ? atoi(argv[5]) : 0;
	if (st.wanted < 1 || st.qos < 0 || st.qos > 2) {
		fprintf(stderr, "error: COUNT must be at least 1 and QoS 0, 1 or 2\n");
		return 1;
	}

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

	rc = mosquitto_connect(mosq, argv[1], port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: connect to %s:%d: %s\n", argv[1], port, mosquitto_strerror(rc));
		mosquitto_destroy(mosq);
		mosquitto_lib_cleanup();
		return 1;
	}

	rc = mosquitto_loop_forever(mosq, -1, 1);
	if (rc != MOSQ_ERR_SUCCESS && !st.failed) {
		fprintf(stderr, "error: network loop: %s\n", mosquitto_strerror(rc));
		st.failed = 1;
	}
	if (!st.failed) {
		printf("received %d messages, disconnected\n", st.received);
	}

	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return st.failed || st.received != st.wanted ? 1 : 0;
}
