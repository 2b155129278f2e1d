#include "commands.h"

// `stipple bake DESIGN -o DIR [--size N] [--force] [--json]`: the design's texture layers in the
// scalp chart as PNG files, a flattened albedo in the mesh's own UVs (when it has UVs), the
// albedo in chart space, and the head with its chart UVs as a GLB. Every check that can fail
// on the user's input runs before any long work; every file is written atomically; a failure
// half-way removes what this run wrote, so nothing is ever half-written.

#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/hash.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/core/scalp_chart.h"
#if __has_include("stipple/core/mesh_export.h")
#include "stipple/core/mesh_export.h"
#define STIPPLE_HAVE_MESH_EXPORT 1
#endif

namespace stipple::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Options {
    std::string design;
    std::string output;
    int size = 0;
    bool size_given = false; // else the design's render.layer_size
    bool force = false;
    bool json = false;
};

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
        const int tu = std::clamp(int(std::floor(c.x)), 0, 9), tv = std::max(0, int(std::floor(c.y)));
        tiles.push_back(1001 + tu + 10 * tv);
    }
    std::sort(tiles.begin(), tiles.end());
    tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
    std::vector<std::string> names;
    for (int tile : tiles) names.push_back("albedo_flat." + std::to_string(tile) + ".png");
    return names;
}

int runBake(const Options& options) {
    const auto t_start = Clock::now();
    // 1. Inputs that need no loading: size and output folder.
    if (options.size_given) validateLayerSize(options.size, "--size");
    const Design design = loadDesign(options.design);
    const int size = options.size_given ? options.size : design.render.layer_size;
    if (!options.size_given) validateLayerSize(size, "/render/layer_size");
    const fs::path out_dir = options.output;
    try {
        ensureWritableDir(out_dir);
    } catch (const Error& e) {
        throw Error(std::string("--output: ") + e.what());
    }

    // 2. The head, then the complete list of files, and refuse before any long work.
    const HeadModel head = loadHeadModel(design.head);
    std::vector<std::string> names = {"pigment.png", "scar.png", "scar_roughness.png",
                                      "before.png", "albedo_chart.png"};
    const std::vector<std::string> albedo_names = albedoNames(head.mesh);
    for (const std::string& n : albedo_names) names.push_back(n);
#ifdef STIPPLE_HAVE_MESH_EXPORT
    names.push_back("head_chart.glb");
#endif
    names.push_back("bake.json");
    if (!options.force)
        for (const std::string& n : names)
            if (fs::exists(out_dir / n))
                throw Error("exists; pass --force to overwrite (nothing was written)",
                            (out_dir / n).string());

    // 3. Dots and layers.
    const auto t_dots = Clock::now();
    const FollicleSet dots = generateFollicles(head, design);
    const double dots_seconds = secondsSince(t_dots);
    const auto t_bake = Clock::now();
    LayerStack layers = bakeLayers(head, dots, design, size);
    const int albedo_size = std::min(size, 4096);
    const std::vector<AlbedoTile> tiles = flattenAlbedo(head, layers, albedo_size);
    const Image8 chart_albedo = chartAlbedo(layers, albedo_size);
    const double bake_seconds = secondsSince(t_bake);

    // 4. Encode every file on its own thread (PNG encoding dominates; keep it parallel).
    const TextChunks text = {{"stipple:version", STIPPLE_VERSION},
                             {"stipple:design", design.source.string()},
                             {"stipple:design_sha256", design.sha256},
                             {"stipple:mesh_sha256", head.import.sha256},
                             {"stipple:layer_size", std::to_string(size)}};
    auto withLayer = [&](const std::string& layer) {
        TextChunks t = text;
        t.emplace_back("stipple:layer", layer);
        return t;
    };
    std::vector<Output> outputs;
    outputs.push_back({"pigment.png", [&] { return encodePng(layers.pigment, withLayer("pigment"), 1); }, {}});
    outputs.push_back({"scar.png", [&] { return encodePng(layers.scar, withLayer("scar"), 6); }, {}});
    outputs.push_back({"scar_roughness.png",
                       [&] { return encodePng(layers.scar_roughness, withLayer("scar_roughness"), 6); }, {}});
    outputs.push_back({"before.png", [&] { return encodePng(layers.before, withLayer("before"), 6); }, {}});
    outputs.push_back({"albedo_chart.png",
                       [&] { return encodePng(chart_albedo, withLayer("albedo_chart"), 3); }, {}});
    // flattenAlbedo and albedoNames both order tiles by UDIM number.
    if (tiles.size() != albedo_names.size())
        throw RuntimeFailure("bake: flattened albedo tiles do not match the mesh's UV tiles");
    for (size_t i = 0; i < tiles.size(); ++i) {
        const AlbedoTile& tile = tiles[i];
        outputs.push_back({albedo_names[i], [&tile, &withLayer] {
                               return encodePng(tile.image, withLayer("albedo_flat"), 3);
                           }, {}});
    }
#ifdef STIPPLE_HAVE_MESH_EXPORT
    outputs.push_back({"head_chart.glb", [&] {
                           const ChartedMesh split = splitForChart(head.mesh, layers.chart);
                           MeshExportOptions o;
                           o.format = MeshFormat::Glb;
                           o.chart_uvs = split.chart_uvs;
                           o.name = "head";
                           return exportMesh(split.mesh, o).bytes;
                       }, {}});
#endif
    const auto t_encode = Clock::now();
    {
        std::vector<std::future<std::string>> jobs;
        for (Output& o : outputs) jobs.push_back(std::async(std::launch::async, o.encode));
        for (size_t i = 0; i < outputs.size(); ++i) outputs[i].bytes = jobs[i].get();
    }
    const double encode_seconds = secondsSince(t_encode);

    // 5. The report (also written as bake.json beside the files).
    nlohmann::json report;
    report["design"] = design.source.string();
    report["design_sha256"] = design.sha256;
    report["mesh"] = head.import.file.string();
    report["mesh_sha256"] = head.import.sha256;
    report["size"] = size;
    report["smooth_layer_size"] = layers.scar.width;
    report["albedo_size"] = albedo_size;
    report["dots"] = dots.dots.size();
    report["dots_splatted"] = layers.dots_splatted;
    report["dots_skipped"] = layers.dots_skipped;
    report["skin"] = {{"source", layers.skin_source},
                      {"linear", {layers.skin_linear.x, layers.skin_linear.y, layers.skin_linear.z}}};
    report["recommended_shade"] = layers.recommended_shade;
    const ScalpChart& c = layers.chart;
    report["chart"] = {{"projection", "lambert_azimuthal_equal_area"},
                       {"centre_mm", {c.centre_mm.x, c.centre_mm.y, c.centre_mm.z}},
                       {"region_area_cm2", c.region_area_mm2 / 100.0},
                       {"area_distortion", c.area_distortion},
                       {"area_distortion_max", c.area_distortion_max},
                       {"angle_distortion_deg", c.angle_distortion_deg},
                       {"angle_distortion_max_deg", c.angle_distortion_max_deg},
                       {"flipped_triangles", c.flipped_triangles},
                       {"chart_area_fraction", c.chart_area_fraction},
                       {"mean_texel_mm", c.mm_per_uv / size}};
    report["seconds"] = {{"dots", dots_seconds}, {"bake", bake_seconds},
                         {"splat", layers.splat_seconds}, {"encode", encode_seconds}};
    nlohmann::json files = nlohmann::json::array();
    for (const Output& o : outputs)
        files.push_back({{"name", o.name}, {"bytes", o.bytes.size()}, {"sha256", sha256Hex(o.bytes)}});
    report["files"] = files;
    nlohmann::json warnings = nlohmann::json::array();
    for (const Problem& p : layers.warnings)
        warnings.push_back(p.format());
    for (const Problem& p : dots.warnings) warnings.push_back(p.format());
    report["warnings"] = warnings;
    outputs.push_back({"bake.json", {}, report.dump(2) + "\n"});

    // 6. Write atomically; on failure remove what this run created.
    const Overwrite overwrite = options.force ? Overwrite::Yes : Overwrite::No;
    std::vector<fs::path> created;
    try {
        for (const Output& o : outputs) {
            const fs::path file = out_dir / o.name;
            const bool existed = fs::exists(file);
            writeFileAtomic(file, o.bytes, overwrite);
            if (!existed) created.push_back(file);
        }
    } catch (...) {
        std::error_code ec;
        for (const fs::path& f : created) fs::remove(f, ec);
        throw;
    }
    report["seconds"]["total"] = secondsSince(t_start);

    if (options.json) {
        std::cout << report.dump(2) << "\n";
    } else {
        std::printf("baked %zu dots into %d^2 layers in %.2f s (splat %.3f s, encode %.2f s)\n",
                    layers.dots_splatted, size, bake_seconds, layers.splat_seconds,
                    encode_seconds);
        std::printf("chart: %.0f cm^2, area distortion %.3f (max %.2f), angle %.1f deg "
                    "(max %.1f), %zu folded triangles\n",
                    c.region_area_mm2 / 100.0, c.area_distortion, c.area_distortion_max,
                    c.angle_distortion_deg, c.angle_distortion_max_deg, c.flipped_triangles);
        for (const Output& o : outputs)
            std::printf("  %-28s %10zu bytes\n", (out_dir / o.name).string().c_str(), o.bytes.size());
        for (const auto& w : warnings) std::cerr << "warning: " << w.get<std::string>() << "\n";
    }
    return 0;
}

} // namespace

Command addBakeCommand(CLI::App& root) {
    auto options = std::make_shared<Options>();
    Command command;
    CLI::App* app = root.add_subcommand(
        "bake", "Bake the design's texture layers (scalp chart PNGs, flattened albedo, GLB)");
    app->add_option("design", options->design, "Design file (JSON)")->required();
    app->add_option("-o,--output", options->output, "Output folder (created if missing)")
        ->required();
    CLI::Option* size = app->add_option("--size", options->size,
                    "Chart resolution: 1024, 2048, 4096 or 8192 (default: the design's "
                    "render.layer_size)");
    app->add_flag("--force", options->force, "Overwrite existing output files");
    app->add_flag("--json", options->json, "Print a machine-readable report");
    command.app = app;
    command.run = [options, size] {
        options->size_given = size->count() > 0;
        return runBake(*options);
    };
    return command;
}

} // namespace stipple::cli
