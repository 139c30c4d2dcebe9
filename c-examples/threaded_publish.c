/*
 * threaded_publish.c - one connection, a background network thread
 * (mosquitto_loop_start) and several application threads publishing on it.
 *
 *   usage: threaded_publish HOST PORT [THREADS [MESSAGES_PER_THREAD]]
 *
 * Thread t publishes MESSAGES_PER_THREAD messages at QoS 1 to
 * examples/threaded/<t>, payload "thread <t> message <i>". mosquitto_publish
 * may be called from any thread once mosquitto_loop_start() is running;
 * the callbacks run on the library's network thread, so whatever they
 * share with the other threads needs a lock.
 *
 * Exit status: 0 when the broker acknowledged every message, 1 on error,
 * 2 on timeout.
 */

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10
#define MAX_THREADS 64

/* Shared between the publishing threads, the network thread (callbacks)
 * and main(). Everything below the lock is protected by it. */
struct shared {
	struct mosquitto *mosq;
	int per_thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int connected; /* 1 accepted, -1 refused */
	int acked;     /* messages acknowledged by the broker (PUBACK) */
	int errors;    /* failed mosquitto_publish calls */
};

/* What one publishing thread gets. */
struct worker {
	struct shared *sh;
	int index;
	pthread_t thread;
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

/* Network thread: tell main() whether the broker accepted us. */
static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct shared *sh = obj;

	(void)mosq;
	if (rc != 0) {
		fprintf(stderr, "error: connection refused: %s\n", mosquitto_connack_string(rc));
	}
	pthread_mutex_lock(&sh->lock);
	sh->connected = rc == 0 ? 1 : -1;
	pthread_cond_broadcast(&sh->changed);
	pthread_mutex_unlock(&sh->lock);
}

/* Network thread: one more QoS 1 message acknowledged. */
static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct shared *sh = obj;

	(void)mosq;
	(void)mid;
	pthread_mutex_lock(&sh->lock);
	sh->acked++;
	pthread_cond_broadcast(&sh->changed);
	pthread_mutex_unlock(&sh->lock);
}

/* Application thread: publish this thread's share of the messages. */
static void *publisher(void *arg)
{
	struct worker *w = arg;
	char topic[64], payload[64];
	int i, rc;

	snprintf(topic, sizeof(topic), "examples/threaded/%d", w->index);
	for (i = 0; i < w->sh->per_thread; i++) {
		snprintf(payload, sizeof(payload), "thread %d message %d", w->index, i);
		rc = mosquitto_publish(w->sh->mosq, NULL, topic, (int)strlen(payload), payload, 1,
				       false);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: thread %d: publish: %s\n", w->index,
				mosquitto_strerror(rc));
			pthread_mutex_lock(&w->sh->lock);
			w->sh->errors++;
			pthread_cond_broadcast(&w->sh->changed);
			pthread_mutex_unlock(&w->sh->lock);
		}
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct shared sh;
	struct worker workers[MAX_THREADS];
	int port, threads = 4, total, started = 0, i, rc, status = 1;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s HOST PORT [THREADS [MESSAGES_PER_THREAD]]\n", argv[0]);
		return 1;
	}
	memset(&sh, 0, sizeof(sh));
	port = atoi(argv[2]);
	sh.per_thread = 10;
	if (argc >= 4) {
		threads = atoi(argv[3]);
	}
	if (argc == 5) {
		sh.per_thread = atoi(argv[4]);
	}
	if (threads < 1 || threads > MAX_THREADS || sh.per_thread < 1) {
		fprintf(stderr, "error: THREADS must be 1..%d and MESSAGES_PER_THREAD at least 1\n",
			MAX_THREADS);
		return 1;
	}
	total = threads * sh.per_thread;
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.changed, NULL);

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();

	sh.mosq = mosquitto_new(NULL, true, &sh);
	if (sh.mosq == NULL) {
		perror("error: mosquitto_new");
		return 1;
	}
	mosquitto_connect_callback_set(sh.mosq, on_connect);
	mosquitto_publish_callback_set(sh.mosq, on_publish);
	/* Room for every message in flight at once (the default is 20). */
	mosquitto_max_inflight_messages_set(sh.mosq, 0);

	rc = mosquitto_connect(sh.mosq, argv[1], port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: connect to %s:%d: %s\n", argv[1], port, mosquitto_strerror(rc));
		goto out;
	}
	/* From here on a library thread runs the network loop. */
	rc = mosquitto_loop_start(sh.mosq);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: loop_start: %s\n", mosquitto_strerror(rc));
		goto out;
	}

	/* Wait for the CONNACK before starting to publish. */
	pthread_mutex_lock(&sh.lock);
	while (sh.connected == 0) {
		pthread_cond_wait(&sh.changed, &sh.lock);
	}
	pthread_mutex_unlock(&sh.lock);
	if (sh.connected < 0) {
		goto stop;
	}
	printf("connected, starting %d threads\n", threads);

	for (i = 0; i < threads; i++) {
		workers[i].sh = &sh;
		workers[i].index = i;
		if (pthread_create(&workers[i].thread, NULL, publisher, &workers[i]) != 0) {
			fprintf(stderr, "error: pthread_create failed\n");
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
	}
	if (started != threads) {
		goto stop;
	}

	/* Every mosquitto_publish call has returned; wait for the PUBACKs. */
	pthread_mutex_lock(&sh.lock);
	while (sh.acked + sh.errors < total) {
		pthread_cond_wait(&sh.changed, &sh.lock);
	}
	printf("%d threads published %d messages, %d acknowledged\n", threads, total, sh.acked);
	if (sh.acked == total && sh.errors == 0) {
		status = 0;
	}
	pthread_mutex_unlock(&sh.lock);

stop:
	/* The network thread sends the DISCONNECT, then leaves its loop. */
	mosquitto_disconnect(sh.mosq);
	mosquitto_loop_stop(sh.mosq, false);
	printf("disconnected\n");
out:
	mosquitto_destroy(sh.mosq);
	mosquitto_lib_cleanup();
	pthread_cond_destroy(&sh.changed);
	pthread_mutex_destroy(&sh.lock);
	return status;
}
