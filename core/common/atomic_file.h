#pragma once
#include <functional>
#include <ostream>
#include <string>

namespace distillery {

// Writes `path` so that a crash or a full disk never leaves a partial file under that name:
// `write` fills a temporary file in the same folder (`path` + ".tmp"), which is flushed, synced
// to disk (so that after a power cut the rename cannot have outrun the data) and then renamed over
// `path`. On any failure the temporary file is removed, the previous `path` (if any) is left as
// it was, and an Error naming the file is thrown.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace distillery
