// `vigil __demo-webhook-sink`: the demo's "Slack". Answers every request and appends it to --out
// as one JSON line ({"method","path","body","received_at"}, plus "json" when the body parses),
// so the demo and its tests can show which notifications went out.
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/demo/background.hpp"
#include "core/demo/demo_verbs.hpp"
#include "core/demo/http_server.hpp"
#include "core/demo/verb_support.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace vigil::demo {

namespace {

constexpr const char* kUsage =
    "usage: vigil __demo-webhook-sink --port N --out FILE [--bind 127.0.0.1] [--status 200]\n"
    "                                 [--log FILE] [--detach] [--pidfile FILE]\n"
    "       vigil __demo-webhook-sink --stop --pidfile FILE";

constexpr std::chrono::seconds kStopTimeout{5};

struct SinkOptions {
  std::string bind = "127.0.0.1";
  int port = -1;
  std::string out;
  int status = 200;
  std::string log;
  std::string pidfile;
  bool detach = false;
};

// The --out file, opened once for appending. One write(2) per line with O_APPEND: a reader
// tailing the file never sees two requests interleaved or a line cut short.
class RequestLog {
 public:
  explicit RequestLog(const std::string& path)
      : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) {
    if (fd_ < 0)
      throw std::runtime_error("--out " + path + ": " + std::strerror(errno));
  }
  ~RequestLog() { ::close(fd_); }
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  void append(const HttpRequest& request) {
    nlohmann::json line = {{"method", request.method},
                           {"path", request.target},
                           {"body", request.body},
                           {"received_at", received_at()}};
    auto parsed = nlohmann::json::parse(request.body, nullptr, false);
    if (!parsed.is_discarded())
      line["json"] = std::move(parsed);
    // replace: a body that is not UTF-8 is still recorded rather than refused.
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      throw std::runtime_error("--out " + path_ + ": " + std::strerror(errno));
  }

 private:
  static double received_at() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) /
           1000.0;
  }

  std::string path_;
  int fd_;
};

int serve(const SinkOptions& options) {
  const unsigned short port = parse_port_option("--port", options.port, true);
  if (options.status < 100 || options.status > 599)
    throw std::runtime_error("--status " + std::to_string(options.status) + ": not an HTTP status");

  Startup startup;
  if (options.detach) {
    if (auto parent_exit = startup.detach(options.log))
      return *parent_exit;
  }
  reset_signals();
  try {
    asio::io_context io;
    RequestLog requests(options.out);
    const int status = options.status;
    HttpServer server(io, options.bind, port, [&requests, status](const HttpRequest& request) {
      requests.append(request);
      log_line("received " + request.method + " " + request.target + " (" +
               std::to_string(request.body.size()) + " bytes)");
      return HttpResponse{status, "text/plain", status < 300 ? "ok\n" : "failing on purpose\n"};
    });
    if (!options.pidfile.empty())
      write_pidfile(options.pidfile);
    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec)
        return;
      server.close();
      io.stop();
    });
    startup.ready("demo-webhook-sink listening on http://" + options.bind + ":" +
                  std::to_string(server.port()) + " (pid " + std::to_string(::getpid()) +
                  "), recording to " + options.out);
    io.run();
  } catch (const std::exception& e) {
    startup.failed(std::string("__demo-webhook-sink: ") + e.what());
    if (!options.pidfile.empty())
      remove_pidfile_if_ours(options.pidfile);
    return 1;
  }
  if (!options.pidfile.empty())
    remove_pidfile_if_ours(options.pidfile);
  return 0;
}

}  // namespace

int webhook_sink_command(const std::vector<std::string>& args) {
  SinkOptions options;
  po::options_description desc("vigil __demo-webhook-sink options (internal: the demo pipeline's)");
  desc.add_options()("help,h", "show this help")("port", po::value<int>(&options.port),
                                                 "port to listen on (0: any free port)")(
      "bind", po::value<std::string>(&options.bind)->default_value(options.bind),
      "loopback address to listen on")("out", po::value<std::string>(&options.out),
                                       "file to append one JSON line per request to")(
      "status", po::value<int>(&options.status)->default_value(200),
      "HTTP status to answer with (500: a failing notification target)")(
      "log", po::value<std::string>(&options.log), "log file of a detached sink")(
      "detach", po::bool_switch(&options.detach), "run in the background; return once listening")(
      "pidfile", po::value<std::string>(&options.pidfile), "pid file to write (or to --stop)")(
      "stop", "SIGTERM the process in --pidfile and wait until it exits");
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_demo_args(args, desc, kUsage, vm, &exit_code))
    return exit_code;
  try {
    if (vm.count("stop") != 0) {
      if (options.pidfile.empty()) {
        std::cerr << "--stop needs --pidfile\n" << kUsage << "\n";
        return kExitUsage;
      }
      return stop_from_pidfile(options.pidfile, kStopTimeout);
    }
    if (vm.count("port") == 0 || options.out.empty()) {
      std::cerr << "--port and --out are required\n" << kUsage << "\n";
      return kExitUsage;
    }
    if (options.detach && options.pidfile.empty()) {
      std::cerr << "--detach needs --pidfile, or nothing could stop the sink\n";
      return kExitUsage;
    }
    return serve(options);
  } catch (const std::exception& e) {
    std::cerr << "__demo-webhook-sink: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace vigil::demo
