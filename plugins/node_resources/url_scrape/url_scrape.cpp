// url_scrape.so: node_resources' http client part, loaded by the plugin only when a check
// sets `url` (see url_scrape.hpp for why it is a library of its own).
#include "url_scrape.hpp"

extern "C" __attribute__((visibility("default"))) void vigil_node_resources_scrape_url(
    const std::string* url, long long timeout_ms, vigil::sdk::exposition::Parser* parser,
    const vigil::sdk::Context* ctx, vigil::sdk::exposition::ScrapeOutcome* out) {
  // An exception must not cross into the plugin through a C symbol; scrape_url reports its
  // failures in the outcome, so only allocation can throw here.
  try {
    *out = vigil::sdk::exposition::scrape_url(*url, std::chrono::milliseconds(timeout_ms), *parser,
                                              ctx);
  } catch (const std::exception& e) {
    *out = {};
    out->error = std::string("reading ") + *url + ": " + e.what();
  }
}
