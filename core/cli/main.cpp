#include <iostream>

int main() {
  std::cout << "vigil " << VIGIL_VERSION << "\n";
  return 0;
}
