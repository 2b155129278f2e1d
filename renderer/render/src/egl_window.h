#pragma once

// An OpenSceneGraph graphics context backed by a Mesa EGL surfaceless context: renders with no
// X server and no GPU (llvmpipe), and the same code runs on a real GPU's EGL driver. Drawing
// goes to FBO cameras only; the context has no default framebuffer.

#include <string>

#include <osgViewer/GraphicsWindow>

namespace stipple::render {

class EglWindow : public osgViewer::GraphicsWindowEmbedded {
public:
    // Creates the EGL display (once per process) and a desktop-OpenGL compatibility context.
    // Throws stipple::RuntimeFailure with the reason and a hint when EGL, the surfaceless
    // platform or a GL driver is missing.
    EglWindow(int width, int height);
    ~EglWindow() override;

    bool valid() const override { return m_context != nullptr; }
    bool realizeImplementation() override { return true; }
    bool isRealizedImplementation() const override { return true; }
    void closeImplementation() override {}
    bool makeCurrentImplementation() override;
    bool releaseContextImplementation() override;
    void swapBuffersImplementation() override {}

    // "llvmpipe (LLVM 15.0.6, 256 bits) | 4.5 (Compatibility Profile) Mesa 22.3.6"; valid
    // after the first makeCurrent.
    std::string rendererDescription();

private:
    void* m_display = nullptr; // EGLDisplay
    void* m_context = nullptr; // EGLContext
};

} // namespace stipple::render
