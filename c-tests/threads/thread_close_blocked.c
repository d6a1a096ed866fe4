/*
 * One thread blocked in recv() while another shuts its socket down and
 * closes it (issue #14): what the blocked call returns, to compare with
 * Linux (the same file built natively is the oracle).
 *
 * usage: thread_close_blocked [MODE]
 * Makes a loopback TCP pair; a thread blocks in recv on one end.  After
 * 300 ms main, by MODE:
 *   shutdown  (default) shutdown(SHUT_RDWR) then close(): on Linux the
 *             shutdown wakes the recv, which returns 0;
 *   close     close() alone: on Linux this does not wake the recv (the
 *             call holds the socket); main then closes the peer after
 *             another 300 ms, and the recv returns 0.
 * Prints "recv returned R errno NAME" and "woken by: close" (it returned
 * before main's next step) or "woken by: peer" (only once the peer
 * closed); exits 0 when the recv returned within 5 s.
 */
#include "threadutil.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t returned_cv = PTHREAD_COND_INITIALIZER;
static int returned; /* under lock */
static ssize_t result;
static int result_errno;

static void *blocked(void *arg) {
    int fd = *(int *)arg;
    char c;
    errno = 0;
    ssize_t n = recv(fd, &c, 1, 0);
    int e = n < 0 ? errno : 0;
    pthread_mutex_lock(&lock);
    result = n;
    result_errno = e;
    returned = 1;
    pthread_cond_signal(&returned_cv);
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* Waits up to ms for the recv to return; returns whether it has. */
static int wait_returned(long ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (!returned && pthread_cond_timedwait(&returned_cv, &lock, &until) == 0)
        ;
    int r = returned;
    pthread_mutex_unlock(&lock);
    return r;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "shutdown";
    int do_shutdown = strcmp(mode, "shutdown") == 0;
    REQUIRE(do_shutdown || strcmp(mode, "close") == 0);
    int fd, peer;
    loopback_pair(&fd, &peer);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, blocked, &fd) == 0);
    sleep_ms(300);
    CHECK(!wait_returned(0)); /* really blocked */

    if (do_shutdown)
        CHECK(shutdown(fd, SHUT_RDWR) == 0);
    CHECK(close(fd) == 0);
    const char *woken = "close";
    if (!wait_returned(300)) {
        woken = "peer";
        close(peer);
        peer = -1;
    }
    REQUIRE(wait_returned(5000));
    REQUIRE(pthread_join(t, NULL) == 0);
    printf("recv returned %ld errno %s\n", (long)result, errno_name(result_errno));
    printf("woken by: %s\n", woken);
    if (peer >= 0)
        close(peer);
    return finish("thread_close_blocked");
}
