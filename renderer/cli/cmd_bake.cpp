#include "commands.h"

#include "stipple/core/error.h"

// SKELETON: filled in by the issue that owns `stipple bake`.

namespace stipple::cli {

Command addBakeCommand(CLI::App& root) {
    Command command;
    command.app = root.add_subcommand("bake", "(not implemented yet)");
    command.run = [] () -> int { throw RuntimeFailure("'stipple bake' is not implemented yet"); };
    return command;
}

} // namespace stipple::cli
