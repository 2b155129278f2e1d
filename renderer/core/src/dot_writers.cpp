#include "stipple/core/dot_writers.h"

#include <cctype>
#include <cstdio>
#include <sstream>

#include "stipple/core/error.h"

namespace stipple {

namespace {

std::string fixed(double v, int precision) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", precision, v);
    return buffer;
}

} // namespace

nlohmann::json follicleSummary(const FollicleSet& set, const Design& design,
                               ProvenanceMode provenance) {
    nlohmann::json j;
    if (provenance == ProvenanceMode::Full) {
        j["design"] = design.source.string();
        j["name"] = design.name;
    }
    j["design_sha256"] = design.sha256;
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
    j["session_count"] = set.session_count;
    j["shown_session"] = set.shown_session; // 0: the whole design
    j["session_figures"] = nlohmann::json::array();
    for (const SessionFigures& s : set.session_figures)
        j["session_figures"].push_back({{"session", s.session},
                                        {"new_dots", s.new_dots},
                                        {"dots", s.dots},
                                        {"share", s.share},
                                        {"nn_min_ratio", s.nn_min_ratio},
                                        {"nn_mean_ratio", s.nn_mean_ratio}});
    j["scars"] = nlohmann::json::array();
    for (const ScarRegion& s : set.scars)
        j["scars"].push_back({{"index", s.design_index},
                              {"area_cm2", s.area_cm2},
                              {"dots", s.dots},
                              {"camouflage", s.camouflage}});
    nlohmann::json warnings = nlohmann::json::array();
    for (const Problem& p : design.warnings)
        warnings.push_back(p.format());
    for (const Problem& p : set.warnings)
        warnings.push_back(p.format());
    j["warnings"] = warnings;
    return j;
}

DotFormat dotFormatOf(const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    for (char& c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".csv") return DotFormat::Csv;
    if (ext == ".ply") return DotFormat::Ply;
    if (ext == ".json") return DotFormat::Json;
    throw Error("the dots file must end in .csv, .ply or .json, got '" + file.string() + "'",
                file.string());
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
            << fixed(d.normal.y, 5) << ' ' << fixed(d.normal.z, 5) << ' ' << fixed(d.diameter_mm, 4)
            << ' ' << fixed(d.aspect, 4) << ' ' << fixed(d.angle_rad, 4) << ' ' << fixed(d.shade, 3)
            << ' ' << int(d.zone) << ' ' << d.triangle << '\n';
    return out.str();
}

std::string dotsJson(const FollicleSet& set, const Design& design, ProvenanceMode provenance) {
    nlohmann::json j = follicleSummary(set, design, provenance);
    j["dots_list"] = nlohmann::json::array();
    for (const Dot& d : set.dots)
        j["dots_list"].push_back(
            {{"id", d.id},
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

std::string encodeDots(const FollicleSet& set, const Design& design, DotFormat format,
                       ProvenanceMode provenance) {
    switch (format) {
    case DotFormat::Csv:
        return dotsCsv(set);
    case DotFormat::Ply:
        return dotsPly(set);
    case DotFormat::Json:
        return dotsJson(set, design, provenance);
    }
    // Not input-reachable: dotFormatOf() refuses other extensions (naming .csv, .json, .ply).
    STIPPLE_ASSERT(false, "encodeDots(): unknown format");
    return {};
}

void writeDots(const std::filesystem::path& file, const FollicleSet& set, const Design& design,
               Overwrite overwrite, ProvenanceMode provenance) {
    const DotFormat format = dotFormatOf(file);
    std::error_code ec;
    if (overwrite == Overwrite::No && std::filesystem::exists(file, ec))
        throw Error("exists; not replaced without overwrite (nothing was written)", file.string(),
                    "overwrite");
    writeFileAtomic(file, encodeDots(set, design, format, provenance), overwrite);
}

} // namespace stipple
