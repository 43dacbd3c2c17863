// Diffs of secret files (render::File::secret: spark.env and the spark.env Secret manifest) that
// show which keys changed and never a value, as `deploy --diff` shows a Secret.
#pragma once

#include <string>

namespace stackctl::drift {

struct MaskedDiff {
  std::string diff;  // a unified diff of the masked texts ("" when they mask alike)
  int line = 0;      // the committed file's first changed line; 0 when not known
};

// Every value replaced before the diff: in a Kubernetes Secret (`kind: Secret`, as YAML), each
// key of `data` and `stringData` as deploy::mask_secret_data masks it ("***" when the same on
// both sides, "*** (before)" / "*** (after)" when it changed), the objects then shown as
// deploy::diff_yaml shows them (keys sorted, so `line` is 0); in any other file (spark.env's
// KEY=VALUE lines) line by line, `KEY=***` when the key has the same value on both sides, else
// `KEY=*** (before)` / `KEY=*** (after)`; a line that is neither blank, a comment nor KEY=VALUE
// is shown as `***`. A Secret that is not valid YAML on either side gives an empty diff: the
// caller says only that the file differs.
MaskedDiff masked_diff(const std::string& path, const std::string& committed,
                       const std::string& rendered);

}  // namespace stackctl::drift
