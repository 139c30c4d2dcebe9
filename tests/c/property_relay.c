/*
 * Which properties the _v5 calls send for a property pointer the library
 * made (tests/property_lists.rs).
 *
 * Usage: property_relay PORT
 *
 * Connects to 127.0.0.1:PORT with MQTT 5 as client "relay". On the first
 * message it takes nodes out of the message's property list (as a
 * request/response responder takes the correlation data) and passes them
 * to the _v5 calls, then a copy of a received list, then a list it built
 * itself, and ends with mosquitto_disconnect_v5 on a received node. The
 * test's broker records what arrives. Prints each call's return code, then
 * "end".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg,
                       const mosquitto_property *props)
{
	const mosquitto_property *corr, *user;
	mosquitto_property *copy = NULL, *built = NULL;
	void *data = NULL;
	uint16_t len = 0;
	char *name = NULL, *value = NULL;

	(void)obj;
	(void)msg;
	corr = mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &data, &len, false);
	user = mosquitto_property_read_string_pair(props, MQTT_PROP_USER_PROPERTY, &name, &value,
	                                           false);
	free(data);
	free(name);
	free(value);
	printf("found corr=%d user=%d\n", corr != NULL, user != NULL);

	/* A received node: the correlation data alone. */
	printf("publish corr rc=%d\n", mosquitto_publish_v5(m, NULL, "r/1", 1, "a", 0, false, corr));
	/* The first user property alone (what follows would fail SUBSCRIBE's rules). */
	printf("subscribe user rc=%d\n", mosquitto_subscribe_v5(m, NULL, "s/1", 0, 0, user));
	printf("unsubscribe user rc=%d\n", mosquitto_unsubscribe_v5(m, NULL, "s/1", user));
	/* A copy of the received list from the user property on: the library
	 * made its head too. */
	printf("copy rc=%d\n", mosquitto_property_copy_all(&copy, user));
	printf("publish copy rc=%d\n", mosquitto_publish_v5(m, NULL, "r/2", 1, "b", 1, false, copy));
	mosquitto_property_free_all(&copy);
	/* A list the program built: sent whole. */
	mosquitto_property_add_string_pair(&built, MQTT_PROP_USER_PROPERTY, "x", "y");
	mosquitto_property_add_string(&built, MQTT_PROP_CONTENT_TYPE, "text/plain");
	printf("publish built rc=%d\n", mosquitto_publish_v5(m, NULL, "r/3", 1, "c", 0, false, built));
	mosquitto_property_free_all(&built);
	printf("disconnect user rc=%d\n", mosquitto_disconnect_v5(m, 0, user));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct mosquitto *m;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: property_relay PORT\n");
		return 2;
	}
	alarm(8);
	mosquitto_lib_init();
	m = mosquitto_new("relay", true, NULL);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_message_v5_callback_set(m, on_message);
	rc = mosquitto_connect(m, "127.0.0.1", atoi(argv[1]), 60);
	printf("connect rc=%d\n", rc);
	rc = mosquitto_loop_forever(m, 1000, 1);
	printf("loop rc=%d\n", rc);
	printf("end\n");
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return 0;
}
