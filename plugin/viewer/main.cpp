// stipple-viewer DESIGN [--script actions.json] [--stats stats.json] [--size WxH] [--msaa N]
//                [--layer-size N] [--interactive-scale S] [--client]
// The consultation viewer (viewer_app.h). Exit codes as the CLI: 0 success, 1 runtime failure
// (no display, a failed script), 2 bad input.

#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>

#include "stipple/core/error.h"
#include "viewer_app.h"

int main(int argc, char** argv) {
    using namespace stipple;
    viewer::ViewerOptions o;
    std::string size;
    CLI::App app{"Stipple consultation viewer: shape the hairline live with the client"};
    app.add_option("DESIGN", o.design, "Design file (design file v1)")->required();
    app.add_option("--script", o.script, "Replay UI actions from a JSON file, then quit");
    app.add_option("--stats", o.stats, "Write frame and action timings (JSON) on exit");
    app.add_option("--size", size, "Window size WIDTHxHEIGHT (default 1280x720)");
    app.add_option("--msaa", o.msaa, "Window multisampling: 0, 2 or 4 (default 4)");
    app.add_option("--layer-size", o.layer_size,
                   "Live layer resolution, a power of two 1024..8192 (default 2048; 0: the "
                   "design's). Exports always use the design's.");
    app.add_option("--interactive-scale", o.interactive_scale,
                   "Share of the window's width and height drawn while the camera moves, "
                   "0.25..1 (default 0.5)")
        ->check(CLI::Range(0.25, 1.0));
    app.add_flag("--client", o.client, "Start in client mode (panels hidden, split slider)");
    CLI11_PARSE(app, argc, argv);
    static const std::regex pattern(R"((\d{2,5})x(\d{2,5}))");
    std::smatch m;
    if (!size.empty()) {
        if (!std::regex_match(size, m, pattern)) {
            std::cerr << "stipple-viewer: --size '" << size << "' is not WIDTHxHEIGHT\n";
            return 2;
        }
        o.width = std::stoi(m[1]);
        o.height = std::stoi(m[2]);
    }
    try {
        viewer::ViewerApp viewer(o);
        return viewer.run();
    } catch (const RuntimeFailure& e) {
        std::cerr << "stipple-viewer: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "stipple-viewer: " << e.what() << "\n";
        return 2;
    }
}
