/*
 * Many clients driven from one poll() loop with the "external loop" API:
 * mosquitto_socket, mosquitto_want_write, mosquitto_loop_read,
 * mosquitto_loop_write and mosquitto_loop_misc.
 *
 * Usage: external_loop HOST PORT [CLIENTS [MESSAGES]]
 *
 * Client i subscribes to ext/<i> and publishes MESSAGES messages to the
 * topic of client (i + 1) % CLIENTS, at QoS 0, 1 and 2 in turn. Every
 * message must arrive exactly once (QoS 1: at least once), every publish
 * must be acknowledged through on_publish, and every client must see its
 * on_disconnect. Prints deterministic totals; exits non-zero with a message
 * on failure, and an alarm stops it after a hard timeout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 90
#define PHASE_TIMEOUT_MS 30000

struct client {
	int idx;
	struct mosquitto *mosq;
	int connected;
	int connect_rc;
	int subscribed;
	int disconnected;
	int acked;
	int *seen; /* per sequence number, from the previous client */
	int received;
	int wrong;
};

static int n_clients = 50;
static int n_messages = 30;
static struct client *clients;

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
	printf("FAIL\n");
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

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct client *c = obj;
	(void)m;
	c->connected = 1;
	c->connect_rc = rc;
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	struct client *c = obj;
	(void)m;
	(void)mid;
	if (n != 1 || granted[0] != 2) {
		c->wrong++;
	}
	c->subscribed = 1;
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct client *c = obj;
	(void)m;
	(void)mid;
	c->acked++;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct client *c = obj;
	char topic[32];
	int from = -1, seq = -1;
	(void)m;
	snprintf(topic, sizeof(topic), "ext/%d", c->idx);
	if (strcmp(msg->topic, topic) != 0 || msg->payloadlen <= 0
	    || sscanf(msg->payload, "from=%d seq=%d", &from, &seq) != 2
	    || from != (c->idx + n_clients - 1) % n_clients || seq < 0 || seq >= n_messages
	    || msg->qos != seq % 3) {
		c->wrong++;
		return;
	}
	if (c->seen[seq] == 0) {
		c->received++;
	}
	c->seen[seq]++;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	struct client *c = obj;
	(void)m;
	if (rc != 0) {
		c->wrong++;
	}
	c->disconnected = 1;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* One round of poll() over every client that still has a socket. */
static void pump(struct pollfd *fds, int *owner)
{
	int nfds = 0;
	for (int i = 0; i < n_clients; i++) {
		int s = mosquitto_socket(clients[i].mosq);
		if (s < 0) {
			continue;
		}
		fds[nfds].fd = s;
		fds[nfds].events = POLLIN;
		if (mosquitto_want_write(clients[i].mosq)) {
			fds[nfds].events |= POLLOUT;
		}
		fds[nfds].revents = 0;
		owner[nfds] = i;
		nfds++;
	}
	if (nfds == 0) {
		return;
	}
	if (poll(fds, (nfds_t)nfds, 100) < 0 && errno != EINTR) {
		fail("poll: %s", strerror(errno));
	}
	for (int k = 0; k < nfds; k++) {
		struct client *c = &clients[owner[k]];
		int rc;
		if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = mosquitto_loop_read(c->mosq, 1);
			if (rc != MOSQ_ERR_SUCCESS && !c->disconnected) {
				fail("client %d: loop_read rc=%d (%s)", c->idx, rc, mosquitto_strerror(rc));
			}
		}
		if (fds[k].revents & POLLOUT) {
			rc = mosquitto_loop_write(c->mosq, 1);
			if (rc != MOSQ_ERR_SUCCESS && !c->disconnected) {
				fail("client %d: loop_write rc=%d (%s)", c->idx, rc, mosquitto_strerror(rc));
			}
		}
	}
	for (int i = 0; i < n_clients; i++) {
		if (!clients[i].disconnected) {
			int rc = mosquitto_loop_misc(clients[i].mosq);
			if (rc != MOSQ_ERR_SUCCESS && !clients[i].disconnected) {
				fail("client %d: loop_misc rc=%d", i, rc);
			}
		}
	}
}

static int all_connected(void)
{
	for (int i = 0; i < n_clients; i++)
		if (!clients[i].connected) return 0;
	return 1;
}

static int all_subscribed(void)
{
	for (int i = 0; i < n_clients; i++)
		if (!clients[i].subscribed) return 0;
	return 1;
}

static int all_delivered(void)
{
	for (int i = 0; i < n_clients; i++)
		if (clients[i].received < n_messages || clients[i].acked < n_messages) return 0;
	return 1;
}

static int all_disconnected(void)
{
	for (int i = 0; i < n_clients; i++)
		if (!clients[i].disconnected) return 0;
	return 1;
}

static void run_until(int (*done)(void), const char *what, struct pollfd *fds, int *owner)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!done()) {
		if (elapsed_ms(&start) > PHASE_TIMEOUT_MS) {
			fail("timeout waiting until %s", what);
		}
		pump(fds, owner);
	}
	printf("phase done: %s\n", what);
}

int main(int argc, char **argv)
{
	const char *host;
	int port;
	struct pollfd *fds;
	int *owner;
	long total_received = 0, total_acked = 0, dup_exact = 0, dup_qos1 = 0, wrong = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: external_loop HOST PORT [CLIENTS [MESSAGES]]\n");
		return 2;
	}
	host = argv[1];
	port = atoi(argv[2]);
	if (argc > 3) n_clients = atoi(argv[3]);
	if (argc > 4) n_messages = atoi(argv[4]);
	if (n_clients < 2 || n_messages < 1) {
		fprintf(stderr, "need at least 2 clients and 1 message\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(HARD_TIMEOUT_S);
	setvbuf(stdout, NULL, _IOLBF, 0);

	report_loaded_library();
	mosquitto_lib_init();
	clients = calloc((size_t)n_clients, sizeof(*clients));
	fds = calloc((size_t)n_clients, sizeof(*fds));
	owner = calloc((size_t)n_clients, sizeof(*owner));
	if (!clients || !fds || !owner) fail("out of memory");

	for (int i = 0; i < n_clients; i++) {
		char id[32];
		struct client *c = &clients[i];
		int rc;
		c->idx = i;
		c->seen = calloc((size_t)n_messages, sizeof(int));
		snprintf(id, sizeof(id), "ext-%d", i);
		c->mosq = mosquitto_new(id, true, c);
		if (!c->mosq || !c->seen) fail("mosquitto_new(%s)", id);
		mosquitto_connect_callback_set(c->mosq, on_connect);
		mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
		mosquitto_publish_callback_set(c->mosq, on_publish);
		mosquitto_message_callback_set(c->mosq, on_message);
		mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
		rc = mosquitto_connect(c->mosq, host, port, 60);
		if (rc != MOSQ_ERR_SUCCESS) fail("connect %d: rc=%d (%s)", i, rc, mosquitto_strerror(rc));
		if (mosquitto_socket(c->mosq) < 0) fail("client %d: no socket after connect", i);
	}
	printf("clients created: %d\n", n_clients);
	run_until(all_connected, "all connected", fds, owner);
	for (int i = 0; i < n_clients; i++) {
		if (clients[i].connect_rc != 0) fail("client %d: connack rc=%d", i, clients[i].connect_rc);
	}

	for (int i = 0; i < n_clients; i++) {
		char topic[32];
		int rc;
		snprintf(topic, sizeof(topic), "ext/%d", i);
		rc = mosquitto_subscribe(clients[i].mosq, NULL, topic, 2);
		if (rc != MOSQ_ERR_SUCCESS) fail("subscribe %d: rc=%d", i, rc);
	}
	run_until(all_subscribed, "all subscribed", fds, owner);

	/* Every client publishes all its messages at once; QoS 1/2 ones beyond
	 * the in-flight window wait in the library's queue. */
	for (int j = 0; j < n_messages; j++) {
		for (int i = 0; i < n_clients; i++) {
			char topic[32], payload[64];
			int rc, mid = 0;
			snprintf(topic, sizeof(topic), "ext/%d", (i + 1) % n_clients);
			snprintf(payload, sizeof(payload), "from=%d seq=%d", i, j);
			rc = mosquitto_publish(clients[i].mosq, &mid, topic, (int)strlen(payload), payload, j % 3,
					       false);
			if (rc != MOSQ_ERR_SUCCESS) fail("publish %d/%d: rc=%d", i, j, rc);
			if (mid != j + 2) fail("client %d message %d: mid=%d, expected %d", i, j, mid, j + 2);
		}
	}
	printf("published: %d\n", n_clients * n_messages);
	run_until(all_delivered, "all delivered and acknowledged", fds, owner);

	for (int i = 0; i < n_clients; i++) {
		int rc = mosquitto_disconnect(clients[i].mosq);
		if (rc != MOSQ_ERR_SUCCESS) fail("disconnect %d: rc=%d", i, rc);
	}
	run_until(all_disconnected, "all disconnected", fds, owner);

	for (int i = 0; i < n_clients; i++) {
		struct client *c = &clients[i];
		total_received += c->received;
		total_acked += c->acked;
		wrong += c->wrong;
		for (int j = 0; j < n_messages; j++) {
			if (c->seen[j] > 1) {
				if (j % 3 == 1) dup_qos1 += c->seen[j] - 1;
				else dup_exact += c->seen[j] - 1;
			}
		}
		if (mosquitto_socket(c->mosq) >= 0) fail("client %d still has a socket", i);
		mosquitto_destroy(c->mosq);
		free(c->seen);
	}
	fprintf(stderr, "qos1 duplicates: %ld\n", dup_qos1);
	printf("received: %ld\n", total_received);
	printf("acknowledged: %ld\n", total_acked);
	printf("duplicates at qos 0/2: %ld\n", dup_exact);
	printf("unexpected: %ld\n", wrong);
	free(clients);
	free(fds);
	free(owner);
	mosquitto_lib_cleanup();
	if (total_received != (long)n_clients * n_messages || total_acked != (long)n_clients * n_messages
	    || dup_exact != 0 || wrong != 0) {
		fail("totals do not match");
	}
	printf("OK\n");
	return 0;
}
