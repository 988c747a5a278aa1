#pragma once
// Numbers read from and written to text (settings, file headers, command lines, CSV) in one
// notation whatever the process's locale: a German desktop sets LC_NUMERIC so that strtod reads
// "0.01" as 0 and printf writes "0,01". Every number the engine reads or writes goes through here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace distillery {

// The whole text must be the number: no spaces, nothing after it. A leading '+' is allowed.
// "inf", "-inf" and "nan" are numbers here; callers that refuse them check the result.
// Out of range (1e999, 2^63) is no number.
std::optional<double> parse_double(std::string_view text);
std::optional<std::int64_t> parse_int(std::string_view text);

// The shortest text that parse_double() reads back as exactly `v` ("inf", "-inf", "nan" too).
std::string format_double(double v);
// `v` with at most `digits` significant digits, as printf's %g would write it in the C locale.
std::string format_double(double v, int digits);

}  // namespace distillery
