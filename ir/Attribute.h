// Op attributes: small typed constants such as `kernel=[5,5]` or `alpha=0.01`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace netc {

enum class AttrKind { Int, Float, Bool, IntList, String };

const char *attrKindName(AttrKind kind);

class Attribute {
public:
  Attribute() : value_(int64_t(0)) {}
  static Attribute ofInt(int64_t v) { return Attribute(Value(v)); }
  static Attribute ofFloat(double v) { return Attribute(Value(v)); }
  static Attribute ofBool(bool v) { return Attribute(Value(v)); }
  static Attribute ofInts(std::vector<int64_t> v) { return Attribute(Value(std::move(v))); }
  static Attribute ofString(std::string v) { return Attribute(Value(std::move(v))); }

  AttrKind kind() const { return static_cast<AttrKind>(value_.index()); }
  int64_t asInt() const { return std::get<int64_t>(value_); }
  double asFloat() const { return std::get<double>(value_); }
  bool asBool() const { return std::get<bool>(value_); }
  const std::vector<int64_t> &asInts() const { return std::get<std::vector<int64_t>>(value_); }
  const std::string &asString() const { return std::get<std::string>(value_); }

  /// The textual IR form: `3`, `0.01`, `true`, `[1,2]`, `"same"`. Floats print in
  /// the shortest form that reads back to the same double, so the IR round-trips.
  std::string str() const;
  bool operator==(const Attribute &o) const { return value_ == o.value_; }
  bool operator!=(const Attribute &o) const { return !(*this == o); }

private:
  // Order matches AttrKind.
  using Value = std::variant<int64_t, double, bool, std::vector<int64_t>, std::string>;
  explicit Attribute(Value v) : value_(std::move(v)) {}
  Value value_;
};

/// Attributes in the order the op's definition declares them.
class AttrMap {
public:
  void set(const std::string &name, Attribute value);
  const Attribute *find(const std::string &name) const;
  bool has(const std::string &name) const { return find(name) != nullptr; }
  // Typed getters for attributes the op definition guarantees to exist.
  int64_t getInt(const std::string &name) const;
  double getFloat(const std::string &name) const;
  bool getBool(const std::string &name) const;
  const std::vector<int64_t> &getInts(const std::string &name) const;
  const std::string &getString(const std::string &name) const;

  const std::vector<std::pair<std::string, Attribute>> &entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  bool operator==(const AttrMap &o) const { return entries_ == o.entries_; }

private:
  std::vector<std::pair<std::string, Attribute>> entries_;
};

} // namespace netc
