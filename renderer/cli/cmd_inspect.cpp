#include "commands.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/head_model.h"

// `stipple inspect MESH [--design D] [--json]`: load a head mesh the way every other command
// does and report what Stipple sees: counts, dropped parts, units, axes, landmarks, size.

namespace stipple::cli {
namespace {

nlohmann::json vec(const glm::dvec3& v) {
    return {v.x, v.y, v.z};
}

nlohmann::json toJson(const HeadModel& head) {
    nlohmann::json j;
    j["file"] = head.import.file.string();
    j["format"] = head.import.format;
    j["sha256"] = head.import.sha256;
    j["vertices"] = head.mesh.vertexCount();
    j["triangles"] = head.mesh.triangleCount();
    j["components"] = head.import.components;
    j["dropped"] = nlohmann::json::array();
    for (const DroppedPart& d : head.import.dropped)
        j["dropped"].push_back(
            {{"what", d.what}, {"triangles", d.triangles}, {"reason", d.reason}});
    j["has_uvs"] = head.import.has_uvs;
    j["has_normals"] = head.import.has_normals;
    j["bbox"] = {{"min", vec(head.import.bbox.min)}, {"max", vec(head.import.bbox.max)}};
    j["units"] = {{"mm_per_unit", head.units.mm_per_unit},
                  {"source", head.units.source},
                  {"confidence", head.units.confidence},
                  {"reason", head.units.reason}};
    j["up"] = axisName(head.up);
    j["forward"] = axisName(head.forward);
    j["axes_source"] = head.axes_source;
    j["landmarks"] = nlohmann::json::object();
    j["landmark_sources"] = nlohmann::json::object();
    for (const char* name : kLandmarkNames) {
        j["landmarks"][name] = vec(head.landmarks[name]);
        j["landmark_sources"][name] =
            head.landmarks.source.count(name) ? head.landmarks.source.at(name) : "estimated";
    }
    j["head"] = {{"breadth_mm", head.breadth_mm},
                 {"length_mm", head.length_mm},
                 {"height_mm", head.height_mm}};
    nlohmann::json warnings = nlohmann::json::array();
    for (const std::string& w : head.import.warnings)
        warnings.push_back(w);
    for (const Problem& w : head.warnings)
        warnings.push_back(w.message);
    j["warnings"] = warnings;
    return j;
}

std::string printf3(const char* format, double a, double b = 0, double c = 0) {
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, format, a, b, c);
    return buffer;
}

void printSummary(const HeadModel& head, std::ostream& out) {
    auto row = [&](const std::string& label, const std::string& value) {
        out << "  " << label << std::string(label.size() < 14 ? 14 - label.size() : 1, ' ') << value
            << "\n";
    };
    out << head.import.file.string() << "\n";
    row("format", head.import.format.empty() ? "?" : head.import.format);
    row("mesh", std::to_string(head.mesh.vertexCount()) + " vertices, " +
                    std::to_string(head.mesh.triangleCount()) + " triangles, " +
                    std::to_string(head.import.components) + " component(s)");
    row("attributes", std::string(head.import.has_uvs ? "UVs" : "no UVs") + ", " +
                          (head.import.has_normals ? "normals from the file" : "normals computed"));
    if (head.import.dropped.empty()) row("dropped", "nothing");
    for (const DroppedPart& d : head.import.dropped)
        row("dropped", d.what + ": " + std::to_string(d.triangles) + " triangles, " + d.reason);
    const Box& b = head.import.bbox;
    if (!b.empty())
        row("bbox", printf3("[%.4g %.4g %.4g]", b.min.x, b.min.y, b.min.z) + " .. " +
                        printf3("[%.4g %.4g %.4g] file units", b.max.x, b.max.y, b.max.z));
    row("units", printf3("%.4g mm per unit (", head.units.mm_per_unit) + head.units.source +
                     printf3(", confidence %.2f)", head.units.confidence));
    if (!head.units.reason.empty()) row("", head.units.reason);
    row("axes", "up " + axisName(head.up) + ", forward " + axisName(head.forward) + " (" +
                    head.axes_source + ")");
    out << "  landmarks     head frame, mm: origin between the ears, +Y up, +Z forward, "
           "+X subject's left\n";
    for (const char* name : kLandmarkNames) {
        const glm::dvec3 p = head.landmarks[name];
        const std::string source =
            head.landmarks.source.count(name) ? head.landmarks.source.at(name) : "estimated";
        out << "    " << name << std::string(12 - std::string(name).size(), ' ')
            << printf3("%8.1f %8.1f %8.1f", p.x, p.y, p.z) << "   " << source << "\n";
    }
    row("head", printf3("breadth %.0f mm, length %.0f mm, height %.0f mm", head.breadth_mm,
                        head.length_mm, head.height_mm));
    std::vector<std::string> warnings = head.import.warnings;
    for (const Problem& w : head.warnings)
        warnings.push_back(w.message);
    if (warnings.empty()) row("warnings", "none");
    for (const std::string& w : warnings)
        row("warning", w);
}

} // namespace

Command addInspectCommand(CLI::App& root) {
    struct Options {
        std::string mesh;
        std::string design;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    Command command;
    command.app = root.add_subcommand("inspect", "Load a head mesh and report what Stipple sees");
    command.app->add_option("MESH", opt->mesh, "Head mesh (OBJ, PLY, STL, glTF/GLB, FBX)")
        ->required();
    command.app->add_option("--design", opt->design,
                            "Design file whose head section (units, axes, landmarks, parts to "
                            "keep) applies; MESH overrides its mesh path");
    command.app->add_flag("--json", opt->json, "Machine-readable output");
    command.run = [opt]() -> int {
        HeadSpec spec;
        if (!opt->design.empty()) spec = loadDesign(opt->design).head;
        spec.mesh = opt->mesh;
        const HeadModel head = loadHeadModel(spec);
        if (opt->json)
            std::cout << toJson(head).dump(2) << "\n";
        else
            printSummary(head, std::cout);
        return 0;
    };
    return command;
}

} // namespace stipple::cli
