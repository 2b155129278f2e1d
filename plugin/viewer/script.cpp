#include "script.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <osgViewer/GraphicsWindow>

#include "stipple/core/error.h"
#include "viewer_app.h"

namespace stipple::viewer {

namespace {

glm::dvec2 point2(const nlohmann::json& v) {
    return {v.at(0).get<double>(), v.at(1).get<double>()};
}

} // namespace

ScriptPlayer::ScriptPlayer(const std::filesystem::path& file) : m_file(file) {
    const std::string text = [&] {
        std::ifstream in(file, std::ios::binary);
        if (!in) throw Error("cannot read the script", file.string());
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }();
    try {
        m_actions = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("not JSON: ") + e.what(), file.string());
    }
    if (!m_actions.is_array()) throw Error("a script is a JSON array of actions", file.string());
}

void ScriptPlayer::fail(const std::string& message) {
    std::cerr << "stipple-viewer: " << m_file.string() << ": /" << (m_next - 1) << ": " << message
              << "\n";
    m_failed = true;
}

void ScriptPlayer::injectDragStep(ViewerApp& app) {
    Drag& d = m_drag.back();
    auto* window =
        dynamic_cast<osgViewer::GraphicsWindow*>(app.osgViewer().getCamera()->getGraphicsContext());
    if (!window) {
        m_drag.clear();
        return;
    }
    osgGA::EventQueue* queue = window->getEventQueue();
    // Window coordinates as X11 delivers them (y down from the top-left). Frame 0 only moves
    // the mouse there, so every handler (ImGui's hover test included) sees the pointer over the
    // head before the press of frame 1; frames 2..steps+1 move; the last releases.
    const double t = d.steps > 0 ? std::min(1.0, double(d.k - 1) / double(d.steps)) : 1.0;
    const glm::dvec2 p = d.k <= 1 ? d.from : glm::mix(d.from, d.to, t);
    if (d.k == 0) {
        queue->mouseMotion(float(p.x), float(p.y));
    } else if (d.k == 1) {
        queue->mouseButtonPress(float(p.x), float(p.y), 1);
    } else if (d.k <= d.steps + 1) {
        queue->mouseMotion(float(p.x), float(p.y));
    } else {
        queue->mouseButtonRelease(float(d.to.x), float(d.to.y), 1);
    }
    if (++d.k > d.steps + 2) m_drag.clear();
}

bool ScriptPlayer::step(ViewerApp& app) {
    if (m_failed) return false;
    if (!m_drag.empty()) {
        injectDragStep(app);
        return true;
    }
    if (m_wait > 0) {
        --m_wait;
        return true;
    }
    if (m_next >= m_actions.size()) return false;
    const nlohmann::json& action = m_actions[m_next++];
    try {
        return start(app, action);
    } catch (const std::exception& e) {
        fail(e.what());
        return false;
    }
}

bool ScriptPlayer::start(ViewerApp& app, const nlohmann::json& a) {
    const std::string kind = a.at("action").get<std::string>();
    if (kind == "wait") {
        m_wait = a.value("frames", 1) - 1;
    } else if (kind == "view") {
        const std::string name = a.at("name").get<std::string>();
        app.post("view", [&app, name] { app.setView(name); });
    } else if (kind == "set") {
        const std::string pointer = a.at("pointer").get<std::string>();
        const nlohmann::json value = a.at("value");
        app.post("set " + pointer, [&app, pointer, value] { app.setField(pointer, value); });
    } else if (kind == "toggle") {
        const std::string name = a.at("name").get<std::string>();
        const std::optional<bool> value =
            a.contains("value") ? std::optional<bool>(a["value"].get<bool>()) : std::nullopt;
        app.post("toggle " + name, [&app, name, value] {
            ViewState& v = app.view();
            bool* flag = name == "after"           ? &v.after
                         : name == "mirror"        ? &v.mirror
                         : name == "split"         ? &v.split
                         : name == "panels"        ? &v.panels
                         : name == "client"        ? &v.client
                         : name == "edit_hairline" ? &v.edit_hairline
                         : name == "add_scar"      ? &v.add_scar
                                                   : nullptr;
            if (!flag) throw Error("unknown toggle '" + name + "'");
            *flag = value ? *value : !*flag;
            app.applyViewState();
        });
    } else if (kind == "split") {
        const float x = a.at("x").get<float>();
        app.post("split", [&app, x] {
            app.view().split_x = x;
            app.applyViewState();
        });
    } else if (kind == "lighting") {
        const std::string name = a.at("name").get<std::string>();
        app.post("lighting", [&app, name] { app.setLighting(name); });
    } else if (kind == "drag") {
        m_drag.push_back({point2(a.at("from")), point2(a.at("to")), a.value("steps", 8), 0});
        injectDragStep(app);
    } else if (kind == "drag_control_point") {
        const size_t index = a.at("index").get<size_t>();
        const std::vector<glm::dvec3>& points = app.controlPoints();
        if (index >= points.size())
            throw Error("no control point " + std::to_string(index) + " (" + app.message() + ")");
        app.view().edit_hairline = true;
        m_drag.push_back({app.project(points[index]), point2(a.at("to")), a.value("steps", 8), 0});
        injectDragStep(app);
    } else if (kind == "drag_scar_point") {
        const size_t scar = a.at("scar").get<size_t>(), index = a.at("index").get<size_t>();
        const std::vector<ScarSpec>& scars = app.design().scars;
        if (scar >= scars.size() || index >= scars[scar].points_mm.size())
            throw Error("no point " + std::to_string(index) + " of scar " + std::to_string(scar));
        app.view().edit_hairline = true;
        app.view().add_scar = false;
        m_drag.push_back({app.project(scars[scar].points_mm[index]), point2(a.at("to")),
                          a.value("steps", 8), 0});
        injectDragStep(app);
    } else if (kind == "finish_scar") {
        app.post("finish_scar", [&app] { app.finishScar(); });
    } else if (kind == "orbit") {
        const double dx = a.value("dx", 300.0);
        // Centred on the window, low (below the face, clear of the panels at the sides).
        const glm::dvec2 c(app.width() * 0.5 - dx * 0.5, app.height() * 0.92);
        app.view().edit_hairline = false;
        m_drag.push_back({c, c + glm::dvec2(dx, 0), a.value("frames", 30), 0});
        injectDragStep(app);
    } else if (kind == "undo") {
        app.post("undo", [&app] { app.undo(); });
    } else if (kind == "redo") {
        app.post("redo", [&app] { app.redo(); });
    } else if (kind == "save") {
        const std::filesystem::path file = a.at("file").get<std::string>();
        const bool overwrite = a.value("overwrite", false);
        app.post("save", [&app, file, overwrite] { app.save(file, overwrite); });
    } else if (kind == "open") {
        const std::filesystem::path file = a.at("file").get<std::string>();
        app.post("open", [&app, file] { app.open(file); });
    } else if (kind == "screenshot") {
        const std::filesystem::path file = a.at("file").get<std::string>();
        const bool panels = a.value("panels", true);
        app.post("screenshot", [&app, file, panels] { app.screenshot(file, panels); });
    } else if (kind == "export") {
        const std::filesystem::path dir = a.at("dir").get<std::string>();
        const bool turntable = a.value("turntable", false);
        const bool overwrite = a.value("overwrite", false);
        app.post("export", [&app, dir, turntable, overwrite] {
            app.exportRenders(dir, turntable, overwrite);
        });
    } else if (kind == "expect_no_message") {
        if (!app.message().empty()) {
            fail("a message is shown: " + app.message());
            return false;
        }
    } else if (kind == "expect_message") {
        const std::string part = a.at("contains").get<std::string>();
        if (app.message().find(part) == std::string::npos) {
            fail("the message shown is '" + app.message() + "', not one containing '" + part + "'");
            return false;
        }
    } else if (kind == "mark") {
        app.mark(a.at("name").get<std::string>());
    } else if (kind == "quit") {
        return false;
    } else {
        fail("unknown action '" + kind + "'");
        return false;
    }
    return true;
}

} // namespace stipple::viewer
