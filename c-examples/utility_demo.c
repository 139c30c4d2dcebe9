/*
 * utility_demo.c - a tour of libmosquitto's utility functions.
 *
 * Nothing here talks to a broker: it shows the library version, topic
 * matching and validation, error strings, and an MQTT v5 property list.
 *
 * Build and run it on the Rust libmosquitto with `make demo`, or by hand:
 *
 *   cc -I include -o utility_demo c-examples/utility_demo.c \
 *      -L target/release -lmosquitto -ldl
 *   LD_LIBRARY_PATH=target/release ./utility_demo
 *
 * Run the same binary without LD_LIBRARY_PATH to compare with the system's
 * libmosquitto: the first line tells which file was loaded.
 */

/* dladdr() is a GNU extension. */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

/* Prints the path of the shared object that provides mosquitto_lib_version,
 * i.e. the libmosquitto the dynamic loader really picked. */
static void print_loaded_library(void)
{
	Dl_info info;

	if (dladdr((void *)&mosquitto_lib_version, &info) != 0 && info.dli_fname != NULL) {
		printf("loaded library: %s\n", info.dli_fname);
	} else {
		printf("loaded library: (unknown)\n");
	}
}

/* mosquitto_lib_version fills the three numbers and returns them packed as
 * major*1000000 + minor*1000 + revision. */
static void show_version(void)
{
	int major = 0, minor = 0, revision = 0;
	int packed = mosquitto_lib_version(&major, &minor, &revision);

	printf("library version: %d.%d.%d (packed %d)\n", major, minor, revision, packed);
}

/* mosquitto_topic_matches_sub answers whether a topic is matched by a
 * subscription pattern with '+' (one level) and '#' (the rest). */
static void show_topic_matching(void)
{
	static const char *const cases[][2] = {
		{"sensors/+/temperature", "sensors/kitchen/temperature"},
		{"sensors/#", "sensors/kitchen/humidity"},
		{"sensors/+", "sensors/kitchen/temperature"},
		{"#", "$SYS/broker/uptime"}, /* '#' does not match $-topics */
	};
	size_t i;

	printf("topic matching:\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool result = false;
		int rc = mosquitto_topic_matches_sub(cases[i][0], cases[i][1], &result);

		printf("  %-24s vs %-30s -> %s (rc %d)\n", cases[i][0], cases[i][1],
				result ? "match" : "no match", rc);
	}
}

/* mosquitto_sub_topic_check validates a subscription: wildcards must fill a
 * whole level and '#' must come last. */
static void show_subscription_check(void)
{
	static const char *const subs[] = {"a/+/c", "a/#", "a/b#", "a/#/c", "+"};
	size_t i;

	printf("subscription check:\n");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		int rc = mosquitto_sub_topic_check(subs[i]);

		printf("  %-8s -> %s\n", subs[i], rc == MOSQ_ERR_SUCCESS ? "valid" : mosquitto_strerror(rc));
	}
}

/* mosquitto_strerror turns an error code into a readable message. */
static void show_error_strings(void)
{
	static const int codes[] = {MOSQ_ERR_SUCCESS, MOSQ_ERR_NOMEM, MOSQ_ERR_INVAL,
		MOSQ_ERR_NO_CONN, MOSQ_ERR_MALFORMED_UTF8};
	size_t i;

	printf("error strings:\n");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		printf("  %3d: %s\n", codes[i], mosquitto_strerror(codes[i]));
	}
}

/* Builds an MQTT v5 property list, reads the values back, then frees it.
 * Strings read from a list are copies the caller must free(). */
static int show_properties(void)
{
	mosquitto_property *props = NULL;
	char *content_type = NULL;
	char *name = NULL, *value = NULL;
	uint32_t expiry = 0;
	int rc;

	rc = mosquitto_property_add_string(&props, MQTT_PROP_CONTENT_TYPE, "application/json");
	if (rc == MOSQ_ERR_SUCCESS) {
		rc = mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, 3600);
	}
	if (rc == MOSQ_ERR_SUCCESS) {
		rc = mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, "client", "utility_demo");
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		printf("building the property list failed: %s\n", mosquitto_strerror(rc));
		mosquitto_property_free_all(&props);
		return 1;
	}

	printf("property list (%s):\n", mosquitto_property_check_all(CMD_PUBLISH, props) == MOSQ_ERR_SUCCESS
			? "valid for PUBLISH" : "NOT valid for PUBLISH");
	if (mosquitto_property_read_string(props, MQTT_PROP_CONTENT_TYPE, &content_type, false)) {
		printf("  content-type: %s\n", content_type);
		free(content_type);
	}
	if (mosquitto_property_read_int32(props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, &expiry, false)) {
		printf("  message-expiry-interval: %u\n", (unsigned)expiry);
	}
	if (mosquitto_property_read_string_pair(props, MQTT_PROP_USER_PROPERTY, &name, &value, false)) {
		printf("  user-property: %s=%s\n", name, value);
		free(name);
		free(value);
	}

	mosquitto_property_free_all(&props);
	printf("  freed; list pointer is now %s\n", props == NULL ? "NULL" : "not NULL");
	return 0;
}

int main(void)
{
	print_loaded_library();
	show_version();
	show_topic_matching();
	show_subscription_check();
	show_error_strings();
	return show_properties();
}
