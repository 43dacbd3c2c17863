// stackctl submit STACK APP --target T: one run of a stack's application in cluster mode, through
// the Kubernetes API (a submitter Job running spark-submit in the application's image, or a
// SparkApplication where the target has the spark-operator; core/submit, app/submit.hpp,
// docs/applications.md).
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <ctime>

#include "adapters/fs.hpp"
#include "app/build.hpp"
#include "app/submit.hpp"
#include "cli/commands.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/doctor_output.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/kube_connect.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/diag.hpp"
#include "core/render/common.hpp"

namespace stackctl::cli {

namespace {

struct SubmitArgs {
  StackInput in;
  std::string application;
  KubeFlags kube;
  std::string run;
  std::string lock_file;
  std::string timeout = "30m";
  bool dry_run = false;
  bool wait = false;
};

std::optional<std::chrono::milliseconds> parse_timeout(const std::string& text) {
  long long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || n < 0) return std::nullopt;
  const std::string unit(end, text.data() + text.size());
  if (unit.empty() || unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  return std::nullopt;
}

// A new run id each time: the UTC second it was asked for ("20261201-171612").
std::string default_run_id() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// The image the application runs on this target, as deploy would run it: by the digest stack.lock
// records (push), by the stack's tag (minikube-load), by digest when known (none).
std::expected<std::string, int> image_for(Context& ctx, const model::Stack& stack,
                                          const model::Target& target, const std::string& image,
                                          const SubmitArgs& a) {
  const model::Image* img = stack.find_image(image);
  const auto delivery = stack.image_delivery(target);
  if (delivery == model::ImageDelivery::minikube_load) return render::image_ref(stack, *img);
  const auto lock_path = lock_path_for(a.in.path, a.lock_file);
  auto lock = app::read_lock(fs::disk(), lock_path);
  if (!lock) {
    ctx.err << "stackctl: " << lock.error().message << '\n';
    return std::unexpected(kInputError);
  }
  if (*lock) {
    const auto refs = current_image_refs(stack, **lock);
    if (auto it = refs.find(image); it != refs.end()) return it->second;
  }
  if (delivery == model::ImageDelivery::none) return render::image_ref(stack, *img);
  ctx.err << "stackctl: image \"" << image << "\" has no digest in " << lock_path.string()
          << " for the tag the stack gives it: submit runs images pinned by digest, as deploy "
             "does\n  run `stackctl build "
          << a.in.path << " --target " << a.in.target << " --push` first\n";
  return std::unexpected(kFindings);
}

struct Prepared {
  app::SubmitRequest request;
  KubeFlags kube;
};

std::expected<Prepared, int> prepare(Context& ctx, const SubmitArgs& a) {
  auto loaded = load_valid_stack(ctx, a.in, "submitted");
  if (!loaded) return std::unexpected(loaded.error());
  const model::Stack& stack = *loaded;
  const model::Application* app = stack.find_application(a.application);
  if (app == nullptr) {
    std::vector<std::string> names;
    for (const auto& x : stack.applications) names.push_back(x.name);
    const std::string guess = did_you_mean(a.application, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    ctx.err << "stackctl: " << a.in.path << " has no application \"" << a.application << "\"\n  "
            << (!guess.empty() ? "did you mean \"" + guess + "\"?"
                : list.empty() ? std::string("the stack declares no `applications:`")
                               : "applications in this stack: " + list)
            << '\n';
    return std::unexpected(kUsage);
  }
  const model::Target* target = stack.find_target(a.in.target);
  if (target == nullptr) return std::unexpected(kUsage);
  Prepared p;
  p.kube = a.kube;
  if (p.kube.context.empty()) p.kube.context = target->context;
  if (p.kube.ns.empty()) p.kube.ns = target->namespace_name;
  auto image = image_for(ctx, stack, *target, app->image, a);
  if (!image) return std::unexpected(image.error());
  auto timeout = parse_timeout(a.timeout);
  if (!timeout) {
    ctx.err << "stackctl: --timeout " << a.timeout
            << ": expected seconds (90, 90s), minutes (5m) or hours (1h)\n";
    return std::unexpected(kUsage);
  }
  const std::string run = a.run.empty() ? default_run_id() : a.run;
  auto built = submit::build(stack, *app, {run, p.kube.ns, *image});
  if (!built) {
    ctx.err << "stackctl: " << built.error() << '\n';
    return std::unexpected(a.run.empty() || built.error().starts_with("application") ? kFindings
                                                                                     : kUsage);
  }
  p.request.submission = std::move(*built);
  p.request.ns = p.kube.ns;
  p.request.wait = a.wait;
  p.request.timeout = *timeout;
  return p;
}

class Progress final : public app::SubmitProgress {
 public:
  explicit Progress(std::ostream& err) : err_(err) {}
  void step(const std::string& line) override { err_ << line << '\n'; }

 private:
  std::ostream& err_;
};

nlohmann::json result_json(const app::SubmitResult& r, const app::SubmitRequest& req) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) findings.push_back(finding_json(f));
  return {{"namespace", req.ns},
          {"run", req.submission.run_id},
          {"job", req.submission.name},
          {"kind", req.submission.kind()},
          {"state", app::to_string(r.state)},
          {"driverPod", r.driver_pod},
          {"executors", r.executors},
          {"message", r.message},
          {"findings", findings}};
}

int print_dry_run(Context& ctx, const app::SubmitRequest& req) {
  if (ctx.options.output == OutputFormat::json) {
    kube::Json objects = kube::Json::array();
    for (const auto& o : req.submission.objects) objects.push_back(o.body);
    ctx.out << objects.dump(2) << '\n';
  } else {
    for (const auto& o : req.submission.objects) {
      const std::string yaml = kube::to_yaml(o.body);
      ctx.out << "---\n" << yaml << (yaml.ends_with('\n') ? "" : "\n");
    }
  }
  ctx.err << "dry run: nothing was submitted (run " << req.submission.run_id << ")\n";
  return kOk;
}

int exit_code(app::SubmitError::Kind k) {
  switch (k) {
    case app::SubmitError::Kind::refused:
      return kFindings;
    case app::SubmitError::Kind::api:
      return kExternalError;
    case app::SubmitError::Kind::failed:
      return kRolloutFailed;
    case app::SubmitError::Kind::timed_out:
      return kStillRunning;
  }
  return kExternalError;
}

int run_submit(Context& ctx, const SubmitArgs& a) {
  auto prepared = prepare(ctx, a);
  if (!prepared) return prepared.error();
  const auto& req = prepared->request;
  if (a.dry_run) return print_dry_run(ctx, req);
  auto client = connect(ctx, prepared->kube);
  if (!client) return client.error();
  Progress progress(ctx.err);
  auto result = app::submit(req, *client->client, app::steady_clock(), progress);
  const app::SubmitResult& r = result ? *result : result.error().result;
  if (ctx.options.output == OutputFormat::json) {
    auto j = result_json(r, req);
    if (!result) j["error"] = result.error().message;
    print_json(ctx, std::move(j), result ? kOk : exit_code(result.error().kind));
  } else if (result || !r.job.empty()) {
    ctx.out << app::to_string(r.state) << "  " << r.job << "  run " << req.submission.run_id
            << (r.driver_pod.empty() ? "" : "  driver " + r.driver_pod) << '\n';
  }
  if (!result) {
    ctx.err << "stackctl: " << result.error().message << '\n';
    return exit_code(result.error().kind);
  }
  return kOk;
}

}  // namespace

Command submit_command() {
  return {
      "submit",
      "Run one of the stack's applications in cluster mode (a submitter Job, or a "
      "SparkApplication on a target with sparkOperator: true; --wait follows it)",
      "  stackctl submit stacks/custom-app.stack.yaml pi --target minikube\n"
      "  stackctl submit stacks/custom-app.stack.yaml pi --target minikube --dry-run\n"
      "  stackctl submit stacks/custom-app.stack.yaml pi --target minikube --dry-run -o json\n"
      "  stackctl submit stacks/custom-app.stack.yaml pi --target eks --run nightly-0412 \\\n"
      "      --wait --timeout 2h\n"
      "\nThe Job runs `spark-submit --deploy-mode cluster` in the application's image (by the\n"
      "digest stack.lock records) as the spark ServiceAccount with the spark-defaults ConfigMap\n"
      "`stackctl deploy` applied: deploy the target first. A run (--run, default the current\n"
      "UTC time) is submitted once; a second submit of it is refused. --dry-run prints the\n"
      "objects and contacts no cluster. A client-mode application (deployMode: client) is\n"
      "refused: `stackctl render` writes its properties file and command instead\n"
      "(targets/<target>/applications/<app>.conf and <app>.submit.sh).\n"
      "On a target with `sparkOperator: true` submit creates a SparkApplication\n"
      "(sparkoperator.k8s.io/v1beta2) instead, once discovery confirms the cluster serves it,\n"
      "and --wait follows its .status.applicationState.state.\n"
      "Exit codes: 0 submitted (with --wait: the application succeeded), 1 the stack, lock or\n"
      "cluster is not ready (invalid stack, image not built, target not deployed, the\n"
      "operator's API missing, run already submitted), 2 usage (unknown application, bad\n"
      "--run or --timeout), 3 a file could not be read, 4 the cluster refused or failed, 7 the\n"
      "application failed (the cause is printed),\n"
      "9 --wait's deadline passed and the application is still running. See\n"
      "docs/applications.md.\n",
      [](CLI::App& sub) -> Runner {
        auto a = std::make_shared<SubmitArgs>();
        add_stack_argument(sub, a->in);
        sub.add_option("application", a->application, "The application (`applications[].name`)")
            ->required();
        sub.add_option("-t,--target", a->in.target, "The target to run it on (minikube, eks, ...)")
            ->required();
        sub.add_option("--run", a->run,
                       "The run id (a DNS label; default: the current UTC time, "
                       "YYYYMMDD-HHMMSS); the Job is <application>-<run>");
        sub.add_flag("--dry-run", a->dry_run,
                     "Print the objects submit would create (YAML, or JSON with -o json); "
                     "contact no cluster");
        sub.add_flag("--wait", a->wait,
                     "Follow the driver pod to its end and exit with the application's result");
        sub.add_option("--timeout", a->timeout, "How long --wait follows it (90s, 30m, 2h)")
            ->capture_default_str();
        sub.add_option("--kubeconfig", a->kube.kubeconfig,
                       "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)");
        sub.add_option(
            "--context", a->kube.context,
            "kubeconfig context (default: the target's `context`, else the current one)");
        sub.add_option("-n,--namespace", a->kube.ns,
                       "Namespace (default: the target's `namespace`)");
        sub.add_option("--lock", a->lock_file, "The lock file (default: STACK with .lock)");
        return [a](Context& ctx) { return run_submit(ctx, *a); };
      }};
}

}  // namespace stackctl::cli
