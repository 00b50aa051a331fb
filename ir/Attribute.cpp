#include "ir/Attribute.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>

namespace netc {

const char *attrKindName(AttrKind kind) {
  switch (kind) {
  case AttrKind::Int:
    return "integer";
  case AttrKind::Float:
    return "number";
  case AttrKind::Bool:
    return "boolean";
  case AttrKind::IntList:
    return "integer list";
  case AttrKind::String:
    return "string";
  }
  return "?";
}

std::string Attribute::str() const {
  switch (kind()) {
  case AttrKind::Int:
    return std::to_string(asInt());
  case AttrKind::Float: {
    // fmt's default is the shortest representation that round-trips; keep a
    // decimal point so the parser reads it back as a float.
    std::string s = fmt::format("{}", asFloat());
    if (s.find_first_of(".eEn") == std::string::npos)
      s += ".0";
    return s;
  }
  case AttrKind::Bool:
    return asBool() ? "true" : "false";
  case AttrKind::IntList: {
    std::string s = "[";
    const auto &v = asInts();
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  }
  case AttrKind::String: {
    std::string s = "\"";
    for (char c : asString()) {
      if (c == '"' || c == '\\')
        s += '\\';
      s += c;
    }
    return s + "\"";
  }
  }
  return "";
}

void AttrMap::set(const std::string &name, Attribute value) {
  for (auto &e : entries_)
    if (e.first == name) {
      e.second = std::move(value);
      return;
    }
  entries_.emplace_back(name, std::move(value));
}

const Attribute *AttrMap::find(const std::string &name) const {
  for (const auto &e : entries_)
    if (e.first == name)
      return &e.second;
  return nullptr;
}

int64_t AttrMap::getInt(const std::string &name) const {
  const Attribute *a = find(name);
  assert(a && "attribute missing");
  return a->asInt();
}
double AttrMap::getFloat(const std::string &name) const {
  const Attribute *a = find(name);
  assert(a && "attribute missing");
  return a->asFloat();
}
bool AttrMap::getBool(const std::string &name) const {
  const Attribute *a = find(name);
  assert(a && "attribute missing");
  return a->asBool();
}
const std::vector<int64_t> &AttrMap::getInts(const std::string &name) const {
  const Attribute *a = find(name);
  assert(a && "attribute missing");
  return a->asInts();
}
const std::string &AttrMap::getString(const std::string &name) const {
  const Attribute *a = find(name);
  assert(a && "attribute missing");
  return a->asString();
}

} // namespace netc
