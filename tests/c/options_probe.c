/* Prints the return code of every option and setter call over edge-case
 * inputs, on clients that never connect. Run against Debian's libmosquitto
 * and ours: the outputs must be identical (tests/options.rs).
 *
 * With the argument "ours-only", it also prints the calls where our library
 * deliberately differs (TLS options before TLS exists, and the 2.1 option
 * numbers the 2.0 reference does not know); those lines are compared with
 * expected values instead. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#define SHOW(expr) printf("%-70s = %d\n", #expr, (int)(expr))

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void int_options(struct mosquitto *m)
{
	static const int opts[] = {0, 1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 18, 99, -1};
	static const int vals[] = {INT_MIN, -1, 0, 1, 2, 3, 4, 5, 6, 65535, 65536};
	for(size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++){
		for(size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++){
			printf("int_option(%d, %d) = %d\n", opts[i], vals[j],
					mosquitto_int_option(m, opts[i], vals[j]));
		}
	}
	/* Leave the client at MQTT 3.1.1 for what follows. */
	SHOW(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311));
}

static void opts_set(struct mosquitto *m)
{
	static const int opts[] = {0, 3, 4, 5, 6, 11, 12, 13, 99, -1};
	int v;
	SHOW(mosquitto_opts_set(NULL, MOSQ_OPT_PROTOCOL_VERSION, &v));
	SHOW(mosquitto_opts_set(m, MOSQ_OPT_PROTOCOL_VERSION, NULL));
	for(v = 2; v <= 6; v++){
		printf("opts_set(PROTOCOL_VERSION, &%d) = %d\n", v,
				mosquitto_opts_set(m, MOSQ_OPT_PROTOCOL_VERSION, &v));
	}
	v = 1;
	for(size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++){
		printf("opts_set(%d, &1) = %d\n", opts[i], mosquitto_opts_set(m, opts[i], &v));
		printf("opts_set(%d, NULL) = %d\n", opts[i], mosquitto_opts_set(m, opts[i], NULL));
	}
	v = MQTT_PROTOCOL_V311;
	SHOW(mosquitto_opts_set(m, MOSQ_OPT_PROTOCOL_VERSION, &v));
}

static void string_options(struct mosquitto *m)
{
	static const int opts[] = {0, 1, 2, 3, 4, 5, 9, 11, 13, 18, 99, -1};
	SHOW(mosquitto_string_option(NULL, MOSQ_OPT_BIND_ADDRESS, "127.0.0.1"));
	/* NULL first: a NULL after a value double-frees in the original. */
	SHOW(mosquitto_string_option(m, MOSQ_OPT_BIND_ADDRESS, NULL));
	SHOW(mosquitto_string_option(m, MOSQ_OPT_BIND_ADDRESS, ""));
	SHOW(mosquitto_string_option(m, MOSQ_OPT_BIND_ADDRESS, "127.0.0.1"));
	for(size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++){
		printf("string_option(%d, \"x\") = %d\n", opts[i],
				mosquitto_string_option(m, opts[i], "x"));
		printf("string_option(%d, NULL) = %d\n", opts[i],
				mosquitto_string_option(m, opts[i], NULL));
	}
}

static void void_options(struct mosquitto *m)
{
	static const int opts[] = {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 18, 99, -1};
	int x = 0;
	SHOW(mosquitto_void_option(NULL, MOSQ_OPT_SSL_CTX, NULL));
	for(size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++){
		printf("void_option(%d, &x) = %d\n", opts[i], mosquitto_void_option(m, opts[i], &x));
		printf("void_option(%d, NULL) = %d\n", opts[i], mosquitto_void_option(m, opts[i], NULL));
	}
}

static void inflight(struct mosquitto *m)
{
	SHOW(mosquitto_max_inflight_messages_set(NULL, 1));
	SHOW(mosquitto_max_inflight_messages_set(m, 0));
	SHOW(mosquitto_max_inflight_messages_set(m, 1));
	SHOW(mosquitto_max_inflight_messages_set(m, 65535));
	SHOW(mosquitto_max_inflight_messages_set(m, 65536));
	SHOW(mosquitto_max_inflight_messages_set(m, 2147483648u));
	SHOW(mosquitto_max_inflight_messages_set(m, UINT_MAX));
	SHOW(mosquitto_max_inflight_messages_set(m, 20));
}

static void wills(struct mosquitto *m)
{
	char *long_topic = repeat('t', 65536);
	char *big = repeat('b', 70000);
	mosquitto_property *props = NULL;
	mosquitto_property *bad = NULL;
	mosquitto_property *dup = NULL;

	SHOW(mosquitto_will_set(NULL, "t", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, NULL, 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "t", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "t", 0, NULL, 0, false));
	SHOW(mosquitto_will_set(m, "t", 1, NULL, 0, false));
	SHOW(mosquitto_will_set(m, "t", -1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "t", 268435455, NULL, 0, false));
	SHOW(mosquitto_will_set(m, "t", 268435456, NULL, 0, false));
	SHOW(mosquitto_will_set(m, "t", 65535, big, 0, false));
	SHOW(mosquitto_will_set(m, "t", 70000, big, 0, false));
	SHOW(mosquitto_will_set(m, "t", 1, "p", 1, true));
	SHOW(mosquitto_will_set(m, "t", 1, "p", 2, true));
	SHOW(mosquitto_will_set(m, "t", 1, "p", 3, false));
	SHOW(mosquitto_will_set(m, "t", 1, "p", -1, false));
	SHOW(mosquitto_will_set(m, "a/+/b", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "a/#", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "a+", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "$SYS/x", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "\xff", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, "a\xc3", 1, "p", 0, false));
	SHOW(mosquitto_will_set(m, long_topic, 1, "p", 0, false));
	SHOW(mosquitto_will_clear(NULL));
	SHOW(mosquitto_will_clear(m));
	SHOW(mosquitto_will_clear(m));

	mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, 10);
	mosquitto_property_add_int16(&bad, MQTT_PROP_TOPIC_ALIAS, 1);
	mosquitto_property_add_byte(&dup, MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, 1);
	mosquitto_property_add_byte(&dup, MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, 1);
	/* MQTT 3.1.1: any property is refused; the list stays the caller's. */
	SHOW(mosquitto_will_set_v5(NULL, "t", 1, "p", 0, false, props));
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, NULL));
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, props));
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, bad));
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, dup));
	SHOW(mosquitto_will_set_v5(m, NULL, 1, "p", 0, false, props));
	SHOW(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5));
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, bad));
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, dup));
	SHOW(mosquitto_will_set_v5(m, "a/#", 1, "p", 0, false, props));
	SHOW(mosquitto_will_set_v5(m, "t", -1, "p", 0, false, props));
	/* Success: the client owns the list now. */
	SHOW(mosquitto_will_set_v5(m, "t", 1, "p", 0, false, props));
	SHOW(mosquitto_will_clear(m));
	SHOW(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311));
	mosquitto_property_free_all(&bad);
	mosquitto_property_free_all(&dup);
	free(long_topic);
	free(big);
}

static void credentials(struct mosquitto *m)
{
	char *long_name = repeat('u', 65536);
	char *max_name = repeat('u', 65535);
	char *long_pw = repeat('p', 70000);

	SHOW(mosquitto_username_pw_set(NULL, "u", "p"));
	SHOW(mosquitto_username_pw_set(m, NULL, NULL));
	SHOW(mosquitto_username_pw_set(m, "u", NULL));
	SHOW(mosquitto_username_pw_set(m, "u", "p"));
	SHOW(mosquitto_username_pw_set(m, "", ""));
	SHOW(mosquitto_username_pw_set(m, NULL, "p"));
	SHOW(mosquitto_username_pw_set(m, "\xff", "p"));
	SHOW(mosquitto_username_pw_set(m, "a\xc0\x80", NULL));
	SHOW(mosquitto_username_pw_set(m, long_name, NULL));
	SHOW(mosquitto_username_pw_set(m, max_name, NULL));
	SHOW(mosquitto_username_pw_set(m, "u", long_pw));
	SHOW(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V31));
	SHOW(mosquitto_username_pw_set(m, NULL, "p"));
	SHOW(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5));
	SHOW(mosquitto_username_pw_set(m, NULL, "p"));
	SHOW(mosquitto_username_pw_set(m, NULL, NULL));
	SHOW(mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311));
	free(long_name);
	free(max_name);
	free(long_pw);
}

static void proxy(struct mosquitto *m)
{
	char *host256 = repeat('h', 256);
	char *host257 = repeat('h', 257);
	char *s255 = repeat('s', 255);
	char *s256 = repeat('s', 256);

	SHOW(mosquitto_socks5_set(NULL, "h", 1080, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, NULL, 1080, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "", 1080, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 1080, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 0, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", -1, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 1, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 65535, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 65536, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, host256, 1080, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, host257, 1080, NULL, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 1080, "u", NULL));
	SHOW(mosquitto_socks5_set(m, "h", 1080, "u", "p"));
	SHOW(mosquitto_socks5_set(m, "h", 1080, NULL, "p"));
	SHOW(mosquitto_socks5_set(m, "h", 1080, s255, s255));
	SHOW(mosquitto_socks5_set(m, "h", 1080, s256, NULL));
	SHOW(mosquitto_socks5_set(m, "h", 1080, "u", s256));
	SHOW(mosquitto_socks5_set(m, "h", 1080, "", ""));
	free(host256);
	free(host257);
	free(s255);
	free(s256);
}

static void misc(struct mosquitto *m)
{
	int x;
	SHOW(mosquitto_reconnect_delay_set(NULL, 1, 10, false));
	SHOW(mosquitto_reconnect_delay_set(m, 0, 0, false));
	SHOW(mosquitto_reconnect_delay_set(m, 1, 0, false));
	SHOW(mosquitto_reconnect_delay_set(m, 10, 1, true));
	SHOW(mosquitto_reconnect_delay_set(m, 1, 10, true));
	SHOW(mosquitto_reconnect_delay_set(m, UINT_MAX, UINT_MAX, true));
	SHOW(mosquitto_threaded_set(NULL, true));
	SHOW(mosquitto_threaded_set(m, true));
	SHOW(mosquitto_threaded_set(m, false));
	mosquitto_message_retry_set(NULL, 5);
	mosquitto_message_retry_set(m, 5);
	mosquitto_user_data_set(NULL, &x);
	SHOW(mosquitto_userdata(m) == NULL);
	SHOW(mosquitto_userdata(m) == (void *)m);
	mosquitto_user_data_set(m, &x);
	SHOW(mosquitto_userdata(m) == (void *)&x);
	mosquitto_user_data_set(m, NULL);
	SHOW(mosquitto_userdata(m) == NULL);
}

/* Where our library differs on purpose: compared with expected values. */
static void ours_only(struct mosquitto *m)
{
	static const int tls_int[] = {3, 9, 13};
	static const int tls_str[] = {6, 7, 8, 10};
	static const int v21[] = {14, 15, 16, 17};
	static const int vals[] = {-1, 0, 1, 2, 3};
	for(size_t i = 0; i < 3; i++){
		for(size_t j = 0; j < 5; j++){
			printf("int_option(%d, %d) = %d\n", tls_int[i], vals[j],
					mosquitto_int_option(m, tls_int[i], vals[j]));
		}
	}
	for(size_t i = 0; i < 4; i++){
		printf("string_option(%d, \"pem\") = %d\n", tls_str[i],
				mosquitto_string_option(m, tls_str[i], "pem"));
	}
	/* (A non-NULL pointer would be taken for an SSL_CTX by the reference.) */
	printf("void_option(2, NULL) = %d\n", mosquitto_void_option(m, 2, NULL));
	printf("opts_set(2, NULL) = %d\n", mosquitto_opts_set(m, 2, NULL));
	for(size_t i = 0; i < 4; i++){
		for(size_t j = 0; j < 5; j++){
			printf("int_option(%d, %d) = %d\n", v21[i], vals[j],
					mosquitto_int_option(m, v21[i], vals[j]));
		}
		printf("string_option(%d, \"/mqtt\") = %d\n", v21[i],
				mosquitto_string_option(m, v21[i], "/mqtt"));
		printf("void_option(%d, NULL) = %d\n", v21[i], mosquitto_void_option(m, v21[i], NULL));
	}
	/* The socket pair is back after the loop above (value 0 last but 3). */
	printf("int_option(14, 0) = %d\n", mosquitto_int_option(m, 14, 0));
	/* The TLS functions (MOSQ_ERR_NOT_SUPPORTED in a build without TLS). */
	printf("tls_set(\"/dev/null\") = %d\n",
			mosquitto_tls_set(m, "/dev/null", NULL, NULL, NULL, NULL));
	printf("tls_insecure_set(true) = %d\n", mosquitto_tls_insecure_set(m, true));
	printf("tls_opts_set(1, \"tlsv1.2\", NULL) = %d\n",
			mosquitto_tls_opts_set(m, 1, "tlsv1.2", NULL));
	printf("tls_psk_set(\"abcd\", \"id\", NULL) = %d\n",
			mosquitto_tls_psk_set(m, "abcd", "id", NULL));
	printf("ssl_get(m) == NULL = %d\n", mosquitto_ssl_get(m) == NULL);
}

int main(int argc, char *argv[])
{
	struct mosquitto *m;

	mosquitto_lib_init();
	m = mosquitto_new("probe", true, NULL);
	if(!m){
		fprintf(stderr, "mosquitto_new failed\n");
		return 1;
	}
	SHOW(mosquitto_int_option(NULL, MOSQ_OPT_PROTOCOL_VERSION, 4));
	SHOW(mosquitto_string_option(NULL, 99, "x"));
	int_options(m);
	opts_set(m);
	string_options(m);
	void_options(m);
	inflight(m);
	wills(m);
	credentials(m);
	proxy(m);
	misc(m);
	if(argc > 1 && !strcmp(argv[1], "ours-only")){
		ours_only(m);
	}
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	printf("done\n");
	return 0;
}
