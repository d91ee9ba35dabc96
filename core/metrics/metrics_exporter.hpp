#pragma once
// vigil's state for Prometheus, as `vigil run` wires it: the /metrics endpoint on its own
// thread (unless `vigil.metrics.listen: off`) and, when `vigil.metrics.textfile` is set, the
// same exposition written for node_exporter whenever the daemon writes its snapshot.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "core/alerting/alert_engine.hpp"
#include "core/config/config.hpp"
#include "core/metrics/metrics_renderer.hpp"
#include "core/metrics/metrics_server.hpp"
#include "core/metrics/snapshot_source.hpp"
#include "core/metrics/textfile_writer.hpp"

namespace vigil::core {

class MetricsExporter {
 public:
  // `engine` and `clock` must outlive this; `config` need not. A port that cannot be bound is
  // logged and leaves /metrics off: checks and rollbacks matter more than their metrics.
  MetricsExporter(const Config& config, const AlertEngine& engine, const sdk::Clock& clock,
                  const std::filesystem::path& state_dir, sdk::TimePoint counting_from);
  ~MetricsExporter();

  // The exposition now.
  std::string render();
  // Writes the textfile when one is configured; a failure is logged, never thrown.
  void write_textfile();
  // A reloaded configuration: thresholds, checks, actions and the window as it has them
  // (`listen` and `textfile` keep their values until a restart).
  void use_config(const Config& config);
  // The port /metrics listens on; nullopt when it is off or could not bind.
  std::optional<unsigned short> port() const;

 private:
  std::unique_ptr<SnapshotSource> source_;
  std::mutex renderer_mu_;
  std::unique_ptr<MetricsRenderer> renderer_;
  std::optional<TextfileWriter> textfile_;
  std::unique_ptr<MetricsServer> server_;
};

}  // namespace vigil::core
