#pragma once

// Mouse on the head: in "drag points" mode (ViewState::edit_hairline) a left drag that starts on
// a scar outline point or a hairline control point moves it over the surface (one undo step per
// drag; scar points are tried first, so grabbing one never turns the hairline custom); in scar
// mode a left click adds an outline point. Events this handler takes do not reach the orbit
// manipulator.

#include <optional>
#include <string>

#include <osgGA/GUIEventHandler>

#include "viewer_app.h"

namespace stipple::viewer {

class ViewerApp;

class HeadEvents : public osgGA::GUIEventHandler {
public:
    explicit HeadEvents(ViewerApp& app) : m_app(app) {}
    bool handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter& aa) override;

private:
    ViewerApp& m_app;
    std::optional<PointRef> m_dragging;
    int m_drag_serial = 0;
};

} // namespace stipple::viewer
