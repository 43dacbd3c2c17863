// A scripted HTTP server for the HTTP fuzz targets (fuzz_registry, fuzz_kube, fuzz_vault): an
// http::Client whose answers come from the fuzz input, so the adapters' real response handling
// runs and no request leaves the process (not even to loopback). What each request gets is the
// target's answer(); this part holds what the three share:
// - a cap on requests per input (a client that loops on an answer ends with a network Failure,
//   which it must report as a value, instead of hanging the fuzzer);
// - a request with on_data gets a 2xx body through its sink, as http::Client's contract says;
// - path_of(url) (the path without scheme, host and query) and status_for(part, statuses) (a
//   part's length picks an error status, so the fuzzer reaches every status by growing a body).
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <span>
#include <string>

#include "adapters/http.hpp"

namespace stackctl::fuzz {

class ScriptedHttp : public http::Client {
 public:
  static constexpr int kMaxRequests = 64;

  std::expected<http::Response, http::Failure> send(const http::Request& r) final {
    if (++requests_ > kMaxRequests)
      return std::unexpected(
          http::Failure{http::Failure::Kind::network, "scripted server: request limit reached"});
    http::Response response = answer(r);
    if (response.effective_url.empty()) response.effective_url = r.url;
    if (r.on_data && response.status / 100 == 2) {
      (void)r.on_data(response.body);
      response.body.clear();
    }
    return response;
  }

  // A download gets the same answer as a request; the targets' clients read everything they
  // parse through send(), so a download is answered only in case a client path uses one.
  std::expected<http::Response, http::Failure> download(const http::Request& r,
                                                        const std::filesystem::path&,
                                                        const http::Progress&) override {
    return send(r);
  }

  int requests() const { return requests_; }

 protected:
  virtual http::Response answer(const http::Request& r) = 0;

 private:
  int requests_ = 0;
};

// "/apis/apps/v1" of "https://k8s.fuzz:6443/apis/apps/v1?limit=5"; "/" when there is no path.
inline std::string path_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_at = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path_at == std::string::npos) return "/";
  const std::string path = url.substr(path_at);
  return path.substr(0, path.find('?'));
}

// The error status a part answers with: its length picks one of `statuses`.
inline long status_for(const std::string& part, std::span<const long> statuses) {
  return statuses[part.size() % statuses.size()];
}

}  // namespace stackctl::fuzz
