// SC030: applications' local:// files against their images; see check_app_files.hpp.
#include "core/knowledge/check_app_files.hpp"

namespace stackctl::check_app_files {

namespace {

constexpr std::string_view kLocal = "local://";

void add_if_local(std::vector<File>& out, const model::Application& app, std::size_t index,
                  const std::string& field, const std::string& key, const std::string& uri) {
  if (!uri.starts_with(kLocal)) return;
  out.push_back({app.name, app.image, field, "applications[" + std::to_string(index) + "]." + key,
                 uri, uri.substr(kLocal.size())});
}

}  // namespace

std::vector<File> local_files(const model::Stack& stack) {
  std::vector<File> out;
  for (std::size_t i = 0; i < stack.applications.size(); ++i) {
    const auto& app = stack.applications[i];
    add_if_local(out, app, i, "mainResource", "mainResource", app.main_resource);
    for (std::size_t j = 0; j < app.py_files.size(); ++j)
      add_if_local(out, app, i, "pyFiles", "pyFiles[" + std::to_string(j) + "]", app.py_files[j]);
  }
  return out;
}

std::vector<check::Finding> findings(const model::Stack& stack,
                                     const std::vector<Checked>& checked) {
  const rules::Spec& rule = rules::declared(kRules, "SC030");
  std::vector<check::Finding> out;
  for (const auto& c : checked) {
    const File& f = c.file;
    const std::string subject = "application \"" + f.application + "\": " + f.field + " " + f.uri;
    const std::vector<std::pair<std::string, std::string>> facts{
        {"application", f.application}, {"image", c.image_ref}, {"path", f.path}};
    Diagnostic d{rule.severity, std::string(rule.code), stack.locs.at(f.key), f.key, {}, {}};
    switch (c.outcome.state) {
      case image_files::State::found:
        continue;
      case image_files::State::pending:
        d.severity = Severity::info;
        d.message = subject + " was not checked in image " + c.image_ref + ": " + c.not_checked;
        d.hint =
            "check the file by hand (skopeo copy the image, then look inside), or make the "
            "image readable to stackctl as the message says";
        break;
      case image_files::State::directory:
        d.message = subject + " is a directory in image " + c.image_ref + ", not a file (" +
                    c.outcome.why + ")";
        d.hint = "point " + f.key + " at the file inside " + c.outcome.resolved;
        break;
      case image_files::State::missing:
        d.message = subject + " is not in image " + c.image_ref + ": " + c.outcome.why;
        d.hint = "add " + f.path + " to image \"" + f.image + "\" (its recipe, then `stackctl " +
                 "build " + stack.file + " --push`), or point " + f.key +
                 " at a file the image has";
        break;
    }
    if (!c.outcome.links.empty()) {
      std::string links;
      for (const auto& l : c.outcome.links) links += (links.empty() ? "" : ", ") + l;
      d.message += " (symlinks followed: " + links + ")";
    }
    out.push_back({std::move(d), facts});
  }
  return out;
}

}  // namespace stackctl::check_app_files
