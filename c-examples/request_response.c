/*
 * request_response.c - MQTT v5 request/response: a responder and a
 * requester in one program.
 *
 *   usage: request_response HOST PORT [REQUEST]
 *
 * The requester subscribes to its own reply topic, then publishes the
 * request with two MQTT v5 properties:
 *   - Response Topic: where the answer should go,
 *   - Correlation Data: opaque bytes the responder copies into the answer,
 *     so the requester can tell which request an answer belongs to.
 * The responder, subscribed to the request topic, reads both properties
 * and publishes its answer to the response topic with the same
 * correlation data.
 *
 * Both clients run on the main thread: mosquitto_loop() is called for each
 * of them in turn, which is enough for a program that juggles a few
 * connections (see epoll_clients.c for many).
 *
 * Exit status: 0 when the matching answer arrived, 1 on error, 2 on
 * timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

#define REQUEST_TOPIC "examples/rr/request"
#define RESPONSE_TOPIC "examples/rr/response/requester-1"
#define CORRELATION "request-42"

/* One client's progress, shared with its callbacks through the userdata
 * pointer given to mosquitto_new(). */
struct client {
	const char *name;
	const char *subscription;
	int subscribed; /* SUBACK received */
	int answered;   /* requester: the answer arrived */
	int failed;
	const char *request; /* requester: what to ask */
};

/* SIGALRM handler: only async-signal-safe calls here (write, _exit). */
static void on_timeout(int sig)
{
	static const char text[] = "error: timed out\n";

	(void)sig;
	if (write(STDERR_FILENO, text, sizeof(text) - 1) < 0) {
		/* nothing more we can do */
	}
	_exit(2);
}

/* Shared by both clients: subscribe once the broker accepted us. With
 * MQTT v5 the callback receives a reason code (0 = success). */
static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags,
		       const mosquitto_property *props)
{
	struct client *c = obj;
	int err;

	(void)flags;
	(void)props;
	if (rc != 0) {
		fprintf(stderr, "error: %s: connection refused: %s\n", c->name,
			mosquitto_reason_string(rc));
		c->failed = 1;
		return;
	}
	err = mosquitto_subscribe_v5(mosq, NULL, c->subscription, 1, 0, NULL);
	if (err != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: %s: subscribe: %s\n", c->name, mosquitto_strerror(err));
		c->failed = 1;
	}
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
			 const int *granted_qos, const mosquitto_property *props)
{
	struct client *c = obj;

	(void)mosq;
	(void)mid;
	(void)props;
	if (qos_count != 1 || granted_qos[0] > 2) {
		fprintf(stderr, "error: %s: subscription refused\n", c->name);
		c->failed = 1;
		return;
	}
	printf("%s: subscribed to %s\n", c->name, c->subscription);
	c->subscribed = 1;
}

/* Responder: answer every request that says where to answer. */
static void responder_on_message(struct mosquitto *mosq, void *obj,
				 const struct mosquitto_message *msg,
				 const mosquitto_property *props)
{
	struct client *c = obj;
	char *response_topic = NULL;
	void *correlation = NULL;
	uint16_t correlation_len = 0;
	mosquitto_property *reply_props = NULL;
	char answer[256];
	int err;

	/* The read functions return NULL when the property is absent; on
	 * success they hand us malloc'ed copies that we must free(). */
	if (mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &response_topic,
					   false) == NULL) {
		printf("%s: request without a response topic, ignored\n", c->name);
		return;
	}
	mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &correlation,
				       &correlation_len, false);
	printf("%s: request \"%.*s\" on %s, answer to %s\n", c->name, msg->payloadlen,
	       (const char *)msg->payload, msg->topic, response_topic);

	snprintf(answer, sizeof(answer), "answer to \"%.*s\"", msg->payloadlen,
		 (const char *)msg->payload);

	/* Echo the correlation data, if the requester sent any. */
	if (correlation != NULL) {
		err = mosquitto_property_add_binary(&reply_props, MQTT_PROP_CORRELATION_DATA,
						    correlation, correlation_len);
		if (err != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: %s: add property: %s\n", c->name,
				mosquitto_strerror(err));
			c->failed = 1;
		}
	}
	err = mosquitto_publish_v5(mosq, NULL, response_topic, (int)strlen(answer), answer, 1,
				   false, reply_props);
	if (err != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: %s: publish: %s\n", c->name, mosquitto_strerror(err));
		c->failed = 1;
	}

	mosquitto_property_free_all(&reply_props);
	free(correlation);
	free(response_topic);
}

/* Requester: check that the answer carries our correlation data. */
static void requester_on_message(struct mosquitto *mosq, void *obj,
				 const struct mosquitto_message *msg,
				 const mosquitto_property *props)
{
	struct client *c = obj;
	void *correlation = NULL;
	uint16_t correlation_len = 0;

	(void)mosq;
	mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &correlation,
				       &correlation_len, false);
	if (correlation == NULL || correlation_len != strlen(CORRELATION)
	    || memcmp(correlation, CORRELATION, correlation_len) != 0) {
		fprintf(stderr, "error: %s: answer without our correlation data\n", c->name);
		c->failed = 1;
	} else {
		printf("%s: answer \"%.*s\" (correlation data \"%.*s\")\n", c->name,
		       msg->payloadlen, (const char *)msg->payload, (int)correlation_len,
		       (const char *)correlation);
		c->answered = 1;
	}
	free(correlation);
}

/* Publishes the request with its Response Topic and Correlation Data. */
static int send_request(struct mosquitto *mosq, struct client *c)
{
	mosquitto_property *props = NULL;
	int err;

	err = mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, RESPONSE_TOPIC);
	if (err == MOSQ_ERR_SUCCESS) {
		err = mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, CORRELATION,
						    (uint16_t)strlen(CORRELATION));
	}
	if (err == MOSQ_ERR_SUCCESS) {
		err = mosquitto_publish_v5(mosq, NULL, REQUEST_TOPIC, (int)strlen(c->request),
					   c->request, 1, false, props);
	}
	/* publish_v5 copied what it needed: the list is ours to free. */
	mosquitto_property_free_all(&props);
	if (err != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: %s: request: %s\n", c->name, mosquitto_strerror(err));
		return 1;
	}
	printf("%s: sent \"%s\" to %s\n", c->name, c->request, REQUEST_TOPIC);
	return 0;
}

/* Creates a v5 client and starts connecting it. */
static struct mosquitto *start_client(struct client *c, const char *host, int port,
				      void (*on_message)(struct mosquitto *, void *,
							 const struct mosquitto_message *,
							 const mosquitto_property *))
{
	struct mosquitto *mosq = mosquitto_new(c->name, true, c);
	int err;

	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return NULL;
	}
	/* Properties only exist in MQTT v5: select it before connecting. */
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_connect_v5_callback_set(mosq, on_connect);
	mosquitto_subscribe_v5_callback_set(mosq, on_subscribe);
	mosquitto_message_v5_callback_set(mosq, on_message);
	err = mosquitto_connect(mosq, host, port, 60);
	if (err != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: %s: connect to %s:%d: %s\n", c->name, host, port,
			mosquitto_strerror(err));
		mosquitto_destroy(mosq);
		return NULL;
	}
	return mosq;
}

/* Runs one pass of the network loop of every client given (NULL = none). */
static int loop_once(struct mosquitto *a, struct mosquitto *b)
{
	struct mosquitto *clients[2] = {a, b};
	int i, err;

	for (i = 0; i < 2; i++) {
		if (clients[i] == NULL) {
			continue;
		}
		err = mosquitto_loop(clients[i], 20, 1);
		if (err != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "error: network loop: %s\n", mosquitto_strerror(err));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct client responder = {"responder", REQUEST_TOPIC, 0, 0, 0, NULL};
	struct client requester = {"requester", RESPONSE_TOPIC, 0, 0, 0, "what time is it?"};
	struct mosquitto *rsp = NULL, *req = NULL;
	int port, status = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s HOST PORT [REQUEST]\n", argv[0]);
		return 1;
	}
	port = atoi(argv[2]);
	if (argc == 4) {
		requester.request = argv[3];
	}

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();

	/* 1. The responder must listen before anyone asks. */
	rsp = start_client(&responder, argv[1], port, responder_on_message);
	if (rsp == NULL) {
		goto out;
	}
	while (!responder.subscribed && !responder.failed) {
		if (loop_once(rsp, NULL) != 0) {
			goto out;
		}
	}

	/* 2. The requester subscribes to its reply topic, then asks. */
	req = start_client(&requester, argv[1], port, requester_on_message);
	if (req == NULL) {
		goto out;
	}
	while (!requester.subscribed && !requester.failed && !responder.failed) {
		if (loop_once(rsp, req) != 0) {
			goto out;
		}
	}
	if (requester.failed || responder.failed || send_request(req, &requester) != 0) {
		goto out;
	}

	/* 3. Drive both until the answer is back. */
	while (!requester.answered && !requester.failed && !responder.failed) {
		if (loop_once(rsp, req) != 0) {
			goto out;
		}
	}
	if (requester.answered && !responder.failed) {
		status = 0;
	}

out:
	/* Outside a callback, with no loop thread, mosquitto_disconnect() sends
	 * DISCONNECT at once. */
	if (req != NULL) {
		mosquitto_disconnect(req);
		mosquitto_destroy(req);
	}
	if (rsp != NULL) {
		mosquitto_disconnect(rsp);
		mosquitto_destroy(rsp);
	}
	mosquitto_lib_cleanup();
	return status;
}
