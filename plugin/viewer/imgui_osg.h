#pragma once

// Dear ImGui (Debian's libimgui-dev 1.86, OpenGL 3 backend) inside an osgViewer window: an
// event handler feeds OSG's mouse and keyboard events to ImGui (and swallows them while ImGui
// wants them, so the camera does not orbit under a slider), and a final-draw callback on the
// main camera builds and draws the UI after the scene, in the viewer's own GL context.

#include <functional>

#include <osg/Camera>
#include <osgGA/GUIEventHandler>

namespace stipple::viewer {

// Calls `build` once per frame between ImGui::NewFrame() and ImGui::Render(), in the draw
// thread with the context current. After the UI is drawn, `after_ui` runs (screen capture); the
// flag tells whether the UI was drawn this frame (hosts hide it for clean screenshots).
class ImGuiLayer : public osg::Camera::DrawCallback {
public:
    explicit ImGuiLayer(std::function<void()> build);
    void setVisible(bool visible) { m_visible = visible; }
    bool visible() const { return m_visible; }
    // Runs after the UI (or without it when not visible), with the context current.
    void setAfterDraw(std::function<void()> after) { m_after = std::move(after); }
    void operator()(osg::RenderInfo& info) const override;

private:
    std::function<void()> m_build;
    std::function<void()> m_after;
    bool m_visible = true;
    mutable bool m_initialised = false;
    mutable double m_last_time = -1;
};

// Feeds events to ImGui; returns true (handled) when ImGui wants the mouse or keyboard.
class ImGuiEvents : public osgGA::GUIEventHandler {
public:
    bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& aa) override;
};

} // namespace stipple::viewer
