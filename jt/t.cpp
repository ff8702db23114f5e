#include <torch/script.h>
#include <iostream>
int main() {
  for (const char* exc : {"Exception"}) {
    try {
      torch::jit::Module m("M");
      m.register_attribute("n", c10::IntType::get(), int64_t(3));
      std::string src = std::string("def forward(self, x: Tensor) -> Tensor:\n    if x.size(1) != self.n:\n        raise ") + exc + "(\"bad \" + str(x.shape))\n    return x\n";
      m.define(src);
      m.forward({torch::zeros({2, 4})});
    } catch (const std::exception& e) {
      std::string w = e.what();
      std::cout << exc << ": " << w.substr(0, 200) << "\n----\n";
    }
  }
}
