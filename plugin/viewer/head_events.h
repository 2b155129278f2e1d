#pragma once

// Mouse on the head: in hairline mode a left drag that starts on a control point moves it over
// the surface (one undo step per drag); in scar mode a left click adds an outline point. Events
// this handler takes do not reach the orbit manipulator.

#include <optional>
#include <string>

#include <osgGA/GUIEventHandler>

namespace stipple::viewer {

class ViewerApp;

class HeadEvents : public osgGA::GUIEventHandler {
public:
    explicit HeadEvents(ViewerApp& app) : m_app(app) {}
    bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& aa) override;

private:
    ViewerApp& m_app;
    std::optional<size_t> m_dragging;
    int m_drag_serial = 0;
};

} // namespace stipple::viewer
