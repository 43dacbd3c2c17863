#include "app/ports.hpp"

#include <thread>

#include "core/knowledge/published_checksum.hpp"
#include "core/plans/lock.hpp"

namespace stackctl::app {

namespace {

class SteadyClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

class StreamProgress final : public Progress {
 public:
  StreamProgress(std::ostream& err, std::mutex& mu, Clock& clock)
      : err_(err), mu_(mu), clock_(clock), start_(clock.now()) {}
  void image(std::string_view image, std::string_view text) override {
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - start_).count();
    std::lock_guard lock(mu_);
    err_ << "[" << image << " " << secs << "s] " << text << '\n' << std::flush;
  }
  void note(std::string_view text) override {
    std::lock_guard lock(mu_);
    err_ << text << (text.ends_with('\n') ? "" : "\n") << std::flush;
  }

 private:
  std::ostream& err_;
  std::mutex& mu_;
  Clock& clock_;
  std::chrono::steady_clock::time_point start_;
};

class FetcherArtifacts final : public Artifacts {
 public:
  explicit FetcherArtifacts(fetch::Fetcher& fetcher) : fetcher_(fetcher) {}

  std::expected<Resolved, std::string> resolve(const std::string& name,
                                               const std::string& url) override {
    auto r = fetcher_.resolve_checksum({name, url, std::nullopt, fetch::ChecksumSource::automatic});
    if (!r) return std::unexpected(r.error().message);
    return Resolved{lock::checksum_text(r->checksum), r->checksum_url};
  }

  std::expected<void, std::string> place(const plan::ArtifactNeed& need,
                                         const std::filesystem::path& destination) override {
    std::optional<model::Checksum> want;
    if (!need.checksum.empty()) {
      auto parsed = published_checksum::parse_tagged(need.checksum);
      if (!parsed) return std::unexpected(need.name + ": " + parsed.error());
      want = *parsed;
    }
    auto got = fetcher_.fetch({need.name, need.url, want, fetch::ChecksumSource::automatic});
    if (!got) return std::unexpected(got.error().message);
    std::error_code ec;
    std::filesystem::create_directories(destination.parent_path(), ec);
    if (auto placed = fetch::place(got->path, destination); !placed)
      return std::unexpected(placed.error().message);
    return {};
  }

 private:
  fetch::Fetcher& fetcher_;
};

}  // namespace

Clock& steady_clock() {
  static SteadyClock instance;
  return instance;
}

std::unique_ptr<Progress> stream_progress(std::ostream& err, std::mutex& mu, Clock& clock) {
  return std::make_unique<StreamProgress>(err, mu, clock);
}

std::unique_ptr<Artifacts> fetcher_artifacts(fetch::Fetcher& fetcher) {
  return std::make_unique<FetcherArtifacts>(fetcher);
}

}  // namespace stackctl::app
