#include "core/actions/database_action_journal.hpp"

namespace vigil::core {

std::int64_t DatabaseActionJournal::begin(const ActionConfig& action, const ActionJob& job,
                                          sdk::TimePoint at) {
  ActionRecord rec;
  rec.action = action.name;
  rec.type = action.plugin;
  rec.trigger = job.trigger;
  rec.rule = job.event.rule;
  rec.started_at = at;
  rec.status = "running";
  rec.message = job.event.summary;
  rec.deployment = deployment_;
  return db_.begin_action(rec);
}

void DatabaseActionJournal::finish(std::int64_t id, const ActionResult& result) {
  db_.finish_action(id, result.ok ? "ok" : "failed", result.message, "", result.attempts,
                    result.finished);
}

}  // namespace vigil::core
