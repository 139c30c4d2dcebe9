/*
 * Debian's C++ wrapper (libmosquittopp.so.1, which links libmosquitto.so.1)
 * running on top of whichever libmosquitto the loader picks.
 *
 * Usage: cpp_wrapper HOST PORT
 *
 * A class derived from mosqpp::mosquittopp connects, subscribes, publishes
 * at QoS 0, 1 and 2, receives its own messages, unsubscribes and
 * disconnects, driving the network with loop() and then with
 * loop_start()/loop_stop(). Prints deterministic lines; exits non-zero with
 * a message on failure, and an alarm stops it after a hard timeout.
 */
#include <mosquittopp.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <dlfcn.h>
#include <unistd.h>

namespace {

const int kHardTimeoutS = 60;
const int kWaitMs = 10000;

[[noreturn]] void fail(const std::string &what)
{
	std::fflush(stdout);
	std::fprintf(stderr, "FAIL %s\n", what.c_str());
	std::printf("FAIL\n");
	std::exit(1);
}

void on_alarm(int)
{
	static const char msg[] = "FAIL hard timeout\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		// nothing more can be done
	}
	_exit(3);
}

// Prints the libmosquitto file actually loaded, for the test harness.
void report_loaded_library()
{
	Dl_info info;
	if (dladdr(reinterpret_cast<void *>(&mosquitto_lib_version), &info) && info.dli_fname) {
		char *real = realpath(info.dli_fname, nullptr);
		std::fprintf(stderr, "LOADED %s\n", real ? real : info.dli_fname);
		std::free(real);
	} else {
		std::fprintf(stderr, "LOADED ?\n");
	}
}

void line(const std::string &s)
{
	std::printf("%s\n", s.c_str());
	std::fflush(stdout);
}

class Client : public mosqpp::mosquittopp {
public:
	explicit Client(const char *id) : mosqpp::mosquittopp(id, true) {}

	int connects = 0, subscribes = 0, unsubscribes = 0, publishes = 0, messages = 0,
	    disconnects = 0;
	std::mutex m;
	std::condition_variable cv;

	void on_connect(int rc) override
	{
		line("on_connect rc=" + std::to_string(rc));
	}
	// Called right after on_connect: counting here means both lines are out
	// when a waiter wakes.
	void on_connect_with_flags(int rc, int flags) override
	{
		line("on_connect_with_flags rc=" + std::to_string(rc) + " flags=" + std::to_string(flags));
		bump(connects);
	}
	void on_subscribe(int mid, int count, const int *granted) override
	{
		std::string g;
		for (int i = 0; i < count; i++) {
			g += (i ? "," : "") + std::to_string(granted[i]);
		}
		line("on_subscribe mid=" + std::to_string(mid) + " granted=" + g);
		bump(subscribes);
	}
	void on_unsubscribe(int mid) override
	{
		line("on_unsubscribe mid=" + std::to_string(mid));
		bump(unsubscribes);
	}
	void on_publish(int mid) override
	{
		line("on_publish mid=" + std::to_string(mid));
		bump(publishes);
	}
	void on_message(const struct mosquitto_message *msg) override
	{
		std::string payload(static_cast<const char *>(msg->payload), static_cast<size_t>(msg->payloadlen));
		line("on_message topic=" + std::string(msg->topic) + " payload=" + payload +
		     " qos=" + std::to_string(msg->qos) + " retain=" + std::to_string(msg->retain));
		bump(messages);
	}
	void on_disconnect(int rc) override
	{
		line("on_disconnect rc=" + std::to_string(rc));
		bump(disconnects);
	}

	// Drives loop() until counter reaches target.
	void loop_until(const int &counter, int target, const char *what)
	{
		auto start = std::chrono::steady_clock::now();
		while (get(counter) < target) {
			int rc = loop(100, 1);
			if (rc != MOSQ_ERR_SUCCESS && get(counter) < target) {
				fail(std::string("loop rc=") + std::to_string(rc) + " (" + mosqpp::strerror(rc) +
				     ") waiting for " + what);
			}
			if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(kWaitMs)) {
				fail(std::string("timeout waiting for ") + what);
			}
		}
	}

	// Waits for the library's thread to bring counter to target.
	void wait_until(const int &counter, int target, const char *what)
	{
		std::unique_lock<std::mutex> lk(m);
		if (!cv.wait_for(lk, std::chrono::milliseconds(kWaitMs), [&] { return counter >= target; })) {
			fail(std::string("timeout waiting for ") + what);
		}
	}

private:
	void bump(int &counter)
	{
		std::lock_guard<std::mutex> lk(m);
		counter++;
		cv.notify_all();
	}
	int get(const int &counter)
	{
		std::lock_guard<std::mutex> lk(m);
		return counter;
	}
};

void check(int rc, const std::string &what, int expected = MOSQ_ERR_SUCCESS)
{
	line(what + " rc=" + std::to_string(rc));
	if (rc != expected) {
		fail(what + " returned " + std::to_string(rc) + ", expected " + std::to_string(expected));
	}
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::fprintf(stderr, "usage: cpp_wrapper HOST PORT\n");
		return 2;
	}
	const char *host = argv[1];
	int port = std::atoi(argv[2]);
	std::signal(SIGALRM, on_alarm);
	std::signal(SIGPIPE, SIG_IGN);
	alarm(kHardTimeoutS);

	report_loaded_library();
	int major = 0, minor = 0, revision = 0;
	mosqpp::lib_version(&major, &minor, &revision);
	// Only the major version: ours reports 2.1 on purpose (docs/differences.md).
	line("lib_version major=" + std::to_string(major));
	check(mosqpp::lib_init(), "lib_init");
	{
		Client c("cpp-wrapper");
		int mid = -1;
		const char *topic = "cpp/wrapper/t";

		check(c.publish(&mid, topic, 1, "x", 3), "publish qos 3", MOSQ_ERR_INVAL);
		check(c.publish(&mid, topic, 1, "x", 0), "publish unconnected", MOSQ_ERR_NO_CONN);
		check(c.connect(host, port, 60), "connect");
		c.loop_until(c.connects, 1, "connack");
		int rc = c.subscribe(&mid, topic, 2);
		check(rc, "subscribe mid=" + std::to_string(mid));
		c.loop_until(c.subscribes, 1, "suback");

		for (int qos = 0; qos <= 2; qos++) {
			std::string payload = "cpp-qos" + std::to_string(qos);
			rc = c.publish(&mid, topic, static_cast<int>(payload.size()), payload.data(), qos);
			check(rc, "publish qos " + std::to_string(qos) + " mid=" + std::to_string(mid));
			c.loop_until(c.messages, qos + 1, "message");
			c.loop_until(c.publishes, qos + 1, "publish ack");
		}

		rc = c.unsubscribe(&mid, topic);
		check(rc, "unsubscribe mid=" + std::to_string(mid));
		c.loop_until(c.unsubscribes, 1, "unsuback");
		check(c.disconnect(), "disconnect");
		c.loop_until(c.disconnects, 1, "on_disconnect");

		// The same again with the library's own thread.
		check(c.connect_async(host, port, 60), "connect_async");
		// The loop thread may report the CONNACK before loop_start's
		// return is printed: print the return code once it has.
		int lrc = c.loop_start();
		c.wait_until(c.connects, 2, "threaded connack");
		check(lrc, "loop_start");
		int smid = -1, pmid = -1;
		int src = c.subscribe(&smid, topic, 1);
		c.wait_until(c.subscribes, 2, "threaded suback");
		int prc = c.publish(&pmid, topic, 8, "threaded", 1);
		c.wait_until(c.messages, 4, "threaded message");
		c.wait_until(c.publishes, 4, "threaded puback");
		int drc = c.disconnect();
		c.wait_until(c.disconnects, 2, "threaded on_disconnect");
		check(c.loop_stop(), "loop_stop");
		check(src, "threaded subscribe mid=" + std::to_string(smid));
		check(prc, "threaded publish mid=" + std::to_string(pmid));
		check(drc, "threaded disconnect");
	}
	check(mosqpp::lib_cleanup(), "lib_cleanup");
	line("OK");
	return 0;
}
