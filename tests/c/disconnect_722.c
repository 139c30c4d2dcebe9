/*
 * The program of upstream issue #722: publish N QoS 1 messages, call
 * mosquitto_disconnect at once, then run the network loop until it ends.
 *
 * Usage: disconnect_722 HOST PORT MODE N
 *
 * MODE is how the loop runs after the disconnect: "forever"
 * (mosquitto_loop_forever), "loop" (mosquitto_loop until it fails) or
 * "external" (poll(2) on mosquitto_socket with mosquitto_want_write, and
 * mosquitto_loop_read / _write / _misc until the socket is gone).
 *
 * Prints what a program can observe, in order: the return codes of every
 * call (runs of equal publish codes folded into one line), each callback
 * with the phase it came in, and totals. Nothing else: the output is the
 * same on every run of one library, so two libraries can be compared line
 * by line. An alarm stops it after a hard timeout.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 30

static const char *phase = "setup";
static int published;

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
	(void)m;
	(void)obj;
	printf("on_connect rc=%d during %s\n", rc, phase);
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	(void)mid;
	published++;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	printf("on_disconnect rc=%d during %s (on_publish so far: %d)\n", rc, phase, published);
}

/* Folds runs of equal return codes: "publish rc=R xN". */
static void fold(int rc, int *last, int *run)
{
	if (*run > 0 && rc != *last) {
		printf("publish rc=%d x%d\n", *last, *run);
		*run = 0;
	}
	*last = rc;
	(*run)++;
}

static int external_loop(struct mosquitto *m)
{
	int rounds = 0;
	for (;;) {
		struct pollfd p;
		int fd = mosquitto_socket(m);
		if (fd < 0) {
			printf("external: socket gone after %s\n", rounds ? "some rounds" : "no round");
			return 0;
		}
		rounds++;
		p.fd = fd;
		p.events = POLLIN | (mosquitto_want_write(m) ? POLLOUT : 0);
		p.revents = 0;
		if (poll(&p, 1, 100) < 0) {
			return -1;
		}
		if (p.revents & POLLIN) {
			int rc = mosquitto_loop_read(m, 1);
			if (rc != MOSQ_ERR_SUCCESS) {
				printf("external: loop_read rc=%d\n", rc);
				return 0;
			}
		}
		if (p.revents & POLLOUT) {
			int rc = mosquitto_loop_write(m, 1);
			if (rc != MOSQ_ERR_SUCCESS) {
				printf("external: loop_write rc=%d\n", rc);
				return 0;
			}
		}
		mosquitto_loop_misc(m);
	}
}

int main(int argc, char **argv)
{
	struct mosquitto *m;
	const char *mode;
	int n, i, rc, last = 0, run = 0;
	char payload[16];

	if (argc != 5) {
		fprintf(stderr, "usage: %s HOST PORT MODE N\n", argv[0]);
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(HARD_TIMEOUT_S);
	setvbuf(stdout, NULL, _IOLBF, 0);
	mode = argv[3];
	n = atoi(argv[4]);
	mosquitto_lib_init();
	report_loaded_library();
	m = mosquitto_new("issue722", true, NULL);
	if (!m) {
		printf("FAIL mosquitto_new\n");
		return 1;
	}
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_disconnect_callback_set(m, on_disconnect);

	phase = "mosquitto_connect";
	printf("connect rc=%d\n", mosquitto_connect(m, argv[1], atoi(argv[2]), 60));
	phase = "mosquitto_publish";
	for (i = 0; i < n; i++) {
		snprintf(payload, sizeof(payload), "%08d", i);
		fold(mosquitto_publish(m, NULL, "q722", (int)strlen(payload), payload, 1, false), &last,
		     &run);
	}
	fold(-1, &last, &run);
	phase = "mosquitto_disconnect";
	printf("disconnect rc=%d\n", mosquitto_disconnect(m));
	phase = "the loop";
	if (!strcmp(mode, "forever")) {
		printf("loop_forever rc=%d\n", mosquitto_loop_forever(m, 100, 1));
	} else if (!strcmp(mode, "loop")) {
		int rounds = 0;
		while ((rc = mosquitto_loop(m, 100, 1)) == MOSQ_ERR_SUCCESS) {
			rounds++;
		}
		printf("mosquitto_loop rc=%d after %s\n", rc, rounds ? "some rounds" : "no round");
	} else if (!strcmp(mode, "external")) {
		if (external_loop(m) != 0) {
			printf("FAIL poll\n");
			return 1;
		}
	} else {
		printf("FAIL unknown mode %s\n", mode);
		return 1;
	}
	phase = "teardown";
	printf("on_publish total: %d\n", published);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	printf("END\n");
	return 0;
}
