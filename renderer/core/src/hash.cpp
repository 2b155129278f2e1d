#include "stipple/core/hash.h"

#include <fstream>
#include <sstream>

#include <openssl/evp.h>

#include "stipple/core/error.h"

namespace stipple {

std::string sha256Hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

std::string readFile(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw Error("file not found", file.string());
    if (std::filesystem::is_directory(file, ec))
        throw Error("is a directory, expected a file", file.string());
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot be opened for reading", file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error("read failed", file.string());
    return ss.str();
}

std::string sha256File(const std::filesystem::path& file) { return sha256Hex(readFile(file)); }

} // namespace stipple
