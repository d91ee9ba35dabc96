#include "core/metrics/metrics_exporter.hpp"

#include "core/log/logging.hpp"

namespace vigil::core {

MetricsExporter::MetricsExporter(const Config& config, const AlertEngine& engine,
                                 const sdk::Clock& clock, const std::filesystem::path& state_dir,
                                 sdk::TimePoint counting_from)
    : source_(
          std::make_unique<SnapshotSource>(config.window, engine, clock, state_dir, counting_from)),
      renderer_(std::make_unique<MetricsRenderer>(config)) {
  if (config.global.metrics.textfile)
    textfile_.emplace(*config.global.metrics.textfile);
  if (!config.global.metrics.listen)
    return;
  MetricsServerOptions options;
  options.listen = *config.global.metrics.listen;
  try {
    server_ = std::make_unique<MetricsServer>(options, [this] { return render(); });
    ListenAddress bound = options.listen;
    bound.port = server_->port();
    logger()->info("metrics: serving http://{}/metrics", bound.to_string());
  } catch (const std::exception& e) {
    logger()->error("metrics: {}; /metrics is off, the checks go on (vigil.metrics.listen)",
                    e.what());
  }
}

MetricsExporter::~MetricsExporter() {
  server_.reset();  // its thread renders through everything else here
}

std::string MetricsExporter::render() {
  const MetricsSnapshot snapshot = source_->take();
  std::lock_guard<std::mutex> lock(renderer_mu_);
  return renderer_->render(snapshot);
}

void MetricsExporter::write_textfile() {
  if (!textfile_)
    return;
  try {
    textfile_->write(render());
  } catch (const std::exception& e) {
    logger()->error("metrics: textfile {}: {}", textfile_->path().string(), e.what());
  }
}

void MetricsExporter::use_config(const Config& config) {
  std::lock_guard<std::mutex> lock(renderer_mu_);
  renderer_ = std::make_unique<MetricsRenderer>(config);
  source_->use_window(config.window);
}

std::optional<unsigned short> MetricsExporter::port() const {
  if (!server_)
    return std::nullopt;
  return server_->port();
}

}  // namespace vigil::core
