// Treatment sessions (follicles.h: Dot::session, dotsAfterSession()): nested, blue noise after
// every session, counts per session as planned, the last session the whole design. On the
// mannequin with the bundled designs, and on the synthetic ellipsoid.

#include <algorithm>
#include <cstdio>
#include <set>

#include <gtest/gtest.h>

#include "stipple/core/design.h"
#include "stipple/core/follicles.h"
#include "stipple/core/atomic_file.h"
#include "stipple/core/head_model.h"
#include "stipple/core/image.h"
#include "stipple/core/preview.h"
#include "stipple/core/session.h"
#include "synthetic_head.h"
#include "test_util.h"

namespace stipple {
namespace {

std::filesystem::path example(const std::string& name) {
    return test::sourceDir() / "examples" / name;
}

const HeadModel& mannequin() {
    static const HeadModel head = loadHeadModel(loadDesign(example("natural.json")).head);
    return head;
}

// Everything of a dot but its session, for the final == full comparison.
bool sameDot(const Dot& a, const Dot& b) {
    return a.position_mm == b.position_mm && a.normal == b.normal &&
           a.diameter_mm == b.diameter_mm && a.aspect == b.aspect && a.angle_rad == b.angle_rad &&
           a.shade == b.shade && a.zone == b.zone && a.triangle == b.triangle && a.id == b.id;
}

// The properties of the issue on one generated set.
void expectSessions(const FollicleSet& full, const std::string& what) {
    const int count = full.session_count;
    ASSERT_TRUE(count == 3 || count == 4) << what;
    ASSERT_EQ(full.session_figures.size(), size_t(count)) << what;
    std::set<uint64_t> before;
    for (int k = 1; k <= count; ++k) {
        const FollicleSet after = dotsAfterSession(full, k, "--session");
        const SessionFigures& figures = full.session_figures[size_t(k - 1)];
        const std::string at = what + " after session " + std::to_string(k);
        EXPECT_EQ(after.dots.size(), figures.dots) << at;
        // Counts: share x the final count, or fewer where the pool cannot hold that many
        // without a pair under the blue-noise floor; measured 0 to -3.9% (natural.json,
        // defined_edge_up.json session 2 of 4); the sampler stops at -5%
        // (kSessionCountTolerance), the test at -4.5%.
        const double planned = sessionShare(count, k) * double(full.dots.size());
        EXPECT_LE(double(after.dots.size()), planned + 1) << at;
        EXPECT_GE(double(after.dots.size()), 0.955 * planned - 1) << at;
        std::printf("%s: %zu dots (planned %.0f, %.2f%%), nn min %.3f mean %.3f\n", at.c_str(),
                    after.dots.size(), planned, 100 * (after.dots.size() / planned - 1),
                    figures.nn_min_ratio, figures.nn_mean_ratio);
        // Blue noise at the session's own density: the floor.
        EXPECT_GE(figures.nn_min_ratio, 0.65) << at;
        EXPECT_GT(figures.nn_mean_ratio, 0.70) << at;
        EXPECT_EQ(after.nn_min_ratio, figures.nn_min_ratio) << at;
        // Nested: every dot of the sessions before is here, bit for bit (the same Dot).
        std::set<uint64_t> now;
        for (const Dot& dot : after.dots)
            now.insert(dot.id);
        for (uint64_t id : before)
            EXPECT_TRUE(now.count(id)) << at << ": dot " << id << " of an earlier session lost";
        for (const Dot& dot : after.dots)
            EXPECT_LE(int(dot.session), k) << at;
        size_t zone_sum = 0;
        for (const ZoneStats& z : after.zones)
            zone_sum += z.dots;
        EXPECT_EQ(zone_sum, after.dots.size()) << at;
        before = std::move(now);
    }
    // The last session is the whole design, in the same order.
    const FollicleSet last = dotsAfterSession(full, count, "--session");
    ASSERT_EQ(last.dots.size(), full.dots.size()) << what;
    for (size_t i = 0; i < full.dots.size(); ++i)
        ASSERT_TRUE(sameDot(last.dots[i], full.dots[i])) << what << " dot " << i;
}

TEST(Sessions, NestedBlueNoiseAndCountsOnTheMannequin) {
    for (const char* name : {"natural.json", "defined_edge_up.json", "fut_scar_camouflage.json"}) {
        const FollicleSet full = generateFollicles(mannequin(), loadDesign(example(name)));
        expectSessions(full, name);
    }
}

TEST(Sessions, NestedBlueNoiseOnTheEllipsoid) {
    static const HeadModel head = test::syntheticHead();
    Design d;
    d.seed = 7;
    d.hairline.nape_height_mm = -30;
    expectSessions(generateFollicles(head, d), "ellipsoid");
}

TEST(Sessions, FinalSessionIsTodaysFullDesign) {
    // The sessions are a label on each dot of the full design: the dots of the set from
    // generateFollicles() are the whole design (positions, sizes, ids as before), and each
    // session's set is a subset of them. This holds the dots of the whole design to the
    // stage-wise composition, which the FollicleStages tests hold to the per-zone sampler.
    const Design d = loadDesign(example("natural.json"));
    const FollicleSet full = generateFollicles(mannequin(), d);
    EXPECT_EQ(full.shown_session, 0);
    const FollicleSet last = dotsAfterSession(full, full.session_count, "--session");
    EXPECT_EQ(last.nn_min_ratio, full.nn_min_ratio);
    EXPECT_EQ(last.nn_mean_ratio, full.nn_mean_ratio);
    for (size_t z = 0; z < full.zones.size(); ++z)
        EXPECT_EQ(last.zones[z].dots, full.zones[z].dots);
}

TEST(Sessions, CountFollowsImpressionsPerSession) {
    EXPECT_EQ(sessionCount(36000, 12000), 3);
    EXPECT_EQ(sessionCount(36001, 12000), 4);
    EXPECT_EQ(sessionCount(1000, 12000), 3);
    EXPECT_DOUBLE_EQ(sessionShare(3, 1), 0.4);
    EXPECT_DOUBLE_EQ(sessionShare(4, 4), 1.0);
    Design d = loadDesign(example("natural.json"));
    d.impressions_per_session = 50000;
    EXPECT_EQ(generateFollicles(mannequin(), d).session_count, 3);
    d.impressions_per_session = 5000;
    EXPECT_EQ(generateFollicles(mannequin(), d).session_count, 4);
}

TEST(Sessions, ASessionOutsideTheDesignIsAnError) {
    const FollicleSet full = generateFollicles(mannequin(), loadDesign(example("natural.json")));
    for (int bad : {0, -1, full.session_count + 1}) {
        try {
            dotsAfterSession(full, bad, "--session");
            ADD_FAILURE() << "session " << bad << " accepted";
        } catch (const Error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("--session"), std::string::npos) << m;
            EXPECT_NE(m.find("accepted 1.." + std::to_string(full.session_count)),
                      std::string::npos)
                << m;
        }
    }
}

TEST(Sessions, ASessionShowsTheDotsAfterSessionK) {
    Session session(loadDesign(example("natural.json")));
    session.setHead(std::make_shared<const HeadModel>(mannequin()));
    session.setLayerSize(1024);
    const FollicleSet full = session.follicles();
    ASSERT_EQ(full.session_count, 4); // 37,797 dots > 3 x 12,000
    const size_t whole_splatted = session.layers().dots_splatted;
    session.setShownSession(2);
    const FollicleSet& shown = session.follicles();
    EXPECT_EQ(shown.shown_session, 2);
    EXPECT_EQ(shown.dots.size(), full.session_figures[1].dots);
    // The layers follow (the pigment re-splatted with the session's dots).
    const LayerStack& layers = session.layers();
    EXPECT_EQ(layers.dots_splatted + layers.dots_skipped, shown.dots.size());
    EXPECT_LT(layers.dots_splatted, whole_splatted);
    session.setShownSession(0);
    EXPECT_EQ(session.follicles().dots.size(), full.dots.size());
    EXPECT_EQ(session.layers().dots_splatted, whole_splatted);
    // Outside 0..4: at once; beyond the design's count: when the dots are asked for.
    try {
        session.setShownSession(5, "session");
        ADD_FAILURE() << "session 5 accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.problems().front().pointer, "session");
    }
    Session three(loadDesign(example("fut_scar_camouflage.json")));
    three.loadHead();
    three.setShownSession(4);
    try {
        three.follicles();
        ADD_FAILURE() << "session 4 of a 3-session design accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("accepted 1..3"), std::string::npos) << e.what();
    }
}

// The picture in docs/gallery.md: natural.json on the mannequin after sessions 1..4, from above,
// drawn by the CPU preview (each dot at its true diameter, a grey from its shade). Top row:
// 50 mm of the front line around the midline; bottom row: 50 mm of the crown. Regenerate:
// build/tests/stipple_core_tests --gtest_filter=SessionsPicture.*, then copy
// build/tests/output/sessions_picture/sessions_1_to_4.png to docs/images/gallery/.
TEST(SessionsPicture, HairlineAndCrownAfterEachSession) {
    const FollicleSet full = generateFollicles(mannequin(), loadDesign(example("natural.json")));
    const glm::dvec3 front =
        full.hairline.front_line_mm[full.hairline.front_line_mm.size() / 2];
    glm::dvec3 crown(0);
    size_t crown_dots = 0;
    for (const Dot& dot : full.dots)
        if (dot.zone == ZoneId::Crown) crown += glm::dvec3(dot.position_mm), ++crown_dots;
    ASSERT_GT(crown_dots, 1000u);
    crown /= double(crown_dots);
    constexpr int kPanel = 560;
    const int columns = full.session_count;
    Image8 image(columns * kPanel, 2 * kPanel, 3, 255);
    for (int k = 1; k <= columns; ++k) {
        const FollicleSet after = dotsAfterSession(full, k, "--session");
        PreviewOptions options;
        options.width = options.height = kPanel;
        options.supersample = 2;
        options.view = PreviewView::Top;
        for (const Dot& dot : after.dots) {
            PreviewDot p;
            p.position = dot.position_mm;
            p.normal = dot.normal;
            p.diameter_mm = dot.diameter_mm;
            p.grey = uint8_t(std::clamp(150.0 - 18.0 * dot.shade, 20.0, 150.0));
            options.dots.push_back(p);
        }
        int row = 0;
        for (const glm::dvec3& centre : {front - glm::dvec3(0, 0, 12), crown}) {
            Box box;
            box.min = centre - glm::dvec3(25, 40, 25);
            box.max = centre + glm::dvec3(25, 40, 25);
            options.frame = box;
            const Image8 panel = renderPreview(mannequin().mesh, options);
            for (int y = 0; y < panel.height; ++y)
                for (int x = 0; x < panel.width; ++x)
                    for (int c = 0; c < 3; ++c)
                        image.at((k - 1) * kPanel + x, row * kPanel + y)[c] =
                            panel.at(x, y)[std::min(c, panel.channels - 1)];
            ++row;
        }
    }
    const auto dir = test::outputDir("sessions_picture");
    writeFileAtomic(dir / "sessions_1_to_4.png", encodePng(image), Overwrite::Yes);
    EXPECT_EQ(columns, 4);
}

} // namespace
} // namespace stipple
