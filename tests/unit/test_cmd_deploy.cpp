// `stackctl deploy`'s inputs: the lock's digests, Terraform's outputs, the rendered objects; every
// refusal before a request goes out, with the command to run.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cli/app.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/plans/lock.hpp"
#include "core/render/common.hpp"
#include "core/stack/loader.hpp"

namespace stdfs = std::filesystem;
using namespace stackctl;
using kube::Json;

namespace {

const std::string kStack = std::string(STACKCTL_SOURCE_DIR) + "/stacks/spark-connect.stack.yaml";

struct TempDir {
  stdfs::path path;
  TempDir() {
    std::random_device rd;
    path = stdfs::temp_directory_path() / ("stackctl-deploy-test-" + std::to_string(rd()));
    stdfs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lock `build --push` would leave: current versions and artifacts, every image with a digest
// unless it is named in `without_digest`.
lock::Lock current_lock(const std::string& without_digest = "",
                        const std::string& stack_file = kStack) {
  Diagnostics d;
  auto stack = load_stack(slurp(stack_file), {stack_file, "", &catalog::builtin_catalog()}, d);
  REQUIRE(stack);
  lock::Lock l = lock::from_stack(*stack, nullptr);
  for (const auto& image : stack->images)
    l.images.push_back({image.name, render::image_ref(*stack, image),
                        "sha256:" + std::string(64, '1'),
                        image.name == without_digest ? "" : "sha256:" + std::string(64, 'a')});
  return l;
}

struct Run {
  int code;
  std::string out, err;
};

Run deploy(std::vector<std::string> extra, const std::string& stack_file = kStack) {
  std::vector<std::string> args = {"deploy", stack_file};
  args.insert(args.end(), extra.begin(), extra.end());
  std::ostringstream out, err;
  const int code = cli::run(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("deploy refuses without a lock, naming `stackctl build --push`", "[cmd-deploy]") {
  TempDir t;
  const auto r = deploy({"--target", "minikube", "--lock", (t.path / "none.lock").string()});
  CHECK(r.code == cli::kFindings);
  CHECK(
      r.err.find("none.lock does not exist: deploy runs images pinned by the digests it records") !=
      std::string::npos);
  CHECK(r.err.find("run `stackctl build " + kStack + " --push` first") != std::string::npos);
}

TEST_CASE("deploy refuses an image without a pushed digest, and a stale lock", "[cmd-deploy]") {
  TempDir t;
  const auto path = (t.path / "x.lock").string();
  const lock::Lock no_digest = current_lock("spark-connect");
  std::ofstream(path) << lock::serialize(no_digest);
  auto r = deploy({"--target", "minikube", "--lock", path});
  CHECK(r.code == cli::kFindings);
  CHECK(r.err.find("images are not built and pushed (stack.lock has no digest for the tag the "
                   "stack gives them):\n  Deployment spark/") != std::string::npos);
  CHECK(r.err.find("--push` first, then deploy again") != std::string::npos);

  lock::Lock stale = current_lock();
  stale.versions[0].second = "0.0.1";
  std::ofstream(path, std::ios::trunc) << lock::serialize(stale);
  r = deploy({"--target", "minikube", "--lock", path});
  CHECK(r.code == cli::kFindings);
  CHECK(r.err.find("x.lock is stale (the stack changed since):") != std::string::npos);
}

TEST_CASE("an eks target needs --terraform-outputs", "[cmd-deploy]") {
  TempDir t;
  const auto path = (t.path / "x.lock").string();
  std::ofstream(path) << lock::serialize(current_lock());
  const auto r = deploy({"--target", "eks", "--lock", path});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err.find("target eks is an eks target: its spark ServiceAccount needs the IAM role ARN "
                   "from Terraform") != std::string::npos);
  CHECK(r.err.find("--terraform-outputs outputs.json") != std::string::npos);
}

TEST_CASE("deploy with everything ready goes to the cluster the kubeconfig names", "[cmd-deploy]") {
  TempDir t;
  const auto path = (t.path / "x.lock").string();
  std::ofstream(path) << lock::serialize(current_lock());
  const auto missing = (t.path / "no-kubeconfig").string();
  const auto r =
      deploy({"--target", "minikube", "--lock", path, "--dry-run", "--kubeconfig", missing});
  INFO(r.err);
  CHECK(r.code == cli::kExternalError);
  CHECK(r.err.find("stackctl: connecting to the cluster: ") != std::string::npos);
  CHECK(r.err.find(missing) != std::string::npos);
  const auto bad = deploy({"--target", "minikube", "--lock", path, "--timeout", "soon"});
  CHECK(bad.code == cli::kUsage);
  CHECK(bad.err.find("--timeout soon: expected seconds (90, 90s), minutes (5m) or hours (1h)") !=
        std::string::npos);
}

TEST_CASE("an eks target's outputs without spark_role_arn leave the IRSA role unresolved",
          "[cmd-deploy]") {
  TempDir t;
  const auto path = (t.path / "x.lock").string();
  std::ofstream(path) << lock::serialize(current_lock());
  const auto outputs = (t.path / "outputs.json").string();
  std::ofstream(outputs) << R"({"namespace": {"value": "spark"}})";
  const auto r = deploy({"--target", "eks", "--lock", path, "--terraform-outputs", outputs});
  CHECK(r.code == cli::kFindings);
  CHECK(r.err.find("ServiceAccount ") != std::string::npos);
  CHECK(r.err.find("still needs spark_role_arn: pass the outputs of the target's Terraform root "
                   "module with --terraform-outputs") != std::string::npos);
}

TEST_CASE("only lock entries of the stack's current tags pin images", "[cmd-deploy]") {
  Diagnostics d;
  auto stack = load_stack(slurp(kStack), {kStack, "", &catalog::builtin_catalog()}, d);
  REQUIRE(stack);
  lock::Lock l = current_lock();
  const std::string first = l.images[0].name;
  l.images[0].ref += "-old";  // built from an earlier tag: stale, pins nothing
  const auto refs = cli::current_image_refs(*stack, l);
  CHECK_FALSE(refs.contains(first));
  CHECK(refs.size() == l.images.size() - 1);
  for (const auto& [name, ref] : refs) CHECK(ref.ends_with("@sha256:" + std::string(64, 'a')));

  std::vector<kube::Object> objects = {kube::Object{Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "n"},
    "spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "r/a@sha256:00"}],
                                    "containers": [{"name": "c", "image": "r/a:t1"}]}}}})")}};
  CHECK(cli::unpinned_images(objects) == std::vector<std::string>{"  Deployment n/d runs r/a:t1"});
}

TEST_CASE("Terraform outputs give the role ARN and the Secret's owner", "[cmd-deploy]") {
  auto o = cli::parse_terraform_outputs(
      R"({"spark_role_arn": {"sensitive": false, "type": "string", "value": "arn:aws:iam::1:role/s"},
          "spark_env_secret_name": {"sensitive": false, "type": "string", "value": null}})",
      "out.json");
  REQUIRE(o);
  CHECK(o->spark_role_arn == "arn:aws:iam::1:role/s");
  CHECK_FALSE(o->spark_env_secret_name);
  auto bad = cli::parse_terraform_outputs("[1]", "out.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "out.json: not `terraform output -json` output (a JSON object of outputs)");
}

TEST_CASE("deploy --vault: a Vault problem stops it before the cluster", "[cmd-deploy]") {
  const std::string kyuubi = std::string(STACKCTL_SOURCE_DIR) + "/stacks/kyuubi-sql.stack.yaml";
  TempDir t;
  const auto path = (t.path / "k.lock").string();
  std::ofstream(path) << lock::serialize(current_lock("", kyuubi));
  const auto missing = (t.path / "no-kubeconfig").string();
  // --vault and --values exclude each other.
  auto r =
      deploy({"--target", "minikube", "--lock", path, "--vault", "--values", "v.yaml"}, kyuubi);
  CHECK(r.code == cli::kUsage);
  // An unusable VAULT_* setting is exit 2, reported before any connection to the cluster (the
  // kubeconfig named here does not exist, and its error does not appear).
  ::setenv("VAULT_SKIP_VERIFY", "yes", 1);
  r = deploy({"--target", "minikube", "--lock", path, "--vault", "--kubeconfig", missing}, kyuubi);
  ::unsetenv("VAULT_SKIP_VERIFY");
  INFO(r.err);
  CHECK(r.code == cli::kUsage);
  CHECK(r.err.find("stackctl: error: could not parse VAULT_SKIP_VERIFY (\"yes\")") !=
        std::string::npos);
  CHECK(r.err.find("stackctl: nothing was deployed") != std::string::npos);
  CHECK(r.err.find("connecting to the cluster") == std::string::npos);
  CHECK(r.out.empty());
}
