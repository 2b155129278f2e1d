#include "commands.h"

#include "stipple/core/error.h"

// SKELETON: filled in by the issue that owns `stipple render`.

namespace stipple::cli {

Command addRenderCommand(CLI::App& root) {
    Command command;
    command.app = root.add_subcommand("render", "(not implemented yet)");
    command.run = [] () -> int { throw RuntimeFailure("'stipple render' is not implemented yet"); };
    return command;
}

} // namespace stipple::cli
