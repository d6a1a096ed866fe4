// C++ that throws: wasock-c++ compiles with -fno-exceptions, so this must
// be refused at compile time ("cannot use 'throw' with exceptions disabled")
// rather than build a module that traps.
#include <stdexcept>
#include <cstdio>
int main(int argc, char **) {
    try {
        if (argc > 0)
            throw std::runtime_error("thrown");
    } catch (const std::exception &e) {
        std::puts(e.what());
    }
    return 0;
}
