// osgdb_stipple through osgDB as any OSG application uses it (readNodeFile, ReadResult), with
// OSG_LIBRARY_PATH pointing at the build's lib/ (set by CTest): the node it returns is the
// design's Scene (geometry, layer textures at the asked size, the live uniforms), it draws the
// CLI's picture of the same view, and bad input comes back as a ReadResult message.

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <osg/Geometry>
#include <osg/NodeVisitor>
#include <osg/Texture2D>
#include <osgDB/ReadFile>
#include <osgDB/Registry>

#include "../render/image_compare.h"
#include "stipple/core/design.h"
#include "stipple/core/design_writer.h"
#include "stipple/core/image.h"
#include "stipple/core/session.h"
#include "stipple/render/camera.h"
#include "stipple/render/design_render.h"
#include "stipple/render/offscreen_target.h"
#include "stipple/render/renderer.h"
#include "test_util.h"

namespace {

using namespace stipple;

const std::filesystem::path kDesign = test::sourceDir() / "examples" / "natural.json";

// What a traversal finds in the node: geometries, 2D textures with their image sizes, and the
// uniforms by name (the first of each name, as the shader sees the nearest one).
struct NodeContents : osg::NodeVisitor {
    NodeContents() : osg::NodeVisitor(TRAVERSE_ALL_CHILDREN) {}
    size_t geometries = 0;
    std::map<std::string, const osg::Uniform*> uniforms;
    std::vector<const osg::Texture2D*> textures;
    void look(const osg::StateSet* ss) {
        if (!ss) return;
        for (const auto& [name, pair] : ss->getUniformList())
            uniforms.emplace(name, pair.first.get());
        for (unsigned unit = 0; unit < ss->getTextureAttributeList().size(); ++unit)
            if (auto* t = dynamic_cast<const osg::Texture2D*>(
                    ss->getTextureAttribute(unit, osg::StateAttribute::TEXTURE)))
                textures.push_back(t);
    }
    void apply(osg::Node& node) override {
        look(node.getStateSet());
        traverse(node);
    }
    void apply(osg::Drawable& drawable) override {
        look(drawable.getStateSet());
        if (drawable.asGeometry()) ++geometries;
    }
};

// The colour channels (the CLI writes opaque stills as RGB, a target reads back RGBA).
Image8 rgb(const Image8& image) {
    if (image.channels == 3) return image;
    Image8 out;
    out.width = image.width;
    out.height = image.height;
    out.channels = 3;
    out.pixels.reserve(size_t(image.width) * size_t(image.height) * 3);
    for (size_t i = 0; i < image.pixels.size(); i += size_t(image.channels))
        out.pixels.insert(out.pixels.end(), image.pixels.begin() + long(i),
                          image.pixels.begin() + long(i) + 3);
    return out;
}

osg::ref_ptr<osgDB::Options> options(const std::string& text) {
    return new osgDB::Options(text);
}

// The design as a .stipple file (the extension the plugin claims), head path made absolute.
std::filesystem::path asStipple(const Design& design, const std::string& name) {
    const std::filesystem::path file = test::outputDir("osgdb_" + name) / (name + ".stipple");
    writeFileAtomic(file, designToText(design), Overwrite::Yes);
    return file;
}

TEST(OsgdbPlugin, RegistersTheStippleExtension) {
    osg::ref_ptr<osgDB::ReaderWriter> rw =
        osgDB::Registry::instance()->getReaderWriterForExtension("stipple");
    ASSERT_TRUE(rw.valid()) << "osgdb_stipple not found; OSG_LIBRARY_PATH="
                            << (std::getenv("OSG_LIBRARY_PATH") ? std::getenv("OSG_LIBRARY_PATH")
                                                                : "(unset)");
    EXPECT_TRUE(rw->acceptsExtension("stipple"));
    EXPECT_FALSE(rw->acceptsExtension("json")); // other plugins keep plain JSON
}

TEST(OsgdbPlugin, NodeIsTheDesignsSceneAndDrawsTheClisPicture) {
    const Design design = loadDesign(kDesign);
    const std::filesystem::path file = asStipple(design, "natural");
    // Pseudo-loader form: NAME.json.stipple reads NAME.json.
    const std::filesystem::path json = file.parent_path() / "natural.json";
    std::filesystem::copy_file(file, json);
    osg::ref_ptr<osg::Node> node =
        osgDB::readNodeFile(json.string() + ".stipple", options("layer_size=1024 lighting=studio"));
    ASSERT_TRUE(node.valid());

    NodeContents contents;
    node->accept(contents);
    // The head shader pass, the back faces and the shadow pass share the head's geometry:
    // at least one geometry, every one a draw list of the same head.
    EXPECT_GE(contents.geometries, 1u);
    size_t layer_sized = 0;
    for (const osg::Texture2D* t : contents.textures)
        if (t->getImage() && t->getImage()->s() == 1024 && t->getImage()->t() == 1024)
            ++layer_sized;
    EXPECT_GE(layer_sized, 2u) << "pigment and zone map at layer_size=1024";
    ASSERT_TRUE(contents.uniforms.count("u_after"));
    int after = -1;
    contents.uniforms["u_after"]->get(after);
    EXPECT_EQ(after, 1);
    for (const char* name : {"u_pigment", "u_before", "u_shadow_map", "u_light_dir", "u_eye"})
        EXPECT_TRUE(contents.uniforms.count(name)) << name;

    // The same view through the CLI.
    const std::filesystem::path cli_dir = test::outputDir("osgdb_cli");
    const std::string command = std::string(STIPPLE_EXE) + " render '" + file.string() +
                                "' --view front --size 480x360 --layer-size 1024 --watermark '' "
                                "-o '" +
                                cli_dir.string() + "' > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    const Image8 cli = rgb(readImage8(cli_dir / "front.png"));

    Session session(design);
    session.loadHead();
    render::RenderOverrides o;
    o.width = 480;
    o.height = 360;
    const render::RenderJob job = render::renderJobFromDesign(design, o);
    render::OffscreenTarget target(render::targetSettings(job.settings));
    const render::CameraPose pose = *render::viewPose("front", job.elevation_deg);
    const render::Framing framing =
        render::fitFraming(render::framingPoints(session.head().mesh), {pose}, 480, 360);
    const Image8 ours = rgb(target.render(*node, framing, pose));
    writeFileAtomic(cli_dir / "osgdb_front.png", encodePng(ours), Overwrite::Yes);

    // Same Scene, same target code, same llvmpipe: the only difference is that the plugin's
    // scene takes its eye and rig azimuth from the culling camera (followCamera) instead of
    // the pose, which differs in float rounding: measured max 7 levels on 0.006% of the
    // pixels. Allow a little more shading noise on a few pixels, nothing that moves or drops
    // a dot (a dot is a few pixels darker than skin by far more than 16 levels).
    const test::ImageDiff d = test::compareImages(ours, cli, 2);
    EXPECT_LE(d.max_channel_diff, 16) << "images in " << cli_dir;
    EXPECT_LE(d.differing_fraction, 0.001) << "images in " << cli_dir;
    std::cout << "osgdb vs CLI: max channel diff " << d.max_channel_diff << ", differing "
              << d.differing_fraction * 100 << "%\n";
}

TEST(OsgdbPlugin, BeforeOptionShowsTheUntreatedState) {
    osg::ref_ptr<osg::Node> node =
        osgDB::readNodeFile(asStipple(loadDesign(kDesign), "before").string(),
                            options("before layer_size=1024 lighting=clinic"));
    ASSERT_TRUE(node.valid());
    NodeContents contents;
    node->accept(contents);
    int after = -1;
    ASSERT_TRUE(contents.uniforms.count("u_after"));
    contents.uniforms["u_after"]->get(after);
    EXPECT_EQ(after, 0);
}

TEST(OsgdbPlugin, ErrorsAreReadResultsWithTheDesignsMessage) {
    osgDB::Registry& registry = *osgDB::Registry::instance();
    // A missing file.
    osgDB::ReaderWriter::ReadResult missing =
        registry.readNode("/nonexistent/client.stipple", options(""));
    EXPECT_FALSE(missing.validNode());
    EXPECT_EQ(missing.status(), osgDB::ReaderWriter::ReadResult::FILE_NOT_FOUND);

    // A design with a density out of range: the pointer and the accepted range.
    nlohmann::ordered_json json = designToJson(loadDesign(kDesign));
    json["zones"][0]["density_per_cm2"] = 900;
    const std::filesystem::path bad_file = test::outputDir("osgdb_bad") / "bad.stipple";
    writeFileAtomic(bad_file, json.dump(2), Overwrite::Yes);
    osgDB::ReaderWriter::ReadResult result = registry.readNode(bad_file.string(), options(""));
    EXPECT_FALSE(result.validNode());
    EXPECT_EQ(result.status(), osgDB::ReaderWriter::ReadResult::ERROR_IN_READING_FILE);
    EXPECT_NE(result.message().find("/zones/0/density_per_cm2"), std::string::npos)
        << result.message();
    EXPECT_NE(result.message().find("150"), std::string::npos) << result.message();

    // An option out of range names the option and what is accepted.
    osgDB::ReaderWriter::ReadResult age = registry.readNode(
        asStipple(loadDesign(kDesign), "age").string(), options("age_days=99999"));
    EXPECT_FALSE(age.validNode());
    EXPECT_NE(age.message().find("age_days"), std::string::npos) << age.message();
    EXPECT_NE(age.message().find("0..3650"), std::string::npos) << age.message();
}

} // namespace
