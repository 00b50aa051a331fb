#include "frontends/weights/BindWeights.h"

#include "frontends/weights/RawElements.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/ADT/Twine.h>

#include <memory>
#include <set>

namespace netc {

namespace {

/// Whether a tensor of `shape` can back a weight of `type`. A symbolic dim (not
/// expected on weights, but legal in the IR) accepts any size.
bool shapeMatches(const std::vector<int64_t> &shape, const TensorType &type) {
  if (shape.size() != type.rank())
    return false;
  for (size_t i = 0; i < shape.size(); ++i)
    if (type.dim(i).isStatic() && type.dim(i).size != shape[i])
      return false;
  return true;
}

/// PyTorch's BatchNorm keeps a step counter in its state_dict that inference never reads.
bool isIgnoredStateDictEntry(llvm::StringRef key) {
  return key == "num_batches_tracked" || key.endswith(".num_batches_tracked");
}

/// The weight name closest to `key`, if it is close enough to be a plausible typo.
/// Ties go to weights that have no tensor yet: those are what the user likely meant.
const Value *closestWeight(llvm::StringRef key, const Graph &graph,
                           const std::set<const Value *> &unbound) {
  // The same threshold clang uses for typo correction: about a third of the name.
  unsigned maxDistance = std::max<unsigned>(1, (key.size() + 2) / 3);
  const Value *best = nullptr;
  unsigned bestDistance = maxDistance + 1;
  for (const Value *w : graph.weights()) {
    unsigned distance = key.edit_distance(w->name(), /*AllowReplacements=*/true, maxDistance);
    bool better = distance < bestDistance ||
                  (distance == bestDistance && best && !unbound.count(best) && unbound.count(w));
    if (distance <= maxDistance && better) {
      best = w;
      bestDistance = distance;
    }
  }
  return best;
}

} // namespace

bool bindWeights(Graph &graph, const std::map<std::string, Tensor> &tensors,
                 const std::string &origin, DiagnosticEngine &diags) {
  unsigned errorsBefore = diags.errorCount();
  std::set<std::string> weightNames;
  std::set<const Value *> missing;

  for (Value *w : graph.weights()) {
    const std::string &name = w->name();
    weightNames.insert(name);
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      diags.error(origin,
                  "missing tensor '" + name + "' (expected shape " + w->type().shapeStr() + ")");
      missing.insert(w);
      continue;
    }
    const Tensor &tensor = it->second;
    if (!shapeMatches(tensor.shape, w->type())) {
      diags.error(origin, "tensor '" + name + "' has shape " + shapeStr(tensor.shape) +
                              " but the model expects " + w->type().shapeStr());
      if (w->loc().isValid())
        diags.note(w->loc(), "'" + name + "' is declared here");
      continue;
    }
    std::string problem = tensorLayoutProblem(tensor);
    if (!problem.empty()) {
      diags.error(origin, "tensor '" + name + "' is malformed: " + problem);
      continue;
    }
    w->setData(std::make_shared<Tensor>(tensor));
  }

  for (const auto &entry : tensors) {
    llvm::StringRef key = entry.first;
    if (weightNames.count(entry.first) || isIgnoredStateDictEntry(key))
      continue;
    std::string hint;
    if (const Value *suggestion = closestWeight(key, graph, missing))
      hint = " (did you mean '" + suggestion->name() + "'?)";
    diags.error(origin,
                "unexpected tensor '" + key + "': the model has no weight of that name" + hint);
  }
  return diags.errorCount() == errorsBefore;
}

} // namespace netc
