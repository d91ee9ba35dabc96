#include "core/state/durable_state_store.hpp"

#include "core/log/logging.hpp"

namespace vigil::core {

DurableStateStore::DurableStateStore(StateDatabase& db, std::string check)
    : db_(db), check_(std::move(check)) {}

std::optional<std::string> DurableStateStore::get(std::string_view key) const {
  std::lock_guard lock(mu_);
  if (auto it = unsaved_.find(key); it != unsaved_.end())
    return it->second;
  try {
    return db_.kv_get(check_, key);
  } catch (const StateError& e) {
    logger()->warn("{}", e.what());
    return std::nullopt;  // a first run, as far as the plugin can tell
  }
}

void DurableStateStore::set(std::string_view key, std::string value) {
  std::lock_guard lock(mu_);
  unsaved_[std::string(key)] = std::move(value);
  flush_locked();
}

void DurableStateStore::erase(std::string_view key) {
  std::lock_guard lock(mu_);
  unsaved_[std::string(key)] = std::nullopt;
  flush_locked();
}

std::size_t DurableStateStore::pending() const {
  std::lock_guard lock(mu_);
  return unsaved_.size();
}

void DurableStateStore::flush_locked() {
  try {
    for (auto it = unsaved_.begin(); it != unsaved_.end();) {
      if (it->second)
        db_.kv_set(check_, it->first, *it->second);
      else
        db_.kv_erase(check_, it->first);
      it = unsaved_.erase(it);
    }
  } catch (const StateError& e) {
    logger()->warn("{} ({} state values kept in memory)", e.what(), unsaved_.size());
  }
}

}  // namespace vigil::core
