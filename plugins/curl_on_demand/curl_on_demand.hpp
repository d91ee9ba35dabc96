#pragma once
// libcurl on demand: linking vigil::curl_on_demand instead of libcurl gives a plugin the same
// curl_* functions (those the built-in plugins use), defined here; the first call loads libcurl
// with dlopen and every call goes on to libcurl's own function. Until then no libcurl, OpenSSL
// or GnuTLS page is mapped, which is what a check that never makes a request should cost.
//
// When libcurl cannot be loaded, curl_global_init and the other CURLcode functions return
// CURLE_FAILED_INIT, the *_init functions return null, and load_error() says why.
#include <string>

namespace vigil::curl_on_demand {

// Empty once libcurl is loaded (loading it if it is not yet); else dlopen's reason, one line.
std::string load_error();

}  // namespace vigil::curl_on_demand
