// What `stackctl deploy` applies: the target's objects exactly as `render` makes them
// (render::render's Manifest objects), every image pinned by the digest stack.lock records, the
// IRSA role ARN and the spark.env Secret's owner taken from `terraform output -json`. Each
// refusal names what to run.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "cli/vault_inputs.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/kube/object.hpp"
#include "core/plans/lock.hpp"
#include "core/stack/model.hpp"

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

// --terraform-outputs FILE, as deploy and `drift --cluster` read it: kInputError (after printing
// why on ctx.err) when the file cannot be read or is not `terraform output -json` output.
std::expected<TerraformOutputs, int> read_terraform_outputs(Context& ctx, const std::string& file);

// Why an eks target cannot be rendered as applied without the outputs, with the command that
// makes them: "target T is an eks target: ... --terraform-outputs outputs.json".
std::string terraform_outputs_needed(const std::string& target);

// The objects Terraform owns left out of the intended ones (the spark.env Secret when the root
// module writes it, manage_spark_env_secret): one owner, so deploy neither applies nor compares it.
void leave_out_terraform_owned(std::vector<kube::Object>& objects, const TerraformOutputs& outputs);

// The images of the lock that may run: render::lock_image_refs of the entries whose `ref` is
// still the tag the stack gives that image (an entry of an older tag is stale and pins nothing).
std::map<std::string, std::string> current_image_refs(const model::Stack& stack,
                                                      const lock::Lock& lock);

// Whether every image must be pinned by a digest and every placeholder resolved: deploy
// requires it; `check --cluster` compares with what would be applied now, pinned or not.
enum class Pins { required, optional };

struct DeployInputs {
  const lock::Lock* lock = nullptr;
  // push: images run by the lock's digests, and an image without one is refused; minikube_load:
  // by the tag (loaded onto the node, see app/images.hpp); none: by digest where the lock has
  // one, else by tag, nothing refused.
  model::ImageDelivery delivery = model::ImageDelivery::push;
  std::optional<std::string> spark_role_arn;
  std::string values_file;
  std::string build_hint;            // "stackctl build STACK --push"
  const VaultDeps* vault = nullptr;  // --vault: the Vault-sourced spark.env keys from Vault
  Pins pins = Pins::required;
};

// The rendered objects of `stack`'s target, in render's order. Refuses (exit code after
// printing why) a render error (kFindings); with Pins::required, a container image not pinned
// by a digest (kFindings: the message names the objects, images and `build_hint`) and a
// placeholder left unresolved (kFindings: the IRSA role without --terraform-outputs); and
// spark.env values that cannot be had or are not valid Spark settings (the exit codes of
// cli/env_inputs.hpp: 1, 2, 3 or 4 for Vault). Secrets hold values in clear: never print them.
std::expected<std::vector<kube::Object>, int> rendered_objects(
    Context& ctx, const model::Stack& base, const model::Stack& stack,
    const catalog::Catalog& catalog, const std::string& stack_path, const DeployInputs& in);

// Objects running a container image without "@sha256:": "  Deployment n/d runs IMAGE" lines.
std::vector<std::string> unpinned_images(const std::vector<kube::Object>& objects);

// Every container image the objects run (init containers included), sorted, each once.
std::vector<std::string> images_run(const std::vector<kube::Object>& objects);

}  // namespace stackctl::cli
