/*
 * compat: the libc functions and headers real programs need beyond sockets
 * (issue 10, "Headers and libc functions", "Beyond the socket layer"),
 * included and called the way ordinary code does, with no wasock-specific
 * source.
 *
 *   compat DIR          DIR is a writable directory (preopened for the guest)
 *   compat DIR err      ends with err(7, ...), for the output format
 *   compat DIR longjmp  calls longjmp (the guest aborts, with a message)
 *
 * Each observation is one line on stdout:
 *   "same: ..."  must read the same when this file is built natively with gcc
 *                and run on Linux (e2e/tests/compat.rs compares them);
 *   "wasi: ..."  the sandbox's own answer (only in the guest build).
 * Lines are facts, not verdicts: the e2e test holds them to what it expects.
 * warn()/warnx()/syslog() write to stderr, which the test reads too.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <resolv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi_socket_ext.h>
#endif

#include "oracle.h"

static const char *dir;

#define SAME(...) (printf("same: " __VA_ARGS__), putchar('\n'))
#ifdef __wasi__
#define WASI(...) (printf("wasi: " __VA_ARGS__), putchar('\n'))
#else
#define WASI(...) ((void)0)
#endif

#define R(expr) r_(((errno = 0), (long)(expr)))
static char rbuf[8][64];
static int rnext;
/* Formats a call's result: "0", "5", or "-1 EINVAL". */
static const char *r_(long v) {
    int e = errno;
    char *b = rbuf[rnext++ % 8];
    if (v == -1)
        snprintf(b, 64, "-1 %s", err_name(e));
    else
        snprintf(b, 64, "%ld", v);
    return b;
}

static char path_buf[PATH_MAX];
static const char *in_dir(const char *name) {
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

/* ---- err.h ---------------------------------------------------------------- */
static void t_err(void) {
    errno = ENOENT;
    warn("warn %d", 1);
    warnx("warnx %s", "two");
    errno = EINVAL;
    warn(NULL);
    SAME("err.h warn/warnx called");
}

/* ---- errno names ---------------------------------------------------------- */
static void t_errno(void) {
    int names[] = {EHOSTDOWN, ESHUTDOWN, ESOCKTNOSUPPORT, EPFNOSUPPORT, ETOOMANYREFS, ENODATA, ETIME};
    int distinct = 1;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (unsigned j = 0; j < i; j++)
            distinct &= names[i] != names[j];
        distinct &= names[i] != EHOSTUNREACH && names[i] != ECONNREFUSED && names[i] != ENOTSUP &&
                    names[i] != EAGAIN && names[i] != EPROTONOSUPPORT && names[i] > 0;
    }
    SAME("errno names distinct=%d", distinct);
    WASI("errno EHOSTDOWN above WASI's=%d", EHOSTDOWN > 76);
    SAME("strerror EHOSTDOWN=%s", strerror(EHOSTDOWN));
    SAME("strerror ESHUTDOWN=%s", strerror(ESHUTDOWN));
    SAME("strerror ENOENT=%s", strerror(ENOENT));
}

/* ---- temporary files and paths -------------------------------------------- */
static void t_files(void) {
    char t1[PATH_MAX], t2[PATH_MAX];
    snprintf(t1, sizeof t1, "%s/mkstempXXXXXX", dir);
    snprintf(t2, sizeof t2, "%s/mkstempXXXXXX", dir);
    int fd1 = mkstemp(t1), fd2 = mkstemp(t2);
    SAME("mkstemp fds ok=%d", fd1 >= 0 && fd2 >= 0);
    SAME("mkstemp names replaced=%d unique=%d", strstr(t1, "XXXXXX") == NULL, strcmp(t1, t2) != 0);
    struct stat st;
    const char *sr = R(stat(t1, &st));
    SAME("mkstemp stat=%s size=%lld regular=%d", sr, (long long)st.st_size, S_ISREG(st.st_mode));
    SAME("mkstemp write=%s", R(write(fd1, "hello", 5)));
    SAME("mkstemp again O_EXCL=%s", R(open(t1, O_RDWR | O_CREAT | O_EXCL, 0600)));
    close(fd1);
    close(fd2);
    char bad[] = "/nonexistent-template";
    SAME("mkstemp bad template=%s", R(mkstemp(bad)));
    char ts[PATH_MAX];
    snprintf(ts, sizeof ts, "%s/sufXXXXXX.txt", dir);
    int fd3 = mkstemps(ts, 4);
    SAME("mkstemps fd ok=%d suffix kept=%d", fd3 >= 0, strcmp(ts + strlen(ts) - 4, ".txt") == 0);
    close(fd3);
    int fd4;
    snprintf(ts, sizeof ts, "%s/ostXXXXXX", dir);
    fd4 = mkostemp(ts, O_APPEND);
    SAME("mkostemp fd ok=%d append=%d", fd4 >= 0, (fcntl(fd4, F_GETFL) & O_APPEND) != 0);
    close(fd4);
    char td[PATH_MAX];
    snprintf(td, sizeof td, "%s/dirXXXXXX", dir);
    char *d = mkdtemp(td);
    SAME("mkdtemp ok=%d dir=%d", d != NULL, d && stat(d, &st) == 0 && S_ISDIR(st.st_mode));

    /* realpath, with the directory's own path as the reference */
    char base[PATH_MAX], got[PATH_MAX];
    if (!realpath(dir, base))
        snprintf(base, sizeof base, "(realpath of dir failed: %s)", strerror(errno));
    SAME("realpath dir is dir=%d", strcmp(base, dir) == 0);
    mkdir(in_dir("sub"), 0755);
    close(open(in_dir("file"), O_CREAT | O_WRONLY, 0644));
    char q[PATH_MAX];
    snprintf(q, sizeof q, "%s/sub/../file", dir);
    SAME("realpath sub/../file=%s", realpath(q, got) ? got + strlen(base) : "NULL");
    snprintf(q, sizeof q, "%s//./sub/", dir);
    SAME("realpath //./sub/=%s", realpath(q, got) ? got + strlen(base) : "NULL");
    snprintf(q, sizeof q, "%s/missing/x", dir);
    errno = 0;
    char *m = realpath(q, got);
    SAME("realpath missing=%s %s", m ? m : "NULL", err_name(errno));
    snprintf(q, sizeof q, "%s/file/x", dir);
    errno = 0;
    m = realpath(q, got);
    SAME("realpath file/x=%s %s", m ? m : "NULL", err_name(errno));
    SAME("symlink=%s", R(symlink("sub/../file", in_dir("link"))));
    snprintf(q, sizeof q, "%s/link", dir);
    SAME("realpath link=%s", realpath(q, got) ? got + strlen(base) : "NULL");
    char *alloc = realpath(q, NULL);
    SAME("realpath malloc=%s", alloc ? alloc + strlen(base) : "NULL");
    free(alloc);
    SAME("chdir=%s", R(chdir(dir)));
    SAME("realpath relative sub/..=%s", realpath("sub/..", got) ? got + strlen(base) : "NULL");
    SAME("realpath relative .=%d", realpath(".", got) && strcmp(got, base) == 0);
    snprintf(q, sizeof q, "%s/..", dir);
    char parent[PATH_MAX];
    strcpy(parent, base);
    *strrchr(parent, '/') = '\0';
    SAME("realpath dir/..=parent %d", realpath(q, got) && strcmp(got, parent[0] ? parent : "/") == 0);
#ifdef __wasi__
    errno = 0;
    m = realpath("/definitely/not/preopened", got);
    WASI("realpath outside preopens=%s %s", m ? m : "NULL", err_name(errno));
#endif

    /* tmpfile (guest: $TMPDIR is DIR) */
    FILE *f = tmpfile();
    char line[32] = "";
    if (f) {
        fputs("tmp", f);
        rewind(f);
        fgets(line, sizeof line, f);
        fclose(f);
    }
    SAME("tmpfile ok=%d read=%s", f != NULL, line);

    /* permissions, owners, locks */
    SAME("umask roundtrip=%o", (umask(077), (unsigned)umask(022)));
    SAME("chown -1 -1=%s", R(chown(in_dir("file"), (uid_t)-1, (gid_t)-1)));
    SAME("chown missing=%s", R(chown(in_dir("nope"), (uid_t)-1, (gid_t)-1)));
    SAME("chmod missing=%s", R(chmod(in_dir("nope"), 0600)));
    WASI("chmod=%s", R(chmod(in_dir("file"), 0600)));
    WASI("fchmod=%s", R(fchmod(1, 0600)));
    WASI("chown uid=%s", R(chown(in_dir("file"), 1000, 1000)));
    WASI("fchown=%s", R(fchown(1, 1000, -1)));
    WASI("lchown=%s", R(lchown(in_dir("link"), 1000, -1)));
    int lfd = open(in_dir("file"), O_RDWR);
    WASI("flock ex=%s", R(flock(lfd, LOCK_EX)));
    SAME("flock un=%s", R(flock(lfd, LOCK_UN)));
    SAME("flock bad op=%s", R(flock(lfd, 0)));
    SAME("flock bad fd=%s", R(flock(-1, LOCK_SH)));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    WASI("fcntl F_SETLK wr=%s", R(fcntl(lfd, F_SETLK, &fl)));
    WASI("fcntl F_GETLK=%s", R(fcntl(lfd, F_GETLK, &fl)));
    fl.l_type = F_UNLCK;
    SAME("fcntl F_SETLK un=%s", R(fcntl(lfd, F_SETLK, &fl)));
    fl.l_type = 99;
    SAME("fcntl F_SETLK bad type=%s", R(fcntl(lfd, F_SETLK, &fl)));
    close(lfd);
}

/* ---- random, time, limits ------------------------------------------------ */
static void t_misc(void) {
    unsigned char buf[1000];
    memset(buf, 0, sizeof buf);
    long n = getrandom(buf, sizeof buf, 0);
    int zeros = 0;
    for (unsigned i = 0; i < sizeof buf; i++)
        zeros += buf[i] == 0;
    SAME("getrandom=%ld filled=%d", n, zeros < 50);
    SAME("getrandom nonblock=%s", R(getrandom(buf, 16, GRND_NONBLOCK)));
    SAME("getrandom bad flags=%s", R(getrandom(buf, 16, 0x100)));

    struct timeval tv;
    struct timezone tz = {99, 99};
    const char *gr = R(gettimeofday(&tv, &tz));
    SAME("gettimeofday=%s recent=%d", gr, tv.tv_sec > 1700000000);
    SAME("gettimeofday tz=%d,%d", tz.tz_minuteswest, tz.tz_dsttime);
    tzset();
    SAME("tzset tzname=%s timezone=%ld daylight=%d", tzname[0], (long)timezone, daylight);

    struct itimerval it, old;
    memset(&it, 0, sizeof it);
    const char *ir = R(getitimer(ITIMER_REAL, &old));
    SAME("getitimer=%s value=%ld", ir, (long)old.it_value.tv_sec);
    SAME("setitimer disarm=%s", R(setitimer(ITIMER_REAL, &it, &old)));
    SAME("getitimer bad=%s", R(getitimer(99, &old)));
    it.it_value.tv_sec = 30;
    WASI("setitimer arm=%s", R(setitimer(ITIMER_REAL, &it, NULL)));
    SAME("alarm 0=%u", alarm(0));
#ifdef __wasi__
    errno = 0;
    unsigned a = alarm(30);
    WASI("alarm 30=%u %s", a, err_name(errno));
    alarm(0);
#endif

    SAME("sysconf open_max positive=%d", sysconf(_SC_OPEN_MAX) > 0);
    WASI("sysconf open_max=%ld pagesize=%ld", sysconf(_SC_OPEN_MAX), sysconf(_SC_PAGESIZE));
    WASI("getpagesize=%d getdtablesize=%d", getpagesize(), getdtablesize());
    SAME("getdtablesize positive=%d", getdtablesize() > 0);
    struct rlimit rl;
    const char *lr = R(getrlimit(RLIMIT_NOFILE, &rl));
    SAME("getrlimit nofile=%s positive=%d", lr, rl.rlim_cur > 0 && rl.rlim_cur != RLIM_INFINITY);
    WASI("getrlimit nofile=%llu/%llu", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    struct rlimit stk;
    getrlimit(RLIMIT_STACK, &stk);
    WASI("getrlimit stack=%llu/%llu", (unsigned long long)stk.rlim_cur, (unsigned long long)stk.rlim_max);
    SAME("setrlimit same=%s", R(setrlimit(RLIMIT_NOFILE, &rl)));
#ifdef __wasi__
    struct rlimit big = {rl.rlim_max + 1, rl.rlim_max + 1};
    WASI("setrlimit raise=%s", R(setrlimit(RLIMIT_NOFILE, &big)));
    struct rlimit core = {0, 0};
    WASI("setrlimit core 0=%s", R(setrlimit(RLIMIT_CORE, &core)));
#endif
    struct rusage ru;
    SAME("getrusage=%s", R(getrusage(RUSAGE_SELF, &ru)));
    SAME("clock nonneg=%d", clock() >= 0);
    void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SAME("mmap anon ok=%d", p != MAP_FAILED);
    if (p != MAP_FAILED)
        munmap(p, 65536);
    WASI("getpid=%d", (int)getpid());
}

/* ---- signals --------------------------------------------------------------- */
static volatile int got_sig, got_code, got_count;
static void on_info(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    got_sig = sig;
    got_code = si->si_code;
    got_count++;
}
static void on_plain(int sig) {
    got_sig = sig;
    got_count++;
}

static void t_signals(void) {
    sigset_t s;
    sigemptyset(&s);
    const char *ar = R(sigaddset(&s, SIGPIPE));
    SAME("sigaddset pipe=%s ismember pipe=%d int=%d", ar, sigismember(&s, SIGPIPE), sigismember(&s, SIGINT));
    sigaddset(&s, SIGUSR2);
    sigdelset(&s, SIGPIPE);
    SAME("sigdelset pipe=%d usr2=%d", sigismember(&s, SIGPIPE), sigismember(&s, SIGUSR2));
    sigfillset(&s);
    SAME("sigfillset usr1=%d term=%d", sigismember(&s, SIGUSR1), sigismember(&s, SIGTERM));
    SAME("sigaddset 0=%s", R(sigaddset(&s, 0)));
    SAME("sigaddset 65=%s", R(sigaddset(&s, 65)));

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    SAME("sigaction usr1=%s", R(sigaction(SIGUSR1, &sa, &old)));
    SAME("sigaction old dfl=%d", old.sa_handler == SIG_DFL);
    const char *kr = R(kill(getpid(), SIGUSR1));
    SAME("kill self usr1=%s ran=%d sig=%d code=%d", kr, got_count, got_sig == SIGUSR1, got_code == SI_USER);
    kr = R(raise(SIGUSR1));
    SAME("raise usr1=%s ran=%d", kr, got_count);
    kr = R(sigaction(SIGUSR1, NULL, &old));
    SAME("sigaction query=%s siginfo=%d same=%d", kr, (old.sa_flags & SA_SIGINFO) != 0, old.sa_sigaction == on_info);

    got_count = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_plain;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    SAME("sigprocmask block=%s", R(sigprocmask(SIG_BLOCK, &s, NULL)));
    kr = R(kill(getpid(), SIGUSR2));
    SAME("kill blocked=%s ran=%d", kr, got_count);
    sigset_t pend;
    sigemptyset(&pend);
    sigpending(&pend);
    SAME("sigpending usr2=%d", sigismember(&pend, SIGUSR2));
    sigset_t was;
    kr = R(sigprocmask(SIG_UNBLOCK, &s, &was));
    SAME("sigprocmask unblock=%s ran=%d", kr, got_count);
    SAME("sigprocmask old had usr2=%d", sigismember(&was, SIGUSR2));
    sigaction(SIGUSR2, NULL, &old);
    SAME("resethand now dfl=%d", old.sa_handler == SIG_DFL);
    SAME("sigprocmask bad how=%s", R(sigprocmask(99, &s, NULL)));

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    SAME("sigaction ign=%s", R(sigaction(SIGUSR2, &sa, NULL)));
    SAME("kill ignored=%s", R(kill(getpid(), SIGUSR2)));
    SAME("sigaction kill=%s", R(sigaction(SIGKILL, &sa, NULL)));
    kr = R(sigaction(SIGKILL, NULL, &old));
    SAME("sigaction query kill=%s dfl=%d", kr, old.sa_handler == SIG_DFL);
    SAME("signal pipe ign old dfl=%d", signal(SIGPIPE, SIG_IGN) == SIG_DFL);
    SAME("kill self 0=%s", R(kill(getpid(), 0)));
    SAME("kill other=%s", R(kill(999999, 0)));
    SAME("kill bad sig=%s", R(kill(getpid(), 999)));
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_plain;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR1, NULL, &old);
    SAME("sigaction plain restart=%d", (old.sa_flags & SA_RESTART) != 0);
}

/* ---- users, processes, terminals, loading ----------------------------------- */
static void t_system(void) {
    SAME("getpwnam unknown=%d", getpwnam("no-such-user-wasock") != NULL);
    WASI("getpwnam root=%d getpwuid 0=%d", getpwnam("root") != NULL, getpwuid(0) != NULL);
    struct passwd pw, *pr = &pw;
    char buf[1024];
    int rc = getpwnam_r("no-such-user-wasock", &pw, buf, sizeof buf, &pr);
    SAME("getpwnam_r unknown=%d found=%d", rc, pr != NULL);
    pr = &pw;
    rc = getpwuid_r(0, &pw, buf, sizeof buf, &pr);
    WASI("getpwuid_r 0=%d found=%d", rc, pr != NULL);
    SAME("getgrnam unknown=%d", getgrnam("no-such-group-wasock") != NULL);
    WASI("getgrgid 0=%d", getgrgid(0) != NULL);
    struct group gr, *gres = &gr;
    rc = getgrnam_r("no-such-group-wasock", &gr, buf, sizeof buf, &gres);
    SAME("getgrnam_r unknown=%d found=%d", rc, gres != NULL);
    gres = &gr;
    rc = getgrgid_r(0, &gr, buf, sizeof buf, &gres);
    WASI("getgrgid_r 0=%d found=%d", rc, gres != NULL);
    (void)rc;

    int status = 0;
    SAME("waitpid=%s", R(waitpid(-1, &status, WNOHANG)));
    SAME("wait=%s", R(wait(&status)));
    SAME("W macros exit3=%d signaled=%d", WEXITSTATUS(3 << 8), WIFSIGNALED(9));

    struct termios t;
    int fd = open(in_dir("file"), O_RDONLY);
    SAME("tcgetattr file=%s", R(tcgetattr(fd, &t)));
    SAME("tcsetattr file=%s", R(tcsetattr(fd, TCSANOW, &t)));
    close(fd);
    SAME("tcgetattr bad fd=%s", R(tcgetattr(-1, &t)));
    memset(&t, 0, sizeof t);
    t.c_lflag = ICANON | ECHO;
    cfmakeraw(&t);
    SAME("cfmakeraw cs8=%d icanon=%d echo=%d vmin=%d", (t.c_cflag & CSIZE) == CS8, (t.c_lflag & ICANON) != 0,
         (t.c_lflag & ECHO) != 0, t.c_cc[VMIN]);
    const char *cr = R(cfsetospeed(&t, B9600));
    SAME("cfsetspeed=%s speed ok=%d", cr, cfgetospeed(&t) == B9600);

    jmp_buf jb;
    volatile int first = setjmp(jb);
    SAME("setjmp direct=%d", first);

    void *h = dlopen("libwasock-nonexistent.so", RTLD_NOW);
    const char *de = dlerror();
    SAME("dlopen=%d dlerror set=%d then clear=%d", h != NULL, de != NULL, dlerror() == NULL);
    WASI("dlerror=%s", de ? de : "NULL");

    WASI("res_init=%s", R(res_init()));
#ifdef __wasi__
    const char *qr = R(res_query("example.com", 1, 1, (unsigned char *)buf, sizeof buf));
    WASI("res_query=%s h_errno=%d", qr, h_errno);
#endif
    unsigned char msg[256];
    int cl = dn_comp("www.example.com", msg, sizeof msg, NULL, NULL);
    char name[256] = "";
    int el = dn_expand(msg, msg + cl, msg, name, sizeof name);
    SAME("dn_comp=%d dn_expand=%d name=%s skip=%d", cl, el, name, dn_skipname(msg, msg + cl));
    /* a compression pointer: "a" + pointer to offset 0 */
    unsigned char cmsg[64];
    memcpy(cmsg, msg, (size_t)cl);
    cmsg[cl] = 1, cmsg[cl + 1] = 'a', cmsg[cl + 2] = 0xc0, cmsg[cl + 3] = 0;
    el = dn_expand(cmsg, cmsg + cl + 4, cmsg + cl, name, sizeof name);
    SAME("dn_expand pointer=%d name=%s", el, name);
}

/* ---- network interfaces, syslog ------------------------------------------ */
static void t_net(void) {
    char ifname[IFNAMSIZ];
    SAME("IFNAMSIZ=%d", IFNAMSIZ);
    errno = 0;
    unsigned idx = if_nametoindex("nonexistent0");
    SAME("if_nametoindex unknown=%u", idx);
    errno = 0;
    idx = if_nametoindex("lo");
    WASI("if_nametoindex lo=%u %s", idx, err_name(errno));
    errno = 0;
    char *nm = if_indextoname(1, ifname);
    WASI("if_indextoname 1=%s %s", nm ? nm : "NULL", err_name(errno));
    (void)nm;
    errno = 0;
    nm = if_indextoname(987654, ifname);
    SAME("if_indextoname unknown=%s %s", nm ? nm : "NULL", err_name(errno));
    struct if_nameindex *ni = if_nameindex();
    int count = 0;
    for (struct if_nameindex *i = ni; i && i->if_index; i++)
        count++;
    WASI("if_nameindex ok=%d count=%d", ni != NULL, count);
    (void)count;
    if_freenameindex(ni);
#ifdef __wasi__
    struct ifaddrs *ifa = (struct ifaddrs *)1;
    const char *gi = R(getifaddrs(&ifa));
    WASI("getifaddrs=%s list=%d", gi, ifa != NULL);
    freeifaddrs(ifa);
#endif

    openlog("compat-log", 0, LOG_DAEMON);
    syslog(LOG_WARNING, "syslog %d", 5);
    errno = ENOENT;
    syslog(LOG_ERR, "with m: %m");
    setlogmask(LOG_UPTO(LOG_NOTICE));
    syslog(LOG_DEBUG, "masked out");
    closelog();
    WASI("syslog called");
#ifdef __wasi__
    errno = 0;
    WASI("wasi_socket_ext socket=%s", R(socket(AF_INET, SOCK_STREAM, 0)));
#endif
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: compat DIR [err|longjmp]\n");
        return 2;
    }
    dir = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 2 && strcmp(argv[2], "longjmp") == 0) {
        jmp_buf jb;
        if (setjmp(jb) == 0) {
            puts("same: before longjmp");
            longjmp(jb, 1);
        }
        puts("same: after longjmp");
        return 0;
    }
    t_err();
    t_errno();
    t_files();
    t_misc();
    t_signals();
    t_system();
    t_net();
    if (argc > 2 && strcmp(argv[2], "err") == 0) {
        errno = ENOENT;
        err(7, "fatal %s", "end");
    }
    puts("same: done");
    return 0;
}
