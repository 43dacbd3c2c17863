// Tag templates: see tag.hpp.
#include "core/contracts/tag.hpp"

#include <optional>
#include <regex>
#include <vector>

namespace stackctl {

bool tag_has_inputs(const model::Image& image) {
  return image.tag_template.find("{inputs}") != std::string::npos;
}

std::string expand_tag(const model::Stack& stack, const model::Image& image, SourceLoc loc,
                       const std::string& path, Diagnostics& diags, std::string_view inputs,
                       bool report_empty) {
  const auto& v = stack.versions;
  auto lookup = [&](const std::string& var) -> std::optional<std::string> {
    if (var == "spark") return v.spark;
    if (var == "scala") return v.scala;
    if (var == "java") return image.java_version.empty() ? v.java : image.java_version;
    if (var == "python") return image.python_version.empty() ? v.python : image.python_version;
    if (var == "hadoop") return v.hadoop;
    if (var == "awsSdk") return v.aws_sdk;
    if (var == "pyspark") return v.pyspark;
    if (var == "revision") return stack.metadata.revision;
    if (var == "stack") return stack.metadata.name;
    if (var == "image") return image.name;
    if (var == "inputs") return inputs.empty() ? std::string(12, '0') : std::string(inputs);
    if (var.starts_with("jar.")) {
      for (const auto& j : stack.artifacts.jars)
        if (j.id == var.substr(4)) return j.coordinate.version;
    }
    return std::nullopt;
  };
  static const std::vector<std::string> names = {"spark",  "scala",  "java",    "python",
                                                 "hadoop", "awsSdk", "pyspark", "revision",
                                                 "stack",  "image",  "inputs"};
  const std::string& tmpl = image.tag_template;
  std::string out;
  bool ok = true;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const auto close = tmpl.find('}', i);
    SourceLoc at = loc;
    if (at.known()) at.column += static_cast<int>(i);
    if (close == std::string::npos) {
      diags.error("E_TAG", at, path, "unclosed \"{\" in tag template", "close it with \"}\"");
      return {};
    }
    const std::string var = tmpl.substr(i + 1, close - i - 1);
    const auto value = lookup(var);
    if (!value && var.starts_with("jar.")) {
      std::vector<std::string> ids;
      std::string list;
      for (const auto& j : stack.artifacts.jars) {
        ids.push_back(j.id);
        list += (list.empty() ? "{jar." : ", {jar.") + j.id + "}";
      }
      const std::string guess = did_you_mean(var.substr(4), ids);
      diags.error("E_TAG", at, path, "no jar with id \"" + var.substr(4) + "\" for {" + var + "}",
                  !guess.empty() ? "did you mean {jar." + guess + "}?"
                  : list.empty() ? "the stack has no jars; give one an `id:`"
                                 : "jar ids in this stack: " + list);
      ok = false;
    } else if (!value) {
      const std::string guess = did_you_mean(var, names);
      diags.error("E_TAG", at, path, "unknown variable {" + var + "} in tag template",
                  guess.empty() ? "use one of {spark} {scala} {java} {python} {hadoop} {awsSdk} "
                                  "{pyspark} {revision} {stack} {image} {inputs} {jar.ID}"
                                : "did you mean {" + guess + "}?");
      ok = false;
    } else if (value->empty()) {
      if (report_empty) {
        const std::string key = var == "revision" ? "metadata.revision"
                                : var == "stack"  ? "metadata.name"
                                                  : "versions." + var;
        diags.error("E_TAG", at, path, "tag template uses {" + var + "}, which has no value here",
                    "set " + key + " in the stack");
      }
      ok = false;
    } else {
      out += *value;
    }
    i = close;
  }
  // The OCI distribution spec's tag grammar.
  static const std::regex tag_re("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  if (ok && !tmpl.empty() && !std::regex_match(out, tag_re)) {
    diags.error("E_TAG", loc, path, "tag \"" + out + "\" is not a valid image tag",
                "tags are 1-128 of [A-Za-z0-9_.-] and may not start with '.' or '-'");
    ok = false;
  }
  return ok ? out : std::string{};
}

}  // namespace stackctl
