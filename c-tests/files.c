/*
 * The Linux oracle for reading files: built natively with gcc and as a
 * guest with wasock-cc, run on the same directory (argv[1]: the host path
 * natively, the preopened guest path as a guest), printing one line per
 * observation symbolically. e2e/tests/files.rs requires identical output.
 * The host serves read-only opens of regular files itself (host/src/file.rs)
 * and hands everything else to wasmtime-wasi; both paths are exercised here.
 *
 * The directory holds `a.txt` ("0123456789"), `link` (a symlink to it) and
 * `sub/` (a directory). Nothing printed depends on fd numbers, inode
 * numbers or times, only on whether two of them agree.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "oracle.h"

static char dir[512];

static const char *at(const char *name) {
    static char path[2][600];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static const char *type_name(mode_t m) {
    return S_ISREG(m) ? "regular" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symlink" : "other";
}

/* read(2) of `len` bytes, printed as "n 'text'" or the error. */
static void show_read(const char *label, int fd, size_t len) {
    char buf[64] = {0};
    ssize_t n = read(fd, buf, len);
    printf("%s: %s '%.*s'\n", label, res(n), n > 0 ? (int)n : 0, buf);
}

static void reads(void) {
    int fd = open(at("a.txt"), O_RDONLY);
    if (fd < 0)
        die("open a.txt");
    show_read("read 4", fd, 4);
    char a[2], b[3], c[64];
    struct iovec iov[3] = {{a, sizeof a}, {b, sizeof b}, {c, sizeof c}};
    ssize_t n = readv(fd, iov, 3);
    printf("readv 2+3+64: %s '%.2s' '%.3s' '%.*s'\n", res(n), a, b, n > 5 ? (int)(n - 5) : 0, c);
    show_read("read at the end", fd, 8);
    printf("lseek(0, SEEK_CUR): %s\n", res(lseek(fd, 0, SEEK_CUR)));
    printf("lseek(-3, SEEK_END): %s\n", res(lseek(fd, -3, SEEK_END)));
    show_read("read 8", fd, 8);
    const char *r = res(lseek(fd, -1, SEEK_SET));
    printf("lseek(-1, SEEK_SET): %s, then SEEK_CUR: %s\n", r, res(lseek(fd, 0, SEEK_CUR)));
    printf("lseek(2, SEEK_SET): %s\n", res(lseek(fd, 2, SEEK_SET)));
    printf("lseek(20, SEEK_SET) past the end: %s\n", res(lseek(fd, 20, SEEK_SET)));
    show_read("read past the end", fd, 8);
    char p[8] = {0};
    r = res(pread(fd, p, 3, 5));
    printf("pread(3 at 5): %s '%.3s', offset after: %s\n", r, p, res(lseek(fd, 0, SEEK_CUR)));
    printf("write: %s\n", res(write(fd, "x", 1)));
    printf("pwrite: %s\n", res(pwrite(fd, "x", 1, 0)));
    printf("ftruncate: %s\n", res(ftruncate(fd, 0)));
    r = res(fsync(fd));
    printf("fsync: %s, fdatasync: %s\n", r, res(fdatasync(fd)));
    printf("posix_fadvise(SEQUENTIAL): %d\n", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));

    lseek(fd, 4, SEEK_SET);
    int dupfd = dup(fd);
    show_read("read 2 through a dup", dupfd, 2);
    printf("offset of the original: %s\n", res(lseek(fd, 0, SEEK_CUR)));
    close(dupfd);

    int avail = -1;
    r = res(ioctl(fd, FIONREAD, &avail));
    printf("ioctl(FIONREAD) at 6: %s, %d\n", r, avail);
    struct pollfd pfd = {.fd = fd, .events = POLLIN | POLLOUT};
    n = poll(&pfd, 1, 0);
    /* Linux adds the *NORM bits for files; wasi-libc has them equal to POLLIN/POLLOUT. */
    printf("poll(POLLIN|POLLOUT): %s, POLLIN %d POLLOUT %d POLLHUP %d\n", res(n), !!(pfd.revents & POLLIN),
           !!(pfd.revents & POLLOUT), !!(pfd.revents & POLLHUP));
    lseek(fd, 0, SEEK_END);
    pfd.revents = 0;
    n = poll(&pfd, 1, 0);
    printf("poll at the end: %s, POLLIN %d POLLHUP %d\n", res(n), !!(pfd.revents & POLLIN), !!(pfd.revents & POLLHUP));
    r = res(close(fd));
    printf("close: %s, then read: %s\n", r, res(read(fd, p, 1)));
}

static void stats(void) {
    struct stat by_path, by_fd, by_link;
    int fd = open(at("a.txt"), O_RDONLY);
    if (fd < 0 || stat(at("a.txt"), &by_path) != 0 || fstat(fd, &by_fd) != 0)
        die("stat a.txt");
    printf("fstat: %s, size %lld, links %ld\n", type_name(by_fd.st_mode), (long long)by_fd.st_size,
           (long)by_fd.st_nlink);
    printf("stat and fstat: same device %d, same inode %d, same mtime %d\n", by_path.st_dev == by_fd.st_dev,
           by_path.st_ino == by_fd.st_ino, by_path.st_mtim.tv_sec == by_fd.st_mtim.tv_sec);
    int flags = fcntl(fd, F_GETFL);
    printf("F_GETFL: access %s, O_NONBLOCK %d\n",
           (flags & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "not O_RDONLY", !!(flags & O_NONBLOCK));
    printf("F_SETFL O_NONBLOCK: %s\n", res(fcntl(fd, F_SETFL, O_NONBLOCK)));
    flags = fcntl(fd, F_GETFL);
    printf("F_GETFL: access %s, O_NONBLOCK %d\n",
           (flags & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "not O_RDONLY", !!(flags & O_NONBLOCK));
    show_read("read 3 non-blocking", fd, 3);
    int l = open(at("link"), O_RDONLY);
    if (l < 0 || fstat(l, &by_link) != 0)
        die("open link");
    printf("through the symlink: same inode %d\n", by_link.st_ino == by_fd.st_ino);
    struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = 1000000000, .tv_nsec = 0}};
    printf("futimens(mtime): %s\n", res(futimens(fd, times)));
    stat(at("a.txt"), &by_path);
    printf("mtime now %lld\n", (long long)by_path.st_mtim.tv_sec);
    close(l);
    close(fd);
}

static void others(void) {
    printf("open missing: %s\n", res(open(at("missing"), O_RDONLY)));
    printf("open link O_NOFOLLOW: %s\n", res(open(at("link"), O_RDONLY | O_NOFOLLOW)));
    int d = open(at("sub"), O_RDONLY);
    struct stat st;
    const char *type = d >= 0 && fstat(d, &st) == 0 ? type_name(st.st_mode) : "-";
    printf("open a directory: %s, fstat %s\n", d < 0 ? res(d) : "ok", type);
    int f = d >= 0 ? openat(d, "x", O_RDONLY) : -1;
    printf("openat in it: %s\n", res(f));
    close(d);
    int fd = open(at("a.txt"), O_RDONLY);
    printf("openat with a file as the directory: %s\n", res(openat(fd, "x", O_RDONLY)));
    close(fd);
    /* A writable open is wasmtime-wasi's; it must see the same file. */
    int w = open(at("a.txt"), O_RDWR);
    struct stat ws, rs;
    int r = open(at("a.txt"), O_RDONLY);
    int same = fstat(w, &ws) == 0 && fstat(r, &rs) == 0 && ws.st_ino == rs.st_ino;
    printf("O_RDWR and O_RDONLY opens: same inode %d\n", same);
    pwrite(w, "AB", 2, 0);
    show_read("read after another fd wrote", r, 2);
    pwrite(w, "01", 2, 0);
    close(w);
    close(r);
}

/* Guest only: natively these open (e2e/tests/files.rs knows the answers). */
static void escape(void) {
    printf("open ../secret: %s\n", res(open(at("../secret"), O_RDONLY)));
    printf("open sub/../../secret: %s\n", res(open(at("sub/../../secret"), O_RDONLY)));
    printf("open out (a symlink out): %s\n", res(open(at("out"), O_RDONLY)));
}

static const struct {
    const char *name;
    void (*run)(void);
} sections[] = {{"reads", reads}, {"stats", stats}, {"others", others}, {"escape", escape}};

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3)
        die("usage: files DIR SECTION...");
    snprintf(dir, sizeof dir, "%s", argv[1]);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; ++i) {
        int wanted = 0;
        for (int k = 2; k < argc; ++k)
            wanted |= strcmp(argv[k], sections[i].name) == 0;
        if (wanted)
            sections[i].run();
    }
    printf("done\n");
    return 0;
}
