// A small C++ line client, written for Linux and not for wasock: it
// connects to HOST PORT, sends each WORD as a line, reads every echo back
// and prints what came back and a summary. e2e/tests/build_systems.rs builds
// it unchanged with wasock-c++, with CMake as a CXX project and natively
// with g++, and compares the outputs.
//
//   line_client HOST PORT WORD...

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// An owned socket descriptor: closed once, movable, not copyable.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    Socket(Socket &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket &operator=(Socket &&other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~Socket() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    bool valid() const { return fd_ >= 0; }
    int fd() const { return fd_; }

  private:
    int fd_ = -1;
};

struct AddrinfoDeleter {
    void operator()(addrinfo *ai) const { freeaddrinfo(ai); }
};

// Tries every address the name resolves to, as real clients do.
Socket connect_to(const std::string &host, const std::string &port, std::string &error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        error = std::string("getaddrinfo: ") + gai_strerror(rc);
        return Socket();
    }
    std::unique_ptr<addrinfo, AddrinfoDeleter> list(found);
    for (addrinfo *ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        Socket s(::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol));
        if (s.valid() && ::connect(s.fd(), ai->ai_addr, ai->ai_addrlen) == 0)
            return s;
        error = std::string("connect: ") + std::strerror(errno);
    }
    return Socket();
}

// Line-at-a-time reading over a socket, with its own buffer.
class LineReader {
  public:
    explicit LineReader(const Socket &s) : sock_(s) {}
    bool next(std::string &line) {
        for (;;) {
            auto nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return true;
            }
            char chunk[256];
            ssize_t n = ::recv(sock_.fd(), chunk, sizeof chunk, 0);
            if (n <= 0)
                return false;
            buffer_.append(chunk, static_cast<size_t>(n));
        }
    }

  private:
    const Socket &sock_;
    std::string buffer_;
};

bool send_all(const Socket &s, const std::string &data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::send(s.fd(), data.data() + done, data.size() - done, 0);
        if (n <= 0)
            return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 4) {
        std::cerr << "usage: " << argv[0] << " HOST PORT WORD...\n";
        return 2;
    }
    std::vector<std::string> words(argv + 3, argv + argc);
    std::string error;
    Socket sock = connect_to(argv[1], argv[2], error);
    if (!sock.valid()) {
        std::cerr << error << '\n';
        return 1;
    }
    std::string request;
    for (const auto &w : words)
        request += w + '\n';
    if (!send_all(sock, request)) {
        std::cerr << "send: " << std::strerror(errno) << '\n';
        return 1;
    }
    ::shutdown(sock.fd(), SHUT_WR);

    LineReader reader(sock);
    std::vector<std::string> echoed;
    std::string line;
    while (reader.next(line))
        echoed.push_back(line);

    std::map<size_t, int> by_length;
    for (size_t i = 0; i < echoed.size(); i++) {
        std::cout << "echo " << i << ": " << echoed[i] << " (" << echoed[i].size() << " bytes)\n";
        by_length[echoed[i].size()]++;
    }
    for (const auto &[len, count] : by_length)
        std::cout << "length " << len << ": " << count << '\n';
    std::sort(echoed.begin(), echoed.end());
    std::cout << "sorted:";
    for (const auto &w : echoed)
        std::cout << ' ' << w;
    std::cout << '\n';
    std::printf("%s: %zu of %zu lines came back\n", echoed == [&] {
        auto sorted = words;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    }() ? "same" : "different", echoed.size(), words.size());
    return echoed.size() == words.size() ? 0 : 1;
}
