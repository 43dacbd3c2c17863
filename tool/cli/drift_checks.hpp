// What `stackctl drift` reads for each check, from the disk, git, the registry and the cluster;
// the comparisons are core/drift, the registry and cluster observations tool/app/drift.
// Each function returns the check's results; a check that cannot be made is an error result
// (never an exit), so one run reports every check.
#pragma once

#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "cli/kube_connect.hpp"
#include "core/drift/result.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/plans/lock.hpp"
#include "core/render/render.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

struct DriftArgs {
  std::string stack_path;
  std::string target;
  std::string against = "HEAD";
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::string output;  // drift's own --output (text|json|junit|sarif); "" = the global one
  bool cluster = false;
  std::string rendered_dir;  // --rendered; default rendered/<stack name>
  std::string lock_file;
  std::string values_file;
  bool vault = false;  // --vault: the files and cluster checks read the Vault-sourced keys
  std::string terraform_outputs;  // --terraform-outputs: an eks target's IRSA role ARN and so on
  std::string templates_dir;
  int parallel = 8;
  bool registry_insecure = false;
  std::string registry_ca_file;
  KubeFlags kube;
};

// Everything the checks share, loaded once.
struct DriftInputs {
  const catalog::Catalog* catalog = nullptr;
  model::Stack base;                 // the stack without target overrides
  std::deque<model::Stack> targets;  // --target's, or every target (deque: stable addresses)
  std::filesystem::path lock_path;
  std::optional<lock::Lock> lock;  // nullopt: no lock file
  std::string lock_error;          // not empty: the lock exists but could not be read
  std::optional<render::Templates> templates;
  std::map<std::string, std::string> stack_files;
  std::string stack_files_error;
  std::vector<std::string> notes;  // what the checks read, for the report
};

std::vector<drift::Result> files_results(Context& ctx, const DriftArgs& a, DriftInputs& in);
std::vector<drift::Result> lock_results(const DriftInputs& in);
std::vector<drift::Result> registry_results(const DriftArgs& a, const DriftInputs& in);
std::vector<drift::Result> catalog_results(Context& ctx, const DriftInputs& in);
std::vector<drift::Result> cluster_results(Context& ctx, const DriftArgs& a, const DriftInputs& in);

}  // namespace stackctl::cli
