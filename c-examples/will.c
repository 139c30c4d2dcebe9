/*
 * will.c - a "last will" message, published by the broker when a client
 * vanishes without saying goodbye.
 *
 *   usage: will HOST PORT
 *
 * The program forks. The parent (the watcher) subscribes to the will
 * topic. The child (the device) connects with a will - topic
 * examples/will/status, payload "device offline", QoS 1 - waits for the
 * CONNACK, then dies with _exit() without sending DISCONNECT, like a
 * device losing power. The broker notices the closed connection and
 * publishes the will, which the watcher prints.
 *
 * A clean mosquitto_disconnect() would have discarded the will instead.
 *
 * The fork happens before any client exists in the parent, and a pipe
 * tells the child when the watcher's subscription is in place.
 *
 * Exit status: 0 when the will arrived, 1 on error, 2 on timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

#define WILL_TOPIC "examples/will/status"
#define WILL_PAYLOAD "device offline"

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

/* ---- the child: a device that connects with a will, then dies ---- */

static void device_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	int *connected = obj;

	(void)mosq;
	*connected = rc == 0 ? 1 : -1;
}

static int run_device(const char *host, int port, int go_fd)
{
	struct mosquitto *mosq;
	int connected = 0, rc;
	char go;

	/* Wait until the watcher is subscribed. */
	if (read(go_fd, &go, 1) != 1) {
		fprintf(stderr, "error: device: the watcher went away\n");
		return 1;
	}

	mosq = mosquitto_new(NULL, true, &connected);
	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return 1;
	}
	mosquitto_connect_callback_set(mosq, device_on_connect);
	/* The will is part of the CONNECT packet: set it before connecting. */
	rc = mosquitto_will_set(mosq, WILL_TOPIC, (int)strlen(WILL_PAYLOAD), WILL_PAYLOAD, 1, false);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: device: will_set: %s\n", mosquitto_strerror(rc));
		return 1;
	}
	rc = mosquitto_connect(mosq, host, port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: device: connect: %s\n", mosquitto_strerror(rc));
		return 1;
	}
	while (connected == 0) {
		rc = mosquitto_loop(mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: device: loop: %s\n", mosquitto_strerror(rc));
			return 1;
		}
	}
	if (connected < 0) {
		fprintf(stderr, "error: device: connection refused\n");
		return 1;
	}
	printf("device: connected with a will on %s, now dying without DISCONNECT\n", WILL_TOPIC);
	fflush(stdout);
	/* _exit: no atexit handlers, no mosquitto_disconnect(). The kernel
	 * closes the socket, and that is all the broker sees. */
	_exit(0);
}

/* ---- the parent: a watcher subscribed to the will topic ---- */

struct watcher {
	int go_fd;   /* write end of the pipe to the device */
	int got;     /* the will arrived */
	int failed;
};

static void watcher_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct watcher *w = obj;

	if (rc != 0 || mosquitto_subscribe(mosq, NULL, WILL_TOPIC, 1) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: watcher: could not connect and subscribe\n");
		w->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

static void watcher_on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
				 const int *granted_qos)
{
	struct watcher *w = obj;

	(void)mid;
	if (qos_count != 1 || granted_qos[0] > 2) {
		fprintf(stderr, "error: watcher: subscription refused\n");
		w->failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	/* Print (and flush) before the device can start printing. */
	printf("watcher: subscribed to %s, device may start\n", WILL_TOPIC);
	fflush(stdout);
	if (write(w->go_fd, "g", 1) != 1) {
		perror("error: watcher: pipe");
		w->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

static void watcher_on_message(struct mosquitto *mosq, void *obj,
			       const struct mosquitto_message *msg)
{
	struct watcher *w = obj;

	printf("watcher: got will \"%.*s\" on %s (qos %d)\n", msg->payloadlen,
	       (const char *)msg->payload, msg->topic, msg->qos);
	if (msg->payloadlen == (int)strlen(WILL_PAYLOAD)
	    && memcmp(msg->payload, WILL_PAYLOAD, strlen(WILL_PAYLOAD)) == 0) {
		w->got = 1;
	} else {
		w->failed = 1;
	}
	mosquitto_disconnect(mosq);
}

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;
	struct watcher w;
	int pipefd[2], port, rc, child_status = 0;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
		return 1;
	}
	port = atoi(argv[2]);

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);

	if (pipe(pipefd) != 0) {
		perror("error: pipe");
		return 1;
	}
	/* Flush before forking so buffered output is not printed twice. */
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("error: fork");
		return 1;
	}
	if (child == 0) {
		close(pipefd[1]);
		mosquitto_lib_init();
		/* alarm() is not inherited: the device needs its own. */
		alarm(TIMEOUT_SECONDS);
		_exit(run_device(argv[1], port, pipefd[0]));
	}
	close(pipefd[0]);

	memset(&w, 0, sizeof(w));
	w.go_fd = pipefd[1];
	mosquitto_lib_init();
	mosq = mosquitto_new(NULL, true, &w);
	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return 1;
	}
	mosquitto_connect_callback_set(mosq, watcher_on_connect);
	mosquitto_subscribe_callback_set(mosq, watcher_on_subscribe);
	mosquitto_message_callback_set(mosq, watcher_on_message);

	rc = mosquitto_connect(mosq, argv[1], port, 60);
	if (rc == MOSQ_ERR_SUCCESS) {
		rc = mosquitto_loop_forever(mosq, -1, 1);
	}
	if (rc != MOSQ_ERR_SUCCESS && !w.failed) {
		fprintf(stderr, "error: watcher: %s\n", mosquitto_strerror(rc));
		w.failed = 1;
	}
	/* Closing the pipe releases a device still waiting for the go. */
	close(pipefd[1]);
	if (waitpid(child, &child_status, 0) != child
	    || !WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) {
		fprintf(stderr, "error: the device process failed\n");
		w.failed = 1;
	}

	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return w.got && !w.failed ? 0 : 1;
}
