// Values that several rendered outputs must agree on, computed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/codec/codec.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/model.hpp"

namespace stackctl::render {

// "registry.example.com/data-platform/spark-base" (no registry: just the image name).
std::string image_repository(const model::Stack& stack, const model::Image& image);
// The expanded tag template ("spark-4.0.1-uc-0.3.1-fix-v4"); "" if it does not expand.
std::string image_tag(const model::Stack& stack, const model::Image& image);
// repository:tag
std::string image_ref(const model::Stack& stack, const model::Image& image);

// The imagePullPolicy of a container running `ref` on a target whose images arrive by
// `delivery` (docs/kubernetes.md, "Images"): a digest is IfNotPresent (the content cannot
// change, so a node's copy is the image); an image minikube-load put on the node is Never (it is
// in no registry the node could pull from); a tag pushed to a registry is Always (the node asks
// the registry what the tag is now, and reuses the layers it has); with `none` Kubernetes' own
// default for a tag other than `latest`, IfNotPresent.
std::string image_pull_policy(model::ImageDelivery delivery, const std::string& ref);

// spark-defaults for a (target-merged) stack, in a fixed order: structured settings first
// (executor, driver, dynamic allocation, Kubernetes, S3A, metastore), then `spark.conf` in source
// order. Used by spark-defaults.conf and by the ConfigMap that carries it.
std::vector<std::pair<std::string, std::string>> spark_defaults(const model::Stack& stack);

// Java .properties escaping of a key or value (backslash, '=', ':', '#', '!', leading spaces,
// control characters, non-ASCII as \uXXXX).
std::string escape_property_key(const std::string& key);
std::string escape_property_value(const std::string& value);
// The whole spark-defaults.conf text (a header comment, then "key value" lines).
std::string format_spark_defaults(const std::vector<std::pair<std::string, std::string>>& conf);

// POSIX shell single-quoting: 'it'\''s' (safe for `set -a; . spark.env`).
std::string shell_quote(const std::string& value);

// Spark size ("2g", "512m", "1024") in MiB; nullopt when it does not parse. Plain numbers are MiB,
// as Spark reads spark.executor.memory.
std::optional<std::int64_t> spark_size_mib(const std::string& size);
// Pod memory for a JVM with `memory` heap: memory + overhead, where overhead is `overhead` when
// given, else Spark's default max(384 MiB, 10% of memory). "2432Mi".
std::string pod_memory(const std::string& memory, const std::string& overhead);

// Lower-case hex SHA-256 of `data` (config checksums on pod templates): libcrypto's, see
// core/codec/codec.hpp.
using codec::sha256_hex;

}  // namespace stackctl::render
