#include "core/explain/stack_fix.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "core/knowledge/check.hpp"
#include "core/knowledge/version.hpp"

namespace stackctl::explain {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::stack_is_cause:
      return "stack-is-cause";
    case Verdict::not_the_stack:
      return "not-the-stack";
    case Verdict::undetermined:
      return "undetermined";
  }
  return "undetermined";
}

namespace {

using Codes = std::vector<std::string_view>;

class Advisor {
 public:
  Advisor(const Match& m, const model::Stack& stack, const catalog::Catalog& catalog)
      : m_(m), s_(stack), cat_(catalog), findings_(check::check_stack(stack, catalog)) {}

  // The findings of `check` with one of `codes`, as changes.
  void from_check(const Codes& codes) {
    for (const auto& f : findings_) {
      if (std::find(codes.begin(), codes.end(), f.diag.code) == codes.end()) continue;
      out_.changes.push_back({f.diag.code, f.diag.path, f.diag.loc, f.diag.message, f.diag.hint});
    }
  }

  void change(const std::string& path, std::string message, std::string fix) {
    out_.changes.push_back({"", path, s_.locs.at(path), std::move(message), std::move(fix)});
  }

  void related(const std::string& path, std::string message) {
    out_.related.push_back({"", path, s_.locs.at(path), std::move(message), ""});
  }

  // The verdict follows from the changes: any change means the stack is the cause; otherwise
  // `fine` says whether the stack's values are known to be right (not_the_stack) or merely
  // quoted (undetermined).
  StackAdvice finish(bool fine, std::string note) {
    out_.verdict = !out_.changes.empty() ? Verdict::stack_is_cause
                   : fine                ? Verdict::not_the_stack
                                         : Verdict::undetermined;
    if (out_.changes.empty()) out_.note = std::move(note);
    return std::move(out_);
  }

  std::string capture(const std::string& name) const {
    const auto it = m_.captures.find(name);
    return it == m_.captures.end() ? std::string{} : it->second;
  }

  const Match& m_;
  const model::Stack& s_;
  const catalog::Catalog& cat_;
  std::vector<check::Finding> findings_;
  StackAdvice out_;
};

std::string at(const model::Stack& s, const std::string& path) {
  const SourceLoc loc = s.locs.at(path);
  return loc.known() ? " (" + loc.file + ":" + std::to_string(loc.line) + ":" +
                           std::to_string(loc.column) + ")"
                     : "";
}

std::string jar_path(std::size_t i) {
  return "artifacts.jars[" + std::to_string(i) + "]";
}

// The index of the first jar whose coordinate starts with `prefix`, or -1.
int find_jar(const model::Stack& s, std::string_view prefix) {
  for (std::size_t i = 0; i < s.artifacts.jars.size(); ++i)
    if (s.artifacts.jars[i].coordinate.text().starts_with(prefix)) return static_cast<int>(i);
  return -1;
}

// hadoop_aws, aws_sdk: the S3A chain (Spark's Hadoop -> hadoop-aws -> the SDK it pins).
StackAdvice s3a(Advisor& a) {
  const auto& s = a.s_;
  a.from_check({"SC008", "SC009", "SC010", "SC011", "SC012", "SC013", "SC014"});
  const int aws = find_jar(s, "org.apache.hadoop:hadoop-aws:");
  const std::string hadoop = s.versions.hadoop;
  if (aws < 0 && a.out_.changes.empty()) {
    std::string fix = "add to artifacts.jars: - maven: org.apache.hadoop:hadoop-aws:" +
                      (hadoop.empty() ? std::string("<Spark's Hadoop version>") : hadoop);
    const auto hv = Version::parse(hadoop);
    if (const auto* pin = hv ? a.cat_.sdk_for_hadoop(*hv) : nullptr)
      fix += ", and - maven: " + pin->group + ":" + pin->artifact + ":" + pin->version;
    a.change("artifacts.jars",
             "artifacts.jars has no org.apache.hadoop:hadoop-aws, and Spark " + s.versions.spark +
                 "'s tarball ships none",
             fix);
  }
  if (aws >= 0)
    a.related(jar_path(static_cast<std::size_t>(aws)),
              "hadoop-aws " + s.artifacts.jars[static_cast<std::size_t>(aws)].coordinate.version +
                  "; Spark " + s.versions.spark + " bundles Hadoop " + hadoop);
  return a.finish(
      true, "the stack's hadoop-aws equals Spark " + s.versions.spark + "'s Hadoop " + hadoop +
                " and its AWS SDK is the one that release pins: the stack is not the cause. "
                "Look for another hadoop-aws, hadoop-client or AWS SDK jar on the classpath "
                "(added at submit time with --packages or spark.jars, or baked into an image "
                "not built from this stack).");
}

StackAdvice python(Advisor& a) {
  const auto& s = a.s_;
  a.from_check({"SC004", "SC005"});
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < s.images.size(); ++i) {
    const auto& img = s.images[i];
    if (!img.python) continue;
    const std::string v = img.python_version.empty() ? s.versions.python : img.python_version;
    const std::string path = img.python_version.empty()
                                 ? "versions.python"
                                 : "images[" + std::to_string(i) + "].pythonVersion";
    a.related(path, "image " + img.name + " runs Python " + v);
    seen.push_back(v);
  }
  const std::string worker = a.capture("worker"), driver = a.capture("driver");
  std::string note = "every image of the stack that runs Python uses " + s.versions.python +
                     " (versions.python" + at(s, "versions.python") +
                     "): the stack is not the cause.";
  for (const auto& side : {std::pair{"workers", worker}, std::pair{"driver", driver}}) {
    if (!side.second.empty() && std::find(seen.begin(), seen.end(), side.second) == seen.end())
      note += std::string(" The ") + side.first + "' Python " + side.second +
              " is none of the stack's: that side runs an interpreter or image not built from "
              "this stack (check PYSPARK_PYTHON and PYSPARK_DRIVER_PYTHON there).";
  }
  return a.finish(true, note);
}

StackAdvice pyspark(Advisor& a) {
  const auto& s = a.s_;
  a.from_check({"SC001", "SC002", "SC003"});
  a.related("versions.pyspark", "PySpark client " + s.versions.pyspark);
  a.related("versions.spark", "Spark server " + s.versions.spark);
  return a.finish(true, "versions.pyspark " + s.versions.pyspark + " equals versions.spark " +
                            s.versions.spark +
                            ": the stack is not the cause. The client that failed is not this "
                            "stack's notebook image (compare `pip show pyspark` where it runs "
                            "with the server's Spark).");
}

StackAdvice scala(Advisor& a) {
  const auto& s = a.s_;
  a.from_check({"SC007", "SC015", "SC016", "SC021"});
  a.related("versions.scala", "Scala " + s.versions.scala);
  return a.finish(true, "every jar of the stack is built for Scala " + s.versions.scala +
                            " and Spark " + s.versions.spark +
                            ": the stack is not the cause. Look at jars added at submit time "
                            "(--packages, --jars, spark.jars) or a client on another Spark build.");
}

StackAdvice java(Advisor& a) {
  const auto& s = a.s_;
  a.from_check({"SC006", "SC035"});
  const auto need = Version::parse(a.capture("needJava"));
  const auto have = Version::parse(s.versions.java);
  if (need && have && have->major() < need->major() && a.out_.changes.empty())
    a.change("versions.java",
             "classes need Java " + need->text() + " but versions.java is " + s.versions.java,
             "set versions.java to \"" + need->text() + "\" (a Java the Spark line supports)");
  a.related("versions.java", "Java " + s.versions.java);
  for (std::size_t i = 0; i < s.images.size(); ++i)
    if (!s.images[i].java_version.empty())
      a.related("images[" + std::to_string(i) + "].javaVersion",
                "image " + s.images[i].name + " overrides Java to " + s.images[i].java_version);
  std::string note = "the stack's Java " + s.versions.java + " is supported by Spark " +
                     s.versions.spark + ": the stack is not the cause.";
  if (const std::string ran = a.capture("haveJava"); !ran.empty())
    note += " The JVM that failed is Java " + ran +
            ", so it is not running from this stack's images (check JAVA_HOME in that container).";
  else
    note += " The JVM that failed is not running from this stack's images.";
  return a.finish(true, note);
}

StackAdvice memory(Advisor& a) {
  const auto& s = a.s_;
  a.related("spark.executor.memory", "spark.executor.memory is " + s.spark.executor.memory);
  a.related("spark.driver.memory", "spark.driver.memory is " + s.spark.driver.memory);
  return a.finish(false, "the heap is spark.executor.memory " + s.spark.executor.memory +
                             " (driver " + s.spark.driver.memory +
                             "): raise the one of the JVM that failed, or split the work into "
                             "more, smaller partitions.");
}

StackAdvice memory_overhead(Advisor& a) {
  const auto& s = a.s_;
  const auto& ex = s.spark.executor;
  if (ex.memory_overhead.empty())
    a.related("spark.executor",
              "spark.executor.memoryOverhead is unset: Spark's default is "
              "max(384m, 10% of spark.executor.memory " +
                  ex.memory + ")");
  else
    a.related("spark.executor.memoryOverhead",
              "spark.executor.memoryOverhead is " + ex.memory_overhead);
  a.related("spark.executor.memory", "spark.executor.memory is " + ex.memory);
  return a.finish(false,
                  "the container limit is spark.executor.memory plus memoryOverhead: set "
                  "spark.executor.memoryOverhead (under spark.executor) higher, above all "
                  "when Python workers or native libraries run in the executors.");
}

StackAdvice executor_resources(Advisor& a) {
  const auto& s = a.s_;
  const auto& ex = s.spark.executor;
  std::string ask = std::to_string(ex.instances) + " executors of " + ex.memory + " + overhead, " +
                    std::to_string(ex.cores) + " cores" +
                    (ex.request_cores.empty() ? "" : " (request " + ex.request_cores + ")") +
                    " each";
  a.related("spark.executor", "the stack asks for " + ask);
  const auto* t = s.find_target(s.target);
  std::string where = t && t->kind == model::TargetKind::minikube
                          ? " or start minikube with more (--cpus, --memory)"
                          : " or add nodes";
  return a.finish(false, "the stack asks for " + ask + (s.target.empty() ? "" : " on " + s.target) +
                             ": lower spark.executor.memory, cores or instances (a target's "
                             "overrides can do it for one cluster)" +
                             where + ".");
}

StackAdvice images(Advisor& a) {
  const auto& s = a.s_;
  if (!s.registry.url.empty()) a.related("registry.url", "images are pushed to " + s.registry.url);
  for (std::size_t i = 0; i < s.images.size(); ++i)
    a.related("images[" + std::to_string(i) + "].tag",
              "image " + s.images[i].name + " is tagged " + s.images[i].tag_template);
  const auto* t = s.find_target(s.target);
  std::string note =
      "check that the tag the pod names exists in " +
      (s.registry.url.empty() ? std::string("the registry the cluster pulls from")
                              : s.registry.url) +
      " (stackctl build --push records what was pushed in the lock) and the pull secret.";
  if (t && t->kind == model::TargetKind::minikube)
    note += " On minikube, load the image into the node: minikube image load IMAGE:TAG.";
  return a.finish(false, note);
}

StackAdvice metastore(Advisor& a) {
  const auto& s = a.s_;
  const std::string& uri = s.services.external.metastore_uri;
  if (uri.empty()) {
    a.change("services.external",
             "the stack names no metastore, so sessions use Spark's built-in catalog",
             "set services.external.metastore: thrift://HOST:9083");
  } else {
    a.related("services.external.metastore", "the metastore is " + uri);
  }
  for (const auto& [key, value] : s.spark.conf)
    if (key == "spark.sql.catalogImplementation" && value != "hive")
      a.change("spark.conf.spark.sql.catalogImplementation",
               "spark.sql.catalogImplementation is " + value + ", not hive",
               "set spark.sql.catalogImplementation: hive");
  return a.finish(false, "the stack points at " + uri +
                             ": check that this Service has ready endpoints on 9083 (stackctl "
                             "doctor) and that the database and table exist there.");
}

StackAdvice kyuubi(Advisor& a) {
  const auto& s = a.s_;
  if (!s.services.kyuubi.enabled)
    return a.finish(true,
                    "the stack deploys no Kyuubi (services.kyuubi): the error comes from a "
                    "Kyuubi this stack does not manage.");
  a.related("services.kyuubi.image", "services.kyuubi.image is " + s.services.kyuubi.image);
  const auto* t = s.find_target(s.target);
  std::string note =
      "inspect the engine's driver pod (stackctl doctor): Pending, an image that "
      "cannot be pulled and RBAC are the usual causes.";
  if (t && t->kind == model::TargetKind::minikube)
    note += " On minikube, load the engine image into the node first (minikube image load).";
  return a.finish(false, note);
}

StackAdvice connect_server(Advisor& a) {
  const auto& s = a.s_;
  const auto& c = s.services.connect;
  if (!c.enabled)
    return a.finish(true,
                    "the stack deploys no Spark Connect server (services.connect): the "
                    "error comes from a server this stack does not manage.");
  if (const std::string port = a.capture("port"); !port.empty() && port != std::to_string(c.port))
    a.change(
        "services.connect.port",
        "the client dials port " + port + " but services.connect.port is " + std::to_string(c.port),
        "point the client at sc://HOST:" + std::to_string(c.port) +
            ", or set services.connect.port: " + port);
  a.related("services.connect.port", "the server listens on " + std::to_string(c.port));
  const model::Image* img = s.find_image(c.image);
  const bool shipped = img && img->recipe == "spark-connect";
  const std::string code = a.m_.entry->code;
  if (img)
    for (std::size_t i = 0; i < s.images.size(); ++i)
      if (&s.images[i] == img)
        a.related("images[" + std::to_string(i) + "]",
                  "the server's image " + img->name + " is built from recipe " + img->recipe);
  if (code == "X_CONNECT_UNAVAILABLE")
    return a.finish(false, "the stack's server listens on " + std::to_string(c.port) +
                               ": check that its pod is Ready and its Service has endpoints "
                               "(stackctl doctor).");
  if (shipped)
    return a.finish(true,
                    "the stack's Connect image (recipe spark-connect) runs the server in "
                    "the foreground with SPARK_NO_DAEMONIZE=true and "
                    "JAVA_TOOL_OPTIONS=-Djava.net.preferIPv4Stack=true "
                    "(images/spark-connect/Dockerfile.mustache): the stack is not the cause "
                    "unless --templates overrides that recipe. The pod that logged this "
                    "was not started from this stack's image, or its command was changed.");
  return a.finish(false, "the server's image uses recipe " + (img ? img->recipe : c.image) +
                             ": make it run the server in the foreground "
                             "(SPARK_NO_DAEMONIZE=true) with "
                             "JAVA_TOOL_OPTIONS=-Djava.net.preferIPv4Stack=true.");
}

StackAdvice rbac(Advisor& a) {
  const auto& s = a.s_;
  const std::string ns = a.capture("namespace"), sa = a.capture("sa");
  const model::Target* t = s.find_target(s.target);
  for (std::size_t i = 0; i < s.targets.size(); ++i)
    if (&s.targets[i] == t) {
      const std::string path = "targets[" + std::to_string(i) + "].namespace";
      if (!ns.empty() && ns != t->namespace_name)
        a.change(path,
                 "the driver ran in namespace " + ns + " but target " + t->name + " deploys into " +
                     t->namespace_name + ", where the stack's Role is",
                 "run the driver in " + t->namespace_name + ", or set namespace: " + ns);
      else
        a.related(path, "target " + t->name + " deploys into " + t->namespace_name);
    }
  std::string note;
  if (sa == "default")
    note =
        "the pod runs as the namespace's default ServiceAccount, not spark: the stack's "
        "manifests set serviceAccountName: spark, so the pod was not created from them (for "
        "spark-submit, set spark.kubernetes.authenticate.driver.serviceAccountName=spark).";
  else
    note =
        "the stack renders a Role on pods (create, get, list, watch, delete, ...) bound to "
        "ServiceAccount spark (templates/kubernetes/role.yaml.mustache): check they are applied "
        "(stackctl deploy) and unchanged (stackctl doctor)" +
        (sa.empty() || sa == "spark" ? std::string(".")
                                     : "; this pod runs as " + sa + ", which they do not cover.");
  return a.finish(sa == "default", note);
}

StackAdvice object_store(Advisor& a) {
  const auto& s = a.s_;
  const auto& os = s.services.external.object_store;
  if (os.kind == model::ObjectStoreKind::none)
    return a.finish(false,
                    "the stack configures no object store (services.external.objectStore): "
                    "set fs.s3a.path.style.access=true where this client is configured.");
  if (!os.path_style_access)
    a.change("services.external.objectStore",
             std::string("pathStyleAccess is false, so S3A puts the bucket into the host name") +
                 (a.capture("bucket").empty() ? "" : " (" + a.capture("bucket") + ".)"),
             "set services.external.objectStore.pathStyleAccess: true");
  a.related("services.external.objectStore.endpoint", "the endpoint is " + os.endpoint);
  return a.finish(true,
                  "services.external.objectStore.pathStyleAccess is already true: the "
                  "client that failed does not use the stack's spark-defaults (set "
                  "fs.s3a.path.style.access=true where it is configured).");
}

StackAdvice eks(Advisor& a) {
  const auto& s = a.s_;
  bool any = false;
  for (std::size_t i = 0; i < s.targets.size(); ++i) {
    const auto& t = s.targets[i];
    if (t.kind != model::TargetKind::eks) continue;
    any = true;
    a.related("targets[" + std::to_string(i) + "].eks",
              "target " + t.name + ": aws eks update-kubeconfig --region " + t.eks.region +
                  " --name " + t.eks.name);
  }
  return a.finish(false, any ? "install the AWS CLI, log in, and write the kubeconfig with the "
                               "command above for the target you use."
                             : "the stack has no EKS target: the kubeconfig in use is not one "
                               "this stack's targets describe.");
}

const std::map<std::string_view, std::function<StackAdvice(Advisor&)>>& table() {
  static const std::map<std::string_view, std::function<StackAdvice(Advisor&)>> t = {
      {"hadoop_aws", s3a},
      {"aws_sdk", s3a},
      {"python", python},
      {"pyspark", pyspark},
      {"scala", scala},
      {"java", java},
      {"memory", memory},
      {"memory_overhead", memory_overhead},
      {"executor_resources", executor_resources},
      {"images", images},
      {"metastore", metastore},
      {"kyuubi", kyuubi},
      {"connect_server", connect_server},
      {"rbac", rbac},
      {"object_store", object_store},
      {"eks", eks},
  };
  return t;
}

}  // namespace

bool has_stack_fix(std::string_view name) {
  return table().contains(name);
}

std::optional<StackAdvice> advise(const Match& m, const model::Stack& stack,
                                  const catalog::Catalog& catalog) {
  if (m.entry == nullptr || m.entry->stack_fix.empty()) return std::nullopt;
  const auto it = table().find(m.entry->stack_fix);
  if (it == table().end()) return std::nullopt;
  Advisor a(m, stack, catalog);
  return it->second(a);
}

}  // namespace stackctl::explain
