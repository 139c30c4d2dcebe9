/*
 * What reaches the broker around callbacks, run on Debian's libmosquitto
 * and on ours against a fake broker (tests/loop_order.rs).
 *
 * Usage: callback_order PORT MODE [COUNT]
 *
 *   disconnect-on-publish    on_connect publishes "m" at QoS 0 to t/0; its
 *                            on_publish calls mosquitto_disconnect(); main
 *                            loops with mosquitto_loop() until then, and
 *                            destroys the client without looping again.
 *   disconnect-on-publish-direct
 *                            main loops until on_connect, then publishes
 *                            "m" at QoS 0 itself (on_publish disconnects
 *                            as above) and destroys the client at once.
 *   exit-on-message          mosquitto_loop() until on_message, which
 *                            prints the message and exit()s.
 *   exit-on-message-forever  the same with mosquitto_loop_forever().
 *   loop-start-connect-async COUNT times: a new client, loop_start, then
 *                            connect_async; after on_connect it
 *                            disconnects, loop_stop(false), destroy.
 *   loop-start-reconnect-async
 *                            one client, loop_start, connect_async; COUNT
 *                            times, after each on_connect, reconnect_async;
 *                            then disconnect, loop_stop(false), destroy.
 *   reconnect-on-disconnect  mosquitto_loop_forever(); the first
 *                            on_disconnect calls mosquitto_reconnect(), the
 *                            second on_connect disconnects.
 *
 * Prints "done" (or the message) and exits 0; an alarm stops it after
 * 20 s. The client id is "order", keep alive 60, MQTT 3.1.1.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

static volatile int connected;
static volatile int done;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char *what, int rc)
{
	printf("%s failed: %d\n", what, rc);
	exit(1);
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)obj;
	if (rc) {
		fail("CONNACK", rc);
	}
	pthread_mutex_lock(&mutex);
	connected++;
	pthread_mutex_unlock(&mutex);
	if (!strcmp((const char *)obj, "reconnect-on-disconnect") && connected == 2) {
		mosquitto_disconnect(m);
	}
	if (!strcmp((const char *)obj, "disconnect-on-publish")) {
		int rc2 = mosquitto_publish(m, NULL, "t/0", 1, "m", 0, false);
		if (rc2) {
			fail("publish", rc2);
		}
	}
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)obj;
	(void)mid;
	mosquitto_disconnect(m);
	done = 1;
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)obj;
	(void)rc;
	if (!done++) {
		int rc2 = mosquitto_reconnect(m);
		if (rc2) {
			fail("reconnect", rc2);
		}
	}
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)m;
	(void)obj;
	printf("message %s qos=%d %.*s\n", msg->topic, msg->qos, msg->payloadlen,
	       (const char *)msg->payload);
	fflush(stdout);
	exit(0);
}

static int connections(void)
{
	pthread_mutex_lock(&mutex);
	int n = connected;
	pthread_mutex_unlock(&mutex);
	return n;
}

static void wait_connections(int n)
{
	while (connections() < n) {
		usleep(1000);
	}
}

static struct mosquitto *client(const char *mode)
{
	struct mosquitto *m = mosquitto_new("order", true, (void *)mode);
	if (!m) {
		fail("mosquitto_new", 0);
	}
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_message_callback_set(m, on_message);
	if (!strcmp(mode, "reconnect-on-disconnect")) {
		mosquitto_disconnect_callback_set(m, on_disconnect);
		mosquitto_reconnect_delay_set(m, 1, 1, false);
	}
	return m;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: callback_order PORT MODE [COUNT]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	const char *mode = argv[2];
	int count = argc > 3 ? atoi(argv[3]) : 1;
	alarm(20);
	mosquitto_lib_init();
	int rc;
	if (!strcmp(mode, "loop-start-connect-async")) {
		for (int i = 0; i < count; i++) {
			struct mosquitto *m = client(mode);
			if ((rc = mosquitto_loop_start(m))) {
				fail("loop_start", rc);
			}
			if ((rc = mosquitto_connect_async(m, "127.0.0.1", port, 60))) {
				fail("connect_async", rc);
			}
			wait_connections(i + 1);
			mosquitto_disconnect(m);
			mosquitto_loop_stop(m, false);
			mosquitto_destroy(m);
		}
	} else if (!strcmp(mode, "loop-start-reconnect-async")) {
		struct mosquitto *m = client(mode);
		if ((rc = mosquitto_loop_start(m))) {
			fail("loop_start", rc);
		}
		if ((rc = mosquitto_connect_async(m, "127.0.0.1", port, 60))) {
			fail("connect_async", rc);
		}
		for (int i = 1; i <= count; i++) {
			wait_connections(i);
			if ((rc = mosquitto_reconnect_async(m))) {
				fail("reconnect_async", rc);
			}
		}
		wait_connections(count + 1);
		mosquitto_disconnect(m);
		mosquitto_loop_stop(m, false);
		mosquitto_destroy(m);
	} else {
		struct mosquitto *m = client(mode);
		if ((rc = mosquitto_connect(m, "127.0.0.1", port, 60))) {
			fail("connect", rc);
		}
		if (!strcmp(mode, "reconnect-on-disconnect")) {
			if ((rc = mosquitto_loop_forever(m, -1, 1))) {
				fail("loop_forever", rc);
			}
		} else if (!strcmp(mode, "exit-on-message-forever")) {
			rc = mosquitto_loop_forever(m, -1, 1);
			fail("loop_forever", rc);
		} else if (!strcmp(mode, "disconnect-on-publish-direct")) {
			while (!connections()) {
				mosquitto_loop(m, 100, 1);
			}
			if ((rc = mosquitto_publish(m, NULL, "t/0", 1, "m", 0, false))) {
				fail("publish", rc);
			}
		} else {
			while (!done) {
				mosquitto_loop(m, 100, 1);
			}
		}
		mosquitto_destroy(m);
	}
	mosquitto_lib_cleanup();
	printf("done\n");
	return 0;
}
