#include "cli/deploy_inputs.hpp"

#include <set>

#include "adapters/fs.hpp"
#include "cli/env_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "core/render/common.hpp"
#include "core/render/render.hpp"

namespace stackctl::cli {

namespace {

using kube::Json;

void containers_of(const Json& object, std::vector<const Json*>& out) {
  if (!object.contains("spec") || !object["spec"].is_object()) return;
  const Json& spec = object["spec"];
  if (!spec.contains("template") || !spec["template"].contains("spec")) return;
  const Json& pod = spec["template"]["spec"];
  for (const char* key : {"initContainers", "containers"})
    if (pod.contains(key) && pod[key].is_array())
      for (const auto& c : pod[key]) out.push_back(&c);
}

}  // namespace

std::expected<TerraformOutputs, std::string> parse_terraform_outputs(const std::string& text,
                                                                     const std::string& file) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return std::unexpected(file + ": not `terraform output -json` output: " + e.what());
  }
  if (!j.is_object())
    return std::unexpected(file +
                           ": not `terraform output -json` output (a JSON object of outputs)");
  TerraformOutputs out;
  auto value = [&](const char* name) -> std::optional<std::string> {
    if (!j.contains(name) || !j[name].is_object()) return std::nullopt;
    const Json& v = j[name].value("value", Json());
    if (v.is_string()) return v.get<std::string>();
    return std::nullopt;
  };
  out.spark_role_arn = value("spark_role_arn");
  out.spark_env_secret_name = value("spark_env_secret_name");
  return out;
}

std::expected<TerraformOutputs, int> read_terraform_outputs(Context& ctx, const std::string& file) {
  auto text = fs::read_file(file);
  if (!text) {
    ctx.err << "stackctl: " << text.error().message << '\n';
    return std::unexpected(kInputError);
  }
  auto parsed = parse_terraform_outputs(*text, file);
  if (!parsed) {
    ctx.err << "stackctl: " << parsed.error() << '\n';
    return std::unexpected(kInputError);
  }
  return *parsed;
}

std::string terraform_outputs_needed(const std::string& target) {
  return "target " + target +
         " is an eks target: its spark ServiceAccount needs the IAM role ARN from Terraform\n"
         "  run `terraform -chdir=rendered/<stack>/targets/" +
         target +
         "/terraform output -json > outputs.json`, then pass --terraform-outputs outputs.json";
}

void leave_out_terraform_owned(std::vector<kube::Object>& objects,
                               const TerraformOutputs& outputs) {
  if (!outputs.spark_env_secret_name) return;
  std::erase_if(objects, [&](const kube::Object& o) {
    return o.kind() == "Secret" && o.name() == *outputs.spark_env_secret_name;
  });
}

std::map<std::string, std::string> current_image_refs(const model::Stack& stack,
                                                      const lock::Lock& lock) {
  lock::Lock current = lock;
  std::erase_if(current.images, [&](const lock::Image& i) {
    const model::Image* image = stack.find_image(i.name);
    return image == nullptr || i.ref != render::image_ref(stack, *image);
  });
  return render::lock_image_refs(current);
}

std::vector<std::string> unpinned_images(const std::vector<kube::Object>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) {
    std::vector<const Json*> containers;
    containers_of(o.body, containers);
    for (const Json* c : containers) {
      const std::string image = c->value("image", "");
      if (image.find("@sha256:") == std::string::npos)
        out.push_back("  " + o.display() + " runs " + image);
    }
  }
  return out;
}

std::vector<std::string> images_run(const std::vector<kube::Object>& objects) {
  std::set<std::string> out;
  for (const auto& o : objects) {
    std::vector<const Json*> containers;
    containers_of(o.body, containers);
    for (const Json* c : containers) out.insert(c->value("image", ""));
  }
  return {out.begin(), out.end()};
}

std::expected<std::vector<kube::Object>, int> rendered_objects(
    Context& ctx, const model::Stack& base, const model::Stack& stack,
    const catalog::Catalog& catalog, const std::string& stack_path, const DeployInputs& in) {
  auto templates = load_templates(ctx, "");
  if (!templates) return std::unexpected(templates.error());
  const std::filesystem::path dir = std::filesystem::path(stack_path).parent_path();
  // The same values render gives these stacks (cli/env_inputs.hpp), judged before any request.
  auto values = read_spark_env_values(ctx, {in.values_file, dir, in.vault}, {&base, &stack});
  if (!values) {
    for (const auto& d : values.error().diags.items()) print_diagnostic(ctx, ctx.err, d);
    if (values.error().vault) print_vault_failure(ctx, *values.error().vault);
    ctx.err << "stackctl: nothing was deployed\n";
    return std::unexpected(values.error().exit_code);
  }
  auto stack_files = read_stack_files(ctx, stack, stack_path);
  if (!stack_files) return std::unexpected(stack_files.error());
  render::Request request;
  request.base = &base;
  request.targets = {&stack};
  request.catalog = &catalog;
  request.templates = &*templates;
  request.env_values = std::move(*values);
  request.stack_files = std::move(*stack_files);
  // minikube-load: the node knows a loaded image by its tag only (an archive carries no
  // registry digest), so the stack's tags run, with imagePullPolicy Never.
  if (in.delivery != model::ImageDelivery::minikube_load)
    request.image_refs = current_image_refs(stack, *in.lock);
  if (in.spark_role_arn) request.spark_role_arns[stack.target] = *in.spark_role_arn;
  auto rendered = render::render(request);
  if (!rendered) {
    for (const auto& d : rendered.error().items()) print_diagnostic(ctx, ctx.err, d);
    ctx.err << "stackctl: render failed"
            << (in.pins == Pins::required ? "; nothing was deployed\n" : "\n");
    return std::unexpected(kFindings);
  }
  std::vector<kube::Object> out;
  for (const auto& m : rendered->manifests[stack.target]) {
    if (!m.unresolved.empty() && in.pins == Pins::required) {
      ctx.err << "stackctl: " << m.object.display() << " still needs " << m.unresolved.front()
              << ": pass the outputs of the target's Terraform root module with "
                 "--terraform-outputs (`terraform output -json`)\n";
      return std::unexpected(kFindings);
    }
    out.push_back(m.object);
  }
  if (const auto unpinned = unpinned_images(out);
      !unpinned.empty() && in.delivery == model::ImageDelivery::push && in.pins == Pins::required) {
    ctx.err << "stackctl: images are not built and pushed (stack.lock has no digest for the tag "
               "the stack gives them):\n";
    for (const auto& line : unpinned) ctx.err << line << '\n';
    ctx.err << "  run `" << in.build_hint << "` first, then deploy again\n";
    return std::unexpected(kFindings);
  }
  return out;
}

}  // namespace stackctl::cli
