// The live Session (issue 9): per-edit cost on a warm session against a full recompute of the
// same edit, measured side by side in one run. Mannequin + examples/natural.json (~40k dots),
// 4096^2 layers. Results go to docs/benchmarks.md, section "Session".
//
//   build/tests/bench/session_bench [REPEATS]      (default 7; prints medians in ms)
//
// Each edit alternates between two designs (A -> B -> A ...), so every repeat really recomputes.
// "incremental": session.apply(next) then what a host needs to show it (the live layers for a
// colour edit, the exact layers for the others). A host shows no treatment sessions while the
// design is edited, so the dots are taken without session labels (SessionLabels::Deferred);
// what labelling them on demand costs afterwards is printed on its own line ("labels"). "full": a fresh session on the same head with
// the edited design, computing dots and layers (the head is not re-imported: that is "cold").

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stipple/core/session.h"
#include "stipple/core/splat.h"

namespace {

using namespace stipple;
using Clock = std::chrono::steady_clock;

const std::filesystem::path kDesign =
    std::filesystem::path(STIPPLE_SOURCE_DIR) / "examples" / "natural.json";

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// natural.json with `pointer` set to `value`.
Design withEdit(const std::string& pointer, const nlohmann::json& value) {
    std::ifstream in(kDesign, std::ios::binary);
    nlohmann::json j = nlohmann::json::parse(in);
    if (!pointer.empty()) j[nlohmann::json::json_pointer(pointer)] = value;
    return parseDesign(j.dump(), kDesign);
}

struct Edit {
    const char* name;
    const char* pointer;
    nlohmann::json a, b;
    bool live; // shown through LiveLayers (colour) rather than exact layers
    const char* target;
};

} // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    const Design base = withEdit("", nullptr);

    // Cold: import, head model, dots, 4096^2 layers.
    std::vector<double> cold;
    std::shared_ptr<const HeadModel> head;
    size_t dots = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = Clock::now();
        Session session(base);
        session.loadHead();
        dots = session.follicles().dots.size();
        session.layers();
        cold.push_back(msSince(t0));
        head = session.sharedHead();
    }
    std::printf("session_bench: mannequin, examples/natural.json, %zu dots, layers 4096^2, "
                "median of %d\n",
                dots, repeats);
    std::printf("%-34s %12s %12s %8s  %s\n", "edit", "incremental", "full", "ratio", "target");
    std::printf("%-34s %12s %10.1f ms %8s  %s\n", "cold session (import..layers)", "-",
                median(cold), "-", "< 1000 ms");

    const std::vector<Edit> edits = {
        {"zone shade (front 5.5 <-> 7.5)", "/zones/1/shade", 5.5, 7.5, true, "< 16 ms"},
        {"age_days (30 <-> 1825)", "/pigment/age_days", 30, 1825, true, "< 16 ms"},
        {"one zone density (front 65 <-> 50)", "/zones/1/density_per_cm2", 65, 50, false,
         "< 60 ms"},
        {"hairline height (82 <-> 86 mm)", "/hairline/frontal_height_mm", 82, 86, false,
         "< 150 ms"},
        {"render lighting (studio <-> clinic)", "/render/lighting", "studio", "clinic", false,
         "~0"},
    };
    for (const Edit& e : edits) {
        const Design da = withEdit(e.pointer, e.a), db = withEdit(e.pointer, e.b);
        Session session(da);
        session.setHead(head);
        session.layers(); // warm
        std::vector<double> inc, full, splat, t_region, t_chart, t_dots, t_labels;
        size_t tiles = 0, bakes = session.runs().layers;
        for (int r = 0; r < repeats; ++r) {
            const Design& next = (r % 2 == 0) ? db : da;
            auto t0 = Clock::now();
            session.apply(next);
            if (e.live) {
                session.liveLayers();
            } else {
                // The stages in order, so the breakdown adds up to the edit's cost.
                auto ts = Clock::now();
                session.region();
                t_region.push_back(msSince(ts));
                ts = Clock::now();
                session.chart();
                t_chart.push_back(msSince(ts));
                ts = Clock::now();
                session.follicles(SessionLabels::Deferred);
                t_dots.push_back(msSince(ts));
                session.layers();
            }
            inc.push_back(msSince(t0));
            if (!e.live) {
                const auto ts = Clock::now();
                session.follicles(); // the sessions, when a host asks for them
                t_labels.push_back(msSince(ts));
            }
            if (!e.live && session.runs().layers != bakes) {
                bakes = session.runs().layers;
                splat.push_back(1e3 * session.layers().splat_seconds);
                tiles = session.layers().tiles_splatted;
            }
            t0 = Clock::now();
            Session fresh(next);
            fresh.setHead(head);
            fresh.layers();
            full.push_back(msSince(t0));
        }
        const double mi = median(inc), mf = median(full);
        std::printf("%-34s %9.1f ms %9.1f ms %7.1fx  %s\n", e.name, mi, mf, mf / std::max(mi, 1e-3),
                    e.target);
        if (!splat.empty()) {
            std::printf("%-34s %9.1f ms region, %.1f ms chart, %.1f ms dots\n", "",
                        median(t_region), median(t_chart), median(t_dots));
            std::printf("%-34s %9.1f ms of it in the pigment splat, %zu of %d tiles\n", "",
                        median(splat), tiles, splatTileCount(4096));
            std::printf("%-34s %9.1f ms more to label the treatment sessions on demand\n", "",
                        median(t_labels));
        }
    }
    return 0;
}
