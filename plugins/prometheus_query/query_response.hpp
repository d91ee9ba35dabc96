#pragma once
// What a Prometheus /api/v1/query response means as a check result. A pure function of the
// response, so every shape the server can answer is tested from canned text.
#include <string>
#include <string_view>

#include <vigil/sdk/result.hpp>

namespace vigil::prometheus_query {

struct ResponseRules {
  std::string query;                  // for messages
  std::string metric_name = "value";  // the name of each vector element's metric
  bool empty_ok = false;              // an empty vector is OK (with no metrics) instead of UNKNOWN
};

// `http_status` is the response's status code: Prometheus answers errors (400 bad_data, 422
// execution, 503 timeout) with a JSON body too, which says more than the code.
sdk::Result result_from_response(long http_status, std::string_view body,
                                 const ResponseRules& rules);

}  // namespace vigil::prometheus_query
