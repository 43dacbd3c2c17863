#include "cli/help_meta.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace stackctl::cli::help_meta {

namespace {

// What an argument's value is, for completion.
enum class ValueKind { none, choices, target, file };

// Options whose value is a path. A name, not a type: CLI11 types every string "TEXT".
bool names_a_path(const std::string& long_name) {
  static const std::set<std::string> paths = {"cache-dir",
                                              "catalog",
                                              "from",
                                              "kubeconfig",
                                              "lock",
                                              "out",
                                              "registry-ca-file",
                                              "save",
                                              "stack",
                                              "storage-root",
                                              "storage-runroot",
                                              "templates",
                                              "terraform-outputs",
                                              "values",
                                              "work-dir"};
  return paths.contains(long_name) || long_name.ends_with("-file") || long_name.ends_with("-dir");
}

struct Arg {
  std::vector<std::string> names;  // "--target", "-t"; empty for a positional
  std::string positional;          // "STACK"
  std::string description;
  bool takes_value = false;
  ValueKind kind = ValueKind::none;
  std::vector<std::string> choices;
  std::string type_name;  // "TEXT", for the man page
};

std::vector<Arg> args_of(const CLI::App& app) {
  std::vector<Arg> out;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    Arg a;
    a.description = opt->get_description();
    a.type_name = opt->get_type_name();
    if (opt->get_positional() && opt->get_lnames().empty() && opt->get_snames().empty()) {
      a.positional = opt->get_name(true);
      a.takes_value = true;
      a.choices = option_choices(*opt);
      a.kind = !a.choices.empty()                                  ? ValueKind::choices
               : a.positional == "STACK" || a.positional == "FILE" ? ValueKind::file
                                                                   : ValueKind::none;
    } else {
      for (const auto& s : opt->get_snames()) a.names.push_back("-" + s);
      for (const auto& l : opt->get_lnames()) a.names.push_back("--" + l);
      // A flag (--vault, --dry-run) keeps CLI11's type size of 1 but expects no value: the next
      // word is not its value (bash and fish completed nothing after `check --vault `).
      a.takes_value = opt->get_items_expected_max() > 0;
      if (a.takes_value) {
        a.choices = option_choices(*opt);
        const std::string lname = opt->get_lnames().empty() ? "" : opt->get_lnames().front();
        a.kind = !a.choices.empty()    ? ValueKind::choices
                 : lname == "target"   ? ValueKind::target
                 : names_a_path(lname) ? ValueKind::file
                                       : ValueKind::none;
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
}

std::string join(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

// Single-quoted for sh: ' becomes '\''.
std::string sh_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

std::string strip_prefix(std::string s, std::string_view prefix) {
  return s.starts_with(prefix) ? s.substr(prefix.size()) : s;
}

// --- bash ---------------------------------------------------------------------------------------

// Emits `case` arms that set the variables the completion function reads for one command.
void bash_command_arm(std::ostringstream& o, const std::string& name, const std::vector<Arg>& args,
                      const std::vector<std::string>& positional_choices = {}) {
  std::vector<std::string> flags, valued, files, words = positional_choices;
  std::vector<std::pair<std::string, std::vector<std::string>>> choices;
  std::vector<std::string> targets;
  bool positional_file = false;
  for (const auto& a : args) {
    if (!a.positional.empty()) {
      positional_file = positional_file || a.kind == ValueKind::file;
      words.insert(words.end(), a.choices.begin(), a.choices.end());
      continue;
    }
    for (const auto& n : a.names) {
      flags.push_back(n);
      if (!a.takes_value) continue;
      valued.push_back(n);
      if (a.kind == ValueKind::file) files.push_back(n);
      if (a.kind == ValueKind::target) targets.push_back(n);
      if (a.kind == ValueKind::choices) choices.emplace_back(n, a.choices);
    }
  }
  o << "    " << (name.empty() ? "''" : name) << ")\n";
  o << "      flags=" << sh_quote(join(flags)) << "\n";
  o << "      valued=" << sh_quote(" " + join(valued) + " ") << "\n";
  o << "      files=" << sh_quote(" " + join(files) + " ") << "\n";
  o << "      targets=" << sh_quote(" " + join(targets) + " ") << "\n";
  o << "      positional_file=" << (positional_file ? 1 : 0) << "\n";
  o << "      words=" << sh_quote(join(words)) << "\n";
  o << "      case \"$prev\" in\n";
  for (const auto& [flag, values] : choices)
    o << "        " << flag << ") choices=" << sh_quote(join(values)) << " ;;\n";
  o << "      esac\n";
  o << "      ;;\n";
}

std::string bash_script(const CLI::App& app) {
  std::ostringstream o;
  const auto commands = visible_commands(app);
  std::vector<std::string> names;
  for (const auto* c : commands) names.push_back(c->get_name());
  const std::vector<Arg> global = args_of(app);
  std::vector<std::string> global_valued;
  for (const auto& a : global)
    if (a.takes_value)
      for (const auto& n : a.names) global_valued.push_back(n);

  o << "# bash completion for stackctl. Generated by `stackctl completion bash`.\n"
       "# Load it in this shell:   source <(stackctl completion bash)\n"
       "# or for every shell:      stackctl completion bash > "
       "/etc/bash_completion.d/stackctl\n"
       "_stackctl() {\n"
       "  local cur prev cmd i w stack\n"
       "  COMPREPLY=()\n"
       "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
       "  prev=\"\"\n"
       "  (( COMP_CWORD > 0 )) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
       "  local global_valued="
    << sh_quote(" " + join(global_valued) + " ")
    << "\n"
       "  # The command is the first word that is neither a flag nor a global flag's value; the\n"
       "  # stack file is the first word after it ending in .yaml or .yml.\n"
       "  cmd=\"\"\n"
       "  stack=\"\"\n"
       "  for (( i = 1; i < COMP_CWORD; i++ )); do\n"
       "    w=\"${COMP_WORDS[i]}\"\n"
       "    if [[ -z \"$cmd\" ]]; then\n"
       "      if [[ \"$global_valued\" == *\" $w \"* ]]; then (( i++ )); continue; fi\n"
       "      [[ \"$w\" == -* ]] && continue\n"
       "      cmd=\"$w\"\n"
       "    elif [[ -z \"$stack\" && ( \"$w\" == *.yaml || \"$w\" == *.yml ) ]]; then\n"
       "      stack=\"$w\"\n"
       "    fi\n"
       "  done\n"
       "  if [[ -z \"$cmd\" && \"$global_valued\" != *\" $prev \"* ]]; then\n"
       "    if [[ \"$cur\" == -* ]]; then\n"
       "      local gflags="
    << sh_quote([&] {
         std::vector<std::string> f;
         for (const auto& a : global)
           for (const auto& n : a.names) f.push_back(n);
         return join(f);
       }())
    << "\n"
       "      COMPREPLY=( $(compgen -W \"$gflags\" -- \"$cur\") )\n"
       "    else\n"
       "      COMPREPLY=( $(compgen -W "
    << sh_quote(join(names))
    << " -- \"$cur\") )\n"
       "    fi\n"
       "    return 0\n"
       "  fi\n"
       "  local flags=\"\" valued=\"\" files=\"\" targets=\"\" choices=\"\" words=\"\" "
       "positional_file=0\n"
       "  case \"$cmd\" in\n";
  bash_command_arm(o, "", global);
  for (const auto* c : commands) {
    std::vector<Arg> args = args_of(*c);
    // Global flags are accepted after the command too (CLI11 fallthrough).
    args.insert(args.end(), global.begin(), global.end());
    // `help <TAB>` offers the commands.
    bash_command_arm(o, c->get_name(), args,
                     c->get_name() == "help" ? names : std::vector<std::string>{});
  }
  o << "  esac\n"
       "  if [[ -n \"$choices\" ]]; then\n"
       "    COMPREPLY=( $(compgen -W \"$choices\" -- \"$cur\") )\n"
       "  elif [[ \"$targets\" == *\" $prev \"* ]]; then\n"
       "    [[ -n \"$stack\" ]] && COMPREPLY=( $(compgen -W \"$(\"${COMP_WORDS[0]}\" "
       "__complete-targets \"$stack\" 2>/dev/null)\" -- \"$cur\") )\n"
       "  elif [[ \"$files\" == *\" $prev \"* ]]; then\n"
       "    COMPREPLY=( $(compgen -f -- \"$cur\") )\n"
       "  elif [[ \"$valued\" == *\" $prev \"* ]]; then\n"
       "    COMPREPLY=()\n"
       "  elif [[ \"$cur\" == -* ]]; then\n"
       "    COMPREPLY=( $(compgen -W \"$flags\" -- \"$cur\") )\n"
       "  elif [[ -n \"$words\" ]]; then\n"
       "    COMPREPLY=( $(compgen -W \"$words\" -- \"$cur\") )\n"
       "  elif (( positional_file )); then\n"
       "    COMPREPLY=( $(compgen -f -- \"$cur\") )\n"
       "  fi\n"
       "  return 0\n"
       "}\n"
       "complete -o filenames -o bashdefault -F _stackctl stackctl\n";
  return o.str();
}

// --- zsh: the bash function through zsh's bashcompinit ------------------------------------------

std::string zsh_script(const CLI::App& app) {
  // The bash function under its own name: zsh autoloads this file as `_stackctl` from $fpath,
  // and the bash function must not replace the file's own function while it runs.
  std::string bash = bash_script(app);
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"_stackctl() {\n", "_stackctl_bash() {\n"},
        {"-F _stackctl stackctl", "-F _stackctl_bash stackctl"}})
    if (const auto at = bash.find(from); at != std::string::npos) bash.replace(at, from.size(), to);
  return "#compdef stackctl\n"
         "# zsh completion for stackctl. Generated by `stackctl completion zsh`.\n"
         "# Install it:   stackctl completion zsh > \"${fpath[1]}/_stackctl\"\n"
         "# or load it in this shell:   source <(stackctl completion zsh)\n"
         "# It runs the bash completion through zsh's bashcompinit (zshcompsys(1)).\n"
         "(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         bash +
         "# Autoloaded from $fpath, this file is the completion function of the first Tab: the\n"
         "# `complete` above serves the next ones, this one is completed here.\n"
         "if [[ ${funcstack[1]} == _stackctl ]]; then\n"
         "  _bash_complete -o filenames -o bashdefault -F _stackctl_bash\n"
         "fi\n";
}

// --- fish ---------------------------------------------------------------------------------------

void fish_args(std::ostringstream& o, const std::string& condition, const std::vector<Arg>& args) {
  for (const auto& a : args) {
    if (!a.positional.empty()) continue;
    o << "complete -c stackctl -n " << sh_quote(condition);
    for (const auto& n : a.names)
      o << (n.starts_with("--") ? " -l " + n.substr(2) : " -s " + n.substr(1));
    if (a.takes_value) o << (a.kind == ValueKind::file ? " -r -F" : " -r -f");
    if (a.kind == ValueKind::choices) o << " -a " << sh_quote(join(a.choices));
    if (a.kind == ValueKind::target) o << " -a '(__stackctl_targets)'";
    o << " -d " << sh_quote(first_line(a.description)) << "\n";
  }
}

std::string fish_script(const CLI::App& app) {
  std::ostringstream o;
  const auto commands = visible_commands(app);
  std::vector<std::string> names;
  for (const auto* c : commands) names.push_back(c->get_name());
  o << "# fish completion for stackctl. Generated by `stackctl completion fish`.\n"
       "# Load it:  stackctl completion fish > ~/.config/fish/completions/stackctl.fish\n"
       "complete -c stackctl -f\n"
       // The stack's targets: the first word of the command line ending in .yaml or .yml. A
       // function, because fish reads `$\"` inside a double-quoted -a argument as a variable; the
       // regex is anchored, because `string match -r` prints the matched part, not the word.
       "function __stackctl_targets\n"
       "    set -l stack (commandline -opc | string match -r '^.*\\.ya?ml$')[1]\n"
       "    test -n \"$stack\"; and stackctl __complete-targets $stack 2>/dev/null\n"
       "end\n";
  for (const auto* c : commands)
    o << "complete -c stackctl -n '__fish_use_subcommand' -a " << c->get_name() << " -d "
      << sh_quote(first_line(c->get_description())) << "\n";
  fish_args(o, "true", args_of(app));
  for (const auto* c : commands) {
    const std::string cond = "__fish_seen_subcommand_from " + c->get_name();
    fish_args(o, cond, args_of(*c));
    for (const auto& a : args_of(*c)) {
      if (a.positional.empty()) continue;
      if (a.kind == ValueKind::file) o << "complete -c stackctl -n " << sh_quote(cond) << " -F\n";
      if (a.kind == ValueKind::choices)
        o << "complete -c stackctl -n " << sh_quote(cond) << " -a " << sh_quote(join(a.choices))
          << "\n";
    }
    if (c->get_name() == "help")
      o << "complete -c stackctl -n " << sh_quote(cond) << " -a " << sh_quote(join(names)) << "\n";
  }
  return o.str();
}

// --- man ----------------------------------------------------------------------------------------

// Text for roff: backslashes escaped, a line starting with . or ' protected, hyphens in flags
// written as \- so they render as ASCII minus (groff_man(7)).
std::string roff(std::string_view s) {
  std::string out;
  bool line_start = true;
  for (char c : s) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

void man_options(std::ostringstream& o, const std::vector<Arg>& args) {
  for (const auto& a : args) {
    if (!a.positional.empty()) continue;
    o << ".TP\n";
    std::string head;
    for (const auto& n : a.names)
      head += (head.empty() ? "" : ", ") + std::string("\\fB") + roff(n) + "\\fR";
    if (a.takes_value) {
      std::string value = a.type_name.substr(0, a.type_name.find(':'));
      if (!a.choices.empty()) value = join(a.choices, "|");
      head += " \\fI" + roff(value) + "\\fR";
    }
    o << head << "\n" << roff(a.description) << "\n";
  }
}

void man_examples(std::ostringstream& o, const std::string& footer) {
  // The footer is "Examples:\n  cmd\n  cmd\n..." (possibly followed by more text).
  std::string body = footer;
  if (body.starts_with("Examples:\n")) body = body.substr(10);
  if (body.empty()) return;
  o << ".SH EXAMPLES\n.nf\n.RS 4\n" << roff(body);
  if (!body.ends_with('\n')) o << "\n";
  o << ".RE\n.fi\n";
}

const char* kExitStatus =
    ".SH EXIT STATUS\n"
    "0 success; 1 problems found in the stack; 2 bad command line; 3 a file could not be read or\n"
    "written; 4 something outside failed (registry, builder, cluster, Vault, network); 5 drift;\n"
    "6 no known error (explain); 7 a workload failed or timed out (deploy); 70 a bug in stackctl;\n"
    "128+N interrupted by signal N. Each command's page in docs/exit-codes.md says which it "
    "uses.\n";

}  // namespace

std::vector<std::string> option_choices(const CLI::Option& opt) {
  // CLI11 2.x names an IsMember option "TEXT:{a,b,c}" (Validator::get_description).
  const std::string type = opt.get_type_name();
  const auto open = type.find(":{");
  const auto close = type.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> out;
  std::string item;
  for (char c : type.substr(open + 2, close - open - 2)) {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

std::string completion_script(const CLI::App& app, std::string_view shell) {
  if (shell == "bash") return bash_script(app);
  if (shell == "zsh") return zsh_script(app);
  if (shell == "fish") return fish_script(app);
  return {};
}

std::vector<ManPage> man_pages(const CLI::App& app, std::string_view version,
                               std::string_view date) {
  std::vector<ManPage> out;
  const std::string v(version), d(date);
  const std::vector<Arg> global = args_of(app);
  const auto commands = visible_commands(app);
  {
    std::ostringstream o;
    o << ".TH STACKCTL 1 \"" << d << "\" \"" << roff(v) << "\" \"stackctl manual\"\n"
      << ".SH NAME\nstackctl \\- "
      << roff(strip_prefix(first_line(app.get_description()), "stackctl: ")) << "\n"
      << ".SH SYNOPSIS\n.B stackctl\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff(app.get_description()) << "\n"
      << ".SH COMMANDS\n";
    for (const auto* c : commands)
      o << ".TP\n\\fB" << roff(c->get_name()) << "\\fR\n"
        << roff(c->get_description()) << "\nSee \\fBstackctl\\-" << roff(c->get_name())
        << "\\fR(1).\n";
    o << ".SH GLOBAL OPTIONS\n";
    man_options(o, global);
    o << kExitStatus << ".SH SEE ALSO\n";
    std::string see;
    for (const auto* c : commands)
      see += (see.empty() ? "" : ",\n") + std::string("\\fBstackctl\\-") + roff(c->get_name()) +
             "\\fR(1)";
    o << see << "\n";
    out.push_back({"stackctl.1", o.str()});
  }
  for (const auto* c : commands) {
    std::ostringstream o;
    const std::string name = c->get_name();
    const std::vector<Arg> args = args_of(*c);
    o << ".TH STACKCTL\\-" << roff(upper(name)) << " 1 \"" << d << "\" \"" << roff(v)
      << "\" \"stackctl manual\"\n"
      << ".SH NAME\nstackctl\\-" << roff(name) << " \\- " << roff(first_line(c->get_description()))
      << "\n.SH SYNOPSIS\n.B stackctl " << roff(name) << "\n[\\fIOPTIONS\\fR]";
    for (const auto& a : args)
      if (!a.positional.empty()) o << " \\fI" << roff(a.positional) << "\\fR";
    o << "\n.SH DESCRIPTION\n" << roff(c->get_description()) << "\n";
    bool any_positional = false;
    for (const auto& a : args)
      if (!a.positional.empty()) {
        if (!any_positional) o << ".SH ARGUMENTS\n";
        any_positional = true;
        o << ".TP\n\\fI" << roff(a.positional) << "\\fR\n" << roff(a.description) << "\n";
      }
    o << ".SH OPTIONS\n";
    man_options(o, args);
    o << ".SH GLOBAL OPTIONS\n";
    man_options(o, global);
    man_examples(o, c->get_footer());
    o << kExitStatus << ".SH SEE ALSO\n\\fBstackctl\\fR(1); docs/" << roff(name)
      << ".md in the stackctl sources\n";
    out.push_back({"stackctl-" + name + ".1", o.str()});
  }
  return out;
}

}  // namespace stackctl::cli::help_meta
