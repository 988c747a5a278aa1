#pragma once
#include <string>
#include <vector>

namespace distillery {

// The candidate closest to `word` by edit distance, ignoring case (the first of equals), for
// "did you mean ...?" messages; `candidates` must not be empty.
std::string nearest_word(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace distillery
