#include "core/stack/loader.hpp"

#include <regex>
#include <set>

#include "core/stack/hygiene.hpp"
#include "core/stack/reader.hpp"
#include "core/stack/sections.hpp"

namespace stackctl {

namespace {

// Reads apiVersion and kind; a wrong apiVersion is one error, not a cascade.
void read_header(Reader& root, ReadContext& ctx) {
  if (auto api = root.string("apiVersion", Need::required); api && *api != kStackApiVersion) {
    ctx.diags.error("E_API_VERSION", root.loc_of("apiVersion"), "apiVersion",
                    "unsupported apiVersion \"" + *api + "\"",
                    "this stackctl reads apiVersion: " + std::string(kStackApiVersion));
  }
  if (auto kind = root.string("kind", Need::required); kind && *kind != kStackKind) {
    ctx.diags.error("E_VALUE", root.loc_of("kind"), "kind",
                    "kind must be \"Stack\", not \"" + *kind + "\"", "write kind: Stack");
  }
}

// The document for `target`: the base document with that target's overrides merged in.
std::optional<doc::Node> document_for_target(const doc::Node& root, const std::string& target,
                                             const std::string& file, Diagnostics& diags) {
  const doc::Node* targets = root.find("targets");
  if (targets != nullptr && targets->is_seq()) {
    for (const auto& t : targets->items) {
      const doc::Node* name = t.find("name");
      if (name == nullptr || name->scalar != target) continue;
      const doc::Node* overrides = t.find("overrides");
      if (overrides == nullptr || overrides->is_null()) return root;
      return doc::merge(root, *overrides);
    }
  }
  std::vector<std::string> names;
  if (targets != nullptr && targets->is_seq())
    for (const auto& t : targets->items)
      if (const doc::Node* n = t.find("name"); n && n->is_scalar()) names.push_back(n->scalar);
  const std::string guess = did_you_mean(target, names);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  diags.error("E_UNKNOWN_TARGET", {file, 0, 0}, "targets", "no target named \"" + target + "\"",
              !guess.empty() ? "did you mean \"" + guess + "\"?"
                             : (list.empty() ? "the stack defines no targets"
                                             : "targets in this stack: " + list));
  return std::nullopt;
}

// `images: push` needs somewhere to push: the registry of the stack as this target sees it
// (a target may override `registry`). Checked on the target's own stack only.
void check_image_delivery(const model::Stack& stack, Diagnostics& diags) {
  for (std::size_t i = 0; i < stack.targets.size(); ++i) {
    const model::Target& t = stack.targets[i];
    if (t.name != stack.target || t.images != model::ImageDelivery::push ||
        !stack.registry.url.empty())
      continue;
    const std::string path = "targets[" + std::to_string(i) + "].images";
    diags.error("E_VALUE", stack.locs.at(path), path,
                "target \"" + t.name + "\" pushes its images (`images: push`) but has no registry",
                "set `registry.url` (for this target: `overrides: {registry: {url: ...}}`), or "
                "write `images: minikube-load` or `images: none`");
  }
}

}  // namespace

std::optional<model::Stack> build_stack(const doc::Node& root, const LoadOptions& options,
                                        Diagnostics& diags) {
  model::Stack stack;
  stack.file = options.file;
  stack.target = options.target;
  stack.locs.set_file(options.file);
  if (!root.is_map()) {
    diags.error("E_NOT_A_STACK", root.loc.known() ? root.loc : SourceLoc{options.file, 1, 1}, "",
                root.is_null() ? "the file is empty" : "a stack file must be a mapping at the top",
                "start from the annotated example in docs/stack-file.md");
    return std::nullopt;
  }
  // Over-long values stop here: the checks below would run on them (std::regex recurses per
  // character). Control characters are reported and reading goes on.
  if (!check_values(root, diags)) return std::nullopt;
  const doc::Node* effective = &root;
  std::optional<doc::Node> merged;
  if (!options.target.empty()) {
    merged = document_for_target(root, options.target, options.file, diags);
    if (!merged) return std::nullopt;
    effective = &*merged;
  }

  ReadContext ctx{diags, stack.locs};
  Reader top(effective, "", ctx);
  read_header(top, ctx);
  const std::size_t errors_before = diags.error_count();
  detail::read_metadata(top.map("metadata", Need::required), ctx, stack.metadata);
  detail::read_versions(top.map("versions", Need::required), ctx, stack.versions);
  // Tag variables come from these two sections: when they are broken, an empty variable is a
  // consequence already reported, not a second problem.
  const bool tag_inputs_ok = diags.error_count() == errors_before;
  detail::read_artifacts(top.map("artifacts", Need::required), ctx, stack.artifacts);
  detail::read_python(top.map("python"), ctx, stack.python);
  detail::read_registry(top.map("registry"), ctx, stack.registry);
  detail::read_images(top, ctx, stack.images);
  detail::read_spark(top.map("spark"), ctx, stack.spark);
  detail::read_spark_env(top.map("sparkEnv"), ctx, stack.spark_env);
  detail::read_vault(top.map("vault"), ctx, stack.vault);
  detail::read_services(top.map("services"), ctx, stack.services);
  detail::read_doctor(top.map("doctor"), ctx, stack.doctor.ignore);
  detail::read_applications(top, ctx, stack.applications);
  detail::read_targets(top, ctx, stack.targets);
  top.finish();

  detail::check_references(stack, ctx);
  check_image_delivery(stack, diags);
  if (options.catalog != nullptr) derive_versions(stack, *options.catalog, diags);
  for (std::size_t i = 0; i < stack.images.size(); ++i) {
    const std::string path = "images[" + std::to_string(i) + "].tag";
    expand_tag(stack, stack.images[i], stack.locs.at(path), path, diags, {}, tag_inputs_ok);
  }
  return stack;
}

std::optional<model::Stack> load_stack(std::string_view text, const LoadOptions& options,
                                       Diagnostics& diags) {
  auto root = doc::parse(text, options.file, diags);
  if (!root) {
    diags.add(root.error());
    return std::nullopt;
  }
  return build_stack(*root, options, diags);
}

Diagnostics validate_stack(std::string_view text, const std::string& file,
                           const catalog::Catalog* catalog) {
  Diagnostics diags;
  auto root = doc::parse(text, file, diags);
  if (!root) {
    diags.add(root.error());
    return diags;
  }
  auto base = build_stack(*root, {file, "", catalog}, diags);
  if (!base) return diags;
  // Each target's merged stack: report what its overrides break, once per distinct problem.
  std::set<std::string> seen;
  for (const auto& d : diags.items()) seen.insert(format_diagnostic(d));
  for (const auto& target : base->targets) {
    if (target.name.empty()) continue;
    Diagnostics per_target;
    build_stack(*root, {file, target.name, catalog}, per_target);
    for (auto d : per_target.items()) {
      if (!seen.insert(format_diagnostic(d)).second) continue;
      d.message += " (with target \"" + target.name + "\")";
      diags.add(std::move(d));
    }
  }
  diags.sort();
  return diags;
}

void derive_versions(model::Stack& stack, const catalog::Catalog& catalog, Diagnostics& diags) {
  auto& v = stack.versions;
  const auto spark = Version::parse(v.spark);
  if (!spark) return;  // reported by read_versions
  const catalog::SparkLine* line = catalog.spark_line(*spark);
  const SourceLoc at = stack.locs.at("versions.spark");
  auto cannot = [&](const char* what, const char* key) {
    diags.warning(
        "W_CATALOG_UNKNOWN", at, std::string("versions.") + key,
        std::string("cannot derive ") + what + ": the catalog does not know Spark " + spark->line(),
        std::string("set versions.") + key + " in the stack");
  };
  if (v.scala.empty()) {
    if (line != nullptr) {
      v.scala = line->scala_default;
      v.scala_origin = model::Origin::catalog;
    } else {
      v.scala_origin = model::Origin::unknown;
      cannot("the Scala version", "scala");
    }
  }
  if (v.hadoop.empty()) {
    if (line != nullptr) {
      v.hadoop = line->hadoop;
      v.hadoop_origin = model::Origin::catalog;
    } else {
      v.hadoop_origin = model::Origin::unknown;
      cannot("the Hadoop version", "hadoop");
    }
  }
  if (v.aws_sdk.empty()) {
    const auto hadoop = Version::parse(v.hadoop);
    const catalog::HadoopSdk* sdk = hadoop ? catalog.sdk_for_hadoop(*hadoop) : nullptr;
    if (sdk != nullptr) {
      v.aws_sdk = sdk->version;
      v.aws_sdk_origin = model::Origin::catalog;
    } else {
      v.aws_sdk_origin = model::Origin::unknown;
      if (!v.hadoop.empty())
        diags.warning(
            "W_CATALOG_UNKNOWN", at, "versions.awsSdk",
            "cannot derive the AWS SDK version: the catalog has no SDK pin for Hadoop " + v.hadoop,
            "set versions.awsSdk in the stack");
    }
  }
}

}  // namespace stackctl
