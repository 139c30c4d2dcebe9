/*
 * epoll_clients.c - many clients driven by the application's own epoll
 * loop, without any library thread and without mosquitto_loop().
 *
 *   usage: epoll_clients HOST PORT [CLIENTS]
 *
 * Client i subscribes to examples/epoll/<i>. When every client is
 * subscribed, client i publishes "hello from <i>" at QoS 1 to the topic of
 * client i+1 (the last one to client 0's), so every client must receive
 * exactly one message.
 *
 * The pieces of an external event loop:
 *   mosquitto_socket()     the descriptor to watch,
 *   mosquitto_want_write() whether the library has data waiting to be
 *                          sent (then watch for EPOLLOUT too),
 *   mosquitto_loop_read()  call when the socket is readable,
 *   mosquitto_loop_write() call when it is writable,
 *   mosquitto_loop_misc()  call regularly (at least once a second): keep
 *                          alive PINGREQs and retries.
 *
 * Exit status: 0 when every client got its message, 1 on error, 2 on
 * timeout.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10
#define MAX_CLIENTS 256

struct client {
	int index;
	struct mosquitto *mosq;
	int fd;
	uint32_t watched; /* the epoll events currently registered */
	int subscribed;
	int received;
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
	struct client *c = obj;
	char topic[64];

	if (rc != 0) {
		fprintf(stderr, "error: client %d: connection refused: %s\n", c->index,
			mosquitto_connack_string(rc));
		c->failed = 1;
		return;
	}
	snprintf(topic, sizeof(topic), "examples/epoll/%d", c->index);
	/* Inside a callback nothing is written yet: the SUBSCRIBE is queued
	 * and mosquitto_want_write() becomes true. */
	if (mosquitto_subscribe(mosq, NULL, topic, 1) != MOSQ_ERR_SUCCESS) {
		c->failed = 1;
	}
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
			 const int *granted_qos)
{
	struct client *c = obj;

	(void)mosq;
	(void)mid;
	if (qos_count != 1 || granted_qos[0] > 2) {
		fprintf(stderr, "error: client %d: subscription refused\n", c->index);
		c->failed = 1;
		return;
	}
	c->subscribed = 1;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct client *c = obj;

	(void)mosq;
	printf("client %d received \"%.*s\" on %s\n", c->index, msg->payloadlen,
	       (const char *)msg->payload, msg->topic);
	c->received++;
}

/* Registers the client's socket, or updates the events watched: EPOLLOUT
 * only while the library has something to send, or epoll_wait would
 * return at once forever. */
static int watch(int epfd, struct client *c)
{
	struct epoll_event ev;
	uint32_t want = EPOLLIN;

	if (mosquitto_want_write(c->mosq)) {
		want |= EPOLLOUT;
	}
	if (want == c->watched) {
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, c->watched == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev) != 0) {
		perror("error: epoll_ctl");
		return 1;
	}
	c->watched = want;
	return 0;
}

/* Serves one ready socket. A would-block read or write returns success;
 * any error is fatal for
 * this example (a real program would reconnect). */
static int serve(struct client *c, uint32_t events)
{
	int rc;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		rc = mosquitto_loop_read(c->mosq, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: client %d: read: %s\n", c->index, mosquitto_strerror(rc));
			return 1;
		}
	}
	if (events & EPOLLOUT) {
		rc = mosquitto_loop_write(c->mosq, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: client %d: write: %s\n", c->index, mosquitto_strerror(rc));
			return 1;
		}
	}
	return 0;
}

/* Client i publishes to the next client's topic. */
static int publish_round(struct client *clients, int count)
{
	char topic[64], payload[64];
	int i, rc;

	for (i = 0; i < count; i++) {
		snprintf(topic, sizeof(topic), "examples/epoll/%d", (i + 1) % count);
		snprintf(payload, sizeof(payload), "hello from %d", i);
		rc = mosquitto_publish(clients[i].mosq, NULL, topic, (int)strlen(payload), payload, 1,
				       false);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: client %d: publish: %s\n", i, mosquitto_strerror(rc));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static struct client clients[MAX_CLIENTS];
	struct epoll_event events[32];
	int port, count = 10, epfd, i, n, rc, published = 0, status = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s HOST PORT [CLIENTS]\n", argv[0]);
		return 1;
	}
	port = atoi(argv[2]);
	if (argc == 4) {
		count = atoi(argv[3]);
	}
	if (count < 1 || count > MAX_CLIENTS) {
		fprintf(stderr, "error: CLIENTS must be 1..%d\n", MAX_CLIENTS);
		return 1;
	}

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();

	epfd = epoll_create1(0);
	if (epfd < 0) {
		perror("error: epoll_create1");
		return 1;
	}

	for (i = 0; i < count; i++) {
		struct client *c = &clients[i];

		c->index = i;
		c->mosq = mosquitto_new(NULL, true, c);
		if (c->mosq == NULL) {
			perror("error: mosquitto_new");
			goto out;
		}
		mosquitto_connect_callback_set(c->mosq, on_connect);
		mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
		mosquitto_message_callback_set(c->mosq, on_message);
		/* Opens the TCP connection and sends CONNECT; the CONNACK is
		 * read later by mosquitto_loop_read(). */
		rc = mosquitto_connect(c->mosq, argv[1], port, 30);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: client %d: connect to %s:%d: %s\n", i, argv[1], port,
				mosquitto_strerror(rc));
			goto out;
		}
		c->fd = mosquitto_socket(c->mosq);
		if (c->fd < 0 || watch(epfd, c) != 0) {
			goto out;
		}
	}
	printf("%d clients connecting\n", count);

	for (;;) {
		int subscribed = 0, received = 0;

		for (i = 0; i < count; i++) {
			if (clients[i].failed) {
				goto out;
			}
			subscribed += clients[i].subscribed;
			received += clients[i].received;
		}
		if (received == count) {
			break;
		}
		if (!published && subscribed == count) {
			printf("all %d clients subscribed, publishing\n", count);
			if (publish_round(clients, count) != 0) {
				goto out;
			}
			published = 1;
		}
		/* Watch for EPOLLOUT where there is something to send now. */
		for (i = 0; i < count; i++) {
			if (watch(epfd, &clients[i]) != 0) {
				goto out;
			}
		}

		n = epoll_wait(epfd, events, (int)(sizeof(events) / sizeof(events[0])), 100);
		if (n < 0 && errno != EINTR) {
			perror("error: epoll_wait");
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (serve(events[i].data.ptr, events[i].events) != 0) {
				goto out;
			}
		}
		for (i = 0; i < count; i++) {
			mosquitto_loop_misc(clients[i].mosq);
		}
	}
	printf("every client received its message\n");
	status = 0;

out:
	for (i = 0; i < count; i++) {
		if (clients[i].mosq != NULL) {
			/* Outside callbacks the DISCONNECT is sent right away. */
			mosquitto_disconnect(clients[i].mosq);
			mosquitto_destroy(clients[i].mosq);
		}
	}
	close(epfd);
	mosquitto_lib_cleanup();
	return status;
}
