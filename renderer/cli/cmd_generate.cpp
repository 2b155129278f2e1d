#include "commands.h"

#include "stipple/core/error.h"

// SKELETON: filled in by the issue that owns `stipple generate`.

namespace stipple::cli {

Command addGenerateCommand(CLI::App& root) {
    Command command;
    command.app = root.add_subcommand("generate", "(not implemented yet)");
    command.run = [] () -> int { throw RuntimeFailure("'stipple generate' is not implemented yet"); };
    return command;
}

} // namespace stipple::cli
