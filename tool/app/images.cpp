#include "app/images.hpp"

#include <fstream>
#include <system_error>

#include "core/plans/build_plan.hpp"

namespace stackctl::app {

namespace {

Error refused(std::string message, const LoadRequest& request) {
  return Error{Error::Kind::findings,
               std::move(message),
               {"run `" + request.build_hint + "` to build it, then deploy again"},
               {}};
}

std::vector<std::string> last_lines(const std::filesystem::path& log, std::size_t n) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back("  " + line);
    if (lines.size() > n) lines.erase(lines.begin());
  }
  return lines;
}

// Step 1: the builder's store has what the lock pins.
std::expected<void, Error> check_in_store(const ImageToLoad& image, const LoadRequest& request,
                                          builder::Builder& builder) {
  auto labels = builder.labels(image.ref);
  if (!labels)
    return std::unexpected(Error{Error::Kind::external,
                                 "cannot tell whether " + image.ref + " is in the " +
                                     builder::to_string(builder.backend()) +
                                     " store: " + labels.error().message,
                                 {},
                                 {}});
  if (!*labels)
    return std::unexpected(refused(image.ref + " is not in the " +
                                       std::string(builder::to_string(builder.backend())) +
                                       " store, so it cannot be loaded into minikube",
                                   request));
  const auto it = (*labels)->find(std::string(plan::kInputsDigestLabel));
  const std::string found = it == (*labels)->end() ? "" : it->second;
  if (found != image.inputs_digest)
    return std::unexpected(
        refused(image.ref + " in the " + builder::to_string(builder.backend()) +
                    " store was built from other inputs than stack.lock records (" +
                    std::string(plan::kInputsDigestLabel) + " " +
                    (found.empty() ? "absent" : found) + ", lock " + image.inputs_digest + ")",
                request));
  return {};
}

// Steps 2 and 3 for one image.
std::expected<void, Error> export_and_load(const ImageToLoad& image, const LoadRequest& request,
                                           builder::Builder& builder, proc::Runner& runner,
                                           Progress& progress) {
  const auto archive = request.work_dir / "archives" / (image.name + ".tar");
  const auto log = request.work_dir / "logs" / (image.name + ".load.log");
  progress.image(image.name, "exporting " + image.ref + " to " + archive.string());
  if (auto e = builder.export_archive(image.ref, archive, request.format, log); !e)
    return std::unexpected(Error{Error::Kind::external,
                                 "cannot export " + image.ref + " for minikube",
                                 {e.error().message},
                                 {}});
  progress.image(image.name, "minikube image load " + archive.filename().string());
  proc::Command load;
  load.argv = {"minikube", "-p", request.profile, "image", "load", archive.string()};
  load.log_file = log;
  auto r = runner.run(load);
  std::error_code ec;
  std::filesystem::remove(archive, ec);
  if (!r)
    return std::unexpected(Error{
        Error::Kind::external, "cannot run minikube image load: " + r.error().message, {}, {}});
  if (r->exit_code != 0) {
    Error e{Error::Kind::external,
            "minikube image load of " + image.ref + " failed (exit " +
                std::to_string(r->exit_code) + "); last lines of " + log.string() + ":",
            last_lines(log, 8),
            {}};
    e.details.push_back("is minikube running (`minikube -p " + request.profile + " status`)?");
    return std::unexpected(std::move(e));
  }
  progress.image(image.name, "loaded " + image.ref + " into minikube");
  return {};
}

}  // namespace

std::expected<std::vector<LoadedImage>, Error> load_into_minikube(const LoadRequest& request,
                                                                  builder::Builder& builder,
                                                                  proc::Runner& runner,
                                                                  Progress& progress) {
  for (const auto& image : request.images)
    if (auto ok = check_in_store(image, request, builder); !ok) return std::unexpected(ok.error());
  std::vector<LoadedImage> out;
  if (request.dry_run) {
    for (const auto& image : request.images) out.push_back({image.name, image.ref, "would load"});
    return out;
  }
  // minikube present? One cheap run before any archive is written.
  auto version = runner.run({{"minikube", "version"}, {}, {}, {}, {}, {}});
  if (!version || version->exit_code != 0)
    return std::unexpected(Error{
        Error::Kind::external,
        "this target loads its images into minikube (`images: minikube-load`), but minikube " +
            std::string(!version
                            ? "cannot be run: " + version.error().message
                            : "version failed (exit " + std::to_string(version->exit_code) + ")"),
        {"install minikube (https://minikube.sigs.k8s.io/docs/start/), or give the target "
         "`images: push` and a registry the cluster pulls from"},
        {}});
  std::error_code ec;
  std::filesystem::create_directories(request.work_dir / "archives", ec);
  std::filesystem::create_directories(request.work_dir / "logs", ec);
  if (ec)
    return std::unexpected(Error{Error::Kind::input,
                                 "cannot create " + request.work_dir.string() + ": " + ec.message(),
                                 {},
                                 {}});
  for (const auto& image : request.images) {
    if (auto ok = export_and_load(image, request, builder, runner, progress); !ok)
      return std::unexpected(ok.error());
    out.push_back({image.name, image.ref, "loaded"});
  }
  return out;
}

}  // namespace stackctl::app
