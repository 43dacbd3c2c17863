// The stack model: the typed form of a stack file (format version 1, docs/stack-file.md).
//
// Everything stackctl derives (files, images, plans, checks) is a function of a Stack. The model is
// plain data; building it from a document and validating it live in core/stack/loader.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diag.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::model {

struct Metadata {
  std::string name;      // DNS-1123 label; used for Kubernetes names and labels
  std::string revision;  // free text used in image tags, e.g. "fix-v4"
  std::string description;
};

// Where a version came from: written in the stack, or derived from the catalog because omitted.
enum class Origin { stack, catalog, unknown };

struct Versions {
  std::string spark;    // "4.0.1"
  std::string scala;    // binary version "2.13"; derived from the catalog when omitted
  std::string java;     // "17"
  std::string python;   // "3.11": major.minor of every image that runs Python unless it overrides
  std::string hadoop;   // Hadoop client bundled with Spark; derived when omitted
  std::string aws_sdk;  // the SDK version hadoop-aws pins; derived when omitted
  std::string pyspark;  // PySpark client of notebooks and Spark Connect clients
  Origin scala_origin = Origin::stack;
  Origin hadoop_origin = Origin::stack;
  Origin aws_sdk_origin = Origin::stack;
};

enum class HashAlgorithm { sha1, sha256, sha512 };
const char* to_string(HashAlgorithm a);

struct Checksum {
  HashAlgorithm algorithm = HashAlgorithm::sha512;
  std::string hex;  // lower case
};

struct SparkDistribution {
  std::string url;
  std::optional<Checksum> checksum;  // absent: resolved by `stackctl lock`
};

struct MavenCoordinate {
  std::string group;
  std::string artifact;
  std::string version;
  std::string classifier;  // usually empty

  std::string text() const;  // "group:artifact:version[:classifier]"
  // Repository-relative path: group/with/slashes/artifact/version/artifact-version[-classifier].jar
  std::string repository_path() const;
  std::string file_name() const;
};

struct Jar {
  std::string id;  // short name for tag templates ("uc"); defaults to the artifact id
  MavenCoordinate coordinate;
  std::optional<Checksum> checksum;
  std::string url;  // explicit URL; empty: mirror + coordinate.repository_path()
};

struct Artifacts {
  std::string mirror = "https://repo1.maven.org/maven2";  // Maven repository base
  SparkDistribution spark;
  SparkDistribution kyuubi;  // the Apache Kyuubi binary distribution; url empty: none
  std::vector<Jar> jars;
};

struct CondaEnv {
  std::string name;
  std::string file;                   // an environment.yml relative to the stack file, or
  std::vector<std::string> packages;  // a package list ("numpy=1.26")
  std::vector<std::string> channels;  // with packages; default conda-forge
};

struct Python {
  std::vector<CondaEnv> conda;
};

struct ImageFrom {
  enum class Kind { external, image };
  Kind kind = Kind::external;
  std::string ref;  // external: an image reference; image: the name of another image of the stack
};

// A file of the stack's own folder copied into an image (images[].files): Dockerfile COPY's
// source and destination, one file each (no folders, no globs).
struct ImageFile {
  std::string from;  // relative to the stack file's folder, checked like every file reference
  std::string to;    // absolute, normalised path of the file in the image
};

struct Image {
  std::string name;
  ImageFrom from;
  std::string recipe;                   // folder under images/ (defaults to the image name)
  std::string tag_template;             // see docs/stack-file.md, "Tag templates"
  bool python = false;                  // the image runs Python (PySpark workers, notebooks)
  std::string python_version;           // overrides versions.python for this image (rarely right)
  std::string java_version;             // overrides versions.java for this image
  std::vector<std::string> conda_envs;  // names from python.conda installed in this image
  std::vector<ImageFile> files;         // the stack's own files copied in, in stack order
};

struct Registry {
  std::string url;  // "host[:port]/path", no scheme
  bool insecure = false;
};

struct Executor {
  int instances = 2;
  std::string memory = "1g";
  int cores = 1;
  std::string request_cores;    // spark.kubernetes.executor.request.cores, e.g. "1.8"
  std::string memory_overhead;  // empty: Spark's default (max(384m, 10%))
};

struct Driver {
  std::string memory = "1g";
  int cores = 1;
  std::string memory_overhead;
};

struct DynamicAllocation {
  bool enabled = false;
  int min_executors = 0;
  int max_executors = 0;  // 0: unset
};

struct SparkConfig {
  Executor executor;
  Driver driver;
  DynamicAllocation dynamic_allocation;
  // Extra spark-defaults, in source order. Keys the structured fields above own are refused here.
  std::vector<std::pair<std::string, std::string>> conf;
};

enum class SecretSourceType { vault, file, kubernetes_secret };
const char* to_string(SecretSourceType t);

struct SecretSource {
  std::string name;
  SecretSourceType type = SecretSourceType::file;
  std::string mount;   // vault: KV mount (default "secret")
  std::string path;    // vault: secret path under the mount; file: values file
  std::string secret;  // kubernetes_secret: Secret name
  int kv_version = 0;  // vault: 1 or 2 as the stack says; 0: detected per mount
  int version = 0;     // vault KV v2: the version to read; 0: the latest
};

struct EnvKey {
  std::string name;    // environment variable name in spark.env
  std::string source;  // a SecretSource name
  std::string key;     // field in the source; defaults to `name`
  bool required = true;
};

struct SparkEnv {
  std::vector<SecretSource> sources;
  std::vector<EnvKey> keys;
};

// How stackctl reaches Vault (the top-level `vault:` block; a target overrides it). Address and
// namespace are defaults the environment overrides (VAULT_ADDR, VAULT_NAMESPACE), as for the
// vault CLI. Credentials are never in the stack: only where to read them (a file or a variable).
enum class VaultAuthMethod { token, approle, kubernetes };
const char* to_string(VaultAuthMethod m);

// A credential's location: exactly one of a file path or an environment variable name.
struct CredentialRef {
  std::string file;
  std::string env;
  bool empty() const { return file.empty() && env.empty(); }
};

struct VaultAuth {
  VaultAuthMethod method = VaultAuthMethod::token;
  std::string mount;        // auth mount path; default: the method's name ("approle", ...)
  std::string role;         // kubernetes: the Vault role to log in as
  CredentialRef role_id;    // approle
  CredentialRef secret_id;  // approle
  std::string token_file;   // kubernetes: the service account token (JWT) file
};

struct Vault {
  std::string address;         // default for VAULT_ADDR
  std::string namespace_name;  // default for VAULT_NAMESPACE
  VaultAuth auth;
};

struct ConnectServer {
  bool enabled = false;
  std::string image;
  int port = 15002;
  std::optional<int> executors;  // overrides spark.executor.instances for the server
};

enum class NotebookKind { jupyterhub, marimo };
enum class NotebookMode { connect, client };  // thin Spark Connect client, or driver in the pod
const char* to_string(NotebookKind k);
const char* to_string(NotebookMode m);

struct Notebook {
  std::string name;
  NotebookKind kind = NotebookKind::jupyterhub;
  NotebookMode mode = NotebookMode::connect;
  std::string image;
  int port = 8888;
  // Client mode: the notebook server and its kernels, beside the driver JVM in one container
  // (Spark size, "1g"); the container is this plus the driver's heap and overhead.
  std::string memory = "1g";
};

enum class ShareLevel { user, server, connection };
const char* to_string(ShareLevel s);  // "USER", "SERVER", "CONNECTION"

struct Kyuubi {
  bool enabled = false;
  std::string image;
  ShareLevel share_level = ShareLevel::user;
  int port = 10009;
  // The server JVM's heap (KYUUBI_JAVA_OPTS -Xmx, Spark size) and how many engines (client-mode
  // drivers in the server's container) the container is sized for: server heap + its overhead +
  // maxEngines x (driver heap + overhead). docs/stack-file.md, "Kyuubi's memory".
  std::string server_memory = "1g";
  int max_engines = 1;
};

struct HistoryServer {
  bool enabled = false;
  std::string image;
  std::string log_directory;  // s3a://bucket/prefix
  int port = 18080;
};

enum class ObjectStoreKind { none, minio, s3 };
const char* to_string(ObjectStoreKind k);

struct ObjectStore {
  ObjectStoreKind kind = ObjectStoreKind::none;
  std::string endpoint;  // http(s)://host:port; empty for AWS S3's default endpoint
  bool path_style_access = false;
  std::string region;
  std::string credentials_secret;  // Kubernetes Secret with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
};

struct External {
  std::string metastore_uri;  // thrift://host:9083
  ObjectStore object_store;
};

struct Services {
  ConnectServer connect;
  std::vector<Notebook> notebooks;
  Kyuubi kyuubi;
  HistoryServer history_server;
  External external;
};

// The `doctor` section: findings the team accepted (`ignore`). A target's `overrides.doctor`
// replaces it for that target, as every override does (a list is replaced whole).
struct AcceptedFinding {
  std::string code;    // a doctor code ("D_EVICTED")
  std::string object;  // "Kind namespace/name" as doctor prints it; "" = everywhere
};

struct DoctorSettings {
  std::vector<AcceptedFinding> ignore;
};

// `applications:` (docs/stack-file.md, "applications"; docs/applications.md): Spark applications
// the stack submits, each running one of the stack's images. Credentials are never values here:
// a Secret is named (`secrets`) and reaches the driver and the executors as secretKeyRef env.
enum class DeployMode { cluster, client };
const char* to_string(DeployMode m);

// One environment variable of the driver and of every executor, read from a Kubernetes Secret
// (Spark's spark.kubernetes.{driver,executor}.secretKeyRef.ENV=secret:key).
struct AppSecret {
  std::string env;     // the variable name, e.g. AWS_ACCESS_KEY_ID
  std::string secret;  // the Secret's name
  std::string key;     // the key in the Secret's data
};

// Sizes an application sets on top of the stack's `spark:` (unset: the stack's).
struct AppSizes {
  std::optional<int> instances;  // executors only
  std::string memory;
  std::optional<int> cores;
  std::string memory_overhead;
};

// Where a client-mode driver runs (`applications[].client.runsIn`, docs/applications.md).
//  cluster  in a pod of the target's namespace (an orchestrator's worker, a notebook): executors
//           reach it through a headless Service render makes, selecting only that pod;
//  outside  on a host outside the cluster: executors dial `driverHost` back, which must be an
//           address routable from the pods (check's SC029 warns when it is not given or cannot be).
enum class DriverPlace { cluster, outside };
const char* to_string(DriverPlace p);

// `applications[].client`: what a client-mode driver needs on Kubernetes besides the stack.
struct ClientMode {
  DriverPlace runs_in = DriverPlace::cluster;
  std::string driver_host;  // outside: the address executors dial back; "" when not given
  std::string api_server;   // outside: the target's API server, https://host:port (required)
  // Drivers of this application the orchestrator runs at once on one host (one network
  // namespace): each binds its own driver and block manager port, so spark.port.maxRetries and
  // the ports the Service lists are sized from it (docs/applications.md, "Ports").
  int concurrent_drivers = 1;
  bool interactive = false;  // the command is `pyspark` (a shell), not spark-submit
};

struct Application {
  std::string name;           // DNS-1123 label; names the submitter Job and the Spark app
  std::string image;          // an image of this stack
  std::string main_resource;  // local:///path/in/the/image or s3a://bucket/key
  std::string main_class;     // JVM applications (--class); empty for Python
  std::vector<std::string> py_files;
  std::vector<std::string> arguments;
  std::vector<std::pair<std::string, std::string>> env;   // plain values, driver and executors
  std::vector<std::pair<std::string, std::string>> conf;  // spark properties, source order
  AppSizes driver;
  AppSizes executor;
  DeployMode deploy_mode = DeployMode::cluster;
  ClientMode client;  // deploy_mode == client only
  std::vector<AppSecret> secrets;
};

enum class TargetKind { minikube, eks };
const char* to_string(TargetKind k);

// How a target's images reach its cluster (`targets[].images`, docs/stack-file.md):
//  push           `stackctl build --push` pushes them to the (base stack's) registry and
//                 records their digests; deploy runs them by digest (an eks target's registry is
//                 its ECR repository);
//  minikube_load  `stackctl deploy` exports each from the builder's store as an archive and runs
//                 `minikube image load` on it; pods run them by tag, never pulled;
//  none           stackctl moves nothing: the cluster gets them some other way.
enum class ImageDelivery { push, minikube_load, none };
const char* to_string(ImageDelivery d);  // "push", "minikube-load", "none"

struct EksCluster {
  std::string name;
  std::string region;
  std::string kubernetes_version;
  std::string node_instance_type;
  int node_count = 0;
};

// What one node of a target can give pods (the node's allocatable, as `kubectl describe node`
// shows it), when the stack declares it: check compares every pod's request with it.
struct NodeAllocatable {
  std::int64_t memory_mib = 0;  // 0: not declared
  std::int64_t cpu_milli = 0;   // 0: not declared
};

struct Target {
  std::string name;
  TargetKind kind = TargetKind::minikube;
  std::string context;
  std::string namespace_name;
  EksCluster eks;  // kind == eks
  NodeAllocatable node;
  // As written; nullopt: push when the target's stack has a registry.url, else none (see
  // image_delivery()).
  std::optional<ImageDelivery> images;
  // `sparkOperator: true`: the kubeflow spark-operator runs on this cluster, so `stackctl submit`
  // creates a SparkApplication (sparkoperator.k8s.io/v1beta2) instead of the submitter Job,
  // after discovery confirms the API (docs/applications.md).
  bool spark_operator = false;
  doc::Node overrides;  // deep-merged over the stack document for this target
};

// Source positions of what the stack said, by key path ("versions.spark", "artifacts.jars[2]",
// "images[0].from"): findings computed later (check, render) point back into the file.
class Locations {
 public:
  void set(const std::string& path, SourceLoc loc) { locs_[path] = std::move(loc); }
  // The position of `path`, else of its closest recorded parent, else the file alone.
  SourceLoc at(const std::string& path) const;
  void set_file(std::string file) { file_ = std::move(file); }

 private:
  std::map<std::string, SourceLoc> locs_;
  std::string file_;
};

struct Stack {
  std::string file;    // as given on the command line
  std::string target;  // the target applied, empty for the base stack
  Metadata metadata;
  Versions versions;
  Artifacts artifacts;
  Python python;
  std::vector<Image> images;
  Registry registry;
  SparkConfig spark;
  SparkEnv spark_env;
  Vault vault;
  Services services;
  DoctorSettings doctor;
  std::vector<Application> applications;
  std::vector<Target> targets;
  Locations locs;

  const Image* find_image(const std::string& name) const;
  const Target* find_target(const std::string& name) const;
  const Application* find_application(const std::string& name) const;
  // How `target`'s images reach its cluster: what it says, else push with a registry, else none.
  // Call it on the stack loaded for that target (its registry may be overridden).
  ImageDelivery image_delivery(const Target& target) const;
  // Images ordered so every image comes after the image it is built FROM.
  std::vector<const Image*> images_in_build_order() const;
};

}  // namespace stackctl::model
