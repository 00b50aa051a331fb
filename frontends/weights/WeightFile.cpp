#include "frontends/weights/WeightFile.h"

#include "frontends/weights/Npz.h"
#include "frontends/weights/Safetensors.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Path.h>

namespace netc {

namespace {

enum class WeightFormat { Npz, Safetensors, Npy, Unknown };

WeightFormat formatOf(llvm::StringRef path) {
  std::string extension = llvm::sys::path::extension(path).lower();
  if (extension == ".npz")
    return WeightFormat::Npz;
  if (extension == ".safetensors")
    return WeightFormat::Safetensors;
  if (extension == ".npy")
    return WeightFormat::Npy;
  return WeightFormat::Unknown;
}

void reportUnsupported(const std::string &path, WeightFormat format, DiagnosticEngine &diags) {
  if (format == WeightFormat::Npy)
    diags.error(path, "a .npy file holds a single unnamed array, but a model needs named "
                      "weights; use .npz (numpy.savez) or .safetensors instead");
  else if (llvm::sys::path::extension(path).empty())
    diags.error(path, "weight file has no extension (expected .npz or .safetensors)");
  else
    diags.error(path, "unrecognized weight file extension '" + llvm::sys::path::extension(path) +
                          "' (expected .npz or .safetensors)");
}

} // namespace

bool loadWeightFile(const std::string &path, std::map<std::string, Tensor> &out,
                    DiagnosticEngine &diags) {
  switch (WeightFormat format = formatOf(path)) {
  case WeightFormat::Npz:
    return readNpz(path, out, diags);
  case WeightFormat::Safetensors:
    return readSafetensors(path, out, diags);
  default:
    reportUnsupported(path, format, diags);
    return false;
  }
}

bool saveWeightFile(const std::string &path, const std::map<std::string, Tensor> &tensors,
                    DiagnosticEngine &diags) {
  switch (WeightFormat format = formatOf(path)) {
  case WeightFormat::Npz:
    return writeNpz(path, tensors, diags);
  case WeightFormat::Safetensors:
    return writeSafetensors(path, tensors, diags);
  default:
    reportUnsupported(path, format, diags);
    return false;
  }
}

} // namespace netc
