// What `stackctl deploy` applies: the target's objects exactly as `render` makes them, with every
// image pinned by the digest stack.lock records, and the IRSA role ARN and the Secret's owner
// taken from `terraform output -json`. Each refusal names what to run.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "core/catalog.hpp"
#include "core/kube/object.hpp"
#include "core/lock.hpp"
#include "core/model.hpp"

namespace stackctl::cli {

// The outputs deploy reads from `terraform output -json` ({"name": {"value": ...}, ...}).
struct TerraformOutputs {
  std::optional<std::string> spark_role_arn;
  // Non-null when the root module writes the spark.env Secret (manage_spark_env_secret): then
  // Terraform owns it and deploy leaves the rendered one out.
  std::optional<std::string> spark_env_secret_name;
};
std::expected<TerraformOutputs, std::string> parse_terraform_outputs(const std::string& text,
                                                                     const std::string& file);

// The rendered manifests of `stack`'s target as objects, in render's order. The text of a
// manifest that is not one YAML mapping is an error naming its path. Secrets hold values in
// clear: never print them.
std::expected<std::vector<kube::Object>, int> rendered_objects(
    Context& ctx, const model::Stack& base, const model::Stack& stack,
    const catalog::Catalog& catalog, const std::string& stack_path, const std::string& values_file);

// Every container image of `objects` replaced by the lock's pinned reference
// (<repository>@<digest>). Refuses, naming the image and `stackctl build --push`, an image with
// no pushed digest in the lock, or whose tag the lock does not record (the lock is stale).
std::expected<void, std::string> pin_images(std::vector<kube::Object>& objects,
                                            const lock::Lock& lock, const std::string& build_hint);

// The IRSA placeholder replaced by the role ARN. Refuses when a placeholder remains and no ARN
// was given.
std::expected<void, std::string> fill_role_arn(std::vector<kube::Object>& objects,
                                               const std::optional<std::string>& arn,
                                               const std::string& hint);

// A YAML text (one document) as a JSON tree: quoted scalars are strings; plain ones are null,
// booleans and numbers as YAML 1.2's core schema reads them, else strings.
std::expected<kube::Json, std::string> yaml_to_json(const std::string& text,
                                                    const std::string& file);

}  // namespace stackctl::cli
