#include "option_names.h"

#include <cctype>

namespace stipple::cli {
namespace {

bool wordChar(char c) {
    return std::isalnum((unsigned char)c) || c == '_' || c == '-';
}

// `text` with `word` (whole words only) replaced by `flag`.
std::string replaceWord(const std::string& text, const std::string& word, const std::string& flag) {
    std::string out;
    size_t at = 0;
    while (true) {
        const size_t hit = text.find(word, at);
        if (hit == std::string::npos) break;
        const size_t end = hit + word.size();
        const bool whole =
            (hit == 0 || !wordChar(text[hit - 1])) && (end == text.size() || !wordChar(text[end]));
        out += text.substr(at, hit - at) + (whole ? flag : word);
        at = end;
    }
    return out + text.substr(at);
}

} // namespace

const FlagTable& commonFlags() {
    static const FlagTable table = {{"overwrite", "--force"}};
    return table;
}

bool renameOptions(const Error& error, const FlagTable& table, bool in_text,
                   std::vector<Problem>& out) {
    std::vector<Problem> problems = error.problems();
    bool renamed = false;
    for (Problem& p : problems) {
        const auto it = table.find(p.pointer);
        if (it == table.end()) continue;
        if (in_text) p.message = replaceWord(p.message, p.pointer, it->second);
        p.pointer = it->second;
        renamed = true;
    }
    if (renamed) out = std::move(problems);
    return renamed;
}

} // namespace stipple::cli
