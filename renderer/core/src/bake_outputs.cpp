#include "stipple/core/bake_outputs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <set>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "stipple/core/mesh_export.h"
#include "stipple/core/output_set.h"
#include "stipple/core/scalp_chart.h"

namespace stipple {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// One output file: its name, and how to make its bytes (run on an encoder thread).
struct Output {
    std::string name;
    std::function<std::string()> encode;
    std::string bytes;
};

std::vector<std::string> albedoNames(const Mesh& mesh) {
    if (mesh.uvs.empty()) return {};
    bool udim = false;
    for (const glm::vec2& uv : mesh.uvs)
        if (uv.x < -1e-4f || uv.x > 1.0001f || uv.y < -1e-4f || uv.y > 1.0001f) udim = true;
    if (!udim) return {"albedo_flat.png"};
    // Same tile rule as flattenAlbedo (by triangle centroid).
    std::vector<int> tiles;
    for (const glm::uvec3& t : mesh.triangles) {
        const glm::vec2 c = (mesh.uvs[t.x] + mesh.uvs[t.y] + mesh.uvs[t.z]) / 3.0f;
        const int tu = std::clamp(int(std::floor(c.x)), 0, 9);
        const int tv = std::max(0, int(std::floor(c.y)));
        tiles.push_back(1001 + tu + 10 * tv);
    }
    std::sort(tiles.begin(), tiles.end());
    tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
    std::vector<std::string> names;
    for (int tile : tiles)
        names.push_back("albedo_flat." + std::to_string(tile) + ".png");
    return names;
}

nlohmann::json chartReport(const ScalpChart& c, int size) {
    return {{"projection", "lambert_azimuthal_equal_area"},
            {"centre_mm", {c.centre_mm.x, c.centre_mm.y, c.centre_mm.z}},
            {"region_area_cm2", c.region_area_mm2 / 100.0},
            {"area_distortion", c.area_distortion},
            {"area_distortion_max", c.area_distortion_max},
            {"angle_distortion_deg", c.angle_distortion_deg},
            {"angle_distortion_max_deg", c.angle_distortion_max_deg},
            {"flipped_triangles", c.flipped_triangles},
            {"chart_area_fraction", c.chart_area_fraction},
            {"mean_texel_mm", c.mm_per_uv / size}};
}

// Encodes every output on its own thread (PNG encoding dominates).
void encodeAll(std::vector<Output>& outputs) {
    std::vector<std::future<std::string>> jobs;
    for (Output& o : outputs)
        jobs.push_back(std::async(std::launch::async, o.encode));
    for (size_t i = 0; i < outputs.size(); ++i)
        outputs[i].bytes = jobs[i].get();
}

bool cancelled(const std::atomic<bool>* cancel) {
    return cancel && cancel->load();
}

[[noreturn]] void throwInterrupted(const fs::path& dir) {
    throw RuntimeFailure("interrupted; no bake output was left (files written before the "
                         "interruption were removed)",
                         dir.string());
}

// Writes `outputs`, then bake.json with the bytes `report` returns once they are written (it
// removes an older bake's leftovers: output_set.h), atomically; on failure or cancellation
// removes what this call created and rethrows.
void writeAll(const fs::path& dir, const std::vector<Output>& outputs, Overwrite overwrite,
              const std::atomic<bool>* cancel, const std::function<std::string()>& report) {
    std::vector<fs::path> created;
    const auto writeOne = [&](const std::string& name, const std::string& bytes) {
        if (cancelled(cancel)) throwInterrupted(dir);
        const fs::path file = dir / name;
        const bool existed = fs::exists(file);
        writeFileAtomic(file, bytes, overwrite);
        if (!existed) created.push_back(file);
    };
    try {
        for (const Output& o : outputs)
            writeOne(o.name, o.bytes);
        if (cancelled(cancel)) throwInterrupted(dir);
        writeOne("bake.json", report());
    } catch (...) {
        std::error_code ec;
        for (const fs::path& f : created)
            fs::remove(f, ec);
        throw;
    }
}

} // namespace

std::vector<std::string> bakeOutputNames(const Mesh& mesh) {
    std::vector<std::string> names = {"pigment.png", "scar.png", "scar_roughness.png", "before.png",
                                      "albedo_chart.png"};
    for (const std::string& n : albedoNames(mesh))
        names.push_back(n);
    names.push_back("head_chart.glb");
    names.push_back("bake.json");
    return names;
}

OutputLeftovers checkBakeOutputs(const fs::path& dir, const Mesh& mesh, Overwrite overwrite) {
    const std::vector<std::string> names = bakeOutputNames(mesh);
    for (const std::string& n : names)
        checkOutputFile(dir / n, overwrite);
    if (overwrite == Overwrite::No) return {};
    return findOutputLeftovers(dir, "bake.json", {names.begin(), names.end()});
}

nlohmann::json writeBakeOutputs(const fs::path& dir, const Design& design, const HeadModel& head,
                                const FollicleSet& dots, const LayerStack& layers,
                                const BakeTimes& times, Overwrite overwrite,
                                ProvenanceMode provenance, const std::atomic<bool>* cancel) {
    const OutputLeftovers leftovers = checkBakeOutputs(dir, head.mesh, overwrite);
    const bool full = provenance == ProvenanceMode::Full;
    const int size = layers.size;
    const auto t_albedo = Clock::now();
    const int albedo_size = std::min(size, kBakeAlbedoSizeMax);
    const std::vector<AlbedoTile> tiles = flattenAlbedo(head, layers, albedo_size);
    const Image8 chart_albedo = chartAlbedo(layers, albedo_size);
    const double bake_seconds = times.bake_seconds + secondsSince(t_albedo);

    TextChunks text = {{"stipple:version", STIPPLE_VERSION},
                       {"stipple:design_sha256", design.sha256},
                       {"stipple:mesh_sha256", head.import.sha256},
                       {"stipple:layer_size", std::to_string(size)}};
    if (full) {
        text.emplace_back("stipple:name", design.name);
        text.emplace_back("stipple:design", design.source.string());
        text.emplace_back("stipple:mesh", head.import.file.string());
    }
    auto withLayer = [&](const std::string& layer) {
        TextChunks t = text;
        t.emplace_back("stipple:layer", layer);
        return t;
    };
    std::vector<Output> outputs;
    outputs.push_back(
        {"pigment.png", [&] { return encodePng(layers.pigment, withLayer("pigment"), 1); }, {}});
    outputs.push_back(
        {"scar.png", [&] { return encodePng(layers.scar, withLayer("scar"), 6); }, {}});
    outputs.push_back(
        {"scar_roughness.png",
         [&] { return encodePng(layers.scar_roughness, withLayer("scar_roughness"), 6); },
         {}});
    outputs.push_back(
        {"before.png", [&] { return encodePng(layers.before, withLayer("before"), 6); }, {}});
    outputs.push_back({"albedo_chart.png",
                       [&] { return encodePng(chart_albedo, withLayer("albedo_chart"), 3); },
                       {}});
    // flattenAlbedo and albedoNames both order tiles by UDIM number.
    const std::vector<std::string> albedo_names = albedoNames(head.mesh);
    // Not input-reachable: flattenAlbedo and albedoNames apply one tile rule to the same mesh.
    STIPPLE_ASSERT(tiles.size() == albedo_names.size(),
                   "writeBakeOutputs(): flattened albedo tiles do not match the mesh's UV tiles");
    for (size_t i = 0; i < tiles.size(); ++i) {
        const AlbedoTile& tile = tiles[i];
        outputs.push_back(
            {albedo_names[i],
             [&tile, &withLayer] { return encodePng(tile.image, withLayer("albedo_flat"), 3); },
             {}});
    }
    outputs.push_back({"head_chart.glb",
                       [&] {
                           const ChartedMesh split = splitForChart(head.mesh, layers.chart);
                           MeshExportOptions o;
                           o.format = MeshFormat::Glb;
                           o.chart_uvs = split.chart_uvs;
                           o.name = "head";
                           return exportMesh(split.mesh, o).bytes;
                       },
                       {}});
    if (cancelled(cancel)) throwInterrupted(dir);
    const auto t_encode = Clock::now();
    encodeAll(outputs);
    const double encode_seconds = secondsSince(t_encode);

    nlohmann::json report;
    if (full) {
        report["name"] = design.name;
        report["design"] = design.source.string();
        report["mesh"] = head.import.file.string();
    }
    report["design_sha256"] = design.sha256;
    report["mesh_sha256"] = head.import.sha256;
    report["size"] = size;
    report["smooth_layer_size"] = layers.scar.width;
    report["albedo_size"] = albedo_size;
    report["dots"] = dots.dots.size();
    report["dots_splatted"] = layers.dots_splatted;
    report["dots_skipped"] = layers.dots_skipped;
    report["skin"] = {
        {"source", layers.skin_source},
        {"linear", {layers.skin_linear.x, layers.skin_linear.y, layers.skin_linear.z}}};
    report["recommended_shade"] = layers.recommended_shade;
    report["chart"] = chartReport(layers.chart, size);
    report["seconds"] = {{"dots", times.dots_seconds},
                         {"bake", bake_seconds},
                         {"splat", layers.splat_seconds},
                         {"encode", encode_seconds}};
    nlohmann::json files = nlohmann::json::array();
    for (const Output& o : outputs)
        files.push_back(
            {{"name", o.name}, {"bytes", o.bytes.size()}, {"sha256", sha256Hex(o.bytes)}});
    report["files"] = files;
    nlohmann::json warnings = nlohmann::json::array();
    for (const Problem& p : layers.warnings)
        warnings.push_back(p.format());
    for (const Problem& p : dots.warnings)
        warnings.push_back(p.format());
    report["warnings"] = warnings;

    writeAll(dir, outputs, overwrite, cancel, [&] {
        // The older bake's leftovers go only once every new file is in place.
        std::set<std::string> listed = {"bake.json"};
        for (const Output& o : outputs)
            listed.insert(o.name);
        if (!leftovers.files.empty())
            report["removed_from_older_run"] = removeOutputLeftovers(leftovers, listed);
        return report.dump(2) + "\n";
    });
    return report;
}

} // namespace stipple
