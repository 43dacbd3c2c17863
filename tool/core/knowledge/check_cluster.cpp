// The running platform against the stack; see check_cluster.hpp for the codes.
#include "core/knowledge/check_cluster.hpp"

#include <algorithm>
#include <set>

#include "core/contracts/image_labels.hpp"
#include "core/render/common.hpp"

namespace stackctl::check_cluster {

namespace {

using kube::Json;

// "reg/x/spark-base:tag@sha256:abc" -> "reg/x/spark-base".
std::string repository_of(std::string ref) {
  if (const auto at = ref.find('@'); at != std::string::npos) ref.resize(at);
  const auto slash = ref.rfind('/');
  const auto colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    ref.resize(colon);
  return ref;
}

// "…@sha256:abc" (a reference or a containerStatus imageID) -> "sha256:abc"; "" when none.
std::string digest_of(const std::string& ref) {
  const auto at = ref.find("sha256:");
  return at == std::string::npos ? "" : ref.substr(at);
}

// The index of the stack image whose repository `ref` names, or -1.
int stack_image_of(const model::Stack& stack, const std::string& ref) {
  const std::string repo = repository_of(ref);
  for (std::size_t i = 0; i < stack.images.size(); ++i)
    if (render::image_repository(stack, stack.images[i]) == repo) return static_cast<int>(i);
  return -1;
}

std::string image_path(const model::Stack& stack, const std::string& ref) {
  const int i = stack_image_of(stack, ref);
  return i < 0 ? "images" : "images[" + std::to_string(i) + "].tag";
}

std::string pod_display(const Json& pod) {
  const kube::Object o{pod};
  return "Pod " + o.namespace_name() + "/" + o.name();
}

const Json& array_at(const Json& j, const char* key) {
  static const Json empty = Json::array();
  return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : empty;
}

const Json& object_at(const Json& j, const char* key) {
  static const Json empty = Json::object();
  return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : empty;
}

bool selects(const Json& match_labels, const Json& labels) {
  if (!match_labels.is_object() || match_labels.empty()) return false;
  for (const auto& [k, v] : match_labels.items())
    if (!labels.contains(k) || labels[k] != v) return false;
  return true;
}

class Judge {
 public:
  Judge(const model::Stack& stack, const std::vector<kube::Object>& intended, const Live& live,
        const std::map<std::string, ImageLabels>& labels)
      : stack_(stack), intended_(intended), live_(live), labels_(labels) {}

  std::vector<check::Finding> run() {
    for (const auto& o : intended_)
      if (o.kind() == "Deployment" || o.kind() == "StatefulSet") workload_images(o);
    for (const auto& o : intended_)
      if (o.kind() == "ConfigMap") config_map(o);
    connect_vs_notebooks();
    one_python();
    unreadable();
    return std::move(out_);
  }

 private:
  void add(const rules::Spec& rule, const std::string& path, std::string message, std::string hint,
           std::vector<std::pair<std::string, std::string>> versions = {}) {
    Diagnostic d{rule.severity, std::string(rule.code), stack_.locs.at(path),
                 path,          std::move(message),     std::move(hint)};
    out_.push_back({std::move(d), std::move(versions)});
  }

  // SL001: every pod the workload's selector picks runs the template's images.
  void workload_images(const kube::Object& w) {
    const Json& spec = object_at(w.body, "spec");
    const Json& selector = object_at(object_at(spec, "selector"), "matchLabels");
    const Json& containers = array_at(object_at(object_at(spec, "template"), "spec"), "containers");
    for (const auto& pod : live_.pods) {
      const kube::Object p{pod};
      if (p.namespace_name() != w.namespace_name() || !selects(selector, p.labels())) continue;
      for (const auto& want : containers) {
        const std::string name = want.value("name", "");
        for (const auto& have : array_at(object_at(pod, "spec"), "containers"))
          if (have.value("name", "") == name) compare_image(w, pod, name, want, have);
      }
    }
  }

  void compare_image(const kube::Object& w, const Json& pod, const std::string& container,
                     const Json& want, const Json& have) {
    const std::string wanted = want.value("image", "");
    const std::string running = have.value("image", "");
    std::string image_id;
    for (const auto& st : array_at(object_at(pod, "status"), "containerStatuses"))
      if (st.value("name", "") == container) image_id = st.value("imageID", "");
    const std::string who = pod_display(pod) + " container " + container + " (" + w.display() + ")";
    const std::string hint =
        "`stackctl deploy " + stack_.file + " --target " + stack_.target +
        "` applies the image stack.lock records (after `stackctl build --push` for a new tag)";
    if (running != wanted) {
      add(rules::declared(kRules, "SL001"), image_path(stack_, wanted),
          who + " runs " + running + "; the stack and stack.lock say " + wanted, hint,
          {{"running", running}, {"intended", wanted}});
      return;
    }
    const std::string want_digest = digest_of(wanted);
    const std::string run_digest = digest_of(image_id);
    if (!want_digest.empty() && !run_digest.empty() && want_digest != run_digest)
      add(rules::declared(kRules, "SL001"), image_path(stack_, wanted),
          who + " runs digest " + run_digest + " (status imageID " + image_id +
              "); stack.lock records " + want_digest,
          hint, {{"running", run_digest}, {"intended", want_digest}});
  }

  // The stack key that owns a spark-defaults / kyuubi-defaults key.
  static std::string key_path(const std::string& key) {
    static const std::map<std::string, std::string> owners = {
        {"spark.executor.instances", "spark.executor.instances"},
        {"spark.executor.memory", "spark.executor.memory"},
        {"spark.executor.cores", "spark.executor.cores"},
        {"spark.kubernetes.executor.request.cores", "spark.executor.requestCores"},
        {"spark.executor.memoryOverhead", "spark.executor.memoryOverhead"},
        {"spark.driver.memory", "spark.driver.memory"},
        {"spark.driver.cores", "spark.driver.cores"},
        {"spark.dynamicAllocation.enabled", "spark.dynamicAllocation.enabled"},
        {"spark.dynamicAllocation.minExecutors", "spark.dynamicAllocation.minExecutors"},
        {"spark.dynamicAllocation.maxExecutors", "spark.dynamicAllocation.maxExecutors"},
        {"spark.hadoop.hive.metastore.uris", "services.external.metastore"},
        {"kyuubi.engine.share.level", "services.kyuubi.shareLevel"},
    };
    if (const auto it = owners.find(key); it != owners.end()) return it->second;
    if (key.starts_with("spark.hadoop.fs.s3a.")) return "services.external.objectStore";
    if (key.starts_with("kyuubi.")) return "services.kyuubi";
    return "spark.conf";
  }

  // SL002: the ConfigMap exists and each .conf key is what the stack renders now.
  void config_map(const kube::Object& want) {
    const Json* have = nullptr;
    for (const auto& cm : live_.config_maps) {
      const kube::Object o{cm};
      if (o.name() == want.name() && o.namespace_name() == want.namespace_name()) have = &cm;
    }
    const std::string hint = "`stackctl deploy " + stack_.file + " --target " + stack_.target +
                             "` applies what the stack renders; change the stack, not the "
                             "ConfigMap (the next deploy overwrites a hand edit)";
    if (have == nullptr) {
      add(rules::declared(kRules, "SL002"), "services",
          want.display() + " is not on the cluster (the stack renders it)", hint);
      return;
    }
    const Json& want_data = object_at(want.body, "data");
    const Json& have_data = object_at(*have, "data");
    for (const auto& [file, value] : want_data.items()) {
      const std::string intended = value.is_string() ? value.get<std::string>() : "";
      if (!have_data.contains(file) || !have_data[file].is_string()) {
        add(rules::declared(kRules, "SL002"), "services",
            want.display() + " has no " + file + " (the stack renders it)", hint);
        continue;
      }
      const std::string live = have_data[file].get<std::string>();
      if (live == intended) continue;
      if (!file.ends_with(".conf")) {
        add(rules::declared(kRules, "SL002"), "services",
            want.display() + " " + file + " differs from what the stack renders", hint);
        continue;
      }
      compare_properties(want.display() + " " + file, parse_properties(intended),
                         parse_properties(live), hint);
    }
  }

  void compare_properties(const std::string& where,
                          const std::vector<std::pair<std::string, std::string>>& want,
                          const std::vector<std::pair<std::string, std::string>>& have,
                          const std::string& hint) {
    auto find = [](const auto& list, const std::string& key) -> const std::string* {
      for (const auto& [k, v] : list)
        if (k == key) return &v;
      return nullptr;
    };
    for (const auto& [key, value] : want) {
      const std::string* live = find(have, key);
      if (live == nullptr)
        add(rules::declared(kRules, "SL002"), key_path(key),
            where + ": " + key + " is missing; the stack renders " + key + " " + value, hint,
            {{key, value}});
      else if (*live != value)
        add(rules::declared(kRules, "SL002"), key_path(key),
            where + ": " + key + " is " + *live + " on the cluster; the stack renders " + value,
            hint, {{"cluster", *live}, {"stack", value}});
    }
    for (const auto& [key, value] : have)
      if (find(want, key) == nullptr)
        add(rules::declared(kRules, "SL002"), key_path(key),
            where + ": " + key + " " + value + " is set on the cluster; the stack does not set it",
            hint, {{"cluster", value}});
  }

  // "key value" / "key=value" / "key: value" lines; comments and blank lines skipped.
  static std::vector<std::pair<std::string, std::string>> parse_properties(
      const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#' || line[first] == '!') continue;
      line = line.substr(first);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      std::size_t k = 0;
      while (k < line.size() && line[k] != ' ' && line[k] != '\t' && line[k] != '=' &&
             line[k] != ':') {
        if (line[k] == '\\') ++k;  // an escaped separator belongs to the key
        ++k;
      }
      std::string key = line.substr(0, std::min(k, line.size()));
      std::size_t v = line.find_first_not_of(" \t", k);
      if (v != std::string::npos && (line[v] == '=' || line[v] == ':'))
        v = line.find_first_not_of(" \t", v + 1);
      out.emplace_back(std::move(key), v == std::string::npos ? "" : line.substr(v));
    }
    return out;
  }

  const ImageLabels* read_labels(const std::string& ref) const {
    const auto it = labels_.find(ref);
    return it == labels_.end() || !it->second.read ? nullptr : &it->second;
  }
  static std::string label(const ImageLabels& l, std::string_view key) {
    const auto it = l.labels.find(std::string(key));
    return it == l.labels.end() ? "" : it->second;
  }
  // The stack image a running image is: its io.stackctl.image label, else its repository.
  std::string image_name(const std::string& ref, const ImageLabels& l) const {
    if (auto n = label(l, image_labels::kLabelImage); !n.empty()) return n;
    const int i = stack_image_of(stack_, ref);
    return i < 0 ? "" : stack_.images[static_cast<std::size_t>(i)].name;
  }

  // SL003: the Connect server's Spark is the PySpark of every running notebook image.
  void connect_vs_notebooks() {
    const auto& services = stack_.services;
    if (!services.connect.enabled) return;
    std::string server_ref, server_spark;
    for (const auto& [ref, l] : labels_)
      if (l.read && image_name(ref, l) == services.connect.image)
        if (auto s = label(l, "io.stackctl.versions.spark"); !s.empty() && server_spark.empty()) {
          server_ref = ref;
          server_spark = s;
        }
    if (server_spark.empty()) return;
    for (const auto& [ref, l] : labels_) {
      if (!l.read) continue;
      const std::string name = image_name(ref, l);
      const bool notebook = std::any_of(services.notebooks.begin(), services.notebooks.end(),
                                        [&](const model::Notebook& n) { return n.image == name; });
      const std::string pyspark = label(l, "io.stackctl.versions.pyspark");
      if (!notebook || pyspark.empty() || pyspark == server_spark) continue;
      add(rules::declared(kRules, "SL003"), "versions.pyspark",
          "notebook image " + ref + " runs PySpark " + pyspark +
              " but the Connect server's image " + server_ref + " is Spark " + server_spark,
          "the Spark Connect client must match the server: rebuild and redeploy both from one "
          "stack (`stackctl build --push`, then `stackctl deploy`)",
          {{"pyspark", pyspark}, {"spark", server_spark}});
    }
  }

  // SL004: one Python major.minor across the running images that carry one.
  void one_python() {
    std::map<std::string, std::vector<std::string>> by_minor;
    for (const auto& [ref, l] : labels_) {
      if (!l.read) continue;
      std::string py = label(l, "io.stackctl.versions.python");
      if (py.empty()) continue;
      if (const auto d1 = py.find('.'); d1 != std::string::npos)
        if (const auto d2 = py.find('.', d1 + 1); d2 != std::string::npos) py.resize(d2);
      by_minor[py].push_back(ref);
    }
    if (by_minor.size() < 2) return;
    std::string list;
    std::vector<std::pair<std::string, std::string>> versions;
    for (const auto& [py, refs] : by_minor)
      for (const auto& r : refs) {
        list += (list.empty() ? "" : ", ") + r + " Python " + py;
        versions.emplace_back(r, py);
      }
    add(rules::declared(kRules, "SL004"), "versions.python",
        "the running images carry more than one Python: " + list,
        "drivers, executors and notebooks must share one Python major.minor (PySpark refuses "
        "mismatched workers): rebuild from one stack and redeploy",
        std::move(versions));
  }

  // SL005: what could not be judged.
  void unreadable() {
    for (const auto& [ref, l] : labels_)
      if (!l.read)
        add(rules::declared(kRules, "SL005"), image_path(stack_, ref),
            "the labels of running image " + ref + " could not be read" +
                (l.error.empty() ? "" : ": " + l.error),
            "pass --registry-insecure / --registry-ca-file for a private registry; the label "
            "rules (SI, SL003, SL004) skipped this image");
  }

  const model::Stack& stack_;
  const std::vector<kube::Object>& intended_;
  const Live& live_;
  const std::map<std::string, ImageLabels>& labels_;
  std::vector<check::Finding> out_;
};

}  // namespace

std::vector<std::string> running_stack_images(const model::Stack& stack, const Live& live) {
  std::vector<std::string> out;
  for (const auto& pod : live.pods)
    for (const char* key : {"initContainers", "containers"})
      for (const auto& c : array_at(object_at(pod, "spec"), key)) {
        const std::string image = c.value("image", "");
        if (!image.empty() && stack_image_of(stack, image) >= 0 &&
            std::find(out.begin(), out.end(), image) == out.end())
          out.push_back(image);
      }
  return out;
}

std::vector<check::Finding> check_cluster(const model::Stack& stack,
                                          const std::vector<kube::Object>& intended,
                                          const Live& live,
                                          const std::map<std::string, ImageLabels>& labels) {
  return Judge(stack, intended, live, labels).run();
}

}  // namespace stackctl::check_cluster
