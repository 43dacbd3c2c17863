#include "cli/commands.hpp"

#include <iostream>

namespace stackctl::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      validate_command(), check_command(),          lock_command(),   build_command(),
      render_command(),   deploy_command(),         submit_command(), doctor_command(),
      drift_command(),    explain_command(std::cin)};
  return table;
}

}  // namespace stackctl::cli
