#include "common/header_file.h"

#include <cstring>
#include <sstream>

#include "common/error.h"

namespace distillery {

void write_text_header(std::ostream& out, const char (&magic)[8], const std::map<std::string, std::string>& header) {
    std::string text;
    for (const auto& [k, v] : header) {
        if (k.find('=') != std::string::npos || k.find('\n') != std::string::npos || v.find('\n') != std::string::npos)
            throw Error("file header entry '" + k + "' cannot hold '=' or line breaks");
        text += k + "=" + v + "\n";
    }
    const auto len = static_cast<std::uint32_t>(text.size());
    const unsigned char len_le[4] = {static_cast<unsigned char>(len), static_cast<unsigned char>(len >> 8),
                                     static_cast<unsigned char>(len >> 16), static_cast<unsigned char>(len >> 24)};
    out.write(magic, 8);
    out.write(reinterpret_cast<const char*>(len_le), 4);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::map<std::string, std::string> read_text_header(std::istream& in, const char (&magic)[8], const std::string& path,
                                                    const std::string& kind, std::int64_t& header_bytes) {
    char found[8] = {};
    unsigned char len_le[4] = {};
    in.read(found, 8);
    in.read(reinterpret_cast<char*>(len_le), 4);
    if (!in || std::memcmp(found, magic, 8) != 0)
        throw Error(path + ": not a Distillery " + kind + " file (bad magic)");
    const std::uint32_t len = len_le[0] | (len_le[1] << 8) | (len_le[2] << 16) | (std::uint32_t(len_le[3]) << 24);
    if (len > (1u << 20)) throw Error(path + ": " + kind + " header length " + std::to_string(len) + " is implausible");
    std::string text(len, '\0');
    in.read(text.data(), len);
    if (!in) throw Error(path + ": truncated " + kind + " header");
    std::map<std::string, std::string> header;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) throw Error(path + ": malformed " + kind + " header line '" + line + "'");
        header[line.substr(0, eq)] = line.substr(eq + 1);
    }
    header_bytes = 12 + static_cast<std::int64_t>(len);
    return header;
}

}  // namespace distillery
