#pragma once
// The state database's schema, versioned with PRAGMA user_version and changed only by
// appending migrations.
#include "core/state/sqlite_handle.hpp"

namespace vigil::core::state_schema {

// The user_version the last migration leaves.
int latest_version();

// Brings the database up to latest_version(), one transaction per migration. Throws StateError
// when the file was written by a newer vigil (its version is above latest_version()).
void migrate(sqlite::Connection& db);

}  // namespace vigil::core::state_schema
