/*
 * A thread that traps while main waits (issue #14): a trap in any thread
 * must end the whole guest, as a crash in any thread ends a Linux process
 * (natively: SIGILL).
 *
 * usage: thread_trap
 * Prints "main waiting", starts a thread that prints "thread trapping" and
 * executes __builtin_trap() 100 ms later, and joins it.  If main is still
 * running 10 s later (the trap did not end the program) it prints "main
 * survived" and exits 3.
 */
#include "threadutil.h"

static void *trap(void *arg) {
    (void)arg;
    sleep_ms(100);
    printf("thread trapping\n");
    fflush(stdout);
    __builtin_trap();
}

static void *watchdog(void *arg) {
    (void)arg;
    sleep_ms(10000);
    printf("main survived\n");
    fflush(stdout);
    exit(3);
}

int main(void) {
    printf("main waiting\n");
    fflush(stdout);
    pthread_t t, w;
    REQUIRE(pthread_create(&w, NULL, watchdog, NULL) == 0);
    REQUIRE(pthread_create(&t, NULL, trap, NULL) == 0);
    pthread_join(t, NULL);
    /* A join that returns means the trapping thread ended alone. */
    printf("main survived\n");
    fflush(stdout);
    return 3;
}
