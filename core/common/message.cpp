#include "common/message.h"

#include <atomic>

namespace distillery {
namespace {

// Read by any thread that reports a refusal; written once by the workbench at start-up.
std::atomic<MessageTranslator> g_translator{nullptr};

}  // namespace

void set_message_translator(MessageTranslator translate) { g_translator.store(translate); }

std::string message(const char* format, std::initializer_list<std::string> values) {
    const MessageTranslator translate = g_translator.load();
    const std::string text = translate ? translate(format) : std::string(format);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool place = text[i] == '{' && i + 2 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9' && text[i + 2] == '}';
        const std::size_t n = place ? static_cast<std::size_t>(text[i + 1] - '1') : 0;
        if (place && n < values.size()) {
            out += values.begin()[n];
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace distillery
