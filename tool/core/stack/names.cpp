// Kubernetes names and label values that render derives from the stack, checked here so that a
// stack which passes validate never fails render on a name. The names mirror what
// tool/core/render/manifests*.cpp builds with Facts::name (metadata.name + "-" + suffix); the test
// "derived names cover every rendered object" renders a stack and fails when render builds a name
// this list does not know.
#include <algorithm>
#include <cctype>

#include "core/stack/sections.hpp"

namespace stackctl::detail {

namespace {

// A Kubernetes label value, and a Service name (a DNS-1035 label), may be at most 63 characters.
constexpr std::size_t kMaxLabel = 63;

// Names derived from DNS-1123 labels (checked where they are read) are DNS-1035 labels when they
// start with a letter and are short enough; nothing else can go wrong.
bool starts_with_letter(std::string_view s) {
  return !s.empty() && std::islower(static_cast<unsigned char>(s[0]));
}

// The longest failing name for each key that makes names long: one message per key to shorten.
void report_long(ReadContext& ctx, const model::Stack& s, const std::vector<DerivedName>& names) {
  std::vector<const DerivedName*> worst;
  for (const auto& d : names) {
    if (d.name.size() <= kMaxLabel) continue;
    auto same = std::find_if(worst.begin(), worst.end(),
                             [&](const DerivedName* w) { return w->blame == d.blame; });
    if (same == worst.end())
      worst.push_back(&d);
    else if ((*same)->name.size() < d.name.size())
      *same = &d;
  }
  for (const DerivedName* d : worst) {
    const bool by_name = d->blame == "metadata.name";
    const std::string built =
        by_name ? "metadata.name + \"" + d->name.substr(s.metadata.name.size()) + "\""
                : "metadata.name + \"-\" + " + d->blame +
                      (d->suffix.empty() ? "" : " + \"" + d->suffix + "\"");
    ctx.diags.error("E_DERIVED_NAME", s.locs.at(d->blame), d->blame,
                    "the Service name \"" + d->name + "\" (" + built + ") is " +
                        std::to_string(d->name.size()) + " characters, more than 63",
                    "shorten " + d->blame + (by_name ? "" : " or metadata.name") + " by " +
                        std::to_string(d->name.size() - kMaxLabel) +
                        " characters; Service names and label values are at most 63");
  }
}

}  // namespace

std::vector<DerivedName> derived_names(const model::Stack& s) {
  const std::string& base = s.metadata.name;
  std::vector<DerivedName> out;
  auto add = [&](const std::string& part, std::string suffix, std::string blame) {
    out.push_back({base + "-" + part + suffix, std::move(blame), std::move(suffix)});
  };
  const auto& sv = s.services;
  if (sv.connect.enabled) {
    add("connect", "", "metadata.name");
    add("connect-driver", "", "metadata.name");
  }
  for (std::size_t i = 0; i < sv.notebooks.size(); ++i) {
    const auto& nb = sv.notebooks[i];
    const std::string path = "services.notebooks[" + std::to_string(i) + "].name";
    add(nb.name, "", path);
    if (nb.mode == model::NotebookMode::client) add(nb.name, "-driver", path);
  }
  if (sv.history_server.enabled) add("history-server", "", "metadata.name");
  if (sv.kyuubi.enabled) {
    add("kyuubi", "", "metadata.name");
    add("kyuubi-headless", "", "metadata.name");
  }
  return out;
}

void check_derived_names(const model::Stack& stack, ReadContext& ctx) {
  // An invalid metadata.name or notebook name was reported where it was read; its derived names
  // would only repeat that.
  if (!is_dns_label(stack.metadata.name)) return;
  std::vector<DerivedName> names;
  for (auto& d : derived_names(stack)) {
    const std::size_t open = d.blame.find('[');
    if (open != std::string::npos &&
        !is_dns_label(stack.services.notebooks[std::stoul(d.blame.substr(open + 1))].name))
      continue;
    names.push_back(std::move(d));
  }
  if (!names.empty() && !starts_with_letter(stack.metadata.name)) {
    ctx.diags.error("E_DERIVED_NAME", stack.locs.at("metadata.name"), "metadata.name",
                    "\"" + stack.metadata.name + "\" begins the Service name \"" +
                        names.front().name + "\", which must start with a letter",
                    "start metadata.name with a letter: Service names are DNS-1035 labels");
  }
  report_long(ctx, stack, names);
}

}  // namespace stackctl::detail
