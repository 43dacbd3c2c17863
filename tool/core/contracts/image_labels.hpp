// The image-label contract between `stackctl build` (which writes these labels on every image,
// check_image::expected_labels) and `stackctl check --image` (which compares them with the stack).
//
//   io.stackctl.stack                 metadata.name of the stack the image was built from
//   io.stackctl.image                 the image's name in that stack ("spark-base")
//   io.stackctl.versions.spark        versions.spark
//   io.stackctl.versions.scala        versions.scala
//   io.stackctl.versions.java         the image's Java (images[i].javaVersion, else versions.java)
//   io.stackctl.versions.python       the image's Python (images[i].pythonVersion, else
//                                     versions.python)
//   io.stackctl.versions.hadoop       versions.hadoop
//   io.stackctl.versions.aws-sdk      versions.awsSdk
//   io.stackctl.versions.pyspark      versions.pyspark
//   org.opencontainers.image.version  the image's expanded tag ("spark-4.0.1-uc-0.3.1-fix-v4")
//
#pragma once

#include <array>
#include <string_view>

namespace stackctl::image_labels {

inline constexpr std::string_view kLabelStack = "io.stackctl.stack";
inline constexpr std::string_view kLabelImage = "io.stackctl.image";
inline constexpr std::string_view kLabelOciVersion = "org.opencontainers.image.version";
inline constexpr std::string_view kLabelPrefix = "io.stackctl.";

struct VersionLabel {
  std::string_view label;      // "io.stackctl.versions.spark"
  std::string_view stack_key;  // "versions.spark"
  std::string_view name;       // "spark": the key used in Finding::versions
};

inline constexpr std::array<VersionLabel, 7> kVersionLabels{{
    {"io.stackctl.versions.spark", "versions.spark", "spark"},
    {"io.stackctl.versions.scala", "versions.scala", "scala"},
    {"io.stackctl.versions.java", "versions.java", "java"},
    {"io.stackctl.versions.python", "versions.python", "python"},
    {"io.stackctl.versions.hadoop", "versions.hadoop", "hadoop"},
    {"io.stackctl.versions.aws-sdk", "versions.awsSdk", "awsSdk"},
    {"io.stackctl.versions.pyspark", "versions.pyspark", "pyspark"},
}};

}  // namespace stackctl::image_labels
