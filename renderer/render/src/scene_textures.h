#pragma once

// The textures of a Scene: layers (premultiplied RGBA8, mipmapped), one-channel maps, the
// mesh's own albedo (sRGB) and the zone map (nearest). Each *Image() function converts our
// images to an osg::Image, so that Scene::updateLayers() can hand new texels to the same
// texture object; each *Texture() function makes the texture with its sampling state.

#include <filesystem>

#include <osg/Image>
#include <osg/Texture2D>
#include <osg/ref_ptr>

#include "stipple/core/image.h"

namespace stipple::render {

// An RGBA16 layer (straight alpha) as premultiplied RGBA8 (rgb * a, a), rounded. An empty
// layer becomes a 1x1 transparent texel. Requires 4 channels.
osg::ref_ptr<osg::Image> premultipliedImage(const Image16& layer);
// A one-channel Image8 as GL_RED; empty: a 1x1 texel of 0. Requires 1 channel.
osg::ref_ptr<osg::Image> redImage(const Image8& grey);
// Zone map (one channel, ZoneId index); empty: a 1x1 texel of 255 (no zone). Requires 1
// channel.
osg::ref_ptr<osg::Image> zoneImage(const Image8& zones);

// Each texture keeps its image after the upload only when `keep` is true (see
// SceneOptions::keep_texels).
// Trilinear, clamped, hardware mipmaps.
osg::ref_ptr<osg::Texture2D> layerTexture(osg::Image* image, bool keep);
// Like layerTexture for one-channel GL_R8 maps (scar roughness).
osg::ref_ptr<osg::Texture2D> redTexture(osg::Image* image, bool keep);
// Nearest, no mipmaps: zone indices must never be blended.
osg::ref_ptr<osg::Texture2D> zoneTexture(osg::Image* image, bool keep);
// The mesh's albedo map file, sRGB-encoded (GL decodes to linear when sampling), repeating.
// Throws stipple::Error naming the file when it cannot be read.
osg::ref_ptr<osg::Texture2D> albedoTexture(const Image8& albedo, bool keep);

} // namespace stipple::render
