// kubeconfig as kubectl reads it, parsed and merged without I/O: the adapter
// (adapters/kube_config.hpp) reads the files KUBECONFIG or --kubeconfig name and passes their
// text here; the selection it gets back says which server to call and how to authenticate.
//
// Rules (client-go's clientcmd loading rules, which kubectl follows):
// - Files are merged in order; for clusters, users and contexts the first file to name an entry
//   wins, whole (entries are not merged field by field); current-context is the first non-empty
//   one.
// - Relative paths (certificate-authority, client-certificate, client-key, tokenFile, and an exec
//   command with a '/' in it) resolve against the directory of the file that names them.
// - *-data fields are base64 in the file and decoded here (PEM bytes).
// - The context is --context, else current-context; -n/--namespace overrides its namespace.
// Every malformed file gives a Diagnostic located at the offending key (file:line:column).
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/diag.hpp"
#include "core/kube/object.hpp"
#include "core/secret.hpp"

namespace stackctl::kube::config {

// One kubeconfig file as read from disk.
struct File {
  std::string path;
  std::string text;
};

// users[].user.exec: a credential plugin (client.authentication.k8s.io ExecConfig).
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // resolved against the file's directory when relative with a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
  std::string interactive_mode;  // Never, IfAvailable, Always ("" when absent: v1beta1)
  std::string install_hint;
};

struct Cluster {
  std::string name;
  std::string server;
  std::string certificate_authority;       // a path, resolved
  std::string certificate_authority_data;  // PEM (decoded)
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;
  // extensions[name=client.authentication.k8s.io/exec].extension, passed to an exec plugin
  // with provideClusterInfo as spec.cluster.config; null when absent.
  Json exec_extension;
  SourceLoc loc;
};

struct User {
  std::string name;
  std::string client_certificate;       // path, resolved
  std::string client_certificate_data;  // PEM (decoded)
  std::string client_key;               // path, resolved
  Secret client_key_data;               // PEM (decoded)
  Secret token;
  std::string token_file;  // path, resolved; read at every use (it may rotate)
  std::optional<ExecConfig> exec;
  SourceLoc loc;
};

struct Context {
  std::string name;
  std::string cluster;
  std::string user;
  std::string namespace_name;
  SourceLoc loc;
};

struct Config {
  std::vector<Cluster> clusters;
  std::vector<User> users;
  std::vector<Context> contexts;
  std::string current_context;
  std::vector<std::string> files;  // the merged files, in order (for messages)
};

// Parses one file. An empty file is an empty Config (kubectl accepts it). Errors: not YAML, a
// field of the wrong type, an entry without a name, *-data that is not base64, an exec plugin
// without a command or with an apiVersion other than v1/v1beta1, an auth-provider or basic auth
// (not supported by stackctl: the message says what to use instead).
std::expected<Config, Diagnostics> parse(const File& file);

// Parses and merges the files in order (first wins). Every file's problems are reported.
std::expected<Config, Diagnostics> load(const std::vector<File>& files);

struct Overrides {
  std::string context;         // --context
  std::string namespace_name;  // -n/--namespace
};

struct Selection {
  std::string context;
  Cluster cluster;
  User user;
  std::string namespace_name;  // "" when neither the context nor -n names one
};

// The context to use and its cluster and user. Errors: no context chosen (none current, no
// --context), a context or cluster that is not defined (with "did you mean"), a cluster without a
// server. A context naming a user that is not defined gets an anonymous user, as in kubectl. A
// user with both token and tokenFile uses the token, as client-go does.
std::expected<Selection, Diagnostic> select(const Config& config, const Overrides& overrides);

}  // namespace stackctl::kube::config
