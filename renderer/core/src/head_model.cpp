#include "stipple/core/head_model.h"

// SKELETON: units/axes inference and landmark estimation are filled in by the head-frame work.

namespace stipple {

glm::dvec3& Landmarks::operator[](const std::string& name) {
    if (name == "vertex") return vertex;
    if (name == "glabella") return glabella;
    if (name == "nose_tip") return nose_tip;
    if (name == "ear_left") return ear_left;
    if (name == "ear_right") return ear_right;
    STIPPLE_ASSERT(name == "occiput", "Landmarks::operator[](): unknown landmark name");
    return occiput;
}

const glm::dvec3& Landmarks::operator[](const std::string& name) const {
    return const_cast<Landmarks&>(*this)[name];
}

HeadModel buildHeadModel(ImportedMesh imported, const HeadSpec& spec) {
    HeadModel head;
    head.import = std::move(imported.report);
    head.mesh = std::move(imported.mesh);
    head.units.mm_per_unit = spec.mm_per_unit.value_or(1.0);
    head.units.source = spec.mm_per_unit ? "design" : "inferred";
    for (glm::vec3& p : head.mesh.positions) p *= float(head.units.mm_per_unit);
    return head;
}

HeadModel loadHeadModel(const HeadSpec& spec) {
    ImportOptions options;
    options.keep = spec.keep;
    return buildHeadModel(importMesh(spec.mesh, options), spec);
}

} // namespace stipple
