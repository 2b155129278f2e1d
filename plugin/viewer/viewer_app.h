#pragma once

// stipple-viewer: the consultation viewer. One Session (the design on the client's head) shown
// as a live Scene in an osgViewer window with Dear ImGui panels. Every change a user makes
// (panel, mouse drag on the head, script action) is a Command queued here and run between
// frames, so a script (--script) drives exactly the code the panels drive, and the scene is
// only modified outside the draw.
//
// Threads: osgViewer single-threaded; everything here runs on the main thread.

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <osg/Camera>
#include <osg/Group>
#include <osgGA/OrbitManipulator>
#include <osgViewer/Viewer>

#include "scene_passes.h"
#include "stipple/core/design_edit.h"
#include "stipple/core/image.h"
#include "stipple/core/session.h"
#include "stipple/render/camera.h"
#include "stipple/render/renderer.h"
#include "stipple/render/scene.h"

namespace stipple::viewer {

class ImGuiLayer;

// Quality: the head is drawn off screen (scene_passes.h). While the camera moves, or a mouse
// drag edits the design, frames are drawn at interactive quality (a share of the window's
// size, no MSAA, Scene::setInteractive). Once the camera has been still for kRefineAfterS
// with no button held, one full-quality frame (4x supersampled when --msaa is 2 or more)
// replaces it. Any other change (a panel, a script action) is drawn at full quality on the
// next frame; input that changes nothing (the panels) redraws the last full picture and the
// panels; when nothing changed no frame is drawn.
inline constexpr double kRefineAfterS = 0.12;

struct ViewerOptions {
    std::filesystem::path design;
    std::filesystem::path script;   // --script: UI actions replayed frame by frame
    std::filesystem::path stats;    // --stats: frame and action timings as JSON
    int width = 1280, height = 720; // window size (client mode: the screen)
    int msaa = 4;                   // window samples
    int layer_size = 2048;          // chart resolution of the live layers (0: the design's)
    double interactive_scale = 0.5; // interactive frames: share of the window's width/height
    bool client = false;            // start in client mode
};

// The pigment ages of the timeline, days: fresh, 1 week, healed, 1, 3 and 5 years.
inline constexpr double kTimelineDays[] = {0, 7, 30, 365, 1095, 1825};
inline constexpr const char* kTimelineNames[] = {"fresh",  "1 week",  "healed (30 d)",
                                                 "1 year", "3 years", "5 years"};

// What the panels show besides the design (not part of it, not undone).
struct ViewState {
    bool panels = true;
    bool client = false;
    bool mirror = false;
    bool after = true;
    bool split = false;   // before | after split line
    float split_x = 0.5f; // its position, share of the width from the left
    std::string lighting; // preset name; empty: the design's
    std::string view = "front";
    bool edit_hairline = false; // left drags move hairline control points
    bool add_scar = false;      // left clicks add points to a new polygon scar
};

// A point the mouse can drag: hairline control point `index`, or outline point `index` of
// polygon scar `scar`.
struct PointRef {
    enum Kind { Hairline, Scar } kind = Hairline;
    size_t scar = 0;
    size_t index = 0;
};

// One timed action for --stats: from the command to the end of the frame that shows it.
struct ActionTiming {
    std::string name;
    double ms = 0;
};

class ViewerApp {
public:
    explicit ViewerApp(const ViewerOptions& options);
    ~ViewerApp();
    // Runs the window until it is closed or the script ends; the exit code.
    int run();

    // ---- commands: queued, run between frames (panels and scripts call these) ----
    void post(std::string name, std::function<void()> command);

    // Opens a design file (and its head). On failure the message is shown and the last good
    // design stays. Returns false on failure.
    bool open(const std::filesystem::path& file);
    // Applies an edited design as one undoable edit (`merge_key`: consecutive edits with the
    // same non-empty key, e.g. one slider drag, are one undo step). On failure (a value out
    // of range, a hairline that does not fit the head) the message is shown and the previous
    // design stays.
    bool edit(const Design& design, const std::string& merge_key = {});
    // edit(setDesignField(design(), pointer, value)).
    bool setField(const std::string& pointer, const nlohmann::json& value,
                  const std::string& merge_key = {});
    void endMerge() { m_merge_key.clear(); }
    void undo();
    void redo();
    // Saves the design (design-file v1, atomic). An existing file is replaced only with
    // `overwrite`; otherwise the message asks for confirmation and false is returned.
    bool save(const std::filesystem::path& file, bool overwrite);
    // Stills (the design's views) and a turntable into `dir`, through the CLI's render job.
    bool exportRenders(const std::filesystem::path& dir, bool turntable, bool overwrite);
    // The next frame's picture (without panels when `panels` is false) as a PNG.
    void screenshot(const std::filesystem::path& file, bool panels);

    void setView(const std::string& name);
    void setLighting(const std::string& name);
    ViewState& view() { return m_view; }
    void applyViewState(); // after/split/mirror/lighting/panels into the scene graph

    // ---- direct manipulation ----
    // The surface point under window pixel (x, y) (top-left origin), if any.
    std::optional<glm::dvec3> pick(double x, double y) const;
    // Window pixel of a head-frame point.
    glm::dvec2 project(const glm::dvec3& point) const;
    // The hairline's control points (turning the template into a custom hairline first, as one
    // undoable edit, when it is not one yet).
    const std::vector<glm::dvec3>& controlPoints();
    // Moves control point `index` to the surface under pixel (x, y). `merge_key` as edit().
    bool moveControlPoint(size_t index, double x, double y, const std::string& merge_key);
    // The control point nearest to pixel (x, y) within `radius_px`.
    std::optional<size_t> controlPointNear(double x, double y, double radius_px);
    // The outline point of a polygon scar nearest to pixel (x, y) within `radius_px`.
    std::optional<PointRef> scarPointNear(double x, double y, double radius_px) const;
    // Moves the point `ref` to the surface under pixel (x, y) (moveControlPoint for a hairline
    // point). Returns false when nothing is under the pixel or the design rejects the edit.
    bool movePoint(const PointRef& ref, double x, double y, const std::string& merge_key);
    // Adds the surface point under (x, y) to the scar being drawn / finishes it.
    void addScarPoint(double x, double y);
    void finishScar();

    // ---- state for the panels ----
    const Design& design() const { return m_session->design(); }
    Session& session() { return *m_session; }
    const std::string& message() const { return m_message; }
    void setMessage(std::string message) { m_message = std::move(message); }
    bool canUndo() const { return m_history.canUndo(); }
    bool canRedo() const { return m_history.canRedo(); }
    const std::filesystem::path& file() const { return m_file; }
    bool hasPendingOverwrite() const { return !m_confirm_file.empty(); }
    const std::filesystem::path& pendingOverwrite() const { return m_confirm_file; }
    void clearPendingOverwrite() { m_confirm_file.clear(); }
    const std::vector<glm::dvec3>& scarDraft() const { return m_scar_draft; }
    osgViewer::Viewer& osgViewer() { return *m_viewer; }
    int width() const;
    int height() const;
    // Names the next frame's index in --stats ("marks"), so benchmarks can find their frames.
    void mark(const std::string& name) { m_marks.emplace_back(name, m_frame_ms.size()); }
    // Frame time of the last frame, ms.
    double lastFrameMs() const { return m_last_frame_ms; }

private:
    void showFromHistory(const Design& design);
    void buildWindow();
    void rebuildScene();
    bool refreshLayers();
    bool commit(const Design& design, const std::string& merge_key);
    void frame();
    std::optional<ScenePasses::Draw> chooseDraw(bool commands_ran);
    bool mouseButtonHeld() const;
    void applySplit();
    void writeStats() const;
    void ui(); // the panels (panels.cpp)

    ViewerOptions m_options;
    osg::ref_ptr<osgViewer::Viewer> m_viewer;
    osg::ref_ptr<osgGA::OrbitManipulator> m_manipulator;
    std::unique_ptr<ScenePasses> m_passes;
    osg::ref_ptr<render::Scene> m_scene;
    osg::ref_ptr<ImGuiLayer> m_imgui;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<render::ViewFramer> m_framer;
    std::filesystem::path m_file;
    EditHistory m_history;
    std::string m_merge_key;
    std::string m_message;
    std::filesystem::path m_confirm_file;
    size_t m_layer_runs = size_t(-1);
    ViewState m_view;
    std::vector<glm::dvec3> m_scar_draft;

    struct Pending {
        std::string name;
        std::function<void()> run;
    };
    std::deque<Pending> m_pending;
    struct Capture {
        std::filesystem::path file;
        bool panels = false;
    };
    std::optional<Capture> m_capture;
    bool m_restore_panels = false;

    std::vector<double> m_frame_ms;
    std::vector<double> m_frame_cpu_ms; // per drawn frame: the process's CPU time, ms
    std::vector<char> m_frame_draw;     // per drawn frame: 'f' full, 'i' interactive, '-' reuse
    std::vector<double> m_refine_ms;    // camera still -> end of the full frame, ms
    osg::Matrixd m_drawn_view, m_drawn_projection; // the camera of the last head drawn
    bool m_refine_pending = false;
    std::chrono::steady_clock::time_point m_still_since;
    int m_input_events = 0; // input events of this frame (InputEvents)
    int m_ui_frames = 0;    // frames still to draw for the panels after input
    std::vector<ActionTiming> m_actions;
    std::vector<std::pair<std::string, size_t>> m_marks;
    double m_last_frame_ms = 0;
    double m_first_frame_ms = 0; // start -> end of the first frame (interactive quality)
    double m_first_full_ms = 0;  // start -> end of the first full-quality frame
    std::chrono::steady_clock::time_point m_start;

    friend class ScriptPlayer;
    friend void buildPanels(ViewerApp& app);
};

} // namespace stipple::viewer
