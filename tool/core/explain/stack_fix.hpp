// `explain --stack`: what a matched error means for one stack file. Pure functions of (match,
// stack as loaded for a target, version catalog).
//
// Each entry's `stackFix:` names one computation here (kStackFixes). Where the version rules of
// `stackctl check` already know the exact change (hadoop-aws vs Spark's Hadoop, the AWS SDK pin,
// Python per image, PySpark vs Spark, Scala suffixes, Java), their findings are the changes, with
// the stack key's file:line:column. Where the stack has a value that the error concerns but no
// rule can say it is wrong (memory sizes, the metastore URI, the registry), the value is quoted as
// "related" with its position. When the stack already has the right values, the verdict says the
// stack is not the cause and the note says what else to look at.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/diag.hpp"
#include "core/explain/match.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/model.hpp"

namespace stackctl::explain {

enum class Verdict {
  stack_is_cause,  // `changes` lists what to change in the stack file
  not_the_stack,   // the stack already has the right values; `note` says where to look instead
  undetermined,    // the stack has a say but cannot be judged from it alone; see `related`, `note`
};

const char* to_string(Verdict v);  // "stack-is-cause", "not-the-stack", "undetermined"

struct StackItem {
  std::string code;  // the `check` rule that found it (SC009), or "" for a value quoted as related
  std::string path;  // the stack key, "artifacts.jars[0]"
  SourceLoc loc;     // its position in the stack file (or the target override that set it)
  std::string message;
  std::string fix;  // what to write there; "" for related values
};

struct StackAdvice {
  Verdict verdict = Verdict::undetermined;
  std::vector<StackItem> changes;
  std::vector<StackItem> related;
  std::string note;
};

// The advice for `m` on `stack`; nullopt when the entry names no stackFix.
std::optional<StackAdvice> advise(const Match& m, const model::Stack& stack,
                                  const catalog::Catalog& catalog);

// True when `name` (one of kStackFixes) has a computation here; the unit tests check all do.
bool has_stack_fix(std::string_view name);

}  // namespace stackctl::explain
