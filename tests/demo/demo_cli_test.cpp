// The demo's hidden verbs run as the real vigil binary on 127.0.0.1: the service started in the
// background, scraped, degraded, judged by __demo-tests, rolled back by the client verb and
// stopped by pid file; the webhook sink recording what it is sent. This test process is a child
// subreaper, so the detached servers are reparented to it and it can reap them and read their
// exit status: nothing outlives a test.
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "core/demo/http_client.hpp"
#include "tests/cli/process_runner.hpp"
#include "vigil/sdk/exposition.hpp"

namespace {

namespace fs = std::filesystem;
namespace expo = vigil::sdk::exposition;
using namespace std::chrono_literals;
using vigil::demo::http_request;
using vigil::testing::run_process;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-demo-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls until `condition` holds: the service's time is real here, so the test waits for a state
// rather than for a guessed duration.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A server started with --detach: its port from the ready line, its pid from the pid file. If a
// test fails half way, the destructor kills and reaps it.
class Detached {
 public:
  Detached(std::vector<std::string> argv, std::string pidfile) : pidfile_(std::move(pidfile)) {
    argv.insert(argv.begin(), kVigil);
    argv.insert(argv.end(), {"--port", "0", "--detach", "--pidfile", pidfile_});
    const auto started = run_process(argv, {}, 20s);
    ready_line = started.out;
    if (started.exit_code != 0)
      throw std::runtime_error("start failed (" + std::to_string(started.exit_code) +
                               "): " + started.err);
    std::smatch m;
    if (!std::regex_search(started.out, m, std::regex(R"(http://127\.0\.0\.1:(\d+))")))
      throw std::runtime_error("no address in the ready line: " + started.out);
    port = static_cast<unsigned short>(std::stoi(m[1]));
    pid = std::stoi(read_file(pidfile_));
  }
  ~Detached() {
    if (pid > 0 && ::kill(pid, SIGKILL) == 0)
      ::waitpid(pid, nullptr, 0);
  }

  // After --stop: the process must have exited, cleanly on SIGTERM. Returns its wait status.
  int reap() {
    int status = -1;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid) << "pid " << pid << " was not our orphan";
    pid = -1;
    return status;
  }

  pid_t pid = -1;
  unsigned short port = 0;
  std::string ready_line;

 private:
  std::string pidfile_;
};

nlohmann::json get_json(unsigned short port, const std::string& path) {
  const auto reply = http_request("127.0.0.1", port, "GET", path);
  EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
  return nlohmann::json::parse(reply.body);
}

struct Scrape {
  std::map<double, double> buckets;
  std::map<std::string, double> values;
  std::string version;
};

Scrape scrape(unsigned short port) {
  const auto reply = http_request("127.0.0.1", port, "GET", "/metrics");
  EXPECT_EQ(reply.status, 200);
  Scrape s;
  auto visitor = expo::on_samples([&s](const expo::Sample& sample) {
    if (sample.name == "demo_request_duration_seconds_bucket")
      s.buckets[*expo::parse_float(sample.labels.get("le"))] = sample.value;
    else
      s.values[std::string(sample.name)] = sample.value;
    if (sample.name == "demo_version_info")
      s.version = std::string(sample.labels.get("version"));
  });
  expo::Parser parser(visitor);
  parser.feed(reply.body);
  EXPECT_TRUE(parser.finish()) << parser.error()->message();
  return s;
}

// A port nothing listens on: bound by us for a moment, then released.
unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class DemoCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
  TempDir dir;
};

TEST_F(DemoCli, ServiceStartsInTheBackgroundServesAndStopsByPidFile) {
  Detached service({"__demo-service", "--degrade-after", "1h", "--state-dir", dir.path().string(),
                    "--log", dir / "service.log"},
                   dir / "service.pid");
  EXPECT_NE(service.ready_line.find("demo-service 1.4.2 listening on"), std::string::npos);

  const auto health = get_json(service.port, "/health");
  EXPECT_EQ(health.at("status"), "ok");
  EXPECT_EQ(health.at("version"), "1.4.2");
  EXPECT_EQ(health.at("degraded"), false);

  ASSERT_TRUE(eventually([&] { return scrape(service.port).values["demo_requests_total"] > 0; }));
  const Scrape s = scrape(service.port);
  ASSERT_EQ(s.buckets.size(), 12u);
  EXPECT_EQ(s.buckets.at(std::numeric_limits<double>::infinity()),
            s.values.at("demo_request_duration_seconds_count"));
  EXPECT_EQ(s.version, "1.4.2");
  EXPECT_TRUE(s.values.count("demo_errors_total"));

  const auto tests = run_process({kVigil, "__demo-tests", "--port", std::to_string(service.port),
                                  "--junit", dir / "reports/health.xml"});
  EXPECT_EQ(tests.exit_code, 0) << tests.out << tests.err;
  const std::string junit = read_file(dir / "reports/health.xml");
  EXPECT_NE(junit.find("failures=\"0\" skipped=\"0\" tests=\"5\""), std::string::npos) << junit;

  const auto state_file = nlohmann::json::parse(read_file(dir / "state.json"));
  EXPECT_EQ(state_file.at("phase"), "healthy");
  EXPECT_EQ(state_file.at("pid"), service.pid);

  const auto stop =
      run_process({kVigil, "__demo-service", "--stop", "--pidfile", dir / "service.pid"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  const int status = service.reap();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  EXPECT_FALSE(fs::exists(dir / "service.pid"));
  EXPECT_NE(read_file(dir / "service.log").find("stopping on SIGTERM"), std::string::npos);
  EXPECT_THROW(http_request("127.0.0.1", service.port, "GET", "/health", {}, 2s),
               std::runtime_error);
}

TEST_F(DemoCli, DegradationFailsTheHealthTestsAndRollbackRecovers) {
  // A fast rate fills the 200-request window within a fraction of a second of each change.
  Detached service({"__demo-service", "--degrade-after", "1s", "--rate", "1000", "--state-dir",
                    dir.path().string()},
                   dir / "service.pid");
  ASSERT_TRUE(eventually([&] {
    // Degraded, and long enough ago that the 200-request window holds 1.5.0's requests only.
    const auto state = get_json(service.port, "/admin/state");
    return state.at("phase") == "degraded" &&
           state.at("uptime_seconds").get<double>() >
               state.at("events")[1].at("at_seconds").get<double>() + 0.3;
  }));
  EXPECT_EQ(get_json(service.port, "/health").at("degraded"), true);
  const Scrape degraded = scrape(service.port);
  EXPECT_EQ(degraded.version, "1.5.0");

  const auto failing = run_process({kVigil, "__demo-tests", "--port", std::to_string(service.port),
                                    "--junit", dir / "health.xml"});
  EXPECT_EQ(failing.exit_code, 1) << failing.out << failing.err;
  const std::string junit = read_file(dir / "health.xml");
  // The page stays well formed and the service up: what fails is latency, and errors too unless
  // the window happens to hold no more than 1% of them (at 5%, rarely).
  EXPECT_NE(junit.find("tests=\"5\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<failure message=\"p95 latency"), std::string::npos) << junit;
  EXPECT_EQ(junit.find("<failure message=\"GET"), std::string::npos) << junit;
  EXPECT_EQ(junit.find("<failure message=\"/metrics"), std::string::npos) << junit;
  EXPECT_EQ(junit.find("<failure message=\"/health says"), std::string::npos) << junit;

  const auto rollback =
      run_process({kVigil, "__demo-service", "--rollback", "--port", std::to_string(service.port)});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.err;
  const auto answer = nlohmann::json::parse(rollback.out);
  EXPECT_EQ(answer.at("rolled_back"), true);
  EXPECT_EQ(answer.at("from"), "1.5.0");
  EXPECT_EQ(answer.at("to"), "1.4.2");

  ASSERT_TRUE(eventually([&] {
    return get_json(service.port, "/admin/state").at("recent").at("p95_seconds") < 0.25;
  }));
  const Scrape recovered = scrape(service.port);
  EXPECT_EQ(recovered.version, "1.4.2");
  // Counters carry on across the rollback: a rate() over it sees no reset.
  EXPECT_GE(recovered.values.at("demo_requests_total"), degraded.values.at("demo_requests_total"));
  EXPECT_GE(recovered.values.at("demo_errors_total"), degraded.values.at("demo_errors_total"));
  EXPECT_GE(recovered.values.at("demo_request_duration_seconds_sum"),
            degraded.values.at("demo_request_duration_seconds_sum"));
  EXPECT_EQ(recovered.values.at("demo_rollbacks_total"), 1);

  const auto passing = run_process({kVigil, "__demo-tests", "--port", std::to_string(service.port),
                                    "--junit", dir / "health.xml"});
  EXPECT_EQ(passing.exit_code, 0) << passing.out;

  const auto state_file = nlohmann::json::parse(read_file(dir / "state.json"));
  EXPECT_EQ(state_file.at("phase"), "rolled_back");
  ASSERT_EQ(state_file.at("events").size(), 3u);
  EXPECT_EQ(state_file.at("events")[1].at("event"), "degraded");
  EXPECT_EQ(state_file.at("events")[2].at("event"), "rolled_back");

  EXPECT_EQ(
      run_process({kVigil, "__demo-service", "--stop", "--pidfile", dir / "service.pid"}).exit_code,
      0);
  const int status = service.reap();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(DemoCli, RollbackClientFailsInOneLineWhenNothingListens) {
  const unsigned short port = closed_port();
  const auto r =
      run_process({kVigil, "__demo-service", "--rollback", "--port", std::to_string(port)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "rollback: POST http://127.0.0.1:" + std::to_string(port) +
                       "/admin/rollback: connect: Connection refused\n");
}

TEST_F(DemoCli, HealthTestsFailWhenTheServiceIsDown) {
  const auto r = run_process({kVigil, "__demo-tests", "--port", std::to_string(closed_port()),
                              "--junit", dir / "health.xml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(read_file(dir / "health.xml").find("failures=\"5\""), std::string::npos);
}

TEST_F(DemoCli, WebhookSinkRecordsEachRequestAsAJsonLine) {
  Detached sink({"__demo-webhook-sink", "--out", dir / "webhook.jsonl"}, dir / "sink.pid");
  const auto first = http_request("127.0.0.1", sink.port, "POST", "/slack/hook",
                                  R"({"text":"rollback-on-latency firing"})");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(http_request("127.0.0.1", sink.port, "POST", "/", "not json").status, 200);

  std::ifstream lines(dir / "webhook.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const auto one = nlohmann::json::parse(line);
  EXPECT_EQ(one.at("method"), "POST");
  EXPECT_EQ(one.at("path"), "/slack/hook");
  EXPECT_EQ(one.at("body"), R"({"text":"rollback-on-latency firing"})");
  EXPECT_EQ(one.at("json").at("text"), "rollback-on-latency firing");
  ASSERT_TRUE(std::getline(lines, line));
  const auto two = nlohmann::json::parse(line);
  EXPECT_EQ(two.at("body"), "not json");
  EXPECT_FALSE(two.contains("json"));
  EXPECT_FALSE(std::getline(lines, line));

  EXPECT_EQ(run_process({kVigil, "__demo-webhook-sink", "--stop", "--pidfile", dir / "sink.pid"})
                .exit_code,
            0);
  const int status = sink.reap();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(DemoCli, WebhookSinkCanPlayAFailingTarget) {
  Detached sink({"__demo-webhook-sink", "--out", dir / "webhook.jsonl", "--status", "500"},
                dir / "sink.pid");
  EXPECT_EQ(http_request("127.0.0.1", sink.port, "POST", "/", "{}").status, 500);
  EXPECT_EQ(run_process({kVigil, "__demo-webhook-sink", "--stop", "--pidfile", dir / "sink.pid"})
                .exit_code,
            0);
  sink.reap();
}

TEST_F(DemoCli, DetachReportsAPortInUseAndLeavesNoPidFile) {
  Detached first({"__demo-service", "--degrade-after", "1h"}, dir / "first.pid");
  const auto second = run_process({kVigil, "__demo-service", "--port", std::to_string(first.port),
                                   "--detach", "--pidfile", dir / "second.pid"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(second.err, "__demo-service: cannot listen on 127.0.0.1:" + std::to_string(first.port) +
                            ": Address already in use\n");
  EXPECT_FALSE(fs::exists(dir / "second.pid"));
  // The failed child exited on its own; reap it so it is not left as a zombie.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  EXPECT_EQ(
      run_process({kVigil, "__demo-service", "--stop", "--pidfile", dir / "first.pid"}).exit_code,
      0);
  first.reap();
}

TEST_F(DemoCli, ListensOnLoopbackOnly) {
  const auto r = run_process({kVigil, "__demo-service", "--port", "0", "--bind", "0.0.0.0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("loopback only"), std::string::npos) << r.err;
}

TEST_F(DemoCli, StopRefusesAProcessThatIsNotADemoProcess) {
  std::ofstream(dir / "other.pid") << ::getpid() << "\n";
  const auto r = run_process({kVigil, "__demo-service", "--stop", "--pidfile", dir / "other.pid"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a vigil demo process"), std::string::npos) << r.err;
}

TEST_F(DemoCli, UsageErrors) {
  EXPECT_EQ(run_process({kVigil, "__demo-service"}).exit_code, 64);
  EXPECT_EQ(run_process({kVigil, "__demo-service", "--port", "0", "--detach"}).exit_code, 64);
  const auto bad = run_process({kVigil, "__demo-service", "--port", "1", "--degrade-after", "20"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("--degrade-after 20: not a duration"), std::string::npos) << bad.err;
  EXPECT_EQ(run_process({kVigil, "__demo-tests", "--port", "1"}).exit_code, 64);
  EXPECT_EQ(run_process({kVigil, "__demo-webhook-sink", "--port", "0"}).exit_code, 64);
}

}  // namespace
