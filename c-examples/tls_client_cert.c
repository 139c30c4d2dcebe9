/*
 * tls_client_cert.c - an MQTT connection over TLS, authenticated with a
 * client certificate (mutual TLS), then a publish/subscribe round trip.
 *
 *   usage: tls_client_cert HOST PORT CAFILE CERTFILE KEYFILE
 *
 *   CAFILE    PEM file with the CA certificate(s) that signed the broker's
 *             certificate: the broker is verified against it, and its
 *             certificate must name HOST.
 *   CERTFILE  PEM file with this client's certificate.
 *   KEYFILE   PEM file with this client's private key (unencrypted here;
 *             for an encrypted key pass a password callback as the last
 *             argument of mosquitto_tls_set).
 *
 * A broker asking for client certificates has a listener such as:
 *
 *   listener 8883
 *   cafile   /etc/mosquitto/ca.crt
 *   certfile /etc/mosquitto/server.crt
 *   keyfile  /etc/mosquitto/server.key
 *   require_certificate true
 *
 * The client subscribes to examples/tls/<pid>, publishes one QoS 1 message
 * there and waits for it to come back.
 *
 * Exit status: 0 when the message came back, 1 on error (for instance
 * "This feature is not supported." from a library built without TLS), 2 on
 * timeout.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

/* The program gives up after this many seconds, whatever happens. */
#define TIMEOUT_SECONDS 10

#define PAYLOAD "hello over TLS"

struct state {
	char topic[64];
	int echoed;
	int failed;
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

/* By the time CONNACK arrives the TLS handshake - including the broker's
 * check of our certificate - has succeeded. */
static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct state *st = obj;

	if (rc != 0) {
		fprintf(stderr, "error: connection refused: %s\n", mosquitto_connack_string(rc));
		st->failed = 1;
		mosquitto_disconnect(mosq);
		return;
	}
	printf("connected over TLS with a client certificate\n");
	if (mosquitto_subscribe(mosq, NULL, st->topic, 1) != MOSQ_ERR_SUCCESS) {
		st->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

/* Subscribed: publish the message we expect to get back. */
static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int qos_count,
			 const int *granted_qos)
{
	struct state *st = obj;

	(void)mid;
	if (qos_count != 1 || granted_qos[0] > 2
	    || mosquitto_publish(mosq, NULL, st->topic, (int)strlen(PAYLOAD), PAYLOAD, 1, false)
		       != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: subscribe or publish failed\n");
		st->failed = 1;
		mosquitto_disconnect(mosq);
	}
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct state *st = obj;

	printf("received \"%.*s\" on %s\n", msg->payloadlen, (const char *)msg->payload,
	       msg->topic);
	st->echoed = msg->payloadlen == (int)strlen(PAYLOAD)
		     && memcmp(msg->payload, PAYLOAD, strlen(PAYLOAD)) == 0;
	mosquitto_disconnect(mosq);
}

int main(int argc, char *argv[])
{
	struct mosquitto *mosq;
	struct state st;
	int port, rc;

	if (argc != 6) {
		fprintf(stderr, "usage: %s HOST PORT CAFILE CERTFILE KEYFILE\n", argv[0]);
		return 1;
	}
	memset(&st, 0, sizeof(st));
	port = atoi(argv[2]);
	snprintf(st.topic, sizeof(st.topic), "examples/tls/%d", (int)getpid());

	signal(SIGALRM, on_timeout);
	alarm(TIMEOUT_SECONDS);
	mosquitto_lib_init();

	mosq = mosquitto_new(NULL, true, &st);
	if (mosq == NULL) {
		perror("error: mosquitto_new");
		return 1;
	}
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_message_callback_set(mosq, on_message);

	/* TLS must be configured before connecting. capath (2nd argument) is
	 * an alternative to cafile: a folder of hashed CA certificates. No
	 * password callback: the key is not encrypted. */
	rc = mosquitto_tls_set(mosq, argv[3], NULL, argv[4], argv[5], NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: mosquitto_tls_set: %s\n", mosquitto_strerror(rc));
		goto fail;
	}
	printf("TLS configured (CA %s, certificate %s)\n", argv[3], argv[4]);

	/* The TLS handshake happens inside mosquitto_connect. */
	rc = mosquitto_connect(mosq, argv[1], port, 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "error: connect to %s:%d: %s\n", argv[1], port, mosquitto_strerror(rc));
		goto fail;
	}
	rc = mosquitto_loop_forever(mosq, -1, 1);
	if (rc != MOSQ_ERR_SUCCESS && !st.failed) {
		fprintf(stderr, "error: network loop: %s\n", mosquitto_strerror(rc));
		goto fail;
	}
	if (!st.echoed || st.failed) {
		if (!st.failed) {
			fprintf(stderr, "error: the message did not come back intact\n");
		}
		goto fail;
	}
	printf("round trip over TLS complete, disconnected\n");
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return 0;

fail:
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return 1;
}
