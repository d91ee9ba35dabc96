// The curl_* functions of curl_on_demand.hpp: each loads libcurl on first use (once per process,
// whichever thread gets there first) and calls libcurl's own function of the same name.
//
// curl.h wraps curl_easy_setopt and curl_easy_getinfo in type-checking macros; this file defines
// the functions themselves, so it turns the macros off.
#define CURL_DISABLE_TYPECHECK 1
#include "curl_on_demand.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>

namespace {

struct Libcurl {
  std::string error;  // empty when every function below was found
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_easy_escape) easy_escape = nullptr;
  decltype(&::curl_free) free = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  decltype(&::curl_multi_init) multi_init = nullptr;
  decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&::curl_multi_perform) multi_perform = nullptr;
  decltype(&::curl_multi_poll) multi_poll = nullptr;
  decltype(&::curl_multi_info_read) multi_info_read = nullptr;

  bool ok() const noexcept { return error.empty(); }
};

template <typename Function>
void find(void* handle, const char* name, Function& function, std::string& error) {
  function = reinterpret_cast<Function>(::dlsym(handle, name));
  if (function == nullptr && error.empty())
    error =
        std::string(VIGIL_CURL_SONAME) + " has no " + name + ": not a libcurl this was built for";
}

// Loaded once and never unloaded: libcurl and OpenSSL do not support being unloaded, and the
// next request wants them again.
const Libcurl& libcurl() {
  static const Libcurl loaded = [] {
    Libcurl l;
    void* handle = ::dlopen(VIGIL_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      l.error =
          "libcurl cannot be loaded: " + std::string(why != nullptr ? why : VIGIL_CURL_SONAME) +
          " (install libcurl4)";
      return l;
    }
    find(handle, "curl_global_init", l.global_init, l.error);
    find(handle, "curl_easy_init", l.easy_init, l.error);
    find(handle, "curl_easy_cleanup", l.easy_cleanup, l.error);
    find(handle, "curl_easy_setopt", l.easy_setopt, l.error);
    find(handle, "curl_easy_getinfo", l.easy_getinfo, l.error);
    find(handle, "curl_easy_perform", l.easy_perform, l.error);
    find(handle, "curl_easy_strerror", l.easy_strerror, l.error);
    find(handle, "curl_easy_escape", l.easy_escape, l.error);
    find(handle, "curl_free", l.free, l.error);
    find(handle, "curl_slist_append", l.slist_append, l.error);
    find(handle, "curl_slist_free_all", l.slist_free_all, l.error);
    find(handle, "curl_multi_init", l.multi_init, l.error);
    find(handle, "curl_multi_cleanup", l.multi_cleanup, l.error);
    find(handle, "curl_multi_add_handle", l.multi_add_handle, l.error);
    find(handle, "curl_multi_remove_handle", l.multi_remove_handle, l.error);
    find(handle, "curl_multi_perform", l.multi_perform, l.error);
    find(handle, "curl_multi_poll", l.multi_poll, l.error);
    find(handle, "curl_multi_info_read", l.multi_info_read, l.error);
    return l;
  }();
  return loaded;
}

}  // namespace

std::string vigil::curl_on_demand::load_error() {
  return libcurl().error;
}

extern "C" {

CURLcode curl_global_init(long flags) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.global_init(flags) : CURLE_FAILED_INIT;
}

CURL* curl_easy_init(void) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.easy_init() : nullptr;
}

void curl_easy_cleanup(CURL* handle) {
  const Libcurl& l = libcurl();
  if (l.ok())
    l.easy_cleanup(handle);
}

// The one argument after the option is a long, a pointer, a function pointer or a curl_off_t,
// as the option's number says (CURLOPTTYPE_*); it is read as what it is and passed on as such.
CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  const Libcurl& l = libcurl();
  if (!l.ok())
    return CURLE_FAILED_INIT;
  std::va_list args;
  va_start(args, option);
  CURLcode code;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    code = l.easy_setopt(handle, option, va_arg(args, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    code = l.easy_setopt(handle, option, va_arg(args, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    using AnyFunction = void (*)();
    code = l.easy_setopt(handle, option, va_arg(args, AnyFunction));
  } else if (option < CURLOPTTYPE_BLOB) {
    code = l.easy_setopt(handle, option, va_arg(args, curl_off_t));
  } else {
    code = l.easy_setopt(handle, option, va_arg(args, void*));
  }
  va_end(args);
  return code;
}

// Every CURLINFO takes a pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  const Libcurl& l = libcurl();
  if (!l.ok())
    return CURLE_FAILED_INIT;
  std::va_list args;
  va_start(args, info);
  void* where = va_arg(args, void*);
  va_end(args);
  return l.easy_getinfo(handle, info, where);
}

CURLcode curl_easy_perform(CURL* handle) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.easy_perform(handle) : CURLE_FAILED_INIT;
}

const char* curl_easy_strerror(CURLcode code) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.easy_strerror(code) : l.error.c_str();
}

char* curl_easy_escape(CURL* handle, const char* text, int length) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.easy_escape(handle, text, length) : nullptr;
}

void curl_free(void* pointer) {
  const Libcurl& l = libcurl();
  if (l.ok())
    l.free(pointer);
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.slist_append(list, text) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  const Libcurl& l = libcurl();
  if (l.ok())
    l.slist_free_all(list);
}

CURLM* curl_multi_init(void) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_init() : nullptr;
}

CURLMcode curl_multi_cleanup(CURLM* multi) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_cleanup(multi) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_add_handle(CURLM* multi, CURL* handle) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_add_handle(multi, handle) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* handle) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_remove_handle(multi, handle) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM* multi, int* running) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_perform(multi, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra_fds[], unsigned int extra_nfds,
                          int timeout_ms, int* ret) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_poll(multi, extra_fds, extra_nfds, timeout_ms, ret)
                : CURLM_INTERNAL_ERROR;
}

CURLMsg* curl_multi_info_read(CURLM* multi, int* queued) {
  const Libcurl& l = libcurl();
  return l.ok() ? l.multi_info_read(multi, queued) : nullptr;
}

}  // extern "C"
