#include "cli/interrupts.h"

#include <pthread.h>
#include <unistd.h>

#include <thread>

namespace distillery::cli {

volatile std::sig_atomic_t g_interrupted = 0;

namespace {

volatile std::sig_atomic_t g_stopping_at_interrupts = 0;

sigset_t interrupt_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

// Runs on the interrupt thread, or on a thread a library started before main() (OpenBLAS's pool,
// which never runs oneDNN), so never on top of a JIT kernel.
void on_interrupt(int sig) {
    if (g_stopping_at_interrupts) {
        g_interrupted = 1;
        return;
    }
    std::signal(sig, SIG_DFL);  // not yet: end the process as without a handler
    std::raise(sig);
}

}  // namespace

void route_interrupts_off_compute_threads() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    const sigset_t set = interrupt_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        for (;;) pause();
    }).detach();
}

void stop_at_interrupts() { g_stopping_at_interrupts = 1; }

}  // namespace distillery::cli
