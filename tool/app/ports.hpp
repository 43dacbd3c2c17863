// The ports build and lock take besides the adapters' own (fs::Filesystem, proc::Runner,
// http::Client, builder::Builder): a clock, a progress reporter and the artifact store. Each has
// one real implementation here and a recording fake in tests/unit/fakes/.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "adapters/fetcher.hpp"
#include "core/plans/build_plan.hpp"

namespace stackctl::app {

// Monotonic time, for the elapsed seconds progress shows.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  // Waits `d` (deploy's polling); a fake clock advances instead.
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};
Clock& steady_clock();

// Progress and notes of a run, for a human on stderr; never results. Called from several
// threads at once during parallel builds: implementations serialise.
class Progress {
 public:
  virtual ~Progress() = default;
  // One line about one image ("preparing context", "STEP 2/5: RUN ...", "built x:y").
  virtual void image(std::string_view image, std::string_view text) = 0;
  // A line about the run ("pushing x:y", "resolved spark sha512:... from URL", "wrote x.lock").
  virtual void note(std::string_view text) = 0;
};
// "[image 12s] text" and "text" lines on `err`, each flushed, under `mu` (the lock download
// progress shares); seconds counted by `clock` from the reporter's creation.
std::unique_ptr<Progress> stream_progress(std::ostream& err, std::mutex& mu, Clock& clock);

// Artifacts (the Spark tarball, jars): their published checksums, and verified copies in build
// contexts. The real one is fetch::Fetcher (download, verify, cache); fetcher.hpp has the
// guarantees.
class Artifacts {
 public:
  virtual ~Artifacts() = default;
  struct Resolved {
    std::string checksum;  // "sha512:<hex>"
    std::string from;      // the published checksum file's URL, redacted
  };
  // The checksum published beside `url`. Error: why not (offline, 404, a malformed file).
  virtual std::expected<Resolved, std::string> resolve(const std::string& name,
                                                       const std::string& url) = 0;
  // A verified copy of `need` at `destination` (its folder is created). Error: why not (checksum
  // mismatch, not cached offline, the download failed).
  virtual std::expected<void, std::string> place(const plan::ArtifactNeed& need,
                                                 const std::filesystem::path& destination) = 0;
};
// Over `fetcher`, which must outlive the result.
std::unique_ptr<Artifacts> fetcher_artifacts(fetch::Fetcher& fetcher);

}  // namespace stackctl::app
