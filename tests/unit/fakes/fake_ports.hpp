// Fakes of the app layer's own ports (app/ports.hpp): a clock that moves only when told, a
// progress reporter that keeps every line, and an artifact store that resolves checksums from a
// table and "places" artifacts by recording them (and writing a marker into a MemoryFs).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "app/ports.hpp"
#include "memory_fs.hpp"

namespace stackctl::fakes {

class FakeClock final : public app::Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return t_; }
  void advance(std::chrono::seconds s) { t_ += s; }
  void sleep_for(std::chrono::milliseconds d) override { t_ += d; }

 private:
  std::chrono::steady_clock::time_point t_{};
};

class FakeProgress final : public app::Progress {
 public:
  void image(std::string_view image, std::string_view text) override {
    std::lock_guard lock(mu_);
    lines_.push_back("[" + std::string(image) + "] " + std::string(text));
  }
  void note(std::string_view text) override {
    std::lock_guard lock(mu_);
    lines_.push_back(std::string(text));
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class FakeArtifacts final : public app::Artifacts {
 public:
  explicit FakeArtifacts(MemoryFs& files) : files_(files) {}
  std::map<std::string, std::string> published;       // url -> "sha512:<hex>"; others fail
  std::map<std::string, std::string> failing_places;  // url -> message

  std::expected<Resolved, std::string> resolve(const std::string& name,
                                               const std::string& url) override {
    std::lock_guard lock(mu_);
    calls_.push_back("resolve " + name);
    auto it = published.find(url);
    if (it == published.end()) return std::unexpected(url + ".sha512: HTTP 404");
    return Resolved{it->second, url + ".sha512"};
  }
  std::expected<void, std::string> place(const plan::ArtifactNeed& need,
                                         const std::filesystem::path& destination) override {
    {
      std::lock_guard lock(mu_);
      calls_.push_back("place " + need.name + " " + need.checksum + " -> " + destination.string());
      if (auto it = failing_places.find(need.url); it != failing_places.end())
        return std::unexpected(it->second);
    }
    auto w = files_.write_atomic(destination, "artifact " + need.url, std::filesystem::perms(0644));
    if (!w) return std::unexpected(w.error().message);
    return {};
  }
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  MemoryFs& files_;
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace stackctl::fakes
