// Field edits by pointer are validated like a file, a template becomes a custom hairline
// through points on the realised line, and undo/redo give back the designs byte for byte.

#include "stipple/core/design_edit.h"

#include <gtest/gtest.h>

#include "stipple/core/design_writer.h"
#include "test_util.h"

namespace {

using namespace stipple;

Design demo() {
    return loadDesign(test::sourceDir() / "examples" / "natural.json");
}

TEST(DesignEdit, SetsOneFieldAndKeepsTheRest) {
    const Design d = demo();
    const Design e = setDesignField(d, "/pigment/age_days", 365);
    EXPECT_EQ(e.pigment.age_days, 365);
    const Design back = setDesignField(e, "/pigment/age_days", d.pigment.age_days);
    EXPECT_EQ(designToText(back), designToText(d)); // nothing else moved, paths included
    const Design z = setDesignField(d, "/zones/2/density_per_cm2", 90);
    EXPECT_EQ(z.zone(ZoneId::Mid).density_per_cm2, 90);
}

TEST(DesignEdit, RejectsOutOfRangeAndUnknownFieldsNamingThePointer) {
    const Design d = demo();
    try {
        setDesignField(d, "/zones/2/density_per_cm2", 900);
        FAIL() << "accepted 900 dots/cm2";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/zones/2/density_per_cm2"), std::string::npos)
            << e.what();
    }
    try {
        setDesignField(d, "/pigment/colour", "#000000");
        FAIL() << "accepted an unknown field";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/pigment/colour"), std::string::npos) << e.what();
    }
}

TEST(DesignEdit, CustomHairlineSpacesPointsByArcLengthAndBack) {
    // An L-shaped line: 30 mm along x, then 30 mm along y; 7 points every 10 mm.
    const std::vector<glm::dvec3> line = {{0, 0, 0}, {30, 0, 0}, {30, 30, 0}};
    const Design c = withCustomHairline(demo(), line, 7);
    ASSERT_EQ(c.hairline.control_points.size(), 7u);
    EXPECT_EQ(c.hairline.shape, HairlineTemplate::Custom);
    EXPECT_NEAR(glm::length(c.hairline.control_points[1] - glm::dvec3(10, 0, 0)), 0, 1e-9);
    EXPECT_NEAR(glm::length(c.hairline.control_points[4] - glm::dvec3(30, 10, 0)), 0, 1e-9);
    EXPECT_NEAR(glm::length(c.hairline.control_points[6] - glm::dvec3(30, 30, 0)), 0, 1e-9);
    // The central half: from 15 mm to 45 mm of the 60 mm line, every 5 mm.
    const Design half = withCustomHairline(demo(), line, 7, 0.5);
    EXPECT_NEAR(glm::length(half.hairline.control_points[0] - glm::dvec3(15, 0, 0)), 0, 1e-9);
    EXPECT_NEAR(glm::length(half.hairline.control_points[6] - glm::dvec3(30, 15, 0)), 0, 1e-9);
    // Back to a template drops the points (the parser rejects them otherwise).
    const Design t = setDesignField(c, "/hairline/template", "natural");
    EXPECT_EQ(t.hairline.shape, HairlineTemplate::Natural);
    EXPECT_TRUE(t.hairline.control_points.empty());
}

TEST(DesignEdit, UndoRedoGiveBackTheDesignsByteForByte) {
    const Design a = demo();
    const Design b = setDesignField(a, "/seed", 7);
    const Design c = setDesignField(b, "/zones/0/shade", 3);
    EditHistory h;
    EXPECT_FALSE(h.canUndo());
    h.record(a);
    h.record(b);
    const Design u1 = h.undo(c);
    EXPECT_EQ(designToText(u1), designToText(b));
    const Design u2 = h.undo(u1);
    EXPECT_EQ(designToText(u2), designToText(a));
    EXPECT_FALSE(h.canUndo());
    const Design r1 = h.redo(u2);
    EXPECT_EQ(designToText(r1), designToText(b));
    h.record(r1); // a new edit clears the redo list
    EXPECT_FALSE(h.canRedo());
}

} // namespace
