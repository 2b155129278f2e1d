#include <cstdio>
#include <iostream>
#include <vector>

#include "commands.h"
#include "option_names.h"
#include "stipple/core/error.h"

int main(int argc, char** argv) {
    CLI::App root{
        "Stipple " STIPPLE_VERSION
        " - scalp micropigmentation preview: head mesh + design -> dots, layers, renders"};
    root.set_version_flag("--version", std::string("stipple ") + STIPPLE_VERSION);
    root.require_subcommand(1);
    const std::vector<stipple::cli::Command> commands = {
        stipple::cli::addInspectCommand(root),  stipple::cli::addValidateCommand(root),
        stipple::cli::addGenerateCommand(root), stipple::cli::addBakeCommand(root),
        stipple::cli::addRenderCommand(root),   stipple::cli::addMannequinCommand(root)};
    try {
        root.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = root.exit(e); // prints help / the usage error
        return code == 0 ? 0 : 2;
    }
    try {
        for (const auto& command : commands)
            if (command.app->parsed())
                return stipple::cli::withFlagNames(stipple::cli::commonFlags(), command.run, true);
    } catch (const stipple::RuntimeFailure& e) {
        std::cerr << "stipple: error: " << e.what() << "\n";
        return 1;
    } catch (const stipple::Error& e) {
        std::cerr << "stipple: error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "stipple: internal error: " << e.what() << "\n";
        return 1;
    }
    return 2;
}
