/*
 * signal(), raise(), strsignal(), psignal() for the threads build only.
 * The plain build gets them from wasi-libc's libwasi-emulated-signal, but
 * that library is compiled without atomics and wasm-ld refuses it in a
 * shared-memory module, and the rustup target ships none.  The same
 * behaviour, process-wide as on Linux: a handler set in one thread is the
 * one raise() runs in any thread; SIG_DFL of a signal Linux ignores by
 * default does nothing, of any other prints what happened and aborts (a
 * trap, which ends every thread).
 */
#define _WASI_EMULATED_SIGNAL 1
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SIG_IGN and SIG_ERR are these functions' addresses in wasi-libc's header
 * (a wasm function pointer is a table index, not any integer). */
void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) {
    (void)sig;
    __builtin_trap();
}

static void (*handlers[_NSIG])(int); /* read and written atomically */

static const char *const names[] = {
    [SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit",
    [SIGILL] = "Illegal instruction", [SIGTRAP] = "Trace/breakpoint trap",
    [SIGABRT] = "Aborted", [SIGBUS] = "Bus error", [SIGFPE] = "Arithmetic exception",
    [SIGKILL] = "Killed", [SIGUSR1] = "User defined signal 1",
    [SIGSEGV] = "Segmentation fault", [SIGUSR2] = "User defined signal 2",
    [SIGPIPE] = "Broken pipe", [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
    [SIGSTKFLT] = "Stack fault", [SIGCHLD] = "Child process status",
    [SIGCONT] = "Continued", [SIGSTOP] = "Stopped (signal)", [SIGTSTP] = "Stopped",
    [SIGTTIN] = "Stopped (tty input)", [SIGTTOU] = "Stopped (tty output)",
    [SIGURG] = "Urgent I/O condition", [SIGXCPU] = "CPU time limit exceeded",
    [SIGXFSZ] = "File size limit exceeded", [SIGVTALRM] = "Virtual timer expired",
    [SIGPROF] = "Profiling timer expired", [SIGWINCH] = "Window changed",
    [SIGPOLL] = "I/O possible", [SIGPWR] = "Power failure", [SIGSYS] = "Bad system call",
};

char *strsignal(int sig) {
    if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]) && names[sig] != NULL)
        return (char *)names[sig];
    return (char *)"Unknown signal";
}

void psignal(int sig, const char *msg) {
    if (msg != NULL && *msg != '\0')
        fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
    else
        fprintf(stderr, "%s\n", strsignal(sig));
}

void (*signal(int sig, void (*func)(int)))(int) {
    if (sig <= 0 || sig >= _NSIG || sig == SIGKILL || sig == SIGSTOP) {
        errno = EINVAL;
        return SIG_ERR;
    }
    return __atomic_exchange_n(&handlers[sig], func, __ATOMIC_SEQ_CST);
}

void (*bsd_signal(int sig, void (*func)(int)))(int) { return signal(sig, func); }

int raise(int sig) {
    if (sig <= 0 || sig >= _NSIG) {
        errno = EINVAL;
        return -1;
    }
    void (*func)(int) = __atomic_load_n(&handlers[sig], __ATOMIC_SEQ_CST);
    if (func == SIG_IGN)
        return 0;
    if (func != SIG_DFL) {
        func(sig);
        return 0;
    }
    switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
        return 0; /* ignored by default */
    default:
        fprintf(stderr, "Program received fatal signal: %s\n", strsignal(sig));
        abort();
    }
}
