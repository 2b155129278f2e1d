#include "commands.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"

// `stipple validate DESIGN [--json]`: parses a design file and reports every problem.
// Human output: "ok: <file> (...)" on stdout, warnings and errors one per line on stderr.
// --json: {"valid": bool, "problems": [{"file", "pointer", "message", "severity"}]} on stdout.
// Exit 0 when valid (warnings allowed), 2 when the design has errors or cannot be read.

namespace stipple::cli {

namespace {

nlohmann::json problemJson(const Problem& p) {
    return {{"file", p.file},
            {"pointer", p.pointer},
            {"message", p.message},
            {"severity", p.warning ? "warning" : "error"}};
}

std::string summary(const Design& d) {
    int enabled = 0;
    for (size_t i = 0; i < size_t(ZoneId::Count); ++i)
        if (d.zone(ZoneId(i)).enabled) ++enabled;
    std::string out = "design v" + std::to_string(d.version) + ", " +
                      std::to_string(d.zones.size()) + " zones set (" + std::to_string(enabled) +
                      " of " + std::to_string(size_t(ZoneId::Count)) + " enabled), ";
    out += d.mode == DensityMode::Total ? "total " + std::to_string(d.total_dots) + " dots"
                                        : std::string("density mode");
    out += ", " + std::to_string(d.scars.size()) + " scar" + (d.scars.size() == 1 ? "" : "s");
    out += ", mesh " + d.head.mesh.string();
    return out;
}

} // namespace

Command addValidateCommand(CLI::App& root) {
    struct Options {
        std::string design;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    Command command;
    command.app = root.add_subcommand(
        "validate", "Check a design file and report every problem with its JSON pointer");
    command.app->add_option("DESIGN", opt->design, "Design file (JSON, \"stipple\": 1)")
        ->required();
    command.app->add_flag("--json", opt->json,
                          "Print {\"valid\", \"problems\": [...]} on stdout instead");
    command.run = [opt]() -> int {
        std::vector<Problem> problems;
        bool valid = true;
        std::string ok_line;
        try {
            const Design design = loadDesign(opt->design);
            problems = design.warnings;
            ok_line = "ok: " + opt->design + " (" + summary(design) + ")";
        } catch (const RuntimeFailure&) {
            throw;
        } catch (const Error& e) {
            valid = false;
            problems = e.problems();
        }
        if (opt->json) {
            nlohmann::json out = {{"valid", valid}, {"problems", nlohmann::json::array()}};
            for (const Problem& p : problems)
                out["problems"].push_back(problemJson(p));
            std::cout << out.dump(2) << "\n";
        } else {
            size_t errors = 0;
            for (const Problem& p : problems) {
                std::cerr << p.format() << "\n";
                if (!p.warning) ++errors;
            }
            if (valid)
                std::cout << ok_line << "\n";
            else
                std::cerr << "invalid: " << opt->design << " (" << errors << " error"
                          << (errors == 1 ? "" : "s") << ")\n";
        }
        return valid ? 0 : 2;
    };
    return command;
}

} // namespace stipple::cli
