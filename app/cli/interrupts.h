#pragma once
#include <csignal>

namespace distillery::cli {

// Set by SIGINT/SIGTERM once stop_at_interrupts() ran; long jobs stop at their next safe point and
// keep what they finished.
extern volatile std::sig_atomic_t g_interrupted;

// First thing in main, before any thread starts: SIGINT and SIGTERM are blocked in this thread and
// so in every thread it starts (LibTorch's and OpenMP's compute threads), and taken instead by one
// thread that does nothing else. Until stop_at_interrupts(), they end the process as by default.
//
// Why: oneDNN's JIT GEMM kernels, which LibTorch's CPU convolutions run, point the stack pointer
// into the heap while they work (oneDNN issue 4845, fixed in oneDNN 3.11; Debian 12's LibTorch
// ships 2.6). A signal handler that runs on such a thread writes its frame there and corrupts the
// heap: Ctrl-C during an evaluation aborted the CLI with "malloc(): ... corrupted" about once in
// eight tries.
void route_interrupts_off_compute_threads();

// From here on SIGINT and SIGTERM set g_interrupted instead of ending the process.
void stop_at_interrupts();

}  // namespace distillery::cli
