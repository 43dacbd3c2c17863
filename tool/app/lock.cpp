#include "app/lock.hpp"

#include "app/build.hpp"

namespace stackctl::app {

std::expected<LockResult, Error> lock(const LockRequest& request, const LockPorts& ports) {
  auto existing = read_lock(ports.files, request.lock_path);
  if (!existing) return std::unexpected(existing.error());
  const lock::Lock* old_lock = *existing ? &**existing : nullptr;
  LockResult result{lock::from_stack(*request.stack, old_lock), LockResult::Status::current};
  if (request.frozen) {
    const auto diffs =
        old_lock ? lock::differences(*old_lock, result.lock)
                 : std::vector<std::string>{"no lock file at " + request.lock_path.string()};
    if (!diffs.empty())
      return std::unexpected(Error{Error::Kind::drift,
                                   request.lock_path.string() + " is not current (--frozen)",
                                   diffs,
                                   {}});
    return result;
  }
  if (auto r = resolve_checksums(ports.artifacts, ports.progress, result.lock); !r)
    return std::unexpected(r.error());
  if (old_lock && *old_lock == result.lock) {
    ports.progress.note(request.lock_path.string() + " is current");
    return result;
  }
  if (auto w = ports.files.write_atomic(request.lock_path, lock::serialize(result.lock),
                                        std::filesystem::perms(0644));
      !w)
    return std::unexpected(Error{Error::Kind::input, w.error().message, {}, {}});
  ports.progress.note("wrote " + request.lock_path.string());
  result.status = LockResult::Status::written;
  return result;
}

}  // namespace stackctl::app
