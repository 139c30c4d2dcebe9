/*
 * The one-shot helpers mosquitto_subscribe_simple and
 * mosquitto_subscribe_callback against a broker holding two retained
 * messages. Usage: helpers_simple HOST PORT TOPIC_PREFIX
 * Prints deterministic lines; the same output is expected from every
 * libmosquitto.
 */
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int seen;

static int on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
	(void)mosq;
	printf("callback %s: %.*s qos=%d retain=%d obj=%s\n", m->topic, m->payloadlen,
	       (const char *)m->payload, m->qos, m->retain, (const char *)obj);
	return ++seen == 2; /* stop after two messages */
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: helpers_simple HOST PORT PREFIX\n");
		return 2;
	}
	alarm(20);
	const char *host = argv[1];
	int port = atoi(argv[2]);
	char filter[256];
	snprintf(filter, sizeof filter, "%s/#", argv[3]);
	mosquitto_lib_init();

	struct mosquitto_message *msgs = NULL;
	int rc = mosquitto_subscribe_simple(&msgs, 2, true, filter, 1, host, port, "simple-1", 60,
	                                    true, NULL, NULL, NULL, NULL);
	printf("subscribe_simple rc=%d\n", rc);
	if (rc == MOSQ_ERR_SUCCESS) {
		/* Retained messages arrive in no fixed order: print them sorted. */
		int first = strcmp(msgs[0].topic, msgs[1].topic) > 0;
		for (int i = 0; i < 2; i++) {
			struct mosquitto_message *m = &msgs[first ^ i];
			printf("simple %s: %.*s qos=%d retain=%d\n", m->topic, m->payloadlen,
			       (const char *)m->payload, m->qos, m->retain);
			mosquitto_message_free_contents(m);
		}
		free(msgs);
	}
	/* Without retained messages wanted, nothing arrives in time: the
	 * argument checks are what this shows. */
	printf("simple msg_count=0 rc=%d\n", mosquitto_subscribe_simple(&msgs, 0, true, filter, 1,
	       host, port, "simple-2", 60, true, NULL, NULL, NULL, NULL));
	printf("simple topic=NULL rc=%d\n", mosquitto_subscribe_simple(&msgs, 1, true, NULL, 1,
	       host, port, "simple-3", 60, true, NULL, NULL, NULL, NULL));

	rc = mosquitto_subscribe_callback(on_message, "ctx", filter, 1, host, port, "simple-4", 60,
	                                  true, NULL, NULL, NULL, NULL);
	printf("subscribe_callback rc=%d seen=%d\n", rc, seen);
	printf("callback NULL rc=%d\n", mosquitto_subscribe_callback(NULL, NULL, filter, 1, host, port,
	       "simple-5", 60, true, NULL, NULL, NULL, NULL));
	mosquitto_lib_cleanup();
	return 0;
}
