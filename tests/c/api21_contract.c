/*
 * Contract test of the functions libmosquitto 2.1 adds to the utility API:
 *   mosquitto_property_remove, mosquitto_property_type,
 *   mosquitto_property_{byte,int16,int32,varint}_value,
 *   mosquitto_property_binary_value(_length),
 *   mosquitto_property_string_value(_length),
 *   mosquitto_property_string_name(_length),
 *   mosquitto_topic_matches_sub_with_pattern,
 *   mosquitto_sub_matches_acl, mosquitto_sub_matches_acl_with_pattern.
 *
 * Debian's 2.0.11 has no counterpart, so instead of a differential run this
 * program checks the behaviour documented in upstream's 2.1 headers
 * (include/mosquitto/libcommon_properties.h, libcommon_topic.h): tables of
 * inputs with the expected return code and result. Every failed check is
 * printed as "FAIL ..."; the program exits 1 if any check failed, and prints
 * "checks=N failures=0" on success.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

/*
 * 2.1 prototypes. TODO(lead): once include/mosquitto.h (our generated
 * header) is merged, compile against it and delete this block.
 */
#ifndef MOSQ_API21_DECLARED
int mosquitto_property_remove(mosquitto_property **proplist, const mosquitto_property *property);
int mosquitto_property_type(const mosquitto_property *property);
uint8_t mosquitto_property_byte_value(const mosquitto_property *property);
uint16_t mosquitto_property_int16_value(const mosquitto_property *property);
uint32_t mosquitto_property_int32_value(const mosquitto_property *property);
uint32_t mosquitto_property_varint_value(const mosquitto_property *property);
const void *mosquitto_property_binary_value(const mosquitto_property *property);
uint16_t mosquitto_property_binary_value_length(const mosquitto_property *property);
const char *mosquitto_property_string_value(const mosquitto_property *property);
uint16_t mosquitto_property_string_value_length(const mosquitto_property *property);
const char *mosquitto_property_string_name(const mosquitto_property *property);
uint16_t mosquitto_property_string_name_length(const mosquitto_property *property);
int mosquitto_topic_matches_sub_with_pattern(const char *sub, const char *topic,
		const char *clientid, const char *username, bool *result);
int mosquitto_sub_matches_acl(const char *acl, const char *sub, bool *result);
int mosquitto_sub_matches_acl_with_pattern(const char *acl, const char *sub,
		const char *clientid, const char *username, bool *result);
#endif

static int checks = 0;
static int failures = 0;

#define CHECK(cond, ...) do { \
		checks++; \
		if(!(cond)){ \
			failures++; \
			printf("FAIL line %d: %s: ", __LINE__, #cond); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while(0)

static const char *s_or_null(const char *s)
{
	return s ? s : "(NULL)";
}

/* ------------------------------------------------------------------------ */
/* Property accessors                                                        */
/* ------------------------------------------------------------------------ */

struct sample {
	int identifier;
	int type;
	mosquitto_property *list; /* a one-element list holding the property */
};

static void test_accessors(void)
{
	struct sample s[7] = {
		{MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, MQTT_PROP_TYPE_BYTE, NULL},
		{MQTT_PROP_RECEIVE_MAXIMUM, MQTT_PROP_TYPE_INT16, NULL},
		{MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, MQTT_PROP_TYPE_INT32, NULL},
		{MQTT_PROP_SUBSCRIPTION_IDENTIFIER, MQTT_PROP_TYPE_VARINT, NULL},
		{MQTT_PROP_CORRELATION_DATA, MQTT_PROP_TYPE_BINARY, NULL},
		{MQTT_PROP_CONTENT_TYPE, MQTT_PROP_TYPE_STRING, NULL},
		{MQTT_PROP_USER_PROPERTY, MQTT_PROP_TYPE_STRING_PAIR, NULL},
	};
	CHECK(mosquitto_property_add_byte(&s[0].list, s[0].identifier, 0xa7) == 0, "add byte");
	CHECK(mosquitto_property_add_int16(&s[1].list, s[1].identifier, 0xbeef) == 0, "add int16");
	CHECK(mosquitto_property_add_int32(&s[2].list, s[2].identifier, 0xdeadbeef) == 0, "add int32");
	CHECK(mosquitto_property_add_varint(&s[3].list, s[3].identifier, 268435455) == 0, "add varint");
	CHECK(mosquitto_property_add_binary(&s[4].list, s[4].identifier, "\x00\x01\xff", 3) == 0, "add binary");
	CHECK(mosquitto_property_add_string(&s[5].list, s[5].identifier, "application/json") == 0, "add string");
	CHECK(mosquitto_property_add_string_pair(&s[6].list, s[6].identifier, "client", "mosquitto") == 0,
			"add pair");

	for(int i = 0; i < 7; i++){
		const mosquitto_property *p = s[i].list;
		int t = s[i].type;
		CHECK(p != NULL, "sample %d exists", i);
		if(p == NULL) continue;
		CHECK(mosquitto_property_type(p) == t, "type of sample %d: %d, expected %d", i,
				mosquitto_property_type(p), t);
		CHECK(mosquitto_property_identifier(p) == s[i].identifier, "identifier of sample %d", i);

		/* Each accessor returns the value for its own type, 0/NULL otherwise. */
		uint8_t b = mosquitto_property_byte_value(p);
		CHECK(b == (t == MQTT_PROP_TYPE_BYTE ? 0xa7 : 0), "byte_value(sample %d) = %u", i, b);
		uint16_t i16 = mosquitto_property_int16_value(p);
		CHECK(i16 == (t == MQTT_PROP_TYPE_INT16 ? 0xbeef : 0), "int16_value(sample %d) = %u", i, i16);
		uint32_t i32 = mosquitto_property_int32_value(p);
		CHECK(i32 == (t == MQTT_PROP_TYPE_INT32 ? 0xdeadbeefu : 0), "int32_value(sample %d) = %u", i, i32);
		uint32_t v = mosquitto_property_varint_value(p);
		CHECK(v == (t == MQTT_PROP_TYPE_VARINT ? 268435455u : 0), "varint_value(sample %d) = %u", i, v);

		const void *bin = mosquitto_property_binary_value(p);
		uint16_t binlen = mosquitto_property_binary_value_length(p);
		if(t == MQTT_PROP_TYPE_BINARY){
			CHECK(binlen == 3, "binary length %u", binlen);
			CHECK(bin != NULL && memcmp(bin, "\x00\x01\xff", 3) == 0, "binary bytes");
			CHECK(mosquitto_property_binary_value(p) == bin, "binary value is stable (not a copy)");
		}else{
			CHECK(bin == NULL && binlen == 0, "binary_value(sample %d) on non-binary", i);
		}

		const char *sv = mosquitto_property_string_value(p);
		uint16_t svlen = mosquitto_property_string_value_length(p);
		if(t == MQTT_PROP_TYPE_STRING){
			CHECK(svlen == 16 && sv && memcmp(sv, "application/json", 16) == 0, "string value %s/%u",
					s_or_null(sv), svlen);
		}else if(t == MQTT_PROP_TYPE_STRING_PAIR){
			CHECK(svlen == 9 && sv && memcmp(sv, "mosquitto", 9) == 0, "pair value %s/%u",
					s_or_null(sv), svlen);
		}else{
			CHECK(sv == NULL && svlen == 0, "string_value(sample %d) on non-string", i);
		}
		if(sv){
			CHECK(sv[svlen] == '\0', "string value of sample %d is NUL-terminated", i);
			CHECK(mosquitto_property_string_value(p) == sv, "string value is stable (not a copy)");
		}

		const char *sn = mosquitto_property_string_name(p);
		uint16_t snlen = mosquitto_property_string_name_length(p);
		if(t == MQTT_PROP_TYPE_STRING_PAIR){
			CHECK(snlen == 6 && sn && memcmp(sn, "client", 6) == 0 && sn[6] == '\0', "pair name %s/%u",
					s_or_null(sn), snlen);
		}else{
			CHECK(sn == NULL && snlen == 0, "string_name(sample %d) on non-pair", i);
		}
	}

	/* NULL property: every accessor reports the error value. */
	CHECK(mosquitto_property_type(NULL) == 0, "type(NULL)");
	CHECK(mosquitto_property_byte_value(NULL) == 0, "byte_value(NULL)");
	CHECK(mosquitto_property_int16_value(NULL) == 0, "int16_value(NULL)");
	CHECK(mosquitto_property_int32_value(NULL) == 0, "int32_value(NULL)");
	CHECK(mosquitto_property_varint_value(NULL) == 0, "varint_value(NULL)");
	CHECK(mosquitto_property_binary_value(NULL) == NULL, "binary_value(NULL)");
	CHECK(mosquitto_property_binary_value_length(NULL) == 0, "binary_value_length(NULL)");
	CHECK(mosquitto_property_string_value(NULL) == NULL, "string_value(NULL)");
	CHECK(mosquitto_property_string_value_length(NULL) == 0, "string_value_length(NULL)");
	CHECK(mosquitto_property_string_name(NULL) == NULL, "string_name(NULL)");
	CHECK(mosquitto_property_string_name_length(NULL) == 0, "string_name_length(NULL)");

	for(int i = 0; i < 7; i++){
		mosquitto_property_free_all(&s[i].list);
	}

	/* Every property identifier reports the type string_to_property_info
	 * gives for its name; accessors work on list elements past the head. */
	mosquitto_property *all = NULL;
	for(int id = 1; id <= 42; id++){
		const char *name = mosquitto_property_identifier_to_string(id);
		int pid, ptype;
		if(name == NULL || mosquitto_string_to_property_info(name, &pid, &ptype) != 0) continue;
		int rc = -1;
		switch(ptype){
			case MQTT_PROP_TYPE_BYTE: rc = mosquitto_property_add_byte(&all, id, (uint8_t)id); break;
			case MQTT_PROP_TYPE_INT16: rc = mosquitto_property_add_int16(&all, id, (uint16_t)(id * 100)); break;
			case MQTT_PROP_TYPE_INT32: rc = mosquitto_property_add_int32(&all, id, (uint32_t)id * 100000u); break;
			case MQTT_PROP_TYPE_VARINT: rc = mosquitto_property_add_varint(&all, id, (uint32_t)id * 1000u); break;
			case MQTT_PROP_TYPE_BINARY: rc = mosquitto_property_add_binary(&all, id, name, 4); break;
			case MQTT_PROP_TYPE_STRING: rc = mosquitto_property_add_string(&all, id, name); break;
			case MQTT_PROP_TYPE_STRING_PAIR: rc = mosquitto_property_add_string_pair(&all, id, name, "v"); break;
		}
		CHECK(rc == 0, "add id %d type %d", id, ptype);
	}
	int count = 0;
	for(const mosquitto_property *p = all; p; p = mosquitto_property_next(p)){
		int id = mosquitto_property_identifier(p);
		const char *name = mosquitto_property_identifier_to_string(id);
		int pid = -1, ptype = -1;
		mosquitto_string_to_property_info(name, &pid, &ptype);
		CHECK(mosquitto_property_type(p) == ptype, "type of id %d: %d, expected %d", id,
				mosquitto_property_type(p), ptype);
		switch(ptype){
			case MQTT_PROP_TYPE_BYTE:
				CHECK(mosquitto_property_byte_value(p) == (uint8_t)id, "byte of %d", id);
				break;
			case MQTT_PROP_TYPE_INT16:
				CHECK(mosquitto_property_int16_value(p) == (uint16_t)(id * 100), "int16 of %d", id);
				break;
			case MQTT_PROP_TYPE_INT32:
				CHECK(mosquitto_property_int32_value(p) == (uint32_t)id * 100000u, "int32 of %d", id);
				break;
			case MQTT_PROP_TYPE_VARINT:
				CHECK(mosquitto_property_varint_value(p) == (uint32_t)id * 1000u, "varint of %d", id);
				break;
			case MQTT_PROP_TYPE_BINARY:
				CHECK(mosquitto_property_binary_value_length(p) == 4
						&& memcmp(mosquitto_property_binary_value(p), name, 4) == 0, "binary of %d", id);
				break;
			case MQTT_PROP_TYPE_STRING:
				CHECK(mosquitto_property_string_value_length(p) == strlen(name)
						&& strcmp(mosquitto_property_string_value(p), name) == 0, "string of %d", id);
				break;
			case MQTT_PROP_TYPE_STRING_PAIR:
				CHECK(mosquitto_property_string_name_length(p) == strlen(name)
						&& strcmp(mosquitto_property_string_name(p), name) == 0
						&& strcmp(mosquitto_property_string_value(p), "v") == 0, "pair of %d", id);
				break;
		}
		count++;
	}
	CHECK(count == 27, "27 property identifiers, got %d", count);
	mosquitto_property_free_all(&all);

	/* Empty values have length 0 (the pointer may be NULL or ""). */
	mosquitto_property *e = NULL;
	mosquitto_property_add_string(&e, MQTT_PROP_CONTENT_TYPE, "");
	mosquitto_property_add_binary(&e, MQTT_PROP_CORRELATION_DATA, "", 0);
	mosquitto_property_add_string_pair(&e, MQTT_PROP_USER_PROPERTY, "", "");
	const mosquitto_property *p = e;
	CHECK(mosquitto_property_type(p) == MQTT_PROP_TYPE_STRING, "empty string type");
	CHECK(mosquitto_property_string_value_length(p) == 0, "empty string length");
	const char *es = mosquitto_property_string_value(p);
	CHECK(es == NULL || es[0] == '\0', "empty string value");
	p = mosquitto_property_next(p);
	CHECK(mosquitto_property_type(p) == MQTT_PROP_TYPE_BINARY, "empty binary type");
	CHECK(mosquitto_property_binary_value_length(p) == 0, "empty binary length");
	p = mosquitto_property_next(p);
	CHECK(mosquitto_property_type(p) == MQTT_PROP_TYPE_STRING_PAIR, "empty pair type");
	CHECK(mosquitto_property_string_name_length(p) == 0, "empty pair name length");
	CHECK(mosquitto_property_string_value_length(p) == 0, "empty pair value length");
	mosquitto_property_free_all(&e);
}

/* ------------------------------------------------------------------------ */
/* mosquitto_property_remove                                                 */
/* ------------------------------------------------------------------------ */

/* Builds a list of `n` byte properties (distinct identifiers) holding the
 * values 0..n-1, and stores pointers to its elements in `items`. */
static mosquitto_property *build_list(int n, const mosquitto_property **items)
{
	static const int ids[] = {MQTT_PROP_PAYLOAD_FORMAT_INDICATOR, MQTT_PROP_REQUEST_PROBLEM_INFORMATION,
		MQTT_PROP_REQUEST_RESPONSE_INFORMATION, MQTT_PROP_MAXIMUM_QOS, MQTT_PROP_RETAIN_AVAILABLE};
	mosquitto_property *list = NULL;
	for(int i = 0; i < n; i++){
		mosquitto_property_add_byte(&list, ids[i], (uint8_t)i);
	}
	const mosquitto_property *p = list;
	for(int i = 0; i < n; i++){
		items[i] = p;
		p = mosquitto_property_next(p);
	}
	return list;
}

/* The byte values of a list, as a string of digits. */
static void list_values(const mosquitto_property *list, char *out)
{
	size_t o = 0;
	for(const mosquitto_property *p = list; p && o < 15; p = mosquitto_property_next(p)){
		out[o++] = (char)('0' + mosquitto_property_byte_value(p));
	}
	out[o] = '\0';
}

static void test_remove(void)
{
	char vals[16];
	/* Remove each position of a 5-element list. */
	for(int pos = 0; pos < 5; pos++){
		const mosquitto_property *items[5];
		mosquitto_property *list = build_list(5, items);
		int rc = mosquitto_property_remove(&list, items[pos]);
		CHECK(rc == MOSQ_ERR_SUCCESS, "remove position %d rc=%d", pos, rc);
		char expected[8];
		size_t o = 0;
		for(int i = 0; i < 5; i++){
			if(i != pos) expected[o++] = (char)('0' + i);
		}
		expected[o] = '\0';
		list_values(list, vals);
		CHECK(strcmp(vals, expected) == 0, "after removing %d: %s, expected %s", pos, vals, expected);
		/* The removed property is detached but not freed. */
		mosquitto_property *removed = (mosquitto_property *)items[pos];
		CHECK(mosquitto_property_next(removed) == NULL, "removed property %d is detached", pos);
		CHECK(mosquitto_property_byte_value(removed) == pos, "removed property %d still readable", pos);
		/* Removing it again finds nothing. */
		rc = mosquitto_property_remove(&list, removed);
		CHECK(rc == MOSQ_ERR_NOT_FOUND, "second removal of %d rc=%d", pos, rc);
		list_values(list, vals);
		CHECK(strcmp(vals, expected) == 0, "list unchanged by failed removal: %s", vals);
		mosquitto_property_free_all(&removed);
		mosquitto_property_free_all(&list);
	}
	/* Remove all, head first: the list ends up empty. */
	{
		const mosquitto_property *items[3];
		mosquitto_property *list = build_list(3, items);
		for(int i = 0; i < 3; i++){
			CHECK(list == items[i], "head is item %d", i);
			int rc = mosquitto_property_remove(&list, items[i]);
			CHECK(rc == MOSQ_ERR_SUCCESS, "remove head %d rc=%d", i, rc);
			mosquitto_property *removed = (mosquitto_property *)items[i];
			mosquitto_property_free_all(&removed);
		}
		CHECK(list == NULL, "list empty after removing every element");
	}
	/* Remove all, tail first. */
	{
		const mosquitto_property *items[3];
		mosquitto_property *list = build_list(3, items);
		for(int i = 2; i >= 0; i--){
			int rc = mosquitto_property_remove(&list, items[i]);
			CHECK(rc == MOSQ_ERR_SUCCESS, "remove tail %d rc=%d", i, rc);
			mosquitto_property *removed = (mosquitto_property *)items[i];
			mosquitto_property_free_all(&removed);
			list_values(list, vals);
			CHECK((int)strlen(vals) == i, "length %zu after removing tail %d", strlen(vals), i);
		}
		CHECK(list == NULL, "list empty after removing every element from the tail");
	}
	/* A property from another list is not found; both lists stay intact. */
	{
		const mosquitto_property *a_items[3], *b_items[2];
		mosquitto_property *a = build_list(3, a_items);
		mosquitto_property *b = build_list(2, b_items);
		int rc = mosquitto_property_remove(&a, b_items[1]);
		CHECK(rc == MOSQ_ERR_NOT_FOUND, "foreign property rc=%d", rc);
		list_values(a, vals);
		CHECK(strcmp(vals, "012") == 0, "list a intact: %s", vals);
		list_values(b, vals);
		CHECK(strcmp(vals, "01") == 0, "list b intact: %s", vals);
		/* Empty list. */
		mosquitto_property *empty = NULL;
		rc = mosquitto_property_remove(&empty, a_items[0]);
		CHECK(rc == MOSQ_ERR_NOT_FOUND, "remove from empty list rc=%d", rc);
		CHECK(empty == NULL, "empty list stays empty");
		/* NULL arguments. */
		rc = mosquitto_property_remove(NULL, a_items[0]);
		CHECK(rc == MOSQ_ERR_INVAL, "remove(NULL, prop) rc=%d", rc);
		rc = mosquitto_property_remove(&a, NULL);
		CHECK(rc == MOSQ_ERR_INVAL, "remove(&list, NULL) rc=%d", rc);
		rc = mosquitto_property_remove(NULL, NULL);
		CHECK(rc == MOSQ_ERR_INVAL, "remove(NULL, NULL) rc=%d", rc);
		list_values(a, vals);
		CHECK(strcmp(vals, "012") == 0, "list a intact after invalid calls: %s", vals);
		mosquitto_property_free_all(&a);
		mosquitto_property_free_all(&b);
	}
	/* Typical use: drop a duplicate so that check_all accepts the list. */
	{
		mosquitto_property *list = NULL;
		mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, "text/plain");
		mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "k", "v");
		mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, "text/html");
		CHECK(mosquitto_property_check_all(CMD_PUBLISH, list) == MOSQ_ERR_DUPLICATE_PROPERTY,
				"duplicate content-type rejected");
		const mosquitto_property *dup = mosquitto_property_read_string(list, MQTT_PROP_CONTENT_TYPE, NULL, false);
		dup = mosquitto_property_read_string(dup, MQTT_PROP_CONTENT_TYPE, NULL, true);
		CHECK(dup != NULL, "second content-type found");
		CHECK(mosquitto_property_remove(&list, dup) == MOSQ_ERR_SUCCESS, "remove duplicate");
		CHECK(mosquitto_property_check_all(CMD_PUBLISH, list) == MOSQ_ERR_SUCCESS, "list valid after removal");
		CHECK(strcmp(s_or_null(mosquitto_property_string_value(list)), "text/plain") == 0, "first kept");
		mosquitto_property *d = (mosquitto_property *)dup;
		CHECK(strcmp(s_or_null(mosquitto_property_string_value(d)), "text/html") == 0, "removed one readable");
		mosquitto_property_free_all(&d);
		mosquitto_property_free_all(&list);
	}
}

/* ------------------------------------------------------------------------ */
/* Topic / ACL matching                                                      */
/* ------------------------------------------------------------------------ */

struct pattern_case {
	const char *filter;   /* sub (topic matching) or acl (ACL matching) */
	const char *other;    /* topic (topic matching) or sub (ACL matching) */
	const char *clientid;
	const char *username;
	int rc;
	bool result;
};

#define OK_T MOSQ_ERR_SUCCESS, true
#define OK_F MOSQ_ERR_SUCCESS, false
#define INVAL MOSQ_ERR_INVAL, false

static void test_topic_matches_sub_with_pattern(void)
{
	static const struct pattern_case cases[] = {
		/* The header's examples. */
		{"sensors/%c/temperature", "sensors/kitchen/temperature", "kitchen", NULL, OK_T},
		{"sensors/%c/temperature", "sensors/bathroom/temperature", "kitchen", NULL, OK_F},
		{"sensors/%count/temperature", "sensors/kitchen/temperature", "kitchen", NULL, OK_F},
		{"%c/%c/%u/%u", "kitchen/kitchen/bathroom/bathroom", "kitchen", "bathroom", OK_T},
		/* Substitution only for whole levels that are exactly %c / %u. */
		{"%c", "kitchen", "kitchen", NULL, OK_T},
		{"%u", "bob", NULL, "bob", OK_T},
		{"%u", "bob", "bob", NULL, OK_F},
		{"%c", "bob", NULL, "bob", OK_F},
		{"a/%c", "a/kitchen", "kitchen", "x", OK_T},
		{"a/%c", "a/kitche", "kitchen", NULL, OK_F},
		{"a/%c", "a/kitchenX", "kitchen", NULL, OK_F},
		{"a/%c", "a/%c", "kitchen", NULL, OK_F},
		{"a/%c/b", "a/kitchen/b", "kitchen", NULL, OK_T},
		{"a/%c/b", "a/kitchen/c", "kitchen", NULL, OK_F},
		{"a/%c/b", "a/kitchen", "kitchen", NULL, OK_F},
		{"a%c", "akitchen", "kitchen", NULL, OK_F},
		{"a%c", "a%c", "kitchen", NULL, OK_T},
		{"a/%cx", "a/kitchenx", "kitchen", NULL, OK_F},
		{"a/%cx", "a/%cx", "kitchen", NULL, OK_T},
		{"a/%x", "a/%x", "kitchen", NULL, OK_T},
		/* NULL or empty client id / username: %c / %u never match. */
		{"a/%c", "a/kitchen", NULL, NULL, OK_F},
		{"a/%c", "a/", "", NULL, OK_F},
		{"a/%u", "a/bob", "bob", NULL, OK_F},
		{"a/%u", "a/", NULL, "", OK_F},
		/* Combined with wildcards. */
		{"%c/#", "kitchen/a/b", "kitchen", NULL, OK_T},
		{"%c/#", "kitchen", "kitchen", NULL, OK_T},
		{"%c/#", "bathroom/a", "kitchen", NULL, OK_F},
		{"+/%c", "x/kitchen", "kitchen", NULL, OK_T},
		{"+/%c/+", "x/kitchen/y", "kitchen", NULL, OK_T},
		{"%u/+/%c", "bob/x/kitchen", "kitchen", "bob", OK_T},
		{"%u/+/%c", "bob/x/bob", "kitchen", "bob", OK_F},
		/* No patterns: same as mosquitto_topic_matches_sub. */
		{"a/b/c", "a/b/c", NULL, NULL, OK_T},
		{"a/+/c", "a/b/c", NULL, NULL, OK_T},
		{"a/#", "a/b/c", NULL, NULL, OK_T},
		{"a/#", "a", NULL, NULL, OK_T},
		{"#", "a/b", NULL, NULL, OK_T},
		{"#", "$SYS/x", NULL, NULL, OK_F},
		{"$SYS/#", "$SYS/x", NULL, NULL, OK_T},
		{"+/x", "$SYS/x", NULL, NULL, OK_F},
		{"a/b", "a/c", NULL, NULL, OK_F},
		{"a/+", "a/b/c", NULL, NULL, OK_F},
		/* Invalid input. */
		{"", "a", "c", "u", INVAL},
		{"a", "", "c", "u", INVAL},
		{NULL, "a", "c", "u", INVAL},
		{"a", NULL, "c", "u", INVAL},
		{"a/+", "a/+", "c", "u", INVAL},
		{"#", "a/#", "c", "u", INVAL},
		{"a/#/b", "a/x/b", NULL, NULL, INVAL},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++){
		const struct pattern_case *c = &cases[i];
		bool result = !c->result; /* must be overwritten */
		int rc = mosquitto_topic_matches_sub_with_pattern(c->filter, c->other, c->clientid, c->username,
				&result);
		CHECK(rc == c->rc && result == c->result,
				"topic_matches_sub_with_pattern(%s, %s, %s, %s) = rc %d result %d, expected rc %d result %d",
				s_or_null(c->filter), s_or_null(c->other), s_or_null(c->clientid), s_or_null(c->username), rc,
				result, c->rc, c->result);
		/* Without patterns in the filter, the result equals the 2.0 function's. */
		if(c->filter && c->other && !strchr(c->filter, '%')){
			bool r2 = false;
			int rc2 = mosquitto_topic_matches_sub(c->filter, c->other, &r2);
			CHECK(rc2 == rc && r2 == result, "agrees with topic_matches_sub for %s, %s", c->filter, c->other);
		}
	}
	CHECK(mosquitto_topic_matches_sub_with_pattern("a", "a", "c", "u", NULL) == MOSQ_ERR_INVAL,
			"NULL result pointer");
}

static void test_sub_matches_acl(void)
{
	static const struct pattern_case cases[] = {
		/* The header's examples. */
		{"$SYS/#", "$SYS/broker/#", NULL, NULL, OK_T},
		{"$SYS/broker/uptime", "$SYS/broker/#", NULL, NULL, OK_F},
		/* Plain topics. */
		{"a/b", "a/b", NULL, NULL, OK_T},
		{"a/b", "a/c", NULL, NULL, OK_F},
		{"a/b", "a/b/c", NULL, NULL, OK_F},
		{"a/b/c", "a/b", NULL, NULL, OK_F},
		/* '+' in the ACL covers one level, including a '+' in the sub,
		 * but never a '#'. */
		{"a/+", "a/b", NULL, NULL, OK_T},
		{"a/+", "a/+", NULL, NULL, OK_T},
		{"a/+", "a/#", NULL, NULL, OK_F},
		{"a/+", "a/b/c", NULL, NULL, OK_F},
		{"+/+", "a/b", NULL, NULL, OK_T},
		{"+/+", "+/+", NULL, NULL, OK_T},
		{"+/+", "a/b/c", NULL, NULL, OK_F},
		{"+/b", "a/b", NULL, NULL, OK_T},
		{"+/b", "a/c", NULL, NULL, OK_F},
		/* '#' in the ACL covers everything below, wildcards included. */
		{"a/#", "a/b", NULL, NULL, OK_T},
		{"a/#", "a/+", NULL, NULL, OK_T},
		{"a/#", "a/#", NULL, NULL, OK_T},
		{"a/#", "a/b/+/#", NULL, NULL, OK_T},
		{"a/#", "a", NULL, NULL, OK_T},
		{"a/#", "b/c", NULL, NULL, OK_F},
		{"#", "a/b/#", NULL, NULL, OK_T},
		{"#", "#", NULL, NULL, OK_T},
		{"#", "+", NULL, NULL, OK_T},
		{"a/+/#", "a/b", NULL, NULL, OK_T},
		/* A wildcard in the sub is wider than a literal ACL level. */
		{"a/b", "a/+", NULL, NULL, OK_F},
		{"a/b", "a/#", NULL, NULL, OK_F},
		{"a/b", "#", NULL, NULL, OK_F},
		{"a/+", "#", NULL, NULL, OK_F},
		/* $-topics only match $-filters. */
		{"#", "$SYS/x", NULL, NULL, OK_F},
		{"+/x", "$SYS/x", NULL, NULL, OK_F},
		{"$SYS/+", "$SYS/x", NULL, NULL, OK_T},
		{"$SYS/x", "a/x", NULL, NULL, OK_F},
		/* No pattern substitution in the plain function. */
		{"a/%c", "a/%c", NULL, NULL, OK_T},
		{"a/%c", "a/kitchen", NULL, NULL, OK_F},
		/* Invalid input. */
		{"", "a", NULL, NULL, INVAL},
		{"a", "", NULL, NULL, INVAL},
		{NULL, "a", NULL, NULL, INVAL},
		{"a", NULL, NULL, NULL, INVAL},
		{"a/#/b", "a/x/b", NULL, NULL, INVAL},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++){
		const struct pattern_case *c = &cases[i];
		bool result = !c->result;
		int rc = mosquitto_sub_matches_acl(c->filter, c->other, &result);
		CHECK(rc == c->rc && result == c->result,
				"sub_matches_acl(%s, %s) = rc %d result %d, expected rc %d result %d", s_or_null(c->filter),
				s_or_null(c->other), rc, result, c->rc, c->result);
		/* The pattern variant agrees when the ACL has no patterns. */
		if(!c->filter || !strchr(c->filter, '%')){
			bool r2 = !c->result;
			int rc2 = mosquitto_sub_matches_acl_with_pattern(c->filter, c->other, "kitchen", "bob", &r2);
			CHECK(rc2 == c->rc && r2 == c->result, "sub_matches_acl_with_pattern(%s, %s) agrees",
					s_or_null(c->filter), s_or_null(c->other));
		}
		/* A subscription without wildcards matches an ACL exactly when it
		 * is a topic that matches the ACL as a subscription. */
		if(c->filter && c->other && c->rc == 0 && !strpbrk(c->other, "+#") && !strchr(c->filter, '%')){
			bool r3 = false;
			int rc3 = mosquitto_topic_matches_sub(c->filter, c->other, &r3);
			CHECK(rc3 == 0 && r3 == c->result, "sub_matches_acl(%s, %s) agrees with topic_matches_sub",
					c->filter, c->other);
		}
	}
	/* The header promises INVAL for invalid parameters; a NULL result pointer
	 * is one (upstream 2.1 writes through it first). */
	CHECK(mosquitto_sub_matches_acl("a", "a", NULL) == MOSQ_ERR_INVAL, "NULL result pointer");
	CHECK(mosquitto_sub_matches_acl_with_pattern("a", "a", "c", "u", NULL) == MOSQ_ERR_INVAL,
			"NULL result pointer (pattern)");
}

static void test_sub_matches_acl_with_pattern(void)
{
	static const struct pattern_case cases[] = {
		/* The header's examples. */
		{"sensors/%c/+", "sensors/kitchen/temperature", "kitchen", NULL, OK_T},
		{"sensors/%c/+", "sensors/bathroom/temperature", "kitchen", NULL, OK_F},
		{"sensors/%count/+", "sensors/kitchen/temperature", "kitchen", NULL, OK_F},
		{"%c/%c/%u/+", "kitchen/kitchen/bathroom/bathroom", "kitchen", "bathroom", OK_T},
		/* Whole-level substitution. */
		{"%c", "kitchen", "kitchen", NULL, OK_T},
		{"%u", "bob", NULL, "bob", OK_T},
		{"%u", "bob", "bob", NULL, OK_F},
		{"a/%c", "a/kitche", "kitchen", NULL, OK_F},
		{"a/%c", "a/kitchenX", "kitchen", NULL, OK_F},
		{"a/%c/b", "a/kitchen/b", "kitchen", NULL, OK_T},
		{"a/%c/#", "a/kitchen/b/c", "kitchen", NULL, OK_T},
		{"a/%c/#", "a/kitchen/#", "kitchen", NULL, OK_T},
		{"a/%c/#", "a/kitchen", "kitchen", NULL, OK_T},
		{"a/%c/#", "a/bathroom/#", "kitchen", NULL, OK_F},
		{"a/%u/+", "a/bob/x", "kitchen", "bob", OK_T},
		{"a/%u/+", "a/bob/#", "kitchen", "bob", OK_F},
		/* A subscription wildcard is wider than the substituted level. */
		{"a/%c", "a/+", "kitchen", NULL, OK_F},
		{"a/%c", "a/#", "kitchen", NULL, OK_F},
		{"%c/x", "+/x", "kitchen", NULL, OK_F},
		/* A client id or username that is just a wildcard or a separator
		 * must not widen the ACL. */
		{"a/%c", "a/+", "+", NULL, OK_F},
		{"a/%c", "a/#", "#", NULL, OK_F},
		{"a/%u", "a/+", NULL, "+", OK_F},
		{"a/%u", "a/#", NULL, "#", OK_F},
		/* NULL or empty ids: no match. */
		{"a/%c", "a/kitchen", NULL, "kitchen", OK_F},
		{"a/%c", "a/x", "", NULL, OK_F},
		{"a/%u", "a/x", NULL, "", OK_F},
		/* Invalid input. */
		{"", "a", "c", "u", INVAL},
		{"a", "", "c", "u", INVAL},
		{NULL, "a", "c", "u", INVAL},
		{"a", NULL, "c", "u", INVAL},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++){
		const struct pattern_case *c = &cases[i];
		bool result = !c->result;
		int rc = mosquitto_sub_matches_acl_with_pattern(c->filter, c->other, c->clientid, c->username,
				&result);
		CHECK(rc == c->rc && result == c->result,
				"sub_matches_acl_with_pattern(%s, %s, %s, %s) = rc %d result %d, expected rc %d result %d",
				s_or_null(c->filter), s_or_null(c->other), s_or_null(c->clientid), s_or_null(c->username), rc,
				result, c->rc, c->result);
	}
}

int main(void)
{
	mosquitto_lib_init();
	test_accessors();
	test_remove();
	test_topic_matches_sub_with_pattern();
	test_sub_matches_acl();
	test_sub_matches_acl_with_pattern();
	mosquitto_lib_cleanup();
	printf("checks=%d failures=%d\n", checks, failures);
	return failures ? 1 : 0;
}
