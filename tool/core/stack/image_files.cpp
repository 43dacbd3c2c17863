// images[].files: files of the stack's own folder copied into an image (docs/stack-file.md,
// "images"). `from` gets the checks of every file reference (check_relative_path; what a link
// reaches is checked where it is read, adapters/fs.hpp read_inside); `to` must be a file path the
// image can hold and the pods will see.
#include <algorithm>
#include <array>
#include <set>

#include "core/stack/sections.hpp"

namespace stackctl::detail {

namespace {

// Characters a path may hold in a JSON-form COPY. The rendered Dockerfile writes
// COPY ["<from>", "<to>"]: no character needs a JSON escape, none is a glob (`*`, `?`, `[`: COPY
// matches its source as a pattern), and none is `$` (COPY expands variables, also in JSON form,
// and `\$`, the Dockerfile escape, is not valid JSON, which would turn the line into shell form).
bool copy_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '.' || c == '_' || c == '-' || c == '+' || c == '@' || c == '=' || c == ',';
}

std::string first_unsafe(const std::string& value) {
  const auto it = std::find_if_not(value.begin(), value.end(), copy_safe);
  if (it == value.end()) return "";
  if (*it == ' ') return "a space";
  return std::string("'") + *it + "'";
}

// Folders where the file would not be seen when the pod runs: the runtime mounts over them
// (/proc, /sys, /dev; Kubernetes' ServiceAccount token under /var/run/secrets and its /run
// twin), or a ConfigMap is mounted there: stackctl's workloads and submitter Job mount
// spark-defaults at /etc/spark/conf and /etc/spark/conf-base (render/manifests.hpp, kSparkConfDir
// and kSparkConfBaseDir), Kyuubi's at /etc/kyuubi/conf, and Spark mounts its own ConfigMap on
// every driver and executor pod at /opt/spark/conf (SPARK_CONF_DIR_INTERNAL, Spark's
// resource-managers/kubernetes/core/.../Constants.scala).
constexpr std::array<std::string_view, 9> kMountedOver = {"/proc",
                                                          "/sys",
                                                          "/dev",
                                                          "/var/run/secrets",
                                                          "/run/secrets",
                                                          "/etc/spark/conf",
                                                          "/etc/spark/conf-base",
                                                          "/etc/kyuubi/conf",
                                                          "/opt/spark/conf"};

// Paths the image needs as they are: the top-level folders, the folders and files the built-in
// recipes create (images/*/Dockerfile.mustache). A file copied to a folder's path would land
// inside it under its own name (COPY's rule for an existing folder), not at `to`, and one copied
// over the entrypoint or decom.sh replaces what every pod runs.
constexpr std::array<std::string_view, 36> kImageNeeds = {"/bin",
                                                          "/boot",
                                                          "/etc",
                                                          "/home",
                                                          "/lib",
                                                          "/lib32",
                                                          "/lib64",
                                                          "/libx32",
                                                          "/media",
                                                          "/mnt",
                                                          "/opt",
                                                          "/root",
                                                          "/run",
                                                          "/sbin",
                                                          "/srv",
                                                          "/tmp",
                                                          "/usr",
                                                          "/var",
                                                          "/etc/spark",
                                                          "/home/spark",
                                                          "/opt/spark",
                                                          "/opt/spark/bin",
                                                          "/opt/spark/sbin",
                                                          "/opt/spark/jars",
                                                          "/opt/spark/python",
                                                          "/opt/spark/work-dir",
                                                          "/opt/java",
                                                          "/opt/java/openjdk",
                                                          "/opt/python",
                                                          "/opt/python/bin",
                                                          "/opt/conda",
                                                          "/opt/kyuubi",
                                                          "/opt/kyuubi/bin",
                                                          "/opt/kyuubi/conf",
                                                          "/opt/entrypoint.sh",
                                                          "/opt/decom.sh"};

bool under(std::string_view path, std::string_view dir) {
  return path == dir ||
         (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

// Why `to` cannot be a destination, or "" when it can.
std::string destination_problem(const std::string& to) {
  if (to.empty()) return "is empty";
  if (to.front() != '/') return "is not absolute";
  if (to == "/") return "is the image's root folder";
  if (to.back() == '/') return "ends with '/' (a folder); name the file itself";
  for (std::size_t start = 1; start <= to.size();) {
    const auto end = std::min(to.find('/', start), to.size());
    const std::string_view part(to.data() + start, end - start);
    if (part.empty() || part == ".") return "has an empty or \".\" part";
    if (part == "..") return "goes up a folder (\"..\")";
    start = end + 1;
  }
  if (const auto c = first_unsafe(to); !c.empty())
    return "holds " + c + ", which a Dockerfile COPY cannot take as it is";
  for (const auto dir : kMountedOver)
    if (under(to, dir))
      return "is under " + std::string(dir) +
             ", which is mounted over when the pod runs: the file would not be seen";
  for (const auto need : kImageNeeds)
    if (to == need) return "is a path the image needs (" + std::string(need) + ")";
  return "";
}

}  // namespace

void read_image_files(Reader& r, ReadContext& ctx, std::vector<model::ImageFile>& out) {
  std::vector<std::pair<std::string, std::string>> destinations;
  for (const auto& [node, path] : r.seq("files")) {
    Reader f(node, path, ctx);
    model::ImageFile file;
    if (auto from = f.string("from", Need::required)) {
      file.from = *from;
      const SourceLoc at = ctx.locs.at(f.child("from"));
      if (check_relative_path(ctx, file.from, at, f.child("from"), "the file")) {
        if (const auto c = first_unsafe(file.from); !c.empty())
          ctx.diags.error("E_IMAGE_PATH", at, f.child("from"),
                          "the file \"" + file.from + "\" holds " + c +
                              ", which a Dockerfile COPY cannot take as it is",
                          "rename the file to letters, digits and . _ - + @ = , (folders with /)");
      }
    }
    if (auto to = f.string("to", Need::required)) {
      file.to = *to;
      if (const auto why = destination_problem(file.to); !why.empty())
        ctx.diags.error("E_IMAGE_PATH", ctx.locs.at(f.child("to")), f.child("to"),
                        "the destination \"" + file.to + "\" " + why,
                        "name the file's absolute path in the image, in a folder of the "
                        "application's own, e.g. /opt/app/job.py (docs/stack-file.md, "
                        "\"images\")");
      else
        destinations.emplace_back(file.to, f.child("to"));
    }
    f.finish();
    out.push_back(std::move(file));
  }
  check_unique(ctx, destinations, "file destination");
}

}  // namespace stackctl::detail
