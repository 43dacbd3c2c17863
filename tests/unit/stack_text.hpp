// A small valid stack for tests, and helpers to find diagnostics in a result.
#pragma once

#include <string>

#include "core/diag.hpp"

namespace stackctl::test {

// Line numbers matter: tests assert positions in this text. Keep it stable; add below the end.
inline const std::string kMinimalStack = R"(apiVersion: stackctl.dev/v1
kind: Stack
metadata:
  name: demo
  revision: r1
versions:
  spark: "3.5.7"
  java: "17"
  python: "3.11"
  pyspark: "3.5.7"
artifacts:
  spark:
    url: https://example.org/spark-3.5.7-bin-hadoop3.tgz
  jars:
    - maven: org.apache.hadoop:hadoop-aws:3.3.4
    - maven: com.amazonaws:aws-java-sdk-bundle:1.12.262
images:
  - name: base
    from: {external: "debian:bookworm-slim"}
    tag: "spark-{spark}-{revision}"
    python: true
  - name: connect
    from: {image: base}
    tag: "connect-{spark}-{revision}"
services:
  connect:
    image: connect
targets:
  - name: minikube
    kind: minikube
    namespace: spark
)";

// kMinimalStack with the first occurrence of `from` replaced by `to`.
inline std::string with(const std::string& from, const std::string& to,
                        std::string text = kMinimalStack) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test text lacks: " + from);
  text.replace(pos, from.size(), to);
  return text;
}

// The first diagnostic with `code`, or nullptr.
inline const Diagnostic* find_code(const Diagnostics& d, const std::string& code) {
  for (const auto& item : d.items())
    if (item.code == code) return &item;
  return nullptr;
}

inline std::string dump(const Diagnostics& d) {
  std::string s;
  for (const auto& item : d.items()) s += format_diagnostic(item) + "\n";
  return s;
}

}  // namespace stackctl::test
