// The rules of `stackctl check` that judge Spark settings (SC022, SC023, SC028) and the
// Iceberg catalog rule (SC024), kept beside the version rules of check.cpp, which lists them in
// kRules. A Spark setting of the spark.env table
// (core/stack/env_settings.hpp: executor instances, memory, cores, request cores, dynamic
// allocation, shuffle partitions) can come from four places:
//   - a structured `spark:` field: the loader judges it (`validate`), so check needs nothing more;
//   - a literal `spark.conf` value in the stack (spark.sql.shuffle.partitions: "200"): SC022
//     judges it with the same rules render applies to spark.env values;
//   - a spark.env key whose source is Vault or a values file: the value is not in the stack. With
//     `check --values FILE` or `check --vault` the CLI reads the values first (the same code as
//     render's) and hands them over in Facts::env_values; SC028 judges each one as the setting it
//     carries (env_settings::invalid_values, the same judgement as render's E_ENV_SETTING), naming
//     the Vault path and field or the values file's line. A key whose value was not read gets
//     SC023's info finding: this setting was not judged, and how to have it judged;
//   - a Kubernetes Secret: no command reads it (the pods do when they start): SC023 always.
// Pure, no I/O; never a value of a spark.env key in a message.
#pragma once

#include "core/knowledge/check.hpp"

namespace stackctl::check::detail {

void sc022(const Facts& f, rules::Report<Finding>& r);
void sc023(const Facts& f, rules::Report<Finding>& r);
// SC024: spark.sql.extensions names Iceberg's extension, but no spark.sql.catalog.<name> is an
// Iceberg catalog class (org.apache.iceberg.*): the extension without a catalog loads no table.
void sc024(const Facts& f, rules::Report<Finding>& r);
// SC028: a spark.env value read by --values or --vault that is not valid for its Spark setting.
void sc028(const Facts& f, rules::Report<Finding>& r);

}  // namespace stackctl::check::detail
