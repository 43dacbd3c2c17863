// stackctl explain TEXT... | -: known error text -> cause, fix, and (with --stack) the change to
// make in that stack file. The catalogue is stacks/errors.yaml (docs/explain.md).
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/explain/error_catalog.hpp"
#include "core/explain/match.hpp"
#include "core/explain/stack_fix.hpp"

namespace stackctl::cli {

namespace {

struct ExplainOptions {
  std::vector<std::string> text;
  StackInput stack;
  bool list = false;
};

nlohmann::json item_json(const explain::StackItem& i) {
  nlohmann::json j = {{"path", i.path}, {"location", location_json(i.loc)}, {"message", i.message}};
  if (!i.code.empty()) j["code"] = i.code;
  if (!i.fix.empty()) j["fix"] = i.fix;
  return j;
}

nlohmann::json advice_json(const explain::StackAdvice& a) {
  nlohmann::json changes = nlohmann::json::array(), related = nlohmann::json::array();
  for (const auto& c : a.changes) changes.push_back(item_json(c));
  for (const auto& r : a.related) related.push_back(item_json(r));
  return {{"verdict", explain::to_string(a.verdict)},
          {"changes", changes},
          {"related", related},
          {"note", a.note}};
}

struct Explained {
  explain::Match match;
  std::optional<explain::StackAdvice> advice;
};

nlohmann::json match_json(const Explained& x) {
  const explain::Entry& e = *x.match.entry;
  nlohmann::json captures = nlohmann::json::object();
  for (const auto& [k, v] : x.match.captures) captures[k] = v;
  nlohmann::json j = {{"title", e.title},
                      {"evidence", {{"line", x.match.line}, {"text", x.match.evidence}}},
                      {"captures", captures},
                      {"cause", e.cause},
                      {"stack_keys", e.stack_keys},
                      {"source", e.sources}};
  // The location is the first change to make in the stack, when --stack found one.
  set_item_fields(j, e.code, to_string(e.severity), x.match.message,
                  x.advice && !x.advice->changes.empty() ? x.advice->changes[0].loc : SourceLoc{},
                  e.fix);
  j["stack"] = x.advice ? advice_json(*x.advice) : nlohmann::json(nullptr);
  return j;
}

void print_item(Context& ctx, const explain::StackItem& i, bool change) {
  ctx.out << "  " << (change ? "change: " : "stack:  ") << location_text(i.loc) << ": " << i.path
          << ": " << i.message << (i.code.empty() ? "" : " [" + i.code + "]") << '\n';
  if (!i.fix.empty()) ctx.out << "          " << i.fix << '\n';
}

void print_match(Context& ctx, const Explained& x) {
  const explain::Entry& e = *x.match.entry;
  std::string sev = to_string(e.severity);
  if (ctx.options.color)
    sev = (e.severity == Severity::error ? "\033[1;31m" : "\033[1;35m") + sev + "\033[0m";
  ctx.out << e.code << " (" << sev << "): " << x.match.message << '\n'
          << "  evidence: line " << x.match.line << ": " << x.match.evidence << '\n'
          << "  cause: " << e.cause << '\n'
          << "  fix: " << e.fix << '\n';
  if (x.advice) {
    for (const auto& c : x.advice->changes) print_item(ctx, c, true);
    if (x.advice->changes.empty()) {
      for (const auto& r : x.advice->related) print_item(ctx, r, false);
      ctx.out << "  "
              << (x.advice->verdict == explain::Verdict::not_the_stack ? "not the stack: "
                                                                       : "look at: ")
              << x.advice->note << '\n';
    }
  }
  ctx.out << "  source:";
  for (const auto& s : e.sources) ctx.out << ' ' << s << (&s == &e.sources.back() ? "" : ",");
  ctx.out << '\n';
}

int list_catalogue(Context& ctx, const explain::ErrorCatalog& cat) {
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& e : cat.entries) {
      nlohmann::json patterns = nlohmann::json::array();
      for (const auto& p : e.patterns) {
        nlohmann::json pj = {{"contains", p.contains}};
        if (!p.regex_text.empty()) pj["regex"] = p.regex_text;
        if (!p.near.empty()) pj["near"] = p.near;
        patterns.push_back(pj);
      }
      arr.push_back({{"code", e.code},
                     {"title", e.title},
                     {"severity", to_string(e.severity)},
                     {"patterns", patterns},
                     {"cause", e.cause},
                     {"fix", e.fix},
                     {"stack_keys", e.stack_keys},
                     {"stack_fix", e.stack_fix},
                     {"source", e.sources}});
    }
    ctx.out << arr.dump(2) << '\n';
    return kOk;
  }
  for (const auto& e : cat.entries) {
    std::string code = e.code;
    code.resize(std::max<std::size_t>(code.size() + 2, 32), ' ');
    std::string sev = to_string(e.severity);
    sev.resize(9, ' ');
    ctx.out << code << sev << e.title << '\n';
  }
  ctx.out << cat.entries.size() << " known errors (docs/explain.md)\n";
  return kOk;
}

// The text to explain: the arguments joined by spaces, or all of stdin for "-".
std::string input_text(const ExplainOptions& o, std::istream& in) {
  if (o.text.size() == 1 && o.text[0] == "-")
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::string text;
  for (const auto& t : o.text) text += (text.empty() ? "" : " ") + t;
  return text;
}

int run_explain(Context& ctx, const ExplainOptions& o, std::istream& in) {
  const explain::ErrorCatalog& cat = explain::builtin_error_catalog();
  if (o.list) return list_catalogue(ctx, cat);
  if (o.text.empty()) {
    ctx.err << "stackctl explain: give the error text, or - to read it from stdin\n"
               "Run `stackctl explain --help` for examples.\n";
    return kUsage;
  }
  if (!o.stack.target.empty() && o.stack.path.empty()) {
    ctx.err << "stackctl explain: --target needs --stack FILE\n";
    return kUsage;
  }
  std::optional<model::Stack> stack;
  const catalog::Catalog* catalog = nullptr;
  if (!o.stack.path.empty()) {
    catalog = active_catalog(ctx);
    if (catalog == nullptr) return kInputError;
    LoadedStack loaded = load_stack_file(ctx, o.stack, *catalog);
    if (loaded.exit_code != 0) return loaded.exit_code;
    if (!loaded.stack || loaded.diags.has_errors()) {
      for (const auto& d : loaded.diags.items()) print_diagnostic(ctx, ctx.err, d);
      ctx.err << o.stack.path << ": invalid stack; run `stackctl validate " << o.stack.path
              << "`\n";
      return kInputError;
    }
    stack = std::move(loaded.stack);
  }
  const std::string text = input_text(o, in);
  explain::MatchResult result = explain::match_text(text, cat);
  std::vector<Explained> out;
  for (auto& m : result.matches) {
    Explained x{std::move(m), std::nullopt};
    if (stack) x.advice = explain::advise(x.match, *stack, *catalog);
    out.push_back(std::move(x));
  }
  const int rc = out.empty() ? kNoMatch : kOk;
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json matches = nlohmann::json::array();
    for (const auto& x : out) matches.push_back(match_json(x));
    print_json(
        ctx,
        {{"matched", out.size()},
         {"lines_scanned", result.lines_scanned},
         {"truncated", result.truncated},
         {"stack", o.stack.path.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.stack.path)},
         {"target", o.stack.target},
         {"matches", matches}},
        rc);
  } else {
    for (const auto& x : out) {
      print_match(ctx, x);
      ctx.out << '\n';
    }
    if (out.empty())
      ctx.out << "no known error matched (" << result.lines_scanned
              << (result.lines_scanned == 1 ? " line" : " lines")
              << " scanned); `stackctl explain --list` shows what is known\n";
    else
      ctx.out << out.size() << (out.size() == 1 ? " known error" : " known errors") << " matched ("
              << result.lines_scanned << (result.lines_scanned == 1 ? " line" : " lines")
              << " scanned)\n";
  }
  if (result.truncated)
    ctx.err << "stackctl explain: only the first " << explain::kMaxLines << " lines and "
            << explain::kMaxLineBytes << " bytes of each line were read\n";
  return rc;
}

}  // namespace

Command explain_command(std::istream& in) {
  return {"explain",
          "Explain a known error text: its cause, the fix, and the change to a stack file",
          "  stackctl explain 'Class org.apache.hadoop.fs.s3a.S3AFileSystem not found'\n"
          "  kubectl logs spark-connect-0 | stackctl explain -\n"
          "  stackctl explain - --stack stacks/spark-connect.stack.yaml --target minikube "
          "< driver.log\n"
          "  stackctl explain --output json 'StatusCode.UNAVAILABLE' | jq '.matches[].fix'\n"
          "  stackctl explain --list\n"
          "Text that starts with '-' goes after --: stackctl explain -- '-Xmx: ...'.\n"
          "Exit codes: 0 matched, 6 nothing matched, 2 usage, 3 stack unreadable or invalid.\n",
          [&in](CLI::App& sub) -> Runner {
            auto o = std::make_shared<ExplainOptions>();
            sub.add_option("TEXT", o->text,
                           "The error text (several words are joined by spaces), or - to read "
                           "a log or stack trace from stdin");
            sub.add_option("--stack", o->stack.path,
                           "Also compute the change to this stack file (file:line:column)");
            add_target_option(sub, o->stack);
            sub.add_flag("--list", o->list, "List the error catalogue");
            return [o, &in](Context& ctx) { return run_explain(ctx, *o, in); };
          }};
}

}  // namespace stackctl::cli
