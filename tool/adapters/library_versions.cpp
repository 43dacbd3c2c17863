#include "adapters/library_versions.hpp"

#include <curl/curl.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <spdlog/version.h>

#include <CLI/Version.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace stackctl::library_versions {

std::vector<Library> all() {
  std::vector<Library> out;
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  out.push_back({"libcurl", curl != nullptr ? curl->version : LIBCURL_VERSION,
                 curl != nullptr ? "runtime" : "build"});
  // OpenSSL_version(OPENSSL_VERSION_STRING) is "3.0.x" without the "OpenSSL " prefix (OpenSSL 3).
  out.push_back({"openssl", OpenSSL_version(OPENSSL_VERSION_STRING), "runtime"});
  int major = 0, minor = 0, rev = 0;
  if (git_libgit2_version(&major, &minor, &rev) == 0)
    out.push_back({"libgit2",
                   std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev),
                   "runtime"});
  out.push_back({"spdlog",
                 std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
                     std::to_string(SPDLOG_VER_PATCH),
                 "build"});
  out.push_back({"nlohmann-json",
                 std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                     std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                     std::to_string(NLOHMANN_JSON_VERSION_PATCH),
                 "build"});
  out.push_back({"cli11", CLI11_VERSION, "build"});
  // yaml-cpp has no version macro: CMake's find_package(yaml-cpp) knows it (tool/CMakeLists.txt).
  out.push_back({"yaml-cpp", STACKCTL_YAML_CPP_VERSION, "build"});
  return out;
}

}  // namespace stackctl::library_versions
