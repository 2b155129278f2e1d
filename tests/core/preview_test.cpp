#include "stipple/core/preview.h"

#include <cmath>

#include <gtest/gtest.h>

#include "stipple/core/error.h"

namespace stipple {
namespace {

// A latitude-longitude unit sphere: poles on +-Y and equator vertices on the +-X and +-Z axes,
// so its silhouette from the front spans exactly [-1, 1] in x and y (the framing fits it).
Mesh uvSphere(int segments, int rings) {
    Mesh mesh;
    for (int r = 0; r <= rings; ++r) {
        const double theta = M_PI * r / rings;
        for (int s = 0; s <= segments; ++s) {
            const double phi = 2 * M_PI * s / segments;
            const glm::vec3 p(std::sin(theta) * std::sin(phi), std::cos(theta),
                              std::sin(theta) * std::cos(phi));
            mesh.positions.push_back(p);
            mesh.normals.push_back(p);
        }
    }
    const int row = segments + 1;
    for (int r = 0; r < rings; ++r)
        for (int s = 0; s < segments; ++s) {
            const uint32_t a = r * row + s, b = a + 1, c = a + row, d = c + 1;
            mesh.triangles.emplace_back(a, c, b);
            mesh.triangles.emplace_back(b, c, d);
        }
    return mesh;
}

double alphaFraction(const Image8& image) {
    double sum = 0;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            sum += image.at(x, y)[3] / 255.0;
    return sum / (double(image.width) * image.height);
}

TEST(Preview, UnitSphereHeadlitHasKnownCentreAndArea) {
    const Mesh sphere = uvSphere(128, 64);
    PreviewOptions options;
    options.width = options.height = 200;
    options.margin = 0;
    options.light_dir = {0, 0, 1};
    options.albedo = glm::dvec3(0.6);
    options.transparent = true;
    const Image8 image = renderPreview(sphere, options);
    ASSERT_EQ(image.channels, 4);
    // Lit along the view direction the centre normal faces the light: Lambert = 1, so the
    // pixel is the albedo itself (ambient + (1 - ambient) * 1 = 1); 1 step of 8-bit rounding.
    const uint8_t* centre = image.at(100, 100);
    EXPECT_NEAR(centre[0], 0.6 * 255, 1.0);
    EXPECT_EQ(centre[3], 255);
    // The silhouette covers pi r^2 of the (2r)^2 frame. Tolerance 0.005: the inscribed
    // 128-gon silhouette is 0.04% short and pixel-edge quantisation after 3x3 supersampling
    // is about 0.1%.
    EXPECT_NEAR(alphaFraction(image), M_PI / 4, 0.005);
    // Near the rim (x = 0.9 r) the normal is 64 degrees away from the light: darker than the
    // centre by cos = sqrt(1 - 0.81) in linear light.
    const double rim = srgbToLinear(image.at(190, 100)[0] / 255.0);
    EXPECT_NEAR(rim, srgbToLinear(0.6) * (0.18 + 0.82 * std::sqrt(1 - 0.9 * 0.9)), 0.02);
}

TEST(Preview, PerspectiveSphereIsCentredAndSymmetric) {
    const Mesh sphere = uvSphere(96, 48);
    PreviewOptions options;
    options.width = options.height = 120;
    options.projection = PreviewProjection::Perspective;
    options.view = PreviewView::ThreeQuarter;
    options.transparent = true;
    options.light_dir = {0, 0, 1};
    const Image8 image = renderPreview(sphere, options);
    double left = 0, right = 0, top = 0, bottom = 0;
    for (int y = 0; y < 120; ++y)
        for (int x = 0; x < 120; ++x) {
            const double a = image.at(x, y)[3];
            (x < 60 ? left : right) += a;
            (y < 60 ? top : bottom) += a;
        }
    // A sphere seen from any direction is a centred disc: the halves match to within the
    // tessellation's asymmetry (well under 1%).
    EXPECT_NEAR(left / right, 1.0, 0.01);
    EXPECT_NEAR(top / bottom, 1.0, 0.01);
    EXPECT_NEAR(image.at(60, 60)[0], std::lround(255 * 0.82), 2.0);
}

TEST(Preview, DotCoversItsWorldSpaceArea) {
    // A 10 x 10 white square facing the camera with one black dot of 4 units diameter: the dot
    // darkens pi * 2^2 / 100 of the frame in linear light.
    Mesh plane;
    plane.positions = {{-5, -5, 0}, {5, -5, 0}, {5, 5, 0}, {-5, 5, 0}};
    plane.normals.assign(4, glm::vec3(0, 0, 1));
    plane.triangles = {{0, 1, 2}, {0, 2, 3}};
    PreviewOptions options;
    options.width = options.height = 160;
    options.margin = 0;
    options.ambient = 0;
    options.light_dir = {0, 0, 1};
    options.albedo = glm::dvec3(1.0);
    options.dots.push_back({glm::vec3(1, -1, 0), glm::vec3(0, 0, 1), 4.0f, 0});
    const Image8 image = renderPreview(plane, options);
    double dark = 0;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            dark += 1.0 - srgbToLinear(image.at(x, y)[0] / 255.0);
    dark /= double(image.width) * image.height;
    // Tolerance 0.002 (1.6%): the area-matched 16-gon and 3x3 supersampled edges.
    EXPECT_NEAR(dark, M_PI * 4 / 100, 0.002);
    // The dot's centre is at (+1, -1): right of and below the image centre.
    EXPECT_EQ(image.at(96, 96)[0], 0);
    EXPECT_EQ(image.at(64, 64)[0], 255);
}

TEST(Preview, HiddenDotsAreNotDrawn) {
    Mesh plane;
    plane.positions = {{-5, -5, 0}, {5, -5, 0}, {5, 5, 0}, {-5, 5, 0}};
    plane.triangles = {{0, 1, 2}, {0, 2, 3}};
    PreviewOptions options;
    options.width = options.height = 50;
    // Behind the plane (seen from the front): covered by it.
    options.dots.push_back({glm::vec3(0, 0, -3), glm::vec3(0, 0, 1), 4.0f, 0});
    const Image8 image = renderPreview(plane, options);
    EXPECT_GT(image.at(25, 25)[0], 100);
}

TEST(Preview, RejectsBadOptionsWithClearMessages) {
    try {
        parsePreviewView("side");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown view 'side'; accepted: front"),
                  std::string::npos);
    }
    Mesh sphere = uvSphere(8, 4);
    PreviewOptions options;
    options.width = 0;
    EXPECT_THROW(renderPreview(sphere, options), Error);
    options.width = 10;
    options.vertex_colours.resize(3);
    try {
        renderPreview(sphere, options);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("3 vertex colours for"), std::string::npos);
    }
}

} // namespace
} // namespace stipple
