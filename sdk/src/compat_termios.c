/*
 * <termios.h>: preview 1 has no terminal control.  The tc* calls check the
 * descriptor (EBADF) and then fail with ENOTTY; the cf* helpers edit the
 * struct as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <termios.h>

static int no_tty(int fd) {
    if (fcntl(fd, F_GETFL) == -1)
        return -1; /* EBADF */
    errno = ENOTTY;
    return -1;
}

int tcgetattr(int fd, struct termios *t) { (void)t; return no_tty(fd); }
int tcsetattr(int fd, int act, const struct termios *t) { (void)act, (void)t; return no_tty(fd); }
int tcsendbreak(int fd, int d) { (void)d; return no_tty(fd); }
int tcdrain(int fd) { return no_tty(fd); }
int tcflush(int fd, int q) { (void)q; return no_tty(fd); }
int tcflow(int fd, int a) { (void)a; return no_tty(fd); }
pid_t tcgetsid(int fd) { return no_tty(fd); }

speed_t cfgetospeed(const struct termios *t) { return t->c_cflag & CBAUD; }
speed_t cfgetispeed(const struct termios *t) { return cfgetospeed(t); }

int cfsetospeed(struct termios *t, speed_t s) {
    if (s & ~CBAUD) {
        errno = EINVAL;
        return -1;
    }
    t->c_cflag = (t->c_cflag & ~CBAUD) | s;
    return 0;
}

int cfsetispeed(struct termios *t, speed_t s) { return s ? cfsetospeed(t, s) : 0; }
int cfsetspeed(struct termios *t, speed_t s) { return cfsetospeed(t, s); }

void cfmakeraw(struct termios *t) {
    t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t->c_oflag &= ~OPOST;
    t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag &= ~(CSIZE | PARENB);
    t->c_cflag |= CS8;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}
