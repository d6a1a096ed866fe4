// No throw of its own, but libc++ throws std::out_of_range inside
// vector::at: with -fno-exceptions libc++ prints what it would have thrown
// and aborts, so the run ends with that message, not a silent trap.
#include <cstdio>
#include <vector>
int main() {
    std::vector<int> v(2);
    std::printf("%d\n", v.at(5));
    return 0;
}
