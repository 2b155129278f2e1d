#include "viewer_app.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include <time.h>

#include <GL/gl.h>
#include <nlohmann/json.hpp>
#include <osgViewer/GraphicsWindow>
#include <osgViewer/ViewerEventHandlers>

#include "head_events.h"
#include "imgui_osg.h"
#include "scene_passes.h"
#include "script.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/error.h"
#include "stipple/core/mesh_ray.h"
#include "stipple/render/design_render.h"
#include "stipple/render/design_scene.h"
#include "stipple/render/render_job.h"

namespace stipple::viewer {

namespace {

// CPU time of the whole process (every thread: llvmpipe's too), ms: a frame's cost that the
// machine's other load does not inflate.
double processCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The window's back buffer as RGBA, row 0 at the top (read before the swap).
Image8 readBackBuffer(int width, int height) {
    Image8 image(width, height, 4);
    std::vector<uint8_t> rows(image.pixels.size());
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rows.data());
    const size_t stride = size_t(width) * 4;
    for (int y = 0; y < height; ++y)
        std::copy_n(rows.begin() + long(size_t(height - 1 - y) * stride), stride,
                    image.pixels.begin() + long(size_t(y) * stride));
    for (size_t i = 3; i < image.pixels.size(); i += 4)
        image.pixels[i] = 255; // the window is opaque
    return image;
}

// Counts the input events (anything but OSG's per-frame event) a frame received: the panels
// answer input, so such a frame is drawn even when the head does not change.
class InputEvents : public osgGA::GUIEventHandler {
public:
    explicit InputEvents(int* count) : m_count(count) {}
    bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter&) override {
        if (ea.getEventType() != osgGA::GUIEventAdapter::FRAME) ++*m_count;
        return false;
    }

private:
    int* m_count; // ViewerApp::m_input_events: the app outlives its viewer's handlers
};

} // namespace

ViewerApp::ViewerApp(const ViewerOptions& options)
    : m_options(options), m_start(std::chrono::steady_clock::now()) {
    setAssertMode(AssertMode::Throw); // a bug is a message in the window, not a lost session
    m_view.client = options.client;
    m_view.panels = !options.client;
    if (!open(options.design)) throw Error(m_message);
    buildWindow();
}

ViewerApp::~ViewerApp() = default;

void ViewerApp::buildWindow() {
    osg::ref_ptr<osg::GraphicsContext::Traits> traits = new osg::GraphicsContext::Traits;
    traits->readDISPLAY(); // $DISPLAY (xvfb-run sets it), not :0
    traits->setUndefinedScreenDetailsToDefaultScreen();
    traits->x = 0;
    traits->y = 0;
    traits->width = m_options.width;
    traits->height = m_options.height;
    traits->windowDecoration = true;
    traits->doubleBuffer = true;
    // A single-sampled visual: the head is drawn off screen (ScenePasses, 4x supersampled
    // at full quality), the window shows the picture and the panels.
    traits->windowName = "Stipple viewer";
    osg::ref_ptr<osg::GraphicsContext> gc = osg::GraphicsContext::createGraphicsContext(traits);
    if (!gc)
        throw RuntimeFailure("cannot open a window (is DISPLAY set? under CI use xvfb-run -a -s "
                             "\"-screen 0 1920x1080x24\")");
    m_viewer = new osgViewer::Viewer;
    m_viewer->setThreadingModel(osgViewer::ViewerBase::SingleThreaded);
    m_viewer->setRunFrameScheme(osgViewer::ViewerBase::CONTINUOUS);
    osg::Camera* camera = m_viewer->getCamera();
    camera->setGraphicsContext(gc);
    camera->setViewport(new osg::Viewport(0, 0, traits->width, traits->height));
    camera->setDrawBuffer(GL_BACK);
    camera->setReadBuffer(GL_BACK);

    m_passes = std::make_unique<ScenePasses>(
        traits->width, traits->height, m_options.msaa >= 2 ? 2 : 1, m_options.interactive_scale);
    m_viewer->setSceneData(m_passes->root());

    m_manipulator = new osgGA::OrbitManipulator;
    m_manipulator->setAllowThrow(false);
    // The head frame is +Y up; OSG's "fixed vertical axis" is +Z and would turn every named
    // view upside down, so the orbit is a free trackball around the framing target.
    m_manipulator->setVerticalAxisFixed(false);
    m_viewer->setCameraManipulator(m_manipulator, false);
    m_imgui = new ImGuiLayer([this] { ui(); });
    m_imgui->setAfterDraw([this] {
        if (!m_capture) return;
        const Image8 image = readBackBuffer(width(), height());
        try {
            writeFileAtomic(m_capture->file, encodePng(image), Overwrite::Yes);
        } catch (const std::exception& e) {
            m_message = e.what();
        }
        m_capture.reset();
    });
    camera->setFinalDrawCallback(m_imgui);
    camera->setClearMask(0); // the quad covers the window
    m_viewer->addEventHandler(new InputEvents(&m_input_events));
    m_viewer->addEventHandler(new ImGuiEvents);
    m_viewer->addEventHandler(new HeadEvents(*this));
    m_viewer->realize();
    rebuildScene();
    setView(m_view.view);
    applyViewState();
}

int ViewerApp::width() const {
    return int(m_viewer->getCamera()->getViewport()->width());
}
int ViewerApp::height() const {
    return int(m_viewer->getCamera()->getViewport()->height());
}

// ---- the design -----------------------------------------------------------------------------

bool ViewerApp::open(const std::filesystem::path& file) {
    try {
        auto session = std::make_unique<Session>(loadDesign(file));
        if (m_options.layer_size != 0) session->setLayerSize(m_options.layer_size, "layer_size");
        session->loadHead();
        session->liveLayers(); // every stage, so a design that does not fit fails here
        m_session = std::move(session);
        m_file = file;
        m_history = EditHistory();
        m_merge_key.clear();
        m_message.clear();
        if (m_viewer) {
            rebuildScene();
            setView(m_view.view);
        }
        return true;
    } catch (const std::exception& e) {
        m_message = e.what();
        return false;
    }
}

void ViewerApp::rebuildScene() {
    render::SceneOverrides overrides;
    if (!m_view.lighting.empty()) overrides.lighting = m_view.lighting;
    osg::ref_ptr<render::Scene> scene = render::buildDesignScene(*m_session, overrides);
    m_scene = scene;
    m_passes->setScene(m_scene.get());
    m_layer_runs = m_session->runs().layers;
    m_framer = std::make_unique<render::ViewFramer>(m_session->head(), &m_session->layers());
    const glm::dvec3 bg = design().render.background_srgb;
    m_passes->setClearColour(osg::Vec4(float(bg.x), float(bg.y), float(bg.z), 1));
    applyViewState();
}

bool ViewerApp::refreshLayers() {
    const LiveLayers live = m_session->liveLayers();
    if (m_session->runs().layers != m_layer_runs) {
        m_scene->updateLayers(*live.baked);
        m_layer_runs = m_session->runs().layers;
    }
    m_scene->setLayerColour(live.colour);
    return true;
}

bool ViewerApp::commit(const Design& design, const std::string& merge_key) {
    const Design before = m_session->design();
    try {
        const SessionChange change = m_session->apply(design);
        if (change.head) {
            m_session->loadHead();
            rebuildScene();
        } else {
            refreshLayers();
        }
    } catch (const std::exception& e) {
        m_message = e.what();
        m_session->apply(before); // the last good state, exactly (its stages are recomputed)
        try {
            refreshLayers();
        } catch (const std::exception&) {
        }
        return false;
    }
    if (merge_key.empty() || merge_key != m_merge_key) m_history.record(before);
    m_merge_key = merge_key;
    m_message.clear();
    return true;
}

bool ViewerApp::edit(const Design& design, const std::string& merge_key) {
    return commit(design, merge_key);
}

bool ViewerApp::setField(const std::string& pointer, const nlohmann::json& value,
                         const std::string& merge_key) {
    try {
        return commit(setDesignField(design(), pointer, value), merge_key);
    } catch (const std::exception& e) {
        m_message = e.what();
        return false;
    }
}

void ViewerApp::undo() {
    if (!m_history.canUndo()) return;
    showFromHistory(m_history.undo(design()));
}

void ViewerApp::redo() {
    if (!m_history.canRedo()) return;
    showFromHistory(m_history.redo(design()));
}

// Applies a design taken from the undo history: a new head rebuilds the scene, anything else
// refreshes the layers; the next slider drag starts a new history entry.
void ViewerApp::showFromHistory(const Design& design) {
    const SessionChange change = m_session->apply(design);
    if (change.head) {
        m_session->loadHead();
        rebuildScene();
    } else {
        refreshLayers();
    }
    m_merge_key.clear();
}

bool ViewerApp::save(const std::filesystem::path& file, bool overwrite) {
    std::error_code ec;
    if (!overwrite && std::filesystem::exists(file, ec)) {
        m_confirm_file = file;
        m_message = file.string() + " exists; confirm to replace it";
        return false;
    }
    try {
        const std::filesystem::path folder = std::filesystem::absolute(file).parent_path();
        writeFileAtomic(file, designToText(design(), folder),
                        overwrite ? Overwrite::Yes : Overwrite::No);
        m_confirm_file.clear();
        m_message.clear();
        return true;
    } catch (const std::exception& e) {
        m_message = e.what();
        return false;
    }
}

bool ViewerApp::exportRenders(const std::filesystem::path& dir, bool turntable, bool overwrite) {
    try {
        // A session of its own at the design's layer size, so the files are the CLI's files
        // (the live session bakes at the viewer's preview size); the head is shared.
        Session exact(design());
        exact.setHead(m_session->sharedHead());
        render::RenderOverrides o;
        o.turntable = turntable;
        render::RenderJob job = render::renderJobFromDesign(design(), o);
        job.out_dir = dir;
        job.overwrite = overwrite ? Overwrite::Yes : Overwrite::No;
        ensureWritableDir(dir);
        const render::RenderSubject subject{&exact.head(), &exact.layers(),
                                            render::provenanceOf(design(), exact.head())};
        render::runRenderJob({subject}, job);
        m_message = "wrote " + dir.string();
        return true;
    } catch (const std::exception& e) {
        m_message = e.what();
        return false;
    }
}

void ViewerApp::screenshot(const std::filesystem::path& file, bool panels) {
    m_capture = Capture{file, panels};
    if (!panels && m_imgui->visible()) {
        m_imgui->setVisible(false);
        m_restore_panels = true;
    }
}

// ---- the view -------------------------------------------------------------------------------

void ViewerApp::setView(const std::string& name) {
    const std::optional<render::CameraPose> pose =
        render::viewPose(name, design().render.elevation_deg);
    if (!pose) {
        m_message = "unknown view '" + name + "'";
        return;
    }
    m_view.view = name;
    const render::Framing framing = m_framer->fit(name, *pose, width(), height());
    const render::CameraBasis b = render::cameraBasis(framing, *pose);
    const glm::dvec3 target = b.eye + b.forward * framing.distance_mm;
    const osg::Vec3d eye(b.eye.x, b.eye.y, b.eye.z), centre(target.x, target.y, target.z),
        up(b.up.x, b.up.y, b.up.z);
    // Home (the space bar, and what osgViewer applies when it first sees the scene) is the
    // named view too, not OSG's bounding-sphere default (which looks along +Y: from below).
    m_manipulator->setAutoComputeHomePosition(false);
    m_manipulator->setHomePosition(eye, centre, up);
    m_manipulator->setTransformation(eye, centre, up);
    osg::Matrixd projection = osg::Matrixd::perspective(
        framing.fov_y_deg, double(width()) / double(height()), framing.near_mm,
        std::max(framing.far_mm, 4 * framing.distance_mm));
    if (m_view.mirror) projection = projection * osg::Matrixd::scale(-1, 1, 1);
    osg::Camera* camera = m_viewer->getCamera();
    camera->setProjectionMatrix(projection);
    camera->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
}

void ViewerApp::setLighting(const std::string& name) {
    try {
        m_scene->setLighting(render::lightingFromDesign(design().render, name));
        m_view.lighting = name;
    } catch (const std::exception& e) {
        m_message = e.what();
    }
}

void ViewerApp::applyViewState() {
    if (!m_scene) return;
    m_scene->setAfter(m_view.after);
    applySplit();
    m_passes->setMirror(m_view.mirror);
    // The mirror flips the projection's x; the view matrix (the manipulator's) is untouched.
    osg::Camera* camera = m_viewer->getCamera();
    osg::Matrixd p = camera->getProjectionMatrix();
    const bool flipped = p(0, 0) < 0;
    if (flipped != m_view.mirror) camera->setProjectionMatrix(p * osg::Matrixd::scale(-1, 1, 1));
    if (m_imgui && !m_capture) m_imgui->setVisible(true); // client mode still draws its slider
}

// ---- picking --------------------------------------------------------------------------------

std::optional<glm::dvec3> ViewerApp::pick(double x, double y) const {
    const osg::Camera* camera = m_viewer->getCamera();
    const osg::Matrixd vpw = camera->getViewMatrix() * camera->getProjectionMatrix() *
                             camera->getViewport()->computeWindowMatrix();
    const osg::Matrixd inverse = osg::Matrixd::inverse(vpw);
    const double wy = double(height()) - y; // OSG's window y points up
    const osg::Vec3d near_point = osg::Vec3d(x, wy, 0) * inverse;
    const osg::Vec3d far_point = osg::Vec3d(x, wy, 1) * inverse;
    const glm::dvec3 origin(near_point.x(), near_point.y(), near_point.z());
    const glm::dvec3 direction = glm::dvec3(far_point.x(), far_point.y(), far_point.z()) - origin;
    const std::optional<RayHit> hit = intersectRay(m_session->head().mesh, origin, direction);
    if (!hit) return std::nullopt;
    return hit->point;
}

glm::dvec2 ViewerApp::project(const glm::dvec3& point) const {
    const osg::Camera* camera = m_viewer->getCamera();
    const osg::Matrixd vpw = camera->getViewMatrix() * camera->getProjectionMatrix() *
                             camera->getViewport()->computeWindowMatrix();
    const osg::Vec3d w = osg::Vec3d(point.x, point.y, point.z) * vpw;
    return {w.x(), double(height()) - w.y()};
}

const std::vector<glm::dvec3>& ViewerApp::controlPoints() {
    if (design().hairline.shape != HairlineTemplate::Custom) {
        // The front line's ends run down the temples, below the brow line where custom points
        // are rejected: take the widest central part the session accepts.
        const std::vector<glm::dvec3> line = m_session->follicles(SessionLabels::Deferred).hairline.front_line_mm;
        if (line.size() >= 2)
            for (const double share : {0.8, 0.7, 0.6, 0.5, 0.4})
                if (commit(withCustomHairline(design(), line, kCustomHairlinePoints, share), {}))
                    break;
    }
    return design().hairline.control_points;
}

std::optional<size_t> ViewerApp::controlPointNear(double x, double y, double radius_px) {
    const std::vector<glm::dvec3>& points = controlPoints();
    std::optional<size_t> best;
    double best_d = radius_px;
    for (size_t i = 0; i < points.size(); ++i) {
        const double d = glm::length(project(points[i]) - glm::dvec2(x, y));
        if (d <= best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

bool ViewerApp::moveControlPoint(size_t index, double x, double y, const std::string& merge_key) {
    const std::optional<glm::dvec3> hit = pick(x, y);
    if (!hit) return false;
    Design d = design();
    if (index >= d.hairline.control_points.size()) return false;
    d.hairline.control_points[index] = *hit;
    return commit(d, merge_key);
}

std::optional<PointRef> ViewerApp::scarPointNear(double x, double y, double radius_px) const {
    std::optional<PointRef> best;
    double best_d = radius_px;
    const std::vector<ScarSpec>& scars = design().scars;
    for (size_t s = 0; s < scars.size(); ++s) {
        if (scars[s].type != ScarType::Polygon) continue;
        for (size_t i = 0; i < scars[s].points_mm.size(); ++i) {
            const double d = glm::length(project(scars[s].points_mm[i]) - glm::dvec2(x, y));
            if (d <= best_d) {
                best_d = d;
                best = PointRef{PointRef::Scar, s, i};
            }
        }
    }
    return best;
}

bool ViewerApp::movePoint(const PointRef& ref, double x, double y, const std::string& merge_key) {
    if (ref.kind == PointRef::Hairline) return moveControlPoint(ref.index, x, y, merge_key);
    const std::optional<glm::dvec3> hit = pick(x, y);
    if (!hit) return false;
    Design d = design();
    if (ref.scar >= d.scars.size() || ref.index >= d.scars[ref.scar].points_mm.size()) return false;
    d.scars[ref.scar].points_mm[ref.index] = *hit;
    return commit(d, merge_key);
}

void ViewerApp::addScarPoint(double x, double y) {
    if (const std::optional<glm::dvec3> hit = pick(x, y)) m_scar_draft.push_back(*hit);
}

void ViewerApp::finishScar() {
    if (m_scar_draft.size() < 3) {
        m_message = "a scar outline needs at least 3 points on the head";
        return;
    }
    Design d = design();
    ScarSpec scar;
    scar.type = ScarType::Polygon;
    scar.points_mm = m_scar_draft;
    d.scars.push_back(scar);
    m_scar_draft.clear();
    commit(d, {});
}

// ---- the loop -------------------------------------------------------------------------------

void ViewerApp::post(std::string name, std::function<void()> command) {
    // Several drag events in one frame: only the last position matters.
    if (!m_pending.empty() && m_pending.back().name == name &&
        name.find("drag") != std::string::npos) {
        m_pending.back().run = std::move(command);
        return;
    }
    m_pending.push_back({std::move(name), std::move(command)});
}

// The split line in pixels of the target this frame draws (the scene's shader compares it
// with gl_FragCoord), or none.
void ViewerApp::applySplit() {
    const double width_px = m_passes->targetWidth(m_passes->selected());
    m_scene->setSplit(m_view.split ? double(m_view.split_x) * width_px : -1.0);
}

bool ViewerApp::mouseButtonHeld() const {
    auto* window =
        dynamic_cast<osgViewer::GraphicsWindow*>(m_viewer->getCamera()->getGraphicsContext());
    return window && window->getEventQueue()->getCurrentEventState()->getButtonMask() != 0;
}

// How this frame draws the head (viewer_app.h, "Quality"): interactive while the camera moves
// or a drag edits, full once the camera has been still for kRefineAfterS with no button held,
// full for any other change, input (the panels) and a screenshot; no frame at all (nullopt)
// when nothing changed.
std::optional<ScenePasses::Draw> ViewerApp::chooseDraw(bool commands_ran) {
    using Draw = ScenePasses::Draw;
    const osg::Camera* camera = m_viewer->getCamera();
    const bool moved = camera->getViewMatrix() != m_drawn_view ||
                       camera->getProjectionMatrix() != m_drawn_projection;
    const bool held = mouseButtonHeld();
    if (m_capture) return Draw::Full;
    // A held button with input is a drag (the camera, a control point, a slider): the panels
    // need the frame to see it, and its edits come at the frame rate.
    if (moved || (held && (commands_ran || m_input_events > 0))) {
        m_still_since = std::chrono::steady_clock::now();
        return Draw::Interactive;
    }
    if (m_refine_pending && (held || msSince(m_still_since) < kRefineAfterS * 1000))
        return std::nullopt; // the interactive picture stays until the camera rests
    if (commands_ran || m_refine_pending) return Draw::Full;
    if (m_input_events > 0 || m_ui_frames > 0) return Draw::Reuse; // the panels only
    return std::nullopt;
}

void ViewerApp::frame() {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = processCpuMs();
    std::vector<std::string> ran;
    while (!m_pending.empty()) {
        Pending p = std::move(m_pending.front());
        m_pending.pop_front();
        try {
            p.run();
        } catch (const std::exception& e) {
            m_message = e.what();
        }
        ran.push_back(p.name);
    }
    m_input_events = 0;
    m_viewer->advance();
    m_viewer->eventTraversal();
    m_viewer->updateTraversal();
    using Draw = ScenePasses::Draw;
    const std::optional<Draw> chosen = chooseDraw(!ran.empty());
    if (!chosen) {
        // Nothing to show: no frame (and no CPU) until something happens.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return;
    }
    const Draw draw = *chosen;
    // Panels settle a frame after their input (hover, release).
    m_ui_frames = m_input_events > 0 ? 1 : std::max(m_ui_frames - 1, 0);
    m_passes->select(draw);
    if (draw == Draw::Interactive) m_refine_pending = true;
    if (draw != Draw::Reuse) {
        m_scene->setInteractive(draw == Draw::Interactive);
        applySplit();
        m_drawn_view = m_viewer->getCamera()->getViewMatrix();
        m_drawn_projection = m_viewer->getCamera()->getProjectionMatrix();
    }
    m_viewer->renderingTraversals();
    const double ms = msSince(t0);
    m_last_frame_ms = ms;
    m_frame_ms.push_back(ms);
    m_frame_cpu_ms.push_back(processCpuMs() - cpu0);
    m_frame_draw.push_back(draw == Draw::Full ? 'f' : draw == Draw::Interactive ? 'i' : '-');
    if (draw == Draw::Full && m_first_full_ms == 0) m_first_full_ms = msSince(m_start);
    if (draw == Draw::Full && m_refine_pending) {
        m_refine_ms.push_back(msSince(m_still_since));
        m_refine_pending = false;
    }
    for (const std::string& name : ran)
        if (!name.empty()) m_actions.push_back({name, ms});
    if (m_restore_panels && !m_capture) {
        m_imgui->setVisible(true);
        m_restore_panels = false;
    }
}

int ViewerApp::run() {
    std::unique_ptr<ScriptPlayer> script;
    if (!m_options.script.empty()) script = std::make_unique<ScriptPlayer>(m_options.script);
    while (!m_viewer->done()) {
        if (script && !script->step(*this)) break;
        frame();
        if (m_frame_ms.size() == 1) m_first_frame_ms = msSince(m_start);
    }
    writeStats();
    return script && script->failed() ? 1 : 0;
}

void ViewerApp::writeStats() const {
    if (m_options.stats.empty()) return;
    nlohmann::json j;
    j["first_frame_ms"] = m_first_frame_ms;
    j["first_full_frame_ms"] = m_first_full_ms;
    j["frame_ms"] = m_frame_ms;
    j["frame_cpu_ms"] = m_frame_cpu_ms;
    j["frame_draw"] = std::string(m_frame_draw.begin(), m_frame_draw.end());
    j["refine_ms"] = m_refine_ms;
    nlohmann::json actions = nlohmann::json::array();
    for (const ActionTiming& a : m_actions)
        actions.push_back({{"name", a.name}, {"ms", a.ms}});
    j["actions"] = actions;
    nlohmann::json marks = nlohmann::json::object();
    for (const auto& [name, frame] : m_marks)
        marks[name] = frame;
    j["marks"] = marks;
    j["width"] = width();
    j["height"] = height();
    writeFileAtomic(m_options.stats, j.dump(1), Overwrite::Yes);
}

} // namespace stipple::viewer
