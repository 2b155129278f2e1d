#include "commands.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"

// `stipple generate DESIGN [-o dots.{csv,ply,json}] [--json] [--force]`: the follicle dots of a
// design on its head, with the quality and clinic figures. Files are written atomically and
// never overwritten without --force.

namespace stipple::cli {
namespace {

std::string fixed(double v, int precision) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", precision, v);
    return buffer;
}

nlohmann::json summaryJson(const FollicleSet& set, const Design& design, double seconds) {
    nlohmann::json j;
    j["design"] = design.source.string();
    j["dots"] = set.dots.size();
    j["area_cm2"] = set.area_cm2;
    j["zones"] = nlohmann::json::array();
    for (const ZoneStats& z : set.zones)
        j["zones"].push_back({{"name", kZoneNames[size_t(z.id)]},
                              {"enabled", design.zone(z.id).enabled},
                              {"area_cm2", z.area_cm2},
                              {"dots", z.dots},
                              {"density_per_cm2", z.density_per_cm2},
                              {"target_density_per_cm2", z.target_density_per_cm2}});
    j["nn_min_ratio"] = set.nn_min_ratio;
    j["nn_mean_ratio"] = set.nn_mean_ratio;
    j["outside_region"] = set.outside_region;
    j["hairline"] = {{"frontal_height_mm", set.hairline.frontal_height_mm},
                     {"asymmetry_mm", set.hairline.asymmetry_mm},
                     {"design_frontal_height_mm", design.hairline.frontal_height_mm}};
    j["impressions"] = set.dots.size();
    j["impressions_per_session"] = set.impressions_per_session;
    j["sessions"] = set.sessions;
    j["scars"] = nlohmann::json::array();
    for (const ScarRegion& s : set.scars)
        j["scars"].push_back({{"index", s.design_index},
                              {"area_cm2", s.area_cm2},
                              {"dots", s.dots},
                              {"camouflage", s.camouflage}});
    j["seconds"] = seconds;
    nlohmann::json warnings = nlohmann::json::array();
    for (const Problem& p : design.warnings) warnings.push_back(p.format());
    for (const Problem& p : set.warnings) warnings.push_back(p.format());
    j["warnings"] = warnings;
    return j;
}

std::string dotsCsv(const FollicleSet& set) {
    std::ostringstream out;
    out << "id,zone,x_mm,y_mm,z_mm,nx,ny,nz,diameter_mm,aspect,angle_rad,shade,triangle\n";
    for (const Dot& d : set.dots)
        out << d.id << ',' << kZoneNames[size_t(d.zone)] << ',' << fixed(d.position_mm.x, 4) << ','
            << fixed(d.position_mm.y, 4) << ',' << fixed(d.position_mm.z, 4) << ','
            << fixed(d.normal.x, 5) << ',' << fixed(d.normal.y, 5) << ',' << fixed(d.normal.z, 5)
            << ',' << fixed(d.diameter_mm, 4) << ',' << fixed(d.aspect, 4) << ','
            << fixed(d.angle_rad, 4) << ',' << fixed(d.shade, 3) << ',' << d.triangle << '\n';
    return out.str();
}

std::string dotsPly(const FollicleSet& set) {
    std::ostringstream out;
    out << "ply\nformat ascii 1.0\ncomment stipple follicle dots, head frame, millimetres\n"
        << "element vertex " << set.dots.size() << "\n"
        << "property float x\nproperty float y\nproperty float z\n"
        << "property float nx\nproperty float ny\nproperty float nz\n"
        << "property float diameter_mm\nproperty float aspect\nproperty float angle_rad\n"
        << "property float shade\nproperty uchar zone\nproperty uint triangle\nend_header\n";
    for (const Dot& d : set.dots)
        out << fixed(d.position_mm.x, 4) << ' ' << fixed(d.position_mm.y, 4) << ' '
            << fixed(d.position_mm.z, 4) << ' ' << fixed(d.normal.x, 5) << ' '
            << fixed(d.normal.y, 5) << ' ' << fixed(d.normal.z, 5) << ' '
            << fixed(d.diameter_mm, 4) << ' ' << fixed(d.aspect, 4) << ' '
            << fixed(d.angle_rad, 4) << ' ' << fixed(d.shade, 3) << ' ' << int(d.zone) << ' '
            << d.triangle << '\n';
    return out.str();
}

std::string dotsJson(const FollicleSet& set, const nlohmann::json& summary) {
    nlohmann::json j = summary;
    j.erase("seconds"); // the file must be identical for identical designs
    j["dots_list"] = nlohmann::json::array();
    for (const Dot& d : set.dots)
        j["dots_list"].push_back({{"id", d.id},
                                  {"zone", kZoneNames[size_t(d.zone)]},
                                  {"position_mm", {d.position_mm.x, d.position_mm.y, d.position_mm.z}},
                                  {"normal", {d.normal.x, d.normal.y, d.normal.z}},
                                  {"diameter_mm", d.diameter_mm},
                                  {"aspect", d.aspect},
                                  {"angle_rad", d.angle_rad},
                                  {"shade", d.shade},
                                  {"triangle", d.triangle}});
    return j.dump(1) + "\n";
}

void printSummary(const nlohmann::json& j, std::ostream& out) {
    out << j["design"].get<std::string>() << "\n";
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
        std::string name = z["name"].get<std::string>() + (z["enabled"].get<bool>() ? "" : " (off)");
        name.resize(22, ' ');
        out << "    " << name << column(fixed(z["area_cm2"], 1), 9)
            << column(std::to_string(z["dots"].get<size_t>()), 9)
            << column(fixed(z["density_per_cm2"], 1), 10)
            << column(fixed(z["target_density_per_cm2"], 1), 10) << "\n";
    }
    for (const auto& s : j["scars"])
        out << "  scar " << s["index"].get<size_t>() << "        " << fixed(s["area_cm2"], 2)
            << " cm2, " << s["dots"].get<size_t>() << " dots inside"
            << (s["camouflage"].get<bool>() ? " (camouflaged)" : " (left bare)") << "\n";
    for (const auto& w : j["warnings"]) out << "  warning       " << w.get<std::string>() << "\n";
    out << "  time          " << fixed(j["seconds"], 3) << " s\n";
}

} // namespace

Command addGenerateCommand(CLI::App& root) {
    struct Options {
        std::string design;
        std::string output;
        bool json = false;
        bool force = false;
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
    command.run = [opt]() -> int {
        std::string format;
        if (!opt->output.empty()) {
            format = std::filesystem::path(opt->output).extension().string();
            for (char& c : format) c = char(std::tolower(static_cast<unsigned char>(c)));
            if (format != ".csv" && format != ".ply" && format != ".json")
                throw Error("output must end in .csv, .ply or .json, got '" + opt->output + "'",
                            opt->output, "-o");
            const std::filesystem::path out(opt->output);
            if (!opt->force && std::filesystem::exists(out))
                throw Error("exists; pass --force to overwrite", opt->output);
            ensureWritableDir(out.has_parent_path() ? out.parent_path() : ".");
        }
        const Design design = loadDesign(opt->design);
        const HeadModel head = loadHeadModel(design.head);
        const auto start = std::chrono::steady_clock::now();
        const FollicleSet set = generateFollicles(head, design);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const nlohmann::json summary = summaryJson(set, design, seconds);
        if (!opt->output.empty()) {
            const std::string bytes = format == ".csv"   ? dotsCsv(set)
                                      : format == ".ply" ? dotsPly(set)
                                                         : dotsJson(set, summary);
            writeFileAtomic(opt->output, bytes, opt->force ? Overwrite::Yes : Overwrite::No);
        }
        if (opt->json)
            std::cout << summary.dump(2) << "\n";
        else
            printSummary(summary, std::cout);
        return 0;
    };
    return command;
}

} // namespace stipple::cli
