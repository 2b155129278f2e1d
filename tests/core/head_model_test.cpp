#include "stipple/core/head_model.h"

#include <cmath>

#include <gtest/gtest.h>

#include "stipple/core/mannequin.h"
#include "test_util.h"

// Known answers for the head frame: units inference on synthetic heads, axes, and landmark
// accuracy on the two real heads in ../shared/heads against manual placements.

namespace stipple {
namespace {

std::vector<std::string> messagesOf(const std::vector<Problem>& problems) {
    std::vector<std::string> out;
    for (const Problem& p : problems)
        out.push_back(p.message);
    return out;
}

// An ellipsoid with an adult head's semi-axes (breadth 152, height 220, length 190 mm),
// written in a unit of `mm_per_unit` millimetres. A UV sphere with poles on Y: symmetric front
// to back, so it carries no orientation cue.
ImportedMesh headEllipsoid(double mm_per_unit, int rings = 48, int segments = 64) {
    ImportedMesh out;
    Mesh& m = out.mesh;
    const double a = 76 / mm_per_unit, b = 110 / mm_per_unit, c = 95 / mm_per_unit;
    for (int i = 0; i <= rings; ++i) {
        const double theta = M_PI * i / rings;
        for (int j = 0; j < segments; ++j) {
            const double phi = 2 * M_PI * j / segments;
            m.positions.emplace_back(a * std::sin(theta) * std::cos(phi), b * std::cos(theta),
                                     c * std::sin(theta) * std::sin(phi));
        }
    }
    for (int i = 0; i < rings; ++i)
        for (int j = 0; j < segments; ++j) {
            const uint32_t p = i * segments + j, q = i * segments + (j + 1) % segments;
            m.triangles.emplace_back(p, p + segments, q);
            m.triangles.emplace_back(q, p + segments, q + segments);
        }
    computeNormals(m);
    out.report.file = "ellipsoid.obj";
    return out;
}

HeadSpec specFor(const std::filesystem::path& mesh) {
    HeadSpec spec;
    spec.mesh = mesh;
    return spec;
}

std::filesystem::path ictSkin() {
    return test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh_skin_only.obj";
}
std::filesystem::path demosthenes() {
    return test::sharedHeads() / "demosthenes_bust" / "demosthenes-low-res.obj";
}

glm::dvec3 apply(const glm::dmat4& m, const glm::dvec3& p) {
    return glm::dvec3(m * glm::dvec4(p, 1));
}

// Distance (mm) of each estimated landmark from a manual placement given in file coordinates.
void expectLandmarksNear(const HeadModel& head, const std::map<std::string, glm::dvec3>& manual,
                         double tolerance_mm) {
    for (const auto& [name, file_point] : manual) {
        const glm::dvec3 expected = apply(head.file_to_head, file_point);
        const double error_mm = glm::distance(head.landmarks[name], expected);
        EXPECT_LT(error_mm, tolerance_mm) << name << " is " << error_mm << " mm from the manual "
                                          << "placement";
        std::printf("  %-9s error %5.1f mm\n", name.c_str(), error_mm);
    }
}

// Manual placements on ICT (centimetres). Made by reading the mesh numerically: the
// mid-sagittal profile (|x| < 0.2 cm, 0.25 cm height bins) gives the nose tip (0, 0.09, 13.09,
// also in the README), the nasion at y 4.2 (z 10.64) and the brow's most anterior point above
// it, the glabella, at y 5.6 (z 10.77); the occiput is the profile's minimum z (-8.68 at y 5.4);
// the vertex the highest vertex (README). The tragus was placed on a 60 px/cm side render as
// the small flap in front of the concha at (y 0.4, z 1.35) and its x read off the most lateral
// skin vertex within 2.5 mm there (7.50); the model is mirror-symmetric, so the right ear is
// its mirror.
const std::map<std::string, glm::dvec3> kIctManual = {
    {"vertex", {0, 14.50, 0.02}},       {"glabella", {0, 5.6, 10.77}},
    {"nose_tip", {0, 0.09, 13.09}},     {"ear_left", {7.50, 0.41, 1.35}},
    {"ear_right", {-7.50, 0.41, 1.35}}, {"occiput", {0, 5.4, -8.68}}};

// Manual placements on the Demosthenes bust (file units, ~150 mm each). Profile at x 0.17
// (|dx| < 0.02, 0.025 bins): nose tip per the README; the nasion dips to z 0.889 at y 1.29 and
// the brow stands proud at (1.42, 0.93); the most posterior point of the (hair-covered) back of
// the head is z -0.31 at y 1.59. The ears are low-relief and half hidden under carved curls:
// on 500 px/unit side renders the pinna spans z 0.2-0.33, y 1.18-1.42 on both sides; the
// tragus was placed at its front edge, a little below the middle, with x taken from the most
// lateral vertex within 0.02 units. Their uncertainty is about 0.04 units (6 mm).
const std::map<std::string, glm::dvec3> kDemosthenesManual = {
    {"vertex", {0.16, 2.20, 0.30}},     {"glabella", {0.17, 1.42, 0.93}},
    {"nose_tip", {0.19, 1.04, 0.96}},   {"ear_left", {0.63, 1.25, 0.32}},
    {"ear_right", {-0.30, 1.26, 0.33}}, {"occiput", {0.17, 1.59, -0.31}}};

TEST(HeadModel, InfersStandardUnitsOfASyntheticHead) {
    // The same head written in mm, cm, inches and m must come back at 190 mm long.
    for (double mm_per_unit : {1.0, 10.0, 25.4, 1000.0}) {
        const HeadModel head = buildHeadModel(headEllipsoid(mm_per_unit), HeadSpec{});
        EXPECT_DOUBLE_EQ(head.units.mm_per_unit, mm_per_unit);
        EXPECT_EQ(head.units.source, "inferred");
        // An average head in a standard unit: the inference should be sure of itself.
        EXPECT_GT(head.units.confidence, 0.8) << head.units.reason;
        // The cranium cap stops just above the equator of this tall ellipsoid: 3 mm short.
        EXPECT_NEAR(head.breadth_mm, 152, 4);
    }
}

TEST(HeadModel, ArbitraryUnitsAreFittedContinuously) {
    // 1 unit = 137 mm matches no standard unit: a continuous fit, with a low confidence.
    const HeadModel head = buildHeadModel(headEllipsoid(137), HeadSpec{});
    EXPECT_NEAR(head.units.mm_per_unit, 137, 137 * 0.02) << head.units.reason;
    EXPECT_LT(head.units.confidence, 0.5);
    EXPECT_FALSE(head.warnings.empty()) << "a guessed unit must be reported";
}

TEST(HeadModel, DesignUnitsWin) {
    HeadSpec spec;
    spec.mm_per_unit = 10;
    const HeadModel head = buildHeadModel(headEllipsoid(10), spec);
    EXPECT_EQ(head.units.source, "design");
    EXPECT_EQ(head.units.confidence, 1);
}

TEST(HeadModel, AbsurdSizesAreErrors) {
    HeadSpec mm;
    mm.mm_per_unit = 1;
    // A head 0.2 micrometres long in a millimetre file, or 1.9 km long.
    for (double unit : {1e6, 1e-4}) {
        try {
            buildHeadModel(headEllipsoid(unit), mm);
            ADD_FAILURE() << "expected an error for a head of " << 190 / unit << " mm";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("ellipsoid.obj"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(unit > 1 ? "too small" : "too large"),
                      std::string::npos)
                << e.what();
        }
    }
    // Without a design unit: an extent of ~1e-7 or ~1e7 units fits no plausible unit.
    for (double unit : {1e9, 1e-6}) {
        try {
            buildHeadModel(headEllipsoid(unit), HeadSpec{});
            ADD_FAILURE() << "expected an error for mm_per_unit " << unit;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("any plausible unit"), std::string::npos)
                << e.what();
        }
    }
}

TEST(HeadModel, FlatMeshIsAnError) {
    ImportedMesh flat;
    flat.report.file = "flat.stl";
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            flat.mesh.positions.emplace_back(i * 100.f, j * 100.f, 0.f);
    for (uint32_t i = 0; i < 2; ++i)
        for (uint32_t j = 0; j < 2; ++j) {
            const uint32_t p = i * 3 + j;
            flat.mesh.triangles.emplace_back(p, p + 3, p + 1);
            flat.mesh.triangles.emplace_back(p + 1, p + 3, p + 4);
        }
    try {
        buildHeadModel(flat, HeadSpec{});
        FAIL() << "a flat mesh is not a head";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("flat.stl"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("flat"), std::string::npos) << e.what();
    }
}

TEST(HeadModel, ParallelAxesAreAnError) {
    HeadSpec spec;
    spec.up = Axis::PosY;
    spec.forward = Axis::NegY;
    try {
        buildHeadModel(headEllipsoid(1), spec);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/head/forward"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("not perpendicular"), std::string::npos);
    }
}

TEST(HeadModel, IctIsCentimetresYUpZForward) {
    const HeadModel head = loadHeadModel(specFor(ictSkin()));
    EXPECT_EQ(head.units.mm_per_unit, 10) << head.units.reason;
    EXPECT_GT(head.units.confidence, 0.8) << head.units.reason;
    EXPECT_EQ(head.up, Axis::PosY);
    EXPECT_EQ(head.forward, Axis::PosZ);
    EXPECT_EQ(head.axes_source, "default");
    // The detection agrees with the README's orientation, and is sure of it.
    EXPECT_EQ(head.detected_up, Axis::PosY);
    EXPECT_EQ(head.detected_forward, Axis::PosZ);
    EXPECT_GT(head.axes_confidence, 0.5);
    // README: breadth ~15.8 cm, length ~19.2 cm; 5 mm for where exactly each is taken.
    EXPECT_NEAR(head.breadth_mm, 158, 5);
    EXPECT_NEAR(head.length_mm, 192, 5);
    // Vertex 14.50 cm to the neck's lowest point -19.31 cm.
    EXPECT_NEAR(head.height_mm, 338.1, 1);
    for (const std::string& w : messagesOf(head.warnings))
        ADD_FAILURE() << "unexpected warning: " << w;
}

TEST(HeadModel, IctLandmarksMatchManualPlacement) {
    const HeadModel head = loadHeadModel(specFor(ictSkin()));
    // The accuracy target.
    expectLandmarksNear(head, kIctManual, 10);
    // The frame: origin between the ears, nose in front, vertex above.
    EXPECT_NEAR(glm::length(head.landmarks.ear_left + head.landmarks.ear_right), 0, 1e-9);
    EXPECT_GT(head.landmarks.nose_tip.z, 80);
    EXPECT_GT(head.landmarks.vertex.y, 100);
    EXPECT_GT(head.landmarks.ear_left.x, 0) << "+X is the subject's left";
}

TEST(HeadModel, FullIctKitUsesTheSkinComponent) {
    // With eyes, teeth and lashes still in the mesh, the landmarks must not move.
    const HeadModel head = loadHeadModel(
        specFor(test::sharedHeads() / "ict_facekit_neutral" / "generic_neutral_mesh.obj"));
    EXPECT_EQ(head.units.mm_per_unit, 10);
    // The importer keeps the mouth and eye sockets (they share edges with the lips and lids):
    // the orientation must still come out +Y up, +Z forward.
    EXPECT_EQ(head.up, Axis::PosY);
    EXPECT_EQ(head.forward, Axis::PosZ);
    expectLandmarksNear(head, kIctManual, 10);
}

TEST(HeadModel, DemosthenesIsInferredToHumanScale) {
    const HeadModel head = loadHeadModel(specFor(demosthenes()));
    // README: roughly 1 unit = 12-16 cm; no standard unit fits.
    EXPECT_GT(head.units.mm_per_unit, 120) << head.units.reason;
    EXPECT_LT(head.units.mm_per_unit, 160) << head.units.reason;
    EXPECT_EQ(head.units.source, "inferred");
    EXPECT_EQ(head.detected_up, Axis::PosY);
    EXPECT_EQ(head.detected_forward, Axis::PosZ);
    EXPECT_FALSE(head.import.has_uvs);
    // Carved hair adds a few mm to an adult's 175-205 mm.
    EXPECT_GT(head.length_mm, 170);
    EXPECT_LT(head.length_mm, 215);
    expectLandmarksNear(head, kDemosthenesManual, 10);
}

TEST(HeadModel, MannequinLandmarksMatchGenerator) {
    // The bundled mannequin's true landmarks are where the generator put them on its exact
    // surface; they do not depend on the meshing options, so a coarse, fast generation gives
    // the same truth as the committed file's.
    MannequinOptions coarse;
    coarse.voxel_mm = 3;
    coarse.target_triangles = 20000;
    coarse.max_edge_mm = 6;
    const Mannequin truth = generateMannequin(coarse);
    const HeadModel head = loadHeadModel(specFor(test::sourceDir() / "meshes" / "mannequin.glb"));
    EXPECT_EQ(head.units.mm_per_unit, 1) << head.units.reason;
    EXPECT_GT(head.units.confidence, 0.8) << head.units.reason;
    // The file is in the head frame already: its coordinates are the truth's.
    const MannequinLandmarks& t = truth.landmarks;
    expectLandmarksNear(head,
                        {{"vertex", t.vertex},
                         {"glabella", t.glabella},
                         {"nose_tip", t.nose_tip},
                         {"ear_left", t.ear_left},
                         {"ear_right", t.ear_right},
                         {"occiput", t.occiput}},
                        10);
    // Breadth above the ears 151.9 mm and length 198.8 mm (README); 5 mm for the landmark
    // placement (length) and the mesh's 1 mm facets (breadth). The ears, 177 mm across, must
    // not count: they reach up into the cranium.
    EXPECT_NEAR(head.breadth_mm, truth.breadth_mm, 5);
    EXPECT_NEAR(head.length_mm, truth.length_mm, 5);
    for (const std::string& w : messagesOf(head.warnings))
        ADD_FAILURE() << "unexpected warning: " << w;
}

// ICT turned into a Z-up file (Blender's convention: head +Y -> file +Z, head +Z -> file -Y).
ImportedMesh zUpIct() {
    ImportedMesh imported = importMesh(ictSkin());
    for (glm::vec3& p : imported.mesh.positions)
        p = {p.x, -p.z, p.y};
    computeNormals(imported.mesh);
    return imported;
}

TEST(HeadModel, ZUpWithDesignAxesGivesTheSameFrame) {
    const HeadModel reference = loadHeadModel(specFor(ictSkin()));
    HeadSpec spec;
    spec.up = Axis::PosZ;
    spec.forward = Axis::NegY;
    const HeadModel head = buildHeadModel(zUpIct(), spec);
    EXPECT_EQ(head.axes_source, "design");
    EXPECT_EQ(head.units.mm_per_unit, 10);
    for (const char* name : kLandmarkNames) // float rounding of the rotated input only
        EXPECT_LT(glm::distance(head.landmarks[name], reference.landmarks[name]), 0.01) << name;
    EXPECT_TRUE(head.warnings.empty());
}

TEST(HeadModel, ZUpIsDetectedWithoutDesignAxes) {
    const HeadModel head = buildHeadModel(zUpIct(), HeadSpec{});
    EXPECT_EQ(head.axes_source, "detected");
    EXPECT_EQ(head.up, Axis::PosZ);
    EXPECT_EQ(head.forward, Axis::NegY);
    ASSERT_FALSE(head.warnings.empty());
    EXPECT_NE(head.warnings.front().message.find("not +Y up"), std::string::npos);
    EXPECT_EQ(head.warnings.front().pointer, "/head/up");
    expectLandmarksNear(head, {{"nose_tip", {0, -13.09, 0.09}}, {"vertex", {0, -0.02, 14.50}}}, 10);
}

TEST(HeadModel, WrongDesignAxesAreAnErrorNamingUp) {
    // The design claims +Y up on a Z-up file. Used as told, the head frame does not hold
    // together (later stages aborted on such heads, issue 13): an error at /head/up that says
    // what the mesh looks like.
    HeadSpec spec;
    spec.up = Axis::PosY;
    spec.forward = Axis::PosZ;
    try {
        buildHeadModel(zUpIct(), spec);
        ADD_FAILURE() << "expected a stipple::Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.problems().front().pointer, "/head/up");
        EXPECT_NE(std::string(e.what()).find("up +Y, forward +Z (design; the mesh looks like up "
                                             "+Z"),
                  std::string::npos)
            << e.what();
    }
}

TEST(HeadModel, DesignLandmarksWin) {
    HeadSpec spec = specFor(ictSkin());
    // Ears 1 cm lower than the estimate and a nose tip moved 2 cm to the left (file units).
    spec.landmarks["ear_left"] = {7.5, -0.6, 1.35};
    spec.landmarks["ear_right"] = {-7.5, -0.6, 1.35};
    spec.landmarks["nose_tip"] = {2, 0.09, 13.09};
    const HeadModel head = loadHeadModel(spec);
    EXPECT_EQ(head.landmarks.source.at("nose_tip"), "design");
    EXPECT_EQ(head.landmarks.source.at("vertex"), "estimated");
    // The origin is between the given ears: (0, -0.6, 1.35) cm.
    EXPECT_NEAR(glm::distance(apply(head.file_to_head, {0, -0.6, 1.35}), glm::dvec3(0)), 0, 1e-9);
    EXPECT_NEAR(glm::distance(head.landmarks.nose_tip, glm::dvec3(20, 6.9, 117.4)), 0, 1e-6);
    EXPECT_NEAR(glm::distance(head.landmarks.ear_left, glm::dvec3(75, 0, 0)), 0, 1e-6);
}

TEST(HeadModel, UnknownDesignLandmarkIsAnError) {
    HeadSpec spec;
    spec.landmarks["chin"] = {0, 0, 0};
    try {
        buildHeadModel(headEllipsoid(1), spec);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/head/landmarks/chin"), std::string::npos)
            << e.what();
    }
}

TEST(HeadModel, MeshIsInTheHeadFrame) {
    const HeadModel head = loadHeadModel(specFor(ictSkin()));
    // Every mesh vertex equals file_to_head applied to the file position.
    const ImportedMesh raw = importMesh(ictSkin());
    ASSERT_EQ(raw.mesh.positions.size(), head.mesh.positions.size());
    for (size_t v = 0; v < raw.mesh.positions.size(); v += 997)
        EXPECT_LT(glm::distance(apply(head.file_to_head, raw.mesh.positions[v]),
                                glm::dvec3(head.mesh.positions[v])),
                  1e-3);
    EXPECT_EQ(head.mesh.normals.size(), head.mesh.positions.size());
}

} // namespace
} // namespace stipple
