// The stack's `doctor` section: `ignore: [{code, object}]`, findings the team accepted. Read from
// the target-merged document, so a target's `overrides.doctor` applies (model::DoctorSettings).
#include <algorithm>

#include "core/doctor/rules.hpp"
#include "core/stack/sections.hpp"

namespace stackctl::detail {

void read_doctor(Reader r, ReadContext& ctx, std::vector<doctor::Ignore>& out) {
  std::vector<std::string> codes;
  for (const auto& rule : doctor::rules())
    if (std::find(codes.begin(), codes.end(), rule.code) == codes.end()) codes.push_back(rule.code);
  for (const auto& [node, path] : r.seq("ignore")) {
    Reader i(node, path, ctx);
    doctor::Ignore ignore;
    ignore.code = i.string("code", Need::required).value_or("");
    if (!ignore.code.empty() && std::find(codes.begin(), codes.end(), ignore.code) == codes.end()) {
      std::string all;
      for (const auto& c : codes) all += (all.empty() ? "" : ", ") + c;
      ctx.diags.error("E_VALUE", i.loc_of("code"), i.child("code"),
                      "unknown doctor code \"" + ignore.code + "\"",
                      "one of " + all + " (docs/troubleshooting.md)");
    }
    ignore.object = i.string("object").value_or("");
    if (!ignore.object.empty() && ignore.object.find(' ') == std::string::npos)
      ctx.diags.error("E_VALUE", i.loc_of("object"), i.child("object"),
                      "object \"" + ignore.object + "\" names no kind",
                      "write it as doctor prints it: \"Kind namespace/name\", e.g. "
                      "\"Service demo/legacy\" (omit `object` to accept the code everywhere)");
    i.finish();
    out.push_back(std::move(ignore));
  }
  r.finish();
}

}  // namespace stackctl::detail
