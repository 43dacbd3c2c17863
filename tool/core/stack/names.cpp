// Kubernetes names derived from the stack (names.hpp), and validate's check of them
// (detail::check_derived_names): one message per stack key, at that key, naming the derived name
// it breaks and by how much to shorten it.
#include "core/stack/names.hpp"

#include <algorithm>

#include "core/stack/sections.hpp"

namespace stackctl::names {

namespace {

std::string join(const model::Stack& s, std::string_view part) {
  return s.metadata.name + "-" + std::string(part);
}

}  // namespace

std::string spark_defaults(const model::Stack& s) {
  return join(s, "spark-defaults");
}
std::string spark_env(const model::Stack& s) {
  return join(s, "spark-env");
}
std::string connect(const model::Stack& s) {
  return join(s, "connect");
}
std::string notebook(const model::Stack& s, const model::Notebook& nb) {
  return join(s, nb.name);
}
std::string notebook_driver(const model::Stack& s, const model::Notebook& nb) {
  return notebook(s, nb) + "-driver";
}
std::string client_driver(const model::Stack& s, const model::Application& app) {
  return join(s, app.name) + "-driver";
}
std::string history_server(const model::Stack& s) {
  return join(s, "history-server");
}
std::string kyuubi(const model::Stack& s) {
  return join(s, "kyuubi");
}
std::string kyuubi_pod(const model::Stack& s) {
  return kyuubi(s) + "-0";
}
std::string kyuubi_conf(const model::Stack& s) {
  return join(s, "kyuubi-conf");
}

namespace {

using kube::NameRule;

constexpr std::string_view kInstance = "the label value app.kubernetes.io/instance";

class Collector {
 public:
  explicit Collector(const model::Stack& s) : s_(s) {}
  std::vector<Derived> out;

  // A name built as metadata.name + "-" + `part` (a fixed string).
  void fixed(std::string value, std::string_view what, NameRule rule, std::string_view part) {
    add(std::move(value), what, rule, "metadata.name",
        "metadata.name + \"-" + std::string(part) + "\"", {"metadata.name"});
  }
  // A name built from metadata.name and the name at `path` (a notebook's, an application's),
  // followed by `suffix`.
  void of_notebook(std::string value, std::string_view what, NameRule rule, const std::string& path,
                   std::string_view suffix) {
    add(std::move(value), what, rule, path,
        "metadata.name + \"-\" + " + path +
            (suffix.empty() ? "" : " + \"" + std::string(suffix) + "\""),
        {path, "metadata.name"});
  }
  // A value the stack gives at `path`, written as it is.
  void verbatim(const std::string& value, std::string_view what, NameRule rule,
                const std::string& path) {
    if (!value.empty()) add(value, what, rule, path, "", {path});
  }
  void add(std::string value, std::string_view what, NameRule rule, std::string blame,
           std::string built, std::vector<std::string> from) {
    out.push_back({std::move(value), std::string(what), rule, kube::max_length(rule),
                   std::move(blame), std::move(built), std::move(from)});
  }

 private:
  const model::Stack& s_;
};

void collect_services(const model::Stack& s, Collector& c) {
  const auto& sv = s.services;
  if (sv.connect.enabled) {
    c.fixed(connect(s), "the Service name", NameRule::dns1035_label, "connect");
    c.fixed(connect(s), kInstance, NameRule::label_value, "connect");
  }
  for (std::size_t i = 0; i < sv.notebooks.size(); ++i) {
    const auto& nb = sv.notebooks[i];
    const std::string path = "services.notebooks[" + std::to_string(i) + "].name";
    c.of_notebook(notebook(s, nb), "the Service name", NameRule::dns1035_label, path, "");
    if (nb.mode == model::NotebookMode::client)
      c.of_notebook(notebook_driver(s, nb), "the Service name", NameRule::dns1035_label, path,
                    "-driver");
    c.of_notebook(notebook(s, nb), kInstance, NameRule::label_value, path, "");
  }
  if (sv.history_server.enabled) {
    c.fixed(history_server(s), "the Service name", NameRule::dns1035_label, "history-server");
    c.fixed(history_server(s), kInstance, NameRule::label_value, "history-server");
  }
  if (sv.kyuubi.enabled) {
    c.fixed(kyuubi(s), "the StatefulSet name", NameRule::dns1123_subdomain, "kyuubi");
    c.out.back().max = kube::kMaxStatefulSetName;
    c.fixed(kyuubi(s), "the Service name", NameRule::dns1035_label, "kyuubi");
    c.fixed(kyuubi_conf(s), "the ConfigMap name", NameRule::dns1123_subdomain, "kyuubi-conf");
    c.fixed(kyuubi(s), kInstance, NameRule::label_value, "kyuubi");
  }
  // A client-mode driver in the cluster: its headless Service, whose name is also the value of
  // the label that selects the driver's pod.
  for (std::size_t i = 0; i < s.applications.size(); ++i) {
    const auto& app = s.applications[i];
    if (app.deploy_mode != model::DeployMode::client ||
        app.client.runs_in != model::DriverPlace::cluster)
      continue;
    const std::string path = "applications[" + std::to_string(i) + "].name";
    c.of_notebook(client_driver(s, app), "the Service name", NameRule::dns1035_label, path,
                  "-driver");
    c.of_notebook(client_driver(s, app), kInstance, NameRule::label_value, path, "-driver");
  }
}

void collect_references(const model::Stack& s, Collector& c) {
  const auto& env = s.spark_env;
  for (std::size_t i = 0; i < env.sources.size(); ++i)
    if (env.sources[i].type == model::SecretSourceType::kubernetes_secret)
      c.verbatim(env.sources[i].secret, "the Secret name", NameRule::dns1123_subdomain,
                 "sparkEnv.sources[" + std::to_string(i) + "].kubernetesSecret");
  for (std::size_t k = 0; k < env.keys.size(); ++k) {
    const auto& key = env.keys[k];
    const std::string base = "sparkEnv.keys[" + std::to_string(k) + "]";
    c.verbatim(key.name, "the environment variable name", NameRule::env_var_name, base + ".name");
    c.verbatim(key.name, "the Secret key", NameRule::config_map_key, base + ".name");
    const auto src =
        std::find_if(env.sources.begin(), env.sources.end(),
                     [&](const model::SecretSource& x) { return x.name == key.source; });
    if (src != env.sources.end() && src->type == model::SecretSourceType::kubernetes_secret &&
        key.key != key.name)
      c.verbatim(key.key, "the Secret key", NameRule::config_map_key, base + ".key");
  }
  c.verbatim(s.services.external.object_store.credentials_secret, "the Secret name",
             NameRule::dns1123_subdomain, "services.external.objectStore.credentialsSecret");
}

}  // namespace

std::vector<Derived> derived(const model::Stack& s) {
  Collector c(s);
  c.fixed(spark_defaults(s), "the ConfigMap name", NameRule::dns1123_subdomain, "spark-defaults");
  c.fixed(spark_env(s), "the Secret name", NameRule::dns1123_subdomain, "spark-env");
  c.add(s.metadata.name, "the label value app.kubernetes.io/part-of", NameRule::label_value,
        "metadata.name", "", {"metadata.name"});
  collect_services(s, c);
  collect_references(s, c);
  return std::move(c.out);
}

}  // namespace stackctl::names

namespace stackctl::detail {

namespace {

using names::Derived;

// What is wrong with a derived name: nothing, only its length, or its form.
enum class Fault { none, length, form };

Fault fault_of(const Derived& d) {
  const std::string why = kube::why_invalid(d.rule, d.value);
  if (!why.empty() && !kube::is_too_long(why)) return Fault::form;
  return d.max > 0 && d.value.size() > d.max ? Fault::length : Fault::none;
}

std::string limit_note(const Derived& d) {
  if (d.max == kube::kMaxStatefulSetName && d.rule == kube::NameRule::dns1123_subdomain)
    return "a StatefulSet name is at most 52 characters: its pods' controller-revision-hash label "
           "is the name + \"-\" + a 10-character hash, and label values are at most 63 "
           "(kubernetes/kubernetes#64023)";
  if (d.max == 63) return "Service names and label values are at most 63";
  return "ConfigMap, Secret and Deployment names are at most " + std::to_string(d.max);
}

void report_length(ReadContext& ctx, const model::Stack& s, const Derived& d) {
  const bool alone = d.from.size() == 1;
  const std::string how = d.built.empty() ? d.blame : d.built;
  ctx.diags.error(
      "E_DERIVED_NAME", s.locs.at(d.blame), d.blame,
      d.what + " \"" + d.value + "\" (" + how + ") is " + std::to_string(d.value.size()) +
          " characters, more than " + std::to_string(d.max),
      "shorten " + d.blame + (alone ? "" : " or metadata.name") + " by " +
          std::to_string(d.value.size() - d.max) +
          (d.value.size() - d.max == 1 ? " character; " : " characters; ") + limit_note(d));
}

void report_form(ReadContext& ctx, const model::Stack& s, const Derived& d) {
  const std::string why = kube::why_invalid(d.rule, d.value);
  if (d.rule == kube::NameRule::dns1035_label && d.blame == "metadata.name" && !d.value.empty() &&
      d.value.front() >= '0' && d.value.front() <= '9') {
    ctx.diags.error("E_DERIVED_NAME", s.locs.at("metadata.name"), "metadata.name",
                    "\"" + s.metadata.name + "\" begins the Service name \"" + d.value +
                        "\", which must start with a letter",
                    "start metadata.name with a letter: Service names are DNS-1035 labels");
    return;
  }
  const std::string how = d.built.empty() ? "" : " (" + d.built + ")";
  ctx.diags.error("E_DERIVED_NAME", s.locs.at(d.blame), d.blame,
                  d.what + " \"" + d.value + "\"" + how + " is not " +
                      std::string(kube::rule_name(d.rule)) + ": " + why,
                  "allowed in " + d.blame + ": " + std::string(kube::rule_summary(d.rule)));
}

bool reported_where_read(const Diagnostics& diags, const Derived& d) {
  return std::any_of(diags.items().begin(), diags.items().end(), [&](const Diagnostic& x) {
    return x.severity == Severity::error &&
           std::find(d.from.begin(), d.from.end(), x.path) != d.from.end();
  });
}

}  // namespace

void check_derived_names(const model::Stack& stack, ReadContext& ctx) {
  // A key already reported where it was read (an invalid metadata.name or notebook name, an env
  // variable name) is not reported again for the names built from it. Per key, the worst
  // problem: a name of the wrong form first, else the one that is the most too long (shortening
  // the key by that much fixes all of them).
  std::vector<std::pair<const Derived*, Fault>> worst;
  const auto all = names::derived(stack);
  for (const auto& d : all) {
    if (reported_where_read(ctx.diags, d)) continue;
    const Fault f = fault_of(d);
    if (f == Fault::none) continue;
    auto same = std::find_if(worst.begin(), worst.end(),
                             [&](const auto& w) { return w.first->blame == d.blame; });
    const auto excess = [](const Derived* x) { return x->value.size() - x->max; };
    if (same == worst.end())
      worst.emplace_back(&d, f);
    else if (same->second == Fault::length &&
             (f == Fault::form || excess(same->first) < excess(&d)))
      *same = {&d, f};
  }
  for (const auto& [d, f] : worst) {
    if (f == Fault::form)
      report_form(ctx, stack, *d);
    else
      report_length(ctx, stack, *d);
  }
}

}  // namespace stackctl::detail
