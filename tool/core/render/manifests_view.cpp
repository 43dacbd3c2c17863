// YAML quoting and the view pieces shared by every Kubernetes manifest (see manifests.hpp).
#include <algorithm>
#include <cctype>

#include "core/kube/object.hpp"
#include "core/render/common.hpp"
#include "core/render/manifests.hpp"

namespace stackctl::render::detail::k8s {

namespace {

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

}  // namespace

// One quoting rule for every YAML stackctl writes: kube::yaml_quote (core/kube/object.hpp).
std::string yaml_quote(std::string_view s) {
  return kube::yaml_quote(s);
}

std::string yaml_block(std::string_view text, int indent) {
  // A literal block keeps every byte except: a first line starting with a blank (its indentation
  // would be taken as the block's), control characters, and more than one trailing newline.
  const auto first = text.find_first_not_of('\n');
  const bool fits = first != std::string_view::npos && text[first] != ' ' && text[first] != '\t' &&
                    std::none_of(text.begin(), text.end(),
                                 [](char c) { return c != '\n' && c != '\t' && is_control(c); }) &&
                    !text.ends_with("\n\n");
  if (!fits) return yaml_quote(text);
  const bool newline_at_end = text.ends_with('\n');
  std::string_view body = newline_at_end ? text.substr(0, text.size() - 1) : text;
  std::string block = newline_at_end ? "|" : "|-";
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  while (true) {
    const auto nl = body.find('\n');
    const std::string_view line = body.substr(0, nl);
    // An empty line is written as indentation alone, which emit() keeps (see drop_empty_lines).
    block += "\n" + pad + std::string(line);
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  return block;
}

std::string option_arg(const std::string& arg) {
  const bool plain = !arg.empty() && std::none_of(arg.begin(), arg.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '\'' || c == '"' || c == '\\';
  });
  return plain ? arg : shell_quote(arg);
}

Data string_list(const std::vector<std::string>& items) {
  Data list{Data::type::list};
  for (const auto& item : items) list.push_back(Data{yaml_quote(item)});
  return list;
}

Data pair_list(const std::vector<std::pair<std::string, std::string>>& items) {
  Data list{Data::type::list};
  for (const auto& [key, value] : items) {
    Data entry;
    entry.set("key", yaml_quote(key));
    entry.set("value", yaml_quote(value));
    list.push_back(entry);
  }
  return list;
}

Data object_view(const Facts& f, const std::string& name, const Labels& labels) {
  const std::vector<std::pair<std::string, std::string>> selector = {
      {"app.kubernetes.io/name", labels.name}, {"app.kubernetes.io/instance", labels.instance}};
  auto all = selector;
  all.emplace_back("app.kubernetes.io/component", labels.component);
  all.emplace_back("app.kubernetes.io/part-of", f.stack.metadata.name);
  all.emplace_back("app.kubernetes.io/managed-by", "stackctl");
  Data view;
  view.set("name", yaml_quote(name));
  view.set("namespace", yaml_quote(f.ns()));
  view.set("labels", pair_list(all));
  view.set("selector", pair_list(selector));
  return view;
}

Data checksum_annotations(const Facts& f, ReadsSecret reads,
                          const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> all = {{"checksum/config", f.config_checksum}};
  if (reads == ReadsSecret::yes) all.emplace_back("checksum/secret", f.secret_checksum);
  all.insert(all.end(), extra.begin(), extra.end());
  return pair_list(all);
}

Data secret_env_list(const Facts& f) {
  Data list{Data::type::list};
  for (const auto& e : f.secret_env) {
    Data entry;
    entry.set("name", yaml_quote(e.name));
    entry.set("secret", yaml_quote(e.secret));
    entry.set("key", yaml_quote(e.key));
    entry.set("optional", e.optional);
    list.push_back(entry);
  }
  return list;
}

Data pod_resources(const budget::Pod& pod) {
  Data r;
  r.set("cpu", yaml_quote(budget::cpu_quantity(pod.cpu_milli)));
  r.set("memory", yaml_quote(budget::quantity(pod.memory_mib())));
  return r;
}

std::vector<std::string> driver_conf(const Facts& f, const std::string& executor_image) {
  // Executors run the driver's own image: the same jars, Python and conda environments.
  std::vector<std::string> conf = {"spark.kubernetes.container.image=" + executor_image};
  for (const auto& e : f.secret_env)
    if (e.executors)
      conf.push_back("spark.kubernetes.executor.secretKeyRef." + e.name + "=" + e.secret + ":" +
                     e.key);
  return conf;
}

std::string image_ref_of(Facts& f, const std::string& image, const std::string& path) {
  if (const model::Image* img = f.stack.find_image(image)) {
    const auto given = f.request.image_refs.find(image);
    return given != f.request.image_refs.end() ? given->second : image_ref(f.stack, *img);
  }
  f.out.diags.error("E_VALUE", f.stack.locs.at(path), path,
                    "\"" + image + "\" is not an image of this stack",
                    "name one of the stack's `images`");
  return {};
}

// Service names are not checked here: validate checked every name render derives
// (core/stack/names.hpp), and object_of() checks every rendered object's names.
void emit_service(Facts& f, const std::string& name, const Labels& labels,
                  const std::vector<Port>& ports, bool headless) {
  Data view = object_view(f, name, labels);
  view.set("headless", headless);
  Data list{Data::type::list};
  for (const auto& p : ports) {
    Data entry;
    entry.set("port_name", yaml_quote(p.name));
    entry.set("port", std::to_string(p.port));
    entry.set("grpc", p.grpc);
    list.push_back(entry);
  }
  view.set("ports", list);
  emit(f, "40", "service", name, "templates/kubernetes/service.yaml.mustache", view);
}

namespace {

// kainjow's mustache drops the line of a standalone section tag only when the section renders; a
// skipped section or a comment leaves an empty line. Empty lines mean nothing in these manifests
// (values are quoted on one line or in blocks whose empty lines carry their indentation), so
// they all go.
std::string drop_empty_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const auto end = nl == std::string::npos ? text.size() : nl + 1;  // past the line's newline
    if (text[start] != '\n') out.append(text, start, end - start);
    start = end;
  }
  return out;
}

}  // namespace

void emit(Facts& f, std::string_view order, std::string_view kind, const std::string& name,
          std::string_view tmpl, const Data& view, EmitOptions options) {
  const std::size_t errors = f.out.diags.error_count();
  std::string text = drop_empty_lines(expand(*f.request.templates, tmpl, view, f.out));
  if (f.out.diags.error_count() != errors) return;  // expand() said why
  auto object = object_of(text, tmpl, f.out.diags);
  if (!object) return;
  const std::string path = "targets/" + f.stack.target + "/kubernetes/" + std::string(order) + "-" +
                           std::string(kind) + "-" + name + ".yaml";
  note_written(f.out, path, "drop_empty_lines");
  f.out.files.push_back({path, text, options.secret, false});
  f.out.manifests[f.stack.target].push_back({path, std::string(tmpl), std::move(*object),
                                             std::move(text), options.secret,
                                             std::move(options.unresolved)});
}

}  // namespace stackctl::render::detail::k8s
