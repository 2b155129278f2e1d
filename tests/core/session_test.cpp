#include "stipple/core/session.h"

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dot_hash.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/hash.h"
#include "test_util.h"

// The Session's contract: apply() marks stale exactly the stages an edit reaches (the counters
// in StageRuns prove what reran), chart UVs stay put across non-head edits, other zones' dots
// stay bit-identical, and the design file round-trips byte for byte.

namespace stipple {
namespace {

using Json = nlohmann::json;

using test::readText;

std::filesystem::path example(const std::string& name) {
    return test::sourceDir() / "examples" / name;
}

// The example `name` with `pointer` set to `value` (created when missing), parsed as if it were
// the example file itself (relative paths resolve the same way).
Design edited(const std::string& name, const std::string& pointer, const Json& value) {
    Json j = Json::parse(readText(example(name)));
    j[Json::json_pointer(pointer)] = value;
    return parseDesign(j.dump(), example(name));
}

using test::dotsHash;

std::vector<Dot> dotsOfZone(const FollicleSet& set, ZoneId zone) {
    std::vector<Dot> out;
    for (const Dot& d : set.dots)
        if (d.zone == zone) out.push_back(d);
    return out;
}

std::string uvHash(const ScalpChart& chart) {
    return sha256Hex(std::string_view(reinterpret_cast<const char*>(chart.uvs.data()),
                                      chart.uvs.size() * sizeof(glm::vec2))) +
           sha256Hex(std::string_view(reinterpret_cast<const char*>(chart.inside.data()),
                                      chart.inside.size()));
}

// --- the design file round trip ---

TEST(DesignWriter, RoundTripIsByteIdenticalForEveryExample) {
    for (const auto& entry : std::filesystem::directory_iterator(test::sourceDir() / "examples")) {
        SCOPED_TRACE(entry.path().string());
        const Design a = loadDesign(entry.path());
        const std::string text = designToText(a, entry.path().parent_path());
        const Design b = parseDesign(text, entry.path());
        EXPECT_EQ(designToText(b, entry.path().parent_path()), text);
        EXPECT_EQ(b.head.mesh, a.head.mesh);
        EXPECT_TRUE(b.warnings.size() <= a.warnings.size()) << text;
    }
}

TEST(DesignWriter, HexColourRoundsToTheNearestByte) {
    EXPECT_EQ(hexColour({0.1, 0.09, 0.08}), "#1a1714");
    EXPECT_EQ(hexColour({1.5, -1, 0.5}), "#ff0080");
}

// --- the field -> stage table ---

struct TableCase {
    const char* example;
    const char* pointer;
    Json value;
    // expected: which flags are set (h head, r region, c chart, d dots, l layers, o colour,
    // n render) and which zones resample ("all", "none" or one zone name)
    const char* flags;
    const char* zones;
};

TEST(SessionTable, EachFieldMarksExactlyItsStages) {
    const std::vector<TableCase> cases = {
        {"natural.json", "/seed", 7, "rcdl", "all"},
        {"natural.json", "/hairline/frontal_height_mm", 85, "rcdl", "all"},
        {"natural.json", "/zones/1/density_per_cm2", 50, "dl", "front"},
        {"natural.json", "/zones/1/diameter_mm", 0.3, "dl", "front"},
        {"natural.json", "/zones/0/shade", 3, "do", "none"},
        {"natural.json", "/pigment/age_days", 400, "o", "none"},
        {"natural.json", "/pigment/fitzpatrick", 5, "o", "none"},
        {"natural.json", "/impressions_per_session", 9000, "d", "none"},
        {"natural.json", "/render/layer_size", 2048, "l", "none"},
        {"natural.json", "/render/fps", 30, "n", "none"},
        {"natural.json", "/render/turntable_frames", 72, "n", "none"},
        {"natural.json", "/name", "Client 12", "n", "none"},
        {"natural.json", "/notes", "consent on file", "", "none"},
        {"natural.json", "/head/units", "auto", "hrcdl", "all"},
        {"fut_scar_camouflage.json", "/scars/0/width_mm", 8, "dl", "none"},
        {"density_total_mode.json", "/zones/2/weight", 2, "dl", "all"},
    };
    for (const TableCase& c : cases) {
        SCOPED_TRACE(std::string(c.example) + " " + c.pointer);
        const Design before = loadDesign(example(c.example));
        const Design after = edited(c.example, c.pointer, c.value);
        const SessionChange change = diffDesigns(before, after);
        const std::string f = c.flags;
        auto has = [&](char k) { return f.find(k) != std::string::npos; };
        EXPECT_EQ(change.head, has('h'));
        EXPECT_EQ(change.region, has('r'));
        EXPECT_EQ(change.chart, has('c'));
        EXPECT_EQ(change.dots, has('d'));
        EXPECT_EQ(change.layers, has('l'));
        EXPECT_EQ(change.colour, has('o'));
        EXPECT_EQ(change.render, has('n'));
        const std::string zones = c.zones;
        if (zones == "all")
            EXPECT_EQ(change.zoneCount(), kZoneCount);
        else if (zones == "none")
            EXPECT_EQ(change.zoneCount(), 0u);
        else {
            EXPECT_EQ(change.zoneCount(), 1u);
            EXPECT_TRUE(change.zones[size_t(*parseZoneName(zones))]);
        }
        EXPECT_FALSE(change.fields.empty());
    }
}

TEST(SessionTable, IdenticalDesignsChangeNothing) {
    const Design a = loadDesign(example("natural.json"));
    const SessionChange change = diffDesigns(a, a);
    EXPECT_FALSE(change.any());
    EXPECT_TRUE(change.fields.empty());
}

// --- the Session on the mannequin (examples/natural.json, ~40k dots) ---

class SessionMannequin : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Design design = loadDesign(example("natural.json"));
        s_head = std::make_shared<const HeadModel>(loadHeadModel(design.head));
    }
    static void TearDownTestSuite() { s_head.reset(); }

    // A warm session at layer size 1024 (the tests compare layers, not their resolution).
    std::unique_ptr<Session> warmSession(const std::string& name = "natural.json") {
        auto session = std::make_unique<Session>(loadDesign(example(name)));
        session->setHead(s_head);
        session->setLayerSize(1024);
        session->follicles();
        session->chart();
        return session;
    }

    static std::shared_ptr<const HeadModel> s_head;
};
std::shared_ptr<const HeadModel> SessionMannequin::s_head;

TEST_F(SessionMannequin, RenderEditRecomputesNothing) {
    auto session = warmSession();
    session->layers();
    const StageRuns before = session->runs();
    const SessionChange change =
        session->apply(edited("natural.json", "/render/lighting", "daylight"));
    EXPECT_TRUE(change.render);
    session->follicles();
    session->layers();
    session->chart();
    const StageRuns after = session->runs();
    EXPECT_EQ(after.region, before.region);
    EXPECT_EQ(after.chart, before.chart);
    EXPECT_EQ(after.zone, before.zone);
    EXPECT_EQ(after.dots, before.dots);
    EXPECT_EQ(after.layers, before.layers);
}

TEST_F(SessionMannequin, OneZoneEditResamplesThatZoneOnlyAndKeepsTheOthersBitIdentical) {
    auto session = warmSession();
    const FollicleSet before = session->follicles();
    const StageRuns runs_before = session->runs();
    session->apply(edited("natural.json", "/zones/1/density_per_cm2", 50)); // front
    const FollicleSet& after = session->follicles();
    const StageRuns& runs = session->runs();
    for (size_t z = 0; z < kZoneCount; ++z) {
        SCOPED_TRACE(kZoneNames[z]);
        EXPECT_EQ(runs.zone[z], runs_before.zone[z] + (ZoneId(z) == ZoneId::Front ? 1 : 0));
        if (ZoneId(z) == ZoneId::Front) continue;
        // Bit-identical but along the front zone's borders: there the merge drops a dot that
        // comes closer than 0.65 spacings to another zone's (follicles.cpp, resolveBorders()),
        // so a dot of this zone may come or go within one such distance of a front dot (two at
        // a junction of three zones: at 40 dots/cm2, s = 1.70 mm, 2 x 1.1 mm; 3 mm allowed,
        // and every changed dot is within it).
        std::map<uint64_t, Dot> was, now;
        for (const Dot& d : dotsOfZone(before, ZoneId(z)))
            was[d.id] = d;
        for (const Dot& d : dotsOfZone(after, ZoneId(z)))
            now[d.id] = d;
        std::vector<Dot> front = dotsOfZone(before, ZoneId::Front);
        const std::vector<Dot> front_after = dotsOfZone(after, ZoneId::Front);
        front.insert(front.end(), front_after.begin(), front_after.end());
        auto nearFront = [&](const Dot& d) {
            for (const Dot& f : front)
                if (glm::length(f.position_mm - d.position_mm) < 3.0) return true;
            return false;
        };
        std::vector<Dot> kept_before, kept_after;
        size_t changed = 0;
        for (const auto& [id, d] : was) {
            if (now.count(id)) {
                kept_before.push_back(d);
                kept_after.push_back(now[id]);
            } else {
                ++changed;
                EXPECT_TRUE(nearFront(d)) << "dot " << id << " lost away from the front zone";
            }
        }
        for (const auto& [id, d] : now)
            if (!was.count(id)) {
                ++changed;
                EXPECT_TRUE(nearFront(d)) << "dot " << id << " gained away from the front zone";
            }
        EXPECT_EQ(dotsHash(kept_after), dotsHash(kept_before));
        EXPECT_LT(double(changed), 0.05 * double(was.size()) + 5);
    }
    EXPECT_EQ(runs.region, runs_before.region);
    // 65 -> 50 dots/cm2: the front zone keeps 50/65 of its dots (count tolerance of the
    // sampler: 1.5% on small zones, see follicles.cpp).
    const double ratio = double(dotsOfZone(after, ZoneId::Front).size()) /
                         double(dotsOfZone(before, ZoneId::Front).size());
    EXPECT_NEAR(ratio, 50.0 / 65.0, 0.02);
    // And the same as a session that computed the edited design from scratch.
    Session fresh(edited("natural.json", "/zones/1/density_per_cm2", 50));
    fresh.setHead(s_head);
    EXPECT_EQ(dotsHash(fresh.follicles().dots), dotsHash(after.dots));
}

TEST_F(SessionMannequin, ChartUvsAreByteIdenticalAcrossNonHeadEdits) {
    auto session = warmSession("fut_scar_camouflage.json");
    const std::string uvs = uvHash(session->chart());
    const std::vector<std::pair<std::string, Json>> edits = {{"/zones/5/density_per_cm2", 40},
                                                             {"/zones/6/shade", 8},
                                                             {"/scars/0/width_mm", 9},
                                                             {"/pigment/age_days", 1825},
                                                             {"/zones/6/enabled", false}};
    Json j = Json::parse(readText(example("fut_scar_camouflage.json")));
    for (const auto& [pointer, value] : edits) {
        SCOPED_TRACE(pointer);
        j[Json::json_pointer(pointer)] = value;
        session->apply(parseDesign(j.dump(), example("fut_scar_camouflage.json")));
        session->follicles();
        EXPECT_EQ(uvHash(session->chart()), uvs);
        EXPECT_EQ(uvHash(session->layers().chart), uvs);
    }
}

TEST_F(SessionMannequin, ShadeEditRecoloursWithoutResampling) {
    auto session = warmSession();
    const FollicleSet before = session->follicles();
    const StageRuns runs_before = session->runs();
    session->apply(edited("natural.json", "/zones/1/shade", 7.5)); // front 5.5 -> 7.5
    const FollicleSet& after = session->follicles();
    EXPECT_EQ(session->runs().zone, runs_before.zone);
    EXPECT_EQ(session->runs().region, runs_before.region);
    ASSERT_EQ(after.dots.size(), before.dots.size());
    for (size_t i = 0; i < after.dots.size(); ++i) {
        EXPECT_EQ(after.dots[i].id, before.dots[i].id);
        const float expected = before.dots[i].zone == ZoneId::Front
                                   ? before.dots[i].shade * 7.5f / 5.5f
                                   : before.dots[i].shade;
        // One float rounding of the rescale (the shade is a float of a double product).
        ASSERT_NEAR(after.dots[i].shade, expected, 1e-5f) << i;
    }
    // Equal to a full recompute of the edited design, within that rounding.
    Session fresh(edited("natural.json", "/zones/1/shade", 7.5));
    fresh.setHead(s_head);
    const FollicleSet& full = fresh.follicles();
    ASSERT_EQ(full.dots.size(), after.dots.size());
    for (size_t i = 0; i < full.dots.size(); ++i)
        ASSERT_NEAR(full.dots[i].shade, after.dots[i].shade, 1e-5f) << i;
}

// Every texel and figure of two bakes: a re-splat of the pigment alone must equal a full bake
// byte for byte (the renderer and the golden images see no difference).
void expectSameLayers(const LayerStack& a, const LayerStack& b) {
    EXPECT_EQ(a.size, b.size);
    EXPECT_TRUE(a.pigment.pixels == b.pigment.pixels) << "pigment";
    EXPECT_TRUE(a.zone_map.pixels == b.zone_map.pixels) << "zone_map";
    EXPECT_TRUE(a.scar.pixels == b.scar.pixels) << "scar";
    EXPECT_TRUE(a.scar_roughness.pixels == b.scar_roughness.pixels) << "scar_roughness";
    EXPECT_TRUE(a.before.pixels == b.before.pixels) << "before";
    EXPECT_EQ(a.skin_linear, b.skin_linear);
    EXPECT_EQ(a.skin_source, b.skin_source);
    EXPECT_EQ(a.recommended_shade, b.recommended_shade);
    EXPECT_EQ(a.dots_splatted, b.dots_splatted);
    EXPECT_EQ(a.dots_skipped, b.dots_skipped);
    ASSERT_EQ(a.warnings.size(), b.warnings.size());
    for (size_t i = 0; i < a.warnings.size(); ++i)
        EXPECT_EQ(a.warnings[i].format(), b.warnings[i].format());
}

const LayerStack& freshLayers(Session& fresh, const std::shared_ptr<const HeadModel>& head) {
    fresh.setHead(head);
    fresh.setLayerSize(1024);
    return fresh.layers();
}

TEST_F(SessionMannequin, ZoneEditReSplatsThePigmentInPlaceByteIdenticalToAFullBake) {
    // A design with a scar, so the kept scar layer is not empty.
    const std::string name = "fut_scar_camouflage.json";
    auto session = warmSession(name);
    const std::vector<uint16_t> pigment_before = session->layers().pigment.pixels;
    const uint16_t* allocation = session->layers().pigment.pixels.data();
    const size_t bakes = session->runs().layers;
    for (const double density : {40.0, 55.0}) {
        SCOPED_TRACE(density);
        const Design next = edited(name, "/zones/5/density_per_cm2", density);
        session->apply(next);
        const LayerStack& after = session->layers();
        // The re-splat path: the pigment layer's allocation is reused, not re-made, and only
        // the tiles the zone's old and new dots reach are splatted again.
        EXPECT_EQ(after.pigment.pixels.data(), allocation);
        EXPECT_GT(after.tiles_splatted, 0u);
        EXPECT_LT(after.tiles_splatted, size_t(splatTileCount(after.size)));
        Session fresh(next);
        expectSameLayers(after, freshLayers(fresh, s_head));
    }
    EXPECT_EQ(session->runs().layers, bakes + 2);
    EXPECT_FALSE(session->layers().pigment.pixels == pigment_before); // the edit shows
}

TEST_F(SessionMannequin, ScarAndColourEditsAfterAZoneEditStillBakeEveryLayer) {
    const std::string name = "fut_scar_camouflage.json";
    auto session = warmSession(name);
    const std::vector<uint16_t> scar_before = session->layers().scar.pixels;
    Json j = Json::parse(readText(example(name)));
    // A zone edit with a scar edit (the scar layer changes), then with a pigment edit (the
    // skin and filters change), then a zone edit after a live re-colouring.
    const std::vector<std::vector<std::pair<std::string, Json>>> edits = {
        {{"/zones/5/density_per_cm2", 40}, {"/scars/0/width_mm", 9}},
        {{"/zones/5/density_per_cm2", 45},
         {"/pigment/skin_from_mesh", false},
         {"/pigment/fitzpatrick", 5}},
        {{"/zones/6/shade", 8}},
        {{"/zones/5/density_per_cm2", 50}},
    };
    for (size_t e = 0; e < edits.size(); ++e) {
        SCOPED_TRACE(e);
        for (const auto& [pointer, value] : edits[e])
            j[Json::json_pointer(pointer)] = value;
        const Design next = parseDesign(j.dump(), example(name));
        session->apply(next);
        if (e == 2) {
            session->liveLayers(); // colour only: no bake, then the zone edit below
            continue;
        }
        const LayerStack& after = session->layers();
        Session fresh(next);
        expectSameLayers(after, freshLayers(fresh, s_head));
        if (e == 0) {
            EXPECT_FALSE(after.scar.pixels == scar_before); // the scar edit shows
        }
    }
}

TEST_F(SessionMannequin, ReportOnlyFigureResamplesNothing) {
    auto session = warmSession();
    const size_t dots = session->follicles().dots.size();
    const StageRuns runs_before = session->runs();
    session->apply(edited("natural.json", "/impressions_per_session", 10000));
    const FollicleSet& after = session->follicles();
    EXPECT_EQ(session->runs().zone, runs_before.zone);
    EXPECT_EQ(session->runs().dots, runs_before.dots);
    EXPECT_NEAR(after.sessions, double(dots) / 10000.0, 1e-12);
}

TEST_F(SessionMannequin, SessionLabelsWaitUntilAHostAsksForThem) {
    // A zone edit shown live (dots and layers) does not label the treatment sessions (the
    // costliest figure of a merge); follicles() labels them on demand, equal to a batch
    // generateFollicles() of the same design, and a shown session labels them too.
    auto session = warmSession();
    const StageRuns before = session->runs();
    const Design next = edited("natural.json", "/zones/1/density_per_cm2", 50);
    session->apply(next);
    const FollicleSet& live = session->follicles(SessionLabels::Deferred);
    EXPECT_FALSE(live.sessions_labelled);
    EXPECT_TRUE(live.session_figures.empty());
    EXPECT_EQ(live.session_count, 4);
    for (const Dot& d : live.dots)
        ASSERT_EQ(d.session, 0);
    session->layers();
    EXPECT_EQ(session->runs().labels, before.labels);
    EXPECT_EQ(session->runs().dots, before.dots + 1);

    const FollicleSet& labelled = session->follicles();
    EXPECT_EQ(session->runs().labels, before.labels + 1);
    EXPECT_EQ(session->runs().dots, before.dots + 1); // labelled in place, not re-merged
    const FollicleSet batch = generateFollicles(*s_head, next);
    ASSERT_TRUE(labelled.sessions_labelled && batch.sessions_labelled);
    ASSERT_EQ(labelled.dots.size(), batch.dots.size());
    for (size_t i = 0; i < batch.dots.size(); ++i)
        ASSERT_EQ(labelled.dots[i].session, batch.dots[i].session) << "dot " << i;
    ASSERT_EQ(labelled.session_figures.size(), batch.session_figures.size());
    for (size_t k = 0; k < batch.session_figures.size(); ++k) {
        EXPECT_EQ(labelled.session_figures[k].dots, batch.session_figures[k].dots);
        EXPECT_EQ(labelled.session_figures[k].nn_min_ratio, batch.session_figures[k].nn_min_ratio);
    }
    session->follicles(); // idempotent
    EXPECT_EQ(session->runs().labels, before.labels + 1);

    // A new impressions_per_session that changes the number of sessions relabels on demand
    // (3 sessions at 20,000 per session for ~35k dots), without a merge.
    session->apply(edited("natural.json", "/impressions_per_session", 20000));
    EXPECT_EQ(session->follicles(SessionLabels::Deferred).session_count, 3);
    EXPECT_FALSE(session->follicles(SessionLabels::Deferred).sessions_labelled);
    const FollicleSet& three = session->follicles();
    EXPECT_EQ(three.session_figures.size(), 3u);
    EXPECT_EQ(session->runs().labels, before.labels + 2);

    // Showing a session needs the labels whatever the caller asked.
    session->apply(next);
    session->setShownSession(2);
    const FollicleSet& second = session->follicles(SessionLabels::Deferred);
    EXPECT_EQ(second.shown_session, 2);
    EXPECT_EQ(second.dots.size(), batch.session_figures[1].dots);
}

TEST_F(SessionMannequin, HairlineEditRebuildsTheRegionAndChart) {
    auto session = warmSession();
    const StageRuns runs_before = session->runs();
    session->apply(edited("natural.json", "/hairline/frontal_height_mm", 90));
    session->follicles();
    session->chart();
    EXPECT_EQ(session->runs().region, runs_before.region + 1);
    EXPECT_EQ(session->runs().chart, runs_before.chart + 1);
}

TEST_F(SessionMannequin, HairlineEditKeepsTheChartAndTheZonesItDoesNotReach) {
    // A front-height edit moves only the front of the line: the chart keeps every UV (its fit
    // is stable, scalp_chart.h), the zones the new line does not reach keep their dots (at
    // least the back and the crown), the pigment is re-splatted only where dots changed, and
    // everything equals a fresh session of the edited design, byte for byte. Then a nape edit
    // (the back of the line) and a seed edit (every border moves) in the same session.
    const std::string name = "fut_scar_camouflage.json";
    auto session = warmSession(name);
    const LayerStack& warm = session->layers();
    const std::vector<glm::vec2> uvs = warm.chart.uvs;
    Json j = Json::parse(readText(example(name)));
    struct Step {
        const char* pointer;
        Json value;
        bool uvs_kept;
    };
    const std::vector<Step> steps = {
        {"/hairline/frontal_height_mm", 86, true},
        {"/hairline/frontal_height_mm", 80, true},
        {"/hairline/nape_height_mm", -45, false},
        {"/seed", 99, false},
    };
    for (const Step& step : steps) {
        SCOPED_TRACE(step.pointer);
        j[Json::json_pointer(step.pointer)] = step.value;
        const Design next = parseDesign(j.dump(), example(name));
        const StageRuns before = session->runs();
        session->apply(next);
        const LayerStack& after = session->layers();
        Session fresh(next);
        fresh.setHead(s_head);
        fresh.setLayerSize(1024);
        const FollicleSet& want = fresh.follicles();
        const FollicleSet& got = session->follicles();
        ASSERT_EQ(got.dots.size(), want.dots.size());
        for (size_t i = 0; i < got.dots.size(); ++i) {
            ASSERT_EQ(got.dots[i].id, want.dots[i].id) << i;
            ASSERT_EQ(got.dots[i].position_mm, want.dots[i].position_mm) << i;
            ASSERT_EQ(got.dots[i].diameter_mm, want.dots[i].diameter_mm) << i;
            ASSERT_EQ(got.dots[i].shade, want.dots[i].shade) << i;
        }
        expectSameLayers(after, fresh.layers());
        size_t resampled = 0;
        for (size_t z = 0; z < kZoneCount; ++z)
            resampled += session->runs().zone[z] - before.zone[z];
        if (step.uvs_kept) {
            EXPECT_EQ(after.chart.uvs, uvs);
            EXPECT_EQ(session->runs().zone[size_t(ZoneId::Back)], before.zone[size_t(ZoneId::Back)]);
            EXPECT_LT(resampled, kZoneCount - 1);
            EXPECT_LT(after.tiles_splatted, size_t(splatTileCount(after.size)) / 2);
        }
    }
}

// --- contract violations in a host ---

TEST(SessionContract, ThrowModeTurnsABrokenInvariantIntoAnException) {
    setAssertMode(AssertMode::Throw);
    Session session(loadDesign(example("natural.json")));
    EXPECT_FALSE(session.hasHead());
    try {
        session.follicles();
        ADD_FAILURE() << "no exception";
    } catch (const ContractViolation& e) {
        EXPECT_NE(std::string(e.what()).find("Session: no head"), std::string::npos) << e.what();
    }
    setAssertMode(AssertMode::Abort);
    EXPECT_DEATH(session.follicles(), "Session: no head");
}

} // namespace
} // namespace stipple
