/*
 * A TLS-PSK client in one of the four ways of running the loop.
 *
 * Usage: psk_client HOST PORT PSK IDENTITY MODE ROUNDS [CAFILE]
 *    or: psk_client args
 *   "args" prints what mosquitto_tls_psk_set returns for each kind of
 *   argument (NULLs, hex digits, cipher lists), one "NAME RC" a line.
 *   MODE: forever (mosquitto_loop_forever), start (mosquitto_loop_start),
 *         async (mosquitto_connect_async, then mosquitto_loop_start),
 *         loop (mosquitto_loop called by hand) or external (select() on
 *         mosquitto_socket with mosquitto_want_write, then
 *         mosquitto_loop_read/write/misc).
 *   ROUNDS: how many rounds; between two, the test restarts the broker and
 *         the client reconnects (by itself with forever/start, with
 *         mosquitto_reconnect in the other modes).
 *   CAFILE: also calls mosquitto_tls_set with it (certificate TLS then
 *         wins over the key, as in the original); prints "tls_set RC".
 *
 * Each round: on connect, subscribe to psk/# at QoS 2; on the SUBACK,
 * publish one message at each QoS 0, 1 and 2; once the three came back,
 * print "round N done". After the last round, disconnect. Prints
 * "psk_set RC", "connect RC", "connected RC" per CONNACK, "got TOPIC QOS
 * PAYLOAD" per message (in arrival order), every MOSQ_LOG_ERR line as
 * "log: LINE", and "END". An alarm ends it after a hard timeout.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 40

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int round_no = 1;
static int rounds = 1;
static int received;
static int finished;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>
static void say(const char *fmt, ...)
{
	va_list ap;
	flockfile(stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
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
	if (level == MOSQ_LOG_ERR) {
		say("log: %s", line);
	}
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)obj;
	say("connected %d", rc);
	if (rc == 0) {
		mosquitto_subscribe(m, NULL, "psk/#", 2);
	}
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	char payload[32];
	int qos;
	(void)obj;
	(void)mid;
	(void)n;
	(void)granted;
	pthread_mutex_lock(&lock);
	received = 0;
	for (qos = 0; qos <= 2; qos++) {
		snprintf(payload, sizeof(payload), "r%d-q%d", round_no, qos);
		mosquitto_publish(m, NULL, "psk/test", (int)strlen(payload), payload, qos, false);
	}
	pthread_mutex_unlock(&lock);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)obj;
	say("got %s %d %.*s", msg->topic, msg->qos, msg->payloadlen, (const char *)msg->payload);
	pthread_mutex_lock(&lock);
	if (++received == 3) {
		say("round %d done", round_no);
		if (round_no == rounds) {
			finished = 1;
			mosquitto_disconnect(m);
		} else {
			round_no++;
		}
	}
	pthread_mutex_unlock(&lock);
}

static int is_finished(void)
{
	int f;
	pthread_mutex_lock(&lock);
	f = finished;
	pthread_mutex_unlock(&lock);
	return f;
}

/* The manual modes: reconnect by hand after a lost connection. */
static void reconnect(struct mosquitto *m)
{
	while (!is_finished() && mosquitto_reconnect(m) != MOSQ_ERR_SUCCESS) {
		usleep(200 * 1000);
	}
}

static void run_loop(struct mosquitto *m)
{
	while (!is_finished()) {
		int rc = mosquitto_loop(m, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS && !is_finished()) {
			usleep(200 * 1000);
			reconnect(m);
		}
	}
	/* Let the DISCONNECT go. */
	mosquitto_loop(m, 100, 1);
}

static void run_external(struct mosquitto *m)
{
	while (!is_finished()) {
		int fd = mosquitto_socket(m);
		fd_set r, w;
		struct timeval tv = {0, 100 * 1000};
		int rc = MOSQ_ERR_SUCCESS;

		if (fd < 0) {
			reconnect(m);
			continue;
		}
		FD_ZERO(&r);
		FD_ZERO(&w);
		FD_SET(fd, &r);
		if (mosquitto_want_write(m)) {
			FD_SET(fd, &w);
		}
		if (select(fd + 1, &r, &w, NULL, &tv) < 0) {
			perror("select");
			exit(2);
		}
		if (FD_ISSET(fd, &r)) {
			rc = mosquitto_loop_read(m, 1);
		}
		if (rc == MOSQ_ERR_SUCCESS && mosquitto_socket(m) >= 0 && FD_ISSET(fd, &w)) {
			rc = mosquitto_loop_write(m, 1);
		}
		if (rc == MOSQ_ERR_SUCCESS) {
			rc = mosquitto_loop_misc(m);
		}
		if (rc != MOSQ_ERR_SUCCESS && !is_finished()) {
			usleep(200 * 1000);
			reconnect(m);
		}
	}
	if (mosquitto_want_write(m)) {
		mosquitto_loop_write(m, 1);
	}
}

static void check_args(void)
{
	struct mosquitto *m;

	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	say("null-handle %d", mosquitto_tls_psk_set(NULL, "abcd", "id", NULL));
	say("null-key %d", mosquitto_tls_psk_set(m, NULL, "id", NULL));
	say("null-identity %d", mosquitto_tls_psk_set(m, "abcd", NULL, NULL));
	say("not-hex %d", mosquitto_tls_psk_set(m, "abcx", "id", NULL));
	say("0x-prefix %d", mosquitto_tls_psk_set(m, "0xab", "id", NULL));
	say("empty-key %d", mosquitto_tls_psk_set(m, "", "id", NULL));
	say("empty-identity %d", mosquitto_tls_psk_set(m, "abcd", "", NULL));
	say("mixed-case %d", mosquitto_tls_psk_set(m, "DEADbeef", "id", NULL));
	say("odd-length %d", mosquitto_tls_psk_set(m, "abc", "id", NULL));
	say("tls12-ciphers %d", mosquitto_tls_psk_set(m, "abcd", "id", "PSK-AES128-GCM-SHA256"));
	say("tls13-ciphers %d", mosquitto_tls_psk_set(m, "abcd", "id", "TLS_AES_128_GCM_SHA256"));
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	say("END");
}

int main(int argc, char **argv)
{
	struct mosquitto *m;
	const char *mode;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "args")) {
		check_args();
		return 0;
	}
	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: %s HOST PORT PSK IDENTITY MODE ROUNDS [CAFILE]\n", argv[0]);
		return 2;
	}
	mode = argv[5];
	rounds = atoi(argv[6]);
	signal(SIGALRM, on_alarm);
	alarm(HARD_TIMEOUT_S);

	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	mosquitto_log_callback_set(m, on_log);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);
	mosquitto_reconnect_delay_set(m, 1, 1, false);
	say("psk_set %d", mosquitto_tls_psk_set(m, argv[3], argv[4], NULL));
	if (argc == 8) {
		say("tls_set %d", mosquitto_tls_set(m, argv[7], NULL, NULL, NULL, NULL));
	}
	if (!strcmp(mode, "async")) {
		/* Non-blocking connect, then the loop thread. */
		rc = mosquitto_connect_async(m, argv[1], atoi(argv[2]), 60);
	} else {
		rc = mosquitto_connect(m, argv[1], atoi(argv[2]), 60);
	}
	say("connect %d", rc);
	if (rc == MOSQ_ERR_SUCCESS) {
		if (!strcmp(mode, "forever")) {
			say("loop_forever %d", mosquitto_loop_forever(m, 100, 1));
		} else if (!strcmp(mode, "start") || !strcmp(mode, "async")) {
			mosquitto_loop_start(m);
			while (!is_finished()) {
				usleep(20 * 1000);
			}
			say("loop_stop %d", mosquitto_loop_stop(m, false));
		} else if (!strcmp(mode, "loop")) {
			run_loop(m);
		} else {
			run_external(m);
		}
	}
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	say("END");
	return 0;
}
