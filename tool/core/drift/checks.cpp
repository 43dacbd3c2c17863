#include "core/drift/checks.hpp"

#include "core/knowledge/version.hpp"

namespace stackctl::drift {

lock::Lock expected_lock(const model::Stack& stack, const lock::Lock& locked,
                         const std::vector<plan::ImagePlan>& plans) {
  lock::Lock next = lock::from_stack(stack, &locked);
  next.images.clear();  // from_stack carries the locked images over; these come from the plans
  for (const auto& p : plans) {
    std::string digest;
    const lock::Image* old = locked.find_image(p.name);
    if (old != nullptr && old->ref == p.ref && old->inputs_digest == p.inputs_digest)
      digest = old->digest;
    next.images.push_back({p.name, p.ref, p.inputs_digest, digest});
  }
  return next;
}

std::vector<Result> compare_lock(const lock::Lock* locked, const lock::Lock& expected,
                                 const std::string& lock_file) {
  const SourceLoc at{lock_file, 0, 0};
  if (locked == nullptr)
    return {{"lock", lock_file, Status::drifted, Severity::error, "no lock file",
             "the stack has no lock at " + lock_file +
                 "; run `stackctl lock` (build --frozen refuses a stack without one)",
             at, ""}};
  const auto diffs = lock::differences(*locked, expected);
  if (diffs.empty())
    return {{"lock", lock_file, Status::passed, Severity::error, "current", "", std::nullopt, ""}};
  std::vector<Result> out;
  for (const auto& d : diffs) {
    const auto colon = d.find(": ");
    const std::string item = colon == std::string::npos ? d : d.substr(0, colon);
    out.push_back({"lock", item, Status::drifted, Severity::error,
                   colon == std::string::npos ? "differs" : d.substr(colon + 2),
                   lock_file + " would change: " + d +
                       " (run `stackctl lock`, or `stackctl build` for images)",
                   at, ""});
  }
  return out;
}

Result compare_tag(const TagObservation& seen, const std::string& lock_file) {
  Result r{"registry",
           seen.image + " " + seen.ref,
           Status::passed,
           Severity::error,
           "",
           "",
           SourceLoc{lock_file, 0, 0},
           ""};
  if (!seen.error.empty()) {
    r.status = Status::error;
    r.summary = "could not check";
    r.evidence = seen.error;
    return r;
  }
  if (!seen.observed_digest) {
    r.status = Status::drifted;
    r.summary = "tag deleted";
    r.evidence = seen.ref + " no longer exists in the registry; " + lock_file + " locks " +
                 seen.locked_digest;
    return r;
  }
  if (*seen.observed_digest != seen.locked_digest) {
    r.status = Status::drifted;
    r.summary = "tag moved";
    r.evidence = seen.ref + " now points at " + *seen.observed_digest + "; " + lock_file +
                 " locks " + seen.locked_digest +
                 " (someone pushed over the tag; rebuild with `stackctl build --push` or restore "
                 "the image)";
    return r;
  }
  r.summary = "at the locked digest";
  r.evidence = seen.ref + " -> " + seen.locked_digest;
  return r;
}

std::vector<Result> registry_skips(const lock::Lock& locked) {
  std::vector<Result> out;
  for (const auto& i : locked.images)
    if (i.digest.empty())
      out.push_back({"registry", i.name + " " + i.ref, Status::skipped, Severity::error,
                     "not pushed",
                     "the lock records no digest for " + i.ref +
                         " (it was built but not pushed), so there is no tag to "
                         "compare",
                     std::nullopt, ""});
  return out;
}

std::vector<Result> compare_catalog(const model::Stack& stack, const catalog::Catalog& catalog,
                                    const std::string& catalog_file) {
  const SourceLoc at = stack.locs.at("versions.spark");
  const std::string item = "versions.spark " + stack.versions.spark;
  auto pinned = Version::parse(stack.versions.spark);
  if (!pinned)
    return {{"catalog", item, Status::skipped, Severity::advisory, "not a version",
             "versions.spark does not parse as a version", at, "versions.spark"}};
  const catalog::SparkLine* line = catalog.spark_line(*pinned);
  if (line == nullptr)
    return {{"catalog", item, Status::skipped, Severity::advisory, "line not in the catalog",
             "the catalog has no Spark " + pinned->line() +
                 " line, so it records no release "
                 "that supersedes this one",
             at, "versions.spark"}};
  std::optional<Version> latest;
  for (const auto& r : line->releases) {
    auto v = Version::parse(r);
    if (v && v->starts_with(*Version::parse(line->line)) && v->suffix().empty() &&
        (!latest || *v > *latest))
      latest = v;
  }
  const std::string entry = catalog_file + ": sparkLines, line \"" + line->line +
                            "\", releases (source: " + line->source + ")";
  if (!latest || *latest <= *pinned)
    return {{"catalog", item, Status::passed, Severity::advisory,
             "latest release the catalog lists", entry, at, "versions.spark"}};
  return {{"catalog", item, Status::drifted, Severity::advisory, "superseded by " + latest->text(),
           "Spark " + latest->text() + " is a later patch release of the " + line->line +
               " line than the pinned " + pinned->text() + "; the catalog lists it in " + entry +
               ". Consider versions.spark: \"" + latest->text() + "\"",
           at, "versions.spark"}};
}

std::vector<Result> known_broken(const std::vector<check::Finding>& findings) {
  std::vector<Result> out;
  for (const auto& f : findings) {
    if (f.diag.severity != stackctl::Severity::error) continue;
    std::string evidence = f.diag.code + ": " + f.diag.message;
    if (!f.diag.hint.empty()) evidence += "\n  hint: " + f.diag.hint;
    evidence += "\n  (rule " + f.diag.code + " of `stackctl check`, docs/check.md)";
    out.push_back({"catalog", f.diag.code + " " + f.diag.path, Status::drifted, Severity::advisory,
                   "known-broken combination", evidence, f.diag.loc, f.diag.path});
  }
  if (out.empty())
    out.push_back({"catalog", "combinations", Status::passed, Severity::advisory,
                   "no known-broken combination", "`stackctl check` finds no error", std::nullopt,
                   ""});
  return out;
}

}  // namespace stackctl::drift
