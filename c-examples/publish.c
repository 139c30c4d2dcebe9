/*
 * publish.c - connect, publish one message, wait until it is delivered to
 * the broker, disconnect.
 *
 *   usage: publish HOST PORT TOPIC MESSAGE [QOS]
 *
 * "Delivered" depends on the QoS: at QoS 0 the on_publish callback fires as
 * soon as the message has been written to the socket, at QoS 1 when the
 * broker's PUBACK arrives, at QoS 2 when the PUBREC/PUBREL/PUBCOMP exchange
 * is complete. Disconnecting from on_publish therefore never loses the
 * message.
 *
 * The whole program runs on one thread: mosquitto_loop_forever() reads and
 * writes the socket and calls the callbacks, and returns once
 * mosquitto_disconnect() has been called.
 *
 * Exit status: 0 when the message was delivered, 1 otherwise (with a
 * message on stderr), 2 when the program had to give up after a timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

/* What the callbacks need to know and what they report back. */
struct state {
	const char *topic;
	const char *message;
	int qos;
	int mid;       /* message id given by mosquitto_publish() */
	int delivered; /* set by on_publish */
	int failed;    /* set when something went wrong in a callback */
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

/* Called when the broker answered our CONNECT. rc 0 means accepted. */
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

	/* Publish from the callback: the connection is known to be up. */
	err = mosquitto_publish(mosq, &st->mid, st->topic, (int)strlen(st->message),
				st->message, st->qos, false);
	if (err != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: publish: %s\n", mosquitto_strerror(err));
		st->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

/* Called when a message we sent has gone as far as its QoS requires. */
static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct state *st = obj;

	if (mid != st->mid) {
		return;
	}
	printf("published mid %d to %s at QoS %d\n", mid, st->topic, st->qos);
	st->delivered = 1;
	mosquitto_disconnect(mosq);
}

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;
	struct state st;
	int port, rc;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: %s HOST PORT TOPIC MESSAGE [QOS]\n", argv[0]);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	port = atoi(argv[2]);
	st.topic = argv[3];
	st.message = argv[4];
	st.qos = argc == 6 ? atoi(argv[5]) : 0;
	if (st.qos < 0 || st.qos > 2) {
		fprintf(stderr, "error: QoS must be 0, 1 or 2\n");
		return 1;
	}

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);

	mosquitto_lib_init();

	/* NULL id + clean session: the broker does not need to remember us. */
	mosq = mosquitto_new(NULL, true, &st);
	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return 1;
	}
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_publish_callback_set(mosq, on_publish);

	rc = mosquitto_connect(mosq, argv[1], port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: connect to %s:%d: %s\n", argv[1], port, mosquitto_strerror(rc));
		mosquitto_destroy(mosq);
		mosquitto_lib_cleanup();
		return 1;
	}

	/* Runs the network loop until mosquitto_disconnect() is called (from a
	 * callback) or the connection is lost. */
	rc = mosquitto_loop_forever(mosq, -1, 1);
	if (rc != MOSQ_ERR_SUCCESS && !st.failed) {
		fprintf(stderr, "error: network loop: %s\n", mosquitto_strerror(rc));
		st.failed = 1;
	}
	if (st.delivered) {
		printf("disconnected\n");
	}

	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return st.delivered && !st.failed ? 0 : 1;
}
