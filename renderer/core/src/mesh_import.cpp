#include "stipple/core/mesh_import.h"

// Head-mesh import. Assimp parses and triangulates; everything after that is ours: the scene
// is flattened by walking the node tree (so each part keeps its mesh, node and material name
// for `keep` and for the report), positions are welded by exact equality, connected
// components are found with union-find over welded positions (Tarjan 1975, "Efficiency of a
// good but not linear set union algorithm"), and the skin is the component with the largest
// surface area: face kits and scans put eyes, teeth, lashes and inner shells in separate,
// smaller pieces.
//
// Assimp is wrapped at this edge: it returns null with a reason string, which becomes a
// stipple::Error naming the file. Cheap checks run before Assimp (GLB chunks, STL facet
// count, a walk over a PLY body against its header, OBJ line counts, glTF node depth), so a
// truncated file gets a precise message instead of a parser's guess, and a header that claims
// a billion vertices is not handed to a parser that would try to allocate them; Assimp reads
// through an IO system that opens regular files only (docs/input-limits.md).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include <sys/stat.h>

#include <assimp/DefaultIOSystem.h>
#include <assimp/Importer.hpp>
#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <nlohmann/json.hpp>

#include "stipple/core/error.h"
#include "stipple/core/hash.h"
#include "stipple/core/json_limits.h"

namespace stipple {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExpectedFormats =
    "expected a triangle or polygon mesh in a format Assimp reads (OBJ, PLY, STL, glTF/GLB, "
    "FBX, ...)";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string withThousands(size_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

uint32_t readU32(const std::string& bytes, size_t offset) {
    uint32_t v = 0;
    std::memcpy(&v, bytes.data() + offset, 4); // the formats checked here are little-endian
    return v;
}

// ---- Header checks before Assimp -----------------------------------------------------------

void checkGlb(const std::string& bytes, const std::string& name) {
    if (bytes.size() < 12 || bytes.compare(0, 4, "glTF") != 0)
        throw Error("is not a binary glTF (GLB) file: it does not start with the 12-byte header "
                    "'glTF', version 2, length; expected a GLB 2.0 file",
                    name);
    const uint32_t version = readU32(bytes, 4), length = readU32(bytes, 8);
    if (version != 2)
        throw Error("is GLB version " + std::to_string(version) + "; expected GLB version 2", name);
    // Assimp reads the first chunk's header whatever `length` says: a length too short to hold
    // it let a chunk claiming 1.9 GB through unchecked (fuzz_mesh, regress_glb_short_length).
    if (length < 20)
        throw Error("is not a valid GLB file: its header declares " + std::to_string(length) +
                        " bytes, less than the 20 of the header and one chunk header; expected a "
                        "GLB 2.0 file",
                    name);
    if (length > bytes.size())
        throw Error("is a truncated GLB file: its header declares " + withThousands(length) +
                        " bytes but the file has " + withThousands(bytes.size()) +
                        "; expected the whole file",
                    name);
    size_t offset = 12;
    while (offset + 8 <= length) {
        const uint32_t chunk = readU32(bytes, offset);
        if (offset + 8 + size_t(chunk) > length)
            throw Error("is a truncated GLB file: a chunk at byte " + std::to_string(offset) +
                            " declares " + withThousands(chunk) +
                            " bytes past the end of the file; expected the whole file",
                        name);
        offset += 8 + size_t(chunk);
    }
}

// Binary STL: 80-byte header, uint32 facet count, 50 bytes per facet. A binary file may also
// start with "solid", so the size formula decides, as in Assimp's own detection.
void checkStl(const std::string& bytes, const ImportOptions& options, const std::string& name) {
    const bool size_says_binary =
        bytes.size() >= 84 && 84 + 50 * uint64_t(readU32(bytes, 80)) == bytes.size();
    const bool ascii = bytes.compare(0, 5, "solid") == 0 && !size_says_binary;
    if (ascii) {
        if (bytes.find("facet") == std::string::npos)
            throw Error("is an ASCII STL file with zero facets; expected at least one "
                        "'facet ... endfacet' triangle",
                        name);
        return;
    }
    if (bytes.size() < 84)
        throw Error("is too short for a binary STL file (" + std::to_string(bytes.size()) +
                        " bytes; the header alone is 84) and does not start with 'solid'; "
                        "expected an ASCII or binary STL file",
                    name);
    const uint64_t facets = readU32(bytes, 80);
    if (facets == 0)
        throw Error("is a binary STL file with zero facets; expected at least one triangle", name);
    if (facets > options.max_triangles)
        throw Error("is a binary STL file declaring " + withThousands(facets) +
                        " facets, more than the limit of " + withThousands(options.max_triangles) +
                        "; expected at most " + withThousands(options.max_triangles) +
                        ": decimate the mesh first",
                    name);
    if (84 + 50 * facets > bytes.size())
        throw Error("is a truncated binary STL file: its header declares " + withThousands(facets) +
                        " facets (" + withThousands(84 + 50 * facets) +
                        " bytes) but the file has " + withThousands(bytes.size()) +
                        " bytes; expected the whole file",
                    name);
}

// Where the PLY header's 'end_header' line starts. The keyword must begin a line and be followed
// by a space, tab or line end (or end the file): Assimp 5.2 loops forever on "end_header(" and
// "end_header\v" (fuzz_mesh).
size_t findPlyEndHeader(const std::string& bytes, const std::string& name) {
    const size_t line = bytes.find("\nend_header");
    if (line == std::string::npos)
        throw Error("is not a valid PLY file: no 'end_header' line; expected a PLY header "
                    "ending with 'end_header'",
                    name);
    const size_t after = line + 1 + std::strlen("end_header");
    // Only what Assimp's own tokenizer takes as a separator ("end_header\v" hangs it too).
    if (after < bytes.size() && std::string_view(" \t\r\n").find(bytes[after]) == std::string::npos)
        throw Error("is not a valid PLY file: its 'end_header' keyword runs on into other "
                    "characters; expected 'end_header' alone on its line",
                    name);
    return line + 1;
}

// PLY: the header lists every element's count and property types. Before Assimp sees the
// file, the body is walked once without allocating: every declared element and list must fit
// in the bytes (binary) or tokens (ASCII) that are there. So a 189-byte file claiming 10^9
// vertices, or a list count of 0xFFFFFFFF, is refused instead of allocated.
struct PlyProperty {
    uint64_t size = 4;       // bytes of the scalar, or of a list's items
    uint64_t count_size = 0; // bytes of a list's count; 0 for a scalar
};
struct PlyElement {
    std::string name;
    uint64_t count = 0;
    std::vector<PlyProperty> properties;
};

// The bytes of a PLY scalar type. A type outside the PLY types is refused: Assimp skips such a
// property while this walk would count it, and reading the body at different offsets from the
// walk let a list count from the wrong bytes ask for 6.4 GB (fuzz_mesh, regress_ply_unknown_type).
uint64_t plyTypeSize(const std::string& t, const std::string& name) {
    if (t == "char" || t == "uchar" || t == "int8" || t == "uint8") return 1;
    if (t == "short" || t == "ushort" || t == "int16" || t == "uint16") return 2;
    if (t == "int" || t == "uint" || t == "float" || t == "int32" || t == "uint32" ||
        t == "float32")
        return 4;
    if (t == "double" || t == "float64") return 8;
    throw Error("is not a valid PLY file: a property has the type '" + t.substr(0, 30) +
                    "'; expected char, uchar, short, ushort, int, uint, float, double or their "
                    "sized names (int8 ... float64)",
                name);
}

uint64_t readUnsigned(const std::string& bytes, size_t offset, uint64_t size, bool big_endian) {
    uint64_t v = 0;
    for (uint64_t i = 0; i < size; ++i) {
        const uint64_t byte = static_cast<unsigned char>(bytes[offset + i]);
        v |= byte << (8 * (big_endian ? size - 1 - i : i));
    }
    return v; // a negative signed count reads as huge, and is refused as such
}

// The next whitespace-separated token of an ASCII PLY body, from `at`; empty at the end.
std::string_view nextToken(const std::string& bytes, size_t& at) {
    while (at < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[at])))
        ++at;
    const size_t start = at;
    while (at < bytes.size() && !std::isspace(static_cast<unsigned char>(bytes[at])))
        ++at;
    return std::string_view(bytes).substr(start, at - start);
}

[[noreturn]] void plyTooShort(const PlyElement& e, uint64_t instance, bool binary,
                              const std::string& name) {
    throw Error("is a truncated or corrupt " + std::string(binary ? "binary" : "ASCII") +
                    " PLY file: its header declares " + withThousands(e.count) + " '" + e.name +
                    "' elements but the data ends inside element " + withThousands(instance) +
                    " (counting from 0); expected every declared element and list in the file",
                name);
}

void walkPlyBody(const std::string& bytes, size_t body, const std::vector<PlyElement>& elements,
                 const std::string& format, const std::string& name) {
    const bool binary = format.rfind("binary", 0) == 0;
    const bool big_endian = format == "binary_big_endian";
    // The cheapest possible body first (a byte, or a token, per scalar and per empty list), so
    // a huge count is refused without iterating over it.
    uint64_t min_units = 0;
    for (const PlyElement& e : elements) {
        uint64_t per = 0;
        for (const PlyProperty& p : e.properties)
            per += binary ? (p.count_size ? p.count_size : p.size) : 1;
        if (per > 0 && e.count > (UINT64_MAX - min_units) / per) plyTooShort(e, 0, binary, name);
        min_units += e.count * per;
    }
    const uint64_t available = bytes.size() - body;
    // An ASCII value takes at least two bytes: a digit and a separator (the last may lack it).
    if (binary ? min_units > available : min_units > available / 2 + 1) {
        for (const PlyElement& e : elements)
            if (e.count > 0) plyTooShort(e, 0, binary, name);
    }
    size_t at = body;
    for (const PlyElement& e : elements) {
        if (e.properties.empty()) continue; // nothing to read, however many
        for (uint64_t i = 0; i < e.count; ++i) {
            for (const PlyProperty& p : e.properties) {
                if (binary) {
                    const uint64_t head = p.count_size ? p.count_size : p.size;
                    if (bytes.size() - at < head) plyTooShort(e, i, binary, name);
                    uint64_t items = 0;
                    if (p.count_size) items = readUnsigned(bytes, at, p.count_size, big_endian);
                    at += head;
                    if (items > (bytes.size() - at) / p.size) plyTooShort(e, i, binary, name);
                    at += items * p.size;
                } else {
                    const std::string_view token = nextToken(bytes, at);
                    if (token.empty()) plyTooShort(e, i, binary, name);
                    if (!p.count_size) continue;
                    uint64_t items = 0;
                    for (const char c : token) {
                        if (c < '0' || c > '9' || items > (UINT64_MAX - 9) / 10) {
                            items = UINT64_MAX; // "-1", "3.5", 10^30: not a count
                            break;
                        }
                        items = items * 10 + uint64_t(c - '0');
                    }
                    if (items > (bytes.size() - at) / 2 + 1) plyTooShort(e, i, binary, name);
                    for (uint64_t k = 0; k < items; ++k)
                        if (nextToken(bytes, at).empty()) plyTooShort(e, i, binary, name);
                }
            }
        }
    }
}

void checkPly(const std::string& bytes, const ImportOptions& options, const std::string& name) {
    if (bytes.compare(0, 3, "ply") != 0)
        throw Error("is not a PLY file: it does not start with the 'ply' magic line; expected "
                    "an ASCII or binary PLY file",
                    name);
    const size_t end = findPlyEndHeader(bytes, name);
    std::istringstream header(bytes.substr(0, end));
    std::string line, format = "ascii";
    std::vector<PlyElement> elements;
    while (std::getline(header, line)) {
        std::istringstream words(line);
        std::string key;
        words >> key;
        if (key == "format") {
            words >> format;
        } else if (key == "element") {
            PlyElement e;
            std::string count;
            words >> e.name >> count;
            // Digits only: "-1" would otherwise read as 2^64 - 1 and "1e9" as 1.
            if (count.empty() || count.size() > 19 ||
                count.find_first_not_of("0123456789") != std::string::npos)
                throw Error("is not a valid PLY file: element '" + e.name.substr(0, 30) +
                                "' has count '" + count.substr(0, 30) +
                                "'; expected a whole number",
                            name);
            e.count = std::stoull(count);
            elements.push_back(e);
        } else if (key == "property" && !elements.empty()) {
            std::string type;
            words >> type;
            PlyProperty p;
            if (type == "list") {
                std::string count_type;
                words >> count_type >> type;
                p.count_size = plyTypeSize(count_type, name);
            }
            p.size = plyTypeSize(type, name);
            elements.back().properties.push_back(p);
        }
    }
    const size_t body = bytes.find('\n', end);
    walkPlyBody(bytes, body == std::string::npos ? bytes.size() : body + 1, elements, format, name);
    for (const PlyElement& e : elements) {
        const bool vertex = e.name == "vertex";
        const size_t limit = vertex ? options.max_vertices : options.max_triangles;
        if ((vertex || e.name == "face") && e.count > limit)
            throw Error("declares " + withThousands(e.count) + (vertex ? " vertices" : " faces") +
                            ", more than the limit of " + withThousands(limit) +
                            "; expected at most " + withThousands(limit) +
                            ": decimate the mesh first",
                        name);
    }
}

// OBJ declares no counts, but its lines are cheap to count: more vertex or face lines than
// the limits is refused before Assimp builds them.
void checkObj(const std::string& bytes, const ImportOptions& options, const std::string& name) {
    size_t vertices = 0, faces = 0;
    for (size_t at = 0; at < bytes.size();) {
        while (at < bytes.size() && (bytes[at] == ' ' || bytes[at] == '\t'))
            ++at;
        if (bytes.compare(at, 2, "v ") == 0 || bytes.compare(at, 2, "v\t") == 0) ++vertices;
        if (bytes.compare(at, 2, "f ") == 0 || bytes.compare(at, 2, "f\t") == 0) ++faces;
        const size_t next = bytes.find('\n', at);
        at = next == std::string::npos ? bytes.size() : next + 1;
    }
    if (faces > options.max_triangles)
        throw Error("has " + withThousands(faces) + " face lines: more than " +
                        withThousands(options.max_triangles) +
                        " triangles, the limit; expected at most " +
                        withThousands(options.max_triangles) + ": decimate the mesh first",
                    name);
    if (vertices > options.max_vertices)
        throw Error("has " + withThousands(vertices) + " vertex lines: more than " +
                        withThousands(options.max_vertices) +
                        " vertices, the limit; expected at most " +
                        withThousands(options.max_vertices) + ": decimate the mesh first",
                    name);
}

// glTF: Assimp walks the node tree recursively, so 20,000 nested nodes overflow its stack,
// and a node listed as the child of two parents (or of itself) is expanded without end. The
// JSON (the .gltf file, or a GLB's first chunk) is read here first, with its nesting limited,
// and the node graph must be a forest no deeper than kMaxNodeDepth.
constexpr size_t kMaxNodeDepth = 128;

std::string gltfJson(const std::string& bytes, const std::string& extension) {
    if (extension == ".gltf") return bytes;
    // GLB: the first chunk after the 12-byte header is the JSON (type 'JSON'); checkGlb has
    // already checked that the chunks fit.
    if (bytes.size() < 20 || readU32(bytes, 16) != 0x4E4F534Au) return {};
    return bytes.substr(20, readU32(bytes, 12));
}

// glTF declares its counts in accessors: the POSITION counts are the vertices and the index
// counts (or, without indices, the POSITION counts) give the triangles Assimp will build, once
// per mesh however many nodes use it. Over the limits is refused before Assimp reads the
// buffers. Accessors that are missing or malformed are Assimp's to report.
void checkGltfCounts(const nlohmann::json& doc, const ImportOptions& options,
                     const std::string& name) {
    const auto accessors = doc.find("accessors");
    const auto meshes = doc.find("meshes");
    if (accessors == doc.end() || !accessors->is_array() || meshes == doc.end() ||
        !meshes->is_array())
        return;
    const auto countOf = [&](const nlohmann::json& index) -> uint64_t {
        if (!index.is_number_unsigned() || index.get<uint64_t>() >= accessors->size()) return 0;
        const nlohmann::json& a = (*accessors)[index.get<size_t>()];
        const auto count = a.is_object() ? a.find("count") : a.end();
        return a.is_object() && count != a.end() && count->is_number_unsigned()
                   ? count->get<uint64_t>()
                   : 0;
    };
    uint64_t vertices = 0, triangles = 0;
    for (const nlohmann::json& mesh : *meshes) {
        if (!mesh.is_object() || !mesh.contains("primitives") || !mesh["primitives"].is_array())
            continue;
        for (const nlohmann::json& p : mesh["primitives"]) {
            if (!p.is_object() || !p.contains("attributes") || !p["attributes"].is_object() ||
                !p["attributes"].contains("POSITION"))
                continue;
            const uint64_t v = countOf(p["attributes"]["POSITION"]);
            const uint64_t corners = p.contains("indices") ? countOf(p["indices"]) : v;
            // Mode 4 (the default) lists triangles; 5 and 6 (strip, fan) make one per corner
            // after the first two; points and lines make none.
            const uint64_t mode = p.contains("mode") && p["mode"].is_number_unsigned()
                                      ? p["mode"].get<uint64_t>()
                                      : 4;
            vertices += v;
            if (mode == 4) triangles += corners / 3;
            if ((mode == 5 || mode == 6) && corners > 2) triangles += corners - 2;
        }
    }
    if (vertices > options.max_vertices || triangles > options.max_triangles)
        throw Error("declares " + withThousands(size_t(vertices)) + " vertices and " +
                        withThousands(size_t(triangles)) + " triangles in its accessors, more " +
                        "than the limits of " + withThousands(options.max_vertices) + " and " +
                        withThousands(options.max_triangles) +
                        "; expected at most these: decimate the mesh first",
                    name);
}

void checkGltfNodes(const std::string& bytes, const std::string& extension,
                    const ImportOptions& options, const std::string& name) {
    const std::string text = gltfJson(bytes, extension);
    size_t deep_at = 0;
    if (jsonNestingDepth(text, kMaxJsonDepth, &deep_at) > kMaxJsonDepth)
        throw Error("has JSON nested more than " + std::to_string(kMaxJsonDepth) +
                        " levels deep (at byte " + std::to_string(deep_at) +
                        " of its JSON); expected a glTF 2.0 document",
                    name);
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) return; // not JSON: Assimp says why
    checkGltfCounts(doc, options, name);
    const auto nodes = doc.find("nodes");
    if (nodes == doc.end() || !nodes->is_array()) return;
    const size_t count = nodes->size();
    std::vector<size_t> parent(count, SIZE_MAX);
    std::vector<std::vector<size_t>> children(count);
    for (size_t n = 0; n < count; ++n) {
        const nlohmann::json& node = (*nodes)[n];
        if (!node.is_object() || !node.contains("children") || !node["children"].is_array())
            continue;
        for (const nlohmann::json& c : node["children"]) {
            // A bad index is Assimp's to report.
            if (!c.is_number_unsigned() || c.get<uint64_t>() >= count) continue;
            const size_t k = c.get<size_t>();
            if (parent[k] != SIZE_MAX || k == n)
                throw Error("is not a valid glTF scene: node " + std::to_string(k) +
                                " has two parents or is its own child; expected the nodes to "
                                "form a tree",
                            name);
            parent[k] = n;
            children[n].push_back(k);
        }
    }
    // Depth by a breadth-first walk from the roots; nodes never reached are on a cycle.
    std::vector<size_t> depth(count, 0), queue;
    for (size_t n = 0; n < count; ++n)
        if (parent[n] == SIZE_MAX) queue.push_back(n);
    for (size_t i = 0; i < queue.size(); ++i) {
        const size_t n = queue[i];
        depth[n] = parent[n] == SIZE_MAX ? 1 : depth[parent[n]] + 1;
        if (depth[n] > kMaxNodeDepth)
            throw Error("has nodes nested more than " + std::to_string(kMaxNodeDepth) +
                            " levels deep (node " + std::to_string(n) +
                            "); expected a scene at most " + std::to_string(kMaxNodeDepth) +
                            " levels deep",
                        name);
        queue.insert(queue.end(), children[n].begin(), children[n].end());
    }
    if (queue.size() < count)
        throw Error("is not a valid glTF scene: its nodes form a cycle; expected the nodes to "
                    "form a tree",
                    name);
}

// FBX: Assimp's FBX parser reads each scope recursively, and its converter walks the model
// hierarchy recursively, so both are limited here first. A scope is a `{...}` block of ASCII
// FBX or a nested record list of binary FBX, at most kMaxJsonDepth deep (a file needs about 5);
// the hierarchy is the object-to-object ("OO") connections, child to parent, at most
// kMaxNodeDepth long, without a cycle. Structure Assimp would reject anyway (a record past the
// end of the file) is left for Assimp to report.
struct FbxLink {
    std::string child, parent;
};

// More object connections than a head needs by far (a scan has a few dozen objects; a rigged
// character a few thousand); bounds the memory of the hierarchy check itself.
constexpr size_t kMaxFbxConnections = 1'000'000;

void addFbxLink(std::vector<FbxLink>& links, FbxLink link, const std::string& name) {
    if (links.size() >= kMaxFbxConnections)
        throw Error("has more than " + withThousands(kMaxFbxConnections) +
                        " object connections; expected an FBX scene of at most " +
                        withThousands(kMaxFbxConnections) + " connections",
                    name);
    links.push_back(std::move(link));
}

[[noreturn]] void refuseFbxScopes(size_t where, const char* unit, const std::string& name) {
    throw Error("has FBX scopes nested more than " + std::to_string(kMaxJsonDepth) +
                    " levels deep (at " + unit + " " + std::to_string(where) +
                    "); expected an FBX file at most " + std::to_string(kMaxJsonDepth) +
                    " levels deep",
                name);
}

// The next token of an ASCII FBX line from `at`: a quoted string (without quotes) or a run of
// characters up to a comma, brace or space.
std::string fbxToken(std::string_view line, size_t& at) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t' || line[at] == ','))
        ++at;
    if (at >= line.size()) return {};
    if (line[at] == '"') {
        const size_t end = line.find('"', at + 1);
        const size_t stop = end == std::string_view::npos ? line.size() : end;
        std::string token(line.substr(at + 1, stop - at - 1));
        at = stop + 1;
        return token;
    }
    const size_t begin = at;
    while (at < line.size() && line[at] != ',' && line[at] != ' ' && line[at] != '\t' &&
           line[at] != '{' && line[at] != '}' && line[at] != '\r')
        ++at;
    return std::string(line.substr(begin, at - begin));
}

// ASCII FBX: the brace depth (outside strings and ';' comments) and the connections
// (`C: "OO",child,parent` of FBX 7, `Connect: "OO", "child", "parent"` of FBX 6).
std::vector<FbxLink> scanAsciiFbx(const std::string& bytes, const std::string& name) {
    std::vector<FbxLink> links;
    size_t depth = 0, line_number = 1;
    size_t start = 0;
    while (start < bytes.size()) {
        size_t end = bytes.find('\n', start);
        if (end == std::string::npos) end = bytes.size();
        const std::string_view line(bytes.data() + start, end - start);
        bool quoted = false;
        for (char c : line) {
            if (c == '"') quoted = !quoted;
            if (quoted) continue;
            if (c == ';') break;
            if (c == '{' && ++depth > kMaxJsonDepth) refuseFbxScopes(line_number, "line", name);
            if (c == '}' && depth > 0) --depth;
        }
        const size_t first = line.find_first_not_of(" \t");
        if (first != std::string_view::npos) {
            const std::string_view rest = line.substr(first);
            size_t at = rest.rfind("C:", 0) == 0 ? 2 : rest.rfind("Connect:", 0) == 0 ? 8 : 0;
            if (at > 0 && fbxToken(rest, at) == "OO") {
                FbxLink link;
                link.child = fbxToken(rest, at);
                link.parent = fbxToken(rest, at);
                addFbxLink(links, std::move(link), name);
            }
        }
        start = end + 1;
        ++line_number;
    }
    return links;
}

uint64_t readLittle(const std::string& bytes, size_t offset, size_t size) {
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i)
        value |= uint64_t(uint8_t(bytes[offset + i])) << (8 * i);
    return value;
}

// One operand of a binary FBX "C" record's properties from `at`: an 'L' (int64) as its decimal
// value, an 'S' (string) as its bytes; "" when it is neither or does not fit before `end`.
std::string fbxProperty(const std::string& bytes, size_t& at, size_t end) {
    if (at >= end) return {};
    const char type = bytes[at++];
    if (type == 'L' && at + 8 <= end) {
        const uint64_t v = readLittle(bytes, at, 8);
        at += 8;
        return std::to_string(int64_t(v));
    }
    if (type == 'S' && at + 4 <= end) {
        const uint64_t length = readLittle(bytes, at, 4);
        at += 4;
        if (length > end - at) return {};
        std::string value = bytes.substr(at, size_t(length));
        at += size_t(length);
        return value;
    }
    at = end;
    return {};
}

// Binary FBX: a flat walk over the records (a stack of end offsets, no recursion) for their
// nesting depth, collecting the properties of the "C" records.
std::vector<FbxLink> scanBinaryFbx(const std::string& bytes, const std::string& name) {
    std::vector<FbxLink> links;
    const uint32_t version = uint32_t(readLittle(bytes, 23, 4));
    const size_t field = version >= 7500 ? 8 : 4;
    const size_t header = 3 * field + 1;
    std::vector<uint64_t> ends = {bytes.size()};
    size_t at = 27;
    while (at + header <= ends.back()) {
        const uint64_t end = readLittle(bytes, at, field);
        const uint64_t properties = readLittle(bytes, at + 2 * field, field);
        const size_t name_length = uint8_t(bytes[at + 3 * field]);
        if (end == 0) {                  // the null record closing a list
            if (ends.size() == 1) break; // the top-level list ends; the footer follows
            at = size_t(ends.back());
            ends.pop_back();
            continue;
        }
        const uint64_t body = uint64_t(at) + header + name_length;
        if (end <= at || end > ends.back() || body > end || properties > end - body)
            break; // Assimp's to report
        const std::string_view record(bytes.data() + at + header, name_length);
        if (record == "C") {
            size_t p = size_t(body);
            const size_t p_end = size_t(body + properties);
            if (fbxProperty(bytes, p, p_end) == "OO") {
                FbxLink link;
                link.child = fbxProperty(bytes, p, p_end);
                link.parent = fbxProperty(bytes, p, p_end);
                addFbxLink(links, std::move(link), name);
            }
        }
        const uint64_t nested = body + properties;
        if (nested < end) { // a nested record list follows the properties
            ends.push_back(end);
            if (ends.size() - 1 > kMaxJsonDepth) refuseFbxScopes(at, "byte", name);
            at = size_t(nested);
        } else {
            at = size_t(end);
        }
        while (ends.size() > 1 && at >= ends.back()) {
            at = size_t(ends.back());
            ends.pop_back();
        }
    }
    return links;
}

// The longest chain of `links` from a child up to an object without a parent, by an iterative
// depth-first walk with memoised depths; refuses a chain over kMaxNodeDepth or a cycle.
void checkFbxHierarchy(const std::vector<FbxLink>& links, const std::string& name) {
    std::unordered_map<std::string, size_t> index;
    const auto id = [&](const std::string& key) {
        return index.emplace(key, index.size()).first->second;
    };
    std::vector<std::vector<size_t>> parents;
    for (const FbxLink& l : links) {
        const size_t child = id(l.child), parent = id(l.parent);
        parents.resize(index.size());
        parents[child].push_back(parent);
    }
    const size_t count = index.size();
    // depth 0: not visited; SIZE_MAX: on the current path.
    std::vector<size_t> depth(count, 0);
    std::vector<std::pair<size_t, size_t>> stack; // (object, next parent to visit)
    for (size_t start = 0; start < count; ++start) {
        if (depth[start] != 0) continue;
        stack.push_back({start, 0});
        depth[start] = SIZE_MAX;
        while (!stack.empty()) {
            auto& [object, next] = stack.back();
            if (next < parents[object].size()) {
                const size_t p = parents[object][next++];
                if (depth[p] == SIZE_MAX)
                    throw Error("is not a valid FBX scene: its object connections form a cycle; "
                                "expected the objects to form a hierarchy",
                                name);
                if (depth[p] == 0) {
                    depth[p] = SIZE_MAX;
                    stack.push_back({p, 0});
                }
                continue;
            }
            size_t d = 1;
            for (size_t p : parents[object])
                d = std::max(d, depth[p] + 1);
            if (d > kMaxNodeDepth)
                throw Error("has objects nested more than " + std::to_string(kMaxNodeDepth) +
                                " levels deep (its connections chain " + std::to_string(d) +
                                " objects); expected a scene at most " +
                                std::to_string(kMaxNodeDepth) + " levels deep",
                            name);
            depth[object] = d;
            stack.pop_back();
        }
    }
}

void checkFbx(const std::string& bytes, const std::string& name) {
    static constexpr std::string_view kBinaryMagic("Kaydara FBX Binary  \0", 21);
    const bool binary = bytes.size() >= 27 && std::string_view(bytes).substr(0, 21) == kBinaryMagic;
    checkFbxHierarchy(binary ? scanBinaryFbx(bytes, name) : scanAsciiFbx(bytes, name), name);
}

// COLLADA (.dae) is XML, its node hierarchy nested <node> elements, which Assimp's reader and
// converter both walk recursively: the element nesting is limited to kMaxNodeDepth.
void checkXmlNesting(const std::string& bytes, const std::string& name) {
    size_t depth = 0, line_number = 1;
    for (size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\n') ++line_number;
        if (c != '<' || i + 1 >= bytes.size()) continue;
        const char next = bytes[i + 1];
        if (next == '?' || next == '!') continue; // declarations, comments, CDATA
        if (next == '/') {
            if (depth > 0) --depth;
            continue;
        }
        const size_t close = bytes.find('>', i);
        if (close == std::string::npos) return; // Assimp's to report
        if (bytes[close - 1] == '/') continue;  // <empty/>
        if (++depth > kMaxNodeDepth)
            throw Error("has XML elements nested more than " + std::to_string(kMaxNodeDepth) +
                            " levels deep (line " + std::to_string(line_number) +
                            "); expected a scene at most " + std::to_string(kMaxNodeDepth) +
                            " levels deep",
                        name);
    }
}

void checkHeader(const std::string& bytes, const std::string& extension,
                 const ImportOptions& options, const std::string& name) {
    if (extension == ".glb") checkGlb(bytes, name);
    if (extension == ".glb" || extension == ".gltf")
        checkGltfNodes(bytes, extension, options, name);
    if (extension == ".stl") checkStl(bytes, options, name);
    if (extension == ".ply") checkPly(bytes, options, name);
    if (extension == ".obj") checkObj(bytes, options, name);
    if (extension == ".fbx") checkFbx(bytes, name);
    if (extension == ".dae") checkXmlNesting(bytes, name);
}

// Assimp opens more files than the one named (OBJ's .mtl, glTF's .bin): each must be a
// regular file (a FIFO would hang, /dev/zero never ends) within the size limit.
class RegularFileIOSystem : public Assimp::DefaultIOSystem {
public:
    explicit RegularFileIOSystem(uint64_t max_bytes) : m_max_bytes(max_bytes) {}
    bool Exists(const char* file) const override {
        struct stat st {};
        return ::stat(file, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) <= m_max_bytes;
    }
    Assimp::IOStream* Open(const char* file, const char* mode) override {
        if (std::strchr(mode, 'w') || std::strchr(mode, 'a') || !Exists(file)) return nullptr;
        return Assimp::DefaultIOSystem::Open(file, mode);
    }

private:
    uint64_t m_max_bytes;
};

std::string formatId(const std::string& extension) {
    static const std::map<std::string, std::string> kIds = {{".obj", "obj"},  {".ply", "ply"},
                                                            {".stl", "stl"},  {".gltf", "gltf2"},
                                                            {".glb", "glb2"}, {".fbx", "fbx"}};
    const auto it = kIds.find(extension);
    if (it != kIds.end()) return it->second;
    return extension.empty() ? std::string("unknown") : extension.substr(1);
}

// ---- Flattening ------------------------------------------------------------------------------

// One mesh instance of the flattened scene.
struct Part {
    std::string mesh_name, node_name, material_name;
    bool has_uvs = false;
    bool has_normals = false;
    std::string texture; // as written in the material, may be empty or "*N" (embedded)

    // A name for reports: "node/mesh (material M)", leaving out names Assimp made up and
    // repeats ("M_Teeth" rather than "defaultobject/M_Teeth (material M_Teeth)").
    std::string label() const {
        std::string out;
        for (const std::string* n : {&node_name, &mesh_name})
            if (!generatedName(*n) && *n != out) out += (out.empty() ? "" : "/") + *n;
        if (material_name.empty() || material_name == mesh_name || material_name == node_name)
            return out;
        return out.empty() ? material_name : out + " (material " + material_name + ")";
    }
    // Names Assimp's importers invent when the file has none (OBJ's "defaultobject", FBX's
    // "RootNode", STL's "<STL_BINARY>", glTF's "nodes_3") say nothing to the user.
    static bool generatedName(const std::string& n) {
        return n.empty() || n[0] == '<' || n[0] == '$' || n == "defaultobject" || n == "RootNode" ||
               n.rfind("nodes_", 0) == 0 || n.rfind("mesh_", 0) == 0;
    }
    bool matches(const std::string& wanted) const {
        return wanted == mesh_name || wanted == node_name || wanted == material_name;
    }
};

struct FlatScene {
    std::vector<Part> parts;
    std::vector<glm::vec3> positions;
    std::vector<glm::vec3> normals; // NaN where the part has none
    std::vector<glm::vec2> uvs;     // (0,0) where the part has none
    std::vector<glm::uvec3> triangles;
    std::vector<uint32_t> triangle_part;
    size_t points_and_lines = 0;
};

std::string materialName(const aiScene* scene, unsigned index) {
    if (index >= scene->mNumMaterials) return {};
    aiString name;
    if (scene->mMaterials[index]->Get(AI_MATKEY_NAME, name) != AI_SUCCESS) return {};
    const std::string s = name.C_Str();
    // Assimp's placeholder for "no material" names nothing the user wrote.
    return s == AI_DEFAULT_MATERIAL_NAME ? std::string() : s;
}

std::string materialTexture(const aiScene* scene, unsigned index) {
    if (index >= scene->mNumMaterials) return {};
    const aiMaterial* material = scene->mMaterials[index];
    for (aiTextureType type : {aiTextureType_BASE_COLOR, aiTextureType_DIFFUSE}) {
        aiString path;
        if (material->GetTextureCount(type) > 0 &&
            material->GetTexture(type, 0, &path) == AI_SUCCESS && path.length > 0)
            return path.C_Str();
    }
    return {};
}

void flattenNode(const aiScene* scene, const aiNode* node, const aiMatrix4x4& parent,
                 const ImportOptions& options, const std::string& name, FlatScene& flat) {
    const aiMatrix4x4 world = parent * node->mTransformation;
    aiMatrix3x3 normal_matrix(world);
    normal_matrix.Inverse().Transpose();
    // A mirroring transform turns counter-clockwise triangles clockwise; swap two corners to
    // keep them facing out.
    const bool mirrored = aiMatrix3x3(world).Determinant() < 0;
    for (unsigned i = 0; i < node->mNumMeshes; ++i) {
        if (node->mMeshes[i] >= scene->mNumMeshes) continue;
        const aiMesh* mesh = scene->mMeshes[node->mMeshes[i]];
        Part part;
        part.mesh_name = mesh->mName.C_Str();
        part.node_name = node->mName.C_Str();
        part.material_name = materialName(scene, mesh->mMaterialIndex);
        part.texture = materialTexture(scene, mesh->mMaterialIndex);
        part.has_uvs = mesh->HasTextureCoords(0);
        part.has_normals = mesh->HasNormals();
        const uint32_t part_id = uint32_t(flat.parts.size());
        flat.parts.push_back(part);
        const size_t base = flat.positions.size();
        // A mesh used by many nodes is copied once per node: bounded like the triangles, at
        // the vertices the triangle limit can need (three per triangle, as STL gives them).
        const size_t max_flat_vertices = std::max(options.max_vertices, 3 * options.max_triangles);
        if (base + mesh->mNumVertices > max_flat_vertices)
            throw Error("has more than " + withThousands(max_flat_vertices) +
                            " vertices once every node's copy of its meshes is counted; "
                            "expected at most " +
                            withThousands(max_flat_vertices) + ": decimate the mesh first",
                        name);
        for (unsigned v = 0; v < mesh->mNumVertices; ++v) {
            const aiVector3D p = world * mesh->mVertices[v];
            flat.positions.emplace_back(p.x, p.y, p.z);
            if (part.has_normals) {
                const aiVector3D n = normal_matrix * mesh->mNormals[v];
                flat.normals.emplace_back(n.x, n.y, n.z);
            } else {
                flat.normals.emplace_back(std::nanf(""));
            }
            if (part.has_uvs)
                flat.uvs.emplace_back(mesh->mTextureCoords[0][v].x, mesh->mTextureCoords[0][v].y);
            else
                flat.uvs.emplace_back(0.0f);
        }
        for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
            const aiFace& face = mesh->mFaces[f];
            if (face.mNumIndices != 3) {
                // Triangulation leaves only points and lines with other corner counts.
                ++flat.points_and_lines;
                continue;
            }
            const unsigned* idx = face.mIndices;
            if (idx[0] >= mesh->mNumVertices || idx[1] >= mesh->mNumVertices ||
                idx[2] >= mesh->mNumVertices)
                throw Error("mesh '" + part.label() +
                                "' has a face with a vertex index out of "
                                "range; expected indices below its " +
                                std::to_string(mesh->mNumVertices) + " vertices",
                            name);
            if (flat.triangles.size() >= options.max_triangles)
                throw Error("has more than " + withThousands(options.max_triangles) +
                                " triangles, the limit; expected at most " +
                                withThousands(options.max_triangles) +
                                " triangles: decimate the mesh first",
                            name);
            glm::uvec3 t(base + idx[0], base + idx[1], base + idx[2]);
            if (mirrored) std::swap(t.y, t.z);
            flat.triangles.push_back(t);
            flat.triangle_part.push_back(part_id);
        }
    }
    for (unsigned c = 0; c < node->mNumChildren; ++c)
        flattenNode(scene, node->mChildren[c], world, options, name, flat);
}

// ---- Topology ----------------------------------------------------------------------------------

struct UnionFind {
    std::vector<uint32_t> parent;
    explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
    uint32_t find(uint32_t x) {
        while (parent[x] != x)
            x = parent[x] = parent[parent[x]]; // path halving
        return x;
    }
    void unite(uint32_t a, uint32_t b) {
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
};

bool finite(const glm::vec3& v) {
    return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

double triangleArea(const std::vector<glm::vec3>& p, const glm::uvec3& t) {
    const glm::dvec3 a = p[t.x], b = p[t.y], c = p[t.z];
    return 0.5 * glm::length(glm::cross(b - a, c - a));
}

std::string joinNames(const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

} // namespace

ImportedMesh importMesh(const fs::path& file, const ImportOptions& options) {
    const std::string name = file.string();
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw Error(std::string("file not found; ") + kExpectedFormats, name);
    if (fs::is_directory(file, ec))
        throw Error(std::string("is a directory; ") + kExpectedFormats, name);
    const std::string bytes = readFile(file, options.max_file_bytes);
    if (bytes.empty()) throw Error(std::string("is empty (0 bytes); ") + kExpectedFormats, name);
    const std::string extension = lower(file.extension().string());
    checkHeader(bytes, extension, options, name);

    Assimp::Importer importer;
    importer.SetIOHandler(new RegularFileIOSystem(options.max_file_bytes)); // Assimp owns it
    const aiScene* scene = nullptr;
    auto failure = [&](const std::string& what) {
        std::string reason = importer.GetErrorString();
        if (reason.empty()) reason = "Assimp gave no reason";
        return Error(what + " (" + reason + "); " + kExpectedFormats, name);
    };
    try {
        // Read from the path (not from memory) so OBJ finds its MTL and glTF its .bin files.
        // Post-processing waits until the scene is known not to be empty, so an empty scene
        // gets our message rather than the validator's.
        scene = importer.ReadFile(name, 0);
        if (!scene) throw failure("cannot be read as a mesh");
        if (!scene->mRootNode || scene->mNumMeshes == 0)
            throw Error(std::string("contains no meshes (an empty scene, or not a mesh file); ") +
                            kExpectedFormats,
                        name);
        size_t faces = 0, vertices = 0;
        for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
            faces += scene->mMeshes[m]->mNumFaces;
            vertices += scene->mMeshes[m]->mNumVertices;
        }
        if (faces == 0)
            throw Error("contains no faces, only " + withThousands(vertices) +
                            " vertices (a point cloud?); expected a surface mesh with "
                            "triangles or polygons",
                        name);
        scene = importer.ApplyPostProcessing(aiProcess_ValidateDataStructure);
        if (!scene) throw failure("is not a valid mesh");
        // No aiProcess_FlipUVs: Assimp hands every format over with v up, origin bottom-left
        // (it flips glTF's v-down on import), which is our convention too.
        scene =
            importer.ApplyPostProcessing(aiProcess_Triangulate | aiProcess_JoinIdenticalVertices);
        if (!scene) throw failure("cannot be triangulated");
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(std::string("cannot be read: ") + e.what() + "; " + kExpectedFormats, name);
    }

    ImportedMesh out;
    ImportReport& report = out.report;
    report.file = file;
    report.sha256 = sha256Hex(bytes);
    report.format = formatId(extension);

    FlatScene flat;
    flattenNode(scene, scene->mRootNode, aiMatrix4x4(), options, name, flat);
    report.source_vertices = flat.positions.size();
    report.source_triangles = flat.triangles.size();
    report.points_and_lines = flat.points_and_lines;
    for (const Part& part : flat.parts)
        for (const std::string* n : {&part.mesh_name, &part.node_name, &part.material_name})
            if (!n->empty() && std::find(report.part_names.begin(), report.part_names.end(), *n) ==
                                   report.part_names.end())
                report.part_names.push_back(*n);
    if (flat.points_and_lines > 0) {
        report.dropped.push_back({"points and lines", 0,
                                  withThousands(flat.points_and_lines) +
                                      " point/line primitives: not surface triangles"});
        report.warnings.push_back("dropped " + withThousands(flat.points_and_lines) +
                                  " point/line primitives");
    }
    if (flat.triangles.empty())
        throw Error("contains no triangles (" + withThousands(flat.points_and_lines) +
                        " points/lines only); expected a surface mesh with triangles or "
                        "polygons",
                    name);

    // Drop what cannot be part of a surface before topology sees it.
    const std::vector<uint32_t> weld = weldPositions(flat.positions);
    std::vector<bool> usable(flat.triangles.size(), true);
    for (size_t t = 0; t < flat.triangles.size(); ++t) {
        const glm::uvec3& tri = flat.triangles[t];
        if (!finite(flat.positions[tri.x]) || !finite(flat.positions[tri.y]) ||
            !finite(flat.positions[tri.z])) {
            usable[t] = false;
            ++report.nonfinite_triangles;
        } else if (weld[tri.x] == weld[tri.y] || weld[tri.y] == weld[tri.z] ||
                   weld[tri.z] == weld[tri.x] || !(triangleArea(flat.positions, tri) > 0)) {
            usable[t] = false;
            ++report.degenerate_triangles;
        }
    }
    if (report.nonfinite_triangles > 0) {
        report.dropped.push_back({"non-finite triangles", report.nonfinite_triangles,
                                  "a corner has a NaN or infinite coordinate"});
        report.warnings.push_back("dropped " + withThousands(report.nonfinite_triangles) +
                                  " triangles with NaN or infinite coordinates");
    }
    if (report.degenerate_triangles > 0) {
        report.dropped.push_back({"degenerate triangles", report.degenerate_triangles,
                                  "zero area or a repeated corner"});
        report.warnings.push_back("dropped " + withThousands(report.degenerate_triangles) +
                                  " degenerate triangles (zero area or a repeated corner)");
    }
    if (report.nonfinite_triangles + report.degenerate_triangles == flat.triangles.size())
        throw Error("has no usable triangles: " + withThousands(report.nonfinite_triangles) +
                        " with NaN/infinite coordinates and " +
                        withThousands(report.degenerate_triangles) +
                        " degenerate (zero area); expected finite, non-degenerate triangles",
                    name);

    // Connected components over welded positions: what the report counts.
    const size_t welded_count = weld.empty() ? 0 : *std::max_element(weld.begin(), weld.end()) + 1;
    UnionFind sets(welded_count);
    for (size_t t = 0; t < flat.triangles.size(); ++t) {
        if (!usable[t]) continue;
        const glm::uvec3& tri = flat.triangles[t];
        sets.unite(weld[tri.x], weld[tri.y]);
        sets.unite(weld[tri.y], weld[tri.z]);
    }
    std::vector<uint32_t> component(flat.triangles.size(), UINT32_MAX);
    {
        std::unordered_map<uint32_t, uint32_t> component_of_root;
        for (size_t t = 0; t < flat.triangles.size(); ++t) {
            if (!usable[t]) continue;
            const uint32_t root = sets.find(weld[flat.triangles[t].x]);
            component[t] =
                component_of_root.emplace(root, uint32_t(component_of_root.size())).first->second;
        }
        report.components = component_of_root.size();
    }

    // Surface patches: triangles joined across edges that exactly two triangles share. Face
    // kits hang eyelashes, tear-film and occlusion shells on the eyelid margin, sharing its
    // vertices and edges, so vertex-connectivity alone keeps them with the skin; at those
    // edges three or more triangles meet, and cutting there separates them.
    std::vector<std::pair<uint64_t, uint32_t>> edges; // (welded edge key, triangle)
    edges.reserve(3 * flat.triangles.size());
    for (size_t t = 0; t < flat.triangles.size(); ++t) {
        if (!usable[t]) continue;
        const glm::uvec3& tri = flat.triangles[t];
        for (int i = 0; i < 3; ++i) {
            const uint64_t a = weld[tri[i]], b = weld[tri[(i + 1) % 3]];
            edges.emplace_back(std::min(a, b) << 32 | std::max(a, b), uint32_t(t));
        }
    }
    std::sort(edges.begin(), edges.end());
    UnionFind patches(flat.triangles.size());
    size_t nonmanifold_edges = 0;
    for (size_t i = 0; i < edges.size();) {
        size_t j = i;
        while (j < edges.size() && edges[j].first == edges[i].first)
            ++j;
        if (j - i == 2) patches.unite(edges[i].second, edges[i + 1].second);
        if (j - i > 2) ++nonmanifold_edges;
        i = j;
    }
    std::vector<uint32_t> patch(flat.triangles.size(), UINT32_MAX);
    std::vector<double> patch_area;
    std::vector<uint32_t> patch_component;
    {
        std::unordered_map<uint32_t, uint32_t> patch_of_root;
        for (size_t t = 0; t < flat.triangles.size(); ++t) {
            if (!usable[t]) continue;
            const auto [it, added] =
                patch_of_root.emplace(patches.find(uint32_t(t)), uint32_t(patch_area.size()));
            if (added) {
                patch_area.push_back(0);
                patch_component.push_back(component[t]);
            }
            patch[t] = it->second;
            patch_area[it->second] += triangleArea(flat.positions, flat.triangles[t]);
        }
    }

    // Choose what to keep.
    std::vector<bool> keep(flat.triangles.size(), false);
    if (options.keep.empty()) {
        const uint32_t skin =
            uint32_t(std::max_element(patch_area.begin(), patch_area.end()) - patch_area.begin());
        for (size_t t = 0; t < flat.triangles.size(); ++t)
            keep[t] = patch[t] == skin;
        double skin_component_area = 0;
        for (size_t p = 0; p < patch_area.size(); ++p)
            if (patch_component[p] == patch_component[skin]) skin_component_area += patch_area[p];
        if (patch_area[skin] < 0.5 * skin_component_area)
            report.warnings.push_back(
                "the largest surface patch is only " +
                std::to_string(int(100 * patch_area[skin] / skin_component_area)) +
                "% of its connected component (" + withThousands(nonmanifold_edges) +
                " non-manifold edges split it); name the parts to keep in head.keep if the "
                "skin is incomplete");
        // Group the dropped patches by the names of the parts they are made of, so the report
        // says "M_Teeth: 8,696 triangles, 32 pieces" rather than listing 32 patches.
        std::map<uint32_t, std::set<std::string>> names_of_patch;
        std::map<uint32_t, size_t> triangles_of_patch;
        for (size_t t = 0; t < flat.triangles.size(); ++t) {
            if (!usable[t] || keep[t]) continue;
            names_of_patch[patch[t]].insert(flat.parts[flat.triangle_part[t]].label());
            ++triangles_of_patch[patch[t]];
        }
        struct Group {
            size_t triangles = 0, pieces = 0;
            bool attached = false; // shares vertices with the skin
        };
        std::map<std::string, Group> groups;
        for (const auto& [p, names] : names_of_patch) {
            std::string what;
            for (const std::string& n : names)
                if (!n.empty()) what += (what.empty() ? "" : " + ") + n;
            if (what.empty()) what = "component " + std::to_string(patch_component[p] + 1);
            Group& group = groups[what];
            group.triangles += triangles_of_patch[p];
            ++group.pieces;
            group.attached = group.attached || patch_component[p] == patch_component[skin];
        }
        for (const auto& [what, group] : groups) {
            std::string reason =
                group.attached
                    ? "attached to the largest surface only along edges where three or more "
                      "triangles meet (eyelashes, tear film or an inner shell?)"
                    : "not connected to the largest surface (eyeball, teeth or a separate "
                      "shell?)";
            if (group.pieces > 1) reason += "; " + std::to_string(group.pieces) + " pieces";
            report.dropped.push_back({what, group.triangles, reason});
        }
    } else {
        std::set<std::string> unknown;
        for (const std::string& wanted : options.keep) {
            const bool known = std::any_of(flat.parts.begin(), flat.parts.end(),
                                           [&](const Part& p) { return p.matches(wanted); });
            if (!known) unknown.insert(wanted);
        }
        if (!unknown.empty()) {
            // Every name must match: a typo would otherwise silently leave out part of the skin.
            const std::set<std::string> available(report.part_names.begin(),
                                                  report.part_names.end());
            throw Error("head.keep names " + joinNames(unknown) +
                            " but the file has no mesh, node or material of that name; "
                            "available: " +
                            (available.empty() ? std::string("(none: the file names nothing)")
                                               : joinNames(available)),
                        name, "/head/keep");
        }
        std::vector<bool> part_kept(flat.parts.size());
        for (size_t p = 0; p < flat.parts.size(); ++p)
            part_kept[p] =
                std::any_of(options.keep.begin(), options.keep.end(),
                            [&](const std::string& k) { return flat.parts[p].matches(k); });
        std::map<std::string, size_t> dropped_by_label;
        for (size_t t = 0; t < flat.triangles.size(); ++t) {
            if (!usable[t]) continue;
            keep[t] = part_kept[flat.triangle_part[t]];
            if (!keep[t]) ++dropped_by_label[flat.parts[flat.triangle_part[t]].label()];
        }
        for (const auto& [label, count] : dropped_by_label)
            report.dropped.push_back({label.empty() ? std::string("(unnamed mesh)") : label, count,
                                      "not named in head.keep"});
        if (std::none_of(keep.begin(), keep.end(), [](bool k) { return k; }))
            throw Error("the parts named in head.keep have no usable triangles; expected at "
                        "least one finite, non-degenerate triangle",
                        name, "/head/keep");
    }

    // Build the kept mesh with compact vertex and weld ids.
    Mesh& mesh = out.mesh;
    std::vector<uint32_t> new_vertex(flat.positions.size(), UINT32_MAX);
    std::vector<uint32_t> new_weld(welded_count, UINT32_MAX);
    uint32_t welded_kept = 0;
    std::vector<size_t> kept_triangles_of_part(flat.parts.size(), 0);
    bool file_normals_usable = true;
    for (size_t t = 0; t < flat.triangles.size(); ++t) {
        if (!keep[t]) continue;
        const uint32_t part = flat.triangle_part[t];
        ++kept_triangles_of_part[part];
        glm::uvec3 tri = flat.triangles[t];
        for (int i = 0; i < 3; ++i) {
            uint32_t& v = tri[i];
            if (new_vertex[v] == UINT32_MAX) {
                new_vertex[v] = uint32_t(mesh.positions.size());
                mesh.positions.push_back(flat.positions[v]);
                mesh.normals.push_back(flat.normals[v]);
                mesh.uvs.push_back(flat.uvs[v]);
                if (new_weld[weld[v]] == UINT32_MAX) new_weld[weld[v]] = welded_kept++;
                mesh.weld.push_back(new_weld[weld[v]]);
                const glm::vec3& n = flat.normals[v];
                if (!finite(n) || glm::length(n) == 0.0f) file_normals_usable = false;
            }
            v = new_vertex[v];
        }
        mesh.triangles.push_back(tri);
    }

    bool all_uvs = true;
    for (size_t p = 0; p < flat.parts.size(); ++p) {
        if (kept_triangles_of_part[p] == 0) continue;
        all_uvs = all_uvs && flat.parts[p].has_uvs;
    }
    // STL stores one normal per facet, which Assimp copies to the corners: flat shading, not
    // the surface's normals. Smooth normals are computed instead.
    file_normals_usable = file_normals_usable && extension != ".stl";
    report.has_normals = file_normals_usable;
    if (file_normals_usable) {
        for (glm::vec3& n : mesh.normals)
            n = glm::normalize(n);
    } else {
        computeNormals(mesh);
    }
    report.has_uvs = all_uvs;
    if (!all_uvs) {
        const bool some_uvs = std::any_of(flat.parts.begin(), flat.parts.end(),
                                          [](const Part& p) { return p.has_uvs; });
        if (some_uvs)
            report.warnings.push_back("some kept parts have UVs and others do not: UVs ignored");
        mesh.uvs.clear();
    }

    // Albedo texture: the one of the kept part with the most triangles.
    std::map<std::string, size_t> triangles_of_texture;
    for (size_t p = 0; p < flat.parts.size(); ++p)
        if (kept_triangles_of_part[p] > 0 && !flat.parts[p].texture.empty())
            triangles_of_texture[flat.parts[p].texture] += kept_triangles_of_part[p];
    if (!triangles_of_texture.empty()) {
        const std::string texture =
            std::max_element(triangles_of_texture.begin(), triangles_of_texture.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; })
                ->first;
        if (triangles_of_texture.size() > 1)
            report.warnings.push_back("the kept surface uses " +
                                      std::to_string(triangles_of_texture.size()) +
                                      " textures; using '" + texture + "' (most triangles)");
        if (texture[0] == '*' || scene->GetEmbeddedTexture(texture.c_str())) {
            // Embedded images (GLB, some FBX) are not extracted yet: the mesh has no albedo.
            report.warnings.push_back("the albedo texture '" + texture +
                                      "' is embedded in the file; embedded textures are not "
                                      "used yet");
        } else {
            fs::path path = fs::path(texture);
            if (path.is_relative()) path = file.parent_path() / path;
            path = fs::weakly_canonical(fs::absolute(path, ec), ec);
            if (fs::is_regular_file(path, ec)) {
                // Decoded here, once: the baker and the renderer never read it again.
                try {
                    mesh.albedo = std::make_shared<const Image8>(readImage8(path));
                    mesh.albedo_texture = path;
                } catch (const Error& e) {
                    report.warnings.push_back("the albedo texture '" + texture +
                                              "' could not be decoded (" + e.what() +
                                              "); the mesh has no albedo");
                }
            } else
                report.warnings.push_back("the albedo texture '" + texture +
                                          "' named by the material was not found at " +
                                          path.string());
        }
    }

    report.bbox = boundingBox(mesh);
    return out;
}

} // namespace stipple
