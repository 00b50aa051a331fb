// "Did you mean ...?" suggestions for misspelled layer types, layer names and
// parameter names.
#pragma once

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/StringRef.h>

#include <string>

namespace netc::dsl {

/// The candidate closest to `word` by edit distance, or "" if none is close enough
/// to be a plausible typo. Ties go to the earliest candidate, so callers order the
/// candidates by preference.
inline std::string closestMatch(llvm::StringRef word, llvm::ArrayRef<std::string> candidates) {
  // About one edit per three characters; a one-letter name is never a typo of another.
  unsigned maxDistance = (word.size() + 2) / 3;
  std::string best;
  unsigned bestDistance = maxDistance + 1;
  for (const std::string &candidate : candidates) {
    unsigned distance = word.edit_distance(candidate, /*AllowReplacements=*/true, maxDistance);
    if (distance < bestDistance && distance < word.size() && candidate != word) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/// " (did you mean 'conv2d'?)", or "" when nothing is close.
inline std::string didYouMean(llvm::StringRef word, llvm::ArrayRef<std::string> candidates) {
  std::string match = closestMatch(word, candidates);
  return match.empty() ? std::string() : " (did you mean '" + match + "'?)";
}

} // namespace netc::dsl
