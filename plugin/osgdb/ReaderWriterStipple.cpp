// osgdb_stipple: OpenSceneGraph's reader for Stipple designs. `osgDB::readNodeFile("a.stipple")`
// (or `osgviewer a.stipple`) returns the lit head with its SMP layers: the same Scene the CLI
// renders (stipple/render/design_scene.h), so the plugin holds no algorithm, only the
// conversion of OSG's file name and option string into a Session and SceneOverrides.
//
// Files
//   NAME.stipple         a design file v1 (JSON) with the .stipple extension
//   NAME.json.stipple    pseudo-loader form: reads NAME.json (osgDB dispatches on the last
//                        extension only, so a plain .json cannot be claimed without taking every
//                        JSON file from other plugins)
//
// Reader options (osgDB::Options::setOptionString, osgviewer -O "..."), separated by spaces
//   option           default            meaning
//   before           off                the untreated state (the "before" layer)
//   after            on                 the pigment (the default; cancels "before")
//   lighting=NAME    design's           studio | clinic | daylight | custom
//   age_days=DAYS    design's           pigment age 0..3650 (0 fresh, 30 healed, 1825 5 years)
//   layer_size=N     design's           chart resolution, a power of two 1024..8192
// Options this reader does not know are reported (OSG_NOTICE), since a typo is the usual
// cause; they are not errors because one option string is shared by every plugin of a load.
//
// Errors never escape into the host: a bad design, a head that is not a head or a bad option
// is a ReadResult error whose message is Stipple's (file, JSON pointer, accepted values).

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <sstream>
#include <string>

#include <osg/Notify>
#include <osgDB/FileNameUtils>
#include <osgDB/FileUtils>
#include <osgDB/Registry>

#include "stipple/core/design.h"
#include "stipple/core/error.h"
#include "stipple/core/session.h"
#include "stipple/render/design_scene.h"

namespace {

using stipple::Error;
using stipple::render::SceneOverrides;

int parseInt(const std::string& key, const std::string& value) {
    char* end = nullptr;
    const long v = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || v < 0 || v > 1 << 20)
        throw Error("reader option " + key + "=" + value + " is not a whole number", "", key);
    return int(v);
}

double parseDouble(const std::string& key, const std::string& value) {
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0')
        throw Error("reader option " + key + "=" + value + " is not a number", "", key);
    return v;
}

SceneOverrides parseOptions(const osgDB::Options* options) {
    SceneOverrides o;
    if (!options) return o;
    std::istringstream words(options->getOptionString());
    std::string word;
    while (words >> word) {
        const size_t eq = word.find('=');
        const std::string key = word.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
        if (word == "before")
            o.before = true;
        else if (word == "after")
            o.before = false;
        else if (key == "lighting" && !value.empty())
            o.lighting = value;
        else if (key == "age_days")
            o.age_days = parseDouble(key, value);
        else if (key == "layer_size")
            o.layer_size = parseInt(key, value);
        else
            OSG_NOTICE << "osgdb_stipple: reader option '" << word
                       << "' is not read by this plugin (before, after, lighting=, age_days=, "
                          "layer_size=)"
                       << std::endl;
    }
    return o;
}

class ReaderWriterStipple : public osgDB::ReaderWriter {
public:
    ReaderWriterStipple() {
        supportsExtension("stipple", "Stipple SMP design (design file v1); NAME.json.stipple "
                                     "reads NAME.json");
        supportsOption("before", "Show the untreated state");
        supportsOption("after", "Show the pigment (default)");
        supportsOption("lighting=<name>", "studio, clinic, daylight or custom");
        supportsOption("age_days=<days>", "Pigment age 0..3650");
        supportsOption("layer_size=<n>", "Chart resolution, a power of two 1024..8192");
        // A broken invariant inside the host's process is reported, not an abort of the host.
        stipple::setAssertMode(stipple::AssertMode::Throw);
    }

    const char* className() const override { return "Stipple design reader"; }

    ReadResult readNode(const std::string& name, const Options* options) const override {
        if (!acceptsExtension(osgDB::getLowerCaseFileExtension(name)))
            return ReadResult::FILE_NOT_HANDLED;
        const std::string file = resolve(name, options);
        if (file.empty()) return ReadResult::FILE_NOT_FOUND;
        try {
            const SceneOverrides overrides = parseOptions(options);
            stipple::Session session(stipple::loadDesign(file));
            return ReadResult(stipple::render::buildDesignScene(session, overrides).get());
        } catch (const std::exception& e) {
            return ReadResult(std::string("osgdb_stipple: ") + e.what());
        } catch (...) {
            return ReadResult(std::string("osgdb_stipple: unknown error reading ") + file);
        }
    }

private:
    // The design file for `name`: the file itself, else (pseudo-loader) the name without its
    // .stipple extension when that has an extension of its own; "" when neither exists.
    static std::string resolve(const std::string& name, const Options* options) {
        std::string file = osgDB::findDataFile(name, options);
        if (!file.empty()) return file;
        const std::string inner = osgDB::getNameLessExtension(name);
        if (osgDB::getFileExtension(inner).empty()) return {};
        return osgDB::findDataFile(inner, options);
    }
};

} // namespace

REGISTER_OSGPLUGIN(stipple, ReaderWriterStipple)
