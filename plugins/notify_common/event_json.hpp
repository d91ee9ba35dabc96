#pragma once
// Events as the notification plugins write them: timestamps in RFC 3339 (UTC), and the whole
// event as a JSON object for receivers that want every field.
#include <string>

#include <nlohmann/json.hpp>
#include <vigil/sdk/action.hpp>

namespace vigil::notify {

// "2026-11-29T06:48:46Z", with ".123" before the Z when the time has milliseconds.
std::string rfc3339(sdk::TimePoint t);

// True when the time was never set (the epoch), as for an event that has no start.
bool unset(sdk::TimePoint t);

// Every field of the event: kind, rule, check, severity, status ("CRITICAL"), summary,
// deployment, fingerprint, startsAt, endsAt (null while it has not ended), labels, annotations,
// and group (one such object per alert of a batch, empty otherwise).
nlohmann::json event_json(const sdk::Event& event);

}  // namespace vigil::notify
