#pragma once
// One check's sdk::StateStore, kept in the state database so a plugin's previous sample or
// counter survives a restart.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/state/state_database.hpp"
#include "vigil/sdk/context.hpp"

namespace vigil::core {

class DurableStateStore final : public sdk::StateStore {
 public:
  // `db` must outlive the store.
  DurableStateStore(StateDatabase& db, std::string check);

  std::optional<std::string> get(std::string_view key) const override;
  // Never throw into the plugin: when the database cannot be written the change is logged,
  // kept in memory (get() sees it) and written with the next set() or erase().
  void set(std::string_view key, std::string value) override;
  void erase(std::string_view key) override;

  // Changes still waiting for the database.
  std::size_t pending() const;

 private:
  void flush_locked();

  StateDatabase& db_;
  std::string check_;
  mutable std::mutex mu_;
  std::map<std::string, std::optional<std::string>, std::less<>> unsaved_;  // nullopt: erased
};

}  // namespace vigil::core
