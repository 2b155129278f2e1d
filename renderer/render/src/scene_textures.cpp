#include "scene_textures.h"

#include <algorithm>
#include <cstdint>

#include "stipple/core/error.h"

namespace stipple::render {

namespace {

// Sampling state shared by the filtered textures. Anisotropy is done in the shader: see
// sampleAniso() in shaders.h (llvmpipe's own anisotropic path costs ~5x).
void setFiltered(osg::Texture2D& tex, bool keep) {
    tex.setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR_MIPMAP_LINEAR);
    tex.setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
    tex.setMaxAnisotropy(1.0f);
    tex.setResizeNonPowerOfTwoHint(false);
    tex.setUnRefImageDataAfterApply(!keep);
}

} // namespace

// Premultiplied (rgb * a, a) so that filtering averages exactly what the compositing equations
// of layers.h use; 8 bits per channel because llvmpipe samples half the bytes twice as fast
// and 1/255 steps of a linear ink filter or coverage are below what the tone-mapped 8-bit
// output can show.
osg::ref_ptr<osg::Image> premultipliedImage(const Image16& layer) {
    osg::ref_ptr<osg::Image> image = new osg::Image;
    if (layer.empty()) {
        image->allocateImage(1, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE);
        std::fill_n(image->data(), 4, uint8_t(0));
    } else {
        // Not input-reachable: bakeLayers() makes every layer RGBA16.
        STIPPLE_ASSERT(layer.channels == 4, "premultipliedImage(): layers are RGBA16");
        image->allocateImage(layer.width, layer.height, 1, GL_RGBA, GL_UNSIGNED_BYTE);
        uint8_t* dst = image->data();
        const size_t n = size_t(layer.width) * size_t(layer.height);
        for (size_t i = 0; i < n; ++i) {
            const uint16_t* p = layer.pixels.data() + i * 4;
            const uint64_t a = p[3];
            // (v * a / 65535) / 65535 * 255, rounded.
            for (int c = 0; c < 3; ++c)
                dst[i * 4 + size_t(c)] =
                    uint8_t((uint64_t(p[c]) * a * 255 + 2147418112ull) / 4294836225ull);
            dst[i * 4 + 3] = uint8_t((a * 255 + 32767) / 65535);
        }
    }
    image->setInternalTextureFormat(GL_RGBA8);
    return image;
}

namespace {
osg::ref_ptr<osg::Image> oneChannel(const Image8& grey, uint8_t empty_value, const char* what) {
    osg::ref_ptr<osg::Image> image = new osg::Image;
    if (grey.empty()) {
        image->allocateImage(1, 1, 1, GL_RED, GL_UNSIGNED_BYTE);
        image->data()[0] = empty_value;
    } else {
        // Not input-reachable: bakeLayers() makes the zone map and roughness R8.
        STIPPLE_ASSERT(grey.channels == 1, what);
        image->allocateImage(grey.width, grey.height, 1, GL_RED, GL_UNSIGNED_BYTE);
        std::copy(grey.pixels.begin(), grey.pixels.end(), image->data());
    }
    image->setInternalTextureFormat(GL_R8);
    return image;
}
} // namespace

osg::ref_ptr<osg::Image> redImage(const Image8& grey) {
    return oneChannel(grey, 0, "redImage(): one channel expected");
}

osg::ref_ptr<osg::Image> zoneImage(const Image8& zones) {
    return oneChannel(zones, 0, "zoneImage(): a zone map has one channel");
}

osg::ref_ptr<osg::Texture2D> layerTexture(osg::Image* image, bool keep) {
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image);
    tex->setInternalFormat(GL_RGBA8);
    setFiltered(*tex, keep);
    tex->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
    tex->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
    tex->setUseHardwareMipMapGeneration(true);
    return tex;
}

osg::ref_ptr<osg::Texture2D> redTexture(osg::Image* image, bool keep) {
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image);
    tex->setInternalFormat(GL_R8);
    setFiltered(*tex, keep); // OSG's default wrap, as before the scene split
    return tex;
}

osg::ref_ptr<osg::Texture2D> zoneTexture(osg::Image* image, bool keep) {
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image);
    tex->setInternalFormat(GL_R8);
    tex->setFilter(osg::Texture::MIN_FILTER, osg::Texture::NEAREST);
    tex->setFilter(osg::Texture::MAG_FILTER, osg::Texture::NEAREST);
    tex->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
    tex->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
    tex->setResizeNonPowerOfTwoHint(false);
    tex->setUnRefImageDataAfterApply(!keep);
    return tex;
}

osg::ref_ptr<osg::Texture2D> albedoTexture(const Image8& src, bool keep) {
    osg::ref_ptr<osg::Image> image = new osg::Image;
    const bool has_alpha = src.channels == 4 || src.channels == 2;
    image->allocateImage(src.width, src.height, 1, has_alpha ? GL_RGBA : GL_RGB, GL_UNSIGNED_BYTE);
    const int out_c = has_alpha ? 4 : 3;
    const bool grey = src.channels <= 2;
    for (int y = 0; y < src.height; ++y)
        for (int x = 0; x < src.width; ++x) {
            const uint8_t* p = src.at(x, y);
            uint8_t* d =
                image->data() + (size_t(y) * size_t(src.width) + size_t(x)) * size_t(out_c);
            d[0] = p[0];
            d[1] = grey ? p[0] : p[1];
            d[2] = grey ? p[0] : p[2];
            if (has_alpha) d[3] = p[src.channels - 1];
        }
    const GLint format = has_alpha ? GL_SRGB8_ALPHA8 : GL_SRGB8;
    image->setInternalTextureFormat(format);
    osg::ref_ptr<osg::Texture2D> tex = new osg::Texture2D(image.get());
    tex->setInternalFormat(format);
    setFiltered(*tex, keep);
    tex->setWrap(osg::Texture::WRAP_S, osg::Texture::REPEAT);
    tex->setWrap(osg::Texture::WRAP_T, osg::Texture::REPEAT);
    return tex;
}

} // namespace stipple::render
