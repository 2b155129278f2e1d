#include "stipple/core/design_edit.h"

#include <algorithm>

#include "stipple/core/design_writer.h"
#include "stipple/core/error.h"

namespace stipple {

Design setDesignField(const Design& design, const std::string& pointer,
                      const nlohmann::json& value) {
    const std::filesystem::path folder =
        design.source.empty() ? std::filesystem::path() : design.source.parent_path();
    nlohmann::json json = designToJson(design, folder);
    nlohmann::json::json_pointer at;
    try {
        at = nlohmann::json::json_pointer(pointer);
    } catch (const nlohmann::json::exception&) {
        throw Error("'" + pointer + "' is not a JSON pointer (e.g. /pigment/age_days)",
                    design.source.string(), pointer);
    }
    if (at.empty() || !json.contains(at))
        throw Error("the design file has no field " + pointer +
                        " (docs/design-file.md lists them; zones are /zones/0 .. /zones/6)",
                    design.source.string(), pointer);
    json[at] = value;
    // A template other than custom takes no control points (the parser rejects them).
    if (pointer == "/hairline/template" && value != "custom")
        json["hairline"].erase("control_points_mm");
    Design edited = parseDesign(json.dump(), design.source);
    edited.sha256 = design.sha256; // the bytes on disk are still the file's
    return edited;
}

Design withCustomHairline(const Design& design, const std::vector<glm::dvec3>& front_line_mm,
                          size_t count, double share) {
    // Not input-reachable: the viewer passes the session's front line only when it has 2+ points, a
    // constant count and fixed shares.
    STIPPLE_ASSERT(front_line_mm.size() >= 2, "withCustomHairline(): needs a line of 2+ points");
    STIPPLE_ASSERT(count >= 3, "withCustomHairline(): a custom hairline has 3+ points");
    STIPPLE_ASSERT(share > 0 && share <= 1, "withCustomHairline(): share must be in (0, 1]");
    std::vector<double> length(front_line_mm.size(), 0.0);
    for (size_t i = 1; i < front_line_mm.size(); ++i)
        length[i] = length[i - 1] + glm::length(front_line_mm[i] - front_line_mm[i - 1]);
    Design edited = design;
    edited.hairline.shape = HairlineTemplate::Custom;
    edited.hairline.control_points.clear();
    for (size_t k = 0; k < count; ++k) {
        const double s = length.back() * ((1 - share) / 2 + share * double(k) / double(count - 1));
        const size_t i = size_t(std::upper_bound(length.begin(), length.end(), s) - length.begin());
        if (i >= length.size()) {
            edited.hairline.control_points.push_back(front_line_mm.back());
            continue;
        }
        const double span = length[i] - length[i - 1];
        const double f = span > 0 ? (s - length[i - 1]) / span : 0.0;
        edited.hairline.control_points.push_back(
            glm::mix(front_line_mm[i - 1], front_line_mm[i], f));
    }
    return edited;
}

void EditHistory::record(const Design& before) {
    m_undo.push_back(before);
    m_redo.clear();
}

Design EditHistory::undo(const Design& current) {
    // Not input-reachable: the viewer's undo() returns when !canUndo() (buttons, scripts).
    STIPPLE_ASSERT(canUndo(), "EditHistory::undo(): nothing to undo");
    Design previous = std::move(m_undo.back());
    m_undo.pop_back();
    m_redo.push_back(current);
    return previous;
}

Design EditHistory::redo(const Design& current) {
    // Not input-reachable: the viewer's redo() returns when !canRedo() (buttons, scripts).
    STIPPLE_ASSERT(canRedo(), "EditHistory::redo(): nothing to redo");
    Design next = std::move(m_redo.back());
    m_redo.pop_back();
    m_undo.push_back(current);
    return next;
}

} // namespace stipple
