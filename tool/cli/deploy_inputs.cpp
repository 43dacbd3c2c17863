#include "cli/deploy_inputs.hpp"

#include <cstdlib>
#include <regex>

#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "core/doc.hpp"
#include "core/render/common.hpp"
#include "core/render/render.hpp"

namespace stackctl::cli {

namespace {

using kube::Json;

// The placeholder render writes on EKS targets (core/render/manifests.hpp).
constexpr std::string_view kRoleArnPlaceholder = "${terraform.output.spark_role_arn}";

Json scalar(const doc::Node& n) {
  if (n.quoted) return n.scalar;
  const std::string& s = n.scalar;
  if (s.empty() || s == "null" || s == "~" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex integer("[-+]?[0-9]+");
  static const std::regex decimal("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (std::regex_match(s, integer)) return std::stoll(s);
  if (std::regex_match(s, decimal)) return std::strtod(s.c_str(), nullptr);
  return s;
}

Json to_json(const doc::Node& n) {
  switch (n.kind) {
    case doc::Kind::null:
      return nullptr;
    case doc::Kind::scalar:
      return scalar(n);
    case doc::Kind::seq: {
      Json a = Json::array();
      for (const auto& item : n.items) a.push_back(to_json(item));
      return a;
    }
    case doc::Kind::map:
      break;
  }
  Json o = Json::object();
  for (const auto& e : n.entries) o[e.key] = to_json(e.value);
  return o;
}

std::string repository_of(const std::string& ref) {
  // repository:tag -> repository (a ':' after the last '/' starts the tag).
  const auto slash = ref.rfind('/');
  const auto colon = ref.rfind(':');
  return colon != std::string::npos && (slash == std::string::npos || colon > slash)
             ? ref.substr(0, colon)
             : ref;
}

template <class F>
void each_container(Json& object, F f) {
  for (auto* pod : {&object["spec"]["template"]["spec"]}) {
    if (!pod->is_object()) continue;
    for (const char* key : {"initContainers", "containers"})
      if (pod->contains(key) && (*pod)[key].is_array())
        for (auto& c : (*pod)[key]) f(c);
  }
}

bool has_pod_template(const Json& o) {
  return o.contains("spec") && o["spec"].is_object() && o["spec"].contains("template");
}

void replace_strings(Json& j, std::string_view from, const std::string& to, bool& found) {
  if (j.is_string()) {
    if (j.get_ref<const std::string&>() == from) {
      j = to;
      found = true;
    }
  } else if (j.is_structured()) {
    for (auto& v : j) replace_strings(v, from, to, found);
  }
}

}  // namespace

std::expected<Json, std::string> yaml_to_json(const std::string& text, const std::string& file) {
  Diagnostics diags;
  auto root = doc::parse(text, file, diags);
  if (!root) return std::unexpected(format_diagnostic(root.error()));
  if (diags.has_errors()) return std::unexpected(format_diagnostic(diags.items().front()));
  if (!root->is_map()) return std::unexpected(file + ": not a YAML mapping (one object)");
  return to_json(*root);
}

std::expected<TerraformOutputs, std::string> parse_terraform_outputs(const std::string& text,
                                                                     const std::string& file) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return std::unexpected(file + ": not `terraform output -json` output: " + e.what());
  }
  if (!j.is_object())
    return std::unexpected(file +
                           ": not `terraform output -json` output (a JSON object of "
                           "outputs)");
  TerraformOutputs out;
  auto value = [&](const char* name) -> std::optional<std::string> {
    if (!j.contains(name) || !j[name].is_object()) return std::nullopt;
    const Json& v = j[name].value("value", Json());
    if (v.is_string()) return v.get<std::string>();
    return std::nullopt;
  };
  out.spark_role_arn = value("spark_role_arn");
  out.spark_env_secret_name = value("spark_env_secret_name");
  return out;
}

std::expected<std::vector<kube::Object>, int> rendered_objects(Context& ctx,
                                                               const model::Stack& base,
                                                               const model::Stack& stack,
                                                               const catalog::Catalog& catalog,
                                                               const std::string& stack_path,
                                                               const std::string& values_file) {
  auto templates = load_templates(ctx, "");
  if (!templates) return std::unexpected(templates.error());
  const std::filesystem::path dir = std::filesystem::path(stack_path).parent_path();
  ValuesRead values = read_env_values(values_file, dir, {&base, &stack});
  if (!values.failure.empty()) {
    ctx.err << "stackctl: " << values.failure << '\n';
    return std::unexpected(kInputError);
  }
  if (values.diags.has_errors()) {
    for (const auto& d : values.diags.items()) print_diagnostic(ctx, ctx.err, d);
    return std::unexpected(kFindings);
  }
  auto stack_files = read_stack_files(ctx, stack, stack_path);
  if (!stack_files) return std::unexpected(stack_files.error());
  render::Request request;
  request.base = &base;
  request.targets = {&stack};
  request.catalog = &catalog;
  request.templates = &*templates;
  request.env_values = std::move(values.values);
  request.stack_files = std::move(*stack_files);
  auto files = render::render_all(request);
  if (!files) {
    for (const auto& d : files.error().items()) print_diagnostic(ctx, ctx.err, d);
    ctx.err << "stackctl: render failed; nothing was deployed\n";
    return std::unexpected(kFindings);
  }
  const std::string prefix = "targets/" + stack.target + "/kubernetes/";
  std::vector<kube::Object> out;
  for (const auto& f : *files) {
    if (!f.path.starts_with(prefix)) continue;
    auto json = yaml_to_json(f.data, f.path);
    if (!json) {
      ctx.err << "stackctl: " << json.error() << '\n';
      return std::unexpected(kInternal);  // render's own output must parse
    }
    out.push_back(kube::Object{std::move(*json)});
  }
  return out;
}

std::expected<void, std::string> pin_images(std::vector<kube::Object>& objects,
                                            const lock::Lock& lock, const std::string& build_hint) {
  std::string problems;
  for (auto& o : objects) {
    if (!has_pod_template(o.body)) continue;
    each_container(o.body, [&](Json& c) {
      const std::string image = c.value("image", "");
      const lock::Image* locked = nullptr;
      for (const auto& i : lock.images)
        if (i.ref == image) locked = &i;
      if (locked == nullptr) {
        problems += "\n  " + o.display() + " runs " + image +
                    ", which stack.lock does not record (the lock is stale or the image was never "
                    "built)";
      } else if (locked->digest.empty()) {
        problems += "\n  " + o.display() + " runs " + image +
                    ", which stack.lock records without a pushed digest";
      } else {
        c["image"] = repository_of(locked->ref) + "@" + locked->digest;
      }
    });
  }
  if (problems.empty()) return {};
  return std::unexpected("images are not built and pushed:" + problems + "\n  run `" + build_hint +
                         "` first, then deploy again");
}

std::expected<void, std::string> fill_role_arn(std::vector<kube::Object>& objects,
                                               const std::optional<std::string>& arn,
                                               const std::string& hint) {
  for (auto& o : objects) {
    bool found = false;
    kube::Json probe = o.body;
    replace_strings(probe, kRoleArnPlaceholder, arn.value_or(""), found);
    if (!found) continue;
    if (!arn) return std::unexpected(o.display() + " needs the IAM role of Spark (IRSA): " + hint);
    o.body = std::move(probe);
  }
  return {};
}

}  // namespace stackctl::cli
