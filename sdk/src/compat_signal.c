/*
 * The POSIX signal API beyond signal()/raise() (which are wasi-libc's
 * emulation, -lwasi-emulated-signal), for a process that can only signal
 * itself and only synchronously.  See include/signal.h and docs/porting.md.
 *
 * sigaction() installs a handler through signal(): SIG_DFL and SIG_IGN as
 * they are, a program's handler behind one trampoline that applies
 * sa_flags (SA_SIGINFO, SA_RESETHAND, SA_NODEFER) and sa_mask, so raise()
 * and kill() run it as Linux would.  sigprocmask() keeps the mask kill()
 * honours; a blocked signal becomes pending and runs when unblocked.
 */
#define _WASI_EMULATED_SIGNAL 1
#define _WASI_EMULATED_GETPID 1
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"

extern pid_t getpid(void) __attribute__((__weak__));

pid_t __wasock_self_pid(void) {
    return getpid ? getpid() : 42;
}

#define NBITS (8 * sizeof(unsigned long))

static int valid(int sig) { return sig > 0 && sig < _NSIG; }

int sigemptyset(sigset_t *set) {
    memset(set, 0, sizeof *set);
    return 0;
}

int sigfillset(sigset_t *set) {
    memset(set, 0, sizeof *set);
    for (int s = 1; s < _NSIG; s++)
        set->__bits[(s - 1) / NBITS] |= 1UL << ((s - 1) % NBITS);
    return 0;
}

int sigaddset(sigset_t *set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    set->__bits[(sig - 1) / NBITS] |= 1UL << ((sig - 1) % NBITS);
    return 0;
}

int sigdelset(sigset_t *set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    set->__bits[(sig - 1) / NBITS] &= ~(1UL << ((sig - 1) % NBITS));
    return 0;
}

int sigismember(const sigset_t *set, int sig) {
    if (!valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    return (set->__bits[(sig - 1) / NBITS] >> ((sig - 1) % NBITS)) & 1;
}

static sigset_t blocked, pending;

/* Runs every pending signal the mask no longer blocks. */
static void deliver_pending(void) {
    for (int s = 1; s < _NSIG; s++) {
        if (sigismember(&pending, s) == 1 && sigismember(&blocked, s) == 0) {
            sigdelset(&pending, s);
            raise(s);
        }
    }
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
    sigset_t prev = blocked;
    if (set) {
        int i, n = (int)(sizeof blocked.__bits / sizeof blocked.__bits[0]);
        switch (how) {
        case SIG_BLOCK:
            for (i = 0; i < n; i++)
                blocked.__bits[i] |= set->__bits[i];
            break;
        case SIG_UNBLOCK:
            for (i = 0; i < n; i++)
                blocked.__bits[i] &= ~set->__bits[i];
            break;
        case SIG_SETMASK:
            blocked = *set;
            break;
        default:
            errno = EINVAL;
            return -1;
        }
        sigdelset(&blocked, SIGKILL); /* cannot be blocked */
        sigdelset(&blocked, SIGSTOP);
    }
    if (old)
        *old = prev;
    if (set)
        deliver_pending();
    return 0;
}

int sigpending(sigset_t *set) {
    *set = pending;
    return 0;
}

/* What sigaction() installed, per signal. */
static struct sigaction actions[_NSIG];
static unsigned char installed[_NSIG];

static void trampoline(int sig) {
    struct sigaction a = actions[sig];
    if (a.sa_flags & SA_RESETHAND) {
        installed[sig] = 0;
        signal(sig, SIG_DFL);
    } else {
        signal(sig, trampoline); /* in case raise() reset it */
    }
    sigset_t saved = blocked;
    for (int i = 0; i < (int)(sizeof blocked.__bits / sizeof blocked.__bits[0]); i++)
        blocked.__bits[i] |= a.sa_mask.__bits[i];
    if (!(a.sa_flags & SA_NODEFER))
        sigaddset(&blocked, sig);
    if (a.sa_flags & SA_SIGINFO) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        info.si_signo = sig;
        info.si_code = SI_USER;
        info.si_pid = __wasock_self_pid();
        a.sa_sigaction(sig, &info, NULL);
    } else {
        a.sa_handler(sig);
    }
    blocked = saved;
    deliver_pending();
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old) {
    if (!valid(sig) || (act && (sig == SIGKILL || sig == SIGSTOP))) {
        errno = EINVAL;
        return -1;
    }
    if (sig == SIGKILL || sig == SIGSTOP) { /* a query: always the default */
        if (old) {
            memset(old, 0, sizeof *old);
            old->sa_handler = SIG_DFL;
        }
        return 0;
    }
    /* The current disposition (signal() is the only way to read it). */
    void (*cur)(int) = signal(sig, SIG_DFL);
    if (cur == SIG_ERR)
        return -1;
    struct sigaction prev;
    if (cur == trampoline && installed[sig]) {
        prev = actions[sig];
    } else {
        memset(&prev, 0, sizeof prev);
        prev.sa_handler = cur;
    }
    if (act) {
        int user = !(act->sa_flags & SA_SIGINFO) ? (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN)
                                                 : act->sa_sigaction != NULL;
        if (user) {
            actions[sig] = *act;
            installed[sig] = 1;
            signal(sig, trampoline);
        } else {
            installed[sig] = 0;
            signal(sig, act->sa_handler);
        }
    } else {
        signal(sig, cur);
    }
    if (old)
        *old = prev;
    return 0;
}

int siginterrupt(int sig, int flag) {
    struct sigaction sa;
    if (sigaction(sig, NULL, &sa) < 0)
        return -1;
    if (flag)
        sa.sa_flags &= ~SA_RESTART;
    else
        sa.sa_flags |= SA_RESTART;
    return sigaction(sig, &sa, NULL);
}

static int signal_self(int sig) {
    if (sig == 0)
        return 0;
    if (sigismember(&blocked, sig) == 1) {
        sigaddset(&pending, sig);
        return 0;
    }
    return raise(sig);
}

int kill(pid_t pid, int sig) {
    if (sig != 0 && !valid(sig)) {
        errno = EINVAL;
        return -1;
    }
    /* 0: the caller's process group (just itself); getpid(): itself.
     * -getpid(): its own process group.  -1 means every process but the
     * caller: there is none, as for any other pid or group. */
    pid_t self = __wasock_self_pid();
    if (pid == 0 || pid == self || pid == -self)
        return signal_self(sig);
    errno = ESRCH;
    return -1;
}

int killpg(pid_t pgrp, int sig) {
    if (pgrp < 0) {
        errno = EINVAL;
        return -1;
    }
    return kill(pgrp == 0 ? 0 : -pgrp, sig);
}
