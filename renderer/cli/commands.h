#pragma once

// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the root app.
// Exit codes: 0 success, 1 runtime failure (stipple::RuntimeFailure, anything unexpected),
// 2 bad input or usage (stipple::Error, CLI11 parse errors).

#include <functional>

#include <CLI/CLI.hpp>

namespace stipple::cli {

struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run; // called after parsing when this subcommand was chosen
};

Command addInspectCommand(CLI::App& root);
Command addValidateCommand(CLI::App& root);
Command addGenerateCommand(CLI::App& root);
Command addBakeCommand(CLI::App& root);
Command addRenderCommand(CLI::App& root);
Command addMannequinCommand(CLI::App& root); // developer: regenerate meshes/mannequin.glb

} // namespace stipple::cli
