#include "cli/build_support.hpp"

#include "adapters/fetcher.hpp"
#include "cli/render_inputs.hpp"

namespace stackctl::cli {

void add_builder_flags(CLI::App& sub, BuilderFlags& flags) {
  sub.add_option("--builder", flags.backend, "buildah, podman or docker (default: the first found)")
      ->check(CLI::IsMember({"buildah", "podman", "docker"}));
  sub.add_option("--storage-driver", flags.storage_driver,
                 "buildah/podman storage driver, e.g. vfs (works as root without overlay)");
  sub.add_option("--storage-root", flags.storage_root, "buildah/podman image store folder");
  sub.add_option("--storage-runroot", flags.storage_runroot, "buildah/podman run-state folder");
}

std::optional<std::unique_ptr<builder::Builder>> make_builder_from_flags(
    Context& ctx, proc::Runner& runner, const BuilderFlags& flags) {
  std::optional<builder::Backend> backend = flags.backend.empty()
                                                ? builder::detect_backend(runner)
                                                : builder::parse_backend(flags.backend);
  if (!backend) {
    ctx.err << "stackctl: no image builder found: install buildah (apt-get install buildah), "
               "podman, or docker with a running daemon, or pass --builder\n";
    return std::nullopt;
  }
  if (!proc::find_executable(builder::to_string(*backend))) {
    ctx.err << "stackctl: " << builder::to_string(*backend) << " is not installed\n";
    return std::nullopt;
  }
  return builder::make_builder(
      *backend, runner,
      {flags.storage_driver, flags.storage_root, flags.storage_runroot, "chroot"});
}

std::expected<RenderInputs, int> read_render_inputs(Context& ctx, const model::Stack& stack,
                                                    const std::string& stack_path,
                                                    const std::string& templates_dir) {
  auto templates = load_templates(ctx, templates_dir);
  if (!templates) return std::unexpected(templates.error());
  auto stack_files = read_stack_files(ctx, stack, stack_path);
  if (!stack_files) return std::unexpected(stack_files.error());
  return RenderInputs{std::move(*templates), std::move(*stack_files)};
}

std::filesystem::path default_work_dir(const model::Stack& stack) {
  // Beside the artifact cache (XDG rules live in the fetcher): <cache>/stackctl/build/<stack>.
  const auto artifacts = fetch::default_cache_dir();
  const auto base = artifacts.empty() ? std::filesystem::temp_directory_path() / "stackctl"
                                      : artifacts.parent_path();
  return base / "build" / stack.metadata.name;
}

}  // namespace stackctl::cli
