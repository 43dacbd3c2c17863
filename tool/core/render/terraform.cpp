// Terraform: one root module per target, calling the static modules under terraform/modules/.
//
// Every value that comes from the stack reaches HCL through hcl_quote() (or as a number), so a
// vault path or cluster name can hold quotes, backslashes or "${" without changing the meaning of
// the file. The templates insert those pre-quoted values with {{{triple}}} braces: mustache's own
// escaping is HTML's and must never touch HCL.
#include "core/render/terraform.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "core/render/parts.hpp"
#include "core/stack/names.hpp"

namespace stackctl::render {

namespace {

void append_unicode_escape(std::string& out, unsigned char c) {
  static constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  out += "\\u00";
  out += hex[c >> 4];
  out += hex[c & 0x0F];
}

// The bucket of an s3a://bucket/prefix location, "" when `uri` is not an S3 location.
std::string bucket_of(std::string_view uri) {
  for (std::string_view scheme : {"s3a://", "s3n://", "s3://"}) {
    if (!uri.starts_with(scheme)) continue;
    const std::string_view rest = uri.substr(scheme.size());
    return std::string(rest.substr(0, rest.find('/')));
  }
  return {};
}

}  // namespace

std::string hcl_quote(std::string_view value) {
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const auto byte = static_cast<unsigned char>(c);
    const bool opens_template =
        (c == '$' || c == '%') && i + 1 < value.size() && value[i + 1] == '{';
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      append_unicode_escape(out, byte);
    } else if (opens_template) {
      out += c;  // "$${" is a literal "${", "%%{" a literal "%{"; the '{' follows as itself
      out += c;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string hcl_string_list(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += hcl_quote(values[i]);
  }
  out += "]";
  return out;
}

std::vector<std::string> s3_bucket_names(const model::Stack& stack) {
  if (stack.services.external.object_store.kind == model::ObjectStoreKind::minio) return {};
  std::set<std::string> buckets;
  auto add = [&](std::string_view uri) {
    if (std::string b = bucket_of(uri); !b.empty()) buckets.insert(std::move(b));
  };
  add(stack.services.history_server.log_directory);
  for (const auto& [key, value] : stack.spark.conf) add(value);
  return {buckets.begin(), buckets.end()};
}

std::vector<VaultSecret> vault_secrets(const model::Stack& stack) {
  std::vector<VaultSecret> out;
  for (const auto& source : stack.spark_env.sources) {
    if (source.type != model::SecretSourceType::vault) continue;
    VaultSecret secret{source.name, source.mount, source.path, {}};
    for (const auto& key : stack.spark_env.keys) {
      if (key.source == source.name) secret.fields.push_back({key.name, key.key, key.required});
    }
    if (!secret.fields.empty()) out.push_back(std::move(secret));
  }
  return out;
}

}  // namespace stackctl::render

namespace stackctl::render::detail {

namespace {

constexpr std::array<std::string_view, 5> kRootFiles = {"versions", "providers", "main",
                                                        "variables", "outputs"};

// Stack names and target names are DNS labels, but a comment must stay one line whatever it says.
std::string comment_safe(std::string text) {
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = '?';
  }
  return text;
}

std::string header(const model::Stack& stack) {
  return "# Rendered by stackctl from stack \"" + comment_safe(stack.metadata.name) +
         "\", target \"" + comment_safe(stack.target) +
         "\".\n# Do not edit: change the stack file and run `stackctl render` again.";
}

// Blank lines only between blocks: never two in a row, none right inside braces, none at the end.
// kainjow's mustache leaves the newline of a standalone section tag behind when the section is
// false. HCL has no literal newline inside a quoted string (hcl_quote escapes them) and the
// templates use no heredoc, so removing blank lines never changes a value.
std::string tidy_blank_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  auto blank = [](std::string_view l) {
    return l.find_first_not_of(' ') == std::string_view::npos;
  };
  std::string out;
  bool pending_blank = false;
  for (std::string_view line : lines) {
    if (blank(line)) {
      pending_blank = !out.empty() && !out.ends_with("{\n");
      continue;
    }
    const bool closes = line[line.find_first_not_of(' ')] == '}';
    if (pending_blank && !closes) out += '\n';
    pending_blank = false;
    out += line;
    out += '\n';
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "(none)" : out;
}

Data fields_view(const std::vector<VaultField>& fields) {
  std::size_t width = 0;
  for (const auto& f : fields) width = std::max(width, hcl_quote(f.env_name).size());
  Data list{Data::type::list};
  for (const auto& f : fields) {
    const std::string name = hcl_quote(f.env_name);
    Data item;
    item.set("env_name_q", name);
    item.set("pad", std::string(width - name.size(), ' '));
    item.set("field_q", hcl_quote(f.field));
    list.push_back(item);
  }
  return list;
}

// The spark_env variable: its description, its validations, and the Vault sources it feeds.
void set_vault_view(const std::vector<VaultSecret>& secrets, Data& view) {
  std::vector<std::string> names, required;
  Data sources{Data::type::list};
  for (const auto& s : secrets) {
    for (const auto& f : s.fields) {
      names.push_back(f.env_name);
      if (f.required) required.push_back(f.env_name);
    }
    Data item;
    item.set("name_q", hcl_quote(s.source));
    item.set("mount_q", hcl_quote(s.mount));
    item.set("path_q", hcl_quote(s.path));
    item.set("fields", fields_view(s.fields));
    sources.push_back(item);
  }
  view.set("vault", !secrets.empty());
  view.set("vault_sources", sources);
  view.set("spark_env_names_hcl", hcl_string_list(names));
  view.set("spark_env_required_hcl", hcl_string_list(required));
  view.set("spark_env_description_q",
           hcl_quote("spark.env values kept in Vault, by environment variable name: " +
                     join(names) + " (required: " + join(required) +
                     "). Set them with TF_VAR_spark_env or an untracked *.auto.tfvars file; "
                     "never commit them."));
  view.set("spark_env_required_message_q",
           hcl_quote("spark_env must set every required key: " + join(required) + "."));
  view.set("spark_env_names_message_q",
           hcl_quote("spark_env may only set the stack's spark.env keys kept in Vault: " +
                     join(names) + "."));
}

void set_eks_view(const model::Stack& stack, const model::Target& target, Data& view) {
  const bool eks = target.kind == model::TargetKind::eks;
  const model::EksCluster& c = target.eks;
  view.set("eks", eks);
  view.set("cluster_name_q", hcl_quote(c.name));
  view.set("region_q", hcl_quote(c.region));
  view.set("kubernetes_version_hcl",
           c.kubernetes_version.empty() ? std::string("null") : hcl_quote(c.kubernetes_version));
  view.set("node_instance_type_q", hcl_quote(c.node_instance_type));
  view.set("node_count", std::to_string(c.node_count));
  view.set("s3_bucket_names_hcl", hcl_string_list(s3_bucket_names(stack)));
}

Data root_view(const model::Stack& stack, const model::Target& target) {
  Data view;
  view.set("header", header(stack));
  view.set("stack_name_q", hcl_quote(stack.metadata.name));
  view.set("target_name_q", hcl_quote(target.name));
  // The name the rendered manifests give the spark.env Secret (manifests.cpp).
  view.set("spark_env_secret_name_q", hcl_quote(names::spark_env(stack)));
  view.set("namespace_q", hcl_quote(target.namespace_name));
  view.set("minikube", target.kind == model::TargetKind::minikube);
  view.set("kube_context_q", hcl_quote(target.context));
  set_eks_view(stack, target, view);
  set_vault_view(vault_secrets(stack), view);
  return view;
}

}  // namespace

void render_terraform(const Request& request, const model::Stack& stack, Output& out) {
  if (stack.target.empty()) return;  // the base stack has no cluster to describe
  const model::Target* target = stack.find_target(stack.target);
  if (target == nullptr) {
    out.diags.error("E_TARGET", stack.locs.at("targets"), "targets",
                    "no target named \"" + stack.target + "\" to render Terraform for");
    return;
  }
  const Data view = root_view(stack, *target);
  const std::string dir = "targets/" + stack.target + "/terraform/";
  for (std::string_view file : kRootFiles) {
    const std::string name = "templates/terraform/" + std::string(file) + ".tf.mustache";
    const std::string text = expand(*request.templates, name, view, out);
    if (text.empty()) continue;
    note_written(out, dir + std::string(file) + ".tf", "tidy_blank_lines");
    out.files.push_back({dir + std::string(file) + ".tf", tidy_blank_lines(text)});
  }
}

void render_terraform_modules(const Request& request, Output& out) {
  if (request.targets.empty()) return;  // no root module calls them
  for (const std::string& name : request.templates->names_under("terraform/modules/")) {
    out.files.push_back({name, *request.templates->find(name)});
  }
}

}  // namespace stackctl::render::detail
