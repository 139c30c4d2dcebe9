/*
 * Reconnects under mosquitto_reconnect_delay_set (tests/reconnect_delay.rs).
 *
 * Usage: reconnect_delay PORT DELAY DELAY_MAX EXPONENTIAL(0|1) MILLISECONDS
 *
 * Sets the reconnect delays, connects to 127.0.0.1:PORT (a failure is
 * printed and ignored: loop_forever retries), runs loop_forever in
 * loop_start's thread for MILLISECONDS, then disconnects and stops. The
 * test counts the connections its listener accepts, or the CPU time the
 * program used. Prints each call's return code and the CPU time used in
 * milliseconds ("cpu_ms=N"), then "end".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mosquitto.h>

int main(int argc, char **argv)
{
	struct mosquitto *m;
	struct rusage ru;
	long cpu_ms;

	if (argc < 6) {
		fprintf(stderr, "usage: reconnect_delay PORT DELAY DELAY_MAX EXP MS\n");
		return 2;
	}
	alarm(30);
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	printf("delay_set rc=%d\n",
	       mosquitto_reconnect_delay_set(m, (unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]),
	                                     atoi(argv[4]) != 0));
	printf("connect rc=%d\n", mosquitto_connect(m, "127.0.0.1", atoi(argv[1]), 60));
	printf("loop_start rc=%d\n", mosquitto_loop_start(m));
	fflush(stdout);
	usleep((useconds_t)atoi(argv[5]) * 1000);
	mosquitto_disconnect(m);
	printf("loop_stop rc=%d\n", mosquitto_loop_stop(m, false));
	getrusage(RUSAGE_SELF, &ru);
	cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	printf("cpu_ms=%ld\n", cpu_ms);
	printf("end\n");
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return 0;
}
