// The rules of `stackctl check` that judge Spark settings (SC022, SC023) and the
// Iceberg catalog rule (SC024), kept beside the version
// rules of check.cpp, which lists them in kRules. A Spark setting of the spark.env table
// (core/stack/env_settings.hpp: executor instances, memory, cores, request cores, dynamic
// allocation, shuffle partitions) can come from four places:
//   - a structured `spark:` field: the loader judges it (`validate`), so check needs nothing more;
//   - a literal `spark.conf` value in the stack (spark.sql.shuffle.partitions: "200"): SC022
//     judges it with the same rules render applies to spark.env values;
//   - a spark.env key whose source is Vault, a values file or a Kubernetes Secret: the value is
//     not in the stack and check does no I/O (no Vault read, no file, no cluster), so SC023 says,
//     as an info finding at the key, that this setting was not judged and who judges it (render and
//     deploy, before anything is written or applied).
// Pure, no I/O; never a value of a spark.env key in a message.
#pragma once

#include "core/knowledge/check.hpp"

namespace stackctl::check::detail {

void sc022(const Facts& f, rules::Report<Finding>& r);
void sc023(const Facts& f, rules::Report<Finding>& r);
// SC024: spark.sql.extensions names Iceberg's extension, but no spark.sql.catalog.<name> is an
// Iceberg catalog class (org.apache.iceberg.*): the extension without a catalog loads no table.
void sc024(const Facts& f, rules::Report<Finding>& r);

}  // namespace stackctl::check::detail
