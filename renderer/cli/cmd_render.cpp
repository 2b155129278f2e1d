#include "commands.h"
#include "interrupt.h"
#include "option_names.h"

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/follicles.h"
#include "stipple/core/head_model.h"
#include "stipple/core/layers.h"
#include "stipple/core/session.h"
#if STIPPLE_HAVE_RENDER
#include "stipple/render/design_render.h"
#include "stipple/render/progress.h"
#include "stipple/render/render_job.h"
#endif

// `stipple render DESIGN... -o DIR`: stills, turntables, clips and sheets of one or more
// designs. All the work is in stipple::render (design_render.h, render_job.h); this file
// parses options, maps the library's neutral option names to its flags, and prints.

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

// "transparent" or "#rrggbb" into the overrides.
void parseBackground(const std::string& text, render::RenderOverrides& o) {
    if (text == "transparent") {
        o.transparent = true;
        return;
    }
    static const std::regex pattern("#([0-9a-fA-F]{6})");
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        throw Error("background '" + text + "' is not accepted; use transparent or #rrggbb", "",
                    "--background");
    const unsigned long v = std::stoul(m[1], nullptr, 16);
    o.background_srgb = glm::dvec3(double((v >> 16) & 255) / 255.0, double((v >> 8) & 255) / 255.0,
                                   double(v & 255) / 255.0);
}

// The library names options neutrally (render_job.h, design_render.h); the user typed flags.
const FlagTable& flagOfOption() {
    static const std::map<std::string, std::string> table = {
        {"size", "--size"},
        {"background", "--background"},
        {"lighting", "--lighting"},
        {"supersample", "--supersample"},
        {"views", "--view"},
        {"turntable_frames", "--turntable"},
        {"elevation", "--elevation"},
        {"top_view", "--top-view"},
        {"fps", "--fps"},
        {"watermark", "--watermark"},
        {"mp4", "--mp4"},
        {"gif", "--gif"},
        {"contact_sheet", "--contact-sheet"},
        {"layer_size", "--layer-size"},
        {"session", "--session"},
        {"overwrite", "--force"},
        {"provenance", "--provenance"},
    };
    return table;
}

// "--turntable" alone: the design's frame count; "--turntable N": N frames.
void parseTurntable(const CLI::App& app, const std::string& text, render::RenderOverrides& o) {
    if (app.count("--turntable") == 0) return;
    o.turntable = true;
    if (text.empty()) return;
    static const std::regex pattern(R"(-?\d{1,9})");
    if (!std::regex_match(text, pattern))
        throw Error("turntable frame count '" + text + "' is not a whole number; accepted 1..720",
                    "", "--turntable");
    o.turntable_frames = std::stoi(text);
}

} // namespace

Command addRenderCommand(CLI::App& root) {
    struct Options {
        std::vector<std::string> designs;
        std::string out;
        std::vector<std::string> views;
        std::string turntable;
        std::optional<double> elevation;
        bool top_view = false, no_top_view = false;
        std::string size;
        std::string background;
        std::optional<double> fps;
        std::optional<std::string> lighting;
        std::optional<int> supersample;
        bool before_after = false, mp4 = false, gif = false, contact_sheet = false;
        std::optional<std::string> watermark;
        bool force = false, json = false;
        std::string provenance = "private";
        int layer_size = 0; // 0: the design's render.layer_size
        int session = 0;    // 0: the whole design
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
                    "Turntable over 360 degrees: alone, the design's render.turntable_frames; "
                    "with N, N frames (1..720)")
        ->expected(0, 1)
        ->type_name("[N]");
    app->add_option("--elevation", opt->elevation,
                    "Camera elevation in degrees, -30..60 (default: design)");
    CLI::Option* top = app->add_flag("--top-view", opt->top_view,
                                     "Add the turntable's second pass looking down at 60 degrees "
                                     "(default: the design's render.top_view)");
    CLI::Option* no_top =
        app->add_flag("--no-top-view", opt->no_top_view, "Leave the turntable's top pass out");
    top->excludes(no_top);
    app->add_option("--size", opt->size, "WIDTHxHEIGHT, up to 3840x2160 (default: design)");
    app->add_option("--background", opt->background, "transparent or #rrggbb (default: design)");
    app->add_option("--fps", opt->fps, "Frames per second of MP4/GIF, 1..60 (default: design)");
    app->add_option("--lighting", opt->lighting,
                    "studio, clinic, daylight, or custom (the design's render.lights) (default: "
                    "design)");
    app->add_option("--supersample", opt->supersample,
                    "Stills only: render k times larger, 1..4 (default: the design's "
                    "render.supersample)");
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
    app->add_option("--session", opt->session,
                    "Show the treatment after session N (1..3, or 4 for a design of more than "
                    "3 x impressions_per_session dots; default: the whole design)");
    app->add_flag("--force", opt->force,
                  "Replace an existing output set: overwrite its files and remove the files of "
                  "the older run (listed in its manifest.json) that this run does not write");
    app->add_option("--provenance", opt->provenance,
                    "private (default): images and manifest identify designs by SHA-256 only; "
                    "full: add their names and the design and mesh paths");
    app->add_flag("--json", opt->json, "Print a JSON summary of what was written");

    command.run = [opt, app]() -> int {
        // Designs and heads first: bad input is reported before any GL work.
        std::vector<Design> designs;
        for (const std::string& file : opt->designs)
            designs.push_back(loadDesign(file));

        render::RenderOverrides o;
        if (!opt->size.empty()) std::tie(o.width, o.height) = parseSize(opt->size);
        if (!opt->background.empty()) parseBackground(opt->background, o);
        o.lighting = opt->lighting;
        o.supersample = opt->supersample;
        if (!opt->views.empty()) o.views = opt->views;
        parseTurntable(*app, opt->turntable, o);
        o.elevation_deg = opt->elevation;
        if (opt->top_view) o.top_view = true;
        if (opt->no_top_view) o.top_view = false;
        o.fps = opt->fps;
        o.watermark = opt->watermark;
        o.before_after = opt->before_after;
        o.mp4 = opt->mp4;
        o.gif = opt->gif;
        o.contact_sheet = opt->contact_sheet;

        return withFlagNames(flagOfOption(), [&] {
            render::RenderJob job = render::renderJobFromDesign(designs.front(), o);
            job.out_dir = opt->out;
            job.overwrite = opt->force ? Overwrite::Yes : Overwrite::No;
            job.progress = render::stderrIsTerminal();
            job.provenance = parseProvenanceMode(opt->provenance);
            job.cancel = &interruptFlag();
            ensureWritableDir(job.out_dir);

            // One Session per design: head, dots and layers (session.h).
            std::vector<std::unique_ptr<Session>> sessions;
            for (const Design& d : designs) {
                sessions.push_back(std::make_unique<Session>(d));
                Session& session = *sessions.back();
                if (opt->layer_size != 0) session.setLayerSize(opt->layer_size, "layer_size");
                if (opt->session != 0 || app->count("--session")) {
                    if (opt->session < 1 || opt->session > 4)
                        throw Error("session " + std::to_string(opt->session) +
                                        " does not exist; accepted 1..4 (a design has 3 "
                                        "sessions, 4 when it holds more than 3 x "
                                        "impressions_per_session dots)",
                                    "", "session");
                    session.setShownSession(opt->session, "session");
                }
                session.loadHead();
                if (!opt->no_layers) session.layers();
            }
            std::vector<render::RenderSubject> subjects;
            for (size_t i = 0; i < designs.size(); ++i) {
                Session& session = *sessions[i];
                subjects.push_back({&session.head(), opt->no_layers ? nullptr : &session.layers(),
                                    render::provenanceOf(designs[i], session.head())});
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
        });
    };
    return command;
}
#endif

} // namespace stipple::cli
