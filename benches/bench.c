/*
 * Benchmark of a libmosquitto.so.1 implementation: one program, compiled
 * once against /usr/include/mosquitto.h and linked -lmosquitto, run on
 * Debian's library and on ours (LD_LIBRARY_PATH=target/release).
 *
 * Usage: bench <scenario> [options]
 *   pub0      QoS 0 publish from the main thread, loop_start thread writes
 *   pub0loop  QoS 0 publish, single thread driving mosquitto_loop()
 *   pubq      QoS 1/2 publish (-q), -i max_inflight, counts on_publish
 *   sub       receive a flood at QoS -q from the sink, counts on_message
 *   rtt       publish at QoS -q to a topic we subscribe to (at -q), one at a
 *             time, through a broker (-p its port), TCP_NODELAY set
 *             (p50/p90/p99/max)
 *   clients   -n clients, one epoll loop; VmRSS per client (after a first
 *             one), 1 QoS 1 each
 *   connect   -n connect/CONNACK/disconnect cycles (-c cafile: over TLS)
 * Options: -p port (sink or broker), -n count, -s payload size, -q qos,
 *          -i max inflight, -w sink flood window, -c CA file (connect
 *          over TLS).
 *
 * The sink (benches/sink) counts PUBLISHes per connection and answers a
 * PUBLISH to "bench/done" with "bench/report" = "<msgs> <bytes>"; any
 * difference from what was sent, and any stall, fails the run (exit 1).
 *
 * Output: "LIB <path>" once, then "RESULT scenario=... value=... unit=..."
 * lines with the measured numbers.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define HOST "127.0.0.1"
#define STALL_SECONDS 15

static int opt_port = 1883;
static long opt_n = 100000;
static int opt_size = 64;
static int opt_qos = 0;
static int opt_inflight = 20;
static int opt_window = 100;
static const char *opt_cafile = NULL;
static const char *lib_path = "?";

/* Shared between the calling thread and the library's callbacks. */
struct state {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int connected;
    int disconnected;
    int subscribed;
    long published;
    long received;
    long recv_bytes;
    long target;
    int report;
    long rep_msgs;
    long rep_bytes;
};

static struct state st = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void signal_all(void)
{
    pthread_cond_broadcast(&st.cv);
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    (void)ud;
    pthread_mutex_lock(&st.mu);
    st.connected = rc == 0 ? 1 : -1;
    signal_all();
    pthread_mutex_unlock(&st.mu);
}

static void on_disconnect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    (void)ud;
    (void)rc;
    pthread_mutex_lock(&st.mu);
    st.disconnected = 1;
    st.connected = 0;
    signal_all();
    pthread_mutex_unlock(&st.mu);
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *q)
{
    (void)m;
    (void)ud;
    (void)mid;
    (void)n;
    (void)q;
    pthread_mutex_lock(&st.mu);
    st.subscribed = 1;
    signal_all();
    pthread_mutex_unlock(&st.mu);
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    (void)ud;
    (void)mid;
    pthread_mutex_lock(&st.mu);
    if (++st.published == st.target)
        signal_all();
    pthread_mutex_unlock(&st.mu);
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m;
    (void)ud;
    pthread_mutex_lock(&st.mu);
    if (strcmp(msg->topic, "bench/report") == 0) {
        char buf[64] = {0};
        memcpy(buf, msg->payload, msg->payloadlen < 63 ? msg->payloadlen : 63);
        if (sscanf(buf, "%ld %ld", &st.rep_msgs, &st.rep_bytes) != 2)
            st.rep_msgs = -1;
        st.report = 1;
        signal_all();
    } else {
        st.recv_bytes += msg->payloadlen;
        if (++st.received == st.target)
            signal_all();
    }
    pthread_mutex_unlock(&st.mu);
}

/* Waits (callbacks run on the loop thread) until *flag reaches want, failing
 * when *progress stops changing for STALL_SECONDS. */
static void wait_for(volatile long *value, long want, volatile long *progress, const char *what)
{
    pthread_mutex_lock(&st.mu);
    long last = *progress;
    double last_change = now();
    while (*value < want) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&st.cv, &st.mu, &ts);
        if (*progress != last) {
            last = *progress;
            last_change = now();
        } else if (now() - last_change > STALL_SECONDS) {
            pthread_mutex_unlock(&st.mu);
            die("%s: stalled at %ld of %ld", what, *value, want);
        }
    }
    pthread_mutex_unlock(&st.mu);
}

static void wait_int(volatile int *flag, const char *what)
{
    pthread_mutex_lock(&st.mu);
    double start = now();
    while (*flag == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&st.cv, &st.mu, &ts);
        if (now() - start > STALL_SECONDS) {
            pthread_mutex_unlock(&st.mu);
            die("timed out waiting for %s", what);
        }
    }
    int v = *flag;
    pthread_mutex_unlock(&st.mu);
    if (v < 0)
        die("%s failed", what);
}

static struct mosquitto *client(const char *id)
{
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    if (!m)
        die("mosquitto_new");
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_disconnect_callback_set(m, on_disconnect);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_message_callback_set(m, on_message);
    return m;
}

static void connect_threaded(struct mosquitto *m)
{
    int rc = mosquitto_connect(m, HOST, opt_port, 60);
    if (rc)
        die("mosquitto_connect: %s", mosquitto_strerror(rc));
    if ((rc = mosquitto_loop_start(m)))
        die("mosquitto_loop_start: %s", mosquitto_strerror(rc));
    wait_int(&st.connected, "CONNACK");
}

static void finish_threaded(struct mosquitto *m)
{
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
}

/* Asks the sink how many messages it counted and checks them. */
static void check_report(struct mosquitto *m, long msgs, long bytes, int threaded)
{
    int rc = mosquitto_publish(m, NULL, "bench/done", 0, NULL, 0, false);
    if (rc)
        die("publish done: %s", mosquitto_strerror(rc));
    if (threaded) {
        wait_int(&st.report, "sink report");
    } else {
        double start = now();
        while (!st.report) {
            mosquitto_loop(m, 100, 1);
            if (now() - start > STALL_SECONDS)
                die("timed out waiting for the sink report");
        }
    }
    if (st.rep_msgs != msgs || st.rep_bytes != bytes)
        die("sink counted %ld msgs / %ld bytes, sent %ld / %ld", st.rep_msgs, st.rep_bytes, msgs,
            bytes);
}

static void result(const char *scenario, double value, const char *unit, const char *fmt, ...)
{
    char extra[256] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(extra, sizeof extra, fmt, ap);
        va_end(ap);
    }
    printf("RESULT scenario=%s value=%.3f unit=%s %s lib=%s\n", scenario, value, unit, extra,
           lib_path);
    fflush(stdout);
}

static void bench_pub0(int use_loop)
{
    struct mosquitto *m = client(NULL);
    char *payload = malloc(opt_size);
    memset(payload, 'p', opt_size);
    if (use_loop) {
        int rc = mosquitto_connect(m, HOST, opt_port, 60);
        if (rc)
            die("mosquitto_connect: %s", mosquitto_strerror(rc));
        while (st.connected == 0)
            if ((rc = mosquitto_loop(m, 1000, 1)))
                die("mosquitto_loop: %s", mosquitto_strerror(rc));
    } else {
        connect_threaded(m);
    }
    double t0 = now();
    for (long i = 0; i < opt_n; i++) {
        int rc = mosquitto_publish(m, NULL, "bench/t", opt_size, payload, 0, false);
        if (rc)
            die("mosquitto_publish #%ld: %s", i, mosquitto_strerror(rc));
        if (use_loop && i % 100 == 99 && (rc = mosquitto_loop(m, 0, 1)))
            die("mosquitto_loop: %s", mosquitto_strerror(rc));
    }
    check_report(m, opt_n, opt_n * opt_size, !use_loop);
    double secs = now() - t0;
    char name[32];
    snprintf(name, sizeof name, "%s%s", use_loop ? "pub0_loop" : "pub0",
             opt_size == 64 ? "" : (opt_size == 4096 ? "_4k" : "_other"));
    result(name, opt_n / secs, "msgs/s", "msgs=%ld bytes=%ld seconds=%.4f", opt_n,
           opt_n * opt_size, secs);
    if (use_loop) {
        mosquitto_disconnect(m);
        mosquitto_destroy(m);
    } else {
        finish_threaded(m);
    }
    free(payload);
}

static void bench_pubq(void)
{
    struct mosquitto *m = client(NULL);
    char payload[64];
    memset(payload, 'q', sizeof payload);
    int size = opt_size < 64 ? opt_size : 64;
    mosquitto_max_inflight_messages_set(m, opt_inflight);
    connect_threaded(m);
    st.target = opt_n;
    double t0 = now();
    for (long i = 0; i < opt_n; i++) {
        int rc = mosquitto_publish(m, NULL, "bench/q", size, payload, opt_qos, false);
        if (rc)
            die("mosquitto_publish #%ld: %s", i, mosquitto_strerror(rc));
    }
    wait_for(&st.published, opt_n, &st.published, "on_publish");
    double secs = now() - t0;
    check_report(m, opt_n, opt_n * size, 1);
    char name[32];
    snprintf(name, sizeof name, "pub%d_if%d", opt_qos, opt_inflight);
    result(name, opt_n / secs, "msgs/s", "msgs=%ld bytes=%ld seconds=%.4f", opt_n,
           opt_n * size, secs);
    finish_threaded(m);
}

static void bench_sub(void)
{
    struct mosquitto *m = client(NULL);
    connect_threaded(m);
    char topic[96];
    snprintf(topic, sizeof topic, "flood/%d/%ld/%d/%d", opt_qos, opt_n, opt_size, opt_window);
    st.target = opt_n;
    double t0 = now();
    int rc = mosquitto_subscribe(m, NULL, topic, opt_qos);
    if (rc)
        die("mosquitto_subscribe: %s", mosquitto_strerror(rc));
    wait_for(&st.received, opt_n, &st.received, "on_message");
    double secs = now() - t0;
    if (st.recv_bytes != opt_n * opt_size)
        die("received %ld bytes, expected %ld", st.recv_bytes, opt_n * opt_size);
    char name[32];
    snprintf(name, sizeof name, "sub%d", opt_qos);
    result(name, opt_n / secs, "msgs/s", "msgs=%ld bytes=%ld seconds=%.4f", opt_n,
           st.recv_bytes, secs);
    finish_threaded(m);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench_rtt(void)
{
    struct mosquitto *m = client(NULL);
    /* As a latency-minded program does: no Nagle on our side. The broker
     * keeps its default (Nagle on): how our ACKs leave decides whether its
     * second small packet in a row waits for our delayed ACK (~40 ms). */
    int rc = mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    if (rc)
        die("mosquitto_int_option(TCP_NODELAY): %s", mosquitto_strerror(rc));
    connect_threaded(m);
    char topic[64];
    snprintf(topic, sizeof topic, "bench/rtt/%d", (int)getpid());
    if (mosquitto_subscribe(m, NULL, topic, opt_qos))
        die("mosquitto_subscribe");
    wait_int(&st.subscribed, "SUBACK");
    char payload[64];
    memset(payload, 'r', sizeof payload);
    long warm = opt_n / 10;
    double *lat = calloc(opt_n, sizeof *lat);
    for (long i = 0; i < warm + opt_n; i++) {
        st.target = i + 1;
        double t0 = now();
        if (mosquitto_publish(m, NULL, topic, sizeof payload, payload, opt_qos, false))
            die("mosquitto_publish");
        /* One round trip: until the message is back (at QoS 1/2 the
         * broker's acknowledgement of ours may still be on its way). */
        wait_for(&st.received, i + 1, &st.received, "rtt echo");
        if (i >= warm)
            lat[i - warm] = (now() - t0) * 1e6;
    }
    qsort(lat, opt_n, sizeof *lat, cmp_double);
    char name[32];
    static const struct {
        const char *suffix;
        double q;
    } pct[] = {{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"max", 1.0}};
    for (size_t k = 0; k < sizeof pct / sizeof pct[0]; k++) {
        long at = (long)(opt_n * pct[k].q);
        if (at >= opt_n)
            at = opt_n - 1;
        snprintf(name, sizeof name, "rtt%d_%s", opt_qos, pct[k].suffix);
        result(name, lat[at], "us", "msgs=%ld", opt_n);
    }
    finish_threaded(m);
    free(lat);
}

/* A "<field>: <n> kB" line of /proc/self/status (VmRSS, RssAnon, ...). */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t len = strlen(field);
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, len) && line[len] == ':') {
            kb = atol(line + len + 1);
            break;
        }
    if (f)
        fclose(f);
    return kb;
}

static long vm_rss_kb(void)
{
    return status_kb("VmRSS");
}

static void raise_nofile(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    struct rlimit wide = {65536, 65536};
    if (lim.rlim_max > wide.rlim_max)
        wide.rlim_cur = wide.rlim_max = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &wide) != 0) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

/* Drives every client with one epoll loop until *counter reaches want. */
static void drive(int ep, struct mosquitto **ms, long k, volatile long *counter, long want,
                  const char *what)
{
    struct epoll_event evs[1024];
    double last_change = now(), last_misc = now();
    long last = *counter;
    for (long i = 0; i < k; i++)
        if (mosquitto_want_write(ms[i]))
            mosquitto_loop_write(ms[i], 1);
    while (*counter < want) {
        int n = epoll_wait(ep, evs, 1024, 100);
        for (int e = 0; e < n; e++) {
            struct mosquitto *m = ms[evs[e].data.u32];
            if (evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                mosquitto_loop_read(m, 1);
            if (mosquitto_want_write(m))
                mosquitto_loop_write(m, 1);
        }
        if (now() - last_misc > 1) {
            for (long i = 0; i < k; i++)
                mosquitto_loop_misc(ms[i]);
            last_misc = now();
        }
        if (*counter != last) {
            last = *counter;
            last_change = now();
        } else if (now() - last_change > STALL_SECONDS) {
            die("%s: stalled at %ld of %ld", what, *counter, want);
        }
    }
}

static long conn_count;
static void on_connect_count(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    (void)ud;
    if (rc == 0)
        conn_count++;
}

/* Makes client i of ms, connects it to the sink and adds its socket to ep;
 * returns NULL on success, else why it could not. */
static const char *add_client(int ep, struct mosquitto **ms, long i)
{
    struct mosquitto *m = mosquitto_new(NULL, true, NULL);
    if (!m)
        return "mosquitto_new";
    mosquitto_connect_callback_set(m, on_connect_count);
    mosquitto_publish_callback_set(m, on_publish);
    int rc = mosquitto_connect(m, HOST, opt_port, 600);
    if (rc) {
        const char *why = errno == EMFILE ? "EMFILE" : mosquitto_strerror(rc);
        mosquitto_destroy(m);
        return why;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, mosquitto_socket(m), &ev) != 0) {
        mosquitto_destroy(m);
        return "epoll_ctl";
    }
    ms[i] = m;
    return NULL;
}

/*
 * RSS per idle connected client. One client is connected first, alone:
 * what it costs (the library's code pages, the resolver, first
 * allocations) is paid once per process, and is reported apart as
 * "<name>_first". The n measured clients come after it, so their number is
 * what each further client costs.
 */
static void bench_clients(void)
{
    raise_nofile();
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    long k = opt_n;
    struct mosquitto **ms = calloc(k + 1, sizeof *ms);
    int ep = epoll_create1(0);
    char payload[64];
    memset(payload, 'c', sizeof payload);
    long rss_none = vm_rss_kb(), anon_none = status_kb("RssAnon");
    const char *stop = add_client(ep, ms, 0);
    if (stop)
        die("clients: the first client: %s", stop);
    drive(ep, ms, 1, &conn_count, 1, "the first CONNACK");
    long rss0 = vm_rss_kb(), anon0 = status_kb("RssAnon");
    double t0 = now();
    long made = 0;
    for (; made < k; made++)
        if ((stop = add_client(ep, ms, made + 1)))
            break;
    if (made < k)
        fprintf(stderr, "bench: clients: stopped at %ld of %ld (%s, RLIMIT_NOFILE %ld)\n", made,
                k, stop, (long)lim.rlim_cur);
    drive(ep, ms, made + 1, &conn_count, made + 1, "CONNACKs");
    double t_conn = now() - t0;
    long rss1 = vm_rss_kb();
    double t1 = now();
    st.target = -1;
    for (long i = 0; i <= made; i++)
        if (mosquitto_publish(ms[i], NULL, "bench/c", sizeof payload, payload, 1, false))
            die("mosquitto_publish on client %ld", i);
    drive(ep, ms, made + 1, &st.published, made + 1, "PUBACKs");
    double t_pub = now() - t1;
    char name[32];
    snprintf(name, sizeof name, "clients%ld", k);
    double per = made ? (double)(rss1 - rss0) / made : 0;
    result(name, per, "KiB_rss/client",
           "requested=%ld connected=%ld connect_seconds=%.3f publish_seconds=%.3f nofile=%ld", k,
           made, t_conn, t_pub, (long)lim.rlim_cur);
    char cname[48];
    snprintf(cname, sizeof cname, "%s_reached", name);
    result(cname, made, "clients", NULL);
    snprintf(cname, sizeof cname, "%s_first", name);
    result(cname, rss0 - rss_none, "KiB_rss", NULL);
    /* The part of it that is memory the process allocated (heap, stacks),
     * as opposed to pages of the libraries' files mapped in. */
    snprintf(cname, sizeof cname, "%s_first_anon", name);
    result(cname, anon0 - anon_none, "KiB_rss", NULL);
    for (long i = 0; i <= made; i++)
        mosquitto_destroy(ms[i]);
    free(ms);
    close(ep);
}

static void bench_connect(void)
{
    struct mosquitto *m = client(NULL);
    /* With -c, every connection makes a full TLS handshake (no session
     * resumption in either library) and verifies the broker's certificate
     * against that CA file. */
    if (opt_cafile) {
        int rc = mosquitto_tls_set(m, opt_cafile, NULL, NULL, NULL, NULL);
        if (rc)
            die("mosquitto_tls_set: %s", mosquitto_strerror(rc));
    }
    double t0 = now();
    for (long i = 0; i < opt_n; i++) {
        st.connected = 0;
        st.disconnected = 0;
        int rc = mosquitto_connect(m, HOST, opt_port, 60);
        if (rc)
            die("mosquitto_connect #%ld: %s", i, mosquitto_strerror(rc));
        double start = now();
        while (st.connected == 0) {
            if ((rc = mosquitto_loop(m, 1000, 1)))
                die("mosquitto_loop #%ld: %s", i, mosquitto_strerror(rc));
            if (now() - start > STALL_SECONDS)
                die("no CONNACK for connect #%ld", i);
        }
        if ((rc = mosquitto_disconnect(m)))
            die("mosquitto_disconnect #%ld: %s", i, mosquitto_strerror(rc));
        start = now();
        while (!st.disconnected) {
            if (mosquitto_loop(m, 10, 1) == MOSQ_ERR_NO_CONN)
                break;
            if (now() - start > STALL_SECONDS)
                die("no disconnect for connect #%ld", i);
        }
    }
    double secs = now() - t0;
    result(opt_cafile ? "connect_tls" : "connect", opt_n / secs, "conn/s",
           "msgs=%ld seconds=%.4f", opt_n, secs);
    mosquitto_destroy(m);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: bench <pub0|pub0loop|pubq|sub|rtt|clients|connect> [-p port] [-n count] "
            "[-s size] [-q qos] [-i inflight] [-w window] [-c cafile]");
    const char *scenario = argv[1];
    int c;
    optind = 2;
    while ((c = getopt(argc, argv, "p:n:s:q:i:w:c:")) != -1) {
        switch (c) {
        case 'p': opt_port = atoi(optarg); break;
        case 'n': opt_n = atol(optarg); break;
        case 's': opt_size = atoi(optarg); break;
        case 'q': opt_qos = atoi(optarg); break;
        case 'i': opt_inflight = atoi(optarg); break;
        case 'w': opt_window = atoi(optarg); break;
        case 'c': opt_cafile = optarg; break;
        default: die("bad option");
        }
    }
    Dl_info info;
    void *sym = dlsym(RTLD_DEFAULT, "mosquitto_lib_version");
    if (sym && dladdr(sym, &info) && info.dli_fname) {
        static char real[4096];
        lib_path = realpath(info.dli_fname, real) ? real : info.dli_fname;
    }
    printf("LIB %s\n", lib_path);
    fflush(stdout);
    mosquitto_lib_init();
    if (!strcmp(scenario, "pub0"))
        bench_pub0(0);
    else if (!strcmp(scenario, "pub0loop"))
        bench_pub0(1);
    else if (!strcmp(scenario, "pubq"))
        bench_pubq();
    else if (!strcmp(scenario, "sub"))
        bench_sub();
    else if (!strcmp(scenario, "rtt"))
        bench_rtt();
    else if (!strcmp(scenario, "clients"))
        bench_clients();
    else if (!strcmp(scenario, "connect"))
        bench_connect();
    else
        die("unknown scenario %s", scenario);
    mosquitto_lib_cleanup();
    return 0;
}
