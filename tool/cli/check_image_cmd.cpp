// check --image: read each image through the registry API, then judge its labels (pure core).
#include "cli/check_image_cmd.hpp"

#include <regex>

#include "adapters/fs.hpp"
#include "adapters/layer_files.hpp"
#include "adapters/process.hpp"
#include "adapters/registry.hpp"
#include "app/build.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "core/image_ref.hpp"
#include "core/knowledge/check_image.hpp"
#include "core/render/common.hpp"
#include "core/render/render.hpp"

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
  ImageReport report;
  report.ref = given;
  report.name = ref.str();
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
  report.layers = info->layers;
  report.findings = check_image::check_image(stack, {given, ref.short_name(), info->labels});
  return report;
}

// The reference each stack image with application files runs by: stack.lock's digest for the
// stack's current tag, else the tag. nullopt (and a message) when the lock cannot be read.
std::optional<std::map<std::string, std::string>> application_refs(Context& ctx,
                                                                   const model::Stack& stack,
                                                                   const ApplicationImages& apps,
                                                                   bool& from_lock) {
  const auto path = lock_path_for(apps.stack_path, apps.lock_file);
  auto lock = app::read_lock(fs::disk(), path);
  if (!lock) {
    ctx.err << "stackctl: " << lock.error().message << '\n';
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  if (*lock) {
    out = current_image_refs(stack, **lock);
    // A tag with {inputs} (a digest of the build's inputs) cannot be expanded from the stack
    // alone, so the lock's entry for the image is the one build wrote last.
    const auto locked = render::lock_image_refs(**lock);
    for (const auto& image : stack.images)
      if (image.tag_template.find("{inputs}") != std::string::npos && !out.contains(image.name))
        if (const auto it = locked.find(image.name); it != locked.end())
          out[image.name] = it->second;
  }
  from_lock = lock->has_value();
  for (const auto& image : stack.images)
    if (!out.contains(image.name) && !stack.registry.url.empty())
      out[image.name] = render::image_ref(stack, image);
  return out;
}

// Every `file` not looked up, with the reason.
void not_checked(std::vector<check_app_files::Checked>& into,
                 const std::vector<check_app_files::File>& files, const std::string& image_ref,
                 const std::string& why) {
  for (const auto& f : files) into.push_back({f, image_ref, {}, why});
}

// The local:// files of `files` (all of one stack image) in `report`'s layers.
void look_up_files(Context& ctx, registry::Client& client, const ImageRef& ref, ImageReport& report,
                   const std::vector<check_app_files::File>& files, int& exit_code) {
  const std::string shown = ref.registry + "/" + ref.repository + "@" + report.manifest_digest;
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  registry::ImageInfo info;
  info.layers = report.layers;
  auto found = layer_files::find_files(client, ref, info, paths);
  if (!found) {
    print_failure(ctx, report.ref, found.error().message, found.error().hint);
    exit_code = kExternalError;
    not_checked(report.files, files, shown,
                "its layers could not be read: " + found.error().message);
    return;
  }
  report.layers_read = found->layers_read;
  report.layer_bytes = found->bytes_read;
  for (const auto& f : files)
    report.files.push_back({f, shown, found->outcomes.at(f.path), found->not_checked});
}

void check_application_files(Context& ctx, registry::Client& client, const model::Stack& stack,
                             const ApplicationImages& apps, ImagesResult& result) {
  const auto files = check_app_files::local_files(stack);
  if (files.empty()) return;
  bool from_lock = false;
  const auto refs = application_refs(ctx, stack, apps, from_lock);
  if (!refs) {
    result.exit_code = kInputError;
    return;
  }
  std::map<std::string, std::vector<check_app_files::File>> by_image;
  for (const auto& f : files) by_image[f.image].push_back(f);
  for (const auto& [image, wanted] : by_image) {
    std::vector<std::string> names;
    for (const auto& f : wanted)
      if (std::find(names.begin(), names.end(), f.application) == names.end())
        names.push_back(f.application);
    const auto it = refs->find(image);
    if (it == refs->end()) {  // no registry.url, and no digest in the lock
      ImageReport report;
      report.ref = image;
      report.applications = names;
      report.error = "the stack has no registry.url";
      not_checked(report.files, wanted, "\"" + image + "\"",
                  "the stack has no registry.url, so image \"" + image +
                      "\" is in no registry stackctl can read");
      report.findings = check_app_files::findings(stack, report.files);
      result.images.push_back(std::move(report));
      continue;
    }
    auto ref = parse_image_ref(it->second);
    if (!ref) continue;  // the stack's own references were validated when it loaded
    ImageReport* report = nullptr;
    for (auto& r : result.images)
      if (r.name == ref->str()) report = &r;
    if (report == nullptr) {
      result.images.push_back(
          read_and_judge(ctx, client, stack, *ref, it->second, result.exit_code));
      report = &result.images.back();
    }
    report->applications.insert(report->applications.end(), names.begin(), names.end());
    const std::size_t first = report->files.size();
    if (!report->read)
      not_checked(report->files, wanted, it->second,
                  "the image could not be read: " + report->error);
    else
      look_up_files(ctx, client, *ref, *report, wanted, result.exit_code);
    const std::vector<check_app_files::Checked> mine(
        report->files.begin() + static_cast<std::ptrdiff_t>(first), report->files.end());
    const auto found = check_app_files::findings(stack, mine);
    report->findings.insert(report->findings.end(), found.begin(), found.end());
  }
  if (!from_lock)
    ctx.err << "stackctl check: " << lock_path_for(apps.stack_path, apps.lock_file).string()
            << " does not exist: the applications' images are read by the stack's tags\n";
}

}  // namespace

ImagesResult check_images(Context& ctx, const model::Stack& stack, const ImageCheckOptions& options,
                          http::Client* http, const ApplicationImages* apps) {
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
  if (apps != nullptr) check_application_files(ctx, client, stack, *apps, result);
  return result;
}

namespace {

const char* state_text(image_files::State s) {
  switch (s) {
    case image_files::State::found:
      return "found";
    case image_files::State::missing:
      return "missing";
    case image_files::State::directory:
      return "directory";
    case image_files::State::pending:
      return "not checked";
  }
  return "not checked";
}

void print_files(std::ostream& os, const ImageReport& r) {
  for (const auto& c : r.files) {
    os << "  application " << c.file.application << ": " << c.file.field << " " << c.file.uri
       << ": " << state_text(c.outcome.state);
    if (c.outcome.state == image_files::State::found)
      os << " (" << c.outcome.resolved << ", layer " << c.outcome.layer + 1 << " of "
         << r.layers.size() << ")";
    os << '\n';
  }
  if (!r.files.empty() && r.read)
    os << "  read " << r.layers_read << " of " << r.layers.size() << " layers from the top ("
       << r.layer_bytes << " bytes)\n";
}

}  // namespace

nlohmann::json images_json(const ImagesResult& result) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : result.images) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [k, v] : r.labels) labels[k] = v;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& c : r.files) {
      nlohmann::json f = {{"application", c.file.application},
                          {"field", c.file.field},
                          {"path", c.file.key},
                          {"uri", c.file.uri},
                          {"state", state_text(c.outcome.state)},
                          {"resolved", c.outcome.resolved},
                          {"layer", c.outcome.layer + 1},
                          {"links", c.outcome.links}};
      if (!c.outcome.why.empty()) f["why"] = c.outcome.why;
      if (c.outcome.state == image_files::State::pending) f["why"] = c.not_checked;
      files.push_back(std::move(f));
    }
    arr.push_back({{"ref", r.ref},
                   {"name", r.name},
                   {"read", r.read},
                   {"digest", r.digest},
                   {"manifestDigest", r.manifest_digest},
                   {"configDigest", r.config_digest},
                   {"platform", r.platform},
                   {"labels", labels},
                   {"applications", r.applications},
                   {"files", files},
                   {"layersRead", r.layers_read},
                   {"layerBytes", r.layer_bytes}});
  }
  return arr;
}

void print_images_text(Context&, std::ostream& os, const ImagesResult& result) {
  for (const auto& r : result.images) {
    if (!r.read) {
      print_files(os, r);
      continue;
    }
    std::size_t errors = 0;
    for (const auto& f : r.findings) errors += f.diag.severity == Severity::error ? 1 : 0;
    os << "image " << r.ref << ": " << r.digest << " (" << r.platform << ", " << r.labels.size()
       << (r.labels.size() == 1 ? " label" : " labels") << "): "
       << (r.findings.empty() ? "matches the stack" : summary(errors, r.findings.size() - errors))
       << '\n';
    print_files(os, r);
  }
}

}  // namespace stackctl::cli
