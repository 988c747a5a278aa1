#pragma once
#include <string>

namespace distillery {

// A run folder held by one process at a time. Two runs writing the same folder would overwrite
// each other's checkpoint and outputs, the last writer winning; so a run takes the folder's lock
// before any work and keeps it to the end. The lock is the operating system's (flock on a file in
// the folder), so it goes with the process however that ends, kill -9 included.
class FolderLock {
public:
    // Creates `dir` if needed, checks that files can be created in it, and takes its lock,
    // recording `holder` (what holds it, e.g. "distillery-cli distill") beside this process's id.
    // Throws an Error saying why the folder cannot be written, or who holds it.
    FolderLock(const std::string& dir, const std::string& holder);
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
    int fd_ = -1;
};

// The name of the lock file inside a locked folder.
inline constexpr const char* kFolderLockName = ".distillery.lock";

}  // namespace distillery
