// Label-by-label comparison of a built image with the stack; see check_image.hpp for the codes.
#include "core/knowledge/check_image.hpp"

#include <algorithm>
#include <optional>

#include "core/knowledge/version.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::check_image {

namespace {

using Labels = std::map<std::string, std::string>;

std::string q(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

const std::string* label(const Labels& labels, std::string_view key) {
  const auto it = labels.find(std::string(key));
  return it == labels.end() ? nullptr : &it->second;
}

bool has_stackctl_labels(const Labels& labels) {
  for (const auto& [key, value] : labels)
    if (key.starts_with(kLabelPrefix)) return true;
  return false;
}

// Equal, or the label is a longer dotted version that starts with the stack's ("3.11.9" ~ "3.11").
bool same_version(const std::string& in_image, const std::string& in_stack) {
  if (in_image == in_stack) return true;
  const auto img = Version::parse(in_image);
  const auto stk = Version::parse(in_stack);
  return img && stk && img->suffix().empty() && stk->suffix().empty() &&
         img->size() > stk->size() && img->starts_with(*stk);
}

// The stack's tag for an image; {inputs} (a content digest the stack alone cannot know) is left
// as kAnyInputs, which tag_matches() accepts as any 12 hex digits.
constexpr std::string_view kAnyInputs = "IIIIIIIIIIII";

std::string image_tag(const model::Stack& stack, const model::Image& image) {
  Diagnostics ignored;
  return expand_tag(stack, image, {}, {}, ignored, kAnyInputs);
}

bool tag_matches(const std::string& expected, const std::string& got) {
  const auto at = expected.find(kAnyInputs);
  if (at == std::string::npos) return expected == got;
  if (got.size() != expected.size() || got.compare(0, at, expected, 0, at) != 0) return false;
  const auto rest = at + kAnyInputs.size();
  if (got.compare(rest, std::string::npos, expected, rest, std::string::npos) != 0) return false;
  return std::all_of(got.begin() + static_cast<std::ptrdiff_t>(at),
                     got.begin() + static_cast<std::ptrdiff_t>(rest),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Which stack image the subject is: its io.stackctl.image label, else its repository's name.
struct Identity {
  const model::Image* image = nullptr;
  std::size_t index = 0;
};

Identity identify(const model::Stack& stack, const Subject& subject) {
  const std::string* named = label(subject.labels, kLabelImage);
  const std::string& want = named != nullptr ? *named : subject.short_name;
  for (std::size_t i = 0; i < stack.images.size(); ++i)
    if (stack.images[i].name == want) return {&stack.images[i], i};
  return {};
}

struct Expected {
  std::string path;   // stack-file key to change
  std::string value;  // what the stack says
};

Expected expected_for(const model::Stack& stack, const Identity& id, const VersionLabel& vl) {
  const auto& v = stack.versions;
  const std::string img = "images[" + std::to_string(id.index) + "].";
  if (vl.name == "java" && id.image != nullptr && !id.image->java_version.empty())
    return {img + "javaVersion", id.image->java_version};
  if (vl.name == "python" && id.image != nullptr && !id.image->python_version.empty())
    return {img + "pythonVersion", id.image->python_version};
  const std::string key(vl.stack_key);
  if (vl.name == "spark") return {key, v.spark};
  if (vl.name == "scala") return {key, v.scala};
  if (vl.name == "java") return {key, v.java};
  if (vl.name == "python") return {key, v.python};
  if (vl.name == "hadoop") return {key, v.hadoop};
  if (vl.name == "awsSdk") return {key, v.aws_sdk};
  return {key, v.pyspark};
}

class Judge {
 public:
  Judge(const model::Stack& stack, const Subject& subject)
      : stack_(stack), subject_(subject), id_(identify(stack, subject)) {}

  std::vector<check::Finding> run() {
    if (!has_stackctl_labels(subject_.labels)) {
      add(rules::declared(kRules, "SI001"), "",
          "image " + subject_.ref +
              " has no io.stackctl.* labels: it was not built by stackctl, or was built before "
              "stackctl labelled its images; its versions cannot be compared with the stack",
          "build it from this stack (`stackctl build " + stack_.file +
              " --push`) and check the "
              "pushed tag",
          {});
      return std::move(out_);
    }
    stack_name();
    identity();
    for (const auto& vl : kVersionLabels) version(vl);
    oci_version();
    return std::move(out_);
  }

 private:
  // `rule` is a row of kRules, named through rules::declared (checked at compile time).
  void add(const rules::Spec& rule, const std::string& path, std::string message, std::string hint,
           std::vector<std::pair<std::string, std::string>> versions) {
    Diagnostic d{rule.severity, std::string(rule.code), stack_.locs.at(path),
                 path,          std::move(message),     std::move(hint)};
    out_.push_back({std::move(d), std::move(versions)});
  }

  void stack_name() {
    const std::string* name = label(subject_.labels, kLabelStack);
    if (name == nullptr || *name == stack_.metadata.name) return;
    add(rules::declared(kRules, "SI005"), "metadata.name",
        "image " + subject_.ref + " was built from stack " + q(*name) + ", not " +
            q(stack_.metadata.name) + " (label " + std::string(kLabelStack) + ")",
        "check the image built from this stack, or this image against stack " + q(*name),
        {{"image.stack", *name}, {"stack", stack_.metadata.name}});
  }

  void identity() {
    if (id_.image != nullptr) return;
    const std::string* named = label(subject_.labels, kLabelImage);
    std::string names;
    for (const auto& i : stack_.images) names += (names.empty() ? "" : ", ") + i.name;
    add(rules::declared(kRules, "SI006"), "images",
        "image " + subject_.ref + " is none of the stack's images (" +
            (named != nullptr ? "label " + std::string(kLabelImage) + " is " + q(*named)
                              : "no " + std::string(kLabelImage) + " label, and repository name " +
                                    q(subject_.short_name) + " is no image name") +
            "); image-specific versions and the tag are compared with the stack-wide ones",
        "check one of: " + names, {});
  }

  void version(const VersionLabel& vl) {
    const Expected want = expected_for(stack_, id_, vl);
    const std::string* got = label(subject_.labels, vl.label);
    const std::string key(vl.name);
    if (got == nullptr) {
      if (want.value.empty() || !expects_label(vl)) return;
      add(rules::declared(kRules, "SI004"), want.path,
          "image " + subject_.ref + " has no label " + std::string(vl.label) + "; the stack has " +
              want.path + " " + q(want.value),
          "rebuild the image with `stackctl build " + stack_.file +
              "`, which writes every "
              "io.stackctl.versions.* label",
          {{"stack." + key, want.value}});
      return;
    }
    if (want.value.empty() || same_version(*got, want.value)) return;  // nothing to compare
    add(rules::declared(kRules, "SI002"), want.path,
        "image " + subject_.ref + " has label " + std::string(vl.label) + " " + q(*got) +
            " but the stack has " + want.path + " " + q(want.value),
        "rebuild and push the image from this stack (`stackctl build " + stack_.file +
            " --push`) and deploy that tag; if the image is right, set " + want.path + ": " +
            q(*got) + " in the stack",
        {{"image." + key, *got}, {"stack." + key, want.value}});
  }

  // Python-only labels are optional on an image the stack says runs no Python (or on an image
  // the stack does not know, which may be such an image).
  bool expects_label(const VersionLabel& vl) const {
    if (vl.name != "python" && vl.name != "pyspark") return true;
    return id_.image != nullptr && id_.image->python;
  }

  void oci_version() {
    const std::string* got = label(subject_.labels, kLabelOciVersion);
    if (got == nullptr) return;
    std::vector<std::string> tags;
    if (id_.image != nullptr) {
      tags.push_back(image_tag(stack_, *id_.image));
    } else {
      for (const auto& i : stack_.images) tags.push_back(image_tag(stack_, i));
    }
    for (const auto& t : tags)
      if (tag_matches(t, *got)) return;
    const std::string path = id_.image != nullptr ? "images[" + std::to_string(id_.index) + "].tag"
                                                  : std::string("images");
    std::string expected;
    for (const auto& t : tags) expected += (expected.empty() ? "" : " or ") + q(t);
    add(rules::declared(kRules, "SI003"), path,
        "image " + subject_.ref + " has label " + std::string(kLabelOciVersion) + " " + q(*got) +
            " but the stack tags it " + (expected.empty() ? "(no tag)" : expected),
        "the image was built from another revision or versions of the stack: rebuild and push it "
        "(`stackctl build " +
            stack_.file +
            " --push`), or bump metadata.revision if the stack "
            "changed on purpose",
        {{"image.version", *got}, {"stack.tag", tags.size() == 1 ? tags.front() : expected}});
  }

  const model::Stack& stack_;
  const Subject& subject_;
  Identity id_;
  std::vector<check::Finding> out_;
};

}  // namespace

std::vector<check::Finding> check_image(const model::Stack& stack, const Subject& subject) {
  return Judge(stack, subject).run();
}

std::map<std::string, std::string> expected_labels(const model::Stack& stack,
                                                   const model::Image& image) {
  Labels out;
  out[std::string(kLabelStack)] = stack.metadata.name;
  out[std::string(kLabelImage)] = image.name;
  std::size_t index = 0;
  for (std::size_t i = 0; i < stack.images.size(); ++i)
    if (&stack.images[i] == &image) index = i;
  const Identity id{&image, index};
  for (const auto& vl : kVersionLabels) {
    if (!image.python && (vl.name == "python" || vl.name == "pyspark")) continue;
    const Expected want = expected_for(stack, id, vl);
    if (!want.value.empty()) out[std::string(vl.label)] = want.value;
  }
  const std::string tag = image_tag(stack, image);
  if (!tag.empty()) out[std::string(kLabelOciVersion)] = tag;
  return out;
}

}  // namespace stackctl::check_image
