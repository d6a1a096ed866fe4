// Every header of the SDK, included from C++, and one function of each taken
// by address: the program links only if each declaration has C linkage
// (extern "C"), so C++ code calls the SDK as C code does.
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/select.h>
#include <fcntl.h>
#include <unistd.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <syslog.h>
#include <pwd.h>
#include <grp.h>
#include <sys/wait.h>
#include <termios.h>
#include <setjmp.h>
#include <resolv.h>
#include <dlfcn.h>
#include <err.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wasock.h>
#include <wasi_socket_ext.h>
#include <cstdio>
int main() {
    void *p[] = {
        (void*)&socket, (void*)&connect, (void*)&bind, (void*)&listen, (void*)&accept, (void*)&getsockname, (void*)&sendto, (void*)&recvfrom, (void*)&setsockopt, (void*)&getsockopt, (void*)&socketpair, (void*)&sendmsg,
        (void*)&inet_addr, (void*)&inet_ntoa, (void*)&getaddrinfo, (void*)&getnameinfo, (void*)&gethostbyname, (void*)&poll, (void*)&select, (void*)&dup, (void*)&dup2, (void*)&pipe,
        (void*)&if_nametoindex, (void*)&getifaddrs, (void*)&openlog, (void*)&syslog, (void*)&getpwnam, (void*)&getgrnam, (void*)&waitpid, (void*)&tcgetattr, (void*)&res_init, (void*)&dlopen, (void*)&err, (void*)&warnx,
        (void*)&sigaction, (void*)&sigprocmask, (void*)&kill, (void*)&getrlimit, (void*)&getrandom, (void*)&flock, (void*)&chmod, (void*)&umask, (void*)&gettimeofday, (void*)&setitimer, (void*)&alarm,
        (void*)&mkstemp, (void*)&realpath, (void*)&tmpfile, (void*)&tzset, (void*)&wasock_pool_count, (void*)&wasock_socket, (void*)&sysconf, (void*)&getpagesize, (void*)&chown, (void*)&fcntl,
    };
    std::printf("%zu\n", sizeof p / sizeof p[0]);
    return 0;
}
