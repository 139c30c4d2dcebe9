/*
 * Differential test program for the libmosquitto 2.0 utility API.
 *
 * Built once against the system header (/usr/include/mosquitto.h,
 * /usr/include/mqtt_protocol.h) and run twice: on Debian's libmosquitto
 * 2.0.11 and on our replacement. Every call prints one line holding its
 * inputs and every observable result (return code, out-parameters, strings,
 * lists). The two outputs must be byte-for-byte identical.
 *
 * Rules for this file:
 *  - deterministic output only: no pointers or addresses are printed, only
 *    whether a pointer is NULL, equal to a sentinel, or what it points to;
 *  - pointers left dangling by a free function (message_free,
 *    message_free_contents, sub_topic_tokens_free) are not printed: the
 *    reference leaves them pointing at freed memory, and a replacement that
 *    sets them to NULL is safer without being observably different to a
 *    correct program;
 *  - calls the reference crashes on are never made (they are listed in the
 *    comments where they are skipped);
 *  - everything the program allocates is released, so it can run under
 *    valgrind's leak checker.
 *
 * The path of the libmosquitto file actually loaded is printed on stderr
 * ("LOADED <path>") so the test harness can check which library ran.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

/* ------------------------------------------------------------------------ */
/* Output helpers                                                           */
/* ------------------------------------------------------------------------ */

static uint64_t fnv1a(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	for(size_t i = 0; i < len; i++){
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Rotating buffers so several escaped strings can appear in one printf. */
#define ESC_SLOTS 8
#define ESC_SIZE 512
static char esc_buf[ESC_SLOTS][ESC_SIZE];
static int esc_next = 0;

/* Printable rendering of len bytes: "..." with \xHH escapes, or a
 * length+hash summary for long data. */
static const char *esc_n(const void *data, size_t len)
{
	char *out = esc_buf[esc_next];
	esc_next = (esc_next + 1) % ESC_SLOTS;
	if(data == NULL){
		snprintf(out, ESC_SIZE, "NULL");
		return out;
	}
	if(len > 80){
		const unsigned char *p = data;
		snprintf(out, ESC_SIZE, "<len=%zu fnv=%016llx head=%02x%02x%02x%02x>", len,
				(unsigned long long)fnv1a(data, len), p[0], p[1], p[2], p[3]);
		return out;
	}
	const unsigned char *p = data;
	size_t o = 0;
	out[o++] = '"';
	for(size_t i = 0; i < len; i++){
		unsigned char c = p[i];
		if(c >= 0x20 && c < 0x7f && c != '"' && c != '\\'){
			out[o++] = (char)c;
		}else{
			o += (size_t)snprintf(out + o, ESC_SIZE - o, "\\x%02x", c);
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

static const char *esc(const char *s)
{
	return esc_n(s, s ? strlen(s) : 0);
}

static void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A sentinel byte pattern: an out-parameter still holding it was not
 * written. */
#define SENT_INT (-77777)
static char sentinel_obj;
#define SENT_PTR ((void *)&sentinel_obj)

static const char *ptr_state(const void *p)
{
	if(p == NULL) return "NULL";
	if(p == SENT_PTR) return "UNCHANGED";
	return "SET";
}

/* Prints a bool out-parameter byte: 0, 1, or the untouched sentinel. */
static const char *bool_state(const unsigned char *b)
{
	static char buf[16];
	if(*b == 0x55) return "UNCHANGED";
	snprintf(buf, sizeof(buf), "%u", *b);
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Library identity, version, init/cleanup                                   */
/* ------------------------------------------------------------------------ */

static void report_loaded_library(void)
{
	Dl_info info;
	if(dladdr((void *)&mosquitto_topic_matches_sub, &info) && info.dli_fname){
		char *real = realpath(info.dli_fname, NULL);
		fprintf(stderr, "LOADED %s\n", real ? real : info.dli_fname);
		free(real);
	}else{
		fprintf(stderr, "LOADED ?\n");
	}
}

static void test_version(void)
{
	int major = SENT_INT, minor = SENT_INT, revision = SENT_INT;
	int rc = mosquitto_lib_version(&major, &minor, &revision);
	/* The numbers legitimately differ (2.0.11 vs 2.1.0): print facts only. */
	out("lib_version(all) major>=2:%d minor_set:%d revision_set:%d rc_is_encoded:%d",
			major >= 2, minor >= 0 && minor < 1000, revision >= 0 && revision < 1000,
			rc == major * 1000000 + minor * 1000 + revision);
	int rc2 = mosquitto_lib_version(NULL, NULL, NULL);
	out("lib_version(NULL,NULL,NULL) same_rc:%d", rc2 == rc);
	int m2 = SENT_INT;
	rc2 = mosquitto_lib_version(&m2, NULL, NULL);
	out("lib_version(&,NULL,NULL) same_rc:%d major_same:%d", rc2 == rc, m2 == major);
	int n2 = SENT_INT;
	rc2 = mosquitto_lib_version(NULL, &n2, NULL);
	out("lib_version(NULL,&,NULL) same_rc:%d minor_same:%d", rc2 == rc, n2 == minor);
	int r2 = SENT_INT;
	rc2 = mosquitto_lib_version(NULL, NULL, &r2);
	out("lib_version(NULL,NULL,&) same_rc:%d revision_same:%d", rc2 == rc, r2 == revision);
}

static void test_init_cleanup(void)
{
	out("lib_cleanup(before init) rc=%d", mosquitto_lib_cleanup());
	out("lib_init rc=%d", mosquitto_lib_init());
	out("lib_init(nested) rc=%d", mosquitto_lib_init());
	out("lib_init(nested) rc=%d", mosquitto_lib_init());
	out("lib_cleanup rc=%d", mosquitto_lib_cleanup());
	out("lib_cleanup rc=%d", mosquitto_lib_cleanup());
	out("lib_cleanup rc=%d", mosquitto_lib_cleanup());
	out("lib_cleanup(extra) rc=%d", mosquitto_lib_cleanup());
	for(int i = 0; i < 5; i++){
		int a = mosquitto_lib_init();
		int b = mosquitto_lib_cleanup();
		out("lib_init/cleanup round %d rc=%d,%d", i, a, b);
	}
	out("lib_init(final) rc=%d", mosquitto_lib_init());
}

/* ------------------------------------------------------------------------ */
/* Strings for error, CONNACK and reason codes                               */
/* ------------------------------------------------------------------------ */

static void test_strings(void)
{
	for(int i = -10; i <= 300; i++){
		out("strerror(%d) = %s", i, esc(mosquitto_strerror(i)));
	}
	const int extra[] = {INT_MIN, -1000, 1000, 65536, INT_MAX};
	for(size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++){
		out("strerror(%d) = %s", extra[i], esc(mosquitto_strerror(extra[i])));
		out("connack_string(%d) = %s", extra[i], esc(mosquitto_connack_string(extra[i])));
		out("reason_string(%d) = %s", extra[i], esc(mosquitto_reason_string(extra[i])));
	}
	for(int i = -5; i <= 300; i++){
		out("connack_string(%d) = %s", i, esc(mosquitto_connack_string(i)));
	}
	for(int i = -5; i <= 300; i++){
		out("reason_string(%d) = %s", i, esc(mosquitto_reason_string(i)));
	}
}

static void test_string_to_command(void)
{
	static const char *names[] = {
		"connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp",
		"subscribe", "suback", "unsubscribe", "unsuback", "pingreq", "pingresp",
		"disconnect", "auth", "will",
		"CONNECT", "Connect", "cOnNeCt", "PUBLISH", "Disconnect", "AUTH", "WILL", "Will",
		"", " ", "connect ", " connect", "connec", "connectx", "conn", "pub", "sub",
		"connect\n", "con\x01nect", "publish/", "\xff", "\xc3\xa4", "c", "x",
		"CMD_CONNECT", "0x10", "16", "1", "0", "ping", "pingreq2", "unsub",
		"subscribe\xff", "auth\t",
	};
	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++){
		int cmd = SENT_INT;
		int rc = mosquitto_string_to_command(names[i], &cmd);
		if(cmd == SENT_INT){
			out("string_to_command(%s) rc=%d cmd=UNCHANGED", esc(names[i]), rc);
		}else{
			out("string_to_command(%s) rc=%d cmd=%d", esc(names[i]), rc, cmd);
		}
	}
	/* The reference dereferences NULL str (crash), and writes through a NULL
	 * cmd when the name is valid (crash); a NULL cmd with an unknown name is
	 * tolerated. */
	static const char *junk[] = {"", "junk", "connectx", "CONNEC"};
	for(size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++){
		out("string_to_command(%s, NULL) rc=%d", esc(junk[i]),
				mosquitto_string_to_command(junk[i], NULL));
	}
}

/* ------------------------------------------------------------------------ */
/* Topic corpus                                                              */
/* ------------------------------------------------------------------------ */

struct tstr {
	const char *buf; /* NULL for a NULL argument */
	size_t len;      /* length given to the *2 functions */
	char label[400];
};

#define MAX_CORPUS 200
static struct tstr corpus[MAX_CORPUS];
static int corpus_n = 0;
static char *long_bufs[16];
static int long_n = 0;

static void corpus_add_n(const char *buf, size_t len)
{
	struct tstr *t = &corpus[corpus_n++];
	t->buf = buf;
	t->len = len;
	if(buf == NULL){
		snprintf(t->label, sizeof(t->label), "NULL");
	}else{
		snprintf(t->label, sizeof(t->label), "%s/%zu", esc_n(buf, len), len);
	}
}

static void corpus_add(const char *s)
{
	corpus_add_n(s, s ? strlen(s) : 0);
}

static char *make_long(const char *unit, size_t total)
{
	char *b = malloc(total + 1);
	size_t ul = strlen(unit);
	for(size_t i = 0; i < total; i++){
		b[i] = unit[i % ul];
	}
	b[total] = '\0';
	long_bufs[long_n++] = b;
	return b;
}

static void build_corpus(void)
{
	static const char *plain[] = {
		"", "/", "//", "///", "#", "+", "+/+", "+/#", "#/", "/#", "/+", "+/", "#/#",
		"a", "a/", "/a", "/a/", "a/b", "a/b/", "/a/b", "a//b", "a//", "//a", "a/b/c",
		"a/+", "a/+/c", "a/#", "a/b/#", "a/#/b", "a#", "a+", "+a", "#a", "a/b#",
		"a/+b", "a/b+", "a/++", "a/##", "++", "##", "+#", "#+", "a/+/#", "+/+/+",
		"a/b/c/d/e/f", "a/b/c/d/e/#", "+/b/c", "a/+/+", "+/+/c", "a/b/c/#", "a/b/c/+",
		"a/+/", "a//+", "+//", "+//#", "/+/#", "a/b/+/d",
		"$SYS", "$SYS/", "$SYS/broker", "$SYS/#", "$SYS/+", "$SYS/broker/uptime",
		"$SYS/broker/+", "+/broker/uptime", "#/uptime", "+/#/x", "$SYSX/a", "$", "$/a",
		"$a/b", "a/$SYS", "$share", "$share/", "$share/g", "$share/g/",
		"$share/g/a/b", "$share/g/#", "$share/g/+", "$share//a", "$share/+/a",
		"$share/#", "$share/g+/a", "$share/g/$SYS/x", "$shared/g/a",
		"A", "A/B", "a/B", "a /b", " ", "a/ ", " /a", "a\tb",
		"\xc3\xa4/\xc3\xb6", "\xe2\x82\xac", "\xe6\x97\xa5\xe6\x9c\xac/\xe8\xaa\x9e",
		"\xf0\x9f\x98\x80/x", "\xff", "a/\xff", "\xc0\x80", "a/\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xc3", "a\x01" "b", "\x1f", "a\x7f", "\xc2\x80", "\xc2\x9f",
		"\xef\xbf\xbf", "\xef\xbf\xbe", "\xef\xbb\xbf" "a", "\xf8\x88\x80\x80\x80",
		"+/\xff", "#\xff", "\xe0\x80\x80",
	};
	for(size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++){
		corpus_add(plain[i]);
	}
	/* Embedded NULs and lengths that disagree with strlen (for the *2
	 * functions; the plain functions stop at the first NUL). */
	corpus_add_n("a\0b", 3);
	corpus_add_n("a/\0", 3);
	corpus_add_n("+\0#", 3);
	corpus_add_n("\0", 1);
	corpus_add_n("a/b\0/c", 6);
	corpus_add_n("#\0", 2);
	corpus_add_n("a/bc", 3); /* a prefix: "a/b" */
	corpus_add_n("a/b/#", 4); /* "a/b/" */
	corpus_add_n("+/+x", 3);
	corpus_add_n("abc", 0);
	/* Long strings. */
	corpus_add(make_long("a", 65535));
	corpus_add(make_long("a", 65536));
	corpus_add(make_long("a/", 65535));
	corpus_add(make_long("+/", 65534));
	corpus_add(make_long("a/", 1000));
	char *l = make_long("+/", 1001); /* "+/+/.../+" */
	corpus_add(l);
	char *h = make_long("+/", 1002); /* "+/+/.../+/" -> add '#' */
	h[1001] = '#';
	corpus_add(h);
	corpus_add(make_long("\xc3\xa4", 65536));
	corpus_add(NULL);
}

static void free_corpus(void)
{
	for(int i = 0; i < long_n; i++){
		free(long_bufs[i]);
	}
}

static void test_topic_matches(void)
{
	for(int s = 0; s < corpus_n; s++){
		for(int t = 0; t < corpus_n; t++){
			const struct tstr *sub = &corpus[s], *top = &corpus[t];
			unsigned char r1, r2;
			memset(&r1, 0x55, 1);
			memset(&r2, 0x55, 1);
			int rc1 = mosquitto_topic_matches_sub(sub->buf, top->buf, (bool *)&r1);
			int rc2 = mosquitto_topic_matches_sub2(sub->buf, sub->len, top->buf, top->len,
					(bool *)&r2);
			out("matches sub=%s topic=%s -> rc=%d r=%s | sub2 rc=%d r=%s", sub->label,
					top->label, rc1, bool_state(&r1), rc2, bool_state(&r2));
		}
	}
	/* NULL result pointer: tolerated (INVAL) by the reference. */
	out("matches(a,a,NULL) rc=%d", mosquitto_topic_matches_sub("a", "a", NULL));
	out("matches2(a,1,a,1,NULL) rc=%d", mosquitto_topic_matches_sub2("a", 1, "a", 1, NULL));
	out("matches(NULL,NULL,NULL) rc=%d", mosquitto_topic_matches_sub(NULL, NULL, NULL));
	unsigned char r;
	memset(&r, 0x55, 1);
	int rc = mosquitto_topic_matches_sub2(NULL, 5, "a", 1, (bool *)&r);
	out("matches2(NULL,5,a,1) rc=%d r=%s", rc, bool_state(&r));
	memset(&r, 0x55, 1);
	rc = mosquitto_topic_matches_sub2("a", 1, NULL, 5, (bool *)&r);
	out("matches2(a,1,NULL,5) rc=%d r=%s", rc, bool_state(&r));
	/* Every prefix length of a few pairs for the *2 variant. */
	static const char *pairs[][2] = {
		{"a/b/c", "a/b/c"}, {"a/+/c", "a/b/c"}, {"a/#", "a/b/c"}, {"+/+", "a/b"},
		{"$SYS/#", "$SYS/x"}, {"#", "a/b"}, {"a/b/#", "a/b"},
	};
	for(size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++){
		size_t sl = strlen(pairs[i][0]), tl = strlen(pairs[i][1]);
		for(size_t a = 0; a <= sl; a++){
			for(size_t b = 0; b <= tl; b++){
				memset(&r, 0x55, 1);
				rc = mosquitto_topic_matches_sub2(pairs[i][0], a, pairs[i][1], b, (bool *)&r);
				out("matches2 sub=%s/%zu topic=%s/%zu rc=%d r=%s", esc(pairs[i][0]), a,
						esc(pairs[i][1]), b, rc, bool_state(&r));
			}
		}
	}
}

static void test_topic_checks(void)
{
	for(int i = 0; i < corpus_n; i++){
		const struct tstr *t = &corpus[i];
		int p1 = mosquitto_pub_topic_check(t->buf);
		int p2 = mosquitto_pub_topic_check2(t->buf, t->len);
		int s1 = mosquitto_sub_topic_check(t->buf);
		int s2 = mosquitto_sub_topic_check2(t->buf, t->len);
		out("topic_check %s pub=%d pub2=%d sub=%d sub2=%d", t->label, p1, p2, s1, s2);
		if(t->buf && t->len > 0){
			/* One byte shorter than given. */
			out("topic_check2 %s len-1 pub2=%d sub2=%d", t->label,
					mosquitto_pub_topic_check2(t->buf, t->len - 1),
					mosquitto_sub_topic_check2(t->buf, t->len - 1));
		}
	}
	/* Length limits on exact buffers. */
	char *b = malloc(65538);
	memset(b, 'a', 65538);
	static const size_t lens[] = {0, 1, 65534, 65535, 65536, 65537};
	for(size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++){
		out("topic_check2 a*%zu pub2=%d sub2=%d", lens[i], mosquitto_pub_topic_check2(b, lens[i]),
				mosquitto_sub_topic_check2(b, lens[i]));
		char save = b[lens[i]];
		b[lens[i]] = '\0';
		out("topic_check a*%zu pub=%d sub=%d", lens[i], mosquitto_pub_topic_check(b),
				mosquitto_sub_topic_check(b));
		b[lens[i]] = save;
	}
	free(b);
	out("topic_check2 NULL/0 pub2=%d sub2=%d", mosquitto_pub_topic_check2(NULL, 0),
			mosquitto_sub_topic_check2(NULL, 0));
	out("topic_check2 NULL/5 pub2=%d sub2=%d", mosquitto_pub_topic_check2(NULL, 5),
			mosquitto_sub_topic_check2(NULL, 5));
}

static void print_tokens(const char *label, int rc, char **topics, int count)
{
	char line[4096];
	size_t o = 0;
	o += (size_t)snprintf(line + o, sizeof(line) - o, "tokenise %s rc=%d count=%d topics=%s",
			label, rc, count, ptr_state(topics));
	if(rc == 0 && topics && topics != SENT_PTR){
		if(count > 40){
			uint64_t h = 0xcbf29ce484222325ULL;
			int nulls = 0;
			for(int i = 0; i < count; i++){
				if(topics[i]){
					h ^= fnv1a(topics[i], strlen(topics[i]));
				}else{
					nulls++;
				}
				h *= 0x100000001b3ULL;
			}
			o += (size_t)snprintf(line + o, sizeof(line) - o, " nulls=%d fnv=%016llx", nulls,
					(unsigned long long)h);
		}else{
			for(int i = 0; i < count && o < sizeof(line) - 200; i++){
				o += (size_t)snprintf(line + o, sizeof(line) - o, " [%d]=%s", i,
						topics[i] ? esc(topics[i]) : "(NULL)");
			}
		}
	}
	out("%s", line);
}

static void test_tokenise(void)
{
	for(int i = 0; i < corpus_n; i++){
		const struct tstr *t = &corpus[i];
		char **topics = SENT_PTR;
		int count = SENT_INT;
		int rc = mosquitto_sub_topic_tokenise(t->buf, &topics, &count);
		print_tokens(t->label, rc, topics, count);
		if(rc == 0){
			int frc = mosquitto_sub_topic_tokens_free(&topics, count);
			out("tokens_free %s rc=%d", t->label, frc);
		}
	}
	char **topics = SENT_PTR;
	int count = SENT_INT;
	out("tokenise(a/b,NULL,&c) rc=%d", mosquitto_sub_topic_tokenise("a/b", NULL, &count));
	out("tokenise(a/b,&t,NULL) rc=%d topics=%s", mosquitto_sub_topic_tokenise("a/b", &topics, NULL),
			ptr_state(topics));
	out("tokens_free(NULL,0) rc=%d", mosquitto_sub_topic_tokens_free(NULL, 0));
	out("tokens_free(NULL,3) rc=%d", mosquitto_sub_topic_tokens_free(NULL, 3));
	topics = NULL;
	out("tokens_free(&NULL,0) rc=%d", mosquitto_sub_topic_tokens_free(&topics, 0));
	out("tokens_free(&NULL,3) rc=%d", mosquitto_sub_topic_tokens_free(&topics, 3));
	int rc = mosquitto_sub_topic_tokenise("x/y/z", &topics, &count);
	out("tokenise(x/y/z) rc=%d count=%d", rc, count);
	out("tokens_free(&t,0) rc=%d topics=%s", mosquitto_sub_topic_tokens_free(&topics, 0),
			ptr_state(topics));
	out("tokens_free(&t,-1) rc=%d topics=%s", mosquitto_sub_topic_tokens_free(&topics, -1),
			ptr_state(topics));
	out("tokens_free(&t,count) rc=%d", mosquitto_sub_topic_tokens_free(&topics, count));
}

/* ------------------------------------------------------------------------ */
/* UTF-8 validation                                                          */
/* ------------------------------------------------------------------------ */

struct ucase {
	const char *name;
	const char *bytes;
	int len;
};

static void test_utf8_cases(void)
{
	static const struct ucase cases[] = {
		{"empty", "", 0},
		{"ascii", "hello", 5},
		{"nul", "\0", 1},
		{"a-nul-b", "a\0b", 3},
		{"U+0001", "\x01", 1},
		{"U+001F", "\x1f", 1},
		{"U+0020", " ", 1},
		{"U+007E", "~", 1},
		{"U+007F", "\x7f", 1},
		{"U+0080", "\xc2\x80", 2},
		{"U+009F", "\xc2\x9f", 2},
		{"U+00A0", "\xc2\xa0", 2},
		{"U+07FF", "\xdf\xbf", 2},
		{"U+0800", "\xe0\xa0\x80", 3},
		{"U+D7FF", "\xed\x9f\xbf", 3},
		{"U+D800", "\xed\xa0\x80", 3},
		{"U+DBFF", "\xed\xaf\xbf", 3},
		{"U+DC00", "\xed\xb0\x80", 3},
		{"U+DFFF", "\xed\xbf\xbf", 3},
		{"U+E000", "\xee\x80\x80", 3},
		{"U+FDD0", "\xef\xb7\x90", 3},
		{"U+FDEF", "\xef\xb7\xaf", 3},
		{"U+FEFF-BOM", "\xef\xbb\xbf", 3},
		{"U+FFFD", "\xef\xbf\xbd", 3},
		{"U+FFFE", "\xef\xbf\xbe", 3},
		{"U+FFFF", "\xef\xbf\xbf", 3},
		{"U+10000", "\xf0\x90\x80\x80", 4},
		{"U+1FFFE", "\xf0\x9f\xbf\xbe", 4},
		{"U+1FFFF", "\xf0\x9f\xbf\xbf", 4},
		{"U+10FFFE", "\xf4\x8f\xbf\xbe", 4},
		{"U+10FFFF", "\xf4\x8f\xbf\xbf", 4},
		{"U+110000", "\xf4\x90\x80\x80", 4},
		{"U+13FFFF", "\xf4\xbf\xbf\xbf", 4},
		{"F5-lead", "\xf5\x80\x80\x80", 4},
		{"F7-max4", "\xf7\xbf\xbf\xbf", 4},
		{"overlong-2-NUL", "\xc0\x80", 2},
		{"overlong-2-slash", "\xc0\xaf", 2},
		{"overlong-2-max", "\xc1\xbf", 2},
		{"overlong-3-NUL", "\xe0\x80\x80", 3},
		{"overlong-3-slash", "\xe0\x80\xaf", 3},
		{"overlong-3-max", "\xe0\x9f\xbf", 3},
		{"overlong-4-NUL", "\xf0\x80\x80\x80", 4},
		{"overlong-4-slash", "\xf0\x80\x80\xaf", 4},
		{"overlong-4-max", "\xf0\x8f\xbf\xbf", 4},
		{"5byte-NUL", "\xf8\x80\x80\x80\x80", 5},
		{"5byte-A", "\xf8\x88\x80\x80\x80", 5},
		{"5byte-max", "\xfb\xbf\xbf\xbf\xbf", 5},
		{"6byte-NUL", "\xfc\x80\x80\x80\x80\x80", 6},
		{"6byte-A", "\xfc\x84\x80\x80\x80\x80", 6},
		{"6byte-max", "\xfd\xbf\xbf\xbf\xbf\xbf", 6},
		{"FE", "\xfe", 1},
		{"FF", "\xff", 1},
		{"FEFF", "\xfe\xff", 2},
		{"lone-cont-80", "\x80", 1},
		{"lone-cont-BF", "\xbf", 1},
		{"two-cont", "\x80\x80", 2},
		{"trunc-2", "\xc3", 1},
		{"trunc-3a", "\xe2", 1},
		{"trunc-3b", "\xe2\x82", 2},
		{"trunc-4a", "\xf0", 1},
		{"trunc-4b", "\xf0\x9f", 2},
		{"trunc-4c", "\xf0\x9f\x98", 3},
		{"trunc-2-then-ascii", "\xc3" "a", 2},
		{"trunc-3-then-ascii", "\xe2\x82" "a", 3},
		{"trunc-4-then-ascii", "\xf0\x9f\x98" "a", 4},
		{"cont-then-lead", "\xc3\xc3\xa4", 3},
		{"euro", "\xe2\x82\xac", 3},
		{"emoji", "\xf0\x9f\x98\x80", 4},
		{"mixed", "a\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80z", 11},
		{"mixed-bad-tail", "a\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\xff", 11},
		{"len-shorter", "\xe2\x82\xac", 2},
		{"len-shorter-ok", "abc\xe2\x82\xac", 3},
		{"ctrl-in-middle", "ab\x05" "cd", 5},
		{"del-in-middle", "ab\x7f" "cd", 5},
		{"c1-in-middle", "ab\xc2\x85" "cd", 6},
		{"nonchar-in-middle", "ab\xef\xbf\xbf" "cd", 7},
		{"surrogate-pair", "\xed\xa0\xbd\xed\xb8\x80", 6},
	};
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++){
		out("validate_utf8 %s %s/%d rc=%d", cases[i].name, esc_n(cases[i].bytes, (size_t)cases[i].len),
				cases[i].len, mosquitto_validate_utf8(cases[i].bytes, cases[i].len));
	}
	/* Every control character, alone and embedded. */
	for(int c = 0; c < 0x20; c++){
		char s[4] = {'x', (char)c, 'y', 0};
		out("validate_utf8 ctrl %02x alone rc=%d embedded rc=%d", c,
				mosquitto_validate_utf8(s + 1, 1), mosquitto_validate_utf8(s, 3));
	}
	/* Every C1 code point U+0080..U+009F. */
	for(int c = 0x80; c <= 0x9f; c++){
		char s[2] = {(char)(0xc0 | (c >> 6)), (char)(0x80 | (c & 0x3f))};
		out("validate_utf8 U+%04X rc=%d", c, mosquitto_validate_utf8(s, 2));
	}
	/* Every surrogate, printed as runs. */
	{
		int prev = -1000, start = 0xd800;
		for(int cp = 0xd800; cp <= 0xe000; cp++){
			int rc = -1000;
			if(cp <= 0xdfff){
				char s[3] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
					(char)(0x80 | (cp & 0x3f))};
				rc = mosquitto_validate_utf8(s, 3);
			}
			if(cp != 0xd800 && (rc != prev || cp == 0xe000)){
				out("validate_utf8 U+%04X..U+%04X rc=%d", start, cp - 1, prev);
				start = cp;
			}
			prev = rc;
		}
	}
	/* Length boundaries. */
	char *b = malloc(65538);
	memset(b, 'a', 65538);
	static const int lens[] = {65534, 65535, 65536, 65537, 100000, INT_MAX};
	for(size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++){
		if(lens[i] <= 65538){
			out("validate_utf8 a*%d rc=%d", lens[i], mosquitto_validate_utf8(b, lens[i]));
		}
	}
	/* Lengths above 65536 are rejected before reading (the reference checks
	 * the length first), so huge lengths on a short buffer are safe. */
	out("validate_utf8 short-buffer len=100000 rc=%d", mosquitto_validate_utf8(b, 100000));
	out("validate_utf8 short-buffer len=INT_MAX rc=%d", mosquitto_validate_utf8(b, INT_MAX));
	b[65535] = '\xff';
	out("validate_utf8 a*65535+FF len=65536 rc=%d", mosquitto_validate_utf8(b, 65536));
	out("validate_utf8 a*65535+FF len=65535 rc=%d", mosquitto_validate_utf8(b, 65535));
	free(b);
	out("validate_utf8 neg -1 rc=%d", mosquitto_validate_utf8("abc", -1));
	out("validate_utf8 neg -65536 rc=%d", mosquitto_validate_utf8("abc", -65536));
	out("validate_utf8 neg INT_MIN rc=%d", mosquitto_validate_utf8("abc", INT_MIN));
	out("validate_utf8 NULL/0 rc=%d", mosquitto_validate_utf8(NULL, 0));
	out("validate_utf8 NULL/5 rc=%d", mosquitto_validate_utf8(NULL, 5));
	out("validate_utf8 NULL/-1 rc=%d", mosquitto_validate_utf8(NULL, -1));
}

static char rc_char(int rc)
{
	switch(rc){
		case MOSQ_ERR_SUCCESS: return '0';
		case MOSQ_ERR_MALFORMED_UTF8: return 'M';
		case MOSQ_ERR_INVAL: return 'I';
		default: return '?';
	}
}

/* Run-length encodes a row of result characters: "0x64,Mx192". */
static void rle_line(const char *prefix, const char *row, int n)
{
	char line[2048];
	size_t o = (size_t)snprintf(line, sizeof(line), "%s", prefix);
	int i = 0;
	while(i < n){
		int j = i;
		while(j < n && row[j] == row[i]) j++;
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%c*%d", i ? "," : " ", row[i], j - i);
		i = j;
	}
	out("%s", line);
}

static uint64_t lcg_state = 0x2545F4914F6CDD1DULL;
static unsigned lcg_next(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(lcg_state >> 33);
}

/* Note on the sweeps: the reference reads past `len` when a multi-byte
 * sequence is cut short by two or more bytes (it only notices a sequence
 * missing exactly one byte), and then accepts the string if the bytes beyond
 * `len` happen to be continuation bytes. So that results never depend on
 * memory outside the string, every byte after `len` in the scratch buffer is
 * kept at 0 (or other ASCII): the reference then reports those strings as
 * malformed, which is also the correct answer. */
static void test_utf8_sweep(void)
{
	char row[256];
	unsigned char s[16];
	memset(s, 0, sizeof(s));
	/* All 1-byte strings, bare and surrounded by ASCII. */
	for(int a = 0; a < 256; a++){
		s[0] = (unsigned char)a;
		row[a] = rc_char(mosquitto_validate_utf8((char *)s, 1));
	}
	rle_line("utf8 sweep 1byte:", row, 256);
	memset(s, 0, sizeof(s));
	for(int a = 0; a < 256; a++){
		s[0] = 'x';
		s[1] = (unsigned char)a;
		s[2] = 'y';
		row[a] = rc_char(mosquitto_validate_utf8((char *)s, 3));
	}
	rle_line("utf8 sweep 1byte-embedded:", row, 256);
	memset(s, 0, sizeof(s));
	/* All 2-byte strings: one line per first byte. */
	for(int a = 0; a < 256; a++){
		for(int b = 0; b < 256; b++){
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)b;
			row[b] = rc_char(mosquitto_validate_utf8((char *)s, 2));
		}
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "utf8 sweep 2byte %02x:", a);
		rle_line(prefix, row, 256);
	}
	memset(s, 0, sizeof(s));
	/* All 2-byte strings with an ASCII prefix and suffix. */
	for(int a = 0; a < 256; a++){
		for(int b = 0; b < 256; b++){
			s[0] = 'p';
			s[1] = (unsigned char)a;
			s[2] = (unsigned char)b;
			s[3] = 'q';
			row[b] = rc_char(mosquitto_validate_utf8((char *)s, 4));
		}
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "utf8 sweep 2byte-embedded %02x:", a);
		rle_line(prefix, row, 256);
	}
	memset(s, 0, sizeof(s));
	/* All 3-byte strings with lead 0xE0..0xEF: one line per (lead, second). */
	for(int a = 0xe0; a <= 0xef; a++){
		for(int b = 0; b < 256; b++){
			for(int c = 0; c < 256; c++){
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				row[c] = rc_char(mosquitto_validate_utf8((char *)s, 3));
			}
			char prefix[64];
			snprintf(prefix, sizeof(prefix), "utf8 sweep 3byte %02x %02x:", a, b);
			rle_line(prefix, row, 256);
		}
	}
	memset(s, 0, sizeof(s));
	/* 4-byte strings, lead 0xF0..0xFF, every second and fourth byte, a
	 * seeded choice of third bytes: one summary line per (lead, second). */
	for(int a = 0xf0; a <= 0xff; a++){
		for(int b = 0; b < 256; b++){
			int third[6] = {0x80, 0xbf, 0x41, 0, 0, 0};
			for(int k = 3; k < 6; k++){
				third[k] = (int)(lcg_next() & 0xff);
			}
			uint64_t h = 0xcbf29ce484222325ULL;
			int ok = 0;
			for(int k = 0; k < 6; k++){
				for(int d = 0; d < 256; d++){
					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = (unsigned char)third[k];
					s[3] = (unsigned char)d;
					char c = rc_char(mosquitto_validate_utf8((char *)s, 4));
					ok += c == '0';
					h ^= (unsigned char)c;
					h *= 0x100000001b3ULL;
				}
			}
			out("utf8 sweep 4byte %02x %02x third=%02x,%02x,%02x,%02x,%02x,%02x ok=%d fnv=%016llx",
					a, b, third[0], third[1], third[2], third[3], third[4], third[5], ok,
					(unsigned long long)h);
		}
	}
	/* Random short strings (seeded), biased towards high bytes. */
	for(int i = 0; i < 3000; i++){
		int len = 1 + (int)(lcg_next() % 7);
		memset(s, 0, sizeof(s));
		for(int k = 0; k < len; k++){
			unsigned v = lcg_next();
			s[k] = (unsigned char)((v & 0x100) ? (0x80 | (v & 0x7f)) : (v & 0xff));
		}
		out("utf8 random %s rc=%d", esc_n(s, (size_t)len), mosquitto_validate_utf8((char *)s, len));
	}
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

static void print_message(const char *what, const struct mosquitto_message *m,
		const struct mosquitto_message *src)
{
	int term = -1;
	if(m->payload && m->payloadlen > 0){
		term = ((const unsigned char *)m->payload)[m->payloadlen];
	}
	out("%s mid=%d topic=%s payloadlen=%d payload=%s qos=%d retain=%d topic_copied=%d "
			"payload_copied=%d payload_nul_terminated=%d",
			what, m->mid, esc(m->topic), m->payloadlen,
			m->payload ? esc_n(m->payload, (size_t)m->payloadlen) : "NULL", m->qos, (int)m->retain,
			src ? (m->topic != src->topic) : -1, src ? (m->payload != src->payload) : -1, term);
}

static void test_messages(void)
{
	char *bigpayload = make_long("\x01\x00\xff", 100000);
	static const char binpay[] = {0, 1, 2, 0, (char)0xff};
	struct {
		int mid;
		const char *topic;
		const void *payload;
		int payloadlen;
		int qos;
		bool retain;
	} srcs[] = {
		{0, "", NULL, 0, 0, false},
		{1, "a/b", "hello", 5, 1, true},
		{65535, "t", "", 0, 2, false},
		{-1, "\xc3\xa4/x", binpay, 5, 0, true},
		{7, "t", bigpayload, 100000, 1, false},
		{8, "x/y/z", "abc", 2, 3, true},
		{INT_MAX, "$SYS/x", "q", 1, -1, false},
	};
	for(size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++){
		struct mosquitto_message src, dst;
		memset(&src, 0, sizeof(src));
		src.mid = srcs[i].mid;
		src.topic = (char *)srcs[i].topic;
		src.payload = (void *)srcs[i].payload;
		src.payloadlen = srcs[i].payloadlen;
		src.qos = srcs[i].qos;
		src.retain = srcs[i].retain;
		memset(&dst, 0x55, sizeof(dst));
		char what[64];
		snprintf(what, sizeof(what), "message_copy #%zu rc=%d", i, mosquitto_message_copy(&dst, &src));
		print_message(what, &dst, &src);
		mosquitto_message_free_contents(&dst);
		out("message_free_contents #%zu payloadlen=%d mid=%d qos=%d", i, dst.payloadlen, dst.mid, dst.qos);

		struct mosquitto_message *heap = calloc(1, sizeof(*heap));
		int rc = mosquitto_message_copy(heap, &src);
		snprintf(what, sizeof(what), "message_copy(heap) #%zu rc=%d", i, rc);
		print_message(what, heap, &src);
		mosquitto_message_free(&heap);
		out("message_free #%zu ok", i);
	}
	/* Copy of a copy. */
	{
		struct mosquitto_message a, b, c;
		memset(&a, 0, sizeof(a));
		a.topic = "chain";
		a.payload = "xyz";
		a.payloadlen = 3;
		a.mid = 3;
		int r1 = mosquitto_message_copy(&b, &a);
		int r2 = mosquitto_message_copy(&c, &b);
		char what[64];
		snprintf(what, sizeof(what), "message_copy(chain) rc=%d,%d", r1, r2);
		print_message(what, &c, &b);
		mosquitto_message_free_contents(&b);
		mosquitto_message_free_contents(&c);
	}
	/* NULL arguments the reference tolerates. The reference crashes on a
	 * source with a NULL topic, and on a NULL payload with payloadlen > 0. */
	struct mosquitto_message m;
	memset(&m, 0, sizeof(m));
	out("message_copy(NULL,&src) rc=%d", mosquitto_message_copy(NULL, &m));
	out("message_copy(&dst,NULL) rc=%d", mosquitto_message_copy(&m, NULL));
	out("message_copy(NULL,NULL) rc=%d", mosquitto_message_copy(NULL, NULL));
	mosquitto_message_free(NULL);
	out("message_free(NULL) ok");
	struct mosquitto_message *nullmsg = NULL;
	mosquitto_message_free(&nullmsg);
	out("message_free(&NULL) ok ptr=%s", nullmsg ? "nonNULL" : "NULL");
	mosquitto_message_free_contents(NULL);
	out("message_free_contents(NULL) ok");
	memset(&m, 0, sizeof(m));
	mosquitto_message_free_contents(&m);
	out("message_free_contents(&zeroed) ok");
}

/* ------------------------------------------------------------------------ */
/* Properties                                                                */
/* ------------------------------------------------------------------------ */

enum { T_NONE = 0, T_BYTE = 1, T_INT16, T_INT32, T_VARINT, T_BINARY, T_STRING, T_PAIR };

/* The data type of each MQTT v5 property identifier (0 = not a property). */
static int prop_type(int id)
{
	switch(id){
		case 1: case 23: case 25: case 36: case 37: case 40: case 41: case 42:
			return T_BYTE;
		case 19: case 33: case 34: case 35:
			return T_INT16;
		case 2: case 17: case 24: case 39:
			return T_INT32;
		case 11:
			return T_VARINT;
		case 9: case 22:
			return T_BINARY;
		case 3: case 8: case 18: case 21: case 26: case 28: case 31:
			return T_STRING;
		case 38:
			return T_PAIR;
		default:
			return T_NONE;
	}
}

static int list_index(const mosquitto_property *list, const mosquitto_property *p)
{
	if(p == NULL) return -1;
	int i = 0;
	for(const mosquitto_property *q = list; q; q = mosquitto_property_next(q), i++){
		if(q == p) return i;
	}
	return -2; /* not in the list */
}

/* Describes one property by trying every typed reader on it. */
static void describe_prop(const mosquitto_property *p, char *buf, size_t size)
{
	int id = mosquitto_property_identifier(p);
	size_t o = (size_t)snprintf(buf, size, "{id=%d", id);
	uint8_t b;
	uint16_t i16;
	uint32_t i32;
	void *bin = NULL;
	uint16_t binlen = 0;
	char *s1 = NULL, *s2 = NULL;
	if(mosquitto_property_read_byte(p, id, &b, false)){
		o += (size_t)snprintf(buf + o, size - o, " byte=%u", b);
	}
	if(mosquitto_property_read_int16(p, id, &i16, false)){
		o += (size_t)snprintf(buf + o, size - o, " int16=%u", i16);
	}
	if(mosquitto_property_read_int32(p, id, &i32, false)){
		o += (size_t)snprintf(buf + o, size - o, " int32=%u", i32);
	}
	if(mosquitto_property_read_varint(p, id, &i32, false)){
		o += (size_t)snprintf(buf + o, size - o, " varint=%u", i32);
	}
	if(mosquitto_property_read_binary(p, id, &bin, &binlen, false)){
		o += (size_t)snprintf(buf + o, size - o, " binary=%s/%u", esc_n(bin, binlen), binlen);
		free(bin);
	}
	if(mosquitto_property_read_string(p, id, &s1, false)){
		o += (size_t)snprintf(buf + o, size - o, " string=%s", esc(s1));
		free(s1);
	}
	s1 = NULL;
	if(mosquitto_property_read_string_pair(p, id, &s1, &s2, false)){
		o += (size_t)snprintf(buf + o, size - o, " pair=%s:%s", esc(s1), esc(s2));
		free(s1);
		free(s2);
	}
	snprintf(buf + o, size - o, "}");
}

static void print_list(const char *what, const mosquitto_property *list)
{
	char line[8192];
	size_t o = (size_t)snprintf(line, sizeof(line), "%s list=", what);
	if(list == NULL){
		snprintf(line + o, sizeof(line) - o, "NULL");
	}else{
		int n = 0;
		for(const mosquitto_property *p = list; p; p = mosquitto_property_next(p), n++){
			char d[1024];
			describe_prop(p, d, sizeof(d));
			if(o < sizeof(line) - 1100){
				o += (size_t)snprintf(line + o, sizeof(line) - o, "%s", d);
			}
		}
		snprintf(line + o, sizeof(line) - o, " count=%d", n);
	}
	out("%s", line);
}

static const char *add_names[] = {"", "byte", "int16", "int32", "varint", "binary", "string", "pair"};

/* Calls add function `kind` with a default value. */
static int add_kind(mosquitto_property **list, int kind, int id)
{
	switch(kind){
		case T_BYTE: return mosquitto_property_add_byte(list, id, 0x5a);
		case T_INT16: return mosquitto_property_add_int16(list, id, 0x1234);
		case T_INT32: return mosquitto_property_add_int32(list, id, 0x12345678);
		case T_VARINT: return mosquitto_property_add_varint(list, id, 300);
		case T_BINARY: return mosquitto_property_add_binary(list, id, "b\0n", 3);
		case T_STRING: return mosquitto_property_add_string(list, id, "str");
		case T_PAIR: return mosquitto_property_add_string_pair(list, id, "name", "value");
	}
	return -999;
}

static const int prop_ids[] = {
	-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
	24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46,
	47, 48, 49, 50, 127, 128, 255, 256, 257, 293, 65535, 65536, INT_MAX, INT_MIN,
};
#define N_PROP_IDS (sizeof(prop_ids) / sizeof(prop_ids[0]))

static void test_property_add(void)
{
	for(size_t i = 0; i < N_PROP_IDS; i++){
		for(int kind = T_BYTE; kind <= T_PAIR; kind++){
			mosquitto_property *list = NULL;
			int rc = add_kind(&list, kind, prop_ids[i]);
			char what[128];
			snprintf(what, sizeof(what), "add_%s(id=%d) rc=%d", add_names[kind], prop_ids[i], rc);
			print_list(what, list);
			mosquitto_property_free_all(&list);
		}
	}
	/* NULL list pointer. */
	for(int kind = T_BYTE; kind <= T_PAIR; kind++){
		for(int id = 0; id <= 42; id++){
			if(prop_type(id) == kind || id == 0){
				out("add_%s(NULL list, id=%d) rc=%d", add_names[kind], id, add_kind(NULL, kind, id));
			}
		}
	}
	/* Value edge cases for the right identifiers. */
	mosquitto_property *list = NULL;
	char what[160];
#define SHOW(call) do { \
		list = NULL; \
		int rc_ = (call); \
		snprintf(what, sizeof(what), "%s rc=%d", #call, rc_); \
		print_list(what, list); \
		mosquitto_property_free_all(&list); \
	} while(0)
	static const uint8_t bytes[] = {0, 1, 2, 0x7f, 0x80, 0xff};
	for(size_t k = 0; k < sizeof(bytes); k++){
		for(int id = 0; id <= 42; id++){
			if(prop_type(id) == T_BYTE){
				list = NULL;
				int rc = mosquitto_property_add_byte(&list, id, bytes[k]);
				snprintf(what, sizeof(what), "add_byte(id=%d,value=%u) rc=%d", id, bytes[k], rc);
				print_list(what, list);
				mosquitto_property_free_all(&list);
			}
		}
	}
	static const uint32_t varints[] = {0, 1, 127, 128, 16383, 16384, 2097151, 2097152,
		268435455, 268435456, 0x7fffffff, 0xffffffff};
	for(size_t k = 0; k < sizeof(varints) / sizeof(varints[0]); k++){
		list = NULL;
		int rc = mosquitto_property_add_varint(&list, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, varints[k]);
		snprintf(what, sizeof(what), "add_varint(id=11,value=%u) rc=%d", varints[k], rc);
		print_list(what, list);
		mosquitto_property_free_all(&list);
	}
	static const uint32_t ints[] = {0, 1, 0xffff, 0x10000, 0xffffffff};
	for(size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++){
		list = NULL;
		int rc1 = mosquitto_property_add_int16(&list, MQTT_PROP_RECEIVE_MAXIMUM, (uint16_t)ints[k]);
		int rc2 = mosquitto_property_add_int32(&list, MQTT_PROP_MAXIMUM_PACKET_SIZE, ints[k]);
		snprintf(what, sizeof(what), "add_int16/int32(value=%u) rc=%d,%d", ints[k], rc1, rc2);
		print_list(what, list);
		mosquitto_property_free_all(&list);
	}
	static const char *strs[] = {"", "a", "\xc3\xa4", "\xff", "a\xc0\x80", "\xed\xa0\x80",
		"\xef\xbf\xbf", "\x01", "\x7f", "\xc2\x80", "a/b/#", "\xf4\x90\x80\x80"};
	for(size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++){
		list = NULL;
		int rc = mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, strs[k]);
		snprintf(what, sizeof(what), "add_string(id=3,%s) rc=%d", esc(strs[k]), rc);
		print_list(what, list);
		mosquitto_property_free_all(&list);
		list = NULL;
		rc = mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, strs[k], "v");
		snprintf(what, sizeof(what), "add_string_pair(name=%s) rc=%d", esc(strs[k]), rc);
		print_list(what, list);
		mosquitto_property_free_all(&list);
		list = NULL;
		rc = mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "n", strs[k]);
		snprintf(what, sizeof(what), "add_string_pair(value=%s) rc=%d", esc(strs[k]), rc);
		print_list(what, list);
		mosquitto_property_free_all(&list);
	}
	/* Long strings and binaries. */
	char *big = malloc(65538);
	memset(big, 's', 65538);
	static const size_t biglens[] = {65534, 65535};
	for(size_t k = 0; k < sizeof(biglens) / sizeof(biglens[0]); k++){
		big[biglens[k]] = '\0';
		list = NULL;
		int rc = mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, big);
		snprintf(what, sizeof(what), "add_string(id=3,s*%zu) rc=%d", biglens[k], rc);
		print_list(what, list);
		mosquitto_property_free_all(&list);
		list = NULL;
		rc = mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, big, big);
		snprintf(what, sizeof(what), "add_string_pair(s*%zu,s*%zu) rc=%d", biglens[k], biglens[k], rc);
		print_list(what, list);
		mosquitto_property_free_all(&list);
		big[biglens[k]] = 's';
	}
	/* Strings longer than 65535 bytes do not fit an MQTT string; what the
	 * reference does with them is recorded by rc only (it does not reject
	 * them, and its stored length wraps). */
	big[65536] = '\0';
	list = NULL;
	out("add_string(id=3,s*65536) rc=%d", mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, big));
	mosquitto_property_free_all(&list);
	out("add_string_pair(s*65536,v) rc=%d",
			mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, big, "v"));
	mosquitto_property_free_all(&list);
	out("add_string_pair(n,s*65536) rc=%d",
			mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "n", big));
	mosquitto_property_free_all(&list);
	list = NULL;
	int rc = mosquitto_property_add_binary(&list, MQTT_PROP_CORRELATION_DATA, big, 65535);
	snprintf(what, sizeof(what), "add_binary(id=9,len=65535) rc=%d", rc);
	print_list(what, list);
	mosquitto_property_free_all(&list);
	free(big);
	SHOW(mosquitto_property_add_binary(&list, MQTT_PROP_CORRELATION_DATA, "", 0));
	SHOW(mosquitto_property_add_binary(&list, MQTT_PROP_AUTHENTICATION_DATA, "\xff\x00\x01", 3));
	/* NULL values the reference tolerates (it stores an empty value). A NULL
	 * binary with len > 0 crashes the reference and is not called. */
	SHOW(mosquitto_property_add_binary(&list, MQTT_PROP_CORRELATION_DATA, NULL, 0));
	SHOW(mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, NULL));
	SHOW(mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, NULL, "v"));
	SHOW(mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "n", NULL));
	SHOW(mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, NULL, NULL));
	/* A list grows at the tail, in call order. */
	list = NULL;
	for(int id = 1; id <= 42; id++){
		int t = prop_type(id);
		if(t != T_NONE) add_kind(&list, t, id);
	}
	add_kind(&list, T_PAIR, 38);
	add_kind(&list, T_VARINT, 11);
	print_list("all-properties", list);
	mosquitto_property_free_all(&list);
#undef SHOW
}

/* The shared list used by the read tests: every property once, with user
 * properties and subscription identifiers repeated. */
static mosquitto_property *build_master(void)
{
	mosquitto_property *list = NULL;
	int n = 0;
	for(int id = 1; id <= 42; id++){
		switch(prop_type(id)){
			case T_BYTE: mosquitto_property_add_byte(&list, id, (uint8_t)(id + 100)); break;
			case T_INT16: mosquitto_property_add_int16(&list, id, (uint16_t)(id * 1000)); break;
			case T_INT32: mosquitto_property_add_int32(&list, id, (uint32_t)id * 100000u + 7u); break;
			case T_VARINT: mosquitto_property_add_varint(&list, id, 200); break;
			case T_BINARY: mosquitto_property_add_binary(&list, id, "\x01\x00\x02", 3); break;
			case T_STRING: {
				char s[32];
				snprintf(s, sizeof(s), "s%d", id);
				mosquitto_property_add_string(&list, id, s);
				break;
			}
			case T_PAIR: mosquitto_property_add_string_pair(&list, id, "k1", "v1"); break;
		}
		if(id == 11){
			mosquitto_property_add_varint(&list, id, 268435455);
		}
		if(id == 38){
			mosquitto_property_add_string_pair(&list, id, "k2", "");
			mosquitto_property_add_string_pair(&list, id, "", "v3");
		}
		n++;
	}
	(void)n;
	mosquitto_property_add_varint(&list, 11, 1);
	mosquitto_property_add_string_pair(&list, 38, "k4", "v4");
	/* No empty string property (add_string with "" or NULL): the
	 * reference's copy_all crashes (strdup of NULL) on such a list. */
	mosquitto_property_add_binary(&list, 9, "", 0);
	return list;
}

static void test_property_read(void)
{
	mosquitto_property *master = build_master();
	print_list("master", master);
	const mosquitto_property *start_points[3];
	start_points[0] = master;
	start_points[1] = mosquitto_property_next(master);
	start_points[2] = mosquitto_property_next(mosquitto_property_next(mosquitto_property_next(master)));
	for(int sp = 0; sp < 3; sp++){
		const mosquitto_property *base = start_points[sp];
		for(size_t i = 0; i < N_PROP_IDS; i++){
			int id = prop_ids[i];
			for(int skip = 0; skip <= 1; skip++){
				const mosquitto_property *r;
				uint8_t b = 0xee;
				uint16_t i16 = 0xeeee;
				uint32_t i32 = 0xeeeeeeee;
				void *bin = SENT_PTR;
				uint16_t binlen = 0xeeee;
				char *s1 = SENT_PTR, *s2 = SENT_PTR;

				r = mosquitto_property_read_byte(base, id, &b, skip);
				out("read_byte start=%d id=%d skip=%d -> idx=%d value=%u", sp, id, skip,
						list_index(master, r), b);
				r = mosquitto_property_read_byte(base, id, NULL, skip);
				out("read_byte(NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip, list_index(master, r));

				r = mosquitto_property_read_int16(base, id, &i16, skip);
				out("read_int16 start=%d id=%d skip=%d -> idx=%d value=%u", sp, id, skip,
						list_index(master, r), i16);
				r = mosquitto_property_read_int16(base, id, NULL, skip);
				out("read_int16(NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip, list_index(master, r));

				r = mosquitto_property_read_int32(base, id, &i32, skip);
				out("read_int32 start=%d id=%d skip=%d -> idx=%d value=%u", sp, id, skip,
						list_index(master, r), i32);
				r = mosquitto_property_read_int32(base, id, NULL, skip);
				out("read_int32(NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip, list_index(master, r));

				i32 = 0xeeeeeeee;
				r = mosquitto_property_read_varint(base, id, &i32, skip);
				out("read_varint start=%d id=%d skip=%d -> idx=%d value=%u", sp, id, skip,
						list_index(master, r), i32);
				r = mosquitto_property_read_varint(base, id, NULL, skip);
				out("read_varint(NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip, list_index(master, r));

				r = mosquitto_property_read_binary(base, id, &bin, &binlen, skip);
				out("read_binary start=%d id=%d skip=%d -> idx=%d value=%s len=%u", sp, id, skip,
						list_index(master, r),
						(bin == SENT_PTR || bin == NULL) ? ptr_state(bin) : esc_n(bin, binlen), binlen);
				if(bin != SENT_PTR) free(bin);
				/* Only both-NULL or both-set: the reference returns NULL for
				 * exactly one NULL out-pointer (see below). */
				r = mosquitto_property_read_binary(base, id, NULL, NULL, skip);
				out("read_binary(NULL,NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip,
						list_index(master, r));

				r = mosquitto_property_read_string(base, id, &s1, skip);
				out("read_string start=%d id=%d skip=%d -> idx=%d value=%s", sp, id, skip,
						list_index(master, r), (s1 == SENT_PTR || s1 == NULL) ? ptr_state(s1) : esc(s1));
				if(s1 != SENT_PTR) free(s1);
				r = mosquitto_property_read_string(base, id, NULL, skip);
				out("read_string(NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip,
						list_index(master, r));

				s1 = SENT_PTR;
				r = mosquitto_property_read_string_pair(base, id, &s1, &s2, skip);
				out("read_string_pair start=%d id=%d skip=%d -> idx=%d name=%s value=%s", sp, id, skip,
						list_index(master, r), (s1 == SENT_PTR || s1 == NULL) ? ptr_state(s1) : esc(s1),
						(s2 == SENT_PTR || s2 == NULL) ? ptr_state(s2) : esc(s2));
				if(s1 != SENT_PTR) free(s1);
				if(s2 != SENT_PTR) free(s2);
				s1 = SENT_PTR;
				r = mosquitto_property_read_string_pair(base, id, &s1, NULL, skip);
				out("read_string_pair(&,NULL) start=%d id=%d skip=%d -> idx=%d name=%s", sp, id, skip,
						list_index(master, r), (s1 == SENT_PTR || s1 == NULL) ? ptr_state(s1) : esc(s1));
				if(s1 != SENT_PTR) free(s1);
				s2 = SENT_PTR;
				r = mosquitto_property_read_string_pair(base, id, NULL, &s2, skip);
				out("read_string_pair(NULL,&) start=%d id=%d skip=%d -> idx=%d value=%s", sp, id, skip,
						list_index(master, r), (s2 == SENT_PTR || s2 == NULL) ? ptr_state(s2) : esc(s2));
				if(s2 != SENT_PTR) free(s2);
				r = mosquitto_property_read_string_pair(base, id, NULL, NULL, skip);
				out("read_string_pair(NULL,NULL) start=%d id=%d skip=%d -> idx=%d", sp, id, skip,
						list_index(master, r));
			}
		}
	}
	/* Iterating over repeated properties with skip_first. */
	{
		uint32_t v = 0;
		int k = 0;
		const mosquitto_property *r = mosquitto_property_read_varint(master, 11, &v, false);
		while(r && k < 10){
			out("iterate varint 11 #%d idx=%d value=%u", k, list_index(master, r), v);
			r = mosquitto_property_read_varint(r, 11, &v, true);
			k++;
		}
		out("iterate varint 11 end after %d", k);
		char *n = NULL, *val = NULL;
		k = 0;
		r = mosquitto_property_read_string_pair(master, 38, &n, &val, false);
		while(r && k < 10){
			out("iterate pair 38 #%d idx=%d name=%s value=%s", k, list_index(master, r), esc(n), esc(val));
			free(n);
			free(val);
			n = val = NULL;
			r = mosquitto_property_read_string_pair(r, 38, &n, &val, true);
			k++;
		}
		out("iterate pair 38 end after %d", k);
	}
	/* One NULL out-pointer for binaries. */
	{
		void *bin = SENT_PTR;
		uint16_t len = 0xeeee;
		const mosquitto_property *r = mosquitto_property_read_binary(master, 9, &bin, NULL, false);
		out("read_binary(&,NULL) id=9 -> idx=%d value=%s", list_index(master, r),
				(bin == SENT_PTR || bin == NULL) ? ptr_state(bin) : "SET");
		if(bin != SENT_PTR) free(bin);
		r = mosquitto_property_read_binary(master, 9, NULL, &len, false);
		out("read_binary(NULL,&) id=9 -> idx=%d len=%u", list_index(master, r), len);
	}
	/* NULL lists. */
	{
		uint8_t b = 0xee;
		uint16_t i16 = 0xeeee, bl = 0xeeee;
		uint32_t i32 = 0xeeeeeeee;
		void *bin = SENT_PTR;
		char *s1 = SENT_PTR, *s2 = SENT_PTR;
		out("read_byte(NULL list) -> %s value=%u", ptr_state(mosquitto_property_read_byte(NULL, 1, &b, false)), b);
		out("read_int16(NULL list) -> %s value=%u", ptr_state(mosquitto_property_read_int16(NULL, 33, &i16, false)), i16);
		out("read_int32(NULL list) -> %s value=%u", ptr_state(mosquitto_property_read_int32(NULL, 2, &i32, false)), i32);
		out("read_varint(NULL list) -> %s value=%u", ptr_state(mosquitto_property_read_varint(NULL, 11, &i32, false)), i32);
		out("read_binary(NULL list) -> %s value=%s len=%u",
				ptr_state(mosquitto_property_read_binary(NULL, 9, &bin, &bl, false)), ptr_state(bin), bl);
		out("read_string(NULL list) -> %s value=%s",
				ptr_state(mosquitto_property_read_string(NULL, 3, &s1, false)), ptr_state(s1));
		out("read_string_pair(NULL list) -> %s name=%s value=%s",
				ptr_state(mosquitto_property_read_string_pair(NULL, 38, &s1, &s2, true)), ptr_state(s1),
				ptr_state(s2));
	}
	/* next / identifier. */
	{
		int i = 0;
		for(const mosquitto_property *p = master; p; p = mosquitto_property_next(p), i++){
			out("walk #%d identifier=%d", i, mosquitto_property_identifier(p));
		}
		out("walk end count=%d", i);
		out("identifier(NULL)=%d next(NULL)=%s", mosquitto_property_identifier(NULL),
				ptr_state(mosquitto_property_next(NULL)));
	}
	/* copy_all. */
	{
		mosquitto_property *copy = NULL;
		int rc = mosquitto_property_copy_all(&copy, master);
		char what[64];
		snprintf(what, sizeof(what), "copy_all(master) rc=%d", rc);
		print_list(what, copy);
		int shared = 0;
		for(const mosquitto_property *p = copy; p; p = mosquitto_property_next(p)){
			if(list_index(master, p) >= 0) shared++;
		}
		out("copy_all(master) nodes shared with source=%d", shared);
		mosquitto_property_free_all(&copy);
		out("free_all(copy) -> %s", ptr_state(copy));

		mosquitto_property *existing = NULL;
		mosquitto_property_add_byte(&existing, MQTT_PROP_MAXIMUM_QOS, 1);
		mosquitto_property *keep = existing;
		rc = mosquitto_property_copy_all(&existing, master);
		out("copy_all(into existing) rc=%d dest_replaced=%d", rc, existing != keep);
		if(existing != keep) mosquitto_property_free_all(&existing);
		mosquitto_property_free_all(&keep);

		existing = NULL;
		mosquitto_property_add_byte(&existing, MQTT_PROP_MAXIMUM_QOS, 1);
		keep = existing;
		rc = mosquitto_property_copy_all(&existing, NULL);
		out("copy_all(existing, NULL src) rc=%d dest=%s", rc,
				existing == keep ? "UNCHANGED" : ptr_state(existing));
		if(existing != keep) mosquitto_property_free_all(&existing);
		mosquitto_property_free_all(&keep);

		copy = SENT_PTR;
		rc = mosquitto_property_copy_all(&copy, NULL);
		out("copy_all(&sentinel, NULL) rc=%d dest=%s", rc, ptr_state(copy));
		out("copy_all(NULL, NULL) rc=%d", mosquitto_property_copy_all(NULL, NULL));
		out("copy_all(NULL, master) rc=%d", mosquitto_property_copy_all(NULL, master));

		/* Copy of a single-element tail. */
		const mosquitto_property *last = master;
		while(mosquitto_property_next(last)) last = mosquitto_property_next(last);
		copy = NULL;
		rc = mosquitto_property_copy_all(&copy, last);
		snprintf(what, sizeof(what), "copy_all(last) rc=%d", rc);
		print_list(what, copy);
		mosquitto_property_free_all(&copy);
	}
	mosquitto_property_free_all(&master);
	out("free_all(master) -> %s", ptr_state(master));
	mosquitto_property_free_all(NULL);
	out("free_all(NULL) ok");
	mosquitto_property *none = NULL;
	mosquitto_property_free_all(&none);
	out("free_all(&NULL) ok -> %s", ptr_state(none));
}

static void test_property_names(void)
{
	for(int id = -5; id <= 300; id++){
		out("identifier_to_string(%d) = %s", id, esc(mosquitto_property_identifier_to_string(id)));
	}
	out("identifier_to_string(INT_MIN) = %s", esc(mosquitto_property_identifier_to_string(INT_MIN)));
	out("identifier_to_string(INT_MAX) = %s", esc(mosquitto_property_identifier_to_string(INT_MAX)));

	static const char *names[] = {
		"payload-format-indicator", "message-expiry-interval", "content-type", "response-topic",
		"correlation-data", "subscription-identifier", "session-expiry-interval",
		"assigned-client-identifier", "server-keep-alive", "authentication-method",
		"authentication-data", "request-problem-information", "will-delay-interval",
		"request-response-information", "response-information", "server-reference",
		"reason-string", "receive-maximum", "topic-alias-maximum", "topic-alias", "maximum-qos",
		"retain-available", "user-property", "maximum-packet-size",
		"wildcard-subscription-available", "subscription-identifier-available",
		"shared-subscription-available",
		"CONTENT-TYPE", "Content-Type", "cOnTeNt-TyPe", "USER-PROPERTY", "Maximum-QoS",
		"content_type", "contenttype", "content-type ", " content-type", "content-typ",
		"content-typex", "content", "", "-", "user", "property", "user-properties",
		"subscription-identifiers-available", "will-delay", "topic", "qos", "\xff",
		"content-type\n", "1", "3", "0x03", "maximum-packet-size\xff",
		"wildcard-subscriptions-available", "shared-subscriptions-available",
		"subscription-identifier-availabl", "request-problem-info", "auth-method",
	};
	for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++){
		int id = SENT_INT, type = SENT_INT;
		int rc = mosquitto_string_to_property_info(names[i], &id, &type);
		out("string_to_property_info(%s) rc=%d id=%d type=%d", esc(names[i]), rc, id, type);
	}
	/* Every name the library itself reports. */
	for(int i = 0; i <= 300; i++){
		const char *n = mosquitto_property_identifier_to_string(i);
		if(n){
			int id = SENT_INT, type = SENT_INT;
			int rc = mosquitto_string_to_property_info(n, &id, &type);
			out("string_to_property_info(name of %d) rc=%d id=%d type=%d", i, rc, id, type);
		}
	}
	/* NULL name: tolerated. NULL out-pointers: the reference writes through
	 * them for a valid name (crash), so only unknown names are used. */
	{
		int id = SENT_INT, type = SENT_INT;
		int rc = mosquitto_string_to_property_info(NULL, &id, &type);
		out("string_to_property_info(NULL) rc=%d id=%d type=%d", rc, id, type);
		type = SENT_INT;
		out("string_to_property_info(junk,NULL,&) rc=%d type=%d",
				mosquitto_string_to_property_info("junk", NULL, &type), type);
		id = SENT_INT;
		out("string_to_property_info(junk,&,NULL) rc=%d id=%d",
				mosquitto_string_to_property_info("junk", &id, NULL), id);
		out("string_to_property_info(junk,NULL,NULL) rc=%d",
				mosquitto_string_to_property_info("junk", NULL, NULL));
	}
}

static const int commands[] = {
	CMD_CONNECT, CMD_CONNACK, CMD_PUBLISH, CMD_PUBACK, CMD_PUBREC, CMD_PUBREL, CMD_PUBCOMP,
	CMD_SUBSCRIBE, CMD_SUBACK, CMD_UNSUBSCRIBE, CMD_UNSUBACK, CMD_PINGREQ, CMD_PINGRESP,
	CMD_DISCONNECT, CMD_AUTH, CMD_WILL,
	0, 1, 0x0f, 0x11, 0x12, 0x31, 0x32, 0x3f, 0x62, 0x82, 0xa2, 0xff, 0x101, 0x110, 0x130,
	0x200, -1, -0x10, INT_MAX, INT_MIN,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void test_property_check_command(void)
{
	for(size_t c = 0; c < N_COMMANDS; c++){
		char line[1024];
		size_t o = (size_t)snprintf(line, sizeof(line), "check_command cmd=0x%x:", (unsigned)commands[c]);
		for(size_t i = 0; i < N_PROP_IDS; i++){
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %d=%d", prop_ids[i],
					mosquitto_property_check_command(commands[c], prop_ids[i]));
		}
		out("%s", line);
	}
}

static int add_value(mosquitto_property **list, int id, uint32_t v)
{
	switch(prop_type(id)){
		case T_BYTE: return mosquitto_property_add_byte(list, id, (uint8_t)v);
		case T_INT16: return mosquitto_property_add_int16(list, id, (uint16_t)v);
		case T_INT32: return mosquitto_property_add_int32(list, id, v);
		case T_VARINT: return mosquitto_property_add_varint(list, id, v);
		case T_BINARY: return mosquitto_property_add_binary(list, id, "bin", 3);
		case T_STRING: return mosquitto_property_add_string(list, id, "str");
		case T_PAIR: return mosquitto_property_add_string_pair(list, id, "n", "v");
	}
	return -999;
}

static void test_property_check_all(void)
{
	static const uint32_t values[] = {0, 1, 2, 255, 65535, 268435455};
	for(size_t c = 0; c < N_COMMANDS; c++){
		int cmd = commands[c];
		out("check_all cmd=0x%x NULL list rc=%d", (unsigned)cmd, mosquitto_property_check_all(cmd, NULL));
		for(int id = 1; id <= 42; id++){
			if(prop_type(id) == T_NONE) continue;
			char line[512];
			size_t o = (size_t)snprintf(line, sizeof(line), "check_all cmd=0x%x id=%d single:", (unsigned)cmd, id);
			for(size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++){
				mosquitto_property *list = NULL;
				add_value(&list, id, values[k]);
				o += (size_t)snprintf(line + o, sizeof(line) - o, " v%u=%d", values[k],
						mosquitto_property_check_all(cmd, list));
				mosquitto_property_free_all(&list);
			}
			/* Duplicated, and duplicated with other properties between. */
			mosquitto_property *list = NULL;
			add_value(&list, id, 1);
			add_value(&list, id, 1);
			o += (size_t)snprintf(line + o, sizeof(line) - o, " dup=%d", mosquitto_property_check_all(cmd, list));
			mosquitto_property_free_all(&list);
			add_value(&list, id, 1);
			mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "a", "b");
			mosquitto_property_add_string(&list, MQTT_PROP_REASON_STRING, "r");
			add_value(&list, id, 1);
			o += (size_t)snprintf(line + o, sizeof(line) - o, " dup-apart=%d",
					mosquitto_property_check_all(cmd, list));
			mosquitto_property_free_all(&list);
			add_value(&list, id, 1);
			add_value(&list, id, 1);
			add_value(&list, id, 1);
			o += (size_t)snprintf(line + o, sizeof(line) - o, " triple=%d",
					mosquitto_property_check_all(cmd, list));
			mosquitto_property_free_all(&list);
			out("%s", line);
		}
		/* Multi-property lists. */
		mosquitto_property *list = NULL;
		for(int id = 1; id <= 42; id++){
			if(prop_type(id) != T_NONE && mosquitto_property_check_command(cmd, id) == 0){
				add_value(&list, id, 1);
			}
		}
		out("check_all cmd=0x%x all-allowed rc=%d", (unsigned)cmd, mosquitto_property_check_all(cmd, list));
		mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "x", "y");
		mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "x", "y");
		out("check_all cmd=0x%x all-allowed+users rc=%d", (unsigned)cmd, mosquitto_property_check_all(cmd, list));
		mosquitto_property_free_all(&list);
		for(int id = 1; id <= 42; id++){
			if(prop_type(id) != T_NONE) add_value(&list, id, 1);
		}
		out("check_all cmd=0x%x every-property rc=%d", (unsigned)cmd, mosquitto_property_check_all(cmd, list));
		mosquitto_property_free_all(&list);
		/* Invalid properties (from the add cross product) appended to a valid list. */
		mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, "x", "y");
		mosquitto_property_add_varint(&list, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, 5);
		mosquitto_property_add_varint(&list, MQTT_PROP_SUBSCRIPTION_IDENTIFIER, 6);
		out("check_all cmd=0x%x user+subid*2 rc=%d", (unsigned)cmd, mosquitto_property_check_all(cmd, list));
		mosquitto_property_free_all(&list);
	}
}

int main(void)
{
	/* Line-buffered, so that output up to a crash is not lost. */
	setvbuf(stdout, NULL, _IOLBF, 1 << 16);
	report_loaded_library();
	test_version();
	test_init_cleanup();
	test_strings();
	test_string_to_command();
	build_corpus();
	test_topic_matches();
	test_topic_checks();
	test_tokenise();
	test_utf8_cases();
	test_utf8_sweep();
	test_messages();
	test_property_add();
	test_property_read();
	test_property_names();
	test_property_check_command();
	test_property_check_all();
	free_corpus();
	out("lib_cleanup(final) rc=%d", mosquitto_lib_cleanup());
	out("END");
	return 0;
}
