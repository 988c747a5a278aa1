#pragma once
#include <cstdint>
#include <istream>
#include <map>
#include <ostream>
#include <string>

namespace distillery {

// The opening of Distillery's binary files (.dtraj, .dsyn): an 8-byte magic, the header's length
// as a little-endian uint32, and the header as UTF-8 "key=value" lines. The data follows.
void write_text_header(std::ostream& out, const char (&magic)[8], const std::map<std::string, std::string>& header);

// Reads and checks that opening; throws an Error naming `path` and `kind` ("trajectory",
// "synthetic-set") when it is not one. `header_bytes` receives where the data starts.
std::map<std::string, std::string> read_text_header(std::istream& in, const char (&magic)[8], const std::string& path,
                                                    const std::string& kind, std::int64_t& header_bytes);

}  // namespace distillery
