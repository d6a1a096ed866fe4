/*
 * wasock overlay for <signal.h>.
 *
 * wasi-libc's header needs -D_WASI_EMULATED_SIGNAL (wasock-cc passes it and
 * links -lwasi-emulated-signal: signal(), raise(), strsignal(), psignal()).
 * It hides the rest of the POSIX signal API; this declares it, and
 * libwasock.a (compat_signal.c) implements it for a process that can only
 * signal itself, synchronously:
 *
 *   sigaction()            installs the handler raise() and kill() run
 *                          (SA_SIGINFO, SA_RESETHAND, SA_NODEFER, sa_mask)
 *   sig*set(), sigismember() 64 signals (sigset_t is musl's 128 bytes)
 *   sigprocmask()          a mask kill() honours: a blocked signal stays
 *                          pending until it is unblocked, then runs
 *   sigpending()           the pending set
 *   kill(pid, sig)         pid = getpid(), 0: raises sig (0: checks only);
 *                          any other pid: ESRCH (there are no other processes)
 *
 * No signal is ever delivered asynchronously: nothing outside the program
 * can signal it (no SIGINT, SIGTERM, SIGPIPE, SIGCHLD) and no timer fires
 * (alarm(), setitimer(): see <sys/time.h>).  raise() is wasi-libc's and
 * ignores the mask.
 */
#ifndef __wasock_signal_h
#define __wasock_signal_h

#include_next <signal.h>

#include <sys/types.h>
/* wasi-libc's header declares sigset_t only in POSIX modes; strict ISO C
 * (-std=c99) code that uses sigaction still needs it. */
#include <__typedef_sigset_t.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SIG_BLOCK
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#endif

#ifndef SA_NOCLDSTOP
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO   4
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK    SA_NODEFER
#define SA_ONESHOT   SA_RESETHAND
#endif

#ifndef SI_USER
#define SI_ASYNCNL (-60)
#define SI_TKILL (-6)
#define SI_SIGIO (-5)
#define SI_ASYNCIO (-4)
#define SI_MESGQ (-3)
#define SI_TIMER (-2)
#define SI_QUEUE (-1)
#define SI_USER 0
#define SI_KERNEL 128
#endif

#ifndef NSIG
#define NSIG _NSIG
#endif

union sigval {
    int sival_int;
    void *sival_ptr;
};

/* musl's siginfo_t, trimmed to the fields a self-sent signal has. */
typedef struct {
    int si_signo, si_errno, si_code;
    union {
        char __pad[128 - 2 * sizeof(int) - sizeof(long)];
        struct {
            pid_t si_pid;
            uid_t si_uid;
            union sigval si_value;
        } __kill;
        struct {
            void *si_addr;
        } __fault;
    } __si_fields;
} siginfo_t;
#define si_pid   __si_fields.__kill.si_pid
#define si_uid   __si_fields.__kill.si_uid
#define si_value __si_fields.__kill.si_value
#define si_addr  __si_fields.__fault.si_addr

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);
    } __sa_handler;
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};
#define sa_handler   __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction

#ifndef __wasock_sighandler_t_defined
#define __wasock_sighandler_t_defined
typedef void (*__wasock_sighandler_t)(int);
#endif

int kill(pid_t, int);
int killpg(pid_t, int);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
int sigprocmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int sigaction(int, const struct sigaction *__restrict, struct sigaction *__restrict);
int sigpending(sigset_t *);
int siginterrupt(int, int);

#ifdef __cplusplus
}
#endif

#endif
