#pragma once
// What the engine tells a person about a refused value comes from an English format with numbered
// places ({1} to {9}) and the values that fill them. The CLI shows it in English. The workbench
// installs a translator, so the same refusal reads in the interface's language.
//
// The formats are in common/engine_messages.h; ENGINE_MESSAGE marks them for Qt's lupdate.
#include <initializer_list>
#include <string>

#define ENGINE_MESSAGE(format) format

namespace distillery {

// Turns an English format into the user's language; returns it unchanged when it has no translation.
using MessageTranslator = std::string (*)(const char* format);
void set_message_translator(MessageTranslator translate);

// The format, translated when a translator is installed, with {n} replaced by the n-th value.
std::string message(const char* format, std::initializer_list<std::string> values = {});

}  // namespace distillery
