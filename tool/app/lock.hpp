// `stackctl lock` as library code: resolve artifact checksums, compare with the existing lock,
// write it when it changed. Ports: the filesystem (the lock file), the artifact store (published
// checksums), progress (what was resolved, what was written).
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/fs.hpp"
#include "app/error.hpp"
#include "app/ports.hpp"
#include "core/plans/lock.hpp"
#include "core/stack/model.hpp"

namespace stackctl::app {

struct LockRequest {
  const model::Stack* stack = nullptr;  // loaded and valid
  std::filesystem::path lock_path;
  // Change nothing: Error::Kind::drift (with the differences as details) when the lock is
  // missing or not current; nothing is resolved online.
  bool frozen = false;
};

struct LockPorts {
  fs::Filesystem& files;
  Artifacts& artifacts;
  Progress& progress;
};

struct LockResult {
  lock::Lock lock;  // what the lock file holds now
  enum class Status { written, current } status = Status::current;
};

// Errors: Kind::input (the lock cannot be read, parsed or written), Kind::external (a checksum
// could not be resolved; nothing is written then), Kind::drift (frozen and not current).
std::expected<LockResult, Error> lock(const LockRequest& request, const LockPorts& ports);

}  // namespace stackctl::app
