#include "commands.h"

#include "stipple/core/error.h"

// SKELETON: filled in by the issue that owns `stipple validate`.

namespace stipple::cli {

Command addValidateCommand(CLI::App& root) {
    Command command;
    command.app = root.add_subcommand("validate", "(not implemented yet)");
    command.run = [] () -> int { throw RuntimeFailure("'stipple validate' is not implemented yet"); };
    return command;
}

} // namespace stipple::cli
