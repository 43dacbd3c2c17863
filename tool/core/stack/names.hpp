// The Kubernetes names render derives from a stack, one function each. Render builds every object
// name, label value and reference from these (tool/core/render/manifests*.cpp), and validate
// checks the list derived() returns against the API server's rules (core/kube/names.hpp), at the
// stack key that makes a name bad: a stack that validates never renders a name the API server
// refuses. Names render writes that do not depend on the stack (the spark ServiceAccount, Role
// and RoleBinding, container, port and volume names, ConfigMap keys, annotation keys) are checked
// by the test "every rendered name passes the API server's rules" instead.
#pragma once

#include <string>
#include <vector>

#include "core/kube/names.hpp"
#include "core/stack/model.hpp"

namespace stackctl::names {

std::string spark_defaults(const model::Stack& s);  // ConfigMap <stack>-spark-defaults
std::string spark_env(const model::Stack& s);       // Secret <stack>-spark-env (spark.env values)
std::string connect(const model::Stack& s);         // Service and Deployment <stack>-connect
// Service and Deployment <stack>-<notebook>, and its client-mode driver Service <...>-driver.
std::string notebook(const model::Stack& s, const model::Notebook& nb);
std::string notebook_driver(const model::Stack& s, const model::Notebook& nb);
// The headless Service <stack>-<application>-driver of a client-mode driver in the cluster; also
// the value of the label kClientDriverLabel its selector matches on the driver's pod.
std::string client_driver(const model::Stack& s, const model::Application& app);
inline constexpr const char* kClientDriverLabel = "stackctl.dev/client-driver";
std::string history_server(const model::Stack& s);  // Service and Deployment
std::string kyuubi(const model::Stack& s);          // StatefulSet and Service <stack>-kyuubi
std::string kyuubi_pod(const model::Stack& s);      // its one pod, <stack>-kyuubi-0
std::string kyuubi_conf(const model::Stack& s);     // ConfigMap <stack>-kyuubi-conf

// A name or label value render writes, and where in the stack it comes from.
struct Derived {
  std::string value;
  std::string what;  // for messages: "the Service name", "the StatefulSet name"
  kube::NameRule rule;
  std::size_t max = 0;  // its length limit: the rule's, or kube::kMaxStatefulSetName
  std::string blame;    // the stack key whose value makes it: "metadata.name", "services..."
  std::string built;    // how: `metadata.name + "-connect"`; "" when it is the key's value itself
  std::vector<std::string> from;  // every stack key it is built from (blame first)
};

// Every name and label value render derives from `stack` for the services it enables: object
// names per kind (Services are DNS-1035 labels, the Kyuubi StatefulSet at most 52 characters,
// ConfigMaps, Secrets and Deployments DNS-1123 subdomains), the app.kubernetes.io/instance and
// part-of label values (and so the selectors, which repeat them), and the names the stack gives
// for render to refer to (kubernetesSecret and credentialsSecret Secrets, the keys read from a
// kubernetesSecret, spark.env variable names, which are also the keys of the rendered Secret).
// The target namespace is a DNS-1123 label, checked where it is read.
std::vector<Derived> derived(const model::Stack& stack);

}  // namespace stackctl::names
