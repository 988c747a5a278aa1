#include "common/numbers.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace distillery {
namespace {

std::string_view without_plus(std::string_view text) {
    // from_chars takes no '+'; "+-1" must stay refused, so only one sign is dropped.
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
    return text;
}

}  // namespace

std::optional<double> parse_double(std::string_view text) {
    text = without_plus(text);
    if (text.empty()) return std::nullopt;
    double v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::general);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
    text = without_plus(text);
    if (text.empty()) return std::nullopt;
    std::int64_t v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::string format_double(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buffer[64];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return error == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::string format_double(double v, int digits) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buffer[64];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, digits);
    return error == std::errc() ? std::string(buffer, end) : std::string("nan");
}

}  // namespace distillery
