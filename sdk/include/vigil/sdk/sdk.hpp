#pragma once
// Everything a plugin author needs, in one include.
#include "vigil/sdk/action.hpp"
#include "vigil/sdk/check.hpp"
#include "vigil/sdk/context.hpp"
#include "vigil/sdk/options.hpp"
#include "vigil/sdk/plugin.hpp"
#include "vigil/sdk/range.hpp"
#include "vigil/sdk/result.hpp"
#include "vigil/sdk/status.hpp"
#include "vigil/sdk/units.hpp"
#include "vigil/sdk/version.hpp"
