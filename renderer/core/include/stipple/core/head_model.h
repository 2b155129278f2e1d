#pragma once

// The head model: the imported mesh moved into the head frame (millimetres, origin midway
// between the ears, +Y up, +Z forward, +X to the subject's left), with units and axes
// (given or inferred), landmarks and head measurements.

#include <map>
#include <string>
#include <vector>

#include "stipple/core/design.h"
#include "stipple/core/mesh.h"
#include "stipple/core/mesh_import.h"

namespace stipple {

struct UnitsInfo {
    double mm_per_unit = 1;
    std::string source = "inferred"; // "design" | "inferred"
    double confidence = 0;           // 0..1; 1 when given by the design
    std::string reason;              // how it was decided, for reports
};

// Head-frame positions in millimetres.
struct Landmarks {
    glm::dvec3 vertex{0};   // top of the head
    glm::dvec3 glabella{0}; // between the brows
    glm::dvec3 nose_tip{0};
    glm::dvec3 ear_left{0}; // tragus region, subject's left (+X)
    glm::dvec3 ear_right{0};
    glm::dvec3 occiput{0};                     // most posterior point of the back of the head
    std::map<std::string, std::string> source; // name -> "design" | "estimated"

    // Access by name from kLandmarkNames; STIPPLE_ASSERTs on an unknown name.
    glm::dvec3& operator[](const std::string& name);
    const glm::dvec3& operator[](const std::string& name) const;
};

struct HeadModel {
    Mesh mesh; // head frame, millimetres; normals always present
    ImportReport import;
    UnitsInfo units;
    Axis up = Axis::PosY; // the file's axes
    Axis forward = Axis::PosZ;
    std::string axes_source = "default"; // "design" | "default" | "detected"
    glm::dmat4 file_to_head{1};          // maps file coordinates to the head frame (mm)
    Landmarks landmarks;
    double breadth_mm = 0;         // max left-right width of the cranium
    double length_mm = 0;          // glabella to occiput
    double height_mm = 0;          // vertex to the lowest point of the mesh
    std::vector<Problem> warnings; // findings about units, axes and landmarks (/head/...)
    // The oriented axes' detection (scale-free, from the neck opening and the nose), reported
    // whatever axes were used: "+Y"/"+Z" style names, confidence 0..1 (0: nothing detected).
    Axis detected_up = Axis::PosY;
    Axis detected_forward = Axis::PosZ;
    double axes_confidence = 0;
    // The mid-sagittal plane found by symmetry, as x in the head frame (mm); ~0 unless the
    // ears are asymmetric. Useful to judge the ear landmarks.
    double midsagittal_x_mm = 0;
};

// Rotation taking file coordinates with the given up/forward axes to head axes (+Y up, +Z
// forward, +X = up x forward, the subject's left). Throws stipple::Error (pointer
// /head/forward) when up and forward are not perpendicular.
glm::dmat3 headAxesRotation(Axis up, Axis forward);

// Builds the head model from an imported mesh and the design's head section: applies units
// (given or inferred) and axes, places the origin, estimates landmarks (design overrides win)
// and measures the head; the design's /head/albedo (HeadSpec::albedo_pixels) replaces the
// mesh's own albedo (a warning, and no albedo, for a mesh without UVs). Throws stipple::Error
// when the mesh is too small or too large to be
// a head at any plausible unit, or cannot be oriented; when the head frame does not hold
// together (a landmark far from the mesh, glabella not in front of the occiput, vertex not
// above the ears, left ear not at +X, no surface straight above the chart centre), naming
// /head/landmarks/<name> when a design landmark is to blame, else /head/up; and, unless
// spec.accept_non_head, when the mesh is not head-shaped (fewer than 200 triangles on the
// kept surface, under 5% of the usable triangles kept, or breadth, length and height within
// 15% of each other: a soup, a sphere, a box), naming /head/mesh.
HeadModel buildHeadModel(ImportedMesh imported, const HeadSpec& spec);

// The point inside the cranium from which the scalp chart is cast (scalp_region.h), in the
// head frame: between the ears, 62% of the way from the glabella to the occiput.
// buildHeadModel() checks that the surface lies straight above it.
glm::dvec3 headChartCentre(const Landmarks& lm);

// importMesh(spec.mesh, {spec.keep}) followed by buildHeadModel().
HeadModel loadHeadModel(const HeadSpec& spec);

} // namespace stipple
