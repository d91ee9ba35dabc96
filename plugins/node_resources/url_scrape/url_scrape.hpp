#pragma once
// The one entry point of node_resources' http client part, url_scrape.so: a separate library
// because libcurl and the ~36 libraries it pulls in take milliseconds to load, which a
// `vigil check node_resources` of this host (no url) should not pay. It lives in a
// subdirectory of the plugin directory, where the host, which loads only vigil_*.so files at
// the top level, never takes it for a plugin.
//
// Both sides are built from the same SDK headers in the same build and share libstdc++, so
// the C++ types cross the boundary unchanged; extern "C" only keeps the symbol name plain.
#include <chrono>
#include <string>

#include <vigil/sdk/scrape.hpp>

namespace vigil::node_resources {

// The symbol url_scrape.so exports: expo::scrape_url(*url, timeout, *parser, ctx) into *out.
using ScrapeUrlFunction = void (*)(const std::string* url, long long timeout_ms,
                                   vigil::sdk::exposition::Parser* parser,
                                   const vigil::sdk::Context* ctx,
                                   vigil::sdk::exposition::ScrapeOutcome* out);
inline constexpr const char* kScrapeUrlSymbol = "vigil_node_resources_scrape_url";
inline constexpr const char* kUrlScrapeLibrary = "node_resources/url_scrape.so";

}  // namespace vigil::node_resources
