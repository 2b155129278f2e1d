#pragma once

// Editing a design the way an interactive host does (the consultation viewer, a script of UI
// actions): one field at a time by its JSON pointer, validated exactly as a design file is; the
// hairline turned into a custom one of control points; an undo/redo history of whole designs.

#include <cstddef>
#include <string>
#include <vector>

#include <glm/glm.hpp>
#include <nlohmann/json.hpp>

#include "stipple/core/design.h"

namespace stipple {

// `design` with the field at `pointer` (design-file v1 JSON pointer, e.g.
// "/zones/2/density_per_cm2", "/pigment/age_days", "/hairline/template") set to `value`. The
// result is parsed and validated as a file would be (parseDesign against design.source), so a
// value out of range throws stipple::Error naming the pointer and the accepted range; a pointer
// the design file does not have throws stipple::Error naming it. Zones are addressed by their
// ZoneId index (designToJson writes all seven in that order).
Design setDesignField(const Design& design, const std::string& pointer,
                      const nlohmann::json& value);

// The number of control points a hairline gets when a host turns a template into a custom one.
inline constexpr size_t kCustomHairlinePoints = 7;

// `design` with a custom hairline through `count` points spaced evenly by arc length over the
// central `share` (0..1] of `front_line_mm` (Hairline::front_line_mm of the realised design: the
// line on the surface, left to right; its ends run down the temples, below the brow line where
// a custom point is rejected, so hosts pass a share below 1), ends of that part included.
// Other hairline fields are kept. `front_line_mm` needs at least two points, `count` at least
// 3 and `share` in (0, 1] (STIPPLE_ASSERT).
Design withCustomHairline(const Design& design, const std::vector<glm::dvec3>& front_line_mm,
                          size_t count = kCustomHairlinePoints, double share = 1.0);

// Undo/redo of whole designs. A host records the design before each edit (record); undo hands
// back the design before the last edit and keeps the current one for redo. A new record clears
// the redo list. Unbounded: a consultation makes hundreds of edits of a few kB each.
class EditHistory {
public:
    void record(const Design& before);
    bool canUndo() const { return !m_undo.empty(); }
    bool canRedo() const { return !m_redo.empty(); }
    // The design to go back to; `current` goes to the redo list. STIPPLE_ASSERTs canUndo().
    Design undo(const Design& current);
    // The design undone last; `current` goes back to the undo list. STIPPLE_ASSERTs canRedo().
    Design redo(const Design& current);
    size_t undoCount() const { return m_undo.size(); }

private:
    std::vector<Design> m_undo, m_redo;
};

} // namespace stipple
