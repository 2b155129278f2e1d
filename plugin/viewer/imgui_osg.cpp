#include "imgui_osg.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <osg/GLExtensions>
#include <osg/RenderInfo>
#include <osg/State>
#include <osg/Timer>
#include <osgGA/GUIEventAdapter>

#include <algorithm>

namespace stipple::viewer {

ImGuiLayer::ImGuiLayer(std::function<void()> build) : m_build(std::move(build)) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // the layout is the program's, not a file in the working folder
    // OSG's special keys are 0xFFxx (X11 keysyms): they go to slots 256 + xx (keySlot()).
    using E = osgGA::GUIEventAdapter;
    io.KeyMap[ImGuiKey_Tab] = 256 + (E::KEY_Tab & 0xFF);
    io.KeyMap[ImGuiKey_LeftArrow] = 256 + (E::KEY_Left & 0xFF);
    io.KeyMap[ImGuiKey_RightArrow] = 256 + (E::KEY_Right & 0xFF);
    io.KeyMap[ImGuiKey_Home] = 256 + (E::KEY_Home & 0xFF);
    io.KeyMap[ImGuiKey_End] = 256 + (E::KEY_End & 0xFF);
    io.KeyMap[ImGuiKey_Delete] = 256 + (E::KEY_Delete & 0xFF);
    io.KeyMap[ImGuiKey_Backspace] = 256 + (E::KEY_BackSpace & 0xFF);
    io.KeyMap[ImGuiKey_Enter] = 256 + (E::KEY_Return & 0xFF);
    io.KeyMap[ImGuiKey_Escape] = 256 + (E::KEY_Escape & 0xFF);
    ImGui::StyleColorsDark();
}

void ImGuiLayer::operator()(osg::RenderInfo& info) const {
    osg::State& state = *info.getState();
    if (!m_initialised) {
        ImGui_ImplOpenGL3_Init("#version 130");
        m_initialised = true;
    }
    if (m_visible) {
        ImGuiIO& io = ImGui::GetIO();
        const osg::Viewport* vp = info.getCurrentCamera()->getViewport();
        io.DisplaySize = ImVec2(float(vp->width()), float(vp->height()));
        const double now = osg::Timer::instance()->time_s();
        io.DeltaTime = m_last_time < 0 ? 1.0f / 60.0f : float(std::max(1e-4, now - m_last_time));
        m_last_time = now;
        ImGui_ImplOpenGL3_NewFrame();
        ImGui::NewFrame();
        m_build();
        ImGui::Render();
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        // ImGui restored the GL state it changed; OSG's cache of it is stale all the same.
        state.dirtyAllAttributes();
        state.dirtyAllModes();
        state.dirtyAllVertexArrays();
    }
    if (m_after) m_after();
}

namespace {

int imguiButton(int osg_button) {
    switch (osg_button) {
    case osgGA::GUIEventAdapter::LEFT_MOUSE_BUTTON:
        return 0;
    case osgGA::GUIEventAdapter::RIGHT_MOUSE_BUTTON:
        return 1;
    case osgGA::GUIEventAdapter::MIDDLE_MOUSE_BUTTON:
        return 2;
    default:
        return -1;
    }
}

ImVec2 mousePosition(const osgGA::GUIEventAdapter& ea) {
    // OSG's y may point up; ImGui's points down from the top-left corner.
    const float x = ea.getX() - ea.getXmin();
    float y = ea.getY() - ea.getYmin();
    if (ea.getMouseYOrientation() == osgGA::GUIEventAdapter::Y_INCREASING_UPWARDS)
        y = (ea.getYmax() - ea.getYmin()) - y;
    return ImVec2(x, y);
}

} // namespace

bool ImGuiEvents::handle(const osgGA::GUIEventAdapter& ea, osgGA::GUIActionAdapter&) {
    if (!ImGui::GetCurrentContext()) return false;
    ImGuiIO& io = ImGui::GetIO();
    using E = osgGA::GUIEventAdapter;
    switch (ea.getEventType()) {
    case E::MOVE:
    case E::DRAG:
        io.MousePos = mousePosition(ea);
        return io.WantCaptureMouse;
    case E::PUSH:
    case E::RELEASE: {
        io.MousePos = mousePosition(ea);
        const int b = imguiButton(ea.getButton());
        const bool captured = io.WantCaptureMouse;
        if (b >= 0) io.MouseDown[b] = ea.getEventType() == E::PUSH;
        return captured;
    }
    case E::SCROLL:
        io.MouseWheel += ea.getScrollingMotion() == E::SCROLL_UP ? 1.0f : -1.0f;
        return io.WantCaptureMouse;
    case E::KEYDOWN:
    case E::KEYUP: {
        const bool down = ea.getEventType() == E::KEYDOWN;
        const int key = ea.getKey();
        io.KeyCtrl = (ea.getModKeyMask() & E::MODKEY_CTRL) != 0;
        io.KeyShift = (ea.getModKeyMask() & E::MODKEY_SHIFT) != 0;
        io.KeyAlt = (ea.getModKeyMask() & E::MODKEY_ALT) != 0;
        const int slot = key >= 0xFF00 ? 256 + (key & 0xFF) : key;
        if (slot > 0 && slot < 512) io.KeysDown[slot] = down;
        if (down && key > 31 && key < 127) io.AddInputCharacter(unsigned(key));
        return io.WantCaptureKeyboard;
    }
    default:
        return false;
    }
}

} // namespace stipple::viewer
