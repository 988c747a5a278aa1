#include "common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace distillery {
namespace {

// Asks the system to put what was written to `path` on the disk, so that after a power cut the
// rename cannot have reached the disk before the data. Returns false only when the data could
// not be written (EIO, ENOSPC, EDQUOT); a file system or device that cannot sync is not an error.
bool sync_to_disk(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), O_RDONLY | (directory ? O_DIRECTORY : 0));
    if (fd < 0) return true;
    const bool failed = ::fsync(fd) != 0 && (errno == EIO || errno == ENOSPC || errno == EDQUOT);
    ::close(fd);
    return !failed;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(path + ": cannot write (does the folder exist, and is it writable?)");
        try {
            write(out);
        } catch (...) {
            out.close();
            std::remove(tmp.c_str());
            throw;
        }
        out.flush();
        if (!out) {
            out.close();
            std::remove(tmp.c_str());
            throw Error(path + ": writing failed (disk full?); the previous file is unchanged");
        }
    }
    if (!sync_to_disk(tmp, false)) {
        std::remove(tmp.c_str());
        throw Error(path + ": writing failed (disk full?); the previous file is unchanged");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error(path + ": cannot replace the file (" + ec.message() + ")");
    }
    const auto folder = std::filesystem::path(path).parent_path();
    sync_to_disk(folder.empty() ? "." : folder.string(), true);
}

}  // namespace distillery
