/*
 * persistent_session.c - a persistent session (clean session = false):
 * QoS 1 messages published while the client is offline are kept by the
 * broker and delivered when it comes back.
 *
 *   usage: persistent_session HOST PORT [COUNT]
 *
 *   1. The collector connects with a fixed client id and clean session
 *      false, subscribes to examples/persistent/# at QoS 1 and disconnects.
 *   2. While it is away, a sender publishes COUNT (default 3) QoS 1
 *      messages to examples/persistent/<i>.
 *   3. The collector reconnects with the same id - without subscribing
 *      again: the subscription is part of the session - and receives the
 *      COUNT queued messages, in order.
 *   4. It connects once more with clean session true, which makes the
 *      broker forget the session.
 *
 * Both clients are driven on the main thread with mosquitto_loop().
 *
 * Exit status: 0 when every queued message arrived, 1 on error, 2 on
 * timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

#define FILTER "examples/persistent/#"

/* Progress of one client, updated by its callbacks. */
struct state {
	const char *name;
	int connected;       /* CONNACK received: 1 accepted, -1 refused */
	int session_present; /* the broker still had our session */
	int subscribed;      /* SUBACK received */
	int acked;           /* sender: PUBACKs received */
	int received;        /* collector: messages received */
	int out_of_order;    /* collector: a message arrived out of order */
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

/* The _with_flags variant also tells whether the session was resumed
 * (flags bit 0: "session present"). */
static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags)
{
	struct state *st = obj;

	(void)mosq;
	if (rc != 0) {
		fprintf(stderr, "error: %s: connection refused: %s\n", st->name,
			mosquitto_connack_string(rc));
		st->connected = -1;
		return;
	}
	st->connected = 1;
	st->session_present = flags & 1;
	printf("%s: connected (session present: %d)\n", st->name, st->session_present);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
			 const int *granted_qos)
{
	struct state *st = obj;

	(void)mosq;
	(void)mid;
	st->subscribed = qos_count == 1 && granted_qos[0] == 1 ? 1 : -1;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct state *st = obj;

	(void)mosq;
	(void)mid;
	st->acked++;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct state *st = obj;
	char expected[64];

	(void)mosq;
	printf("%s: received \"%.*s\" on %s (qos %d)\n", st->name, msg->payloadlen,
	       (const char *)msg->payload, msg->topic, msg->qos);
	snprintf(expected, sizeof(expected), "queued message %d", st->received);
	if (msg->payloadlen != (int)strlen(expected)
	    || memcmp(msg->payload, expected, strlen(expected)) != 0) {
		st->out_of_order = 1;
	}
	st->received++;
}

/* Runs the network loop until *value reaches target (or goes negative). */
static int loop_until(struct mosquitto *mosq, const int *value, int target)
{
	int rc;

	while (*value >= 0 && *value < target) {
		rc = mosquitto_loop(mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: network loop: %s\n", mosquitto_strerror(rc));
			return 1;
		}
	}
	return *value < 0;
}

/* Creates a client with callbacks bound to st. */
static struct mosquitto *new_client(const char *id, bool clean, struct state *st)
{
	struct mosquitto *mosq = mosquitto_new(id, clean, st);

	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return NULL;
	}
	mosquitto_connect_with_flags_callback_set(mosq, on_connect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_message_callback_set(mosq, on_message);
	return mosq;
}

/* Step 2: a separate, clean client publishes while the collector is away. */
static int send_queued(const char *host, int port, int count)
{
	struct state st = {"sender", 0, 0, 0, 0, 0, 0};
	struct mosquitto *mosq = new_client(NULL, true, &st);
	char topic[64], payload[64];
	int i, rc, status = 1;

	if (mosq == NULL) {
		return 1;
	}
	if (mosquitto_connect(mosq, host, port, 60) != MOSQ_ERR_SUCCESS
	    || loop_until(mosq, &st.connected, 1) != 0) {
		fprintf(stderr, "error: sender: could not connect\n");
		goto out;
	}
	for (i = 0; i < count; i++) {
		snprintf(topic, sizeof(topic), "examples/persistent/%d", i);
		snprintf(payload, sizeof(payload), "queued message %d", i);
		rc = mosquitto_publish(mosq, NULL, topic, (int)strlen(payload), payload, 1, false);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: sender: publish: %s\n", mosquitto_strerror(rc));
			goto out;
		}
	}
	if (loop_until(mosq, &st.acked, count) != 0) {
		goto out;
	}
	printf("sender: %d QoS 1 messages acknowledged by the broker\n", count);
	mosquitto_disconnect(mosq);
	status = 0;
out:
	mosquitto_destroy(mosq);
	return status;
}

int main(int argc, char *argv[])
{
	struct state st = {"collector", 0, 0, 0, 0, 0, 0};
	struct mosquitto *mosq = NULL;
	char id[64];
	const char *host;
	int port, count = 3, status = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s HOST PORT [COUNT]\n", argv[0]);
		return 1;
	}
	host = argv[1];
	port = atoi(argv[2]);
	if (argc == 4) {
		count = atoi(argv[3]);
	}
	if (count < 1) {
		fprintf(stderr, "error: COUNT must be at least 1\n");
		return 1;
	}

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();

	/* A persistent session is found again by its client id, so the id
	 * must be fixed (and unique: here the process id makes it so). */
	snprintf(id, sizeof(id), "examples-persistent-%d", (int)getpid());

	/* 1. Create the session and its subscription. */
	mosq = new_client(id, false, &st);
	if (mosq == NULL) {
		goto out;
	}
	printf("collector: connecting as %s\n", id);
	if (mosquitto_connect(mosq, host, port, 60) != MOSQ_ERR_SUCCESS
	    || loop_until(mosq, &st.connected, 1) != 0) {
		fprintf(stderr, "error: collector: could not connect\n");
		goto out;
	}
	if (mosquitto_subscribe(mosq, NULL, FILTER, 1) != MOSQ_ERR_SUCCESS
	    || loop_until(mosq, &st.subscribed, 1) != 0) {
		fprintf(stderr, "error: collector: could not subscribe\n");
		goto out;
	}
	printf("collector: subscribed to %s, going offline\n", FILTER);
	mosquitto_disconnect(mosq);

	/* 2. Messages for the collector while it is offline. */
	if (send_queued(host, port, count) != 0) {
		goto out;
	}

	/* 3. Back online: same object, same id, same clean session flag. */
	st.connected = 0;
	if (mosquitto_reconnect(mosq) != MOSQ_ERR_SUCCESS
	    || loop_until(mosq, &st.connected, 1) != 0) {
		fprintf(stderr, "error: collector: could not reconnect\n");
		goto out;
	}
	/* The queued messages may arrive in the same read as the CONNACK:
	 * some may have been counted already. */
	if (!st.session_present) {
		fprintf(stderr, "error: the broker did not keep the session\n");
		goto out;
	}
	if (loop_until(mosq, &st.received, count) != 0) {
		goto out;
	}
	if (st.out_of_order) {
		fprintf(stderr, "error: the queued messages were not the expected ones\n");
		goto out;
	}
	printf("collector: all %d queued messages arrived\n", count);
	mosquitto_disconnect(mosq);

	/* 4. Clean up: a clean-session connection with the same id ends the
	 * stored session. mosquitto_reinitialise() resets the object as if
	 * it had just been created with these arguments. */
	st.connected = 0;
	st.name = "cleanup";
	if (mosquitto_reinitialise(mosq, id, true, &st) != MOSQ_ERR_SUCCESS) {
		goto out;
	}
	mosquitto_connect_with_flags_callback_set(mosq, on_connect);
	if (mosquitto_connect(mosq, host, port, 60) != MOSQ_ERR_SUCCESS
	    || loop_until(mosq, &st.connected, 1) != 0) {
		fprintf(stderr, "error: collector: could not connect to clean up\n");
		goto out;
	}
	mosquitto_disconnect(mosq);
	printf("cleanup: session removed\n");
	status = 0;

out:
	if (mosq != NULL) {
		mosquitto_destroy(mosq);
	}
	mosquitto_lib_cleanup();
	return status;
}
