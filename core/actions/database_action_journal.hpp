#pragma once
// The dispatcher's journal in the state database: what ran, when, for what, and how it went.
#include <string>

#include "core/actions/action_dispatcher.hpp"
#include "core/state/state_database.hpp"

namespace vigil::core {

class DatabaseActionJournal final : public ActionJournal {
 public:
  DatabaseActionJournal(StateDatabase& db, std::string deployment)
      : db_(db), deployment_(std::move(deployment)) {}
  std::int64_t begin(const ActionConfig& action, const ActionJob& job, sdk::TimePoint at) override;
  void finish(std::int64_t id, const ActionResult& result) override;

 private:
  StateDatabase& db_;
  std::string deployment_;
};

}  // namespace vigil::core
