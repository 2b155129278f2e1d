#include "stipple/core/design.h"

// The design-file v1 parser. Every field is checked for type and range against the table in
// docs/design-file.md, and every problem is collected before one stipple::Error is thrown, so
// a practitioner fixes a file in one round rather than one error per run. Unknown fields are
// errors with a did-you-mean: Mitsuba 3 reports parameters nobody read "since this is usually
// indicative of typos", and a typo'd density silently falling back to its default would
// produce a plausible but wrong simulation, which is worse than no simulation.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <stb_image.h>
#include <zlib.h>

#include "stipple/core/hash.h"
#include "stipple/core/json_limits.h"

namespace stipple {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Small formatting helpers.

std::string pointerToken(const std::string& key) {
    // RFC 6901: "~" -> "~0", "/" -> "~1".
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

// At most `bytes` bytes of UTF-8 `text`, cut at a code-point boundary, with "..." when cut:
// a 10 MB unknown key must not become a 20 MB message.
constexpr size_t kMaxQuotedBytes = 60;
std::string shorten(const std::string& text, size_t bytes = kMaxQuotedBytes) {
    if (text.size() <= bytes) return text;
    size_t cut = bytes - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return text.substr(0, cut) + "...";
}

// Keys longer than kMaxQuotedBytes are shortened in pointers too (only unknown keys can be).
std::string child(const std::string& parent, const std::string& key) {
    return parent + "/" + pointerToken(shorten(key));
}
std::string child(const std::string& parent, size_t index) {
    return parent + "/" + std::to_string(index);
}

// The value as the user wrote it (JSON text), shortened for one-line messages.
std::string show(const json& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

std::string quote(const std::string& text) {
    return json(shorten(text)).dump();
}

std::string formatNumber(double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", x);
    return buffer;
}

std::string rangeText(double lo, double hi, const std::string& unit) {
    std::string out = formatNumber(lo) + ".." + formatNumber(hi);
    if (!unit.empty()) out += " " + unit;
    return out;
}

std::string kindOf(const json& value) {
    switch (value.type()) {
    case json::value_t::null:
        return "not a value";
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
        return "a number";
    default:
        return "not a value";
    }
}

// The value as a whole number: integers, and floats without a fractional part (12000.0).
std::optional<int64_t> wholeNumber(const json& value) {
    if (value.is_number_integer()) return value.get<int64_t>();
    if (!value.is_number_float()) return std::nullopt;
    const double x = value.get<double>();
    if (x != std::floor(x) || std::abs(x) > 9.0e15) return std::nullopt;
    return int64_t(x);
}

template <typename Names> std::string listNames(const Names& names) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ", ";
        out += quote(name);
    }
    return out;
}

// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-folded:
// the usual typos in field names are one dropped, doubled or swapped letter.
size_t editDistance(const std::string& a, const std::string& b) {
    auto lower = [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); };
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1, 0));
    for (size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

// The known name closest to `word`, when it is close enough to be the likely intent: within
// two edits or a third of the word's length, or a known name that starts with the word
// ("density" -> "density_per_cm2").
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& known) {
    // The distance table is word x name: a 10 MB key would take seconds and gigabytes, and no
    // key that long is a typo of a field name.
    if (word.size() > kMaxQuotedBytes) return std::nullopt;
    std::optional<std::string> best;
    size_t best_distance = SIZE_MAX;
    for (const std::string& name : known) {
        const size_t distance = editDistance(word, name);
        if (distance < best_distance) {
            best_distance = distance;
            best = name;
        }
    }
    if (best && (best_distance <= 2 || best_distance * 3 <= word.size())) return best;
    if (word.size() >= 3) {
        for (const std::string& name : known)
            if (name.rfind(word, 0) == 0) return name;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Invalid JSON: nlohmann's parse_error gives a byte offset; users need line and column.

struct TextPosition {
    size_t line = 1;
    size_t column = 1;
};

// `byte` is nlohmann's 1-based index of the last character read. Columns count UTF-8 code
// points so that "dots/cm²" earlier on the line does not shift the caret.
TextPosition positionOfByte(const std::string& text, size_t byte) {
    TextPosition pos;
    const size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
    for (size_t i = 0; i < end; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++pos.line;
            pos.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++pos.column;
        }
    }
    return pos;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 2,
// column 3: " prefix, which repeats what we say ourselves.
std::string parseErrorReason(const std::string& what) {
    std::string reason = what;
    const size_t bracket = reason.find("] ");
    if (bracket != std::string::npos) reason = reason.substr(bracket + 2);
    const size_t column = reason.find("column ");
    if (column != std::string::npos) {
        const size_t colon = reason.find(": ", column);
        if (colon != std::string::npos) reason = reason.substr(colon + 2);
    } else if (reason.rfind("parse error: ", 0) == 0) {
        reason = reason.substr(13);
    } else if (reason.rfind("parse error", 0) == 0) {
        const size_t colon = reason.find(": ");
        if (colon != std::string::npos) reason = reason.substr(colon + 2);
    }
    return reason;
}

// Duplicate keys: JSON allows them and nlohmann keeps the last one silently, so a design with
// two "density_per_cm2" would use whichever came last. We report them with their pointer.
class DuplicateKeyFinder {
public:
    std::vector<std::string> duplicates; // JSON pointers

    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            m_stack.emplace_back(false);
            break;
        case json::parse_event_t::array_start:
            m_stack.emplace_back(true);
            break;
        case json::parse_event_t::key: {
            Frame& top = m_stack.back();
            top.key = parsed.get<std::string>();
            if (!top.keys.insert(top.key).second) duplicates.push_back(pointer());
            break;
        }
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
            if (!m_stack.empty()) m_stack.pop_back();
            if (!m_stack.empty() && m_stack.back().array) ++m_stack.back().index;
            break;
        case json::parse_event_t::value:
            if (!m_stack.empty() && m_stack.back().array) ++m_stack.back().index;
            break;
        }
        return true;
    }

private:
    struct Frame {
        explicit Frame(bool is_array) : array(is_array) {}
        bool array = false;
        size_t index = 0;
        std::string key;
        std::set<std::string> keys;
    };
    std::vector<Frame> m_stack;

    std::string pointer() const {
        std::string out;
        for (const Frame& frame : m_stack)
            out = frame.array ? child(out, frame.index) : child(out, frame.key);
        return out;
    }
};

// ---------------------------------------------------------------------------------------------
// The validating reader: typed accessors that record problems and keep going.

template <typename E> using Options = std::vector<std::pair<const char*, E>>;

class Reader {
public:
    Reader(std::string file, std::filesystem::path base_dir)
        : m_file(std::move(file)), m_base_dir(std::move(base_dir)) {}

    std::vector<Problem> errors;
    std::vector<Problem> warnings;

    void error(const std::string& pointer, const std::string& message) {
        errors.push_back(Problem{m_file, pointer, message, false});
    }
    void warn(const std::string& pointer, const std::string& message) {
        warnings.push_back(Problem{m_file, pointer, message, true});
    }

    // True when `value` is an object; reports it otherwise. Every key not in `known` is an
    // error with a did-you-mean suggestion, or the list of accepted fields.
    bool object(const json& value, const std::string& pointer,
                const std::vector<std::string>& known, const std::string& what) {
        if (!value.is_object()) {
            error(pointer, show(value) + " is " + kindOf(value) + "; expected " + what);
            return false;
        }
        for (const auto& item : value.items()) {
            if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
            std::string message = "unknown field " + quote(item.key());
            if (const auto suggestion = closest(item.key(), known))
                message += "; did you mean " + quote(*suggestion) + "?";
            else
                message += "; accepted fields here: " + listNames(known);
            error(child(pointer, item.key()), message);
        }
        return true;
    }

    // The member `key` of an object, or null when absent.
    static const json* find(const json& obj, const std::string& key) {
        if (!obj.is_object()) return nullptr;
        const auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }

    // A number in [lo, hi]. Returns false (reported) when present but invalid, or absent.
    bool number(const json& obj, const std::string& pointer, const std::string& key, double lo,
                double hi, const std::string& unit, double& out) {
        const json* value = find(obj, key);
        if (!value) return false;
        const std::string at = child(pointer, key);
        if (!value->is_number()) {
            error(at, show(*value) + " is " + kindOf(*value) + "; expected a number in " +
                          rangeText(lo, hi, unit));
            return false;
        }
        const double x = value->get<double>();
        if (!(x >= lo && x <= hi)) {
            error(at, show(*value) + " is out of range " + rangeText(lo, hi, unit));
            return false;
        }
        out = x;
        return true;
    }

    // A whole number in [lo, hi]; 12000.0 is accepted as 12000.
    bool integer(const json& obj, const std::string& pointer, const std::string& key, int64_t lo,
                 int64_t hi, const std::string& unit, int64_t& out) {
        const json* value = find(obj, key);
        if (!value) return false;
        const std::string at = child(pointer, key);
        const std::string expected = "an integer in " + rangeText(double(lo), double(hi), unit);
        if (!value->is_number()) {
            error(at, show(*value) + " is " + kindOf(*value) + "; expected " + expected);
            return false;
        }
        const double x = value->get<double>();
        if (value->is_number_float() && x != std::floor(x)) {
            error(at, show(*value) + " is not a whole number; expected " + expected);
            return false;
        }
        if (!(x >= double(lo) && x <= double(hi))) {
            error(at, show(*value) + " is out of range " + rangeText(double(lo), double(hi), unit));
            return false;
        }
        out = value->is_number_float() ? int64_t(x) : value->get<int64_t>();
        return true;
    }

    bool integer(const json& obj, const std::string& pointer, const std::string& key, int lo,
                 int hi, const std::string& unit, int& out) {
        int64_t wide = 0;
        if (!integer(obj, pointer, key, int64_t(lo), int64_t(hi), unit, wide)) return false;
        out = int(wide);
        return true;
    }

    bool boolean(const json& obj, const std::string& pointer, const std::string& key, bool& out) {
        const json* value = find(obj, key);
        if (!value) return false;
        if (!value->is_boolean()) {
            error(child(pointer, key),
                  show(*value) + " is " + kindOf(*value) + "; expected true or false");
            return false;
        }
        out = value->get<bool>();
        return true;
    }

    bool string(const json& obj, const std::string& pointer, const std::string& key,
                size_t max_length, std::string& out) {
        const json* value = find(obj, key);
        if (!value) return false;
        const std::string at = child(pointer, key);
        if (!value->is_string()) {
            error(at, show(*value) + " is " + kindOf(*value) + "; expected a string");
            return false;
        }
        const std::string text = value->get<std::string>();
        if (text.size() > max_length) {
            error(at, "is " + std::to_string(text.size()) + " characters long; accepted: at most " +
                          std::to_string(max_length));
            return false;
        }
        out = text;
        return true;
    }

    // One of a fixed set of strings.
    template <typename E>
    bool choice(const json& obj, const std::string& pointer, const std::string& key,
                const Options<E>& options, E& out) {
        const json* value = find(obj, key);
        if (!value) return false;
        return choiceValue(*value, child(pointer, key), options, out);
    }

    template <typename E>
    bool choiceValue(const json& value, const std::string& at, const Options<E>& options, E& out) {
        std::vector<std::string> names;
        for (const auto& option : options)
            names.push_back(option.first);
        if (value.is_string()) {
            const std::string text = value.get<std::string>();
            for (const auto& option : options) {
                if (text == option.first) {
                    out = option.second;
                    return true;
                }
            }
            std::string message = show(value) + " is not accepted; accepted: " + listNames(names);
            if (const auto suggestion = closest(text, names))
                message += " (did you mean " + quote(*suggestion) + "?)";
            error(at, message);
            return false;
        }
        error(at, show(value) + " is " + kindOf(value) + "; expected one of " + listNames(names));
        return false;
    }

    // "#rrggbb" -> sRGB components in 0..1.
    bool colourValue(const json& value, const std::string& at, glm::dvec3& out) {
        const std::string expected = "expected a colour \"#rrggbb\" (hex, e.g. \"#1a1714\")";
        if (!value.is_string()) {
            error(at, show(value) + " is " + kindOf(value) + "; " + expected);
            return false;
        }
        const std::string text = value.get<std::string>();
        const bool shape_ok = text.size() == 7 && text[0] == '#' &&
                              std::all_of(text.begin() + 1, text.end(), [](char c) {
                                  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                              });
        if (!shape_ok) {
            error(at, show(value) + " is not a colour; " + expected);
            return false;
        }
        for (int i = 0; i < 3; ++i)
            out[i] = double(std::stoi(text.substr(1 + 2 * size_t(i), 2), nullptr, 16)) / 255.0;
        return true;
    }

    bool colour(const json& obj, const std::string& pointer, const std::string& key,
                glm::dvec3& out) {
        const json* value = find(obj, key);
        return value && colourValue(*value, child(pointer, key), out);
    }

    bool axis(const json& obj, const std::string& pointer, const std::string& key,
              std::optional<Axis>& out) {
        const json* value = find(obj, key);
        if (!value) return false;
        const std::string at = child(pointer, key);
        const std::string accepted = "accepted: \"+X\", \"-X\", \"+Y\", \"-Y\", \"+Z\", \"-Z\"";
        if (!value->is_string()) {
            error(at, show(*value) + " is " + kindOf(*value) + "; expected an axis, " + accepted);
            return false;
        }
        out = parseAxis(value->get<std::string>());
        if (!out) error(at, show(*value) + " is not an axis; " + accepted);
        return bool(out);
    }

    // [x, y, z]; each coordinate finite and, when `limit` > 0, within ±limit.
    bool point(const json& value, const std::string& at, double limit, const std::string& unit,
               glm::dvec3& out) {
        if (!value.is_array() || value.size() != 3 ||
            !std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_number(); })) {
            error(at, show(value) + " is not a point; expected [x, y, z] (three numbers" +
                          (unit.empty() ? std::string() : ", " + unit) + ")");
            return false;
        }
        bool ok = true;
        for (size_t i = 0; i < 3; ++i) {
            const double x = value[i].get<double>();
            if (limit > 0 && !(std::abs(x) <= limit)) {
                error(child(at, i), show(value[i]) + " is out of range " +
                                        rangeText(-limit, limit, unit) +
                                        " (head-frame coordinates: origin between the ears)");
                ok = false;
            }
            out[int(i)] = x;
        }
        return ok;
    }

    // An array of points with at least `min_count` entries.
    bool points(const json& value, const std::string& at, size_t min_count, double limit,
                const std::string& what, std::vector<glm::dvec3>& out) {
        if (!value.is_array()) {
            error(at, show(value) + " is " + kindOf(value) + "; expected " + what);
            return false;
        }
        if (value.size() < min_count) {
            error(at, "has " + std::to_string(value.size()) + " point" +
                          (value.size() == 1 ? "" : "s") + "; expected " + what);
            return false;
        }
        bool ok = true;
        out.clear();
        for (size_t i = 0; i < value.size(); ++i) {
            glm::dvec3 p{0};
            ok = point(value[i], child(at, i), limit, "mm", p) && ok;
            out.push_back(p);
        }
        return ok;
    }

    // A path relative to the design file's folder (absolute paths stay as they are).
    std::filesystem::path resolve(const std::string& text) const {
        const std::filesystem::path path(text);
        if (path.is_absolute() || m_base_dir.empty()) return path.lexically_normal();
        return (m_base_dir / path).lexically_normal();
    }

private:
    std::string m_file;
    std::filesystem::path m_base_dir;
};

std::vector<std::string> keys(std::initializer_list<const char*> names) {
    return std::vector<std::string>(names.begin(), names.end());
}

template <size_t N> std::vector<std::string> keys(const std::array<const char*, N>& names) {
    return std::vector<std::string>(names.begin(), names.end());
}

// Head-frame coordinates of hairline points and scars: a head is about 200 mm long, so no
// point on the scalp is farther than 200 mm from the origin between the ears.
constexpr double kHeadFrameLimitMm = 200;
// Landmark overrides are in the mesh file's units: the bound only refuses garbage.
constexpr double kMaxLandmarkUnits = 1e7;

// ---------------------------------------------------------------------------------------------
// Scar outlines: what can be checked without the mesh.

// Most points a strip or polygon scar may have: the crossing check is quadratic in them, and
// an outline drawn by hand or traced in a tool has a few dozen.
constexpr size_t kMaxScarPoints = 1000;

double polylineLength(const std::vector<glm::dvec3>& points) {
    double length = 0;
    for (size_t i = 1; i < points.size(); ++i)
        length += glm::length(points[i] - points[i - 1]);
    return length;
}

// The closed outline in 2D, seen along its mean normal (Newell's method), or along the axis
// in which its points spread least when the normal vanishes (a figure eight).
std::vector<glm::dvec2> projectOutline(const std::vector<glm::dvec3>& points, double& area) {
    glm::dvec3 normal{0};
    for (size_t i = 0; i < points.size(); ++i) {
        const glm::dvec3& a = points[i];
        const glm::dvec3& b = points[(i + 1) % points.size()];
        normal += glm::dvec3((a.y - b.y) * (a.z + b.z), (a.z - b.z) * (a.x + b.x),
                             (a.x - b.x) * (a.y + b.y));
    }
    area = 0.5 * glm::length(normal);
    if (!(area > 1e-9)) {
        glm::dvec3 lo(1e300), hi(-1e300);
        for (const glm::dvec3& p : points)
            lo = glm::min(lo, p), hi = glm::max(hi, p);
        const glm::dvec3 extent = hi - lo;
        normal = extent.x <= extent.y && extent.x <= extent.z ? glm::dvec3(1, 0, 0)
                 : extent.y <= extent.z                       ? glm::dvec3(0, 1, 0)
                                                              : glm::dvec3(0, 0, 1);
    }
    normal = glm::normalize(normal);
    const glm::dvec3 helper = std::abs(normal.x) < 0.9 ? glm::dvec3(1, 0, 0) : glm::dvec3(0, 1, 0);
    const glm::dvec3 u = glm::normalize(glm::cross(normal, helper)), v = glm::cross(normal, u);
    std::vector<glm::dvec2> out;
    for (const glm::dvec3& p : points)
        out.emplace_back(glm::dot(p, u), glm::dot(p, v));
    return out;
}

// Whether segments ab and cd cross or touch.
bool segmentsMeet(const glm::dvec2& a, const glm::dvec2& b, const glm::dvec2& c,
                  const glm::dvec2& d) {
    auto orient = [](const glm::dvec2& p, const glm::dvec2& q, const glm::dvec2& r) {
        const double x = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
        return (x > 0) - (x < 0);
    };
    auto within = [](const glm::dvec2& p, const glm::dvec2& q, const glm::dvec2& r) {
        return std::min(p.x, q.x) <= r.x && r.x <= std::max(p.x, q.x) &&
               std::min(p.y, q.y) <= r.y && r.y <= std::max(p.y, q.y);
    };
    const int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a),
              o4 = orient(c, d, b);
    if (o1 != o2 && o3 != o4) return true;
    return (o1 == 0 && within(a, b, c)) || (o2 == 0 && within(a, b, d)) ||
           (o3 == 0 && within(c, d, a)) || (o4 == 0 && within(c, d, b));
}

// The first pair of non-neighbouring edges (edge i runs from point i to point i + 1, the last
// back to point 0) of the closed outline that meet; nullopt when the outline is simple.
std::optional<std::pair<size_t, size_t>> outlineCrossing(const std::vector<glm::dvec2>& p) {
    const size_t n = p.size();
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 2; j < n; ++j) {
            if (i == 0 && j == n - 1) continue; // neighbours through point 0
            if (segmentsMeet(p[i], p[(i + 1) % n], p[j], p[(j + 1) % n])) return {{i, j}};
        }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Sections.

void readHeadAlbedo(Reader& r, const json& head, Design& d);

void readHead(Reader& r, const json& j, Design& d) {
    const std::string at = "/head";
    const json* head = Reader::find(j, "head");
    if (!head) {
        r.error(at,
                "missing required section \"head\" (at least {\"mesh\": \"path/to/head.glb\"})");
        return;
    }
    if (!r.object(*head, at,
                  keys({"mesh", "units", "mm_per_unit", "up", "forward", "keep", "landmarks",
                        "accept_non_head", "albedo"}),
                  "an object with the head mesh, units and axes"))
        return;

    std::string mesh;
    if (!Reader::find(*head, "mesh")) {
        r.error(at + "/mesh", "missing required field \"mesh\": the head mesh (OBJ, PLY, STL, "
                              "glTF/GLB, FBX), relative to the design file's folder");
    } else if (r.string(*head, at, "mesh", 4096, mesh)) {
        if (mesh.empty())
            r.error(at + "/mesh", "\"\" is empty; expected the path of the head mesh, relative "
                                  "to the design file's folder");
        else
            d.head.mesh = r.resolve(mesh);
    }

    // Units: a name, a factor, or both when they agree.
    static const Options<double> kUnits = {
        {"mm", 1.0}, {"cm", 10.0}, {"m", 1000.0}, {"in", 25.4}, {"auto", 0.0}};
    double units_factor = -1;
    const bool has_units = r.choice(*head, at, "units", kUnits, units_factor);
    double mm_per_unit = 0;
    const bool has_factor =
        r.number(*head, at, "mm_per_unit", 0.0001, 100000, "mm per mesh unit", mm_per_unit);
    if (has_units && has_factor) {
        const std::string units_name = (*head)["units"].get<std::string>();
        if (units_factor == 0)
            r.error(at + "/mm_per_unit",
                    formatNumber(mm_per_unit) +
                        " contradicts \"units\": \"auto\"; give a factor or ask for inference, "
                        "not both");
        else if (std::abs(mm_per_unit - units_factor) > 1e-9 * units_factor)
            r.error(at + "/mm_per_unit",
                    formatNumber(mm_per_unit) + " contradicts \"units\": " + quote(units_name) +
                        " (" + formatNumber(units_factor) + " mm per unit); give one of them");
        else
            d.head.mm_per_unit = mm_per_unit;
    } else if (has_factor) {
        d.head.mm_per_unit = mm_per_unit;
    } else if (has_units && units_factor > 0) {
        d.head.mm_per_unit = units_factor;
    }

    // Axes: up and forward must be perpendicular (with axis-aligned choices, not parallel).
    const bool up_ok = r.axis(*head, at, "up", d.head.up);
    const bool forward_ok = r.axis(*head, at, "forward", d.head.forward);
    const bool up_bad = Reader::find(*head, "up") && !up_ok;
    const bool forward_bad = Reader::find(*head, "forward") && !forward_ok;
    if (!up_bad && !forward_bad) {
        const Axis up = d.head.up.value_or(Axis::PosY);
        const Axis forward = d.head.forward.value_or(Axis::PosZ);
        const double dot = glm::dot(axisVector(up), axisVector(forward));
        if (std::abs(dot) > 0.5) {
            if (d.head.forward)
                r.error(at + "/forward", quote(axisName(forward)) + " is parallel to up " +
                                             quote(axisName(up)) +
                                             (d.head.up ? "" : " (the default)") +
                                             "; forward must be perpendicular to up");
            else
                r.error(at + "/up", quote(axisName(up)) +
                                        " is parallel to the default forward axis \"+Z\"; set "
                                        "\"forward\" too (e.g. \"-Y\" for a Z-up scan)");
        }
    }

    if (const json* keep = Reader::find(*head, "keep")) {
        const std::string keep_at = at + "/keep";
        if (!keep->is_array()) {
            r.error(keep_at, show(*keep) + " is " + kindOf(*keep) +
                                 "; expected an array of mesh or material names");
        } else {
            for (size_t i = 0; i < keep->size(); ++i) {
                const json& name = (*keep)[i];
                if (!name.is_string() || name.get<std::string>().empty())
                    r.error(child(keep_at, i),
                            show(name) + " is not a name; expected a non-empty mesh or material "
                                         "name");
                else
                    d.head.keep.push_back(name.get<std::string>());
            }
        }
    }

    r.boolean(*head, at, "accept_non_head", d.head.accept_non_head);
    readHeadAlbedo(r, *head, d);

    if (const json* landmarks = Reader::find(*head, "landmarks")) {
        const std::string lm_at = at + "/landmarks";
        if (r.object(*landmarks, lm_at, keys(kLandmarkNames),
                     "an object of landmark overrides, e.g. {\"glabella\": [x, y, z]}")) {
            for (const auto& item : landmarks->items()) {
                if (std::find(kLandmarkNames.begin(), kLandmarkNames.end(), item.key()) ==
                    kLandmarkNames.end())
                    continue; // reported as unknown
                glm::dvec3 p{0};
                // Mesh coordinates in the file's own units: no range can be assumed.
                if (!r.point(item.value(), child(lm_at, item.key()), 0, "mesh units", p)) continue;
                // Any unit is possible, but no head file (even in micrometres, 2e5 across)
                // reaches 1e7: such a value is a typo or garbage, found here without the mesh.
                // Nearer values are checked against the mesh when the head is loaded.
                if (!(glm::length(p) <= kMaxLandmarkUnits)) {
                    r.error(child(lm_at, item.key()),
                            show(item.value()) + " is out of reach; expected a point within " +
                                formatNumber(kMaxLandmarkUnits) +
                                " mesh units of the file's origin (the mesh file's own "
                                "coordinates)");
                    continue;
                }
                d.head.landmarks[item.key()] = p;
            }
        }
    }
}

void readHairline(Reader& r, const json& j, Design& d) {
    const std::string at = "/hairline";
    const json* section = Reader::find(j, "hairline");
    if (!section) return;
    if (!r.object(*section, at,
                  keys({"template", "side_profile", "frontal_height_mm",
                        "frontotemporal_recession_mm", "temporal_peak_mm", "transition_mm",
                        "irregularity_amplitude_mm", "irregularity_scale_mm", "asymmetry_mm",
                        "nape_height_mm", "ear_clearance_mm", "control_points_mm"}),
                  "an object describing the hairline"))
        return;
    HairlineSpec& h = d.hairline;
    static const Options<HairlineTemplate> kTemplates = {
        {"natural", HairlineTemplate::Natural},
        {"defined", HairlineTemplate::Defined},
        {"soft", HairlineTemplate::Soft},
        {"receded", HairlineTemplate::Receded},
        {"widows_peak", HairlineTemplate::WidowsPeak},
        {"custom", HairlineTemplate::Custom}};
    static const Options<SideProfile> kProfiles = {{"rounded", SideProfile::Rounded},
                                                   {"sharp", SideProfile::Sharp},
                                                   {"soft", SideProfile::Soft}};
    const bool template_ok = r.choice(*section, at, "template", kTemplates, h.shape);
    const bool template_bad = Reader::find(*section, "template") && !template_ok;
    r.choice(*section, at, "side_profile", kProfiles, h.side_profile);
    r.number(*section, at, "frontal_height_mm", 60, 110, "mm", h.frontal_height_mm);
    r.number(*section, at, "frontotemporal_recession_mm", 0, 40, "mm",
             h.frontotemporal_recession_mm);
    r.number(*section, at, "temporal_peak_mm", 0, 25, "mm", h.temporal_peak_mm);
    r.number(*section, at, "transition_mm", 5, 20, "mm", h.transition_mm);
    const bool amplitude_given = r.number(*section, at, "irregularity_amplitude_mm", 0, 5, "mm",
                                          h.irregularity_amplitude_mm);
    r.number(*section, at, "irregularity_scale_mm", 2, 30, "mm", h.irregularity_scale_mm);
    const bool asymmetry_given = r.number(*section, at, "asymmetry_mm", 0, 5, "mm", h.asymmetry_mm);
    r.number(*section, at, "nape_height_mm", -90, 40, "mm", h.nape_height_mm);
    r.number(*section, at, "ear_clearance_mm", 0, 30, "mm", h.ear_clearance_mm);

    const json* control = Reader::find(*section, "control_points_mm");
    const std::string control_at = at + "/control_points_mm";
    const std::string control_what =
        "at least 3 points [x, y, z] in the head frame (mm), left to right over the forehead";
    if (h.shape == HairlineTemplate::Custom) {
        if (!control)
            r.error(control_at, "missing: \"template\": \"custom\" needs \"control_points_mm\", " +
                                    control_what);
        else
            r.points(*control, control_at, 3, kHeadFrameLimitMm, control_what, h.control_points);
    } else if (control && !template_bad) {
        r.error(control_at, "control points are only used with \"template\": \"custom\" (this "
                            "hairline is " +
                                quote(Reader::find(*section, "template")
                                          ? (*section)["template"].get<std::string>()
                                          : std::string("natural")) +
                                "); remove them or set \"template\": \"custom\"");
    }

    // Domain warnings: plausible but worth a second look before showing a client.
    if (Reader::find(*section, "frontal_height_mm")) {
        if (h.frontal_height_mm < 70)
            r.warn(at + "/frontal_height_mm",
                   formatNumber(h.frontal_height_mm) +
                       " mm is lower than the usual 70 mm minimum above the glabella (70 "
                       "aggressive .. 100 conservative); it rarely suits a mature face");
        else if (h.frontal_height_mm > 100 && h.shape != HairlineTemplate::Receded)
            r.warn(at + "/frontal_height_mm",
                   formatNumber(h.frontal_height_mm) +
                       " mm is above the usual 100 mm; consider \"template\": \"receded\"");
    }
    if (asymmetry_given && h.asymmetry_mm > 2)
        r.warn(at + "/asymmetry_mm", formatNumber(h.asymmetry_mm) +
                                         " mm: more than 2 mm of left/right difference starts "
                                         "to look uneven rather than natural");
    if (amplitude_given && h.irregularity_amplitude_mm == 0 &&
        (h.shape == HairlineTemplate::Natural || h.shape == HairlineTemplate::Soft))
        r.warn(at + "/irregularity_amplitude_mm",
               "0 gives a ruler-straight line, which does not look natural with a " +
                   std::string(h.shape == HairlineTemplate::Soft ? "soft" : "natural") +
                   " template");
}

// Reads "mode" and "total_dots" (the zones' weight checks come later).
void readMode(Reader& r, const json& j, Design& d) {
    static const Options<DensityMode> kModes = {{"density", DensityMode::Density},
                                                {"total", DensityMode::Total}};
    const bool mode_ok = r.choice(j, "", "mode", kModes, d.mode);
    const bool mode_bad = Reader::find(j, "mode") && !mode_ok;
    const json* total = Reader::find(j, "total_dots");
    if (mode_bad) {
        int64_t ignored = 0;
        r.integer(j, "", "total_dots", 100, 2000000, "dots", ignored);
        return;
    }
    if (d.mode == DensityMode::Total) {
        if (!total)
            r.error("/total_dots", "missing: required when \"mode\" is \"total\" (the number of "
                                   "dots over the whole design, 100..2000000)");
        else
            r.integer(j, "", "total_dots", 100, 2000000, "dots", d.total_dots);
    } else if (total) {
        r.error("/total_dots", show(*total) +
                                   " is only used with \"mode\": \"total\" (this design's mode "
                                   "is \"density\"); remove it or set \"mode\": \"total\"");
    }
}

// "needle": sets the zone's diameter and spread from the needle (needleDot()); an explicit
// diameter_mm / diameter_spread_mm read after it overrides them.
void readNeedle(Reader& r, const json& z, const std::string& zat, ZoneSpec& spec) {
    std::string needle;
    if (!r.string(z, zat, "needle", 16, needle)) return;
    const std::optional<NeedleDot> dot = needleDot(needle);
    if (!dot) {
        r.error(zat + "/needle", quote(needle) +
                                     " is not a needle; accepted: \"1RL\", \"3RL\" or \"5RL\", "
                                     "optionally with the needle diameter 0.18..0.35 mm, e.g. "
                                     "\"1RL 0.20\" (default 0.25)");
        return;
    }
    spec.needle = needle;
    spec.diameter_mm = dot->diameter_mm;
    spec.diameter_spread_mm = dot->spread_mm;
}

void readZones(Reader& r, const json& j, Design& d) {
    const json* zones = Reader::find(j, "zones");
    if (!zones) return;
    const std::string at = "/zones";
    if (!zones->is_array()) {
        r.error(at, show(*zones) + " is " + kindOf(*zones) +
                        "; expected an array of zone objects, e.g. [{\"name\": \"front\", "
                        "\"density_per_cm2\": 60}]");
        return;
    }
    Options<ZoneId> names;
    for (size_t i = 0; i < kZoneNames.size(); ++i)
        names.emplace_back(kZoneNames[i], ZoneId(i));
    std::map<ZoneId, size_t> seen;
    for (size_t i = 0; i < zones->size(); ++i) {
        const json& z = (*zones)[i];
        const std::string zat = child(at, i);
        if (!r.object(z, zat,
                      keys({"name", "enabled", "density_per_cm2", "diameter_mm",
                            "diameter_spread_mm", "shade", "weight", "needle"}),
                      "a zone object with a \"name\""))
            continue;
        ZoneId id = ZoneId::Count;
        if (!Reader::find(z, "name")) {
            r.error(zat + "/name",
                    "missing required field \"name\"; accepted: " + listNames(kZoneNames));
        } else if (r.choice(z, zat, "name", names, id)) {
            if (const auto it = seen.find(id); it != seen.end()) {
                r.error(zat + "/name", quote(zoneName(id)) + " is already defined at " +
                                           child(at, it->second) + "; each zone may appear once");
                id = ZoneId::Count;
            } else {
                seen[id] = i;
            }
        }
        ZoneSpec spec = id == ZoneId::Count ? ZoneSpec{} : defaultZone(id);
        r.boolean(z, zat, "enabled", spec.enabled);
        const bool density_given =
            r.number(z, zat, "density_per_cm2", 5, 150, "dots/cm²", spec.density_per_cm2);
        readNeedle(r, z, zat, spec);
        const bool diameter_given =
            r.number(z, zat, "diameter_mm", 0.05, 1.2, "mm", spec.diameter_mm);
        const bool spread_given =
            r.number(z, zat, "diameter_spread_mm", 0, 0.3, "mm", spec.diameter_spread_mm);
        if (diameter_given && !spec.needle.empty()) {
            const double needle_d = needleDot(spec.needle)->diameter_mm;
            if (spec.diameter_mm > 2 * needle_d || spec.diameter_mm < 0.5 * needle_d)
                r.warn(zat + "/diameter_mm",
                       formatNumber(spec.diameter_mm) + " mm overrides the needle's healed dot (" +
                           formatNumber(needle_d) + " mm for " + quote(spec.needle) +
                           ") by more than a factor of 2");
        }
        r.number(z, zat, "shade", 1, 10, "(1 lightest dilution .. 10 pure black)", spec.shade);
        const bool weight_given = r.number(z, zat, "weight", 0, 100, "", spec.weight);

        if (density_given && d.mode == DensityMode::Total)
            r.warn(zat + "/density_per_cm2",
                   "is not used in \"mode\": \"total\"; \"weight\" sets this zone's share");
        if (weight_given && d.mode == DensityMode::Density)
            r.warn(zat + "/weight", "is only used in \"mode\": \"total\"; this design's mode is "
                                    "\"density\"");
        if (density_given && d.mode == DensityMode::Density && spec.density_per_cm2 > 120)
            r.warn(zat + "/density_per_cm2",
                   formatNumber(spec.density_per_cm2) +
                       " dots/cm² is denser than natural follicular-unit density (75–90/cm²) "
                       "and tends to read as a flat \"helmet\"");
        if (spread_given && spec.diameter_spread_mm > spec.diameter_mm / 2)
            r.warn(zat + "/diameter_spread_mm", formatNumber(spec.diameter_spread_mm) +
                                                    " mm is more than half the mean diameter (" +
                                                    formatNumber(spec.diameter_mm) +
                                                    " mm): many dots will be clamped to the "
                                                    "smallest size");
        if (id != ZoneId::Count) d.zones.push_back(spec);
    }
}

// The largest density mask, pixels per side: the largest /render/layer_size. The sampler reads
// the mask at dot positions, so a finer mask adds nothing but memory.
constexpr int kMaxMaskSide = 8192;

uint32_t bigEndian32(const std::string& bytes, size_t at) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k)
        v = (v << 8) | uint8_t(bytes[at + k]);
    return v;
}

// What is wrong with the chunk structure of PNG `bytes` (signature already checked), or "":
// every chunk up to IEND must fit in the file and match its CRC-32. stb_image checks neither:
// it reserves whatever a chunk claims (a 133-byte mask claimed a 2 GB IDAT; fuzz_png_mask) and
// would decode a corrupted mask to wrong pixels.
std::string pngChunkProblem(const std::string& bytes) {
    size_t at = 8;
    while (bytes.size() - at >= 12) {
        const uint32_t length = bigEndian32(bytes, at);
        std::string type = bytes.substr(at + 4, 4);
        for (char& ch : type)
            if (!std::isalpha(static_cast<unsigned char>(ch))) ch = '?';
        const size_t left = bytes.size() - at - 12;
        if (length > left)
            return "chunk '" + type + "' at byte " + std::to_string(at) + " claims " +
                   std::to_string(length) + " bytes; " + std::to_string(left) + " are left";
        const auto* data = reinterpret_cast<const Bytef*>(bytes.data() + at + 4);
        if (crc32(crc32(0L, Z_NULL, 0), data, uInt(length) + 4) !=
            bigEndian32(bytes, at + 8 + length))
            return "chunk '" + type + "' at byte " + std::to_string(at) + " fails its CRC check";
        if (type == "IEND") return "";
        at += 12 + size_t(length);
    }
    return "the file ends before its IEND chunk";
}

// True when the image header in `bytes` (at most 2 GB) claims more than `max_side` pixels on a
// side, read before anything is decoded: a 100-byte file may claim 30000 x 30000 pixels, for
// which stb would reserve a gigabyte. Sets `width` x `height` to the claimed size.
bool imageTooLarge(const std::string& bytes, int max_side, int& width, int& height) {
    int channels = 0;
    return stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), int(bytes.size()),
                                 &width, &height, &channels) &&
           (width > max_side || height > max_side);
}

// Every channel of PNG or JPEG `bytes` at 8 bits, or null with the decoder's `reason`.
std::shared_ptr<const Image8> decodeImagePixels(const std::string& bytes, std::string& reason) {
    if (bytes.size() > size_t(std::numeric_limits<int>::max())) {
        reason = "larger than 2 GB";
        return nullptr;
    }
    int w = 0, h = 0, c = 0;
    stbi_uc* data = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                          int(bytes.size()), &w, &h, &c, 0);
    if (!data) {
        reason = stbi_failure_reason();
        return nullptr;
    }
    auto pixels = std::make_shared<Image8>(w, h, c);
    std::memcpy(pixels->pixels.data(), data, pixels->pixels.size());
    stbi_image_free(data);
    return pixels;
}

// The first channel of PNG `bytes` (grey, or red of a colour image), or null with the
// decoder's `reason`.
std::shared_ptr<const Image8> decodeMaskPixels(const std::string& bytes, std::string& reason) {
    const std::shared_ptr<const Image8> all = decodeImagePixels(bytes, reason);
    if (!all) return nullptr;
    auto pixels = std::make_shared<Image8>(all->width, all->height, 1);
    for (size_t i = 0; i < pixels->pixels.size(); ++i)
        pixels->pixels[i] = all->pixels[i * size_t(all->channels)];
    return pixels;
}

// The largest head albedo, pixels per side: scans ship 4k-8k maps; 16k x 16k RGBA would hold a
// gigabyte.
constexpr int kMaxAlbedoSide = 8192;

// /head/albedo: the path resolved, the file checked and decoded once (see HeadSpec::albedo).
void readHeadAlbedo(Reader& r, const json& head, Design& d) {
    const std::string at = "/head/albedo";
    std::string text;
    if (!Reader::find(head, "albedo") || !r.string(head, "/head", "albedo", 4096, text)) return;
    if (text.empty()) {
        r.error(at, "\"\" is empty; expected the path of a PNG or JPEG albedo image, relative "
                    "to the design file's folder");
        return;
    }
    const std::filesystem::path path = r.resolve(text);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        const std::filesystem::path looked = std::filesystem::absolute(path, ec);
        r.error(at, quote(text) + " not found (looked for " + (ec ? path : looked).string() +
                        "); paths are relative to the design file's folder");
        return;
    }
    if (!std::filesystem::is_regular_file(path, ec)) {
        r.error(at, quote(text) + " is not a regular file; expected a PNG or JPEG image");
        return;
    }
    std::string bytes;
    try {
        bytes = readFile(path);
    } catch (const Error& e) {
        r.error(at, quote(text) + " cannot be read (" + e.what() +
                        "); expected a readable PNG or JPEG image");
        return;
    }
    static const char kPng[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    static const char kJpeg[3] = {'\xff', '\xd8', '\xff'};
    const bool png = bytes.size() >= 8 && std::equal(kPng, kPng + 8, bytes.begin());
    const bool jpeg = bytes.size() >= 3 && std::equal(kJpeg, kJpeg + 3, bytes.begin());
    if (!png && !jpeg) {
        r.error(at, quote(text) + " is neither a PNG nor a JPEG file; expected an albedo image "
                                  "(PNG or JPEG, 8 or 16 bits)");
        return;
    }
    std::string reason = png ? pngChunkProblem(bytes) : std::string();
    int width = 0, height = 0;
    if (reason.empty() && bytes.size() <= size_t(std::numeric_limits<int>::max()) &&
        imageTooLarge(bytes, kMaxAlbedoSide, width, height)) {
        r.error(at, quote(text) + " is " + std::to_string(width) + " x " + std::to_string(height) +
                        " pixels; accepted: at most " + std::to_string(kMaxAlbedoSide) +
                        " per side");
        return;
    }
    std::shared_ptr<const Image8> pixels;
    if (reason.empty()) pixels = decodeImagePixels(bytes, reason);
    if (!pixels) {
        r.error(at, quote(text) + " cannot be decoded (" + reason +
                        ", e.g. a truncated or corrupt file); expected a readable PNG or JPEG");
        return;
    }
    d.head.albedo = path;
    d.head.albedo_pixels = std::move(pixels);
    d.head.albedo_sha256 = sha256Hex(bytes);
}

void readDensityMask(Reader& r, const json& j, Design& d) {
    const json* mask = Reader::find(j, "density_mask");
    if (!mask) return;
    const std::string at = "/density_mask";
    if (!r.object(*mask, at, keys({"image", "strength"}),
                  "an object {\"image\": \"mask.png\", \"strength\": 1}"))
        return;
    DensityMaskSpec spec;
    r.number(*mask, at, "strength", 0, 1, "", spec.strength);
    std::string image;
    if (!Reader::find(*mask, "image")) {
        r.error(at + "/image", "missing required field \"image\": a grey PNG in the scalp "
                               "chart, relative to the design file's folder");
        return;
    }
    if (!r.string(*mask, at, "image", 4096, image)) return;
    if (image.empty()) {
        r.error(at + "/image", "\"\" is empty; expected the path of a grey PNG");
        return;
    }
    spec.image = r.resolve(image);
    std::error_code ec;
    if (!std::filesystem::exists(spec.image, ec)) {
        const std::filesystem::path looked = std::filesystem::absolute(spec.image, ec);
        r.error(at + "/image", quote(image) + " not found (looked for " +
                                   (ec ? spec.image : looked).string() +
                                   "); paths are relative to the design file's folder");
        return;
    }
    if (!std::filesystem::is_regular_file(spec.image, ec)) {
        r.error(at + "/image", quote(image) + " is not a regular file; expected a PNG image");
        return;
    }
    std::string bytes;
    try {
        bytes = readFile(spec.image);
    } catch (const Error& e) {
        r.error(at + "/image",
                quote(image) + " cannot be read (" + e.what() + "); expected a readable grey PNG");
        return;
    }
    static const char kPng[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    if (bytes.size() < 8 || !std::equal(kPng, kPng + 8, bytes.begin())) {
        r.error(at + "/image", quote(image) + " is not a PNG file; expected a grey PNG image");
        return;
    }
    std::string reason = pngChunkProblem(bytes);
    int width = 0, height = 0;
    if (reason.empty() && bytes.size() <= size_t(std::numeric_limits<int>::max()) &&
        imageTooLarge(bytes, kMaxMaskSide, width, height)) {
        r.error(at + "/image", quote(image) + " is " + std::to_string(width) + " x " +
                                   std::to_string(height) + " pixels; accepted: at most " +
                                   std::to_string(kMaxMaskSide) +
                                   " per side (the largest /render/layer_size)");
        return;
    }
    if (reason.empty()) spec.pixels = decodeMaskPixels(bytes, reason);
    if (!spec.pixels) {
        r.error(at + "/image", quote(image) + " cannot be decoded (" + reason +
                                   ", e.g. a truncated or corrupt file); expected a readable "
                                   "grey PNG, 8 or 16 bits");
        return;
    }
    spec.sha256 = sha256Hex(bytes);
    d.density_mask = spec;
}

// A strip must have a length and a polygon must be a simple outline around some area: a
// zero-length strip or a self-intersecting outline would otherwise mark nothing, or an
// arbitrary side, without a word.
bool checkScarShape(Reader& r, const ScarSpec& spec, const std::string& sat) {
    if (spec.type == ScarType::Fue) return true;
    const std::string at = sat + "/points_mm";
    if (spec.points_mm.size() > kMaxScarPoints) {
        r.error(at, "has " + std::to_string(spec.points_mm.size()) + " points; accepted at most " +
                        std::to_string(kMaxScarPoints));
        return false;
    }
    if (spec.type == ScarType::Strip) {
        const double length = polylineLength(spec.points_mm);
        if (!(length >= 1)) {
            r.error(at, "the strip is " + formatNumber(length) +
                            " mm long (its points coincide); expected a line at least 1 mm long");
            return false;
        }
        return true;
    }
    double area = 0;
    const std::vector<glm::dvec2> outline = projectOutline(spec.points_mm, area);
    if (const auto crossing = outlineCrossing(outline)) {
        const size_t n = spec.points_mm.size();
        r.error(at, "the outline crosses itself: the edge from point " +
                        std::to_string(crossing->first) + " to " +
                        std::to_string((crossing->first + 1) % n) + " meets the edge from point " +
                        std::to_string(crossing->second) + " to " +
                        std::to_string((crossing->second + 1) % n) +
                        "; expected a simple closed outline (points in order around the scar)");
        return false;
    }
    if (!(area >= 1)) {
        r.error(at, "the outline encloses " + formatNumber(area) +
                        " mm2 (its points are on one line); expected an outline around at least "
                        "1 mm2");
        return false;
    }
    return true;
}

void readScars(Reader& r, const json& j, Design& d) {
    const json* scars = Reader::find(j, "scars");
    if (!scars) return;
    const std::string at = "/scars";
    if (!scars->is_array()) {
        r.error(at, show(*scars) + " is " + kindOf(*scars) + "; expected an array of scar objects");
        return;
    }
    static const Options<ScarType> kTypes = {
        {"strip", ScarType::Strip}, {"fue", ScarType::Fue}, {"polygon", ScarType::Polygon}};
    // Which fields each type reads; any other type-specific field is reported, because a
    // "radius_mm" on a strip scar means the user thinks it does something.
    static const std::map<std::string, std::set<ScarType>> kFieldTypes = {
        {"points_mm", {ScarType::Strip, ScarType::Polygon}},
        {"width_mm", {ScarType::Strip}},
        {"center_mm", {ScarType::Fue}},
        {"radius_mm", {ScarType::Fue}},
        {"count", {ScarType::Fue}},
        {"scar_diameter_mm", {ScarType::Fue}}};
    for (size_t i = 0; i < scars->size(); ++i) {
        const json& s = (*scars)[i];
        const std::string sat = child(at, i);
        if (!r.object(s, sat,
                      keys({"type", "points_mm", "center_mm", "width_mm", "radius_mm", "count",
                            "scar_diameter_mm", "camouflage"}),
                      "a scar object with a \"type\""))
            continue;
        ScarSpec spec;
        bool type_ok = false;
        if (!Reader::find(s, "type"))
            r.error(sat + "/type", "missing required field \"type\"; accepted: \"strip\", "
                                   "\"fue\", \"polygon\"");
        else
            type_ok = r.choice(s, sat, "type", kTypes, spec.type);

        bool ok = type_ok;
        ok = !(Reader::find(s, "width_mm") &&
               !r.number(s, sat, "width_mm", 0.5, 30, "mm", spec.width_mm)) &&
             ok;
        ok = !(Reader::find(s, "radius_mm") &&
               !r.number(s, sat, "radius_mm", 5, 120, "mm", spec.radius_mm)) &&
             ok;
        ok = !(Reader::find(s, "count") &&
               !r.integer(s, sat, "count", 1, 5000, "scars", spec.count)) &&
             ok;
        ok = !(Reader::find(s, "scar_diameter_mm") &&
               !r.number(s, sat, "scar_diameter_mm", 0.5, 2, "mm", spec.scar_diameter_mm)) &&
             ok;
        r.boolean(s, sat, "camouflage", spec.camouflage);
        if (!type_ok) continue;

        static const char* kTypeNames[] = {"strip", "fue", "polygon"};
        const std::string type_name = kTypeNames[int(spec.type)];
        for (const auto& [field, types] : kFieldTypes) {
            if (!Reader::find(s, field) || types.count(spec.type)) continue;
            std::string users;
            for (ScarType t : types)
                users += (users.empty() ? "" : " and ") + quote(kTypeNames[int(t)]);
            r.error(child(sat, field),
                    "is only used by " + users + " scars (this scar is " + quote(type_name) + ")");
            ok = false;
        }
        switch (spec.type) {
        case ScarType::Strip:
        case ScarType::Polygon: {
            const size_t min_points = spec.type == ScarType::Strip ? 2 : 3;
            const std::string what =
                spec.type == ScarType::Strip
                    ? "a polyline of at least 2 points [x, y, z] along the scar (head frame, mm)"
                    : "a closed outline of at least 3 points [x, y, z] (head frame, mm)";
            if (const json* points = Reader::find(s, "points_mm"))
                ok = r.points(*points, sat + "/points_mm", min_points, kHeadFrameLimitMm, what,
                              spec.points_mm) &&
                     ok;
            else {
                r.error(sat + "/points_mm", "missing: a " + type_name + " scar needs " + what);
                ok = false;
            }
            break;
        }
        case ScarType::Fue: {
            glm::dvec3 centre{0};
            if (const json* c = Reader::find(s, "center_mm")) {
                if (r.point(*c, sat + "/center_mm", kHeadFrameLimitMm, "mm", centre))
                    spec.points_mm = {centre};
                else
                    ok = false;
            } else {
                r.error(sat + "/center_mm", "missing: an \"fue\" scar region needs its centre "
                                            "[x, y, z] (head frame, mm)");
                ok = false;
            }
            break;
        }
        }
        if (ok) ok = checkScarShape(r, spec, sat);
        if (ok) d.scars.push_back(spec);
    }
}

void readPigment(Reader& r, const json& j, Design& d) {
    const json* section = Reader::find(j, "pigment");
    PigmentSpec& p = d.pigment;
    if (section) {
        const std::string at = "/pigment";
        if (r.object(*section, at,
                     keys({"ink", "fitzpatrick", "skin_from_mesh", "hair_colour", "age_days"}),
                     "an object describing ink, skin and hair")) {
            static const Options<InkType> kInks = {{"permanent", InkType::Permanent},
                                                   {"temporary", InkType::Temporary}};
            r.choice(*section, at, "ink", kInks, p.ink);
            int fitzpatrick = 0;
            if (const json* f = Reader::find(*section, "fitzpatrick"); f && f->is_string()) {
                // Clinicians write skin types in Roman numerals, in either case.
                static const Options<int> kRoman = {{"I", 1},  {"II", 2}, {"III", 3},
                                                    {"IV", 4}, {"V", 5},  {"VI", 6}};
                std::string upper = f->get<std::string>();
                for (char& c : upper)
                    c = char(std::toupper(static_cast<unsigned char>(c)));
                if (r.choiceValue(json(upper), at + "/fitzpatrick", kRoman, fitzpatrick))
                    p.fitzpatrick = fitzpatrick;
            } else if (r.integer(*section, at, "fitzpatrick", 1, 6, "(skin type I..VI)",
                                 fitzpatrick)) {
                p.fitzpatrick = fitzpatrick;
            }
            r.boolean(*section, at, "skin_from_mesh", p.skin_from_mesh);
            if (p.skin_from_mesh && Reader::find(*section, "fitzpatrick"))
                r.error(at + "/fitzpatrick", "give either \"fitzpatrick\" or \"skin_from_mesh\": "
                                             "true, not both");
            r.colour(*section, at, "hair_colour", p.hair_colour_srgb);
            const bool age_given = r.number(*section, at, "age_days", 0, 3650, "days", p.age_days);
            if (age_given && p.ink == InkType::Temporary && p.age_days > 1095)
                r.warn(at + "/age_days", formatNumber(p.age_days) +
                                             " days: temporary SMP has mostly faded after "
                                             "months to about three years");
            else if (age_given && p.ink == InkType::Permanent && p.age_days > 2190)
                r.warn(at + "/age_days", formatNumber(p.age_days) +
                                             " days is past the usual touch-up at 4–6 years; "
                                             "the render shows an untouched, faded treatment");
        }
    }
    if (p.skin_from_mesh)
        p.fitzpatrick.reset();
    else if (!p.fitzpatrick)
        p.fitzpatrick = 3;
}

// "lights" and "ambient" describe a custom rig: required with "lighting": "custom" and
// rejected with a preset (a user who sets them expects them to do something).
void readCustomLights(Reader& r, const json& section, const std::string& at, RenderSpec& rs) {
    const json* lights = Reader::find(section, "lights");
    const bool custom = rs.lighting == "custom";
    if (!custom) {
        if (lights)
            r.error(at + "/lights", "only read with \"lighting\": \"custom\" (the design uses \"" +
                                        rs.lighting + "\")");
        if (Reader::find(section, "ambient"))
            r.error(at + "/ambient", "only read with \"lighting\": \"custom\" (the design uses \"" +
                                         rs.lighting + "\")");
        return;
    }
    r.number(section, at, "ambient", 0, 1, "", rs.ambient);
    if (!lights) {
        r.error(at + "/lights", "missing; \"lighting\": \"custom\" needs an array of 1..4 lights "
                                "{azimuth_deg, elevation_deg, intensity, colour, shadow}");
        return;
    }
    const std::string lat = at + "/lights";
    if (!lights->is_array() || lights->empty() || lights->size() > 4) {
        r.error(lat, show(*lights) + " is not accepted; expected an array of 1..4 light objects");
        return;
    }
    int shadows = 0;
    for (size_t i = 0; i < lights->size(); ++i) {
        const json& l = (*lights)[i];
        const std::string at_i = child(lat, i);
        if (!r.object(l, at_i,
                      keys({"azimuth_deg", "elevation_deg", "intensity", "colour", "shadow"}),
                      "a light object"))
            continue;
        LightSpec light;
        r.number(l, at_i, "azimuth_deg", -180, 180, "degrees", light.azimuth_deg);
        r.number(l, at_i, "elevation_deg", -90, 90, "degrees", light.elevation_deg);
        r.number(l, at_i, "intensity", 0, 10, "", light.intensity);
        r.colour(l, at_i, "colour", light.colour_srgb);
        if (r.boolean(l, at_i, "shadow", light.shadow) && light.shadow && ++shadows > 1)
            r.error(child(at_i, "shadow"), "true on more than one light; at most one light casts a "
                                           "shadow");
        rs.lights.push_back(light);
    }
}

void readRender(Reader& r, const json& j, Design& d) {
    const json* section = Reader::find(j, "render");
    if (!section) return;
    const std::string at = "/render";
    if (!r.object(*section, at,
                  keys({"width", "height", "lighting", "lights", "ambient", "views", "background",
                        "turntable_frames", "elevation_deg", "top_view", "fps", "msaa",
                        "supersample", "watermark", "layer_size"}),
                  "an object with render settings"))
        return;
    RenderSpec& rs = d.render;
    r.integer(*section, at, "width", 16, 3840, "px", rs.width);
    r.integer(*section, at, "height", 16, 2160, "px", rs.height);
    Options<std::string> lightings;
    for (const char* name : kLightingNames)
        lightings.emplace_back(name, name);
    r.choice(*section, at, "lighting", lightings, rs.lighting);
    readCustomLights(r, *section, at, rs);

    if (const json* views = Reader::find(*section, "views")) {
        const std::string vat = at + "/views";
        Options<std::string> names;
        for (const char* name : kViewNames)
            names.emplace_back(name, name);
        if (!views->is_array()) {
            r.error(vat, show(*views) + " is " + kindOf(*views) + "; expected an array of views");
        } else {
            rs.views.clear();
            for (size_t i = 0; i < views->size(); ++i) {
                std::string view;
                if (!r.choiceValue((*views)[i], child(vat, i), names, view)) continue;
                if (std::find(rs.views.begin(), rs.views.end(), view) != rs.views.end())
                    r.error(child(vat, i), quote(view) + " is listed twice; each view once");
                else
                    rs.views.push_back(view);
            }
        }
    }

    if (const json* background = Reader::find(*section, "background")) {
        if (background->is_string() && background->get<std::string>() == "transparent")
            rs.background = Background::Transparent;
        else if (background->is_string() && !background->get<std::string>().empty() &&
                 background->get<std::string>()[0] == '#') {
            if (r.colourValue(*background, at + "/background", rs.background_srgb))
                rs.background = Background::Colour;
        } else {
            r.error(at + "/background",
                    show(*background) + " is not accepted; expected \"transparent\" or a colour "
                                        "\"#rrggbb\"");
        }
    }
    r.integer(*section, at, "turntable_frames", 1, 720, "frames", rs.turntable_frames);
    r.number(*section, at, "elevation_deg", -30, 60, "degrees", rs.elevation_deg);
    if (r.boolean(*section, at, "top_view", rs.top_view) && !rs.top_view)
        r.warn(at + "/top_view", "false: front views flatter; a simulation is read like a "
                                 "promise, so offer the client a top view");
    r.number(*section, at, "fps", 1, 60, "frames per second", rs.fps);
    if (const json* msaa = Reader::find(*section, "msaa")) {
        const std::optional<int64_t> samples = wholeNumber(*msaa);
        if (!samples || (*samples != 0 && *samples != 2 && *samples != 4))
            r.error(at + "/msaa", show(*msaa) + " is not accepted; accepted: 0, 2, 4 samples "
                                                "(8x is not available on Mesa llvmpipe)");
        else
            rs.msaa = int(*samples);
    }
    r.integer(*section, at, "supersample", 1, 4, "x", rs.supersample);
    r.string(*section, at, "watermark", 200, rs.watermark);
    if (const json* size = Reader::find(*section, "layer_size")) {
        int value = 0;
        if (r.integer(*section, at, "layer_size", 1024, 8192, "px", value)) {
            if ((value & (value - 1)) == 0)
                rs.layer_size = value;
            else
                r.error(at + "/layer_size", show(*size) + " is not accepted; accepted: 1024, "
                                                          "2048, 4096, 8192 (a power of two)");
        }
    }
    if (int64_t(rs.width) * rs.supersample > 8192 || int64_t(rs.height) * rs.supersample > 8192)
        r.warn(at + "/supersample",
               std::to_string(rs.supersample) + "x of " + std::to_string(rs.width) + "x" +
                   std::to_string(rs.height) +
                   " exceeds 8192 px, which many GL drivers cannot render into");
}

void readTopLevel(Reader& r, const json& j, Design& d) {
    if (const json* version = Reader::find(j, "stipple")) {
        const std::string accepted = "accepted: " + std::to_string(kDesignVersion);
        const std::optional<int64_t> number = wholeNumber(*version);
        if (!number)
            r.error("/stipple", show(*version) + " is not a design-file version; " + accepted);
        else if (*number != kDesignVersion)
            r.error("/stipple", show(*version) + " is not a version this Stipple (" +
                                    STIPPLE_VERSION + ") reads; " + accepted);
        else
            d.version = kDesignVersion;
    } else {
        r.error("/stipple", "missing required field \"stipple\": the design-file version; "
                            "accepted: " +
                                std::to_string(kDesignVersion) + " (write \"stipple\": 1)");
    }
    r.string(j, "", "name", 200, d.name);
    r.string(j, "", "notes", 10000, d.notes);
    if (const json* seed = Reader::find(j, "seed")) {
        if (seed->is_number_unsigned())
            d.seed = seed->get<uint64_t>();
        else if (seed->is_number_integer())
            r.error("/seed", show(*seed) + " is negative; expected an integer in "
                                           "0..18446744073709551615");
        else
            r.error("/seed",
                    show(*seed) + " is " +
                        (seed->is_number() ? std::string("not a whole number") : kindOf(*seed)) +
                        "; expected an integer in 0..18446744073709551615");
    }
    r.integer(j, "", "impressions_per_session", 1000, 50000, "impressions",
              d.impressions_per_session);
}

// Cross-section checks that need the whole design.
void checkDesign(Reader& r, const Design& d) {
    bool any_enabled = false;
    double enabled_weight = 0;
    for (size_t i = 0; i < size_t(ZoneId::Count); ++i) {
        const ZoneSpec z = d.zone(ZoneId(i));
        if (!z.enabled) continue;
        any_enabled = true;
        enabled_weight += z.weight;
    }
    if (!any_enabled)
        r.warn("/zones", "every zone is disabled: the design has no dots");
    else if (d.mode == DensityMode::Total && enabled_weight <= 0)
        r.error("/zones", "in \"mode\": \"total\" at least one enabled zone needs a \"weight\" "
                          "above 0");
    if (d.mode == DensityMode::Total && d.total_dots > 0) {
        const double sessions = double(d.total_dots) / double(d.impressions_per_session);
        if (sessions > 8)
            r.warn("/total_dots", std::to_string(d.total_dots) + " dots is about " +
                                      formatNumber(std::round(sessions)) + " sessions at " +
                                      std::to_string(d.impressions_per_session) +
                                      " impressions each; a full head is usually 3–4");
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------

std::optional<Axis> parseAxis(const std::string& text) {
    static const std::pair<const char*, Axis> kAxes[] = {{"+x", Axis::PosX}, {"-x", Axis::NegX},
                                                         {"+y", Axis::PosY}, {"-y", Axis::NegY},
                                                         {"+z", Axis::PosZ}, {"-z", Axis::NegZ}};
    std::string lower;
    for (char c : text)
        lower += char(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [name, axis] : kAxes)
        if (lower == name) return axis;
    return std::nullopt;
}

std::string axisName(Axis axis) {
    static const char* kNames[] = {"+X", "-X", "+Y", "-Y", "+Z", "-Z"};
    return kNames[int(axis)];
}

glm::dvec3 axisVector(Axis axis) {
    switch (axis) {
    case Axis::PosX:
        return {1, 0, 0};
    case Axis::NegX:
        return {-1, 0, 0};
    case Axis::PosY:
        return {0, 1, 0};
    case Axis::NegY:
        return {0, -1, 0};
    case Axis::PosZ:
        return {0, 0, 1};
    case Axis::NegZ:
        return {0, 0, -1};
    }
    return {0, 1, 0};
}

const char* zoneName(ZoneId id) {
    // Not input-reachable: ids come from the ZoneId enumeration; parseDesign maps names first.
    STIPPLE_ASSERT(id < ZoneId::Count, "zoneName(): id must name a zone");
    return kZoneNames[size_t(id)];
}

std::optional<ZoneId> parseZoneName(const std::string& name) {
    for (size_t i = 0; i < kZoneNames.size(); ++i)
        if (name == kZoneNames[i]) return ZoneId(i);
    return std::nullopt;
}

std::optional<NeedleDot> needleDot(const std::string& needle) {
    // Footprint of k tapered points pressed in together, relative to one needle: the points
    // converge at the tip, so the footprint grows far less than the grouping's width. 1.13 for
    // 3RL maps the published needle range (0.18..0.30 mm, 1..3 points) onto the published
    // healed range (0.09..0.17 mm) with the ~50% shrink on healing; 5RL extends it (assumption).
    constexpr double kFootprint[] = {1.0, 1.13, 1.27}; // 1RL, 3RL, 5RL
    std::istringstream in(needle);
    std::string grouping;
    in >> grouping;
    NeedleDot dot;
    if (grouping == "1RL")
        dot.points = 1;
    else if (grouping == "3RL")
        dot.points = 3;
    else if (grouping == "5RL")
        dot.points = 5;
    else
        return std::nullopt;
    std::string size;
    if (in >> size) {
        char* end = nullptr;
        dot.needle_mm = std::strtod(size.c_str(), &end);
        if (end == size.c_str() || *end != '\0' || !(dot.needle_mm >= 0.18) ||
            !(dot.needle_mm <= 0.35))
            return std::nullopt;
        std::string rest;
        if (in >> rest) return std::nullopt;
    }
    dot.diameter_mm = 0.5 * kFootprint[dot.points / 2] * dot.needle_mm;
    dot.spread_mm = 0.15 * dot.diameter_mm;
    return dot;
}

ZoneSpec defaultZone(ZoneId id) {
    // SMP practice: the front edge is done with a single-point needle (1RL) in a lighter
    // dilution, smaller dots that fade into the skin; behind it a 3-point grouping (3RL), the
    // largest at the crown and the back. Sizes are the healed dots those needles leave
    // (needleDot(), the published 0.09..0.17 mm; docs/design-file.md, zones).
    struct Row {
        double density_per_cm2;
        const char* needle;
        double shade, weight;
    };
    static const Row kRows[] = {
        {75, "1RL 0.25", 5.5, 0.55}, // front_transition
        {65, "3RL 0.25", 5.5, 0.9},  // front
        {75, "3RL 0.25", 6.0, 1.0},  // mid
        {80, "3RL 0.30", 6.0, 1.05}, // crown
        {55, "1RL 0.25", 5.0, 0.75}, // temples
        {70, "3RL 0.25", 6.0, 0.95}, // sides
        {70, "3RL 0.30", 6.0, 0.95}, // back
    };
    // Not input-reachable: parseDesign calls it only for a named zone (id != Count).
    STIPPLE_ASSERT(id < ZoneId::Count, "defaultZone(): id must name a zone");
    const Row& row = kRows[size_t(id)];
    const std::optional<NeedleDot> dot = needleDot(row.needle);
    STIPPLE_ASSERT(dot.has_value(), "defaultZone(): the default needles parse");
    ZoneSpec z;
    z.id = id;
    z.density_per_cm2 = row.density_per_cm2;
    z.diameter_mm = dot->diameter_mm;
    z.diameter_spread_mm = dot->spread_mm;
    z.shade = row.shade;
    z.weight = row.weight;
    return z;
}

ZoneSpec Design::zone(ZoneId id) const {
    for (const ZoneSpec& z : zones)
        if (z.id == id) return z;
    return defaultZone(id);
}

Design parseDesign(const std::string& json_text, const std::filesystem::path& source) {
    const std::string file = source.string();
    Design design;
    design.source = source;
    design.sha256 = sha256Hex(json_text);

    size_t deep_at = 0;
    if (jsonNestingDepth(json_text, kMaxJsonDepth, &deep_at) > kMaxJsonDepth) {
        const TextPosition pos = positionOfByte(json_text, deep_at + 1);
        throw Error("arrays and objects nest more than " + std::to_string(kMaxJsonDepth) +
                        " levels deep at line " + std::to_string(pos.line) + ", column " +
                        std::to_string(pos.column) + "; expected at most " +
                        std::to_string(kMaxJsonDepth) + " levels",
                    file);
    }
    json j;
    DuplicateKeyFinder duplicates;
    try {
        j = json::parse(json_text, std::ref(duplicates));
    } catch (const json::parse_error& e) {
        const TextPosition pos = positionOfByte(json_text, e.byte);
        throw Error("invalid JSON at line " + std::to_string(pos.line) + ", column " +
                        std::to_string(pos.column) + ": " + parseErrorReason(e.what()),
                    file);
    } catch (const json::exception& e) {
        // Not a syntax error but a value nlohmann cannot hold (a number like 1e400): it
        // quotes the offending token, which we locate to give the line and column.
        const std::string what = e.what();
        const size_t open = what.find('\''), close = what.rfind('\'');
        std::string where;
        if (open != std::string::npos && close > open + 1) {
            const size_t at = json_text.find(what.substr(open + 1, close - open - 1));
            if (at != std::string::npos) {
                const TextPosition pos = positionOfByte(json_text, at + 1);
                where = " at line " + std::to_string(pos.line) + ", column " +
                        std::to_string(pos.column);
            }
        }
        throw Error("invalid JSON" + where + ": " + parseErrorReason(what), file);
    }

    Reader r(file, source.parent_path());
    for (const std::string& pointer : duplicates.duplicates)
        r.error(pointer, "is given twice; JSON would silently keep only the last value");
    if (!j.is_object()) {
        r.error("", "the design must be a JSON object {\"stipple\": 1, \"head\": {...}, ...}; "
                    "found " +
                        kindOf(j));
        throw Error(r.errors);
    }
    r.object(
        j, "",
        keys({"stipple", "name", "notes", "seed", "head", "hairline", "mode", "total_dots", "zones",
              "density_mask", "scars", "pigment", "impressions_per_session", "render"}),
        "a design object");
    readTopLevel(r, j, design);
    readHead(r, j, design);
    readHairline(r, j, design);
    readMode(r, j, design);
    readZones(r, j, design);
    readDensityMask(r, j, design);
    readScars(r, j, design);
    readPigment(r, j, design);
    readRender(r, j, design);
    checkDesign(r, design);

    if (!r.errors.empty()) {
        std::vector<Problem> all = r.errors;
        all.insert(all.end(), r.warnings.begin(), r.warnings.end());
        throw Error(all);
    }
    design.warnings = r.warnings;
    return design;
}

Design loadDesign(const std::filesystem::path& file) {
    return parseDesign(readFile(file), file);
}

} // namespace stipple
