#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dot_hash.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/hash.h"
#include "stipple/core/session.h"
#include "test_util.h"

// Every design field documented in docs/design-file.md has an effect or is reported as read by
// nothing (issue 9: three render fields were parsed, validated and ignored). The test reads the
// field tables of the doc, so a newly documented field without an entry here fails; each entry
// changes the field to another valid value and checks that the Session's output changes (dots,
// figures, chart, layers) — or, for the render section, that the change is marked as a render
// change (tests/render/design_render_test.cpp checks that the render settings then differ).

namespace stipple {
namespace {

using Json = nlohmann::json;

using test::readText;

// "/section/field" for every row of the doc's field tables (top level: "/field"). Plain string
// matching: GCC 12 warns falsely inside std::regex under the sanitizers.
std::set<std::string> documentedFields() {
    const std::string doc = readText(test::sourceDir() / "docs" / "design-file.md");
    std::set<std::string> fields;
    std::istringstream lines(doc);
    std::string line, section;
    const std::set<std::string> zone_names(kZoneNames.begin(), kZoneNames.end());
    while (std::getline(lines, line)) {
        if (line.rfind("## ", 0) == 0) {
            section = line.substr(3);
            while (!section.empty() && std::isspace((unsigned char)section.back()))
                section.pop_back();
            continue;
        }
        if (line.rfind("| `", 0) != 0 || section.empty()) continue;
        const size_t end = line.find('`', 3);
        if (end == std::string::npos || line.compare(end, 3, "` |") != 0) continue;
        const std::string name = line.substr(3, end - 3);
        if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos)
            continue;
        if (section == "zones" && zone_names.count(name)) continue; // the zone list, not fields
        fields.insert(section == "Top level" ? "/" + name : "/" + section + "/" + name);
    }
    return fields;
}

struct FieldEdit {
    const char* example; // base design
    const char* pointer; // where in that file (array indices as in the file)
    Json value;          // the new value
};

// One edit per documented field. Sections themselves (/head, /zones ...) are walked through
// their fields.
const std::map<std::string, FieldEdit>& fieldEdits() {
    static const std::map<std::string, FieldEdit> kEdits = {
        {"/seed", {"natural.json", "/seed", 99}},
        {"/mode", {"natural.json", "#", {{"mode", "total"}, {"total_dots", 30000}}}},
        {"/total_dots", {"density_total_mode.json", "/total_dots", 30000}},
        {"/impressions_per_session", {"natural.json", "/impressions_per_session", 9000}},
        {"/head/mesh",
         {"natural.json", "/head/mesh",
          STIPPLE_SHARED_HEADS "/ict_facekit_neutral/generic_neutral_mesh_skin_only.obj"}},
        {"/head/units", {"natural.json", "/head/units", "cm"}}, // 10x: not a head (an error)
        {"/head/mm_per_unit", {"fut_scar_camouflage.json", "/head/mm_per_unit", 1.02}},
        {"/head/up", {"natural.json", "/head", {{"up", "+Z"}, {"forward", "-Y"}}}},
        {"/head/forward", {"natural.json", "/head/forward", "+X"}},
        // The mannequin is one part: keeping it by name gives the same mesh, so the field is proven
        // read by a name that matches nothing (an error naming /head/keep).
        {"/head/keep", {"natural.json", "/head/keep", {"no_such_part"}}},
        {"/head/landmarks", {"natural.json", "/head/landmarks", {{"glabella", {0.0, 30.0, 98.0}}}}},
        // The mannequin passes the head-shape checks, so switching them off changes only the
        // warning that says they are off (a sphere is refused or accepted: input_limits_test).
        {"/head/accept_non_head", {"natural.json", "/head/accept_non_head", true}},
        // The test mask as a (grey) albedo: the head's albedo pixels change.
        {"/head/albedo", {"natural.json", "/head/albedo", "mask_test_gradient.png"}},
        {"/hairline/template", {"natural.json", "/hairline/template", "receded"}},
        {"/hairline/side_profile", {"natural.json", "/hairline/side_profile", "sharp"}},
        {"/hairline/frontal_height_mm", {"natural.json", "/hairline/frontal_height_mm", 88}},
        {"/hairline/frontotemporal_recession_mm",
         {"natural.json", "/hairline/frontotemporal_recession_mm", 20}},
        {"/hairline/temporal_peak_mm", {"natural.json", "/hairline/temporal_peak_mm", 4}},
        {"/hairline/transition_mm", {"natural.json", "/hairline/transition_mm", 18}},
        {"/hairline/irregularity_amplitude_mm",
         {"natural.json", "/hairline/irregularity_amplitude_mm", 3}},
        {"/hairline/irregularity_scale_mm",
         {"natural.json", "/hairline/irregularity_scale_mm", 14}},
        {"/hairline/asymmetry_mm", {"natural.json", "/hairline/asymmetry_mm", 3}},
        {"/hairline/nape_height_mm", {"natural.json", "/hairline/nape_height_mm", -60}},
        {"/hairline/ear_clearance_mm", {"natural.json", "/hairline/ear_clearance_mm", 20}},
        {"/hairline/control_points_mm",
         {"natural.json",
          "/hairline",
          {{"template", "custom"},
           {"control_points_mm", {{55, 60, 75}, {0, 75, 92}, {-55, 60, 75}}}}}},
        {"/zones/name", {"natural.json", "/zones/2/name", "temples"}},
        {"/zones/enabled", {"natural.json", "/zones/3/enabled", false}},
        {"/zones/density_per_cm2", {"natural.json", "/zones/1/density_per_cm2", 50}},
        {"/zones/diameter_mm", {"natural.json", "/zones/1/diameter_mm", 0.3}},
        {"/zones/diameter_spread_mm", {"natural.json", "/zones/1/diameter_spread_mm", 0.02}},
        {"/zones/shade", {"natural.json", "/zones/1/shade", 8}},
        // natural.json gives the front zone's diameter, which would override the needle.
        {"/zones/needle",
         {"natural.json", "/zones/1", {{"name", "front"}, {"needle", "1RL 0.20"}}}},
        {"/zones/weight", {"density_total_mode.json", "/zones/3/weight", 3}},
        {"/density_mask/image",
         {"natural.json", "/density_mask", {{"image", "mask_test_gradient.png"}}}},
        {"/density_mask/strength",
         {"natural.json",
          "/density_mask",
          {{"image", "mask_test_gradient.png"}, {"strength", 0.4}}}},
        {"/scars/type",
         {"fut_scar_camouflage.json", "/scars",
          Json::array({{{"type", "polygon"},
                        {"points_mm", {{-62, 12, -62}, {0, 22, -100}, {62, 12, -62}}}}})}},
        {"/scars/points_mm",
         {"fut_scar_camouflage.json",
          "/scars/0/points_mm",
          {{-60, 10, -64}, {0, 30, -100}, {60, 10, -64}}}},
        {"/scars/width_mm", {"fut_scar_camouflage.json", "/scars/0/width_mm", 10}},
        {"/scars/center_mm", {"fut_scar_camouflage.json", "/scars/1/center_mm", {0, 60, -80}}},
        {"/scars/radius_mm", {"fut_scar_camouflage.json", "/scars/1/radius_mm", 25}},
        {"/scars/count", {"fut_scar_camouflage.json", "/scars/1/count", 300}},
        {"/scars/scar_diameter_mm", {"fut_scar_camouflage.json", "/scars/1/scar_diameter_mm", 1.6}},
        {"/scars/camouflage", {"fut_scar_camouflage.json", "/scars/0/camouflage", false}},
        {"/pigment/ink", {"natural.json", "/pigment/ink", "temporary"}},
        {"/pigment/fitzpatrick", {"natural.json", "/pigment/fitzpatrick", 5}},
        {"/pigment/skin_from_mesh", {"fut_scar_camouflage.json", "/pigment/skin_from_mesh", false}},
        {"/pigment/hair_colour", {"natural.json", "/pigment/hair_colour", "#6a5040"}},
        {"/pigment/age_days", {"natural.json", "/pigment/age_days", 1825}},
        {"/render/layer_size", {"natural.json", "/render/layer_size", 8192}},
    };
    return kEdits;
}

// Render-section fields: they change nothing in core; the change must be marked `render`, and
// tests/render/design_render_test.cpp proves each one changes the render job.
const std::set<std::string>& renderFields() {
    static const std::set<std::string> kFields = {"/render/width",
                                                  "/render/height",
                                                  "/render/lighting",
                                                  "/render/lights",
                                                  "/render/ambient",
                                                  "/render/views",
                                                  "/render/background",
                                                  "/render/turntable_frames",
                                                  "/render/elevation_deg",
                                                  "/render/top_view",
                                                  "/render/fps",
                                                  "/render/msaa",
                                                  "/render/supersample",
                                                  "/render/watermark",
                                                  "/name"}; // /name: provenance in rendered files
    return kFields;
}

// Fields documented as record-only: they are kept with the design and change no output.
const std::set<std::string>& recordOnlyFields() {
    static const std::set<std::string> kFields = {"/stipple", "/notes"};
    return kFields;
}

// The Session's outputs at layer size 1024 as one fingerprint; an error is an output too.
std::string outputsOf(const Design& design) try {
    Session session(design);
    // A quarter of the design's layer size (the field must still drive it), at least 1024.
    session.setLayerSize(std::max(1024, design.render.layer_size / 4));
    session.loadHead();
    const FollicleSet& dots = session.follicles();
    const LayerStack& layers = session.layers();
    std::string all;
    auto add = [&](const void* data, size_t bytes) {
        all += sha256Hex(std::string_view(static_cast<const char*>(data), bytes));
    };
    all += test::dotsHash(dots.dots);
    all += std::to_string(dots.sessions) + std::to_string(layers.recommended_shade);
    add(layers.chart.uvs.data(), layers.chart.uvs.size() * sizeof(glm::vec2));
    add(layers.pigment.pixels.data(), layers.pigment.pixels.size() * 2);
    add(layers.scar.pixels.data(), layers.scar.pixels.size() * 2);
    add(layers.before.pixels.data(), layers.before.pixels.size() * 2);
    if (const auto& albedo = session.head().mesh.albedo) add(albedo->pixels.data(), albedo->pixels.size());
    const glm::dvec3 g = session.head().landmarks.glabella;
    all += std::to_string(g.x) + std::to_string(g.y) + std::to_string(g.z) +
           std::to_string(session.head().mesh.positions.size());
    for (const Problem& p : session.warnings()) // a reported finding is an output too
        all += p.format();
    return all;
} catch (const Error& e) {
    return std::string("error: ") + e.what();
}

Design parsedEdit(const FieldEdit& edit, const std::filesystem::path& dir) {
    const std::filesystem::path file = test::sourceDir() / "examples" / edit.example;
    Json j = Json::parse(readText(file));
    if (edit.pointer == std::string("#")) {
        j.update(edit.value); // several top-level fields at once
    } else if (edit.pointer != std::string("")) {
        Json& target = j[Json::json_pointer(edit.pointer)];
        if (target.is_object() && edit.value.is_object())
            target.update(edit.value);
        else
            target = edit.value;
    }
    // Parsed as if saved beside the example (relative paths), with the test mask in `dir`.
    std::filesystem::copy_file(
        test::sourceDir() / "tests" / "core" / "data" / "mask_test_gradient.png",
        dir / "mask_test_gradient.png", std::filesystem::copy_options::skip_existing);
    if (j.contains("density_mask"))
        j["density_mask"]["image"] = (dir / "mask_test_gradient.png").string();
    if (j["head"].contains("albedo"))
        j["head"]["albedo"] = (dir / "mask_test_gradient.png").string();
    return parseDesign(j.dump(), file);
}

TEST(DesignFields, EveryDocumentedFieldHasAnEntry) {
    const std::set<std::string> documented = documentedFields();
    ASSERT_GT(documented.size(), 50u) << "the doc's field tables were not found";
    for (const std::string& field : documented) {
        if (renderFields().count(field) || recordOnlyFields().count(field)) continue;
        const bool section = field == "/head" || field == "/hairline" || field == "/zones" ||
                             field == "/density_mask" || field == "/scars" || field == "/pigment" ||
                             field == "/render";
        if (section) continue;
        EXPECT_TRUE(fieldEdits().count(field)) << field << " is documented but not walked";
    }
    for (const auto& [field, edit] : fieldEdits())
        EXPECT_TRUE(documented.count(field)) << field << " is walked but not documented";
}

TEST(DesignFields, EveryCoreFieldChangesTheOutput) {
    const std::filesystem::path dir = test::outputDir("design_fields");
    std::map<std::string, std::string> base_outputs;
    for (const auto& [field, edit] : fieldEdits()) {
        SCOPED_TRACE(field);
        const FieldEdit none{edit.example, "", nullptr};
        if (!base_outputs.count(edit.example))
            base_outputs[edit.example] = outputsOf(parsedEdit(none, dir));
        const Design base = parsedEdit(none, dir);
        const Design changed = parsedEdit(edit, dir);
        const SessionChange change = diffDesigns(base, changed);
        EXPECT_TRUE(change.any()) << "no stage reads it";
        EXPECT_NE(outputsOf(changed), base_outputs[edit.example]) << "the output did not change";
    }
}

TEST(DesignFields, RenderFieldsAreMarkedAsRenderChanges) {
    const Design base = loadDesign(test::sourceDir() / "examples" / "natural.json");
    const std::map<std::string, Json> values = {{"/render/width", 1280},
                                                {"/render/height", 720},
                                                {"/render/lighting", "clinic"},
                                                {"/render/views", {"top"}},
                                                {"/render/background", "transparent"},
                                                {"/render/turntable_frames", 12},
                                                {"/render/elevation_deg", 20},
                                                {"/render/top_view", false},
                                                {"/render/fps", 30},
                                                {"/render/msaa", 2},
                                                {"/render/supersample", 2},
                                                {"/render/watermark", "Simulation"}};
    for (const auto& [pointer, value] : values) {
        SCOPED_TRACE(pointer);
        Json j = Json::parse(designToJson(base).dump());
        j[Json::json_pointer(pointer)] = value;
        const Design changed = parseDesign(j.dump(), base.source);
        const SessionChange change = diffDesigns(base, changed);
        EXPECT_TRUE(change.render);
        EXPECT_FALSE(change.dots || change.layers || change.colour || change.region);
    }
}

} // namespace
} // namespace stipple
