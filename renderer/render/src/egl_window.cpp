#include "egl_window.h"

#include <cstdlib>
#include <mutex>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/gl.h>

#include "stipple/core/error.h"

namespace stipple::render {

namespace {

std::string eglErrorName(EGLint code) {
    switch (code) {
    case EGL_NOT_INITIALIZED:
        return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ALLOC:
        return "EGL_BAD_ALLOC";
    case EGL_BAD_CONFIG:
        return "EGL_BAD_CONFIG";
    case EGL_BAD_MATCH:
        return "EGL_BAD_MATCH";
    case EGL_BAD_ATTRIBUTE:
        return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_DISPLAY:
        return "EGL_BAD_DISPLAY";
    case EGL_BAD_PARAMETER:
        return "EGL_BAD_PARAMETER";
    default:
        return "EGL error 0x" + [&] {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%x", unsigned(code));
            return std::string(buf);
        }();
    }
}

constexpr const char* kHint =
    " (offscreen rendering needs Mesa's EGL and GL drivers: Debian packages libegl1, "
    "libegl-mesa0 and libgl1-mesa-dri; run scripts/setup.sh)";

[[noreturn]] void fail(const std::string& what) {
    throw RuntimeFailure("cannot create an offscreen OpenGL context: " + what + kHint);
}

// One EGL display per process: eglTerminate would destroy every context on it, and tests
// create several renderers in one process.
EGLDisplay sharedDisplay() {
    static std::once_flag once;
    static EGLDisplay display = EGL_NO_DISPLAY;
    static std::string error;
    std::call_once(once, [] {
        auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
            eglGetProcAddress("eglGetPlatformDisplayEXT"));
        if (!get_platform_display) {
            error = "eglGetPlatformDisplayEXT is not available (no EGL_EXT_platform_base)";
            return;
        }
        EGLDisplay d =
            get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (d == EGL_NO_DISPLAY) {
            error = "no EGL surfaceless display (EGL_PLATFORM_SURFACELESS_MESA): " +
                    eglErrorName(eglGetError());
            return;
        }
        EGLint major = 0, minor = 0;
        if (!eglInitialize(d, &major, &minor)) {
            error = "eglInitialize failed: " + eglErrorName(eglGetError());
            return;
        }
        display = d;
    });
    if (display == EGL_NO_DISPLAY) fail(error);
    return display;
}

} // namespace

EglWindow::EglWindow(int width, int height)
    : osgViewer::GraphicsWindowEmbedded(0, 0, width, height) {
    EGLDisplay display = sharedDisplay();
    const char* extensions = eglQueryString(display, EGL_EXTENSIONS);
    const std::string ext = extensions ? extensions : "";
    if (ext.find("EGL_KHR_surfaceless_context") == std::string::npos)
        fail("the EGL driver lacks EGL_KHR_surfaceless_context");
    if (!eglBindAPI(EGL_OPENGL_API))
        fail("eglBindAPI(EGL_OPENGL_API): " + eglErrorName(eglGetError()));

    // Surfaceless: no window or pbuffer is ever created, so any config that renders desktop
    // GL will do. Prefer one that claims pbuffers (Mesa's surfaceless configs do); fall back to
    // a configless context where the driver allows it.
    EGLConfig config = nullptr;
    EGLint count = 0;
    const EGLint pbuffer_attribs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE,
                                      EGL_OPENGL_BIT, EGL_NONE};
    const EGLint any_attribs[] = {EGL_SURFACE_TYPE, 0, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                  EGL_NONE};
    if (!eglChooseConfig(display, pbuffer_attribs, &config, 1, &count) || count == 0) {
        if (!eglChooseConfig(display, any_attribs, &config, 1, &count) || count == 0) {
            if (ext.find("EGL_KHR_no_config_context") == std::string::npos)
                fail("no EGL config renders desktop OpenGL");
            config = EGL_NO_CONFIG_KHR;
        }
    }
    // A compatibility-profile context: Debian's OSG 3.6.5 is a GL2-style build that uses the
    // fixed-function vertex attributes (gl_Vertex, gl_MultiTexCoord*), so a core profile
    // would not draw. Ask for 3.3 compatibility; drivers give the newest they support.
    const EGLint context_attribs[] = {EGL_CONTEXT_MAJOR_VERSION,
                                      3,
                                      EGL_CONTEXT_MINOR_VERSION,
                                      3,
                                      EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                      EGL_CONTEXT_OPENGL_COMPATIBILITY_PROFILE_BIT,
                                      EGL_NONE};
    EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attribs);
    if (context == EGL_NO_CONTEXT)
        fail("eglCreateContext (OpenGL 3.3 compatibility): " + eglErrorName(eglGetError()));
    m_display = display;
    m_context = context;
    // The base constructor already gave this context its osg::State (its init() sees the
    // base class's valid(), which is always true during construction).
}

EglWindow::~EglWindow() {
    if (m_context) {
        eglMakeCurrent(m_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        eglDestroyContext(m_display, m_context);
    }
}

bool EglWindow::makeCurrentImplementation() {
    return eglMakeCurrent(m_display, EGL_NO_SURFACE, EGL_NO_SURFACE, m_context) == EGL_TRUE;
}

bool EglWindow::releaseContextImplementation() {
    return eglMakeCurrent(m_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT) == EGL_TRUE;
}

std::string EglWindow::rendererDescription() {
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    const auto* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
    return std::string(renderer ? renderer : "?") + " | " + (version ? version : "?");
}

} // namespace stipple::render
