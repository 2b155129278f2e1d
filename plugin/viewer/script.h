#pragma once

// --script actions.json: a list of UI actions replayed one frame at a time through the code the
// panels and the mouse use (ViewerApp commands; drags are injected as mouse events into the
// window's event queue, so they go through the event handlers and picking). Each action is an
// object with "action" and its arguments:
//   {"action": "wait", "frames": 5}
//   {"action": "view", "name": "front"}                 named view (camera.h viewNames())
//   {"action": "set", "pointer": "/pigment/age_days", "value": 365}   any design field
//   {"action": "toggle", "name": "after" | "mirror" | "split" | "panels" | "client" |
//                        "edit_hairline" | "add_scar", "value": true}  (value optional: flips)
//   {"action": "split", "x": 0.4}                       split line position (share of width)
//   {"action": "lighting", "name": "clinic"}
//   {"action": "drag", "from": [x, y], "to": [x, y], "steps": 8}   left-button drag, pixels
//   {"action": "drag_control_point", "index": 3, "to": [x, y], "steps": 8}
//   {"action": "drag_scar_point", "scar": 0, "index": 1, "to": [x, y], "steps": 8}
//   {"action": "finish_scar"}      the outline drawn with "add_scar" on (clicks: "drag" from
//                                  and to the same pixel, "steps": 0) becomes a polygon scar
//   {"action": "orbit", "dx": 300, "frames": 30}        left drag that turns the camera
//   {"action": "undo"} / {"action": "redo"}
//   {"action": "save", "file": "out.json", "overwrite": true}
//   {"action": "open", "file": "other.json"}
//   {"action": "screenshot", "file": "shot.png", "panels": false}
//   {"action": "export", "dir": "renders", "turntable": false, "overwrite": true}
//   {"action": "expect_no_message"}                     fails the run if an error is shown
//   {"action": "expect_message", "contains": "exists"}  fails the run unless the message shown
//                                                       (the window's message panel) has it
//   {"action": "mark", "name": "orbit"}                 names the next frame in --stats
//   {"action": "quit"}
// Relative file names are relative to the working folder. A malformed action stops the run
// with exit code 1 and the message on stderr.

#include <filesystem>
#include <string>
#include <vector>

#include <glm/glm.hpp>
#include <nlohmann/json.hpp>
#include <osgGA/EventQueue>

namespace stipple::viewer {

class ViewerApp;

class ScriptPlayer {
public:
    // Reads the script. Throws stipple::Error naming the file for unreadable or invalid JSON.
    explicit ScriptPlayer(const std::filesystem::path& file);
    // Advances by one frame: starts the next action or continues a running one (drags, waits).
    // Returns false when the script is over (or failed).
    bool step(ViewerApp& app);
    bool failed() const { return m_failed; }

private:
    bool start(ViewerApp& app, const nlohmann::json& action);
    void fail(const std::string& message);
    void injectDragStep(ViewerApp& app);

    std::filesystem::path m_file;
    nlohmann::json m_actions;
    size_t m_next = 0;
    int m_wait = 0;
    bool m_failed = false;
    // A drag in progress: frame k of steps + 2 (press, moves, release).
    struct Drag {
        glm::dvec2 from{0}, to{0};
        int steps = 8;
        int k = 0;
    };
    std::vector<Drag> m_drag;
};

} // namespace stipple::viewer
