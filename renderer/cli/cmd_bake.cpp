#include "commands.h"
#include "interrupt.h"
#include "option_names.h"

// `stipple bake DESIGN -o DIR [--size N] [--force] [--json]`: the design's texture layers in the
// scalp chart as PNG files, a flattened albedo in the mesh's own UVs (when it has UVs), the
// albedo in chart space, and the head with its chart UVs as a GLB. Every check that can fail
// on the user's input runs before any long work. The files, the report and the rollback on
// failure are the library's (bake_outputs.h); this file parses options, prints and maps the
// library's option names to the CLI's (overwrite -> --force).

#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "stipple/core/bake_outputs.h"
#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/layers.h"
#include "stipple/core/session.h"

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
    std::string provenance = "private";
};

void printReport(const nlohmann::json& report, const fs::path& out_dir) {
    const nlohmann::json& c = report["chart"];
    std::printf("baked %zu dots into %d^2 layers in %.2f s (splat %.3f s, encode %.2f s)\n",
                report["dots_splatted"].get<size_t>(), report["size"].get<int>(),
                report["seconds"]["bake"].get<double>(), report["seconds"]["splat"].get<double>(),
                report["seconds"]["encode"].get<double>());
    std::printf("chart: %.0f cm^2, area distortion %.3f (max %.2f), angle %.1f deg "
                "(max %.1f), %zu folded triangles\n",
                c["region_area_cm2"].get<double>(), c["area_distortion"].get<double>(),
                c["area_distortion_max"].get<double>(), c["angle_distortion_deg"].get<double>(),
                c["angle_distortion_max_deg"].get<double>(), c["flipped_triangles"].get<size_t>());
    for (const auto& f : report["files"])
        std::printf("  %-28s %10zu bytes\n",
                    (out_dir / f["name"].get<std::string>()).string().c_str(),
                    f["bytes"].get<size_t>());
    std::printf("  %-28s\n", (out_dir / "bake.json").string().c_str());
    for (const auto& w : report["warnings"])
        std::cerr << "warning: " << w.get<std::string>() << "\n";
}

int runBake(const Options& options) {
    const auto t_start = Clock::now();
    // 1. Inputs that need no loading: size and output folder.
    if (options.size_given) validateLayerSize(options.size, "layer_size");
    const ProvenanceMode provenance = parseProvenanceMode(options.provenance);
    const Design design = loadDesign(options.design);
    const int size = options.size_given ? options.size : design.render.layer_size;
    if (!options.size_given) validateLayerSize(size, "/render/layer_size");
    const fs::path out_dir = options.output;
    try {
        ensureWritableDir(out_dir);
    } catch (const Error& e) {
        throw Error(std::string("--output: ") + e.what());
    }

    // 2. The head, then refuse existing files before any long work.
    Session session(design);
    session.setLayerSize(size, options.size_given ? "layer_size" : "/render/layer_size");
    session.loadHead();
    const HeadModel& head = session.head();
    const Overwrite overwrite = options.force ? Overwrite::Yes : Overwrite::No;
    checkBakeOutputs(out_dir, head.mesh, overwrite);

    // 3. Dots, layers (the Session), then the files and the report (bake_outputs.h).
    const auto t_dots = Clock::now();
    const FollicleSet& dots = session.follicles();
    BakeTimes times;
    times.dots_seconds = secondsSince(t_dots);
    const auto t_bake = Clock::now();
    const LayerStack& layers = session.layers();
    times.bake_seconds = secondsSince(t_bake);
    // Ctrl-C from here on stops between files and removes what was written (bake_outputs.h).
    InterruptGuard guard;
    nlohmann::json report = writeBakeOutputs(out_dir, design, head, dots, layers, times, overwrite,
                                             provenance, &interruptFlag());
    report["seconds"]["total"] = secondsSince(t_start);

    if (options.json)
        std::cout << report.dump(2) << "\n";
    else
        printReport(report, out_dir);
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
    CLI::Option* size =
        app->add_option("--size", options->size,
                        "Chart resolution: 1024, 2048, 4096 or 8192 (default: the design's "
                        "render.layer_size)");
    app->add_flag("--force", options->force, "Overwrite existing output files");
    app->add_option("--provenance", options->provenance,
                    "private (default): PNGs and bake.json identify the design and mesh by "
                    "SHA-256 only; full: add the design's name and the design and mesh paths");
    app->add_flag("--json", options->json, "Print a machine-readable report");
    command.app = app;
    command.run = [options, size] {
        options->size_given = size->count() > 0;
        return withFlagNames({{"layer_size", "--size"}, {"provenance", "--provenance"}},
                             [&] { return runBake(*options); });
    };
    return command;
}

} // namespace stipple::cli
