#include "head_events.h"

#include "viewer_app.h"

namespace stipple::viewer {

namespace {

// Window pixel with the origin at the top-left, whatever OSG's y orientation.
glm::dvec2 pixel(const osgGA::GUIEventAdapter& ea) {
    const double x = ea.getX() - ea.getXmin();
    double y = ea.getY() - ea.getYmin();
    if (ea.getMouseYOrientation() == osgGA::GUIEventAdapter::Y_INCREASING_UPWARDS)
        y = (ea.getYmax() - ea.getYmin()) - y;
    return {x, y};
}

} // namespace

bool HeadEvents::handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter&) {
    using E = osgGA::GUIEventAdapter;
    if (ea.getHandled()) return false; // ImGui took it
    const ViewState& view = m_app.view();
    const glm::dvec2 p = pixel(ea);
    const bool left = ea.getButton() == E::LEFT_MOUSE_BUTTON;
    switch (ea.getEventType()) {
    case E::PUSH:
        if (left && view.add_scar) {
            m_app.post("scar_point", [this, p] { m_app.addScarPoint(p.x, p.y); });
            return true;
        }
        if (!left || !view.edit_hairline) return false;
        m_dragging = m_app.scarPointNear(p.x, p.y, 24.0);
        if (!m_dragging)
            if (const std::optional<size_t> i = m_app.controlPointNear(p.x, p.y, 24.0))
                m_dragging = PointRef{PointRef::Hairline, 0, *i};
        ++m_drag_serial;
        return m_dragging.has_value();
    case E::DRAG:
        if (!m_dragging) return false;
        m_app.post(m_dragging->kind == PointRef::Scar ? "scar_drag" : "hairline_drag",
                   [this, r = *m_dragging, p, key = "drag" + std::to_string(m_drag_serial)] {
                       m_app.movePoint(r, p.x, p.y, key);
                   });
        return true;
    case E::RELEASE:
        if (!m_dragging) return false;
        m_app.post(m_dragging->kind == PointRef::Scar ? "scar_drop" : "hairline_drop",
                   [this, r = *m_dragging, p, key = "drag" + std::to_string(m_drag_serial)] {
                       m_app.movePoint(r, p.x, p.y, key);
                       m_app.endMerge();
                   });
        m_dragging.reset();
        return true;
    default:
        return false;
    }
}

} // namespace stipple::viewer
