// runtime/component/names.h -- component extern names (Explainer.md "Import and Export Definitions"): kebab-case
// labels, plain names with [constructor]/[method]/[static] annotations, interface names `ns:pkg/iface@1.2.3`, and
// the semver-compatible matching of interface versions used at link time.
// Layer: component.
#pragma once
#include <string>
#include <string_view>

namespace myrt::component {

bool isKebab(std::string_view label);
bool equalsIgnoreCase(std::string_view a, std::string_view b);
// "" when `name` is a valid import/export name, else the reason ("`Foo` is not in kebab case", ...).
std::string checkExternName(std::string_view name);
// The key under which names must be strongly unique (case-insensitive).
std::string uniquenessKey(std::string_view name);

// An interface name split into "ns:pkg/iface" and its version ("" when unversioned).
struct InterfaceName {
  std::string base;
  std::string version;
};
InterfaceName splitVersion(std::string_view name);
// True when a host providing version `provided` satisfies an import of version `wanted` (semver-compatible: same
// major for >= 1; for 0.x the same minor (0.2.0 accepts 0.2.x), for 0.0.x exactly equal).
bool versionCompatible(std::string_view wanted, std::string_view provided);

}  // namespace myrt::component
