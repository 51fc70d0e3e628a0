// cli/component_cli.cpp -- `myrt validate` / `myrt inspect` of components (runtime/component).
#include <iostream>

#include "cli/cli.h"
#include "runtime/component/component.h"

namespace myrt::cli {

std::optional<std::vector<uint8_t>> componentBytesOf(const std::string& path) {
  auto contents = readFile(path);
  if (!contents.ok()) return std::nullopt;
  const std::string& c = contents.value();
  std::span<const uint8_t> b(reinterpret_cast<const uint8_t*>(c.data()), c.size());
  if (!component::isComponentBinary(b)) return std::nullopt;
  return std::vector<uint8_t>(b.begin(), b.end());
}

int validateComponentFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  auto c = component::loadComponent(bytes);
  if (!c) {
    std::cerr << "myrt: " << formatError(path, c.error()) << "\n";
    return kExitError;
  }
  std::cout << path << ": valid component\n";
  return kExitOk;
}

int inspectComponentFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  auto c = component::loadComponent(bytes);
  if (!c) {
    std::cerr << "myrt: " << formatError(path, c.error()) << "\n";
    return kExitError;
  }
  std::cout << path << ": WebAssembly component, " << bytes.size() << " bytes\n";
  std::cout << component::describeComponent(**c);
  return kExitOk;
}

}  // namespace myrt::cli
