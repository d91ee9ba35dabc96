#pragma once
// Loads url_scrape.so (node_resources' http client part) on first use, from the subdirectory
// next to the plugin's own file, and calls it.
#include <chrono>
#include <string>

#include <vigil/sdk/scrape.hpp>

#include "url_scrape/url_scrape.hpp"

namespace vigil::node_resources {

class UrlScraper {
 public:
  // Loads the library, once per process; throws std::runtime_error with dlopen's reason when
  // it cannot be loaded.
  UrlScraper();

  vigil::sdk::exposition::ScrapeOutcome scrape(const std::string& url,
                                               std::chrono::milliseconds timeout,
                                               vigil::sdk::exposition::Parser& parser,
                                               const vigil::sdk::Context& ctx) const;

  // Where the library is looked for: VIGIL_NODE_RESOURCES_URL_SCRAPE when the build defines it
  // (test binaries, whose own file is not in the plugin directory), else next to this code's
  // own shared object.
  static std::string library_path();

 private:
  ScrapeUrlFunction function_ = nullptr;
};

}  // namespace vigil::node_resources
