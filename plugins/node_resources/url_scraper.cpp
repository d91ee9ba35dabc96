#include "url_scraper.hpp"

#include <dlfcn.h>

#include <stdexcept>

#include "url_scrape/url_scrape.hpp"

namespace vigil::node_resources {

namespace {

struct Loaded {
  ScrapeUrlFunction function = nullptr;
  std::string error;
};

// dlopen once; the library stays loaded for the life of the process (libcurl does not take
// kindly to being unloaded, and a second check with a url will want it again).
const Loaded& load() {
  static const Loaded loaded = [] {
    Loaded l;
    const std::string path = UrlScraper::library_path();
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      l.error = "url needs the http client part of node_resources, which cannot be loaded: " +
                std::string(why != nullptr ? why : path);
      return l;
    }
    void* symbol = ::dlsym(handle, kScrapeUrlSymbol);
    if (symbol == nullptr) {
      l.error = path + " has no " + kScrapeUrlSymbol + ": not node_resources' http client part";
      return l;
    }
    l.function = reinterpret_cast<ScrapeUrlFunction>(symbol);
    return l;
  }();
  return loaded;
}

}  // namespace

std::string UrlScraper::library_path() {
#if defined(VIGIL_NODE_RESOURCES_URL_SCRAPE)
  return VIGIL_NODE_RESOURCES_URL_SCRAPE;
#else
  static const char anchor = 0;  // any address inside this shared object
  Dl_info info{};
  std::string dir = ".";
  if (::dladdr(&anchor, &info) != 0 && info.dli_fname != nullptr) {
    const std::string self = info.dli_fname;
    const auto slash = self.rfind('/');
    if (slash != std::string::npos)
      dir = self.substr(0, slash);
  }
  return dir + "/" + kUrlScrapeLibrary;
#endif
}

UrlScraper::UrlScraper() {
  const Loaded& l = load();
  if (l.function == nullptr)
    throw std::runtime_error(l.error);
  function_ = l.function;
}

vigil::sdk::exposition::ScrapeOutcome UrlScraper::scrape(const std::string& url,
                                                         std::chrono::milliseconds timeout,
                                                         vigil::sdk::exposition::Parser& parser,
                                                         const vigil::sdk::Context& ctx) const {
  vigil::sdk::exposition::ScrapeOutcome out;
  function_(&url, static_cast<long long>(timeout.count()), &parser, &ctx, &out);
  return out;
}

}  // namespace vigil::node_resources
