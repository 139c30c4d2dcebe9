/*
 * websockets_client.c - MQTT over WebSockets (MOSQ_OPT_TRANSPORT =
 * MOSQ_T_WEBSOCKETS, libmosquitto 2.1), plain or inside TLS, against a
 * real broker.
 *
 *   usage: websockets_client HOST PORT MODE [CAFILE]
 *
 * MODE is "forever" (mosquitto_loop_forever on this thread) or "thread"
 * (mosquitto_loop_start). With CAFILE the WebSocket runs over TLS.
 *
 * The client subscribes at QoS 2 to ws/<pid>/#, then publishes five
 * messages to it: QoS 0, 1 and 2, a 70,000-byte one at QoS 1 (two
 * frames from us, a 64-bit length frame from the broker; larger ones only
 * slow the test down, as mosquitto 2.0's WebSockets listener sends about
 * 4 KB per 100 ms) and an empty one at QoS 2; it disconnects
 * when all five have come back and prints, in a fixed order, one line per
 * message and the counts. Exit status 0 when everything matched, 1 on
 * error, 2 on timeout.
 *
 *   usage: websockets_client HOST PORT fail [CAFILE]
 *
 * connects where no WebSocket broker listens and prints the return code
 * of the connection attempt (connect, then the first failing
 * mosquitto_loop).
 */

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#define TIMEOUT_SECONDS 20
#define COUNT 5
#define BIG 70000

struct expect {
	const char *name;
	int qos;
	int len;
	int received;
	int intact;
	int qos_seen;
};

static struct expect expected[COUNT] = {
	{"qos0", 0, 11, 0, 0, -1},
	{"qos1", 1, 11, 0, 0, -1},
	{"qos2", 2, 11, 0, 0, -1},
	{"big", 1, BIG, 0, 0, -1},
	{"empty", 2, 0, 0, 0, -1},
};

static char prefix[64];
static int published;
static int received;
static int connected;
static int disconnect_rc = -1;
static int failed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;

static void on_timeout(int sig)
{
	static const char text[] = "error: timed out\n";

	(void)sig;
	if (write(STDERR_FILENO, text, sizeof(text) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(2);
}

/* The payload of message i: its name repeated, cut to its length. */
static void fill(int i, char *buf)
{
	size_t n = strlen(expected[i].name);

	for (int j = 0; j < expected[i].len; j++) {
		buf[j] = (j % 16 == 15) ? '\n' : expected[i].name[(size_t)j % n];
	}
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	char filter[80];

	(void)obj;
	if (rc != 0) {
		fprintf(stderr, "error: refused: %s\n", mosquitto_connack_string(rc));
		failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	connected = 1;
	snprintf(filter, sizeof(filter), "%s/#", prefix);
	if (mosquitto_subscribe(mosq, NULL, filter, 2) != MOSQ_ERR_SUCCESS) {
		failed = 1;
		mosquitto_disconnect(mosq);
	}
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
	static char *buf;

	(void)obj;
	(void)mid;
	if (count != 1 || granted[0] != 2) {
		fprintf(stderr, "error: subscription not granted at QoS 2\n");
		failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	buf = malloc(BIG);
	if (buf == NULL) {
		failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	for (int i = 0; i < COUNT; i++) {
		char topic[96];
		int rc;

		fill(i, buf);
		snprintf(topic, sizeof(topic), "%s/%s", prefix, expected[i].name);
		rc = mosquitto_publish(mosq, NULL, topic, expected[i].len, buf, expected[i].qos, false);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: publish %s: %s\n", expected[i].name, mosquitto_strerror(rc));
			failed = 1;
		}
	}
	free(buf);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	(void)mosq;
	(void)obj;
	(void)mid;
	pthread_mutex_lock(&lock);
	published++;
	pthread_mutex_unlock(&lock);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	static char *want;

	(void)obj;
	if (want == NULL) {
		want = malloc(BIG);
		if (want == NULL) {
			failed = 1;
			return;
		}
	}
	for (int i = 0; i < COUNT; i++) {
		char topic[96];

		snprintf(topic, sizeof(topic), "%s/%s", prefix, expected[i].name);
		if (strcmp(topic, msg->topic) != 0) {
			continue;
		}
		fill(i, want);
		expected[i].received++;
		expected[i].qos_seen = msg->qos;
		expected[i].intact = msg->payloadlen == expected[i].len
				     && (msg->payloadlen == 0 || memcmp(msg->payload, want, (size_t)msg->payloadlen) == 0);
	}
	pthread_mutex_lock(&lock);
	received++;
	if (received == COUNT) {
		mosquitto_disconnect(mosq);
	}
	pthread_mutex_unlock(&lock);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)obj;
	pthread_mutex_lock(&lock);
	disconnect_rc = rc;
	pthread_cond_signal(&done);
	pthread_mutex_unlock(&lock);
}

static struct mosquitto *make_client(const char *cafile)
{
	struct mosquitto *mosq = mosquitto_new(NULL, true, NULL);
	int rc;

	if (mosq == NULL) {
		perror("mosquitto_new");
		exit(1);
	}
	rc = mosquitto_int_option(mosq, MOSQ_OPT_TRANSPORT, MOSQ_T_WEBSOCKETS);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: MOSQ_OPT_TRANSPORT: %s\n", mosquitto_strerror(rc));
		exit(1);
	}
	rc = mosquitto_string_option(mosq, MOSQ_OPT_HTTP_PATH, "/mqtt");
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: MOSQ_OPT_HTTP_PATH: %s\n", mosquitto_strerror(rc));
		exit(1);
	}
	rc = mosquitto_int_option(mosq, MOSQ_OPT_HTTP_HEADER_SIZE, 8192);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: MOSQ_OPT_HTTP_HEADER_SIZE: %s\n", mosquitto_strerror(rc));
		exit(1);
	}
	if (cafile != NULL) {
		rc = mosquitto_tls_set(mosq, cafile, NULL, NULL, NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: tls_set: %s\n", mosquitto_strerror(rc));
			exit(1);
		}
	}
	return mosq;
}

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;
	const char *cafile;
	int port, rc;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s HOST PORT forever|thread|fail [CAFILE]\n", argv[0]);
		return 1;
	}
	port = atoi(argv[2]);
	cafile = argc == 5 ? argv[4] : NULL;
	snprintf(prefix, sizeof(prefix), "ws/%d", (int)getpid());
	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();
	mosq = make_client(cafile);

	if (strcmp(argv[3], "fail") == 0) {
		rc = mosquitto_connect(mosq, argv[1], port, 60);
		printf("connect: %d\n", rc);
		if (rc == MOSQ_ERR_SUCCESS) {
			/* Until the first failure (at most 10 s). */
			for (int i = 0; i < 20 && rc == MOSQ_ERR_SUCCESS; i++) {
				rc = mosquitto_loop(mosq, 500, 1);
			}
			printf("loop: %d\n", rc);
		}
		printf("connected: %d\n", connected);
		mosquitto_destroy(mosq);
		mosquitto_lib_cleanup();
		return 0;
	}

	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);

	if (strcmp(argv[3], "thread") == 0) {
		rc = mosquitto_loop_start(mosq);
		if (rc == MOSQ_ERR_SUCCESS) {
			rc = mosquitto_connect_async(mosq, argv[1], port, 60);
		}
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: start: %s\n", mosquitto_strerror(rc));
			return 1;
		}
		pthread_mutex_lock(&lock);
		while (disconnect_rc < 0) {
			pthread_cond_wait(&done, &lock);
		}
		pthread_mutex_unlock(&lock);
		mosquitto_loop_stop(mosq, false);
	} else {
		rc = mosquitto_connect(mosq, argv[1], port, 60);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: connect: %s\n", mosquitto_strerror(rc));
			return 1;
		}
		rc = mosquitto_loop_forever(mosq, -1, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: loop_forever: %s\n", mosquitto_strerror(rc));
			return 1;
		}
	}
	for (int i = 0; i < COUNT; i++) {
		printf("%s: received %d, qos %d, %s\n", expected[i].name, expected[i].received,
		       expected[i].qos_seen, expected[i].intact ? "intact" : "damaged");
	}
	printf("published %d, received %d, disconnect rc %d\n", published, received, disconnect_rc);
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return failed;
}
