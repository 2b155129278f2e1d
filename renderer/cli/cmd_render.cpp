#include "commands.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"
#if STIPPLE_HAVE_RENDER
#include "stipple/render/camera.h"
#include "stipple/render/lighting.h"
#include "stipple/render/progress.h"
#include "stipple/render/render_job.h"
#endif

// `stipple render DESIGN... -o DIR`: stills, turntables, clips and sheets of one or more
// designs. All the work is in stipple::render (render_job.h); this file parses options.

namespace stipple::cli {

#if !STIPPLE_HAVE_RENDER
Command addRenderCommand(CLI::App& root) {
    Command command;
    command.app = root.add_subcommand("render", "Render stills and turntables (not in this build)");
    command.app->allow_extras();
    command.run = []() -> int {
        throw RuntimeFailure(
            "this stipple was built without the renderer (STIPPLE_BUILD_RENDER=OFF)");
    };
    return command;
}
#else

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<long long> g_first_signal_ns{0};

long long monotonicNs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts); // async-signal-safe
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

extern "C" void onInterrupt(int sig) {
    const long long now = monotonicNs();
    if (!g_interrupted.exchange(true)) {
        g_first_signal_ns.store(now);
        return;
    }
    // A second Ctrl-C more than a second later ends the process the usual way (writes are
    // atomic, so even then no partial file appears under a final name). Copies of the same
    // signal arriving together (a terminal or `timeout` signalling the whole process group)
    // are not a second request.
    if (now - g_first_signal_ns.load() > 1000000000LL) {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

// Installs the SIGINT/SIGTERM handler for the lifetime of a render and restores the old one.
class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted.store(false);
        m_old_int = std::signal(SIGINT, onInterrupt);
        m_old_term = std::signal(SIGTERM, onInterrupt);
    }
    ~InterruptGuard() {
        std::signal(SIGINT, m_old_int);
        std::signal(SIGTERM, m_old_term);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*m_old_int)(int) = SIG_DFL;
    void (*m_old_term)(int) = SIG_DFL;
};

std::pair<int, int> parseSize(const std::string& text) {
    static const std::regex pattern(R"((\d{1,5})[xX](\d{1,5}))");
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        throw Error("size '" + text +
                        "' is not WIDTHxHEIGHT (e.g. 1920x1080); accepted 16x16 .. "
                        "3840x2160",
                    "", "--size");
    return {std::stoi(m[1]), std::stoi(m[2])};
}

// "transparent" or "#rrggbb".
std::optional<glm::dvec3> parseBackground(const std::string& text) {
    if (text == "transparent") return std::nullopt;
    static const std::regex pattern("#([0-9a-fA-F]{6})");
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        throw Error("background '" + text + "' is not accepted; use transparent or #rrggbb", "",
                    "--background");
    const unsigned long v = std::stoul(m[1], nullptr, 16);
    return glm::dvec3(double((v >> 16) & 255) / 255.0, double((v >> 8) & 255) / 255.0,
                      double(v & 255) / 255.0);
}

} // namespace

Command addRenderCommand(CLI::App& root) {
    struct Options {
        std::vector<std::string> designs;
        std::string out;
        std::vector<std::string> views;
        int turntable = -1;
        std::optional<double> elevation;
        bool top_view = false;
        std::string size;
        std::string background;
        std::optional<double> fps;
        std::string lighting;
        int supersample = 1;
        bool before_after = false, mp4 = false, gif = false, contact_sheet = false;
        std::optional<std::string> watermark;
        bool force = false, json = false;
        int layer_size = 0; // 0: the design's render.layer_size
        bool no_layers = false;
    };
    auto opt = std::make_shared<Options>();
    Command command;
    CLI::App* app = root.add_subcommand(
        "render", "Render stills, turntables (PNG frames, MP4, GIF, contact sheet) and "
                  "before/after comparisons of one or more designs");
    command.app = app;
    app->add_option("DESIGN", opt->designs,
                    "Design file(s); several designs also give designs_<view>.png side by side")
        ->required();
    app->add_option("-o,--output", opt->out, "Output folder (created if missing)")->required();
    app->add_option("--view", opt->views,
                    "Still view, repeatable: front, three_quarter_left, three_quarter_right, left, "
                    "right, back, top, top_back, hairline_closeup, crown_closeup (default: the "
                    "design's views unless --turntable)");
    app->add_option("--turntable", opt->turntable,
                    "Turntable of N frames over 360 degrees (1..720)");
    app->add_option("--elevation", opt->elevation,
                    "Camera elevation in degrees, -30..60 (default: design)");
    app->add_flag("--top-view", opt->top_view,
                  "Add a second turntable pass looking down at 60 degrees");
    app->add_option("--size", opt->size, "WIDTHxHEIGHT, up to 3840x2160 (default: design)");
    app->add_option("--background", opt->background, "transparent or #rrggbb (default: design)");
    app->add_option("--fps", opt->fps, "Frames per second of MP4/GIF, 1..60 (default: design)");
    app->add_option("--lighting", opt->lighting, "studio, clinic, daylight, or custom (the design's render.lights) (default: design)");
    app->add_option("--supersample", opt->supersample, "Stills only: render k times larger, 1..4");
    app->add_flag("--before-after", opt->before_after,
                  "Also render the untreated state: <view>_before.png, side by side and split");
    app->add_flag("--mp4", opt->mp4, "Turntable as H.264 MP4 (needs --turntable)");
    app->add_flag("--gif", opt->gif, "Turntable as animated GIF (needs --turntable)");
    app->add_flag("--contact-sheet", opt->contact_sheet, "Turntable frames on one sheet");
    app->add_option("--watermark", opt->watermark,
                    "Disclaimer text on every image (default: the design's; \"\" for none)");
    app->add_option("--layer-size", opt->layer_size,
                    "Scalp-chart layer resolution, a power of two 1024..8192 (default: design)");
    app->add_flag("--no-layers", opt->no_layers, "Draw the bare head (no dots, no scar layers)");
    app->add_flag("--force", opt->force, "Overwrite existing outputs");
    app->add_flag("--json", opt->json, "Print a JSON summary of what was written");

    command.run = [opt]() -> int {
        // Designs and heads first: bad input is reported before any GL work.
        std::vector<Design> designs;
        for (const std::string& file : opt->designs)
            designs.push_back(loadDesign(file));
        const RenderSpec& spec = designs.front().render;

        render::RenderJob job;
        job.out_dir = opt->out;
        auto& s = job.settings;
        s.width = spec.width;
        s.height = spec.height;
        if (!opt->size.empty()) std::tie(s.width, s.height) = parseSize(opt->size);
        s.msaa = spec.msaa;
        s.supersample = opt->supersample;
        if (s.supersample < 1 || s.supersample > 4)
            throw Error("supersample " + std::to_string(s.supersample) +
                            " out of range; accepted 1..4",
                        "", "--supersample");
        s.transparent = spec.background == Background::Transparent;
        s.background_srgb = spec.background_srgb;
        if (!opt->background.empty()) {
            const std::optional<glm::dvec3> bg = parseBackground(opt->background);
            s.transparent = !bg;
            if (bg) s.background_srgb = *bg;
        }
        const std::string lighting = opt->lighting.empty() ? spec.lighting : opt->lighting;
        std::optional<render::Lighting> rig = render::lightingPreset(lighting);
        if (lighting == "custom") {
            if (spec.lights.empty())
                throw Error("--lighting custom needs the design's render.lights (1..4 lights); "
                            "this design has none",
                            "", "/render/lights");
            rig = render::customLighting(spec.lights, spec.ambient);
        }
        if (!rig) {
            std::string accepted;
            for (const std::string& n : render::lightingNames())
                accepted += (accepted.empty() ? "" : ", ") + n;
            throw Error("unknown lighting '" + lighting + "'; accepted: " + accepted + ", custom", "",
                        "--lighting");
        }
        s.lighting = *rig;
        if (opt->turntable == 0)
            throw Error("turntable frames 0 out of range; accepted 1..720", "", "--turntable");
        job.turntable_frames = std::max(0, opt->turntable);
        job.views = opt->views;
        if (job.views.empty() && job.turntable_frames == 0) job.views = spec.views;
        job.elevation_deg = opt->elevation.value_or(spec.elevation_deg);
        job.top_view_pass = opt->top_view;
        job.fps = opt->fps.value_or(spec.fps);
        job.before_after = opt->before_after;
        job.mp4 = opt->mp4;
        job.gif = opt->gif;
        job.contact_sheet = opt->contact_sheet;
        job.watermark = opt->watermark.value_or(spec.watermark);
        job.overwrite = opt->force ? Overwrite::Yes : Overwrite::No;
        job.progress = render::stderrIsTerminal();
        job.cancel = &g_interrupted;
        render::validateRenderJob(job);
        ensureWritableDir(job.out_dir);

        if (opt->layer_size != 0) validateLayerSize(opt->layer_size, "--layer-size");

        // design -> head model -> follicle dots -> layers, per design.
        std::vector<HeadModel> heads;
        std::vector<LayerStack> layers;
        heads.reserve(designs.size());
        layers.reserve(designs.size());
        for (const Design& d : designs) {
            heads.push_back(loadHeadModel(d.head));
            if (opt->no_layers) continue;
            const FollicleSet dots = generateFollicles(heads.back(), d);
            layers.push_back(
                bakeLayers(heads.back(), dots, d,
                           opt->layer_size != 0 ? opt->layer_size : d.render.layer_size));
        }
        std::vector<render::RenderSubject> subjects;
        for (size_t i = 0; i < designs.size(); ++i) {
            render::RenderSubject subject;
            subject.head = &heads[i];
            subject.layers = opt->no_layers ? nullptr : &layers[i];
            subject.provenance.design_name =
                designs[i].name.empty() ? designs[i].source.stem().string() : designs[i].name;
            subject.provenance.design_file = designs[i].source;
            subject.provenance.design_sha256 = designs[i].sha256;
            subject.provenance.seed = designs[i].seed;
            subject.provenance.mesh_file = designs[i].head.mesh;
            subject.provenance.mesh_sha256 = heads[i].import.sha256;
            subjects.push_back(std::move(subject));
        }

        InterruptGuard guard;
        const nlohmann::json summary = render::runRenderJob(subjects, job);
        if (opt->json) {
            std::cout << summary.dump(2) << "\n";
        } else {
            std::cout << "wrote " << summary["files"].size() << " file(s) to "
                      << job.out_dir.string() << " (manifest.json lists them)\n";
            for (const auto& w : summary["warnings"])
                std::cerr << "stipple: warning: " << w.get<std::string>() << "\n";
        }
        return 0;
    };
    return command;
}
#endif

} // namespace stipple::cli
