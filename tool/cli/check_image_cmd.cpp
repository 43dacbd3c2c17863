// check --image: read each image through the registry API, then judge its labels (pure core).
#include "cli/check_image_cmd.hpp"

#include <regex>

#include "adapters/process.hpp"
#include "adapters/registry.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/image_ref.hpp"
#include "core/knowledge/check_image.hpp"

namespace stackctl::cli {

void add_image_options(CLI::App& sub, ImageCheckOptions& options) {
  sub.add_option("--image", options.refs,
                 "Also check a built image: read its labels from the registry (no daemon) and "
                 "compare them with the stack. Repeatable. REF is [registry/]repo[:tag][@digest]")
      ->type_name("REF")
      ->allow_extra_args(false);  // one REF per --image: `--image A STACK` leaves STACK alone
  sub.add_flag("--registry-insecure", options.registry_insecure,
               "Reach every --image registry over plain HTTP (loopback registries always are)");
  sub.add_option("--registry-ca-file", options.registry_ca_file,
                 "PEM bundle of the CA that signed the registry's TLS certificate")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  sub.add_option("--platform", options.platform,
                 "Platform to read from multi-platform images (default linux/amd64)")
      ->type_name("OS/ARCH[/VARIANT]");
}

namespace {

void print_failure(Context& ctx, const std::string& ref, const std::string& message,
                   const std::string& hint) {
  ctx.err << "stackctl check: image " << ref << ": " << message << '\n';
  if (!hint.empty()) ctx.err << "  hint: " << hint << '\n';
}

ImageReport read_and_judge(Context& ctx, registry::Client& client, const model::Stack& stack,
                           const ImageRef& ref, const std::string& given, int& exit_code) {
  ImageReport report{given, ref.str(), false, {}, {}, {}, {}, {}, {}, {}};
  auto info = client.inspect(ref);
  if (!info) {
    print_failure(ctx, given, info.error().message, info.error().hint);
    report.error = info.error().message;
    exit_code = kExternalError;
    return report;
  }
  report.read = true;
  report.digest = info->digest;
  report.manifest_digest = info->manifest_digest;
  report.config_digest = info->config_digest;
  report.platform =
      info->os + "/" + info->architecture + (info->variant.empty() ? "" : "/" + info->variant);
  report.labels = info->labels;
  report.findings = check_image::check_image(stack, {given, ref.short_name(), info->labels});
  return report;
}

}  // namespace

ImagesResult check_images(Context& ctx, const model::Stack& stack, const ImageCheckOptions& options,
                          http::Client* http) {
  ImagesResult result;
  static const std::regex platform_re("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?");
  if (!std::regex_match(options.platform, platform_re)) {
    ctx.err << "stackctl check: --platform \"" << options.platform
            << "\" is not OS/ARCH[/VARIANT] (e.g. linux/amd64, linux/arm64/v8)\n";
    result.exit_code = kUsage;
    return result;
  }
  std::vector<ImageRef> refs;
  for (const auto& text : options.refs) {
    auto ref = parse_image_ref(text);
    if (!ref) {
      print_failure(ctx, text, ref.error().message, ref.error().hint);
      result.exit_code = kUsage;
    } else {
      refs.push_back(*ref);
    }
  }
  if (result.exit_code != kOk || refs.empty()) return result;
  std::unique_ptr<http::Client> owned;
  if (http == nullptr) {
    http::Options o;
    o.retries = 2;
    o.timeout = std::chrono::seconds(120);  // manifests and configs are small
    o.ca_file = options.registry_ca_file;
    owned = http::make_curl_client(std::move(o));
    http = owned.get();
  }
  registry::Options ro{options.registry_insecure, options.platform, {}};
  // The stack's own registry marked `insecure: true` is reached over plain HTTP, as build does.
  if (stack.registry.insecure && !stack.registry.url.empty())
    ro.insecure_registries.push_back(stack.registry.url.substr(0, stack.registry.url.find('/')));
  // Credential helpers named in an auth file (credHelpers, credsStore) run through this runner.
  auto helpers = proc::make_runner();
  registry::Client client(*http, std::move(ro),
                          registry::auth_files_lookup(registry::process_env(), helpers.get()));
  for (std::size_t i = 0; i < refs.size(); ++i)
    result.images.push_back(
        read_and_judge(ctx, client, stack, refs[i], options.refs[i], result.exit_code));
  return result;
}

nlohmann::json images_json(const ImagesResult& result) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : result.images) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [k, v] : r.labels) labels[k] = v;
    arr.push_back({{"ref", r.ref},
                   {"name", r.name},
                   {"read", r.read},
                   {"digest", r.digest},
                   {"manifestDigest", r.manifest_digest},
                   {"configDigest", r.config_digest},
                   {"platform", r.platform},
                   {"labels", labels}});
  }
  return arr;
}

void print_images_text(Context&, std::ostream& os, const ImagesResult& result) {
  for (const auto& r : result.images) {
    if (!r.read) continue;
    std::size_t errors = 0;
    for (const auto& f : r.findings) errors += f.diag.severity == Severity::error ? 1 : 0;
    os << "image " << r.ref << ": " << r.digest << " (" << r.platform << ", " << r.labels.size()
       << (r.labels.size() == 1 ? " label" : " labels") << "): "
       << (r.findings.empty() ? "matches the stack" : summary(errors, r.findings.size() - errors))
       << '\n';
  }
}

}  // namespace stackctl::cli
