#include "commands.h"
#include "option_names.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/dot_writers.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/session.h"

// `stipple generate DESIGN [-o dots.{csv,ply,json}] [--json] [--force]`: the follicle dots of a
// design on its head, with the quality and clinic figures. Files are written atomically and
// never overwritten without --force. The writers and the figures are the library's
// (dot_writers.h); this file parses options, prints and maps the library's option names.

namespace stipple::cli {
namespace {

std::string fixed(double v, int precision) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", precision, v);
    return buffer;
}

void printSummary(const std::string& design_file, const nlohmann::json& j, std::ostream& out) {
    out << design_file << "\n";
    out << "  dots          " << j["dots"].get<size_t>() << " on " << fixed(j["area_cm2"], 1)
        << " cm2 (" << fixed(j["sessions"], 2) << " sessions at "
        << j["impressions_per_session"].get<size_t>() << " impressions)\n";
    out << "  hairline      frontal height " << fixed(j["hairline"]["frontal_height_mm"], 1)
        << " mm above the glabella (designed "
        << fixed(j["hairline"]["design_frontal_height_mm"], 1) << "), asymmetry "
        << fixed(j["hairline"]["asymmetry_mm"], 2) << " mm\n";
    out << "  blue noise    nearest neighbour / hexagonal spacing: min "
        << fixed(j["nn_min_ratio"], 3) << ", mean " << fixed(j["nn_mean_ratio"], 3)
        << "; outside the region: " << j["outside_region"].get<size_t>() << "\n";
    // Right-aligned columns so a practitioner can read the table at a glance.
    auto column = [](const std::string& text, size_t width) {
        return std::string(text.size() < width ? width - text.size() : 0, ' ') + text;
    };
    out << "  zone                     area cm2     dots  dots/cm2    target\n";
    for (const auto& z : j["zones"]) {
        std::string name =
            z["name"].get<std::string>() + (z["enabled"].get<bool>() ? "" : " (off)");
        name.resize(22, ' ');
        out << "    " << name << column(fixed(z["area_cm2"], 1), 9)
            << column(std::to_string(z["dots"].get<size_t>()), 9)
            << column(fixed(z["density_per_cm2"], 1), 10)
            << column(fixed(z["target_density_per_cm2"], 1), 10) << "\n";
    }
    out << "  sessions      " << j["session_count"].get<int>() << " treatment sessions"
        << (j["shown_session"].get<int>() > 0
                ? ", shown after session " + std::to_string(j["shown_session"].get<int>())
                : std::string())
        << "\n";
    out << "    session   new dots  total dots  share  nn min  nn mean\n";
    for (const auto& s : j["session_figures"])
        out << "    " << column(std::to_string(s["session"].get<int>()), 7)
            << column(std::to_string(s["new_dots"].get<size_t>()), 11)
            << column(std::to_string(s["dots"].get<size_t>()), 12)
            << column(fixed(s["share"], 2), 7) << column(fixed(s["nn_min_ratio"], 3), 8)
            << column(fixed(s["nn_mean_ratio"], 3), 9) << "\n";
    for (const auto& s : j["scars"])
        out << "  scar " << s["index"].get<size_t>() << "        " << fixed(s["area_cm2"], 2)
            << " cm2, " << s["dots"].get<size_t>() << " dots inside"
            << (s["camouflage"].get<bool>() ? " (camouflaged)" : " (left bare)") << "\n";
    for (const auto& w : j["warnings"])
        out << "  warning       " << w.get<std::string>() << "\n";
    out << "  time          " << fixed(j["seconds"], 3) << " s\n";
}

} // namespace

Command addGenerateCommand(CLI::App& root) {
    struct Options {
        std::string design;
        std::string output;
        bool json = false;
        bool force = false;
        std::string provenance = "private";
        std::optional<int> session; // unset: the whole design
    };
    auto opt = std::make_shared<Options>();
    Command command;
    command.app = root.add_subcommand(
        "generate", "Generate the follicle dots of a design on its head and report the figures");
    command.app->add_option("DESIGN", opt->design, "Design file (JSON)")->required();
    command.app->add_option("-o,--output", opt->output,
                            "Write the dots to a .csv, .ply or .json file (atomic)");
    command.app->add_flag("--json", opt->json, "Print the summary as JSON");
    command.app->add_flag("--force", opt->force, "Overwrite an existing output file");
    command.app->add_option("--provenance", opt->provenance,
                            "private (default): the JSON outputs identify the design by SHA-256 "
                            "only; full: add its name and path");
    command.app->add_option("--session", opt->session,
                            "The dots and figures after treatment session N (1..3, or 4 for a "
                            "design of more than 3 x impressions_per_session dots)");
    command.run = [opt]() -> int {
        const ProvenanceMode provenance = withFlagNames(
            {{"provenance", "--provenance"}}, [&] { return parseProvenanceMode(opt->provenance); });
        // Refuse a bad or existing output before any long work (the library names its option
        // "overwrite"; here it is --force).
        if (!opt->output.empty()) {
            const std::filesystem::path out(opt->output);
            try {
                dotFormatOf(out);
            } catch (const Error& e) {
                throw Error(e.problems().front().message, opt->output, "-o");
            }
            checkOutputFile(out, opt->force ? Overwrite::Yes : Overwrite::No);
        }
        const Design design = loadDesign(opt->design);
        Session session(design);
        const FlagTable flags = {{"session", "--session"}};
        if (opt->session)
            withFlagNames(flags, [&] {
                if (*opt->session < 1 || *opt->session > 4)
                    throw Error("session " + std::to_string(*opt->session) +
                                    " does not exist; accepted 1..4 (a design has 3 sessions, 4 "
                                    "when it holds more than 3 x impressions_per_session dots)",
                                "", "session");
                session.setShownSession(*opt->session, "session");
            });
        session.loadHead();
        const auto start = std::chrono::steady_clock::now();
        const FollicleSet& set = withFlagNames(
            flags, [&]() -> const FollicleSet& { return session.follicles(); });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        nlohmann::json summary = follicleSummary(set, design, provenance);
        summary["seconds"] = seconds;
        if (!opt->output.empty())
            writeDots(opt->output, set, design, opt->force ? Overwrite::Yes : Overwrite::No,
                      provenance);
        if (opt->json)
            std::cout << summary.dump(2) << "\n";
        else
            printSummary(opt->design, summary, std::cout);
        return 0;
    };
    return command;
}

} // namespace stipple::cli
