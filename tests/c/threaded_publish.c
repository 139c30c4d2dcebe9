/*
 * Concurrent use of one client from many threads, with the library's own
 * network thread (mosquitto_loop_start).
 *
 * Usage: threaded_publish HOST PORT [THREADS [MESSAGES]]
 *
 * A subscriber client (loop_start) subscribes from inside on_connect to
 * tp/data/#, counts every message and, for every tenth one, publishes a
 * reply from inside on_message. A publisher client (loop_start) subscribes
 * to tp/reply/# from its on_connect; THREADS threads then each publish
 * MESSAGES messages at QoS 1 with mosquitto_publish at the same time. The
 * program checks every message id is distinct, every publish is
 * acknowledged (on_publish), every message and every reply arrives, then
 * disconnects, stops both loops and destroys both clients. Prints
 * deterministic totals; exits non-zero with a message on failure, and an
 * alarm stops it after a hard timeout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 90
#define WAIT_S 30
#define REPLY_EVERY 10

static int n_threads = 8;
/* 8 x 100 stays below the broker's default max_queued_messages (1000) for the
 * subscriber: beyond it the broker itself drops QoS 1 messages. */
static int n_messages = 100;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

/* Everything below is protected by lock. */
static int sub_ready, pub_ready;      /* SUBACK seen */
static int sub_connect_rc = -1, pub_connect_rc = -1;
static int *seen;                     /* [thread * n_messages + seq] */
static long received, duplicates, wrong;
static long pub_acked, replies_sent, reply_send_errors, replies_acked, replies_received;
static int disconnected;

static struct mosquitto *pub_client, *sub_client;
static int *mids;                     /* mid returned for [thread * n_messages + seq] */

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
	fflush(stdout);
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

static void signal_change(void)
{
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

/* ---- subscriber callbacks ------------------------------------------------ */

static void sub_on_connect(struct mosquitto *m, void *obj, int rc)
{
	int sub_rc;
	(void)obj;
	/* Calling the API from a callback must work. */
	sub_rc = rc == 0 ? mosquitto_subscribe(m, NULL, "tp/data/#", 1) : -1;
	pthread_mutex_lock(&lock);
	sub_connect_rc = rc;
	if (sub_rc != MOSQ_ERR_SUCCESS) wrong++;
	signal_change();
}

static void sub_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m;
	(void)obj;
	(void)mid;
	pthread_mutex_lock(&lock);
	if (n != 1 || granted[0] != 1) wrong++;
	sub_ready = 1;
	signal_change();
}

static void sub_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	int t = -1, seq = -1, bad = 0, first = 0;
	char topic[32];
	(void)obj;
	if (msg->payloadlen <= 0 || sscanf(msg->payload, "t=%d seq=%d", &t, &seq) != 2 || t < 0
	    || t >= n_threads || seq < 0 || seq >= n_messages || msg->qos != 1) {
		bad = 1;
	} else {
		snprintf(topic, sizeof(topic), "tp/data/%d", t);
		bad = strcmp(topic, msg->topic) != 0;
	}
	pthread_mutex_lock(&lock);
	if (bad) {
		wrong++;
	} else {
		first = seen[t * n_messages + seq]++ == 0;
		if (first) received++;
		else duplicates++;
	}
	signal_change();

	if (first && seq % REPLY_EVERY == 0) {
		/* Publishing from inside on_message must work. */
		char rtopic[32];
		int rc;
		snprintf(rtopic, sizeof(rtopic), "tp/reply/%d", t);
		rc = mosquitto_publish(m, NULL, rtopic, msg->payloadlen, msg->payload, 1, false);
		pthread_mutex_lock(&lock);
		if (rc == MOSQ_ERR_SUCCESS) replies_sent++;
		else reply_send_errors++;
		signal_change();
	}
}

static void sub_on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	(void)mid;
	pthread_mutex_lock(&lock);
	replies_acked++;
	signal_change();
}

/* ---- publisher callbacks ------------------------------------------------- */

static void pub_on_connect(struct mosquitto *m, void *obj, int rc)
{
	int sub_rc;
	(void)obj;
	sub_rc = rc == 0 ? mosquitto_subscribe(m, NULL, "tp/reply/#", 1) : -1;
	pthread_mutex_lock(&lock);
	pub_connect_rc = rc;
	if (sub_rc != MOSQ_ERR_SUCCESS) wrong++;
	signal_change();
}

static void pub_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m;
	(void)obj;
	(void)mid;
	pthread_mutex_lock(&lock);
	if (n != 1 || granted[0] != 1) wrong++;
	pub_ready = 1;
	signal_change();
}

static void pub_on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	(void)mid;
	pthread_mutex_lock(&lock);
	pub_acked++;
	signal_change();
}

static void pub_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)m;
	(void)obj;
	pthread_mutex_lock(&lock);
	if (strncmp(msg->topic, "tp/reply/", 9) == 0) replies_received++;
	else wrong++;
	signal_change();
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	pthread_mutex_lock(&lock);
	if (rc != 0) wrong++;
	disconnected++;
	signal_change();
}

/* ---- helpers ------------------------------------------------------------- */

/* Waits until done() holds (called with lock held). */
static void wait_for(int (*done)(void), const char *what)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_S;
	pthread_mutex_lock(&lock);
	while (!done()) {
		if (pthread_cond_timedwait(&cond, &lock, &deadline) == ETIMEDOUT) {
			long r = received, a = pub_acked;
			pthread_mutex_unlock(&lock);
			fail("timeout waiting for %s (received=%ld acked=%ld)", what, r, a);
		}
	}
	pthread_mutex_unlock(&lock);
	printf("phase done: %s\n", what);
}

static int both_ready(void)
{
	return sub_ready && pub_ready;
}

static long expected_replies(void)
{
	return (long)n_threads * ((n_messages + REPLY_EVERY - 1) / REPLY_EVERY);
}

static int all_done(void)
{
	long total = (long)n_threads * n_messages;
	return received == total && pub_acked == total && replies_received >= expected_replies()
	       && replies_acked == expected_replies();
}

static int both_disconnected(void)
{
	return disconnected >= 2;
}

static void *publisher_thread(void *arg)
{
	int t = (int)(long)arg;
	char topic[32], payload[64];
	snprintf(topic, sizeof(topic), "tp/data/%d", t);
	for (int j = 0; j < n_messages; j++) {
		int mid = -1, rc;
		snprintf(payload, sizeof(payload), "t=%d seq=%d", t, j);
		rc = mosquitto_publish(pub_client, &mid, topic, (int)strlen(payload), payload, 1, false);
		if (rc != MOSQ_ERR_SUCCESS) fail("thread %d publish %d: rc=%d", t, j, rc);
		mids[t * n_messages + j] = mid;
	}
	return NULL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static struct mosquitto *make_client(const char *id)
{
	struct mosquitto *m = mosquitto_new(id, true, NULL);
	if (!m) fail("mosquitto_new(%s)", id);
	mosquitto_disconnect_callback_set(m, on_disconnect);
	return m;
}

int main(int argc, char **argv)
{
	const char *host;
	int port, rc, total;
	pthread_t *threads;
	long dup_mids = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: threaded_publish HOST PORT [THREADS [MESSAGES]]\n");
		return 2;
	}
	host = argv[1];
	port = atoi(argv[2]);
	if (argc > 3) n_threads = atoi(argv[3]);
	if (argc > 4) n_messages = atoi(argv[4]);
	if (n_threads < 1 || n_messages < 1) {
		fprintf(stderr, "need at least 1 thread and 1 message\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(HARD_TIMEOUT_S);
	setvbuf(stdout, NULL, _IOLBF, 0);

	total = n_threads * n_messages;
	seen = calloc((size_t)total, sizeof(int));
	mids = calloc((size_t)total, sizeof(int));
	threads = calloc((size_t)n_threads, sizeof(pthread_t));
	if (!seen || !mids || !threads) fail("out of memory");

	report_loaded_library();
	mosquitto_lib_init();
	sub_client = make_client("tp-sub");
	mosquitto_connect_callback_set(sub_client, sub_on_connect);
	mosquitto_subscribe_callback_set(sub_client, sub_on_subscribe);
	mosquitto_message_callback_set(sub_client, sub_on_message);
	mosquitto_publish_callback_set(sub_client, sub_on_publish);
	pub_client = make_client("tp-pub");
	mosquitto_connect_callback_set(pub_client, pub_on_connect);
	mosquitto_subscribe_callback_set(pub_client, pub_on_subscribe);
	mosquitto_message_callback_set(pub_client, pub_on_message);
	mosquitto_publish_callback_set(pub_client, pub_on_publish);

	rc = mosquitto_connect_async(sub_client, host, port, 60);
	if (rc != MOSQ_ERR_SUCCESS) fail("connect_async(sub) rc=%d", rc);
	rc = mosquitto_loop_start(sub_client);
	if (rc != MOSQ_ERR_SUCCESS) fail("loop_start(sub) rc=%d", rc);
	rc = mosquitto_connect(pub_client, host, port, 60);
	if (rc != MOSQ_ERR_SUCCESS) fail("connect(pub) rc=%d", rc);
	rc = mosquitto_loop_start(pub_client);
	if (rc != MOSQ_ERR_SUCCESS) fail("loop_start(pub) rc=%d", rc);
	wait_for(both_ready, "both connected and subscribed");
	if (sub_connect_rc != 0 || pub_connect_rc != 0) fail("connack rc %d/%d", sub_connect_rc, pub_connect_rc);

	for (int t = 0; t < n_threads; t++) {
		if (pthread_create(&threads[t], NULL, publisher_thread, (void *)(long)t) != 0) {
			fail("pthread_create");
		}
	}
	for (int t = 0; t < n_threads; t++) {
		pthread_join(threads[t], NULL);
	}
	printf("published: %d by %d threads\n", total, n_threads);

	/* Message ids must all be distinct (2 .. total+1: the subscribe used 1). */
	qsort(mids, (size_t)total, sizeof(int), cmp_int);
	for (int i = 1; i < total; i++) {
		if (mids[i] == mids[i - 1]) dup_mids++;
	}
	printf("duplicate mids: %ld\n", dup_mids);
	printf("mid range: %d..%d\n", mids[0], mids[total - 1]);

	wait_for(all_done, "all delivered, acknowledged and answered");

	rc = mosquitto_disconnect(pub_client);
	if (rc != MOSQ_ERR_SUCCESS) fail("disconnect(pub) rc=%d", rc);
	rc = mosquitto_disconnect(sub_client);
	if (rc != MOSQ_ERR_SUCCESS) fail("disconnect(sub) rc=%d", rc);
	wait_for(both_disconnected, "both disconnected");
	rc = mosquitto_loop_stop(pub_client, false);
	if (rc != MOSQ_ERR_SUCCESS) fail("loop_stop(pub) rc=%d", rc);
	rc = mosquitto_loop_stop(sub_client, false);
	if (rc != MOSQ_ERR_SUCCESS) fail("loop_stop(sub) rc=%d", rc);
	mosquitto_destroy(pub_client);
	mosquitto_destroy(sub_client);
	mosquitto_lib_cleanup();

	fprintf(stderr, "qos1 duplicates: %ld\n", duplicates);
	printf("received: %ld\n", received);
	printf("acknowledged: %ld\n", pub_acked);
	printf("replies: sent=%ld acknowledged=%ld received=%ld send errors=%ld\n", replies_sent,
	       replies_acked, replies_received, reply_send_errors);
	printf("unexpected: %ld\n", wrong);
	if (dup_mids != 0 || received != total || pub_acked != total || replies_sent != expected_replies()
	    || replies_acked != expected_replies() || replies_received < expected_replies()
	    || reply_send_errors != 0 || wrong != 0) {
		fail("totals do not match");
	}
	free(seen);
	free(mids);
	free(threads);
	printf("OK\n");
	return 0;
}
