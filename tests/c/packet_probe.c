/*
 * Passive client for packet-level differential tests (tests/packet_level.rs).
 *
 * Usage: packet_probe PORT VERSION [TOPIC_ALIAS_MAX [reconnect]]
 *
 * Connects to 127.0.0.1:PORT as client "probe" (clean session, keep alive
 * 60) with MQTT VERSION (3 = 3.1, 4 = 3.1.1, 5 = 5.0), announcing a Topic
 * Alias Maximum when given (v5), then runs mosquitto_loop() until
 * on_disconnect is called or 4 seconds pass (with "reconnect": after the
 * first on_disconnect it calls mosquitto_reconnect() once and goes on until
 * the second). TOPIC_ALIAS_MAX 0 announces nothing. Prints one line per callback
 * and per change of the loop's return code, then "end". The test runs the
 * same broker script against this program on Debian's libmosquitto and
 * against our library in-process, and compares the lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

static int disconnected;

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags)
{
	(void)m;
	(void)obj;
	printf("connect rc=%d flags=%d\n", rc, flags);
	fflush(stdout);
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	(void)m;
	(void)obj;
	printf("disconnect rc=%d\n", rc);
	fflush(stdout);
	disconnected = 1;
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	printf("publish mid=%d\n", mid);
	fflush(stdout);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	(void)m;
	(void)obj;
	printf("message mid=%d topic=%s len=%d qos=%d retain=%d payload=%.*s\n", msg->mid,
	       msg->topic, msg->payloadlen, msg->qos, msg->retain ? 1 : 0, msg->payloadlen,
	       msg->payload ? (const char *)msg->payload : "");
	fflush(stdout);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m;
	(void)obj;
	printf("subscribe mid=%d granted=", mid);
	for (int i = 0; i < n; i++) {
		printf(i ? ",%d" : "%d", granted[i]);
	}
	printf("\n");
	fflush(stdout);
}

static void on_unsubscribe(struct mosquitto *m, void *obj, int mid)
{
	(void)m;
	(void)obj;
	printf("unsubscribe mid=%d\n", mid);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: packet_probe PORT VERSION [TOPIC_ALIAS_MAX [reconnect]]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	int version = atoi(argv[2]);
	mosquitto_lib_init();
	/* PROBE_NULL_ID in the environment: no client id (v5 brokers assign one). */
	struct mosquitto *m = mosquitto_new(getenv("PROBE_NULL_ID") ? NULL : "probe", true, NULL);
	if (!m) {
		fprintf(stderr, "mosquitto_new failed\n");
		return 1;
	}
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, version);
	mosquitto_connect_with_flags_callback_set(m, on_connect);
	mosquitto_disconnect_callback_set(m, on_disconnect);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_message_callback_set(m, on_message);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_unsubscribe_callback_set(m, on_unsubscribe);

	mosquitto_property *props = NULL;
	int reconnect = argc > 4 && !strcmp(argv[4], "reconnect");
	if (argc > 3 && atoi(argv[3]) > 0) {
		mosquitto_property_add_int16(&props, MQTT_PROP_TOPIC_ALIAS_MAXIMUM,
					     (uint16_t)atoi(argv[3]));
	}
	int rc = mosquitto_connect_bind_v5(m, "127.0.0.1", port, 60, NULL, props);
	mosquitto_property_free_all(&props);
	printf("connect() rc=%d\n", rc);
	fflush(stdout);

	int last = 0;
	double deadline = now_s() + 4.0;
	while (now_s() < deadline) {
		if (disconnected) {
			if (!reconnect) {
				break;
			}
			reconnect = 0;
			disconnected = 0;
			rc = mosquitto_reconnect(m);
			printf("reconnect() rc=%d\n", rc);
			fflush(stdout);
		}
		rc = mosquitto_loop(m, 20, 1);
		if (rc != last && rc != MOSQ_ERR_NO_CONN) {
			printf("loop rc=%d\n", rc);
			fflush(stdout);
		}
		last = rc;
	}
	printf("end\n");
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return 0;
}
