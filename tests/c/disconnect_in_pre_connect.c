/*
 * mosquitto_disconnect from on_pre_connect (2.1) while loop_forever
 * reconnects (tests/reconnect_delay.rs).
 *
 * Usage: disconnect_in_pre_connect PORT
 *
 * Connects to 127.0.0.1:PORT, a listener that closes every connection,
 * with reconnect delays of 0, and runs loop_forever on this thread. The
 * second on_pre_connect (the first reconnect) calls mosquitto_disconnect:
 * the loop must end there instead of connecting again. Prints each call's
 * return code and how many times on_pre_connect ran, then "end". An alarm
 * ends a loop that does not stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <mosquitto.h>

static int pre_connects;

static void on_pre_connect(struct mosquitto *m, void *obj)
{
	(void)obj;
	pre_connects++;
	if (pre_connects == 2) {
		printf("disconnect rc=%d\n", mosquitto_disconnect(m));
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	struct mosquitto *m;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: disconnect_in_pre_connect PORT\n");
		return 2;
	}
	alarm(10);
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	mosquitto_pre_connect_callback_set(m, on_pre_connect);
	printf("delay_set rc=%d\n", mosquitto_reconnect_delay_set(m, 0, 0, false));
	printf("connect rc=%d\n", mosquitto_connect(m, "127.0.0.1", atoi(argv[1]), 60));
	fflush(stdout);
	rc = mosquitto_loop_forever(m, -1, 1);
	printf("loop_forever rc=%d pre_connects=%d\n", rc, pre_connects);
	printf("end\n");
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return 0;
}
