/*
 * A TLS handshake that fails, seen through each way of running the loop.
 *
 * Usage: tls_handshake_modes HOST PORT CAFILE MODE [INSECURE]
 *   MODE: forever (mosquitto_loop_forever), start (mosquitto_loop_start)
 *         or loop (mosquitto_loop called by hand).
 *   INSECURE: "insecure" calls mosquitto_tls_insecure_set(true).
 *
 * Prints, one per line and in order: the connect result, every log line at
 * MOSQ_LOG_ERR, every connect/disconnect callback with its code, what the
 * loop returned, and "END". The same binary runs on Debian's libmosquitto
 * and on ours; both outputs must be identical. An alarm ends it after a
 * hard timeout.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 20

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int errors_logged;

static void out(const char *fmt, const char *s, int n)
{
	flockfile(stdout);
	if (s) {
		printf(fmt, s);
	} else {
		printf(fmt, n);
	}
	putchar('\n');
	fflush(stdout);
	funlockfile(stdout);
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

static void on_log(struct mosquitto *m, void *obj, int level, const char *line)
{
	(void)m;
	(void)obj;
	if (level != MOSQ_LOG_ERR) {
		return;
	}
	out("log: %s", line, 0);
	pthread_mutex_lock(&lock);
	errors_logged++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	out("on_connect %d", NULL, rc);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	out("on_disconnect %d", NULL, rc);
}

/* Waits up to `seconds` for a first error log line. */
static void wait_for_error(int seconds)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&lock);
	while (errors_logged == 0) {
		if (pthread_cond_timedwait(&cond, &lock, &deadline) != 0) {
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv)
{
	struct mosquitto *mosq;
	const char *mode;
	int rc;

	if (argc < 5) {
		fprintf(stderr, "usage: %s HOST PORT CAFILE MODE [insecure]\n", argv[0]);
		return 2;
	}
	mode = argv[4];
	signal(SIGALRM, on_alarm);
	alarm(HARD_TIMEOUT_S);
	mosquitto_lib_init();
	mosq = mosquitto_new("tls-modes", true, NULL);
	mosquitto_log_callback_set(mosq, on_log);
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);
	/* Reconnecting (which must not happen) would be quick. */
	mosquitto_reconnect_delay_set(mosq, 1, 1, false);
	rc = mosquitto_tls_set(mosq, argv[3], NULL, NULL, NULL, NULL);
	out("tls_set %d", NULL, rc);
	if (argc > 5 && !strcmp(argv[5], "insecure")) {
		out("tls_insecure_set %d", NULL, mosquitto_tls_insecure_set(mosq, true));
	}
	rc = mosquitto_connect(mosq, argv[1], atoi(argv[2]), 60);
	out("connect %d", NULL, rc);
	if (rc == MOSQ_ERR_SUCCESS) {
		if (!strcmp(mode, "forever")) {
			rc = mosquitto_loop_forever(mosq, 100, 1);
			out("loop_forever %d", NULL, rc);
		} else if (!strcmp(mode, "start")) {
			out("loop_start %d", NULL, mosquitto_loop_start(mosq));
			wait_for_error(5);
			/* Long enough to see a reconnection, were there one. */
			sleep(2);
			out("loop_stop %d", NULL, mosquitto_loop_stop(mosq, true));
		} else {
			int calls = 0;
			do {
				rc = mosquitto_loop(mosq, 100, 1);
			} while (rc == MOSQ_ERR_SUCCESS && ++calls < 100);
			out("loop %d", NULL, rc);
			out("loop again %d", NULL, mosquitto_loop(mosq, 100, 1));
		}
		out("socket %d", NULL, mosquitto_socket(mosq) == -1 ? -1 : 0);
	}
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	out("END", NULL, 0);
	return 0;
}
