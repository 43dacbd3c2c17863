#include "core/drift/files.hpp"

#include <set>

#include "core/deploy/diff.hpp"
#include "core/drift/secret_diff.hpp"

namespace stackctl::drift {

namespace {

bool ignored(const FilesRequest& r, const std::string& path) {
  for (const auto& p : r.ignored_prefixes)
    if (path.starts_with(p)) return true;
  return false;
}

std::string note_of(const CommittedFiles& c, const std::string& path) {
  auto it = c.notes.find(path);
  return it == c.notes.end() ? "" : " (" + it->second + ")";
}

SourceLoc file_loc(const CommittedFiles& c, const std::string& path, int line) {
  const std::string full = c.root.empty() ? path : c.root + "/" + path;
  return SourceLoc{full, line, line > 0 ? 1 : 0};
}

Result compare_one(const FilesRequest& r, const std::string& path, const render::File* rendered,
                   const std::string* committed) {
  const CommittedFiles& c = *r.committed;
  Result out{"files", path, Status::passed, Severity::error, "same", "", std::nullopt, ""};
  if (r.stack != nullptr) out.stack_key = stack_key_of(*r.stack, path);
  if (rendered == nullptr) {
    out.status = Status::drifted;
    out.summary = "committed but no longer rendered" + note_of(c, path);
    out.evidence = "the stack does not render " + path + " (read from " + c.ref +
                   "); remove it, or re-run `stackctl render` if the stack should render it";
    out.location = file_loc(c, path, 1);
    return out;
  }
  if (committed == nullptr) {
    out.status = Status::drifted;
    out.summary = "rendered but not committed" + note_of(c, path);
    out.evidence = "the stack renders " + path + ", which " + c.ref + " does not hold";
    if (!rendered->secret)
      out.evidence += "\n" + deploy::unified_diff("", rendered->data, "/dev/null", "b/" + path);
    out.location = file_loc(c, path, 0);
    return out;
  }
  if (*committed == rendered->data) {
    out.summary = "same" + note_of(c, path);
    return out;
  }
  out.status = Status::drifted;
  out.summary = "modified" + note_of(c, path);
  if (rendered->secret) {
    // Which keys changed, never a value (as deploy --diff shows a Secret).
    const MaskedDiff masked = masked_diff(path, *committed, rendered->data);
    out.evidence =
        path + " holds spark.env values: it differs from what the stack renders now " +
        (masked.diff.empty() ? "(contents not shown)" : "(values masked)\n" + masked.diff);
    out.location = file_loc(c, path, masked.line);
    return out;
  }
  out.evidence = deploy::unified_diff(*committed, rendered->data, "a/" + path, "b/" + path);
  out.location = file_loc(c, path, first_changed_line(out.evidence));
  return out;
}

}  // namespace

std::string stack_key_of(const model::Stack& stack, const std::string& path) {
  auto second = [&](const std::string& prefix) -> std::string {
    if (!path.starts_with(prefix)) return "";
    const std::string rest = path.substr(prefix.size());
    return rest.substr(0, rest.find('/'));
  };
  if (auto image = second("images/"); !image.empty()) {
    for (std::size_t i = 0; i < stack.images.size(); ++i)
      if (stack.images[i].name == image) return "images[" + std::to_string(i) + "]";
  }
  if (auto target = second("targets/"); !target.empty()) {
    for (std::size_t i = 0; i < stack.targets.size(); ++i)
      if (stack.targets[i].name == target) return "targets[" + std::to_string(i) + "]";
  }
  return "";
}

int first_changed_line(const std::string& unified_diff) {
  const auto at = unified_diff.find("\n@@ -");
  if (at == std::string::npos) return 0;
  int line = 0;
  for (std::size_t i = at + 5;
       i < unified_diff.size() && unified_diff[i] >= '0' && unified_diff[i] <= '9'; ++i)
    line = line * 10 + (unified_diff[i] - '0');
  // A hunk starts with up to 3 lines of context: the first changed line is after them.
  const std::size_t body = unified_diff.find('\n', at + 1);
  if (body == std::string::npos) return line;
  std::size_t pos = body + 1;
  int context = 0;
  while (pos < unified_diff.size() && unified_diff[pos] == ' ') {
    ++context;
    pos = unified_diff.find('\n', pos);
    if (pos == std::string::npos) break;
    ++pos;
  }
  return line == 0 ? 1 : line + context;
}

std::vector<Result> compare_files(const FilesRequest& r) {
  std::map<std::string, const render::File*> rendered;
  for (const auto& f : r.rendered) rendered[f.path] = &f;
  std::set<std::string> paths;
  for (const auto& [p, _] : rendered) paths.insert(p);
  for (const auto& [p, _] : r.committed->files)
    if (!ignored(r, p)) paths.insert(p);
  std::vector<Result> out;
  for (const auto& p : paths) {
    auto rf = rendered.find(p);
    auto cf = r.committed->files.find(p);
    out.push_back(compare_one(r, p, rf == rendered.end() ? nullptr : rf->second,
                              cf == r.committed->files.end() ? nullptr : &cf->second));
  }
  return out;
}

}  // namespace stackctl::drift
