/*
 * A persistent-session subscriber for tests/delivery_faults.rs, run on
 * either library behind the fault-injecting proxy.
 *
 * Usage: fault_subscriber HOST PORT CLIENT_ID TOPIC QOS COUNT
 *
 * Connects with clean session false, subscribes to TOPIC at QOS from
 * on_connect (every connect), and runs mosquitto_loop itself, calling
 * mosquitto_reconnect right after every error. Prints "subscribed" on each
 * SUBACK and "m MID PAYLOAD" for every message. Once payloads 0..COUNT-1
 * have all arrived it keeps looping 300 ms more (to catch duplicates), or,
 * when some are still missing, until no message came for 3 s; then it
 * disconnects, prints "done" and exits 0. An alarm ends it after a hard
 * timeout.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define HARD_TIMEOUT_S 80

static const char *topic;
static int qos;
static long count;
static long distinct;
static unsigned char *seen;
static double last_message;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	(void)obj;
	if(rc == 0){
		mosquitto_subscribe(m, NULL, topic, qos);
	}
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	(void)m; (void)obj; (void)mid; (void)n; (void)granted;
	printf("subscribed\n");
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	char buf[32];
	long i;
	(void)m; (void)obj;
	if(msg->payloadlen <= 0 || msg->payloadlen >= (int)sizeof(buf)){
		printf("bad payload length %d\n", msg->payloadlen);
		return;
	}
	memcpy(buf, msg->payload, (size_t)msg->payloadlen);
	buf[msg->payloadlen] = '\0';
	i = strtol(buf, NULL, 10);
	printf("m %d %s\n", msg->mid, buf);
	last_message = now_s();
	if(i >= 0 && i < count && !seen[i]){
		seen[i] = 1;
		distinct++;
	}
}

int main(int argc, char *argv[])
{
	struct mosquitto *m;
	double complete_at = 0;

	if(argc != 7){
		fprintf(stderr, "usage: %s HOST PORT CLIENT_ID TOPIC QOS COUNT\n", argv[0]);
		return 1;
	}
	alarm(HARD_TIMEOUT_S);
	setvbuf(stdout, NULL, _IOLBF, 0);
	topic = argv[4];
	qos = atoi(argv[5]);
	count = atol(argv[6]);
	seen = calloc((size_t)count, 1);
	if(!seen) return 1;

	mosquitto_lib_init();
	m = mosquitto_new(argv[3], false, NULL);
	if(!m) return 1;
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_subscribe_callback_set(m, on_subscribe);
	mosquitto_message_callback_set(m, on_message);
	if(mosquitto_connect(m, argv[1], atoi(argv[2]), 60) != MOSQ_ERR_SUCCESS){
		fprintf(stderr, "connect failed\n");
		return 1;
	}
	for(;;){
		if(mosquitto_loop(m, 10, 1) != MOSQ_ERR_SUCCESS){
			usleep(1000);
			mosquitto_reconnect(m);
		}
		if(distinct > 0 && distinct < count && now_s() - last_message > 3.0){
			break;
		}
		if(distinct == count){
			if(complete_at == 0){
				complete_at = now_s();
			}else if(now_s() - complete_at > 0.3){
				break;
			}
		}
	}
	mosquitto_disconnect(m);
	mosquitto_loop(m, 10, 1);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	free(seen);
	printf("done\n");
	return 0;
}
