// A builder::Builder with an in-memory image store. It records every call ("labels REF",
// "build REF", "push REF") in order, keeps what it built (with the labels it was given) so a
// later inspect finds it, and fails on request: a broken store, a build that fails, a push that
// fails. Thread-safe: app::build runs builds of one wave in parallel.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/builder.hpp"
#include "adapters/registry.hpp"

namespace stackctl::fakes {

class FakeBuilder final : public builder::Builder {
 public:
  std::map<std::string, std::map<std::string, std::string>> store;  // ref -> labels
  std::optional<std::string> broken_store;  // every labels() fails with this message
  std::set<std::string> failing_builds;     // refs whose build fails
  std::map<std::string, std::string> build_failure_message;  // ref -> message (default below)
  std::set<std::string> failing_pushes;
  std::vector<builder::BuildSpec> builds;                 // the specs build() was given, in order
  std::vector<std::string> pushed_with_password;          // PushAuth passwords, in order
  std::map<std::string, std::filesystem::path> exported;  // ref -> archive file

  builder::Backend backend() const override { return builder::Backend::buildah; }

  std::expected<void, builder::Failure> build(const builder::BuildSpec& spec) override {
    std::lock_guard lock(mu_);
    calls_.push_back("build " + spec.ref);
    builds.push_back(spec);
    if (failing_builds.contains(spec.ref)) {
      auto it = build_failure_message.find(spec.ref);
      return std::unexpected(builder::Failure{
          it == build_failure_message.end() ? "buildah build of " + spec.ref + " failed (exit 1)"
                                            : it->second,
          spec.log_file});
    }
    auto& labels = store[spec.ref];
    labels.clear();
    for (const auto& [k, v] : spec.labels) labels[k] = v;
    return {};
  }

  std::expected<std::optional<std::map<std::string, std::string>>, builder::Failure> labels(
      const std::string& ref) override {
    std::lock_guard lock(mu_);
    calls_.push_back("labels " + ref);
    if (broken_store) return std::unexpected(builder::Failure{*broken_store, {}});
    auto it = store.find(ref);
    if (it == store.end()) return std::optional<std::map<std::string, std::string>>{};
    return std::optional<std::map<std::string, std::string>>(it->second);
  }

  std::expected<std::string, builder::Failure> push(const std::string& ref,
                                                    const std::string& destination, bool,
                                                    const std::filesystem::path& log,
                                                    const builder::PushAuth* auth) override {
    std::lock_guard lock(mu_);
    calls_.push_back("push " + ref + (auth ? " as " + auth->username + "@" + auth->registry : ""));
    if (auth) pushed_with_password.push_back(auth->password.reveal());
    if (failing_pushes.contains(ref) || !store.contains(ref))
      return std::unexpected(
          builder::Failure{"push of " + destination + " failed (exit 125)", log});
    return digest_of(ref);
  }

  // Writes a small file standing for the archive at `file` (tests check that it was asked for and
  // removed afterwards, not its bytes).
  std::expected<void, builder::Failure> export_archive(const std::string& ref,
                                                       const std::filesystem::path& file,
                                                       builder::ArchiveFormat format,
                                                       const std::filesystem::path& log) override {
    std::lock_guard lock(mu_);
    calls_.push_back("export " + ref +
                     (format == builder::ArchiveFormat::oci ? " oci " : " docker ") +
                     file.filename().string());
    if (!store.contains(ref))
      return std::unexpected(
          builder::Failure{"export of " + ref + " failed: image not known", log});
    exported[ref] = file;
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    std::ofstream(file) << "archive of " << ref << '\n';
    return {};
  }

  // The manifest digest a push of `ref` reports: the SHA-256 of the reference text, so each
  // image has its own and a test can compute it.
  static std::string digest_of(const std::string& ref) {
    return "sha256:" + registry::hash_hex("sha256", ref);
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace stackctl::fakes
